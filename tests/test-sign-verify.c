/* SPDX-License-Identifier: GPL-3.0-or-later
 * test-sign-verify.c: cachet-cli sign and verify end to end: the verdicts people rely on
 * (good, altered, untrusted, expired, From tricks, partial coverage, unsigned, weak), and a
 * 50 MB message signed and verified in flat memory.
 */
#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cachet-test-util.h"

static CachetTestPki *pki;
static char *dir;
static char *alice;      /* PKI base name: alice.crt, alice.key, alice-chain.pem */

/* Runs `cachet-cli verify --json --no-system-trust --trust ROOT ARGS...` and checks the exit
 * code, that stdout is the verdict, and that each expected problem code is in it. */
static JsonObject *
verify_expect (int          expected_exit,
               const char  *expected_problems,
               const char  *first_argument,
               ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) problems = NULL;
  CachetTestRun run = { 0 };
  JsonObject *object;
  JsonArray *found;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) "cachet-cli");
  g_ptr_array_add (argv, (gpointer) "verify");
  g_ptr_array_add (argv, (gpointer) "--json");
  g_ptr_array_add (argv, (gpointer) "--no-system-trust");
  va_start (args, first_argument);
  for (arg = first_argument; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  cachet_test_run (&run, NULL, (const char * const *) argv->pdata);
  cachet_test_assert_exit (&run, expected_exit);

  if (!json_parser_load_from_data (parser, run.out, -1, &error))
    g_error ("verify --json printed no JSON: %s\n%s", error->message, run.out);
  object = json_object_ref (json_node_get_object (json_parser_get_root (parser)));

  found = json_object_get_array_member (object, "problems");
  problems = g_strsplit (expected_problems ? expected_problems : "", " ", -1);
  for (guint i = 0; problems[i]; i++)
    {
      gboolean present = FALSE;

      if (*problems[i] == '\0')
        continue;
      for (guint j = 0; j < json_array_get_length (found); j++)
        present |= g_str_equal (json_array_get_string_element (found, j), problems[i]);
      if (!present)
        g_error ("problem %s missing from:\n%s", problems[i], run.out);
    }
  if (expected_exit == 0)
    g_assert_cmpuint (json_array_get_length (found), ==, 0);

  cachet_test_run_clear (&run);
  return object;
}

static char *
sign (const char *input,
      const char *base,
      const char *output_name,
      const char *extra)
{
  g_autofree char *chain = g_strconcat (base, "-chain.pem", NULL);
  g_autofree char *key = g_strconcat (base, ".key", NULL);
  char *output = g_build_filename (dir, output_name, NULL);
  CachetTestRun run = { 0 };
  const char *argv[] = { "cachet-cli", "sign", "--cert", chain, "--key", key, "-o", output,
                         input, extra, NULL };

  cachet_test_run (&run, NULL, argv);
  cachet_test_assert_exit (&run, 0);
  g_assert_cmpstr (run.out, ==, "");
  cachet_test_run_clear (&run);
  return output;
}

static char *
message (const char *name,
         const char *from,
         const char *body)
{
  return cachet_test_write_message (dir, name, from, "Bob <bob@example.com>", "Quarterly report", body);
}

/* Replaces the first FIND in PATH by REPLACE (same file). */
static void
edit_file (const char *path,
           const char *find,
           const char *replace)
{
  g_autofree char *contents = NULL;
  g_autoptr(GString) text = NULL;
  char *at;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  text = g_string_new (contents);
  at = strstr (text->str, find);
  g_assert_nonnull (at);
  g_string_erase (text, at - text->str, strlen (find));
  g_string_insert (text, at - text->str, replace);
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
}

