/* SPDX-License-Identifier: GPL-3.0-or-later
 * test-interop-signing.c: signatures proven against implementations Cachet did not write.
 * OpenSSL signs (detached and opaque, RSA and ECDSA, SHA-256/384/512, intermediates, -nocerts)
 * and Cachet verifies; Cachet signs (messages and files) and openssl cms, gpgsm and GnuTLS's own
 * PKCS #7 reader verify.
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <gnutls/pkcs7.h>
#include <json-glib/json-glib.h>

#include "cachet-test-util.h"

static CachetTestPki *pki;
static char *dir;
static char *alice;     /* RSA-2048 */
static char *erin;      /* ECDSA P-256 */

static void
verify_good (const char *first,
             ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  CachetTestRun run = { 0 };
  JsonObject *object;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) "cachet-cli");
  g_ptr_array_add (argv, (gpointer) "verify");
  g_ptr_array_add (argv, (gpointer) "--json");
  g_ptr_array_add (argv, (gpointer) "--no-system-trust");
  g_ptr_array_add (argv, (gpointer) "--trust");
  g_ptr_array_add (argv, pki->root_cert);
  va_start (args, first);
  for (arg = first; arg; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  cachet_test_run (&run, NULL, (const char * const *) argv->pdata);
  cachet_test_assert_exit (&run, 0);
  g_assert_true (json_parser_load_from_data (parser, run.out, -1, NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "good");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "signers")), ==, 1);
  cachet_test_run_clear (&run);
}

static char *
write_entity (const char *name)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path,
      "Content-Type: text/plain; charset=us-ascii\n"
      "\n"
      "Hello Bob,\n"
      "this was signed by OpenSSL.\n", -1, NULL));
  return path;
}

/* openssl cms -sign → cachet-cli verify, across modes, key types and digests */
static void
test_openssl_to_cachet (void)
{
  g_autofree char *entity = write_entity ("entity.txt");
  const char *signers[] = { alice, erin };
  const char *addresses[] = { "alice@example.com", "erin@example.com" };
  const char *digests[] = { "sha256", "sha384", "sha512" };

  for (guint s = 0; s < G_N_ELEMENTS (signers); s++)
    for (guint d = 0; d < G_N_ELEMENTS (digests); d++)
      for (guint opaque = 0; opaque < 2; opaque++)
        {
          g_autofree char *out = g_strdup_printf ("%s/openssl-%u-%s-%u.eml", dir, s, digests[d], opaque);

          g_assert_cmpint (cachet_test_shell (NULL,
              "openssl cms -sign %s -in '%s' -signer '%s.crt' -inkey '%s.key' -certfile '%s' -md %s "
              "-from '%s' -to bob@example.com -subject 'Interop' -out '%s'",
              opaque ? "-nodetach" : "", entity, signers[s], signers[s], pki->inter_cert,
              digests[d], addresses[s], out), ==, 0);
          g_test_message ("%s", out);
          verify_good (out, NULL);
        }
}

/* RSA-PSS, with the salt as long as the digest and as long as possible (OpenSSL's default) */
static void
test_openssl_pss (void)
{
  g_autofree char *entity = write_entity ("entity-pss.txt");
  const char *salts[] = { "digest", "max" };

  for (guint i = 0; i < G_N_ELEMENTS (salts); i++)
    {
      g_autofree char *out = g_strdup_printf ("%s/pss-%s.eml", dir, salts[i]);

      g_assert_cmpint (cachet_test_shell (NULL,
          "openssl cms -sign -in '%s' -signer '%s.crt' -inkey '%s.key' -certfile '%s' "
          "-keyopt rsa_padding_mode:pss -keyopt rsa_pss_saltlen:%s "
          "-from alice@example.com -to bob@example.com -subject PSS -out '%s'",
          entity, alice, alice, pki->inter_cert, salts[i], out), ==, 0);
      verify_good (out, NULL);
    }
}

/* -nocerts: the signer is unknown until --certs gives the certificates; a good verdict then
 * keeps the signer as a contact, so the next message is verified without --certs. */
