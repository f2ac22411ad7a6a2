/* SPDX-License-Identifier: GPL-3.0-or-later
 * test-enveloped-data.c: the CMS EnvelopedData / AuthEnvelopedData codec on its own: round
 * trips for every cipher, DER and BER, several recipients, OpenSSL as the other side at the
 * codec level, and damaged input (wrong key, flipped tag, flipped CBC byte, truncation).
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "cachet-encryption.h"
#include "cachet-enveloped-data.h"
#include "cachet-error.h"
#include "cachet-test-util.h"

static CachetTestPki *pki;
static char *alice;   /* DIR/alice (alice.crt, alice.key) */
static char *bob;
static char *eve;
static char *erin;    /* P-256: not an RSA key */

static CachetCertificate *
load_certificate (const char *base)
{
  g_autofree char *path = g_strconcat (base, ".crt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = cachet_certificate_list_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, >=, 1);
  return g_object_ref (list->pdata[0]);
}

static CachetCredentials *
load_credentials (const char *base)
{
  g_autofree char *cert = g_strconcat (base, ".crt", NULL);
  g_autofree char *key = g_strconcat (base, ".key", NULL);
  g_autoptr(GError) error = NULL;
  CachetCredentials *credentials = cachet_credentials_new_from_files (cert, key, &error);

  g_assert_no_error (error);
  return credentials;
}

static GBytes *
encrypt_bytes (GBytes       *plain,
               gboolean      known_length,
               CachetCipher  cipher,
               const char   *first,
               ...)
{
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GMimeStream) in = g_mime_stream_mem_new_with_buffer (g_bytes_get_data (plain, NULL),
                                                                  g_bytes_get_size (plain));
  g_autoptr(GMimeStream) out = g_mime_stream_mem_new ();
  g_autoptr(GError) error = NULL;
  GByteArray *array;
  va_list args;

  va_start (args, first);
  for (const char *base = first; base; base = va_arg (args, const char *))
    g_ptr_array_add (recipients, load_certificate (base));
  va_end (args);

  g_assert_true (cachet_enveloped_data_encrypt (in, known_length ? (gint64) g_bytes_get_size (plain) : -1,
                                                recipients, cipher, out, NULL, &error));
  g_assert_no_error (error);

  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (out));
  return g_bytes_new (array->data, array->len);
}

/* Decrypts CMS with the credentials of BASE; returns the plaintext or NULL with ERROR. */
static GBytes *
decrypt_bytes (GBytes       *cms,
               const char   *base,
               char        **cipher,
               GError      **error)
{
  g_autoptr(GPtrArray) credentials = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GMimeStream) in = g_mime_stream_mem_new_with_buffer (g_bytes_get_data (cms, NULL),
                                                                  g_bytes_get_size (cms));
  g_autoptr(GMimeStream) out = g_mime_stream_mem_new ();
  g_autoptr(CachetEnvelopedInfo) info = NULL;
  GByteArray *array;

  g_ptr_array_add (credentials, load_credentials (base));
  info = cachet_enveloped_data_decrypt (in, credentials, NULL, out, NULL, error);
  if (info == NULL)
    return NULL;
  if (cipher)
    *cipher = g_strdup (info->cipher);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (out));
  return g_bytes_new (array->data, array->len);
}

static GBytes *
pattern (gsize size)
{
  guint8 *data = g_malloc (size + 1);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 7 + (i >> 8));
  return g_bytes_new_take (data, size);
}

static void
assert_same (GBytes *a,
             GBytes *b)
{
  g_assert_cmpmem (g_bytes_get_data (a, NULL), g_bytes_get_size (a),
                   g_bytes_get_data (b, NULL), g_bytes_get_size (b));
}

static const struct {
  CachetCipher cipher;
  const char  *name;
} all_ciphers[] = {
  { CACHET_CIPHER_AES_128_CBC, "aes-128-cbc" },
  { CACHET_CIPHER_AES_256_CBC, "aes-256-cbc" },
  { CACHET_CIPHER_AES_128_GCM, "aes-128-gcm" },
  { CACHET_CIPHER_AES_256_GCM, "aes-256-gcm" },
};