static void
test_good (void)
{
  g_autofree char *input = message ("good.eml", "Alice <alice@example.com>", "Hello Bob,\nnumbers attached.\n");
  g_autofree char *detached = sign (input, alice, "good-signed.eml", NULL);
  g_autofree char *opaque = sign (input, alice, "good-opaque.eml", "--opaque");
  g_autoptr(JsonObject) verdict = verify_expect (0, NULL, "--trust", pki->root_cert, detached, NULL);
  g_autoptr(JsonObject) verdict2 = verify_expect (0, NULL, "--trust", pki->root_cert, opaque, NULL);
  JsonObject *signer = json_array_get_object_element (json_object_get_array_member (verdict, "signers"), 0);
  g_autofree char *text = NULL;

  g_assert_cmpstr (json_object_get_string_member (verdict, "status"), ==, "good");
  g_assert_cmpstr (json_object_get_string_member (verdict, "coverage"), ==, "whole");
  g_assert_cmpstr (json_object_get_string_member (verdict, "from"), ==, "alice@example.com");
  g_assert_true (json_object_get_boolean_member (signer, "signature_valid"));
  g_assert_true (json_object_get_boolean_member (signer, "trusted"));
  g_assert_true (json_object_get_boolean_member (signer, "matches_from"));
  g_assert_cmpstr (json_object_get_string_member (signer, "digest"), ==, "sha256");
  g_assert_false (json_object_get_null_member (signer, "signing_time"));

  /* the headers stay on the outer message; micalg and the part name follow RFC 8551 */
  g_assert_true (g_file_get_contents (detached, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "Subject: Quarterly report\r\n"));
  g_assert_nonnull (strstr (text, "Message-ID: <good.eml@cachet.test>\r\n"));
  g_assert_nonnull (strstr (text, "micalg=sha-256"));
  g_assert_nonnull (strstr (text, "protocol=\"application/pkcs7-signature\""));
  g_assert_nonnull (strstr (text, "filename=smime.p7s"));
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (opaque, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "smime-type=signed-data"));
  g_assert_nonnull (strstr (text, "name=smime.p7m"));
}

static void
test_altered_body (void)
{
  g_autofree char *input = message ("body.eml", "Alice <alice@example.com>", "Please pay 100 EUR.\n");
  g_autofree char *signed_path = sign (input, alice, "body-signed.eml", NULL);
  g_autoptr(JsonObject) verdict = NULL;

  /* 8-bit text was made 7-bit safe before signing; the amount is still readable as is */
  edit_file (signed_path, "100", "900");
  verdict = verify_expect (1, "content-altered", "--trust", pki->root_cert, signed_path, NULL);
  g_assert_cmpstr (json_object_get_string_member (verdict, "status"), ==, "bad");
}

static void
test_altered_header (void)
{
  g_autofree char *input = message ("header.eml", "Alice <alice@example.com>", "Hello.\n");
  g_autofree char *signed_path = sign (input, alice, "header-signed.eml", NULL);
  g_autoptr(JsonObject) verdict = NULL;

  /* the Content-Type of the signed part is inside the signature */
  edit_file (signed_path, "charset=utf-8", "charset=iso-8859-1");
  verdict = verify_expect (1, "content-altered", "--trust", pki->root_cert, signed_path, NULL);
}

static void
test_opaque_altered (void)
{
  g_autofree char *input = message ("opaque-alter.eml", "Alice <alice@example.com>", "Hello.\n");
  g_autofree char *signed_path = sign (input, alice, "opaque-alter-signed.eml", "--opaque");
  g_autofree char *contents = NULL;
  g_autoptr(JsonObject) verdict = NULL;
  char *base64;

  /* flip one base64 character early in the content (after the BER header) */
  g_assert_true (g_file_get_contents (signed_path, &contents, NULL, NULL));
  base64 = strstr (contents, "\r\n\r\nMI");
  g_assert_nonnull (base64);
  base64 += 4 + 120;
  *base64 = *base64 == 'A' ? 'B' : 'A';
  g_assert_true (g_file_set_contents (signed_path, contents, -1, NULL));
  verdict = verify_expect (1, NULL, "--trust", pki->root_cert, signed_path, NULL);
}