static void
test_openssl_nocerts (void)
{
  g_autofree char *entity = write_entity ("entity-nocerts.txt");
  g_autofree char *out = g_build_filename (dir, "nocerts.eml", NULL);
  g_autofree char *leaf = g_strconcat (alice, ".crt", NULL);
  g_autofree char *store = cachet_test_tmpdir ();
  g_autofree char *store_env = g_strconcat ("XDG_DATA_HOME=", store, NULL);
  const char *envp[] = { store_env, NULL };
  const char *bare[] = { "cachet-cli", "verify", "--json", "--no-system-trust", "--trust", pki->root_cert, out, NULL };
  const char *with_certs[] = { "cachet-cli", "verify", "--json", "--no-system-trust", "--trust", pki->root_cert,
                               "--certs", leaf, "--certs", pki->inter_cert, out, NULL };
  CachetTestRun run = { 0 };

  g_assert_cmpint (cachet_test_shell (NULL,
      "openssl cms -sign -nocerts -in '%s' -signer '%s.crt' -inkey '%s.key' "
      "-from alice@example.com -to bob@example.com -subject 'No certs' -out '%s'",
      entity, alice, alice, out), ==, 0);

  cachet_test_run (&run, envp, bare);
  cachet_test_assert_exit (&run, 3);
  g_assert_nonnull (strstr (run.out, "\"unknown-signer\""));
  cachet_test_run_clear (&run);

  cachet_test_run (&run, envp, with_certs);
  cachet_test_assert_exit (&run, 0);
  cachet_test_run_clear (&run);

  /* collected from the good verdict: now a contact */
  cachet_test_run (&run, envp, bare);
  cachet_test_assert_exit (&run, 0);
  cachet_test_run_clear (&run);
}

/* DER files: an opaque .p7m and a detached .p7s of a binary file */
static void
test_openssl_files (void)
{
  g_autofree char *data = g_build_filename (dir, "data.bin", NULL);
  g_autofree char *p7s = g_build_filename (dir, "data.bin.p7s", NULL);
  g_autofree char *p7m = g_build_filename (dir, "data.bin.p7m", NULL);
  g_autofree char *pem = g_build_filename (dir, "data.bin.pem", NULL);
  guint8 bytes[5000];

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = i * 31 + (i >> 5);
  g_assert_true (g_file_set_contents (data, (char *) bytes, sizeof bytes, NULL));

  g_assert_cmpint (cachet_test_shell (NULL,
      "openssl cms -sign -binary -outform DER -in '%s' -signer '%s.crt' -inkey '%s.key' "
      "-certfile '%s' -out '%s' && "
      "openssl cms -sign -binary -nodetach -stream -outform DER -in '%s' -signer '%s.crt' -inkey '%s.key' "
      "-certfile '%s' -out '%s' && "
      "openssl cms -sign -binary -nodetach -outform PEM -in '%s' -signer '%s.crt' -inkey '%s.key' "
      "-certfile '%s' -out '%s'",
      data, erin, erin, pki->inter_cert, p7s,
      data, alice, alice, pki->inter_cert, p7m,
      data, alice, alice, pki->inter_cert, pem), ==, 0);

  /* the signer named by subjectKeyIdentifier instead of issuer and serial */
  g_assert_cmpint (cachet_test_shell (NULL,
      "openssl cms -sign -binary -keyid -nodetach -outform DER -in '%s' -signer '%s.crt' -inkey '%s.key' "
      "-certfile '%s' -out '%s.keyid'",
      data, alice, alice, pki->inter_cert, p7m), ==, 0);
  {
    g_autofree char *keyid = g_strconcat (p7m, ".keyid", NULL);
    verify_good (keyid, NULL);
  }

  verify_good (p7s, "--content", data, NULL);
  verify_good (p7m, NULL);
  verify_good (pem, NULL);
}

static char *
cachet_sign (const char *input,
             const char *signer,
             const char *output_name,
             const char *extra)
{
  g_autofree char *chain = g_strconcat (signer, "-chain.pem", NULL);
  g_autofree char *key = g_strconcat (signer, ".key", NULL);
  char *output = g_build_filename (dir, output_name, NULL);
  CachetTestRun run = { 0 };
  const char *argv[] = { "cachet-cli", "sign", "--cert", chain, "--key", key, "-o", output,
                         input, extra, NULL };

  cachet_test_run (&run, NULL, argv);
  cachet_test_assert_exit (&run, 0);
  cachet_test_run_clear (&run);
  return output;
}

