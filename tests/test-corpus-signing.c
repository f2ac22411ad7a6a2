/* SPDX-License-Identifier: GPL-3.0-or-later
 * test-corpus-signing.c: real signed mail and CMS from other projects (../shared/corpus):
 * the RFC 4134 examples (maths valid, but SHA-1 and RSA-1024/DSA: weak), notmuch's S/MIME
 * mails (good with their test CA), MimeKit's Thunderbird-signed mail (valid maths, old).
 * Skips when the corpus is absent.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "cachet-test-util.h"

typedef struct {
  int         exit_code;
  JsonObject *verdict;
  JsonParser *parser;
} Result;

static void
result_clear (Result *result)
{
  g_clear_object (&result->parser);
}

static void
verify (Result             *result,
        const char * const *arguments)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  CachetTestRun run = { 0 };
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) "cachet-cli");
  g_ptr_array_add (argv, (gpointer) "verify");
  g_ptr_array_add (argv, (gpointer) "--json");
  g_ptr_array_add (argv, (gpointer) "--no-system-trust");
  for (guint i = 0; arguments[i]; i++)
    g_ptr_array_add (argv, (gpointer) arguments[i]);
  g_ptr_array_add (argv, NULL);

  cachet_test_run (&run, NULL, (const char * const *) argv->pdata);
  g_test_message ("%s → exit %d", arguments[g_strv_length ((char **) arguments) - 1], run.exit_code);
  result->exit_code = run.exit_code;
  result->parser = json_parser_new ();
  if (!json_parser_load_from_data (result->parser, run.out, -1, &error))
    g_error ("no JSON verdict (exit %d): %s\n%s", run.exit_code, run.out, run.err);
  result->verdict = json_node_get_object (json_parser_get_root (result->parser));
  cachet_test_run_clear (&run);
}

static gboolean
has_string (JsonArray  *array,
            const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_str_equal (json_array_get_string_element (array, i), value))
      return TRUE;
  return FALSE;
}

/* Every signer's maths holds, and nothing says the content was altered. */
static void
assert_maths_valid (Result *result)
{
  JsonArray *signers = json_object_get_array_member (result->verdict, "signers");
  JsonArray *problems = json_object_get_array_member (result->verdict, "problems");

  g_assert_cmpuint (json_array_get_length (signers), >, 0);
  for (guint i = 0; i < json_array_get_length (signers); i++)
    g_assert_true (json_object_get_boolean_member (json_array_get_object_element (signers, i), "signature_valid"));
  g_assert_false (has_string (problems, "content-altered"));
  g_assert_false (has_string (problems, "bad-signature"));
}

static void
test_rfc4134 (void)
{
  const char *corpus = cachet_test_corpus ();
  g_autofree char *anchors = NULL;
  g_autofree char *content = NULL;
  const char *opaque[] = { "4.1.bin", "4.2.bin", "4.4.bin", "4.5.bin", "4.7.bin", "4.10.bin" };
  const char *messages[] = { "4.8.eml", "4.9.eml" };

  if (corpus == NULL)
    return;
  anchors = g_build_filename (corpus, "rfc4134", "_derived-pem", "CarlCAs.pem", NULL);
  content = g_build_filename (corpus, "rfc4134", "ExContent.bin", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (opaque); i++)
    {
      g_autofree char *path = g_build_filename (corpus, "rfc4134", opaque[i], NULL);
      const char *arguments[] = { "--trust", anchors, path, NULL };
      Result result = { 0 };

      verify (&result, arguments);
      g_assert_cmpint (result.exit_code, ==, 3);
      assert_maths_valid (&result);
      g_assert_true (has_string (json_object_get_array_member (result.verdict, "problems"), "weak-algorithm"));
      result_clear (&result);
    }

  /* 4.3: detached, with the content beside it */
  {
    g_autofree char *path = g_build_filename (corpus, "rfc4134", "4.3.bin", NULL);
    const char *arguments[] = { "--trust", anchors, path, "--content", content, NULL };
    Result result = { 0 };

    verify (&result, arguments);
    g_assert_cmpint (result.exit_code, ==, 3);
    assert_maths_valid (&result);
    result_clear (&result);
  }

  /* 4.8 and 4.9 are mails; their From (alicedss@examples.com) is not the certificate's address */
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      g_autofree char *path = g_build_filename (corpus, "rfc4134", messages[i], NULL);
      const char *arguments[] = { "--trust", anchors, path, NULL };
      Result result = { 0 };

      verify (&result, arguments);
      g_assert_cmpint (result.exit_code, ==, 3);
      assert_maths_valid (&result);
      g_assert_true (has_string (json_object_get_array_member (result.verdict, "problems"), "weak-algorithm"));
      g_assert_true (has_string (json_object_get_array_member (result.verdict, "problems"), "from-mismatch"));
      result_clear (&result);
    }

  /* 4.6 (DSA parameters inherited from the CA) fails for OpenSSL too: never good, never a crash */
  {
    g_autofree char *path = g_build_filename (corpus, "rfc4134", "4.6.bin", NULL);
    const char *arguments[] = { "--trust", anchors, path, NULL };
    Result result = { 0 };

    verify (&result, arguments);
    g_assert_true (result.exit_code == 1 || result.exit_code == 3);
    result_clear (&result);
  }

  /* 4.11 holds certificates only: not a signature */
  {
    g_autofree char *path = g_build_filename (corpus, "rfc4134", "4.11.bin", NULL);
    const char *arguments[] = { path, NULL };
    Result result = { 0 };

    verify (&result, arguments);
    g_assert_cmpint (result.exit_code, ==, 2);
    result_clear (&result);
  }
}

