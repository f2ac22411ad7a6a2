/* SPDX-License-Identifier: GPL-3.0-or-later
 * test-attacks.c: the published attacks on S/MIME signatures, each case named after its class,
 * run black-box through `cachet-cli verify --json` with messages made by openssl. Every case
 * asserts the verdict Cachet must give (never "good"), and the problem code that says why.
 * The table in docs/attacks.md lists the same cases.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "cachet-test-util.h"

typedef struct {
  CachetTestPki *pki;
  char          *dir;
  char          *alice;      /* alice@example.org, trusted chain */
  char          *eve;        /* eve@evil.test, trusted chain too: a real but different person */
} Fixture;

static Fixture *fixture;

static char *
path_in (const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

/* Signs ENTITY (MIME headers + body) as SIGNER with openssl; returns the signed entity
 * (no mail headers) as text. */
static char *
openssl_sign (const char *signer,
              const char *entity,
              const char *extra)
{
  g_autofree char *in = path_in ("entity.txt");
  g_autofree char *out = NULL;
  int rc;

  g_assert_true (g_file_set_contents (in, entity, -1, NULL));
  rc = cachet_test_shell (&out,
      "openssl cms -sign -in '%s' -signer '%s.crt' -inkey '%s.key' -certfile '%s' %s",
      in, signer, signer, fixture->pki->inter_cert, extra ? extra : "");
  g_assert_cmpint (rc, ==, 0);
  return g_steal_pointer (&out);
}

static const char plain_entity[] =
  "Content-Type: text/plain; charset=us-ascii\n"
  "\n"
  "Please pay invoice 4711 to the usual account.\n";

/* Runs cachet-cli verify --json on MESSAGE (written to a file) and returns the parsed root. */
static JsonObject *
verify (const char *message,
        int         expected_exit)
{
  static JsonParser *parser;
  g_autofree char *path = path_in ("message.eml");
  g_autoptr(GError) error = NULL;
  CachetTestRun run = { 0 };

  g_assert_true (g_file_set_contents (path, message, -1, NULL));
  cachet_test_run_cli (&run, "verify", "--json", "--no-system-trust",
                       "--trust", fixture->pki->root_cert, path, NULL);
  cachet_test_assert_exit (&run, expected_exit);

  g_clear_object (&parser);
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, run.out, -1, &error))
    g_error ("verify --json printed no JSON: %s\n%s", error->message, run.out);
  cachet_test_run_clear (&run);
  return json_node_get_object (json_parser_get_root (parser));
}

static gboolean
has_problem (JsonObject *root,
             const char *code)
{
  JsonArray *problems = json_object_get_array_member (root, "problems");

  for (guint i = 0; i < json_array_get_length (problems); i++)
    if (g_str_equal (json_array_get_string_element (problems, i), code))
      return TRUE;
  return FALSE;
}

#define assert_problem(root, code) \
  G_STMT_START { \
    if (!has_problem ((root), (code))) \
      g_error ("%s:%d: expected problem %s", __FILE__, __LINE__, (code)); \
  } G_STMT_END

static char *
mail (const char *headers,
      const char *entity)
{
  return g_strdup_printf ("%sTo: bob@example.org\nSubject: Invoice\n"
                          "Date: Sat, 28 Nov 2026 12:00:00 +0000\n%s", headers, entity);
}


/* Replaces the base64 body of the signature part of a multipart/signed ENTITY. */
static char *
replace_signature (const char *entity,
                   const char *base64)
{
  const char *headers = strstr (entity, "filename=\"smime.p7s\"");
  const char *start, *end;

  g_assert_nonnull (headers);
  start = strstr (headers, "\n\n");
  g_assert_nonnull (start);
  start += 2;
  end = strstr (start, "\n------");
  g_assert_nonnull (end);

  return g_strdup_printf ("%.*s%s%s", (int) (start - entity), entity, base64, end + 1);
}

/* A control: the untouched message is good, so every failure below is due to the attack. */
static void
test_control_good (void)
{
  g_autofree char *signed_entity = openssl_sign (fixture->alice, plain_entity, NULL);
  g_autofree char *message = mail ("From: Alice <alice@example.org>\n", signed_entity);
  JsonObject *root = verify (message, 0);

  g_assert_cmpstr (json_object_get_string_member (root, "status"), ==, "good");
  g_assert_cmpstr (json_object_get_string_member (root, "coverage"), ==, "whole");
}