static void
test_round_trip (void)
{
  /* sizes around the block and the 64 KiB chunk boundaries */
  const gsize sizes[] = { 0, 1, 15, 16, 17, 65535, 65536, 65537, 200000 };

  for (guint c = 0; c < G_N_ELEMENTS (all_ciphers); c++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      for (int known = 0; known < 2; known++)
        {
          g_autoptr(GBytes) plain = pattern (sizes[s]);
          g_autoptr(GBytes) cms = encrypt_bytes (plain, known, all_ciphers[c].cipher, bob, NULL);
          g_autoptr(GError) error = NULL;
          g_autofree char *cipher = NULL;
          g_autoptr(GBytes) back = decrypt_bytes (cms, bob, &cipher, &error);

          g_assert_no_error (error);
          assert_same (plain, back);
          g_assert_cmpstr (cipher, ==, all_ciphers[c].name);
          /* DER when the length is known: the outer SEQUENCE has a definite length */
          if (known)
            g_assert_cmpuint (((const guint8 *) g_bytes_get_data (cms, NULL))[1], !=, 0x80);
          else
            g_assert_cmpuint (((const guint8 *) g_bytes_get_data (cms, NULL))[1], ==, 0x80);
          g_assert_true (cachet_enveloped_data_sniff (g_bytes_get_data (cms, NULL), g_bytes_get_size (cms)));
        }
}

static void
test_several_recipients (void)
{
  g_autoptr(GBytes) plain = pattern (1000);
  g_autoptr(GBytes) cms = encrypt_bytes (plain, TRUE, CACHET_CIPHER_AES_256_GCM, alice, bob, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) as_alice = decrypt_bytes (cms, alice, NULL, &error);
  g_autoptr(GBytes) as_bob = NULL;

  g_assert_no_error (error);
  assert_same (plain, as_alice);
  as_bob = decrypt_bytes (cms, bob, NULL, &error);
  g_assert_no_error (error);
  assert_same (plain, as_bob);
}

static void
test_not_for_us (void)
{
  g_autoptr(GBytes) plain = pattern (100);
  g_autoptr(GBytes) cms = encrypt_bytes (plain, TRUE, CACHET_CIPHER_AES_256_CBC, bob, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) back = decrypt_bytes (cms, eve, NULL, &error);

  g_assert_null (back);
  g_assert_error (error, CACHET_ERROR, CACHET_ERROR_NO_KEY);
  /* names whom it is for: the issuer and serial (Bob's certificate is not known here) */
  g_assert_nonnull (strstr (error->message, "Cachet Test Intermediate CA"));
  g_assert_nonnull (strstr (error->message, "serial"));
  g_test_message ("%s", error->message);
}

static void
test_non_rsa_recipient (void)
{
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GMimeStream) in = g_mime_stream_mem_new_with_buffer ("x", 1);
  g_autoptr(GMimeStream) out = g_mime_stream_mem_new ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (recipients, load_certificate (erin));
  g_assert_false (cachet_enveloped_data_encrypt (in, 1, recipients, CACHET_CIPHER_AES_256_GCM, out, NULL, &error));
  g_assert_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "RSA"));
}

static GBytes *
flip (GBytes *cms,
      gssize  offset_from_end)
{
  gsize size = g_bytes_get_size (cms);
  guint8 *data = g_memdup2 (g_bytes_get_data (cms, NULL), size);

  data[size - offset_from_end] ^= 0x01;
  return g_bytes_new_take (data, size);
}

static void
test_tampering (void)
{
  g_autoptr(GBytes) plain = pattern (5000);
  g_autoptr(GBytes) gcm = encrypt_bytes (plain, TRUE, CACHET_CIPHER_AES_256_GCM, bob, NULL);
  g_autoptr(GBytes) cbc = encrypt_bytes (plain, TRUE, CACHET_CIPHER_AES_128_CBC, bob, NULL);

  /* the GCM tag is the last 16 bytes; a ciphertext byte lies just before the mac */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GBytes) bad = flip (gcm, i == 0 ? 1 : 40);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) back = decrypt_bytes (bad, bob, NULL, &error);

      g_assert_null (back);
      g_assert_error (error, CACHET_ERROR, CACHET_ERROR_DECRYPT_FAILED);
    }

  /* a flipped byte in the last CBC block breaks the padding */
  {
    g_autoptr(GBytes) bad = flip (cbc, 1);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) back = decrypt_bytes (bad, bob, NULL, &error);
    g_autofree char *first_message = NULL;

    g_assert_null (back);
    g_assert_error (error, CACHET_ERROR, CACHET_ERROR_DECRYPT_FAILED);
    first_message = g_strdup (error->message);

    /* a damaged wrapped key answers with the very same sentence (no padding oracle) */
    g_clear_error (&error);
    {
      gsize size;
      const guint8 *data = g_bytes_get_data (cbc, &size);
      g_autoptr(GBytes) bad_key = NULL;
      guint8 *copy = g_memdup2 (data, size);
      /* the encrypted key is the 256-byte OCTET STRING inside the recipient info */
      for (gsize i = 0; i + 4 < size; i++)
        if (copy[i] == 0x04 && copy[i + 1] == 0x82 && copy[i + 2] == 0x01 && copy[i + 3] == 0x00)
          {
            copy[i + 4 + 100] ^= 0x55;
            break;
          }
      bad_key = g_bytes_new_take (copy, size);
      g_clear_pointer (&back, g_bytes_unref);
      back = decrypt_bytes (bad_key, bob, NULL, &error);
      g_assert_null (back);
      g_assert_error (error, CACHET_ERROR, CACHET_ERROR_DECRYPT_FAILED);
      g_assert_cmpstr (error->message, ==, first_message);
    }
  }

  /* truncated anywhere */
  {
    const gsize cuts[] = { 1, 17, 100, 2000 };

    for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
      {
        g_autoptr(GBytes) cut = g_bytes_new_from_bytes (gcm, 0, g_bytes_get_size (gcm) - cuts[i]);
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) back = decrypt_bytes (cut, bob, NULL, &error);

        g_assert_null (back);
        g_assert_nonnull (error);
        g_assert_true (g_error_matches (error, CACHET_ERROR, CACHET_ERROR_MALFORMED) ||
                       g_error_matches (error, CACHET_ERROR, CACHET_ERROR_DECRYPT_FAILED));
      }
  }

  /* garbage */
  {
    g_autoptr(GBytes) garbage = g_bytes_new_static ("\x30\x82\x10\x00garbage garbage", 19);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) back = decrypt_bytes (garbage, bob, NULL, &error);

    g_assert_null (back);
    g_assert_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED);
  }
}

