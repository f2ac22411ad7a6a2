/* SPDX-License-Identifier: GPL-3.0-or-later
 * test-attacks.c: the published attacks on S/MIME signatures and encryption (signature
 * spoofing, EFAIL) and hostile input past Cachet's bounds, each case named after its class,
 * run black-box through `cachet-cli verify --json` / `decrypt` with messages made by openssl.
 * Every case asserts the verdict Cachet must give (never "good"), and the problem code that says
 * why. The table in docs/attacks.md lists the same cases.
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <gnutls/pkcs12.h>
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

/* The DER of the detached signature in a multipart/signed ENTITY. */
static GBytes *
extract_signature (const char *entity)
{
  const char *headers = strstr (entity, "filename=\"smime.p7s\"");
  const char *start, *end;
  g_autofree char *base64 = NULL;
  guchar *der;
  gsize size;

  g_assert_nonnull (headers);
  start = strstr (headers, "\n\n");
  g_assert_nonnull (start);
  start += 2;
  end = strstr (start, "\n------");
  g_assert_nonnull (end);
  base64 = g_strndup (start, end - start);
  der = g_base64_decode (base64, &size);
  return g_bytes_new_take (der, size);
}

/* DER as base64 in lines of 64 characters, as mail carries it. */
static char *
base64_lines (GBytes *der)
{
  gsize size;
  const guchar *data = g_bytes_get_data (der, &size);
  g_autofree char *flat = g_base64_encode (data, size);
  gsize length = strlen (flat);
  GString *lines = g_string_new (NULL);

  for (gsize i = 0; i < length; i += 64)
    g_string_append_printf (lines, "%.*s\n", (int) MIN (64, length - i), flat + i);
  return g_string_free (lines, FALSE);
}

/* Offsets of every occurrence of NEEDLE in DER. */
static GArray *
find_all (GBytes       *der,
          const guint8 *needle,
          gsize         needle_size)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (der, &size);
  GArray *found = g_array_new (FALSE, FALSE, sizeof (gsize));

  for (gsize i = 0; i + needle_size <= size; i++)
    if (memcmp (data + i, needle, needle_size) == 0)
      g_array_append_val (found, i);
  return found;
}

/* A copy of DER with the byte at OFFSET replaced by VALUE. */
static GBytes *
patch_byte (GBytes *der,
            gsize   offset,
            guint8  value)
{
  gsize size;
  guint8 *copy = g_bytes_unref_to_data (g_bytes_ref (der), &size);

  g_assert_cmpuint (offset, <, size);
  copy[offset] = value;
  return g_bytes_new_take (copy, size);
}

/* Runs cachet-cli verify (text) on MESSAGE and returns its standard output. */
static char *
verify_text (const char *message,
             int         expected_exit)
{
  g_autofree char *path = path_in ("message.eml");
  CachetTestRun run = { 0 };
  char *out;

  g_assert_true (g_file_set_contents (path, message, -1, NULL));
  cachet_test_run_cli (&run, "verify", "--no-system-trust", "--trust", fixture->pki->root_cert,
                       path, NULL);
  cachet_test_assert_exit (&run, expected_exit);
  out = g_steal_pointer (&run.out);
  cachet_test_run_clear (&run);
  return out;
}

static JsonObject *
signer_at (JsonObject *root,
           guint       index)
{
  JsonArray *signers = json_object_get_array_member (root, "signers");

  g_assert_cmpuint (index, <, json_array_get_length (signers));
  return json_array_get_object_element (signers, index);
}

