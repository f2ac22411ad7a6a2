/* SPDX-License-Identifier: GPL-3.0-or-later
 * test-signed-data.c: the signing core in-process: the digest stream (small, and past the size
 * where it hashes on a helper thread), input detection, the SignedData writer and reader round
 * trip (detached DER, opaque BER), the announced capabilities, the GMime crypto context, and
 * the _async entry points.
 */
#include "config.h"

#include <string.h>

#include "cachet-crypto-context.h"
#include "cachet-digest-stream.h"
#include "cachet-signed-data.h"
#include "cachet-signing.h"
#include "cachet-test-util.h"

static CachetTestPki *pki;
static char *alice;

static CachetCredentials *
alice_credentials (void)
{
  g_autofree char *chain = g_strconcat (alice, "-chain.pem", NULL);
  g_autofree char *key = g_strconcat (alice, ".key", NULL);
  g_autoptr(GError) error = NULL;
  CachetCredentials *credentials = cachet_credentials_new_from_files (chain, key, &error);

  g_assert_no_error (error);
  return credentials;
}

static CachetOptions *
trusting_options (void)
{
  CachetOptions *options = cachet_options_new ();
  g_autoptr(GPtrArray) roots = cachet_certificate_list_from_file (pki->root_cert, NULL);

  g_assert_nonnull (roots);
  cachet_options_set_system_trust (options, FALSE);
  cachet_options_add_anchor (options, g_ptr_array_index (roots, 0));
  return options;
}

static void
test_digest_stream (void)
{
  g_autoptr(GMimeStream) sink = g_mime_stream_mem_new ();
  g_autoptr(GMimeStream) stream = cachet_digest_stream_new (sink);
  CachetDigestStream *digest = CACHET_DIGEST_STREAM (stream);
  g_autoptr(GBytes) sha256 = NULL, sha512 = NULL, again = NULL;
  g_autoptr(GBytes) absent = NULL;
  GByteArray *passed;
  static const guint8 abc_sha256[] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
  };

  g_assert_true (cachet_digest_stream_add_algorithm (digest, GNUTLS_DIG_SHA256));
  g_assert_true (cachet_digest_stream_add_algorithm (digest, GNUTLS_DIG_SHA512));
  g_assert_true (cachet_digest_stream_add_algorithm (digest, GNUTLS_DIG_SHA256));
  g_assert_cmpint (g_mime_stream_write (stream, "a", 1), ==, 1);
  g_assert_cmpint (g_mime_stream_write (stream, "bc", 2), ==, 2);

  sha256 = cachet_digest_stream_get_digest (digest, GNUTLS_DIG_SHA256);
  g_assert_cmpmem (g_bytes_get_data (sha256, NULL), g_bytes_get_size (sha256), abc_sha256, sizeof abc_sha256);
  /* asking does not stop the hash */
  again = cachet_digest_stream_get_digest (digest, GNUTLS_DIG_SHA256);
  g_assert_true (g_bytes_equal (sha256, again));
  sha512 = cachet_digest_stream_get_digest (digest, GNUTLS_DIG_SHA512);
  g_assert_cmpuint (g_bytes_get_size (sha512), ==, 64);
  absent = cachet_digest_stream_get_digest (digest, GNUTLS_DIG_SHA384);
  g_assert_null (absent);
  g_assert_cmpuint (cachet_digest_stream_get_count (digest), ==, 3);

  passed = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (sink));
  g_assert_cmpmem (passed->data, passed->len, "abc", 3);
}

/* Past its first MiB the stream hashes on a helper thread: the digests must still be those of
 * every byte in order, whatever the sizes of the writes, and asking midway must not lose any. */