static void
test_untrusted (void)
{
  g_autofree char *input = message ("untrusted.eml", "Alice <alice@example.com>", "Hello.\n");
  g_autofree char *signed_path = sign (input, alice, "untrusted-signed.eml", NULL);
  g_autoptr(JsonObject) verdict = verify_expect (3, "untrusted-issuer", signed_path, NULL);
  JsonObject *signer = json_array_get_object_element (json_object_get_array_member (verdict, "signers"), 0);

  g_assert_true (json_object_get_boolean_member (signer, "signature_valid"));
  g_assert_false (json_object_get_boolean_member (signer, "trusted"));
}

static void
test_expired (void)
{
  g_autofree char *base = cachet_test_pki_issue (pki, "erik", "erik@example.com", "rsa2048", "expired");
  g_autofree char *input = message ("expired.eml", "Erik <erik@example.com>", "Hello.\n");
  g_autofree char *signed_path = sign (input, base, "expired-signed.eml", NULL);
  g_autoptr(JsonObject) verdict = verify_expect (3, "expired", "--trust", pki->root_cert, signed_path, NULL);
  g_autoptr(JsonObject) future = NULL;
  g_autofree char *alice_signed = NULL;
  g_autofree char *alice_input = message ("future.eml", "Alice <alice@example.com>", "Hello.\n");

  /* --at moves the check: a valid certificate is expired in 2090 */
  alice_signed = sign (alice_input, alice, "future-signed.eml", NULL);
  future = verify_expect (3, "expired", "--trust", pki->root_cert, "--at", "2090-01-01T00:00:00Z",
                          alice_signed, NULL);
}

static void
test_from_mismatch (void)
{
  g_autofree char *mallory = message ("mallory.eml", "Mallory <mallory@example.com>", "Hello.\n");
  g_autofree char *tricky = message ("tricky.eml", "\"bob@example.com\" <alice@example.com>", "Hello.\n");
  g_autofree char *twice = message ("twice.eml", "Alice <alice@example.com>", "Hello.\n");
  g_autofree char *signed_mallory = sign (mallory, alice, "mallory-signed.eml", NULL);
  g_autofree char *signed_tricky = sign (tricky, alice, "tricky-signed.eml", NULL);
  g_autofree char *signed_twice = NULL;
  g_autoptr(JsonObject) a = NULL, b = NULL, c = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *doubled = NULL;

  a = verify_expect (3, "from-mismatch", "--trust", pki->root_cert, signed_mallory, NULL);
  b = verify_expect (3, "from-mismatch", "--trust", pki->root_cert, signed_tricky, NULL);

  signed_twice = sign (twice, alice, "twice-signed.eml", NULL);
  g_assert_true (g_file_get_contents (signed_twice, &contents, NULL, NULL));
  doubled = g_strconcat ("From: Mallory <mallory@example.com>\r\n", contents, NULL);
  g_assert_true (g_file_set_contents (signed_twice, doubled, -1, NULL));
  c = verify_expect (3, "from-mismatch", "--trust", pki->root_cert, signed_twice, NULL);
}