static gboolean
signer_has_problem (JsonObject *signer,
                    const char *code)
{
  JsonArray *problems = json_object_get_array_member (signer, "problems");

  for (guint i = 0; problems && i < json_array_get_length (problems); i++)
    if (g_str_equal (json_array_get_string_element (problems, i), code))
      return TRUE;
  return FALSE;
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

/* CMS: a signed attribute appears twice. The messageDigest attribute's OID (…9.4) is rewritten
 * to signingTime's (…9.5), same length: two signingTime attributes, the first one well formed
 * (DER sorts the shorter signingTime attribute first). */
static void
test_cms_duplicated_signed_attributes (void)
{
  static const guint8 message_digest_oid[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04 };
  g_autofree char *signed_entity = openssl_sign (fixture->alice, plain_entity, NULL);
  g_autoptr(GBytes) der = extract_signature (signed_entity);
  g_autoptr(GArray) found = find_all (der, message_digest_oid, sizeof message_digest_oid);
  g_autoptr(GBytes) patched = NULL;
  g_autofree char *base64 = NULL;
  g_autofree char *entity = NULL;
  g_autofree char *message = NULL;
  g_autofree char *text = NULL;
  JsonObject *root;

  g_assert_cmpuint (found->len, ==, 1);
  patched = patch_byte (der, g_array_index (found, gsize, 0) + sizeof message_digest_oid - 1, 0x05);
  base64 = base64_lines (patched);
  entity = replace_signature (signed_entity, base64);
  message = mail ("From: alice@example.org\n", entity);

  root = verify (message, 1);
  assert_problem (root, "bad-signature");
  g_assert_cmpstr (json_object_get_string_member (root, "status"), ==, "bad");
  text = verify_text (message, 1);
  g_assert_nonnull (strstr (text, "appears twice"));
}

/* CMS: the content was changed after signing, so messageDigest no longer matches. */
static void
test_cms_message_digest_mismatch (void)
{
  g_autofree char *signed_entity = openssl_sign (fixture->alice, plain_entity, NULL);
  g_autofree char *message = NULL;
  char *invoice = strstr (signed_entity, "invoice 4711");
  JsonObject *root;

  g_assert_nonnull (invoice);
  invoice[strlen ("invoice 471")] = '2';
  message = mail ("From: alice@example.org\n", signed_entity);
  root = verify (message, 1);
  assert_problem (root, "content-altered");
  g_assert_false (json_object_get_boolean_member (signer_at (root, 0), "signature_valid"));
}

/* CMS: two signers, the second signature's bytes tampered with: each reported, overall bad. */
static void
test_cms_two_signers_one_bad (void)
{
  /* an RSA-2048 signature: OCTET STRING of 256 bytes; certificates hold BIT STRINGs instead */
  static const guint8 signature_header[] = { 0x04, 0x82, 0x01, 0x00 };
  g_autofree char *extra = g_strdup_printf ("-signer '%s.crt' -inkey '%s.key'", fixture->eve, fixture->eve);
  g_autofree char *signed_entity = openssl_sign (fixture->alice, plain_entity, extra);
  g_autoptr(GBytes) der = extract_signature (signed_entity);
  g_autoptr(GArray) found = find_all (der, signature_header, sizeof signature_header);
  g_autoptr(GBytes) patched = NULL;
  g_autofree char *base64 = NULL;
  g_autofree char *entity = NULL;
  g_autofree char *message = NULL;
  const guint8 *data;
  gsize offset;
  JsonObject *root;
  guint valid = 0, invalid = 0;

  g_assert_cmpuint (found->len, ==, 2);
  offset = g_array_index (found, gsize, 1) + sizeof signature_header + 100;
  data = g_bytes_get_data (der, NULL);
  patched = patch_byte (der, offset, data[offset] ^ 0x01);
  base64 = base64_lines (patched);
  entity = replace_signature (signed_entity, base64);
  message = mail ("From: alice@example.org\n", entity);

  root = verify (message, 1);
  g_assert_cmpstr (json_object_get_string_member (root, "status"), ==, "bad");
  assert_problem (root, "bad-signature");
  for (guint i = 0; i < 2; i++)
    {
      if (json_object_get_boolean_member (signer_at (root, i), "signature_valid"))
        valid++;
      else
        {
          invalid++;
          g_assert_true (signer_has_problem (signer_at (root, i), "bad-signature"));
        }
    }
  g_assert_cmpuint (valid, ==, 1);
  g_assert_cmpuint (invalid, ==, 1);
}

/* CMS: no signed attributes (legal, RFC 4134): valid maths, but no signing time is bound, and
 * the report says so. */
static void
test_cms_no_signed_attributes (void)
{
  g_autofree char *signed_entity = openssl_sign (fixture->alice, plain_entity, "-noattr");
  g_autofree char *message = mail ("From: alice@example.org\n", signed_entity);
  g_autofree char *text = NULL;
  JsonObject *root = verify (message, 3);
  JsonObject *signer = signer_at (root, 0);

  assert_problem (root, "no-signed-attributes");
  g_assert_true (json_object_get_boolean_member (signer, "signature_valid"));
  g_assert_true (json_object_get_null_member (signer, "signing_time"));
  text = verify_text (message, 3);
  g_assert_nonnull (strstr (text, "Signed at: not stated"));
  g_assert_nonnull (strstr (text, "no signing time"));
}

/* MIME wrapping: an HTML part that pulls the signed part in by its Content-ID, so the signed
 * text would show inside attacker-written HTML. */
static void
test_wrapping_html_references_signed_part (void)
{
  g_autofree char *signed_entity = openssl_sign (fixture->alice, plain_entity, NULL);
  g_autofree char *entity = g_strdup_printf (
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/related; boundary=\"wrap\"; type=\"text/html\"\n"
      "\n"
      "--wrap\n"
      "Content-Type: text/html; charset=us-ascii\n"
      "\n"
      "<html><body><p>New bank details: NL00EVIL0123456789</p>\n"
      "<div style=\"display:none\"><iframe src=\"cid:signed@evil.test\"></iframe></div></body></html>\n"
      "--wrap\n"
      "Content-ID: <signed@evil.test>\n"
      "%s\n"
      "--wrap--\n", signed_entity);
  g_autofree char *message = mail ("From: alice@example.org\n", entity);
  JsonObject *root = verify (message, 3);
  const char *covered;

  assert_problem (root, "partial-coverage");
  g_assert_cmpstr (json_object_get_string_member (root, "coverage"), ==, "partial");
  covered = json_object_get_string_member (root, "covered_part");
  g_assert_nonnull (covered);
  g_assert_nonnull (strstr (covered, "part 2 of 2"));
  g_assert_nonnull (strstr (covered, "multipart/signed"));
}

/* Identity: Sender is the signer, From someone else: the address a reader sees is From. */
static void
test_identity_sender_vs_from (void)
{
  g_autofree char *signed_entity = openssl_sign (fixture->eve, plain_entity, NULL);
  g_autofree char *message = mail ("Sender: eve@evil.test\nFrom: Alice <alice@example.org>\n",
                                   signed_entity);
  JsonObject *root = verify (message, 3);

  assert_problem (root, "from-mismatch");
  g_assert_false (json_object_get_boolean_member (signer_at (root, 0), "matches_from"));

  /* and the other way round: From is the signer, Sender a stranger: still only From counts,
   * and it matches */
  {
    g_autofree char *signed_by_alice = openssl_sign (fixture->alice, plain_entity, NULL);
    g_autofree char *other = mail ("Sender: eve@evil.test\nFrom: alice@example.org\n", signed_by_alice);
    JsonObject *good = verify (other, 0);

    g_assert_cmpstr (json_object_get_string_member (good, "from"), ==, "alice@example.org");
  }
}

/* Trust: an MD5 digest (OpenSSL 3.0 still signs with it when asked). */
static void
test_trust_md5_digest (void)
{
  g_autofree char *in = path_in ("md5-probe.txt");

  g_assert_true (g_file_set_contents (in, plain_entity, -1, NULL));
  if (cachet_test_shell (NULL, "openssl cms -sign -md md5 -in '%s' -signer '%s.crt' -inkey '%s.key' >/dev/null 2>&1",
                         in, fixture->alice, fixture->alice) != 0)
    {
      g_test_skip ("this OpenSSL refuses to sign with MD5");
      return;
    }
  check_trust_case ("md5digest", "rsa2048", NULL, "-md md5", "weak-algorithm");
}

/* Encryption */

/* Encrypts ENTITY for Alice with openssl (CIPHER: "aes-256-gcm", "aes-256-cbc") and returns
 * the S/MIME entity (MIME headers and base64 body). */
static char *
openssl_encrypt (const char *entity,
                 const char *cipher)
{
  g_autofree char *in = path_in ("plain-entity.txt");
  g_autofree char *out = NULL;

  g_assert_true (g_file_set_contents (in, entity, -1, NULL));
  g_assert_cmpint (cachet_test_shell (&out, "openssl cms -encrypt -%s -in '%s' -recip '%s.crt'",
                                      cipher, in, fixture->alice), ==, 0);
  return g_steal_pointer (&out);
}

/* Flips one byte of the CMS inside an S/MIME ENTITY made by openssl_encrypt, FROM_END bytes
 * before the end of the DER. */
static char *
tamper_smime (const char *entity,
              gsize       from_end)
{
  const char *body = strstr (entity, "\n\n");
  g_autofree guchar *der = NULL;
  g_autofree char *base64 = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize size;

  g_assert_nonnull (body);
  der = g_base64_decode (body + 2, &size);
  g_assert_cmpuint (size, >, from_end);
  der[size - from_end] ^= 0x01;
  bytes = g_bytes_new (der, size);
  base64 = base64_lines (bytes);
  return g_strdup_printf ("%.*s%s", (int) (body + 2 - entity), entity, base64);
}

/* Runs cachet-cli decrypt as Alice on MESSAGE with ARGS (NULL-terminated, before the input). */
static void
decrypt_run (CachetTestRun *run,
             const char    *message,
             ...)
{
  g_autofree char *path = path_in ("encrypted.eml");
  g_autofree char *cert = g_strdup_printf ("%s.crt", fixture->alice);
  g_autofree char *key = g_strdup_printf ("%s.key", fixture->alice);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_assert_true (g_file_set_contents (path, message, -1, NULL));
  g_ptr_array_add (argv, (char *) "cachet-cli");
  g_ptr_array_add (argv, (char *) "decrypt");
  g_ptr_array_add (argv, (char *) "--no-system-trust");
  g_ptr_array_add (argv, (char *) "--trust");
  g_ptr_array_add (argv, fixture->pki->root_cert);
  g_ptr_array_add (argv, (char *) "--cert");
  g_ptr_array_add (argv, cert);
  g_ptr_array_add (argv, (char *) "--key");
  g_ptr_array_add (argv, key);
  va_start (args, message);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, path);
  g_ptr_array_add (argv, NULL);
  cachet_test_run (run, NULL, (const char * const *) argv->pdata);
}