static void
test_digest_stream_large (void)
{
  static const gsize sizes[] = { 1, 4095, 300001, 7, 65536, 262144, 262145, 99 };
  const gsize total = 9 * 1024 * 1024 + 13, middle = 3 * 1024 * 1024 + 5;
  g_autofree guint8 *data = g_malloc (total);
  g_autoptr(GMimeStream) sink = g_mime_stream_mem_new ();
  g_autoptr(GMimeStream) stream = cachet_digest_stream_new (sink);
  CachetDigestStream *digest = CACHET_DIGEST_STREAM (stream);
  g_autoptr(GBytes) half = NULL, sha256 = NULL, sha512 = NULL;
  guint8 expected[64];
  GByteArray *passed;
  gsize done = 0;

  for (gsize i = 0; i < total; i++)
    data[i] = (guint8) g_test_rand_int ();
  g_assert_true (cachet_digest_stream_add_algorithm (digest, GNUTLS_DIG_SHA256));
  g_assert_true (cachet_digest_stream_add_algorithm (digest, GNUTLS_DIG_SHA512));

  for (guint i = 0; done < total; i++)
    {
      gsize n = MIN (sizes[i % G_N_ELEMENTS (sizes)], total - done);

      if (done < middle && done + n > middle)
        n = middle - done;
      g_assert_cmpint (g_mime_stream_write (stream, (const char *) data + done, n), ==, n);
      done += n;
      if (done == middle)
        {
          half = cachet_digest_stream_get_digest (digest, GNUTLS_DIG_SHA256);
          gnutls_hash_fast (GNUTLS_DIG_SHA256, data, middle, expected);
          g_assert_cmpmem (g_bytes_get_data (half, NULL), g_bytes_get_size (half), expected, 32);
        }
    }

  sha256 = cachet_digest_stream_get_digest (digest, GNUTLS_DIG_SHA256);
  gnutls_hash_fast (GNUTLS_DIG_SHA256, data, total, expected);
  g_assert_cmpmem (g_bytes_get_data (sha256, NULL), g_bytes_get_size (sha256), expected, 32);
  sha512 = cachet_digest_stream_get_digest (digest, GNUTLS_DIG_SHA512);
  gnutls_hash_fast (GNUTLS_DIG_SHA512, data, total, expected);
  g_assert_cmpmem (g_bytes_get_data (sha512, NULL), g_bytes_get_size (sha512), expected, 64);
  g_assert_cmpuint (cachet_digest_stream_get_count (digest), ==, total);

  passed = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (sink));
  g_assert_cmpmem (passed->data, passed->len, data, total);
}

static void
test_detect_input (void)
{
  g_autofree char *message = cachet_test_write_message (pki->dir, "detect.eml", "a@example.com",
                                                        "b@example.com", "Subject", "Body\n");
  g_autofree char *text = g_build_filename (pki->dir, "detect.txt", NULL);
  g_autofree char *empty = g_build_filename (pki->dir, "detect-empty", NULL);
  g_autofree char *p7s = g_build_filename (pki->dir, "detect.p7s", NULL);
  g_autofree char *pem = g_build_filename (pki->dir, "detect.pem", NULL);
  g_autofree char *missing = g_build_filename (pki->dir, "nope", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (text, "Dear diary: today: nothing.\n", -1, NULL));
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_cmpint (cachet_test_shell (NULL,
      "openssl cms -sign -binary -outform DER -in '%s' -signer '%s.crt' -inkey '%s.key' -out '%s' && "
      "openssl cms -sign -binary -nodetach -outform PEM -in '%s' -signer '%s.crt' -inkey '%s.key' -out '%s'",
      text, alice, alice, p7s, text, alice, alice, pem), ==, 0);

  g_assert_cmpint (cachet_detect_input (message, &error), ==, CACHET_INPUT_MESSAGE);
  g_assert_cmpint (cachet_detect_input (text, &error), ==, CACHET_INPUT_UNKNOWN);
  g_assert_cmpint (cachet_detect_input (empty, &error), ==, CACHET_INPUT_UNKNOWN);
  g_assert_cmpint (cachet_detect_input (p7s, &error), ==, CACHET_INPUT_CMS_SIGNED);
  g_assert_cmpint (cachet_detect_input (pem, &error), ==, CACHET_INPUT_CMS_SIGNED);
  g_assert_cmpint (cachet_detect_input (pki->root_cert, &error), ==, CACHET_INPUT_UNKNOWN);
  g_assert_no_error (error);
  g_assert_cmpint (cachet_detect_input (missing, &error), ==, CACHET_INPUT_UNKNOWN);
  g_assert_error (error, CACHET_ERROR, CACHET_ERROR_NOT_FOUND);
}

