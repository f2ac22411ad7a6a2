/* SPDX-License-Identifier: GPL-3.0-or-later
 * test-bad-input.c: what cachet-cli verify and sign do with input they cannot use: exit 2,
 * exactly one line on stderr, nothing on stdout (but --json's error object), no output file.
 * Also the broken signed structures that are "bad" (exit 1): no signers, content confusion.
 */
#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "cachet-test-util.h"

static CachetTestPki *pki;
static char *dir;
static char *alice;

static guint
count_lines (const char *text)
{
  guint lines = 0;

  for (const char *p = text; p && *p; p++)
    lines += *p == '\n';
  return lines;
}

/* verify PATH must fail with exit 2, one line on stderr, nothing on stdout; with --json, the
 * error object. */
static void
assert_verify_error (const char *path,
                     const char *content)
{
  CachetTestRun run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (content)
    cachet_test_run_cli (&run, "verify", "--no-system-trust", path, "--content", content, NULL);
  else
    cachet_test_run_cli (&run, "verify", "--no-system-trust", path, NULL);
  cachet_test_assert_exit (&run, 2);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpuint (count_lines (run.err), ==, 1);
  g_assert_true (g_str_has_prefix (run.err, "cachet-cli: "));
  g_test_message ("%s", run.err);
  cachet_test_run_clear (&run);

  if (content)
    cachet_test_run_cli (&run, "verify", "--json", "--no-system-trust", path, "--content", content, NULL);
  else
    cachet_test_run_cli (&run, "verify", "--json", "--no-system-trust", path, NULL);
  cachet_test_assert_exit (&run, 2);
  g_assert_cmpuint (count_lines (run.err), ==, 1);
  g_assert_true (json_parser_load_from_data (parser, run.out, -1, NULL));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "status"),
                   ==, "error");
  cachet_test_run_clear (&run);
}

static char *
write_file (const char *name,
            const char *data,
            gssize      size)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, data, size, NULL));
  return path;
}

static char *
signed_message (const char *name,
                const char *extra)
{
  g_autofree char *input = cachet_test_write_message (dir, "bad-input-source.eml", "Alice <alice@example.com>",
                                                      "bob@example.com", "Test", "Hello.\n");
  g_autofree char *chain = g_strconcat (alice, "-chain.pem", NULL);
  g_autofree char *key = g_strconcat (alice, ".key", NULL);
  char *output = g_build_filename (dir, name, NULL);
  CachetTestRun run = { 0 };
  const char *argv[] = { "cachet-cli", "sign", "--cert", chain, "--key", key, "-o", output, input, extra, NULL };

  cachet_test_run (&run, NULL, argv);
  cachet_test_assert_exit (&run, 0);
  cachet_test_run_clear (&run);
  return output;
}

static void
test_empty (void)
{
  g_autofree char *path = write_file ("empty.eml", "", 0);
  assert_verify_error (path, NULL);
}

static void
test_garbage (void)
{
  guint8 bytes[4096];
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autofree char *path = NULL;
  g_autofree char *der_like = NULL;

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = g_rand_int (rand);
  path = write_file ("garbage.bin", (char *) bytes, sizeof bytes);
  assert_verify_error (path, NULL);

  /* starts like a SignedData, then garbage */
  memcpy (bytes, "\x30\x82\x0f\xf0\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\xa0\x82", 17);
  der_like = write_file ("garbage.p7m", (char *) bytes, sizeof bytes);
  assert_verify_error (der_like, NULL);
}

static void
test_truncated_base64 (void)
{
  g_autofree char *signed_path = signed_message ("truncated.eml", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GString) text = NULL;
  char *start, *end;

  /* keep the first three lines of the signature's base64, drop the rest */
  g_assert_true (g_file_get_contents (signed_path, &contents, NULL, NULL));
  text = g_string_new (contents);
  start = strstr (text->str, "Content-Transfer-Encoding: base64\r\n\r\n");
  g_assert_nonnull (start);
  start += strlen ("Content-Transfer-Encoding: base64\r\n\r\n") + 3 * 78;
  end = strstr (start, "\r\n--");
  g_assert_nonnull (end);
  g_string_erase (text, start - text->str, end - start);
  g_assert_true (g_file_set_contents (signed_path, text->str, text->len, NULL));
  assert_verify_error (signed_path, NULL);
}