static JsonObject *
parse_json (const char *text)
{
  static JsonParser *parser;
  g_autoptr(GError) error = NULL;

  g_clear_object (&parser);
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("no JSON: %s\n%s", error->message, text);
  return json_node_get_object (json_parser_get_root (parser));
}

static const char secret_entity[] =
  "Content-Type: text/plain; charset=us-ascii\n"
  "\n"
  "The real account is NL11GOOD0000000001.\n";

/* Encryption: an encrypted part inside a larger message is released on its own, labelled, and
 * never merged with the readable parts around it. */
static void
test_encryption_partial (void)
{
  g_autofree char *encrypted = openssl_encrypt (secret_entity, "aes-256-gcm");
  g_autofree char *entity = g_strdup_printf (
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"wrap\"\n"
      "\n"
      "--wrap\n"
      "Content-Type: text/plain\n"
      "\n"
      "Readable by all: the account changed to NL00EVIL0123456789.\n"
      "--wrap\n"
      "%s\n"
      "--wrap--\n", encrypted);
  g_autofree char *message = mail ("From: alice@example.org\n", entity);
  g_autofree char *out = path_in ("partial.out");
  g_autofree char *released = NULL;
  CachetTestRun run = { 0 };
  JsonObject *root;

  g_unlink (out);
  decrypt_run (&run, message, "--json", "-o", out, NULL);
  cachet_test_assert_exit (&run, 3);
  root = parse_json (run.out);
  assert_problem (root, "partial-encryption");
  g_assert_true (json_object_get_boolean_member (root, "encrypted"));
  g_assert_true (g_file_get_contents (out, &released, NULL, NULL));
  g_assert_nonnull (strstr (released, "NL11GOOD0000000001"));
  g_assert_null (strstr (released, "NL00EVIL"));
  cachet_test_run_clear (&run);
}