static void
test_notmuch (void)
{
  const char *corpus = cachet_test_corpus ();
  const char *mails[] = {
    "test/corpora/pkcs7/smime-onepart-signed.eml",
    "test/corpora/protected-headers/smime-onepart-signed.eml",
    "test/corpora/protected-headers/smime-multipart-signed.eml",
  };
  g_autofree char *ca = NULL;

  if (corpus == NULL)
    return;
  ca = g_build_filename (corpus, "notmuch-tests", "test", "smime", "ca.crt", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (mails); i++)
    {
      g_autofree char *path = g_build_filename (corpus, "notmuch-tests", mails[i], NULL);
      /* at signing time, so that the test does not age with the certificates */
      const char *arguments[] = { "--trust", ca, "--at", "signing-time", path, NULL };
      Result result = { 0 };
      JsonObject *signer;

      verify (&result, arguments);
      g_assert_cmpint (result.exit_code, ==, 0);
      g_assert_cmpstr (json_object_get_string_member (result.verdict, "status"), ==, "good");
      g_assert_cmpstr (json_object_get_string_member (result.verdict, "from"), ==, "alice@smime.example");
      signer = json_array_get_object_element (json_object_get_array_member (result.verdict, "signers"), 0);
      g_assert_true (json_object_get_boolean_member (signer, "trusted"));
      g_assert_true (json_object_get_boolean_member (signer, "matches_from"));
      result_clear (&result);
    }
}

static void
test_thunderbird (void)
{
  const char *corpus = cachet_test_corpus ();
  g_autofree char *path = NULL;
  Result result = { 0 };
  JsonObject *signer;
  JsonArray *problems;

  if (corpus == NULL)
    return;
  path = g_build_filename (corpus, "mimekit-testdata", "UnitTests", "TestData", "smime",
                           "thunderbird-signed.txt", NULL);

  {
    const char *arguments[] = { path, NULL };

    verify (&result, arguments);
  }
  /* real Thunderbird 24 (2013): maths valid, From matches, but SHA-1, expired, no known root */
  g_assert_cmpint (result.exit_code, ==, 3);
  assert_maths_valid (&result);
  g_assert_cmpstr (json_object_get_string_member (result.verdict, "from"), ==, "fejj@gnome.org");
  signer = json_array_get_object_element (json_object_get_array_member (result.verdict, "signers"), 0);
  g_assert_true (json_object_get_boolean_member (signer, "matches_from"));
  g_assert_cmpstr (json_object_get_string_member (signer, "digest"), ==, "sha1");
  problems = json_object_get_array_member (result.verdict, "problems");
  g_assert_true (has_string (problems, "weak-algorithm"));
  g_assert_true (has_string (problems, "expired"));
  result_clear (&result);

  /* checked when it was signed (2013), the certificate was valid */
  {
    const char *arguments[] = { "--at", "signing-time", path, NULL };

    verify (&result, arguments);
  }
  problems = json_object_get_array_member (result.verdict, "problems");
  g_assert_false (has_string (problems, "expired"));
  g_assert_true (has_string (problems, "weak-algorithm"));
  result_clear (&result);
}

/* OpenSSL's malformed-attribute samples: missing or duplicated signed attributes are bad
 * signatures; a signingTime among the unsigned attributes is not believed. */
static void
test_openssl_attributes (void)
{
  const char *corpus = cachet_test_corpus ();
  const char *bad[] = { "no_md_attr.cms", "no_ct_attr.cms", "ct_multiple_attr.cms", "pkcs7-md4.pem" };
  g_autofree char *folder = NULL;

  if (corpus == NULL)
    return;
  folder = g_build_filename (corpus, "openssl-tests", "test", "recipes", "80-test_cms_data", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = g_build_filename (folder, bad[i], NULL);
      const char *arguments[] = { path, NULL };
      Result result = { 0 };

      verify (&result, arguments);
      g_assert_cmpint (result.exit_code, ==, 1);
      g_assert_true (has_string (json_object_get_array_member (result.verdict, "problems"), "bad-signature"));
      result_clear (&result);
    }

  {
    g_autofree char *path = g_build_filename (folder, "bad_signtime_attr.cms", NULL);
    const char *arguments[] = { path, NULL };
    Result result = { 0 };
    JsonObject *signer;

    verify (&result, arguments);
    signer = json_array_get_object_element (json_object_get_array_member (result.verdict, "signers"), 0);
    g_assert_true (json_object_get_null_member (signer, "signing_time"));
    g_assert_cmpint (result.exit_code, !=, 0);
    result_clear (&result);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *home = NULL;

  g_test_init (&argc, &argv, NULL);
  cachet_core_init ();

  home = cachet_test_tmpdir ();
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);

  g_test_add_func ("/cachet/signing-corpus/rfc4134", test_rfc4134);
  g_test_add_func ("/cachet/signing-corpus/notmuch", test_notmuch);
  g_test_add_func ("/cachet/signing-corpus/thunderbird", test_thunderbird);
  g_test_add_func ("/cachet/signing-corpus/openssl-attributes", test_openssl_attributes);

  return g_test_run ();
}