static void
test_broken_multipart (void)
{
  g_autofree char *no_parts = write_file ("no-parts.eml",
      "From: alice@example.com\nTo: bob@example.com\nSubject: broken\nMIME-Version: 1.0\n"
      "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"XYZ\"\n"
      "\n"
      "This multipart never uses its boundary.\n", -1);
  g_autofree char *no_boundary = write_file ("no-boundary.eml",
      "From: alice@example.com\nTo: bob@example.com\nSubject: broken\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed\n"
      "\n"
      "--\nContent-Type: text/plain\n\nhi\n", -1);
  g_autofree char *one_part = write_file ("one-part.eml",
      "From: alice@example.com\nTo: bob@example.com\nSubject: broken\nMIME-Version: 1.0\n"
      "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=\"B\"\n"
      "\n--B\nContent-Type: text/plain\n\nhello\n--B--\n", -1);

  assert_verify_error (no_parts, NULL);
  assert_verify_error (no_boundary, NULL);
  assert_verify_error (one_part, NULL);
}

static void
test_unknown_protocol (void)
{
  g_autofree char *path = write_file ("pgp.eml",
      "From: alice@example.com\nTo: bob@example.com\nSubject: pgp\nMIME-Version: 1.0\n"
      "Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; micalg=pgp-sha256; boundary=\"B\"\n"
      "\n--B\nContent-Type: text/plain\n\nhello\n"
      "--B\nContent-Type: application/pgp-signature\n\n-----BEGIN PGP SIGNATURE-----\nAAAA\n-----END PGP SIGNATURE-----\n"
      "--B--\n", -1);

  assert_verify_error (path, NULL);
}

static void
test_missing_file (void)
{
  g_autofree char *path = g_build_filename (dir, "does-not-exist.eml", NULL);
  g_autofree char *message = cachet_test_write_message (dir, "plain.eml", "a@example.com", "b@example.com", "x", "y\n");

  assert_verify_error (path, NULL);
  /* --content needs a detached signature, and an existing content file */
  assert_verify_error (message, message);
}