/* Encryption: two encrypted parts are never joined into one view. */
static void
test_encryption_two_parts_never_joined (void)
{
  g_autofree char *first = openssl_encrypt (secret_entity, "aes-256-gcm");
  g_autofree char *second = openssl_encrypt ("Content-Type: text/plain\n\nSecond part: pay NL00EVIL0123456789.\n",
                                             "aes-256-gcm");
  g_autofree char *entity = g_strdup_printf (
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"wrap\"\n"
      "\n"
      "--wrap\n"
      "%s\n"
      "--wrap\n"
      "%s\n"
      "--wrap--\n", first, second);
  g_autofree char *message = mail ("From: alice@example.org\n", entity);
  g_autofree char *out = path_in ("two-parts.out");
  g_autofree char *released = NULL;
  CachetTestRun run = { 0 };
  JsonObject *root;

  g_unlink (out);
  decrypt_run (&run, message, "--json", "-o", out, NULL);
  cachet_test_assert_exit (&run, 3);
  root = parse_json (run.out);
  assert_problem (root, "partial-encryption");
  g_assert_true (g_file_get_contents (out, &released, NULL, NULL));
  g_assert_nonnull (strstr (released, "NL11GOOD0000000001"));
  g_assert_null (strstr (released, "NL00EVIL"));
  cachet_test_run_clear (&run);
}

/* Encryption: CBC has no integrity; without a valid signature inside, the content is released
 * with a warning (exit 4). With one, the signature vouches for it and no warning is given. */
static void
test_encryption_cbc_unsigned (void)
{
  g_autofree char *encrypted = openssl_encrypt (secret_entity, "aes-256-cbc");
  g_autofree char *message = mail ("From: alice@example.org\n", encrypted);
  g_autofree char *out = path_in ("cbc.out");
  CachetTestRun run = { 0 };
  JsonObject *root;

  g_unlink (out);
  decrypt_run (&run, message, "--json", "-o", out, NULL);
  cachet_test_assert_exit (&run, 4);
  root = parse_json (run.out);
  assert_problem (root, "unauthenticated-encryption");
  g_assert_cmpstr (json_object_get_string_member (root, "cipher"), ==, "aes-256-cbc");
  cachet_test_run_clear (&run);

  {
    g_autofree char *signed_entity = openssl_sign (fixture->alice, secret_entity, NULL);
    g_autofree char *signed_encrypted = openssl_encrypt (signed_entity, "aes-256-cbc");
    g_autofree char *signed_message = mail ("From: alice@example.org\n", signed_encrypted);

    g_unlink (out);
    decrypt_run (&run, signed_message, "--json", "-o", out, NULL);
    cachet_test_assert_exit (&run, 0);
    root = parse_json (run.out);
    g_assert_false (has_problem (root, "unauthenticated-encryption"));
    cachet_test_run_clear (&run);
  }
}

