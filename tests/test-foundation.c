/* SPDX-License-Identifier: GPL-3.0-or-later
 * test-foundation.c: the shared pieces every feature stands on: the streaming BER reader,
 * the verdict model's status rules and JSON, certificates and credentials from files.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "cachet-ber.h"
#include "cachet-test-util.h"

typedef struct {
  GByteArray *collected;
} Collector;

static gboolean
collect (const guint8 *data,
         gsize         size,
         gpointer      user_data,
         GError      **error)
{
  g_byte_array_append (((Collector *) user_data)->collected, data, size);
  return TRUE;
}

static CachetBerReader *
reader_for (const guint8 *data,
            gsize         size)
{
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_buffer ((const char *) data, size);
  return cachet_ber_reader_new (stream, "The test structure", NULL);
}

/* SEQUENCE (indefinite) { [0] constructed OCTET STRING (indefinite) { "abc" "de" } INTEGER 5 } */
static const guint8 indefinite[] = {
  0x30, 0x80,
    0xA0, 0x80,
      0x04, 0x03, 'a', 'b', 'c',
      0x04, 0x02, 'd', 'e',
    0x00, 0x00,
    0x02, 0x01, 0x05,
  0x00, 0x00,
};

static void
test_ber_indefinite_octets (void)
{
  g_autoptr(CachetBerReader) reader = reader_for (indefinite, sizeof indefinite);
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) collected = g_byte_array_new ();
  Collector collector = { collected };
  CachetBerHeader header;
  gboolean at_end;
  g_autoptr(GBytes) integer = NULL;

  g_assert_true (cachet_ber_reader_expect (reader, &header, CACHET_BER_CLASS_UNIVERSAL, TRUE,
                                           CACHET_BER_TAG_SEQUENCE, &error));
  g_assert_true (header.indefinite);
  g_assert_true (cachet_ber_reader_enter (reader, &header, &error));
  g_assert_true (cachet_ber_reader_expect (reader, &header, CACHET_BER_CLASS_CONTEXT, TRUE, 0, &error));
  g_assert_true (cachet_ber_reader_stream_octets (reader, &header, collect, &collector, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (collected->data, collected->len, "abcde", 5);

  integer = cachet_ber_reader_read_next (reader, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (integer, NULL), g_bytes_get_size (integer), "\x02\x01\x05", 3);

  g_assert_true (cachet_ber_reader_at_end (reader, &at_end, &error));
  g_assert_true (at_end);
  g_assert_true (cachet_ber_reader_leave (reader, &error));
  g_assert_cmpuint (cachet_ber_reader_get_position (reader), ==, sizeof indefinite);
}

static void
test_ber_capture_indefinite (void)
{
  g_autoptr(CachetBerReader) reader = reader_for (indefinite, sizeof indefinite);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) whole = cachet_ber_reader_read_next (reader, &error);

  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (whole, NULL), g_bytes_get_size (whole), indefinite, sizeof indefinite);
}

static void
test_ber_rejects_broken (void)
{
  /* every proper prefix of the structure is incomplete, never a crash or success */
  for (gsize cut = 0; cut < sizeof indefinite; cut++)
    {
      g_autoptr(CachetBerReader) reader = reader_for (indefinite, cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) whole = cachet_ber_reader_read_next (reader, &error);

      g_assert_null (whole);
      g_assert_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED);
      g_assert_nonnull (strstr (error->message, "The test structure"));
    }

  {
    /* a child longer than its definite parent */
    static const guint8 overlong[] = { 0x30, 0x03, 0x04, 0x05, 'a', 'b', 'c', 'd', 'e' };
    g_autoptr(CachetBerReader) reader = reader_for (overlong, sizeof overlong);
    g_autoptr(GError) error = NULL;
    CachetBerHeader header;

    g_assert_true (cachet_ber_reader_read_header (reader, &header, &error));
    g_assert_true (cachet_ber_reader_enter (reader, &header, &error));
    g_assert_false (cachet_ber_reader_read_header (reader, &header, &error));
    g_assert_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED);
  }
}