/* CMS: a multipart/signed whose signature also embeds (other) content. */
static void
test_cms_detached_with_embedded_content (void)
{
  g_autofree char *detached = openssl_sign (fixture->alice, plain_entity, NULL);
  g_autofree char *other = path_in ("other.txt");
  g_autofree char *opaque_b64 = NULL;
  g_autofree char *entity = NULL;
  g_autofree char *message = NULL;
  JsonObject *root;

  /* an opaque SignedData of other content, by the same signer, as the detached signature */
  g_assert_true (g_file_set_contents (other, "Content-Type: text/plain\n\nPay to Eve.\n", -1, NULL));
  g_assert_cmpint (cachet_test_shell (&opaque_b64,
      "openssl cms -sign -nodetach -in '%s' -signer '%s.crt' -inkey '%s.key' -outform DER | base64",
      other, fixture->alice, fixture->alice), ==, 0);

  entity = replace_signature (detached, opaque_b64);
  message = mail ("From: alice@example.org\n", entity);
  root = verify (message, 1);
  assert_problem (root, "content-confusion");
}

/* CMS: a SignedData with certificates but no SignerInfo is not a signature. */
static void
test_cms_no_signers (void)
{
  g_autofree char *detached = openssl_sign (fixture->alice, plain_entity, NULL);
  g_autofree char *empty_b64 = NULL;
  g_autofree char *entity = NULL;
  g_autofree char *message = NULL;
  JsonObject *root;

  g_assert_cmpint (cachet_test_shell (&empty_b64,
      "openssl crl2pkcs7 -nocrl -certfile '%s.crt' -outform DER | base64", fixture->alice), ==, 0);
  entity = replace_signature (detached, empty_b64);
  message = mail ("From: alice@example.org\n", entity);

  root = verify (message, 1);
  assert_problem (root, "no-signers");
  g_assert_cmpstr (json_object_get_string_member (root, "status"), ==, "bad");
}

/* CMS: two signers, one trusted and one from an authority nobody trusts: each reported,
 * overall not good. */
static void
test_cms_two_signers_one_untrusted (void)
{
  g_autofree char *stranger = path_in ("stranger");
  g_autofree char *signed_entity = NULL;
  g_autofree char *message = NULL;
  JsonObject *root;
  JsonArray *signers;

  g_assert_cmpint (cachet_test_shell (NULL,
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout '%s.key' -out '%s.crt' -days 30 "
      "-subj '/CN=Alice Too/emailAddress=alice@example.org' "
      "-addext subjectAltName=email:alice@example.org -addext extendedKeyUsage=emailProtection 2>/dev/null",
      stranger, stranger), ==, 0);
  {
    g_autofree char *extra = g_strdup_printf ("-signer '%s.crt' -inkey '%s.key'", stranger, stranger);
    signed_entity = openssl_sign (fixture->alice, plain_entity, extra);
  }
  message = mail ("From: alice@example.org\n", signed_entity);

  root = verify (message, 3);
  signers = json_object_get_array_member (root, "signers");
  g_assert_cmpuint (json_array_get_length (signers), ==, 2);
  assert_problem (root, "untrusted-issuer");
}

/* CMS: the signer's certificate is neither in the message nor known. */
static void
test_cms_unknown_signer (void)
{
  g_autofree char *signed_entity = openssl_sign (fixture->alice, plain_entity, "-nocerts");
  g_autofree char *message = mail ("From: alice@example.org\n", signed_entity);
  JsonObject *root = verify (message, 3);

  assert_problem (root, "unknown-signer");
}