/* OpenSSL on the other side, at the codec level (DER files, no MIME). */
static void
test_openssl_codec (void)
{
  g_autofree char *dir = cachet_test_tmpdir ();
  g_autofree char *plain_path = g_build_filename (dir, "plain.bin", NULL);
  g_autoptr(GBytes) plain = pattern (70000);
  const char *openssl_ciphers[] = { "-aes128", "-aes256", "-aes-128-gcm", "-aes-256-gcm" };

  g_assert_true (g_file_set_contents (plain_path, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), NULL));

  for (guint c = 0; c < G_N_ELEMENTS (openssl_ciphers); c++)
    for (int stream = 0; stream < 2; stream++)
      {
        g_autofree char *cms_path = g_build_filename (dir, "openssl.p7m", NULL);
        g_autofree char *contents = NULL;
        g_autoptr(GBytes) cms = NULL;
        g_autoptr(GBytes) back = NULL;
        g_autoptr(GError) error = NULL;
        gsize size;

        g_assert_cmpint (cachet_test_shell (NULL,
            "openssl cms -encrypt -binary %s %s -outform DER -in '%s' -out '%s' '%s.crt'",
            openssl_ciphers[c], stream ? "-stream" : "", plain_path, cms_path, bob), ==, 0);
        g_assert_true (g_file_get_contents (cms_path, &contents, &size, NULL));
        cms = g_bytes_new_take (g_steal_pointer (&contents), size);
        back = decrypt_bytes (cms, bob, NULL, &error);
        g_assert_no_error (error);
        assert_same (plain, back);
      }

  for (guint c = 0; c < G_N_ELEMENTS (all_ciphers); c++)
    for (int known = 0; known < 2; known++)
      {
        g_autoptr(GBytes) cms = encrypt_bytes (plain, known, all_ciphers[c].cipher, alice, bob, NULL);
        g_autofree char *cms_path = g_build_filename (dir, "cachet.p7m", NULL);
        g_autofree char *out_path = g_build_filename (dir, "out.bin", NULL);
        g_autofree char *contents = NULL;
        gsize size;

        g_assert_true (g_file_set_contents (cms_path, g_bytes_get_data (cms, NULL), g_bytes_get_size (cms), NULL));
        g_assert_cmpint (cachet_test_shell (NULL,
            "openssl cms -decrypt -binary -inform DER -in '%s' -recip '%s.crt' -inkey '%s.key' -out '%s'",
            cms_path, bob, bob, out_path), ==, 0);
        g_assert_true (g_file_get_contents (out_path, &contents, &size, NULL));
        g_assert_cmpmem (contents, size, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain));
        g_unlink (out_path);
      }
}

typedef struct {
  GMainLoop     *loop;
  gboolean       encrypted;
  CachetVerdict *verdict;
  GError        *error;
} AsyncResult;

static void
encrypted_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->encrypted = cachet_encrypt_file_finish (result, &r->error);
  g_main_loop_quit (r->loop);
}

static void
decrypted_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->verdict = cachet_decrypt_file_finish (result, &r->error);
  g_main_loop_quit (r->loop);
}