static void
test_ber_depth_bound (void)
{
  g_autoptr(GByteArray) deep = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetBerReader) reader = NULL;
  g_autoptr(GBytes) whole = NULL;

  for (int i = 0; i < 100; i++)
    g_byte_array_append (deep, (const guint8 *) "\x30\x80", 2);
  for (int i = 0; i < 100; i++)
    g_byte_array_append (deep, (const guint8 *) "\x00\x00", 2);

  reader = reader_for (deep->data, deep->len);
  whole = cachet_ber_reader_read_next (reader, &error);
  g_assert_null (whole);
  g_assert_error (error, CACHET_ERROR, CACHET_ERROR_TOO_LARGE);
}

static void
test_ber_write_read_back (void)
{
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetBerReader) reader = NULL;
  g_autoptr(GByteArray) collected = g_byte_array_new ();
  Collector collector = { collected };
  CachetBerHeader header;
  guint8 big[300];

  memset (big, 'x', sizeof big);
  g_assert_true (cachet_ber_write_header (stream, CACHET_BER_CLASS_CONTEXT, TRUE, 0, -1, &error));
  g_assert_true (cachet_ber_write_header (stream, CACHET_BER_CLASS_UNIVERSAL, FALSE,
                                          CACHET_BER_TAG_OCTET_STRING, sizeof big, &error));
  g_assert_true (cachet_ber_write_bytes (stream, big, sizeof big, &error));
  g_assert_true (cachet_ber_write_end (stream, &error));
  g_mime_stream_reset (stream);

  reader = cachet_ber_reader_new (stream, "The test structure", NULL);
  g_assert_true (cachet_ber_reader_read_header (reader, &header, &error));
  g_assert_true (cachet_ber_reader_stream_octets (reader, &header, collect, &collector, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (collected->data, collected->len, big, sizeof big);
}

static void
test_verdict_status_rules (void)
{
  g_autoptr(CachetVerdict) unsigned_verdict = cachet_verdict_new ();
  g_autoptr(CachetVerdict) good = cachet_verdict_new ();
  g_autoptr(CachetVerdict) mixed = cachet_verdict_new ();
  g_autoptr(CachetVerdict) empty = cachet_verdict_new ();
  g_autoptr(CachetSigner) fine = cachet_signer_new ();
  g_autoptr(CachetSigner) broken = cachet_signer_new ();
  g_autoptr(CachetSigner) untrusted = cachet_signer_new ();

  g_assert_cmpint (cachet_verdict_get_status (unsigned_verdict), ==, CACHET_STATUS_UNSIGNED);

  cachet_signer_set_signature_valid (fine, TRUE);
  cachet_signer_set_trusted (fine, TRUE);
  cachet_signer_set_matches_from (fine, TRUE);
  cachet_verdict_set_signed (good, TRUE);
  cachet_verdict_add_signer (good, fine);
  g_assert_cmpint (cachet_verdict_get_status (good), ==, CACHET_STATUS_GOOD);

  /* one good signer never makes a bad one good */
  cachet_signer_add_problem (broken, CACHET_PROBLEM_CONTENT_ALTERED, NULL);
  cachet_verdict_set_signed (mixed, TRUE);
  cachet_verdict_add_signer (mixed, fine);
  cachet_verdict_add_signer (mixed, broken);
  g_assert_cmpint (cachet_verdict_get_status (mixed), ==, CACHET_STATUS_BAD);

  /* a signer never proven trusted is not good, even without a recorded problem */
  cachet_signer_set_signature_valid (untrusted, TRUE);
  g_assert_cmpint (cachet_signer_get_status (untrusted), ==, CACHET_STATUS_UNTRUSTED);

  /* signed with no signers is bad */
  cachet_verdict_set_signed (empty, TRUE);
  g_assert_cmpint (cachet_verdict_get_status (empty), ==, CACHET_STATUS_BAD);

  /* partial coverage of a good signature is untrusted (exit 3) */
  cachet_verdict_add_problem (good, CACHET_PROBLEM_PARTIAL_COVERAGE, "part 2");
  g_assert_cmpint (cachet_verdict_get_status (good), ==, CACHET_STATUS_UNTRUSTED);
}

static void
test_verdict_problem_table (void)
{
  /* CLI.md's table: every code round-trips and leads to its exit code */
  static const struct { const char *code; int exit_code; } table[] = {
    { "content-altered", 1 }, { "bad-signature", 1 }, { "no-signers", 1 }, { "content-confusion", 1 },
    { "malformed", 2 }, { "no-key", 2 }, { "decrypt-failed", 2 },
    { "untrusted-issuer", 3 }, { "unknown-signer", 3 }, { "expired", 3 }, { "not-yet-valid", 3 },
    { "revoked", 3 }, { "wrong-usage", 3 }, { "weak-algorithm", 3 }, { "from-mismatch", 3 },
    { "partial-coverage", 3 }, { "partial-encryption", 3 }, { "unauthenticated-encryption", 4 },
    { "no-signed-attributes", 3 }, { "sender-usually-signs", 4 },
  };

  g_assert_cmpuint (G_N_ELEMENTS (table), ==, CACHET_N_PROBLEMS);
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      CachetProblem problem;

      g_assert_true (cachet_problem_from_code (table[i].code, &problem));
      g_assert_cmpstr (cachet_problem_to_code (problem), ==, table[i].code);
      g_assert_cmpint (cachet_problem_get_status (problem), ==, table[i].exit_code);
      g_assert_cmpuint (strlen (cachet_problem_describe (problem)), >, 20);
    }
}