static char *
write_message (const char *name,
               const char *from)
{
  return cachet_test_write_message (dir, name, from, "Bob <bob@example.com>", "To the peers",
                                    "Grüße,\nthis message was signed by Cachet.\n");
}

/* Splits a signed message with GMime: the CRLF content part and the decoded signature. */
static void
split_signed (const char *path,
              const char *content_out,
              const char *signature_out)
{
  g_autoptr(GMimeStream) stream = g_mime_stream_fs_open (path, O_RDONLY, 0, NULL);
  g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream (stream);
  g_autoptr(GMimeMessage) message = g_mime_parser_construct_message (parser, NULL);
  GMimeObject *body = g_mime_message_get_mime_part (message);
  g_autoptr(GMimeFormatOptions) format = g_mime_format_options_new ();
  g_autoptr(GMimeStream) out = NULL;
  GMimePart *signature;

  if (GMIME_IS_MULTIPART (body))
    {
      g_mime_format_options_set_newline_format (format, GMIME_NEWLINE_FORMAT_DOS);
      out = g_mime_stream_fs_open (content_out, O_WRONLY | O_CREAT | O_TRUNC, 0600, NULL);
      g_assert_cmpint (g_mime_object_write_to_stream (g_mime_multipart_get_part (GMIME_MULTIPART (body), 0),
                                                      format, out), >, 0);
      g_mime_stream_flush (out);
      g_clear_object (&out);
      signature = GMIME_PART (g_mime_multipart_get_part (GMIME_MULTIPART (body), 1));
    }
  else
    signature = GMIME_PART (body);

  out = g_mime_stream_fs_open (signature_out, O_WRONLY | O_CREAT | O_TRUNC, 0600, NULL);
  g_assert_cmpint (g_mime_data_wrapper_write_to_stream (g_mime_part_get_content (signature), out), >, 0);
  g_mime_stream_flush (out);
}

/* Cachet signs → openssl cms -verify accepts, with the S/MIME purpose */
static void
test_cachet_to_openssl (void)
{
  g_autofree char *input = write_message ("to-openssl.eml", "Alice <alice@example.com>");
  g_autofree char *ecdsa_input = write_message ("to-openssl-ec.eml", "Erin <erin@example.com>");
  g_autofree char *file = g_build_filename (dir, "to-openssl.bin", NULL);
  const char *outputs[4];
  g_autofree char *a = cachet_sign (input, alice, "to-openssl-detached.eml", NULL);
  g_autofree char *b = cachet_sign (input, alice, "to-openssl-opaque.eml", "--opaque");
  g_autofree char *c = cachet_sign (ecdsa_input, erin, "to-openssl-ec.eml.out", NULL);
  g_autofree char *d = cachet_sign (ecdsa_input, erin, "to-openssl-ec-opaque.eml.out", "--opaque");
  g_autofree char *p7s = NULL;
  g_autofree char *extracted = g_build_filename (dir, "openssl-extracted.txt", NULL);
  g_autofree char *original = NULL;

  outputs[0] = a; outputs[1] = b; outputs[2] = c; outputs[3] = d;
  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      g_test_message ("openssl cms -verify %s", outputs[i]);
      g_assert_cmpint (cachet_test_shell (NULL,
          "openssl cms -verify -in '%s' -CAfile '%s' -purpose smimesign -out '%s'",
          outputs[i], pki->root_cert, extracted), ==, 0);
    }
  /* what OpenSSL extracts from the opaque signature is the signed MIME entity */
  g_assert_true (g_file_get_contents (extracted, &original, NULL, NULL));
  g_assert_nonnull (strstr (original, "Content-Type: text/plain"));

  g_assert_true (g_file_set_contents (file, "plain file\x01\x02\xff\n", 14, NULL));
  p7s = cachet_sign (file, alice, "to-openssl.bin.p7s", NULL);
  g_assert_cmpint (cachet_test_shell (NULL,
      "openssl cms -verify -binary -inform DER -in '%s' -content '%s' -CAfile '%s' -purpose smimesign -out /dev/null",
      p7s, file, pki->root_cert), ==, 0);
}