/* Encryption: a GCM message whose ciphertext or tag was changed shows nothing: exit 2, nothing
 * on standard output, no output file. */
static void
test_encryption_gcm_failure_shows_nothing (void)
{
  g_autofree char *encrypted = openssl_encrypt (secret_entity, "aes-256-gcm");
  /* the tag is the last element of AuthEnvelopedData; the ciphertext sits before the 16+2
   * bytes of the tag OCTET STRING and the 2 of the end of the [0] content */
  gsize offsets[] = { 1, 40 };

  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    {
      g_autofree char *tampered = tamper_smime (encrypted, offsets[i]);
      g_autofree char *message = mail ("From: alice@example.org\n", tampered);
      g_autofree char *out = path_in ("gcm.out");
      CachetTestRun run = { 0 };

      g_unlink (out);
      decrypt_run (&run, message, "-o", out, NULL);
      cachet_test_assert_exit (&run, 2);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
      g_assert_null (strstr (run.err, "NL11GOOD"));
      cachet_test_run_clear (&run);

      decrypt_run (&run, message, "-o", "-", NULL);
      cachet_test_assert_exit (&run, 2);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_null (strstr (run.err, "NL11GOOD"));
      cachet_test_run_clear (&run);
    }
}

/* Limits: hostile structures are refused quickly with one line on standard error and exit 2. */

static void
assert_refused_quickly (CachetTestRun *run,
                        gint64         started,
                        const char    *what)
{
  gint64 elapsed = g_get_monotonic_time () - started;
  const char *newline;

  cachet_test_assert_exit (run, 2);
  /* one line */
  newline = strchr (run->err, '\n');
  g_assert_nonnull (newline);
  g_assert_cmpstr (newline + 1, ==, "");
  if (what != NULL && strstr (run->err, what) == NULL)
    g_error ("expected “%s” in: %s", what, run->err);
  if (elapsed > 10 * G_USEC_PER_SEC)
    g_error ("took %.1f s", elapsed / (double) G_USEC_PER_SEC);
}

/* Verifies and decrypts (as Alice) MESSAGE; both must refuse it naming WHAT. */
static void
check_message_refused (const char *message,
                       const char *what)
{
  g_autofree char *path = path_in ("hostile.eml");
  g_autofree char *out = path_in ("hostile.out");
  CachetTestRun run = { 0 };
  gint64 started;

  g_assert_true (g_file_set_contents (path, message, -1, NULL));
  started = g_get_monotonic_time ();
  cachet_test_run_cli (&run, "verify", "--no-system-trust", "--trust", fixture->pki->root_cert, path, NULL);
  assert_refused_quickly (&run, started, what);
  g_assert_cmpstr (run.out, ==, "");
  cachet_test_run_clear (&run);

  started = g_get_monotonic_time ();
  cachet_test_run_cli (&run, "verify", "--json", "--no-system-trust", "--trust", fixture->pki->root_cert, path, NULL);
  assert_refused_quickly (&run, started, what);
  g_assert_cmpstr (json_object_get_string_member (parse_json (run.out), "status"), ==, "error");
  cachet_test_run_clear (&run);

  g_unlink (out);
  started = g_get_monotonic_time ();
  decrypt_run (&run, message, "-o", out, NULL);
  assert_refused_quickly (&run, started, what);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  cachet_test_run_clear (&run);
}

static void
test_limits_nesting_depth (void)
{
  GString *message = g_string_new ("From: alice@example.org\nTo: bob@example.org\nSubject: deep\nMIME-Version: 1.0\n");
  g_autofree char *text = NULL;

  for (guint i = 0; i < 200; i++)
    g_string_append_printf (message, "Content-Type: multipart/mixed; boundary=\"b%u\"\n\n--b%u\n", i, i);
  g_string_append (message, "Content-Type: text/plain\n\nhello\n");
  for (guint i = 200; i-- > 0;)
    g_string_append_printf (message, "--b%u--\n", i);
  text = g_string_free (message, FALSE);
  check_message_refused (text, "deep");
}

static void
test_limits_part_count (void)
{
  GString *message = g_string_new ("From: alice@example.org\nTo: bob@example.org\nSubject: wide\nMIME-Version: 1.0\n"
                                   "Content-Type: multipart/mixed; boundary=\"b\"\n\n");
  g_autofree char *text = NULL;

  for (guint i = 0; i < 10000; i++)
    g_string_append_printf (message, "--b\nContent-Type: text/plain\n\npart %u\n", i);
  g_string_append (message, "--b--\n");
  text = g_string_free (message, FALSE);
  check_message_refused (text, "parts");
}