static void
test_verdict_json (void)
{
  g_autoptr(CachetVerdict) verdict = cachet_verdict_new ();
  g_autoptr(CachetSigner) signer = cachet_signer_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  JsonObject *root, *first;
  JsonArray *problems;

  cachet_verdict_set_signed (verdict, TRUE);
  cachet_verdict_set_coverage (verdict, CACHET_COVERAGE_WHOLE);
  cachet_verdict_set_from (verdict, "Alice@Example.org");
  cachet_signer_set_signature_valid (signer, TRUE);
  cachet_signer_add_problem (signer, CACHET_PROBLEM_EXPIRED, "expired on 1 January 2021");
  cachet_verdict_add_signer (verdict, signer);

  json = cachet_verdict_to_json (verdict);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  root = json_node_get_object (json_parser_get_root (parser));

  g_assert_cmpstr (json_object_get_string_member (root, "status"), ==, "untrusted");
  g_assert_true (json_object_get_boolean_member (root, "signed"));
  g_assert_false (json_object_get_boolean_member (root, "encrypted"));
  g_assert_cmpstr (json_object_get_string_member (root, "coverage"), ==, "whole");
  g_assert_cmpstr (json_object_get_string_member (root, "from"), ==, "alice@example.org");
  g_assert_true (json_object_get_null_member (root, "cipher"));

  first = json_array_get_object_element (json_object_get_array_member (root, "signers"), 0);
  g_assert_true (json_object_get_boolean_member (first, "signature_valid"));
  g_assert_false (json_object_get_boolean_member (first, "trusted"));
  g_assert_true (json_object_get_null_member (first, "signing_time"));

  problems = json_object_get_array_member (root, "problems");
  g_assert_cmpuint (json_array_get_length (problems), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (problems, 0), ==, "expired");
}

static void
test_verdict_for_error (void)
{
  g_autoptr(GError) error = g_error_new_literal (CACHET_ERROR, CACHET_ERROR_NO_KEY, "Not for you.");
  g_autoptr(CachetVerdict) verdict = cachet_verdict_new_for_error (error);

  g_assert_cmpint (cachet_verdict_get_status (verdict), ==, CACHET_STATUS_ERROR);
  g_assert_true (cachet_verdict_has_problem (verdict, CACHET_PROBLEM_NO_KEY));
  g_assert_cmpstr (cachet_verdict_get_error_message (verdict), ==, "Not for you.");
}