/* MIME wrapping: a signed part inside multipart/mixed, after an unsigned part. */
static void
test_wrapping_unsigned_before_signed (void)
{
  g_autofree char *signed_entity = openssl_sign (fixture->alice, plain_entity, NULL);
  g_autofree char *entity = g_strdup_printf (
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"wrap\"\n"
      "\n"
      "--wrap\n"
      "Content-Type: text/plain\n"
      "\n"
      "Change of plan: pay invoice 4711 to account NL00EVIL0123456789.\n"
      "--wrap\n"
      "%s\n"
      "--wrap--\n", signed_entity);
  g_autofree char *message = mail ("From: alice@example.org\n", entity);
  JsonObject *root = verify (message, 3);

  assert_problem (root, "partial-coverage");
  g_assert_cmpstr (json_object_get_string_member (root, "coverage"), ==, "partial");
}

/* MIME wrapping: the signed message moved into an attachment of an unsigned one. */
static void
test_wrapping_signed_as_attachment (void)
{
  g_autofree char *signed_entity = openssl_sign (fixture->alice, plain_entity, NULL);
  g_autofree char *inner = mail ("From: alice@example.org\n", signed_entity);
  g_autofree char *entity = g_strdup_printf (
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"wrap\"\n"
      "\n"
      "--wrap\n"
      "Content-Type: text/plain\n"
      "\n"
      "See the attached, and pay to the new account below.\n"
      "--wrap\n"
      "Content-Type: message/rfc822\n"
      "Content-Disposition: attachment; filename=\"original.eml\"\n"
      "\n"
      "%s\n"
      "--wrap--\n", inner);
  g_autofree char *message = mail ("From: alice@example.org\n", entity);
  JsonObject *root = verify (message, 3);

  g_assert_cmpstr (json_object_get_string_member (root, "status"), !=, "good");
  assert_problem (root, "partial-coverage");
}

/* Identity: From is another person than the signer. */
static void
test_identity_from_differs (void)
{
  g_autofree char *signed_entity = openssl_sign (fixture->eve, plain_entity, NULL);
  g_autofree char *message = mail ("From: Alice <alice@example.org>\n", signed_entity);
  JsonObject *root = verify (message, 3);

  assert_problem (root, "from-mismatch");
}

/* Identity: the display name shows another address than the real one. */
static void
test_identity_display_name_address (void)
{
  g_autofree char *signed_entity = openssl_sign (fixture->eve, plain_entity, NULL);
  g_autofree char *message = mail ("From: \"alice@example.org\" <eve@evil.test>\n", signed_entity);
  JsonObject *root = verify (message, 3);

  assert_problem (root, "from-mismatch");
}

/* Identity: two From headers, or none. */
static void
test_identity_two_from (void)
{
  g_autofree char *signed_entity = openssl_sign (fixture->alice, plain_entity, NULL);
  g_autofree char *message = mail ("From: alice@example.org\nFrom: eve@evil.test\n", signed_entity);
  JsonObject *root = verify (message, 3);

  assert_problem (root, "from-mismatch");
}

static void
test_identity_no_from (void)
{
  g_autofree char *signed_entity = openssl_sign (fixture->alice, plain_entity, NULL);
  g_autofree char *message = mail ("", signed_entity);
  JsonObject *root = verify (message, 3);

  assert_problem (root, "from-mismatch");
}

static void
test_identity_from_name_only (void)
{
  g_autofree char *signed_entity = openssl_sign (fixture->alice, plain_entity, NULL);
  g_autofree char *message = mail ("From: Alice\n", signed_entity);
  JsonObject *root = verify (message, 3);

  assert_problem (root, "from-mismatch");
}

/* Trust: signer certificates that must not be trusted for mail. */
static void
check_trust_case (const char *name,
                  const char *key_type,
                  const char *flags,
                  const char *extra,
                  const char *problem)
{
  g_autofree char *address = g_strdup_printf ("%s@example.org", name);
  g_autofree char *signer = cachet_test_pki_issue (fixture->pki, name, address, key_type, flags);
  g_autofree char *signed_entity = openssl_sign (signer, plain_entity, extra);
  g_autofree char *from = g_strdup_printf ("From: %s\n", address);
  g_autofree char *message = mail (from, signed_entity);
  JsonObject *root = verify (message, 3);

  assert_problem (root, problem);
}