static CachetVerdict *
verify_stream (GMimeStream *signature,
               GMimeStream *detached_content)
{
  g_autoptr(CachetOptions) options = trusting_options ();
  g_autoptr(GMimeStream) sink = g_mime_stream_mem_new ();
  g_autoptr(CachetSignedData) signed_data = NULL;
  g_autoptr(GError) error = NULL;
  CachetVerdict *verdict = cachet_verdict_new ();

  g_mime_stream_reset (signature);
  signed_data = _cachet_signed_data_read (signature, detached_content ? NULL : sink, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (_cachet_signed_data_has_content (signed_data), ==, detached_content == NULL);
  if (detached_content)
    {
      g_mime_stream_reset (detached_content);
      g_assert_true (cachet_digest_stream_absorb (CACHET_DIGEST_STREAM (_cachet_signed_data_get_content_stream (signed_data)),
                                                  detached_content, NULL, &error));
    }
  else
    {
      GByteArray *content = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (sink));
      g_assert_cmpmem (content->data, content->len, "signed bytes\n", 13);
    }
  g_assert_true (_cachet_signed_data_verify (signed_data, options, verdict, NULL, &error));
  g_assert_no_error (error);
  return verdict;
}

static void
test_round_trip (void)
{
  g_autoptr(CachetCredentials) credentials = alice_credentials ();
  g_autoptr(GError) error = NULL;

  for (int embed = 0; embed < 2; embed++)
    {
      g_autoptr(GMimeStream) content = g_mime_stream_mem_new_with_buffer ("signed bytes\n", 13);
      g_autoptr(GMimeStream) output = g_mime_stream_mem_new ();
      g_autoptr(CachetVerdict) verdict = NULL;
      g_autoptr(CachetSigner) signer = NULL;
      GByteArray *der;
      const char * const *capabilities;

      g_assert_true (_cachet_signed_data_sign_stream (credentials, GNUTLS_DIG_SHA384, content, embed,
                                                      output, NULL, &error));
      g_assert_no_error (error);
      der = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (output));
      /* detached is DER (definite length); opaque streams (indefinite length) */
      g_assert_cmpuint (der->data[0], ==, 0x30);
      if (embed)
        g_assert_cmpuint (der->data[1], ==, 0x80);
      else
        g_assert_cmpuint (der->data[1], !=, 0x80);

      verdict = verify_stream (output, embed ? NULL : content);
      g_assert_cmpint (cachet_verdict_get_status (verdict), ==, CACHET_STATUS_GOOD);
      g_assert_cmpuint (g_list_model_get_n_items (cachet_verdict_get_signers (verdict)), ==, 1);
      signer = g_list_model_get_item (cachet_verdict_get_signers (verdict), 0);
      g_assert_true (cachet_signer_get_signature_valid (signer));
      g_assert_true (cachet_signer_get_trusted (signer));
      g_assert_cmpstr (cachet_signer_get_digest (signer), ==, "sha384");
      g_assert_cmpstr (cachet_signer_get_anchor_source (signer), ==, "command-line");
      g_assert_nonnull (cachet_signer_get_signing_time (signer));
      /* the intermediate was sent along and found its way into the chain */
      g_assert_cmpuint (cachet_signer_get_chain (signer)->len, ==, 2);
      capabilities = cachet_signer_get_capabilities (signer);
      g_assert_nonnull (capabilities);
      g_assert_cmpstr (capabilities[0], ==, "aes-256-gcm");
      g_assert_cmpstr (capabilities[1], ==, "aes-128-gcm");
      g_assert_cmpstr (capabilities[2], ==, "aes-256-cbc");
      g_assert_cmpstr (capabilities[3], ==, "aes-128-cbc");
      g_assert_null (capabilities[4]);
    }
}

/* A detached signature over other content: content-altered, never valid. */
static void
test_wrong_content (void)
{
  g_autoptr(CachetCredentials) credentials = alice_credentials ();
  g_autoptr(GMimeStream) content = g_mime_stream_mem_new_with_buffer ("signed bytes\n", 13);
  g_autoptr(GMimeStream) other = g_mime_stream_mem_new_with_buffer ("signed bytes!", 13);
  g_autoptr(GMimeStream) output = g_mime_stream_mem_new ();
  g_autoptr(CachetVerdict) verdict = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (_cachet_signed_data_sign_stream (credentials, GNUTLS_DIG_SHA256, content, FALSE,
                                                  output, NULL, &error));
  verdict = verify_stream (output, other);
  g_assert_cmpint (cachet_verdict_get_status (verdict), ==, CACHET_STATUS_BAD);
  g_assert_true (cachet_verdict_has_problem (verdict, CACHET_PROBLEM_CONTENT_ALTERED));
}