static void
test_certificates_and_credentials (void)
{
  CachetTestPki *pki = cachet_test_pki_new ();
  g_autofree char *alice = cachet_test_pki_issue (pki, "Alice Example", "Alice@Example.org", "rsa2048", NULL);
  g_autofree char *old = cachet_test_pki_issue (pki, "old", "old@example.org", "p256", "expired");
  g_autofree char *chain = g_strconcat (alice, "-chain.pem", NULL);
  g_autofree char *key = g_strconcat (alice, ".key", NULL);
  g_autofree char *old_cert = g_strconcat (old, ".crt", NULL);
  g_autofree char *old_key = g_strconcat (old, ".key", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCredentials) credentials = cachet_credentials_new_from_files (chain, key, &error);
  g_autoptr(GPtrArray) expired = cachet_certificate_list_from_file (old_cert, &error);
  g_autoptr(CachetCredentials) mismatched = NULL;
  CachetCertificate *cert;
  g_autofree char *description = NULL;

  g_assert_no_error (error);
  cert = cachet_credentials_get_certificate (credentials);
  g_assert_cmpstr (cachet_certificate_get_name (cert), ==, "Alice Example");
  g_assert_cmpstr (cachet_certificate_get_addresses (cert)[0], ==, "alice@example.org");
  g_assert_true (cachet_certificate_has_address (cert, "ALICE@example.ORG"));
  g_assert_cmpstr (cachet_certificate_get_issuer_name (cert), ==, "Cachet Test Intermediate CA");
  g_assert_cmpuint (strlen (cachet_certificate_get_fingerprint (cert)), ==, 64);
  g_assert_true (cachet_certificate_allows_email (cert));
  g_assert_cmpint (cachet_certificate_get_key_usage (cert), ==, CACHET_KEY_USAGE_SIGN | CACHET_KEY_USAGE_ENCRYPT);
  g_assert_cmpuint (cachet_credentials_get_chain (credentials)->len, ==, 1);

  cert = expired->pdata[0];
  g_assert_false (cachet_certificate_is_valid_at (cert, NULL));
  g_assert_cmpint (cachet_certificate_get_days_left (cert, NULL), <, 0);
  description = cachet_certificate_describe_key (cert);
  g_assert_cmpstr (description, ==, "ECDSA P-256");
  g_assert_cmpint (cachet_certificate_get_key_usage (cert), ==, CACHET_KEY_USAGE_SIGN);

  /* a key that is not the certificate's is refused */
  mismatched = cachet_credentials_new_from_files (chain, old_key, &error);
  g_assert_null (mismatched);
  g_assert_error (error, CACHET_ERROR, CACHET_ERROR_NO_KEY);

  cachet_test_pki_free (pki);
}

static void
test_certificate_garbage (void)
{
  g_autoptr(GBytes) garbage = g_bytes_new_static ("\x30\x82\xff\xffnot a certificate", 21);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = cachet_certificate_list_from_data (garbage, &error);

  g_assert_null (list);
  g_assert_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED);
}

static void
test_output_all_or_nothing (void)
{
  g_autofree char *dir = cachet_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "out.txt", NULL);
  g_autoptr(GError) error = NULL;
  CachetOutput *output;
  GDir *listing;

  /* abandoned: nothing at the path, no temporary file left */
  output = cachet_output_new (path, &error);
  g_assert_no_error (error);
  g_mime_stream_write_string (cachet_output_get_stream (output), "partial");
  cachet_output_free (output);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  listing = g_dir_open (dir, 0, NULL);
  g_assert_null (g_dir_read_name (listing));
  g_dir_close (listing);

  /* committed: the whole content at the path */
  output = cachet_output_new (path, &error);
  g_mime_stream_write_string (cachet_output_get_stream (output), "complete");
  g_assert_true (cachet_output_commit (output, &error));
  cachet_output_free (output);
  {
    g_autofree char *contents = NULL;
    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "complete");
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  cachet_core_init ();

  g_test_add_func ("/cachet/ber/indefinite-octets", test_ber_indefinite_octets);
  g_test_add_func ("/cachet/ber/capture-indefinite", test_ber_capture_indefinite);
  g_test_add_func ("/cachet/ber/rejects-broken", test_ber_rejects_broken);
  g_test_add_func ("/cachet/ber/depth-bound", test_ber_depth_bound);
  g_test_add_func ("/cachet/ber/write-read-back", test_ber_write_read_back);
  g_test_add_func ("/cachet/verdict/status-rules", test_verdict_status_rules);
  g_test_add_func ("/cachet/verdict/problem-table", test_verdict_problem_table);
  g_test_add_func ("/cachet/verdict/json", test_verdict_json);
  g_test_add_func ("/cachet/verdict/for-error", test_verdict_for_error);
  g_test_add_func ("/cachet/certificate/from-files", test_certificates_and_credentials);
  g_test_add_func ("/cachet/certificate/garbage", test_certificate_garbage);
  g_test_add_func ("/cachet/output/all-or-nothing", test_output_all_or_nothing);

  return g_test_run ();
}