/* Cachet signs → gpgsm --verify accepts (detached message, opaque message, file) */
static void
test_cachet_to_gpgsm (void)
{
  g_autofree char *home = NULL;
  g_autofree char *input = write_message ("to-gpgsm.eml", "Alice <alice@example.com>");
  g_autofree char *detached = cachet_sign (input, alice, "to-gpgsm-detached.eml", NULL);
  g_autofree char *opaque = cachet_sign (input, alice, "to-gpgsm-opaque.eml", "--opaque");
  g_autofree char *file = g_build_filename (dir, "to-gpgsm.bin", NULL);
  g_autofree char *p7s = NULL;
  g_autofree char *content = g_build_filename (dir, "gpgsm-content.txt", NULL);
  g_autofree char *signature = g_build_filename (dir, "gpgsm-signature.p7s", NULL);
  g_autofree char *opaque_der = g_build_filename (dir, "gpgsm-opaque.p7m", NULL);
  g_autofree char *env = NULL;
  int rc;

  if (!cachet_test_have_program ("gpgsm"))
    {
      g_test_skip ("gpgsm is not installed");
      return;
    }

  g_assert_true (g_file_set_contents (file, "file for gpgsm\n", -1, NULL));
  p7s = cachet_sign (file, alice, "to-gpgsm.bin.p7s", NULL);
  split_signed (detached, content, signature);
  split_signed (opaque, NULL, opaque_der);

  home = cachet_test_tmpdir ();
  env = g_strdup_printf ("export GNUPGHOME='%s'; chmod 700 \"$GNUPGHOME\"; ", home);
  g_assert_cmpint (cachet_test_shell (NULL,
      "%s echo disable-crl-checks > \"$GNUPGHOME/gpgsm.conf\" && "
      "echo allow-loopback-pinentry > \"$GNUPGHOME/gpg-agent.conf\" && "
      "gpgsm --batch --import '%s' && "
      "echo \"$(gpgsm --with-colons --list-keys 'Cachet Test Root CA' | awk -F: '/^fpr/{print $10; exit}') S relax\" "
      "  > \"$GNUPGHOME/trustlist.txt\"",
      env, pki->root_cert), ==, 0);

  rc = cachet_test_shell (NULL,
      "%s gpgsm --batch --verify '%s' '%s' && gpgsm --batch --verify '%s' '%s' && "
      "gpgsm --batch --verify --output /dev/null '%s'",
      env, signature, content, p7s, file, opaque_der);
  cachet_test_shell (NULL, "%s gpgconf --kill gpg-agent", env);
  g_assert_cmpint (rc, ==, 0);
}

static GBytes *
read_bytes (const char *path)
{
  char *data = NULL;
  gsize size = 0;

  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  return g_bytes_new_take (data, size);
}

/* GnuTLS's own PKCS #7 reader checks the maths of what Cachet wrote */
static void
test_gnutls_reader (void)
{
  g_autofree char *file = g_build_filename (dir, "to-gnutls.bin", NULL);
  g_autofree char *p7s = NULL;
  g_autofree char *input = write_message ("to-gnutls.eml", "Erin <erin@example.com>");
  g_autofree char *opaque = cachet_sign (input, erin, "to-gnutls-opaque.eml", "--opaque");
  g_autofree char *opaque_der = g_build_filename (dir, "gnutls-opaque.p7m", NULL);
  g_autofree char *alice_crt = g_strconcat (alice, ".crt", NULL);
  g_autofree char *erin_crt = g_strconcat (erin, ".crt", NULL);
  struct { const char *p7; const char *signer; const char *content; } cases[2];

  g_assert_true (g_file_set_contents (file, "file for GnuTLS\n", -1, NULL));
  p7s = cachet_sign (file, alice, "to-gnutls.bin.p7s", NULL);
  split_signed (opaque, NULL, opaque_der);

  cases[0].p7 = p7s; cases[0].signer = alice_crt; cases[0].content = file;
  cases[1].p7 = opaque_der; cases[1].signer = erin_crt; cases[1].content = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) der = read_bytes (cases[i].p7);
      g_autoptr(GBytes) signer_pem = read_bytes (cases[i].signer);
      g_autoptr(GBytes) content = cases[i].content ? read_bytes (cases[i].content) : NULL;
      gnutls_datum_t datum = { (guint8 *) g_bytes_get_data (der, NULL), g_bytes_get_size (der) };
      gnutls_datum_t cert_datum = { (guint8 *) g_bytes_get_data (signer_pem, NULL), g_bytes_get_size (signer_pem) };
      gnutls_datum_t data = { NULL, 0 };
      gnutls_pkcs7_t pkcs7;
      gnutls_x509_crt_t signer;

      if (content)
        {
          data.data = (guint8 *) g_bytes_get_data (content, NULL);
          data.size = g_bytes_get_size (content);
        }
      g_assert_cmpint (gnutls_pkcs7_init (&pkcs7), ==, 0);
      g_assert_cmpint (gnutls_x509_crt_init (&signer), ==, 0);
      g_assert_cmpint (gnutls_x509_crt_import (signer, &cert_datum, GNUTLS_X509_FMT_PEM), ==, 0);
      g_assert_cmpint (gnutls_pkcs7_import (pkcs7, &datum, GNUTLS_X509_FMT_DER), ==, 0);
      g_assert_cmpint (gnutls_pkcs7_get_signature_count (pkcs7), ==, 1);
      g_assert_cmpint (gnutls_pkcs7_verify_direct (pkcs7, signer, 0, content ? &data : NULL, 0), ==, 0);
      gnutls_x509_crt_deinit (signer);
      gnutls_pkcs7_deinit (pkcs7);
    }
}