static void
test_partial (void)
{
  g_autofree char *input = message ("inner.eml", "Alice <alice@example.com>", "Signed words.\n");
  g_autofree char *signed_path = sign (input, alice, "inner-signed.eml", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *wrapped = NULL;
  g_autofree char *path = g_build_filename (dir, "partial.eml", NULL);
  g_autoptr(JsonObject) verdict = NULL;
  char *body;

  /* take the signed message's multipart/signed body and put an unsigned part before it */
  g_assert_true (g_file_get_contents (signed_path, &contents, NULL, NULL));
  body = strstr (contents, "Content-Type: multipart/signed");
  g_assert_nonnull (body);
  wrapped = g_strconcat ("From: Alice <alice@example.com>\r\nTo: bob@example.com\r\n"
                         "Subject: Partly\r\nMIME-Version: 1.0\r\n"
                         "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
                         "--outer\r\nContent-Type: text/plain\r\n\r\nUnsigned words, added later.\r\n"
                         "--outer\r\n", body, "\r\n--outer--\r\n", NULL);
  g_assert_true (g_file_set_contents (path, wrapped, -1, NULL));

  verdict = verify_expect (3, "partial-coverage", "--trust", pki->root_cert, path, NULL);
  g_assert_cmpstr (json_object_get_string_member (verdict, "coverage"), ==, "partial");
}

static void
test_unsigned (void)
{
  g_autofree char *input = message ("plain.eml", "Alice <alice@example.com>", "Nothing signed.\n");
  g_autoptr(JsonObject) verdict = verify_expect (4, NULL, input, NULL);

  g_assert_cmpstr (json_object_get_string_member (verdict, "status"), ==, "unsigned");
  g_assert_false (json_object_get_boolean_member (verdict, "signed"));
}

static void
test_weak (void)
{
  g_autofree char *small = cachet_test_pki_issue (pki, "sam", "sam@example.com", "rsa1024", NULL);
  g_autofree char *sha1 = cachet_test_pki_issue (pki, "sha", "sha@example.com", "rsa2048", "sha1");
  g_autofree char *input_small = message ("small.eml", "Sam <sam@example.com>", "Hello.\n");
  g_autofree char *input_sha1 = message ("sha1.eml", "Sha <sha@example.com>", "Hello.\n");
  g_autofree char *signed_small = sign (input_small, small, "small-signed.eml", NULL);
  g_autofree char *signed_sha1 = sign (input_sha1, sha1, "sha1-signed.eml", NULL);
  g_autoptr(JsonObject) a = verify_expect (3, "weak-algorithm", "--trust", pki->root_cert, signed_small, NULL);
  g_autoptr(JsonObject) b = verify_expect (3, "weak-algorithm", "--trust", pki->root_cert, signed_sha1, NULL);
  JsonObject *signer = json_array_get_object_element (json_object_get_array_member (a, "signers"), 0);

  /* weak is not forged: the maths holds */
  g_assert_true (json_object_get_boolean_member (signer, "signature_valid"));
}

static void
test_wrong_usage (void)
{
  g_autofree char *server = cachet_test_pki_issue (pki, "web", "web@example.com", "rsa2048", "tls-server");
  g_autofree char *input = message ("web.eml", "Web <web@example.com>", "Hello.\n");
  g_autofree char *signed_path = sign (input, server, "web-signed.eml", NULL);
  g_autoptr(JsonObject) verdict = verify_expect (3, "wrong-usage", "--trust", pki->root_cert, signed_path, NULL);
  g_autofree char *base = g_build_filename (dir, "enc", NULL);
  g_autofree char *enc_input = message ("enc.eml", "Enc <enc@example.com>", "Hello.\n");
  g_autofree char *enc_signed = NULL;
  g_autoptr(JsonObject) enc_verdict = NULL;

  /* an encryption-only certificate (keyUsage keyEncipherment) must not sign */
  g_assert_cmpint (cachet_test_shell (NULL,
      "cd '%s' && printf 'keyUsage = critical, keyEncipherment\\nextendedKeyUsage = emailProtection\\n"
      "subjectAltName = email:enc@example.com\\n' > enc.ext && "
      "openssl req -newkey rsa:2048 -nodes -keyout enc.key -out enc.csr -subj '/CN=Enc' 2>/dev/null && "
      "openssl x509 -req -in enc.csr -CA inter.crt -CAkey inter.key -CAcreateserial -days 30 "
      "  -extfile enc.ext -out enc.crt 2>/dev/null && cat enc.crt inter.crt > enc-chain.pem",
      dir), ==, 0);
  enc_signed = sign (enc_input, base, "enc-signed.eml", NULL);
  enc_verdict = verify_expect (3, "wrong-usage", "--trust", pki->root_cert, enc_signed, NULL);
}

static void
test_digests_and_ecdsa (void)
{
  g_autofree char *erin = cachet_test_pki_issue (pki, "erin", "erin@example.com", "p256", NULL);
  const char *digests[] = { "sha256", "sha384", "sha512" };

  for (guint i = 0; i < G_N_ELEMENTS (digests); i++)
    {
      g_autofree char *name = g_strdup_printf ("erin-%s.eml", digests[i]);
      g_autofree char *out_name = g_strdup_printf ("erin-%s-signed.eml", digests[i]);
      g_autofree char *input = message (name, "Erin <erin@example.com>", "Hello.\n");
      g_autofree char *digest_arg = g_strconcat ("--digest=", digests[i], NULL);
      g_autofree char *signed_path = sign (input, erin, out_name, digest_arg);
      g_autoptr(JsonObject) verdict = verify_expect (0, NULL, "--trust", pki->root_cert, signed_path, NULL);
      JsonObject *signer = json_array_get_object_element (json_object_get_array_member (verdict, "signers"), 0);
      g_autofree char *contents = NULL;
      g_autofree char *micalg = g_strdup_printf ("micalg=sha-%s", digests[i] + 3);

      g_assert_cmpstr (json_object_get_string_member (signer, "digest"), ==, digests[i]);
      g_assert_true (g_file_get_contents (signed_path, &contents, NULL, NULL));
      g_assert_nonnull (strstr (contents, micalg));
    }
}

static void
test_file_signature (void)
{
  g_autofree char *path = g_build_filename (dir, "report.bin", NULL);
  g_autofree char *key = g_strconcat (alice, ".key", NULL);
  g_autofree char *chain = g_strconcat (alice, "-chain.pem", NULL);
  g_autofree char *p7s = g_strconcat (path, ".p7s", NULL);
  g_autoptr(JsonObject) good = NULL, bad = NULL;
  CachetTestRun run = { 0 };
  guint8 data[3000];

  for (guint i = 0; i < sizeof data; i++)
    data[i] = (i * 7) ^ (i >> 3);
  g_assert_true (g_file_set_contents (path, (char *) data, sizeof data, NULL));

  /* without -o a file gets FILE.p7s next to it */
  cachet_test_run_cli (&run, "sign", "--cert", chain, "--key", key, path, NULL);
  cachet_test_assert_exit (&run, 0);
  g_assert_true (g_file_test (p7s, G_FILE_TEST_EXISTS));
  cachet_test_run_clear (&run);

  good = verify_expect (0, NULL, "--trust", pki->root_cert, p7s, "--content", path, NULL);
  g_assert_cmpstr (json_object_get_string_member (good, "coverage"), ==, "whole");
  data[1000] ^= 1;
  g_assert_true (g_file_set_contents (path, (char *) data, sizeof data, NULL));
  bad = verify_expect (1, "content-altered", "--trust", pki->root_cert, p7s, "--content", path, NULL);
}

/* --p12 with --password-file signs like --cert/--key */
static void
test_pkcs12_signer (void)
{
  g_autofree char *p12 = g_build_filename (dir, "alice.p12", NULL);
  g_autofree char *password = g_build_filename (dir, "alice.password", NULL);
  g_autofree char *input = message ("p12.eml", "Alice <alice@example.com>", "Hello.\n");
  g_autofree char *output = g_build_filename (dir, "p12-signed.eml", NULL);
  g_autoptr(JsonObject) verdict = NULL;
  CachetTestRun run = { 0 };

  g_assert_cmpint (cachet_test_shell (NULL,
      "openssl pkcs12 -export -inkey '%s.key' -in '%s.crt' -certfile '%s' -passout pass:s3cret -out '%s'",
      alice, alice, pki->inter_cert, p12), ==, 0);
  g_assert_true (g_file_set_contents (password, "s3cret\n", -1, NULL));

  cachet_test_run_cli (&run, "sign", "--p12", p12, "--password-file", password, "-o", output, input, NULL);
  cachet_test_assert_exit (&run, 0);
  cachet_test_run_clear (&run);
  verdict = verify_expect (0, NULL, "--trust", pki->root_cert, output, NULL);

  /* a wrong password is an error, and nothing is written */
  g_assert_true (g_file_set_contents (password, "wrong\n", -1, NULL));
  g_assert_true (g_unlink (output) == 0);
  cachet_test_run_cli (&run, "sign", "--p12", p12, "--password-file", password, "-o", output, input, NULL);
  cachet_test_assert_exit (&run, 2);
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
  cachet_test_run_clear (&run);
}

/* A 50 MB message signs and verifies like a small one, without holding it in memory. */
static void
test_streaming (void)
{
  g_autofree char *path = g_build_filename (dir, "big.eml", NULL);
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *detached = NULL, *opaque = NULL;
  g_autoptr(JsonObject) a = NULL, b = NULL;
  struct rusage usage;
  FILE *file;

  file = fopen (path, "w");
  g_assert_nonnull (file);
  fprintf (file, "From: Alice <alice@example.com>\nTo: bob@example.com\nSubject: Big\n"
                 "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n");
  for (guint i = 0; i < 76; i++)
    g_string_append_c (line, 'a' + i % 26);
  for (guint i = 0; i < 50 * 1024 * 1024 / 77; i++)
    fprintf (file, "%s\n", line->str);
  fclose (file);

  detached = sign (path, alice, "big-signed.eml", NULL);
  opaque = sign (path, alice, "big-opaque.eml", "--opaque");
  a = verify_expect (0, NULL, "--trust", pki->root_cert, detached, NULL);
  b = verify_expect (0, NULL, "--trust", pki->root_cert, opaque, NULL);

  /* the largest child (sign or verify) stayed well under the message size */
  g_assert_cmpint (getrusage (RUSAGE_CHILDREN, &usage), ==, 0);
  g_test_message ("largest child RSS: %ld kB", usage.ru_maxrss);
  g_assert_cmpint (usage.ru_maxrss, <, 40 * 1024);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *home = NULL;
  int result;

  g_test_init (&argc, &argv, NULL);
  cachet_core_init ();

  /* cachet-cli verify opens the user's store: give it a private one */
  home = cachet_test_tmpdir ();
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);

  pki = cachet_test_pki_new ();
  dir = g_strdup (pki->dir);
  alice = cachet_test_pki_issue (pki, "alice", "alice@example.com", "rsa2048", NULL);

  g_test_add_func ("/cachet/signing/good", test_good);
  g_test_add_func ("/cachet/signing/altered-body", test_altered_body);
  g_test_add_func ("/cachet/signing/altered-header", test_altered_header);
  g_test_add_func ("/cachet/signing/opaque-altered", test_opaque_altered);
  g_test_add_func ("/cachet/signing/untrusted", test_untrusted);
  g_test_add_func ("/cachet/signing/expired", test_expired);
  g_test_add_func ("/cachet/signing/from-mismatch", test_from_mismatch);
  g_test_add_func ("/cachet/signing/partial", test_partial);
  g_test_add_func ("/cachet/signing/unsigned", test_unsigned);
  g_test_add_func ("/cachet/signing/weak", test_weak);
  g_test_add_func ("/cachet/signing/wrong-usage", test_wrong_usage);
  g_test_add_func ("/cachet/signing/digests-ecdsa", test_digests_and_ecdsa);
  g_test_add_func ("/cachet/signing/file-signature", test_file_signature);
  g_test_add_func ("/cachet/signing/pkcs12-signer", test_pkcs12_signer);
  g_test_add_func ("/cachet/signing/streaming-50mb", test_streaming);

  result = g_test_run ();
  cachet_test_pki_free (pki);
  g_free (dir);
  g_free (alice);
  return result;
}