static void
test_trust_self_signed (void)
{
  g_autofree char *self = path_in ("self");
  g_autofree char *signed_entity = NULL;
  g_autofree char *message = NULL;
  g_autofree char *in = path_in ("entity.txt");
  JsonObject *root;

  g_assert_cmpint (cachet_test_shell (NULL,
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout '%s.key' -out '%s.crt' -days 30 "
      "-subj '/CN=Self/emailAddress=self@example.org' -addext subjectAltName=email:self@example.org 2>/dev/null",
      self, self), ==, 0);
  g_assert_true (g_file_set_contents (in, plain_entity, -1, NULL));
  g_assert_cmpint (cachet_test_shell (&signed_entity,
      "openssl cms -sign -in '%s' -signer '%s.crt' -inkey '%s.key'", in, self, self), ==, 0);
  message = mail ("From: self@example.org\n", signed_entity);
  root = verify (message, 3);
  assert_problem (root, "untrusted-issuer");
}

static void
test_trust_tls_server_certificate (void)
{
  check_trust_case ("server", "rsa2048", "tls-server", NULL, "wrong-usage");
}

static void
test_trust_expired (void)
{
  check_trust_case ("expired", "rsa2048", "expired", NULL, "expired");
}

static void
test_trust_not_yet_valid (void)
{
  check_trust_case ("future", "rsa2048", "not-yet-valid", NULL, "not-yet-valid");
}

static void
test_trust_sha1_digest (void)
{
  check_trust_case ("sha1digest", "rsa2048", NULL, "-md sha1", "weak-algorithm");
}

static void
test_trust_small_rsa_key (void)
{
  check_trust_case ("small", "rsa1024", NULL, NULL, "weak-algorithm");
}

static void
test_trust_sha1_certificate (void)
{
  check_trust_case ("sha1cert", "rsa2048", "sha1", NULL, "weak-algorithm");
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  cachet_core_init ();

  fixture = g_new0 (Fixture, 1);
  fixture->pki = cachet_test_pki_new ();
  fixture->dir = g_strdup (fixture->pki->dir);
  fixture->alice = cachet_test_pki_issue (fixture->pki, "alice", "alice@example.org", "rsa2048", NULL);
  fixture->eve = cachet_test_pki_issue (fixture->pki, "eve", "eve@evil.test", "rsa2048", NULL);

  g_test_add_func ("/cachet/attacks/control/untouched-is-good", test_control_good);
  g_test_add_func ("/cachet/attacks/cms/detached-with-embedded-content", test_cms_detached_with_embedded_content);
  g_test_add_func ("/cachet/attacks/cms/no-signers", test_cms_no_signers);
  g_test_add_func ("/cachet/attacks/cms/two-signers-one-untrusted", test_cms_two_signers_one_untrusted);
  g_test_add_func ("/cachet/attacks/cms/unknown-signer", test_cms_unknown_signer);
  g_test_add_func ("/cachet/attacks/wrapping/unsigned-before-signed", test_wrapping_unsigned_before_signed);
  g_test_add_func ("/cachet/attacks/wrapping/signed-as-attachment", test_wrapping_signed_as_attachment);
  g_test_add_func ("/cachet/attacks/identity/from-differs", test_identity_from_differs);
  g_test_add_func ("/cachet/attacks/identity/display-name-address", test_identity_display_name_address);
  g_test_add_func ("/cachet/attacks/identity/two-from", test_identity_two_from);
  g_test_add_func ("/cachet/attacks/identity/no-from", test_identity_no_from);
  g_test_add_func ("/cachet/attacks/identity/from-name-only", test_identity_from_name_only);
  g_test_add_func ("/cachet/attacks/trust/self-signed", test_trust_self_signed);
  g_test_add_func ("/cachet/attacks/trust/tls-server-certificate", test_trust_tls_server_certificate);
  g_test_add_func ("/cachet/attacks/trust/expired", test_trust_expired);
  g_test_add_func ("/cachet/attacks/trust/not-yet-valid", test_trust_not_yet_valid);
  g_test_add_func ("/cachet/attacks/trust/sha1-digest", test_trust_sha1_digest);
  g_test_add_func ("/cachet/attacks/trust/rsa-1024", test_trust_small_rsa_key);
  g_test_add_func ("/cachet/attacks/trust/sha1-signed-certificate", test_trust_sha1_certificate);

  status = g_test_run ();
  cachet_test_pki_free (fixture->pki);
  return status;
}