static void
test_limits_header_size (void)
{
  GString *message = g_string_new ("From: alice@example.org\nTo: bob@example.org\nSubject: long\nX-Long: ");
  g_autofree char *text = NULL;

  /* 10 MB, folded into lines as a mail header would be */
  while (message->len < 10 * 1024 * 1024)
    g_string_append (message, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n ");
  g_string_append (message, "end\nContent-Type: text/plain\n\nhello\n");
  text = g_string_free (message, FALSE);
  check_message_refused (text, "header");
}

static void
test_limits_recipients (void)
{
  g_autofree char *in = path_in ("plain-entity.txt");
  g_autofree char *out = path_in ("recipients.out");
  g_autofree char *encrypted = NULL;
  g_autofree char *message = NULL;
  GString *recipients = g_string_new (NULL);
  g_autofree char *list = NULL;
  CachetTestRun run = { 0 };
  gint64 started;

  /* the same certificate 1,000 times: openssl writes one KeyTransRecipientInfo for each */
  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (recipients, " -recip '%s.crt'", fixture->alice);
  list = g_string_free (recipients, FALSE);
  g_assert_true (g_file_set_contents (in, secret_entity, -1, NULL));
  g_assert_cmpint (cachet_test_shell (&encrypted, "openssl cms -encrypt -aes-256-gcm -in '%s'%s", in, list), ==, 0);
  message = mail ("From: alice@example.org\n", encrypted);

  g_unlink (out);
  started = g_get_monotonic_time ();
  decrypt_run (&run, message, "-o", out, NULL);
  assert_refused_quickly (&run, started, "recipients");
  g_assert_cmpstr (run.out, ==, "");
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  cachet_test_run_clear (&run);
}

static void
test_limits_signers (void)
{
  GString *signers = g_string_new ("-nocerts");
  g_autofree char *extra = NULL;
  g_autofree char *signed_entity = NULL;
  g_autofree char *message = NULL;
  g_autofree char *path = path_in ("signers.eml");
  CachetTestRun run = { 0 };
  gint64 started;

  /* 100 SignerInfos (openssl accepts one certificate many times when none is embedded) */
  for (guint i = 0; i < 99; i++)
    g_string_append_printf (signers, " -signer '%s.crt' -inkey '%s.key'", fixture->alice, fixture->alice);
  extra = g_string_free (signers, FALSE);
  signed_entity = openssl_sign (fixture->alice, plain_entity, extra);
  message = mail ("From: alice@example.org\n", signed_entity);
  g_assert_true (g_file_set_contents (path, message, -1, NULL));

  started = g_get_monotonic_time ();
  cachet_test_run_cli (&run, "verify", "--no-system-trust", "--trust", fixture->pki->root_cert, path, NULL);
  assert_refused_quickly (&run, started, "signers");
  cachet_test_run_clear (&run);
}

/* Rewrites DER, replacing each INTEGER whose content is OLD by NEW, and re-encodes every length
 * around it. Descends into constructed elements and into OCTET STRINGs that hold DER (PKCS#12
 * wraps its SafeContents that way). */
static gboolean
der_parse_header (const guint8 *data,
                  gsize         size,
                  gsize        *header_size,
                  gsize        *length)
{
  gsize n;

  if (size < 2)
    return FALSE;
  if (data[1] < 0x80)
    {
      *header_size = 2;
      *length = data[1];
    }
  else
    {
      n = data[1] & 0x7f;
      if (n == 0 || n > 4 || size < 2 + n)
        return FALSE;
      *length = 0;
      for (gsize i = 0; i < n; i++)
        *length = (*length << 8) | data[2 + i];
      *header_size = 2 + n;
    }
  return *header_size + *length <= size;
}

static void
der_append_header (GByteArray *out,
                   guint8      tag,
                   gsize       length)
{
  guint8 header[6] = { tag };
  guint n = 0;

  if (length < 0x80)
    {
      header[1] = length;
      g_byte_array_append (out, header, 2);
      return;
    }
  for (gsize l = length; l > 0; l >>= 8)
    n++;
  header[1] = 0x80 | n;
  for (guint i = 0; i < n; i++)
    header[2 + i] = (length >> (8 * (n - 1 - i))) & 0xff;
  g_byte_array_append (out, header, 2 + n);
}

static gboolean
der_rewrite (const guint8 *data,
             gsize         size,
             const guint8 *old,
             gsize         old_size,
             const guint8 *new,
             gsize         new_size,
             GByteArray   *out,
             guint        *replaced)
{
  gsize offset = 0;

  while (offset < size)
    {
      gsize header_size, length;
      guint8 tag = data[offset];
      const guint8 *content;
      g_autoptr(GByteArray) inner = g_byte_array_new ();
      guint inner_replaced = 0;

      if ((tag & 0x1f) == 0x1f || !der_parse_header (data + offset, size - offset, &header_size, &length))
        return FALSE;
      content = data + offset + header_size;
      if (tag == 0x02 && length == old_size && memcmp (content, old, old_size) == 0)
        {
          der_append_header (out, tag, new_size);
          g_byte_array_append (out, new, new_size);
          (*replaced)++;
        }
      else if ((tag & 0x20) != 0 ||
               (tag == 0x04 && length > 0 && content[0] == 0x30 &&
                der_rewrite (content, length, old, old_size, new, new_size, inner, &inner_replaced)))
        {
          if ((tag & 0x20) != 0 &&
              !der_rewrite (content, length, old, old_size, new, new_size, inner, &inner_replaced))
            return FALSE;
          der_append_header (out, tag, inner->len);
          g_byte_array_append (out, inner->data, inner->len);
          *replaced += inner_replaced;
        }
      else
        g_byte_array_append (out, data + offset, header_size + length);
      offset += header_size + length;
    }
  return TRUE;
}

/* Patches the PBKDF2 count 4,096 in the PKCS#12 DER at SOURCE to COUNT and writes the result
 * to TARGET; with WITH_MAC (SOURCE must have a MAC) its MAC is made again (GnuTLS does so
 * without opening the bags), so the password check passes and only the bags' counts can stop
 * the import. */
static void
write_patched_pkcs12 (const char *source,
                      const char *target,
                      guint32     count,
                      gboolean    with_mac)
{
  static const guint8 iter_4096[] = { 0x10, 0x00 };
  guint8 bytes[5] = { 0, count >> 24, count >> 16, count >> 8, count };
  const guint8 *iter_new = bytes;
  gsize iter_size = sizeof bytes;
  g_autofree guint8 *der = NULL;
  g_autoptr(GByteArray) patched = g_byte_array_new ();
  guint replaced = 0;
  gsize size;

  /* DER: the shortest two's-complement form */
  while (iter_size > 1 && iter_new[0] == 0 && iter_new[1] < 0x80)
    {
      iter_new++;
      iter_size--;
    }
  g_assert_true (g_file_get_contents (source, (char **) &der, &size, NULL));
  g_assert_true (der_rewrite (der, size, iter_4096, sizeof iter_4096, iter_new, iter_size,
                              patched, &replaced));
  /* the certificate bag's and the shrouded key's */
  g_assert_cmpuint (replaced, ==, 2);

  if (with_mac)
    {
      gnutls_pkcs12_t pkcs12;
      gnutls_datum_t datum = { patched->data, patched->len };
      gnutls_datum_t with = { NULL, 0 };

      g_assert_cmpint (gnutls_pkcs12_init (&pkcs12), ==, 0);
      g_assert_cmpint (gnutls_pkcs12_import (pkcs12, &datum, GNUTLS_X509_FMT_DER, 0), ==, 0);
      g_assert_cmpint (gnutls_pkcs12_generate_mac2 (pkcs12, GNUTLS_MAC_SHA256, "secret"), ==, 0);
      g_assert_cmpint (gnutls_pkcs12_export2 (pkcs12, GNUTLS_X509_FMT_DER, &with), ==, 0);
      g_assert_true (g_file_set_contents (target, (char *) with.data, with.size, NULL));
      gnutls_free (with.data);
      gnutls_pkcs12_deinit (pkcs12);
    }
  else
    g_assert_true (g_file_set_contents (target, (char *) patched->data, patched->len, NULL));
}

/* PKCS#12: PBKDF2 counts of encrypted bags and shrouded keys are bounded, alone and together
 * (the MAC's count already was). Files made by OpenSSL with 4,096 and patched: making them for
 * real takes OpenSSL minutes. GnuTLS itself refuses one count past about 10 million; a file
 * with several bags just under that would still cost seconds each. */
static void
test_limits_pkcs12_bag_iterations (void)
{
  static const struct {
    guint32     count;
    gboolean    with_mac;
    const char *what;
  } cases[] = {
    { 0x7fffffff, FALSE, "PKCS#12" },
    /* two bags of 9 million each: each below GnuTLS's own bound, together past Cachet's */
    { 9000000, FALSE, "unreasonable amount of work" },
    { 9000000, TRUE, "unreasonable amount of work" },
  };
  g_autofree char *p12 = path_in ("slow.p12");
  g_autofree char *p12_mac = path_in ("slow-mac.p12");
  g_autofree char *hostile = path_in ("hostile.p12");
  g_autofree char *password = path_in ("p12-password");
  g_autofree char *input = path_in ("to-sign.txt");
  g_autofree char *out = path_in ("to-sign.txt.p7s");
  CachetTestRun run = { 0 };

  g_assert_true (g_file_set_contents (password, "secret\n", -1, NULL));
  g_assert_true (g_file_set_contents (input, "hello\n", -1, NULL));
  g_assert_cmpint (cachet_test_shell (NULL,
      "openssl pkcs12 -export -in '%s.crt' -inkey '%s.key' -passout pass:secret -iter 4096 -nomac "
      "-certpbe AES-256-CBC -keypbe AES-256-CBC -out '%s'",
      fixture->alice, fixture->alice, p12), ==, 0);
  g_assert_cmpint (cachet_test_shell (NULL,
      "openssl pkcs12 -export -in '%s.crt' -inkey '%s.key' -passout pass:secret -iter 4096 "
      "-certpbe AES-256-CBC -keypbe AES-256-CBC -macalg sha256 -nomaciter -out '%s'",
      fixture->alice, fixture->alice, p12_mac), ==, 0);

  /* control: the unpatched file works, also with a MAC added */
  for (guint with_mac = 0; with_mac < 2; with_mac++)
    {
      write_patched_pkcs12 (with_mac ? p12_mac : p12, hostile, 4096, with_mac);
      g_unlink (out);
      cachet_test_run_cli (&run, "sign", "--p12", hostile, "--password-file", password, "-o", out, input, NULL);
      cachet_test_assert_exit (&run, 0);
      cachet_test_run_clear (&run);
    }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 started;

      write_patched_pkcs12 (cases[i].with_mac ? p12_mac : p12, hostile, cases[i].count, cases[i].with_mac);
      g_unlink (out);
      started = g_get_monotonic_time ();
      cachet_test_run_cli (&run, "sign", "--p12", hostile, "--password-file", password, "-o", out, input, NULL);
      assert_refused_quickly (&run, started, cases[i].what);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
      cachet_test_run_clear (&run);
    }
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
  g_test_add_func ("/cachet/attacks/cms/duplicated-signed-attributes", test_cms_duplicated_signed_attributes);
  g_test_add_func ("/cachet/attacks/cms/message-digest-mismatch", test_cms_message_digest_mismatch);
  g_test_add_func ("/cachet/attacks/cms/two-signers-one-bad", test_cms_two_signers_one_bad);
  g_test_add_func ("/cachet/attacks/cms/no-signed-attributes", test_cms_no_signed_attributes);
  g_test_add_func ("/cachet/attacks/wrapping/unsigned-before-signed", test_wrapping_unsigned_before_signed);
  g_test_add_func ("/cachet/attacks/wrapping/signed-as-attachment", test_wrapping_signed_as_attachment);
  g_test_add_func ("/cachet/attacks/wrapping/html-references-signed-part", test_wrapping_html_references_signed_part);
  g_test_add_func ("/cachet/attacks/identity/from-differs", test_identity_from_differs);
  g_test_add_func ("/cachet/attacks/identity/display-name-address", test_identity_display_name_address);
  g_test_add_func ("/cachet/attacks/identity/two-from", test_identity_two_from);
  g_test_add_func ("/cachet/attacks/identity/no-from", test_identity_no_from);
  g_test_add_func ("/cachet/attacks/identity/from-name-only", test_identity_from_name_only);
  g_test_add_func ("/cachet/attacks/identity/sender-vs-from", test_identity_sender_vs_from);
  g_test_add_func ("/cachet/attacks/trust/self-signed", test_trust_self_signed);
  g_test_add_func ("/cachet/attacks/trust/tls-server-certificate", test_trust_tls_server_certificate);
  g_test_add_func ("/cachet/attacks/trust/expired", test_trust_expired);
  g_test_add_func ("/cachet/attacks/trust/not-yet-valid", test_trust_not_yet_valid);
  g_test_add_func ("/cachet/attacks/trust/sha1-digest", test_trust_sha1_digest);
  g_test_add_func ("/cachet/attacks/trust/md5-digest", test_trust_md5_digest);
  g_test_add_func ("/cachet/attacks/trust/rsa-1024", test_trust_small_rsa_key);
  g_test_add_func ("/cachet/attacks/trust/sha1-signed-certificate", test_trust_sha1_certificate);
  g_test_add_func ("/cachet/attacks/encryption/partial-encryption", test_encryption_partial);
  g_test_add_func ("/cachet/attacks/encryption/two-parts-never-joined", test_encryption_two_parts_never_joined);
  g_test_add_func ("/cachet/attacks/encryption/cbc-unsigned", test_encryption_cbc_unsigned);
  g_test_add_func ("/cachet/attacks/encryption/gcm-failure-shows-nothing", test_encryption_gcm_failure_shows_nothing);
  g_test_add_func ("/cachet/attacks/limits/nesting-200-deep", test_limits_nesting_depth);
  g_test_add_func ("/cachet/attacks/limits/10000-parts", test_limits_part_count);
  g_test_add_func ("/cachet/attacks/limits/10mb-header", test_limits_header_size);
  g_test_add_func ("/cachet/attacks/limits/1000-recipients", test_limits_recipients);
  g_test_add_func ("/cachet/attacks/limits/100-signers", test_limits_signers);
  g_test_add_func ("/cachet/attacks/limits/pkcs12-bag-iterations", test_limits_pkcs12_bag_iterations);

  status = g_test_run ();
  cachet_test_pki_free (fixture->pki);
  return status;
}