/* The file-level API in a GTask thread, as the window uses it. */
static void
test_async_files (void)
{
  g_autofree char *dir = cachet_test_tmpdir ();
  g_autofree char *plain_path = g_build_filename (dir, "report.pdf", NULL);
  g_autofree char *cms_path = g_build_filename (dir, "report.pdf.p7m", NULL);
  g_autofree char *back_path = g_build_filename (dir, "report-back.pdf", NULL);
  g_autoptr(GBytes) plain = pattern (100000);
  g_autoptr(CachetOptions) encrypt_options = cachet_options_new ();
  g_autoptr(CachetOptions) decrypt_options = cachet_options_new ();
  g_autoptr(CachetCertificate) recipient = load_certificate (bob);
  g_autoptr(CachetCredentials) credentials = load_credentials (bob);
  g_autoptr(GPtrArray) anchors = cachet_certificate_list_from_file (pki->root_cert, NULL);
  g_autoptr(GPtrArray) intermediates = cachet_certificate_list_from_file (pki->inter_cert, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *contents = NULL;
  AsyncResult r = { loop };
  gsize size;

  g_assert_true (g_file_set_contents (plain_path, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), NULL));

  cachet_options_set_system_trust (encrypt_options, FALSE);
  cachet_options_add_anchor (encrypt_options, anchors->pdata[0]);
  cachet_options_add_certificate (encrypt_options, intermediates->pdata[0]);
  cachet_options_add_recipient (encrypt_options, recipient);
  cachet_options_set_cipher (encrypt_options, CACHET_CIPHER_AES_128_GCM);

  cachet_encrypt_file_async (encrypt_options, plain_path, cms_path, NULL, encrypted_cb, &r);
  g_main_loop_run (loop);
  g_assert_no_error (r.error);
  g_assert_true (r.encrypted);

  cachet_options_add_credentials (decrypt_options, credentials);
  cachet_decrypt_file_async (decrypt_options, cms_path, back_path, NULL, decrypted_cb, &r);
  g_main_loop_run (loop);
  g_assert_no_error (r.error);
  g_assert_nonnull (r.verdict);
  g_assert_true (cachet_verdict_get_encrypted (r.verdict));
  g_assert_cmpstr (cachet_verdict_get_cipher (r.verdict), ==, "aes-128-gcm");
  g_assert_cmpint (cachet_verdict_get_status (r.verdict), ==, CACHET_STATUS_UNSIGNED);
  g_assert_true (g_file_get_contents (back_path, &contents, &size, NULL));
  g_assert_cmpmem (contents, size, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain));
  g_clear_object (&r.verdict);

  /* an untrusted recipient is refused and nothing is written */
  {
    g_autoptr(CachetOptions) untrusted = cachet_options_new ();
    g_autofree char *refused = g_build_filename (dir, "refused.p7m", NULL);

    cachet_options_set_system_trust (untrusted, FALSE);
    cachet_options_add_recipient (untrusted, recipient);
    cachet_encrypt_file_async (untrusted, plain_path, refused, NULL, encrypted_cb, &r);
    g_main_loop_run (loop);
    g_assert_error (r.error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE);
    g_assert_false (r.encrypted);
    g_assert_false (g_file_test (refused, G_FILE_TEST_EXISTS));
    g_clear_error (&r.error);
  }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  cachet_core_init ();

  pki = cachet_test_pki_new ();
  alice = cachet_test_pki_issue (pki, "alice", "alice@example.com", "rsa2048", NULL);
  bob = cachet_test_pki_issue (pki, "bob", "bob@example.com", "rsa2048", NULL);
  eve = cachet_test_pki_issue (pki, "eve", "eve@example.com", "rsa2048", NULL);
  erin = cachet_test_pki_issue (pki, "erin", "erin@example.com", "p256", NULL);

  g_test_add_func ("/cachet/enveloped-data/round-trip", test_round_trip);
  g_test_add_func ("/cachet/enveloped-data/several-recipients", test_several_recipients);
  g_test_add_func ("/cachet/enveloped-data/not-for-us", test_not_for_us);
  g_test_add_func ("/cachet/enveloped-data/non-rsa-recipient", test_non_rsa_recipient);
  g_test_add_func ("/cachet/enveloped-data/tampering", test_tampering);
  g_test_add_func ("/cachet/enveloped-data/openssl", test_openssl_codec);
  g_test_add_func ("/cachet/encryption/async-files", test_async_files);

  status = g_test_run ();

  cachet_test_pki_free (pki);
  g_free (alice);
  g_free (bob);
  g_free (eve);
  g_free (erin);
  return status;
}