/* GMime's own multipart/signed API with Cachet's context, checked by Cachet's verifier. */
static void
test_context_sign (void)
{
  g_autoptr(CachetCredentials) credentials = alice_credentials ();
  g_autoptr(CachetOptions) options = trusting_options ();
  g_autoptr(GMimeCryptoContext) context = NULL;
  g_autoptr(GMimePart) text = GMIME_PART (g_mime_text_part_new_with_subtype ("plain"));
  g_autoptr(GMimeMultipartSigned) multipart = NULL;
  g_autoptr(GMimeMessage) message = g_mime_message_new (TRUE);
  g_autoptr(CachetVerdict) verdict = cachet_verdict_new ();
  g_autoptr(GError) error = NULL;

  cachet_options_add_credentials (options, credentials);
  context = cachet_crypto_context_new_with_options (options);
  g_assert_cmpstr (g_mime_crypto_context_get_signature_protocol (context), ==, "application/pkcs7-signature");
  g_mime_text_part_set_text (GMIME_TEXT_PART (text), "Signed through GMime.\n");
  multipart = g_mime_multipart_signed_sign (context, GMIME_OBJECT (text), "alice@example.com", &error);
  g_assert_no_error (error);
  g_assert_nonnull (multipart);
  g_assert_cmpstr (g_mime_object_get_content_type_parameter (GMIME_OBJECT (multipart), "micalg"), ==, "sha-256");

  g_mime_message_add_mailbox (message, GMIME_ADDRESS_TYPE_FROM, "Alice", "alice@example.com");
  g_mime_message_set_mime_part (message, GMIME_OBJECT (multipart));
  g_assert_true (cachet_verify_object (options, GMIME_OBJECT (message), verdict, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cachet_verdict_get_status (verdict), ==, CACHET_STATUS_GOOD);
  g_assert_cmpint (cachet_verdict_get_coverage (verdict), ==, CACHET_COVERAGE_WHOLE);
}

static void
on_signed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cachet_sign_file_finish (result, &error));
  g_assert_no_error (error);
  g_main_loop_quit (user_data);
}

static void
on_verified (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  CachetVerdict **verdict = user_data;

  *verdict = cachet_verify_file_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_async (void)
{
  g_autoptr(CachetCredentials) credentials = alice_credentials ();
  g_autoptr(CachetOptions) options = trusting_options ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *input = cachet_test_write_message (pki->dir, "async.eml", "Alice <alice@example.com>",
                                                      "bob@example.com", "Async", "Hello.\n");
  g_autofree char *output = g_build_filename (pki->dir, "async-signed.eml", NULL);
  g_autoptr(CachetVerdict) verdict = NULL;

  cachet_options_add_credentials (options, credentials);
  cachet_sign_file_async (options, input, output, NULL, on_signed, loop);
  g_main_loop_run (loop);
  g_assert_true (g_file_test (output, G_FILE_TEST_EXISTS));

  cachet_verify_file_async (options, output, NULL, NULL, on_verified, &verdict);
  while (verdict == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (cachet_verdict_get_status (verdict), ==, CACHET_STATUS_GOOD);
  g_assert_cmpstr (cachet_verdict_get_from (verdict), ==, "alice@example.com");
  g_assert_nonnull (cachet_verdict_get_content (verdict));
}

int
main (int    argc,
      char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  cachet_core_init ();

  pki = cachet_test_pki_new ();
  alice = cachet_test_pki_issue (pki, "alice", "alice@example.com", "rsa2048", NULL);

  g_test_add_func ("/cachet/signed-data/digest-stream", test_digest_stream);
  g_test_add_func ("/cachet/signed-data/digest-stream-large", test_digest_stream_large);
  g_test_add_func ("/cachet/signed-data/detect-input", test_detect_input);
  g_test_add_func ("/cachet/signed-data/round-trip", test_round_trip);
  g_test_add_func ("/cachet/signed-data/wrong-content", test_wrong_content);
  g_test_add_func ("/cachet/signed-data/context-sign", test_context_sign);
  g_test_add_func ("/cachet/signed-data/async", test_async);

  result = g_test_run ();
  cachet_test_pki_free (pki);
  g_free (alice);
  return result;
}