static void
test_sign_errors (void)
{
  g_autofree char *out = g_build_filename (dir, "must-not-exist.eml", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.eml", NULL);
  g_autofree char *input = cachet_test_write_message (dir, "to-sign.eml", "a@example.com", "b@example.com", "x", "y\n");
  g_autofree char *chain = g_strconcat (alice, "-chain.pem", NULL);
  g_autofree char *other = cachet_test_pki_issue (pki, "other", "other@example.com", "rsa2048", NULL);
  g_autofree char *other_key = g_strconcat (other, ".key", NULL);
  g_autofree char *alice_key = g_strconcat (alice, ".key", NULL);
  struct {
    const char *argv[12];
  } cases[] = {
    { { "cachet-cli", "sign", "--cert", chain, "--key", alice_key, "-o", out, missing, NULL } },
    { { "cachet-cli", "sign", "--cert", chain, "--key", other_key, "-o", out, input, NULL } },
    { { "cachet-cli", "sign", "--cert", chain, "-o", out, input, NULL } },
    { { "cachet-cli", "sign", "-o", out, input, NULL } },
    { { "cachet-cli", "sign", "--cert", chain, "--key", alice_key, "--digest", "md5", "-o", out, input, NULL } },
    { { "cachet-cli", "sign", "--cert", chain, "--key", alice_key, "-o", out, dir, NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CachetTestRun run = { 0 };

      cachet_test_run (&run, NULL, cases[i].argv);
      cachet_test_assert_exit (&run, 2);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_cmpuint (count_lines (run.err), ==, 1);
      g_test_message ("%s", run.err);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
      cachet_test_run_clear (&run);
    }
}

/* SignedData { version 1, digestAlgorithms {}, { data, "hi" }, signerInfos {} } */
static const guint8 no_signers[] = {
  0x30, 0x29,
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
    0xa0, 0x1c,
      0x30, 0x1a,
        0x02, 0x01, 0x01,
        0x31, 0x00,
        0x30, 0x11,
          0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
          0xa0, 0x04, 0x04, 0x02, 'h', 'i',
        0x31, 0x00,
};

static void
test_no_signers (void)
{
  g_autofree char *path = write_file ("no-signers.p7m", (const char *) no_signers, sizeof no_signers);
  CachetTestRun run = { 0 };

  cachet_test_run_cli (&run, "verify", "--json", "--no-system-trust", path, NULL);
  cachet_test_assert_exit (&run, 1);
  g_assert_nonnull (strstr (run.out, "\"no-signers\""));
  cachet_test_run_clear (&run);
}

static void
test_content_confusion (void)
{
  g_autofree char *data = write_file ("confusion.txt", "the real content\n", -1);
  g_autofree char *p7m = g_build_filename (dir, "confusion.p7m", NULL);
  g_autofree char *signed_path = signed_message ("confusion.eml", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *der = NULL;
  g_autofree char *base64 = NULL;
  g_autoptr(GString) text = NULL;
  gsize der_size;
  char *start, *end;
  CachetTestRun run = { 0 };

  g_assert_cmpint (cachet_test_shell (NULL,
      "openssl cms -sign -binary -nodetach -outform DER -in '%s' -signer '%s.crt' -inkey '%s.key' -out '%s'",
      data, alice, alice, p7m), ==, 0);

  /* an opaque signature given as a detached one */
  cachet_test_run_cli (&run, "verify", "--json", "--no-system-trust", p7m, "--content", data, NULL);
  cachet_test_assert_exit (&run, 1);
  g_assert_nonnull (strstr (run.out, "\"content-confusion\""));
  cachet_test_run_clear (&run);

  /* a multipart/signed whose smime.p7s carries content of its own */
  g_assert_true (g_file_get_contents (p7m, &der, &der_size, NULL));
  base64 = g_base64_encode ((guint8 *) der, der_size);
  g_assert_true (g_file_get_contents (signed_path, &contents, NULL, NULL));
  text = g_string_new (contents);
  start = strstr (text->str, "Content-Transfer-Encoding: base64\r\n\r\n");
  g_assert_nonnull (start);
  start += strlen ("Content-Transfer-Encoding: base64\r\n\r\n");
  end = strstr (start, "\r\n--");
  g_assert_nonnull (end);
  g_string_erase (text, start - text->str, end - start);
  g_string_insert (text, start - text->str, base64);
  g_assert_true (g_file_set_contents (signed_path, text->str, text->len, NULL));

  cachet_test_run_cli (&run, "verify", "--json", "--no-system-trust", signed_path, NULL);
  cachet_test_assert_exit (&run, 1);
  g_assert_nonnull (strstr (run.out, "\"content-confusion\""));
  cachet_test_run_clear (&run);
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

  g_test_add_func ("/cachet/signing-input/empty", test_empty);
  g_test_add_func ("/cachet/signing-input/garbage", test_garbage);
  g_test_add_func ("/cachet/signing-input/truncated-base64", test_truncated_base64);
  g_test_add_func ("/cachet/signing-input/broken-multipart", test_broken_multipart);
  g_test_add_func ("/cachet/signing-input/unknown-protocol", test_unknown_protocol);
  g_test_add_func ("/cachet/signing-input/missing-file", test_missing_file);
  g_test_add_func ("/cachet/signing-input/sign-errors", test_sign_errors);
  g_test_add_func ("/cachet/signing-input/no-signers", test_no_signers);
  g_test_add_func ("/cachet/signing-input/content-confusion", test_content_confusion);

  result = g_test_run ();
  cachet_test_pki_free (pki);
  g_free (dir);
  g_free (alice);
  return result;
}