/* GMime callers get Cachet's context for the pkcs7 protocols */
static void
test_gmime_context (void)
{
  g_autofree char *input = write_message ("gmime.eml", "Alice <alice@example.com>");
  g_autofree char *signed_path = cachet_sign (input, alice, "gmime-signed.eml", NULL);
  g_autoptr(GMimeStream) stream = g_mime_stream_fs_open (signed_path, O_RDONLY, 0, NULL);
  g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream (stream);
  g_autoptr(GMimeMessage) message = g_mime_parser_construct_message (parser, NULL);
  GMimeObject *body = g_mime_message_get_mime_part (message);
  g_autoptr(GMimeSignatureList) list = NULL;
  g_autoptr(GError) error = NULL;
  GMimeSignature *signature;

  g_assert_true (GMIME_IS_MULTIPART_SIGNED (body));
  list = g_mime_multipart_signed_verify (GMIME_MULTIPART_SIGNED (body), GMIME_VERIFY_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mime_signature_list_length (list), ==, 1);
  signature = g_mime_signature_list_get_signature (list, 0);
  /* the default options have no anchor for the test root: valid maths, not green */
  g_assert_true (g_mime_signature_get_status (signature) & GMIME_SIGNATURE_STATUS_VALID);
  g_assert_false (g_mime_signature_get_status (signature) & GMIME_SIGNATURE_STATUS_RED);
  g_assert_cmpstr (g_mime_certificate_get_email (g_mime_signature_get_certificate (signature)), ==,
                   "alice@example.com");
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *home = NULL;
  int result;

  g_test_init (&argc, &argv, NULL);
  cachet_core_init ();

  home = cachet_test_tmpdir ();
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);

  pki = cachet_test_pki_new ();
  dir = g_strdup (pki->dir);
  alice = cachet_test_pki_issue (pki, "alice", "alice@example.com", "rsa2048", NULL);
  erin = cachet_test_pki_issue (pki, "erin", "erin@example.com", "p256", NULL);

  g_test_add_func ("/cachet/signing-interop/openssl-to-cachet", test_openssl_to_cachet);
  g_test_add_func ("/cachet/signing-interop/openssl-pss", test_openssl_pss);
  g_test_add_func ("/cachet/signing-interop/openssl-nocerts", test_openssl_nocerts);
  g_test_add_func ("/cachet/signing-interop/openssl-files", test_openssl_files);
  g_test_add_func ("/cachet/signing-interop/cachet-to-openssl", test_cachet_to_openssl);
  g_test_add_func ("/cachet/signing-interop/cachet-to-gpgsm", test_cachet_to_gpgsm);
  g_test_add_func ("/cachet/signing-interop/gnutls-reader", test_gnutls_reader);
  g_test_add_func ("/cachet/signing-interop/gmime-context", test_gmime_context);

  result = g_test_run ();
  cachet_test_pki_free (pki);
  g_free (dir);
  g_free (alice);
  g_free (erin);
  return result;
}
