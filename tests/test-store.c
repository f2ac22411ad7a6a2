/* SPDX-License-Identifier: GPL-3.0-or-later
 * test-store.c: the key store without a keyring: contacts, collection from verdicts, signing
 * habits, trust anchors, Mozilla's email roots, recipient choice, and a clear failure when no
 * Secret Service answers.
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cachet-nss-roots.h"
#include "cachet-pkcs12.h"
#include "cachet-store.h"
#include "cachet-test-util.h"

static CachetTestPki *pki;

static CachetCertificate *
load_certificate (const char *base,
                  const char *extension)
{
  g_autofree char *path = g_strconcat (base, extension, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = cachet_certificate_list_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, >=, 1);
  return g_object_ref (g_ptr_array_index (list, 0));
}

static CachetStore *
new_store (const char *dir)
{
  g_autoptr(GError) error = NULL;
  CachetStore *store = cachet_store_new (dir, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* A certificate's fingerprint in a bundle of PEM certificates? */
static gboolean
bundle_contains (const char        *bundle,
                 CachetCertificate *certificate)
{
  g_autoptr(GPtrArray) list = cachet_certificate_list_from_file (bundle, NULL);

  for (guint i = 0; list != NULL && i < list->len; i++)
    if (cachet_certificate_equal (g_ptr_array_index (list, i), certificate))
      return TRUE;
  return FALSE;
}

static CachetCertificate *
find_by_name (GPtrArray  *list,
              const char *name)
{
  for (guint i = 0; i < list->len; i++)
    if (g_strcmp0 (cachet_certificate_get_name (g_ptr_array_index (list, i)), name) == 0)
      return g_ptr_array_index (list, i);
  return NULL;
}

static void
test_nss_email_roots (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) roots = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) system = NULL;
  g_autofree char *dir = cachet_test_tmpdir ();
  g_autoptr(CachetStore) store = new_store (dir);
  const char *bundle = "/etc/ssl/certs/ca-certificates.crt";
  CachetCertificate *harica;
  CachetCertificate *isrg = NULL;

  if (!g_file_test ("/usr/lib/x86_64-linux-gnu/libnssckbi.so", G_FILE_TEST_EXISTS) &&
      !g_file_test ("/usr/lib/aarch64-linux-gnu/libnssckbi.so", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("libnssckbi.so (package libnss3) is not installed");
      return;
    }

  roots = cachet_nss_email_roots_load (&error);
  g_assert_no_error (error);
  /* Debian 12's libnss3 3.87 marks 108 roots trusted for email. */
  g_assert_cmpuint (roots->len, >=, 60);
  g_assert_cmpuint (roots->len, <=, 200);
  for (guint i = 0; i < roots->len; i++)
    g_assert_true (cachet_certificate_is_self_signed (g_ptr_array_index (roots, i)));  /* old v1 roots lack basicConstraints */

  harica = find_by_name (roots, "HARICA Client RSA Root CA 2021");
  g_assert_nonnull (harica);
  g_assert_true (cachet_certificate_is_self_signed (harica));
  /* The point of reading NSS: this root is not in Debian's TLS bundle. */
  if (g_file_test (bundle, G_FILE_TEST_EXISTS))
    g_assert_false (bundle_contains (bundle, harica));
  g_assert_cmpstr (cachet_store_get_anchor_source (store, harica), ==, "mozilla-email");
  g_assert_true (cachet_store_check_trust (store, harica, NULL, NULL, NULL));

  /* A TLS-only root (Let's Encrypt's) is not in the email set, and is reported as "system". */
  system = g_file_test (bundle, G_FILE_TEST_EXISTS) ? cachet_certificate_list_from_file (bundle, NULL) : NULL;
  if (system != NULL)
    isrg = find_by_name (system, "ISRG Root X1");
  if (isrg != NULL)
    {
      g_assert_null (find_by_name (roots, "ISRG Root X1"));
      g_assert_cmpstr (cachet_store_get_anchor_source (store, isrg), ==, "system");
    }

  /* Loaded once: a second call gives the same certificates. */
  again = cachet_nss_email_roots_load (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, roots->len);
  g_assert_true (g_ptr_array_index (again, 0) == g_ptr_array_index (roots, 0));
}

static CachetVerdict *
make_verdict (CachetCertificate *certificate,
              GPtrArray         *chain,
              const char        *from,
              gboolean           trusted,
              gboolean           valid,
              gboolean           matches_from)
{
  CachetVerdict *verdict = cachet_verdict_new ();
  g_autoptr(CachetSigner) signer = cachet_signer_new ();
  const char * const capabilities[] = { "aes-256-gcm", "aes-128-gcm", "aes-256-cbc", NULL };

  cachet_verdict_set_signed (verdict, TRUE);
  cachet_verdict_set_coverage (verdict, CACHET_COVERAGE_WHOLE);
  cachet_verdict_set_from (verdict, from);
  cachet_signer_set_certificate (signer, certificate);
  for (guint i = 0; chain != NULL && i < chain->len; i++)
    g_ptr_array_add (cachet_signer_get_chain (signer), g_object_ref (g_ptr_array_index (chain, i)));
  cachet_signer_set_signature_valid (signer, valid);
  cachet_signer_set_trusted (signer, trusted);
  cachet_signer_set_matches_from (signer, matches_from);
  cachet_signer_set_digest (signer, "sha256");
  cachet_signer_set_capabilities (signer, capabilities);
  if (trusted)
    cachet_signer_set_anchor_source (signer, "command-line");
  else
    cachet_signer_add_problem (signer, CACHET_PROBLEM_UNTRUSTED_ISSUER, NULL);
  if (!valid)
    cachet_signer_add_problem (signer, CACHET_PROBLEM_CONTENT_ALTERED, NULL);
  if (!matches_from)
    cachet_signer_add_problem (signer, CACHET_PROBLEM_FROM_MISMATCH, NULL);
  cachet_verdict_add_signer (verdict, signer);
  return verdict;
}

static CachetVerdict *
make_unsigned_verdict (const char *from)
{
  CachetVerdict *verdict = cachet_verdict_new ();

  cachet_verdict_set_signed (verdict, FALSE);
  cachet_verdict_set_coverage (verdict, CACHET_COVERAGE_NONE);
  cachet_verdict_set_from (verdict, from);
  return verdict;
}

static void
test_collect_from_verdicts (void)
{
  g_autofree char *dir = cachet_test_tmpdir ();
  g_autofree char *bob_base = cachet_test_pki_issue (pki, "bob", "Bob@Example.org", "rsa2048", NULL);
  g_autofree char *carol_base = cachet_test_pki_issue (pki, "carol", "carol@example.org", "rsa2048", NULL);
  g_autofree char *dave_base = cachet_test_pki_issue (pki, "dave", "dave@example.org", "rsa2048", NULL);
  g_autoptr(CachetCertificate) bob = load_certificate (bob_base, ".crt");
  g_autoptr(CachetCertificate) carol = load_certificate (carol_base, ".crt");
  g_autoptr(CachetCertificate) dave = load_certificate (dave_base, ".crt");
  g_autoptr(CachetCertificate) inter = NULL;
  g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(CachetStore) store = new_store (dir);
  g_autoptr(CachetStore) reopened = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(CachetCertificate) recipient = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *capabilities;
  CachetContact *contact;

  {
    g_autoptr(GPtrArray) list = cachet_certificate_list_from_file (pki->inter_cert, NULL);
    inter = g_object_ref (g_ptr_array_index (list, 0));
    g_ptr_array_add (chain, g_object_ref (inter));
  }

  /* Good verdict: Bob becomes a contact with his capabilities, and "usually signs". */
  {
    g_autoptr(CachetVerdict) verdict = make_verdict (bob, chain, "bob@example.org", TRUE, TRUE, TRUE);
    g_assert_cmpint (cachet_verdict_get_status (verdict), ==, CACHET_STATUS_GOOD);
    cachet_store_collect_from_verdict (store, verdict);
    g_assert_cmpint (cachet_verdict_get_status (verdict), ==, CACHET_STATUS_GOOD);
  }
  found = cachet_store_find_contacts (store, "BOB@example.ORG");
  g_assert_cmpuint (found->len, ==, 1);
  contact = g_ptr_array_index (found, 0);
  g_assert_true (cachet_certificate_equal (cachet_contact_get_certificate (contact), bob));
  g_assert_cmpint (cachet_contact_get_origin (contact), ==, CACHET_CONTACT_COLLECTED);
  g_assert_true (cachet_contact_get_trusted (contact));
  g_assert_cmpuint (cachet_contact_get_chain (contact)->len, ==, 1);
  capabilities = cachet_store_get_capabilities (store, "bob@example.org");
  g_assert_nonnull (capabilities);
  g_assert_cmpstr (capabilities[0], ==, "aes-256-gcm");
  g_assert_true (cachet_store_get_usually_signs (store, "Bob@Example.org"));
  /* A good signature vouches for the certificate: it can be encrypted to. */
  recipient = cachet_store_find_recipient (store, "bob@example.org", &error);
  g_assert_no_error (error);
  g_assert_true (cachet_certificate_equal (recipient, bob));

  /* Untrusted, bad or mismatching verdicts teach nothing. */
  {
    g_autoptr(CachetVerdict) untrusted = make_verdict (carol, chain, "carol@example.org", FALSE, TRUE, TRUE);
    g_autoptr(CachetVerdict) bad = make_verdict (carol, chain, "carol@example.org", TRUE, FALSE, TRUE);
    g_autoptr(CachetVerdict) mismatch = make_verdict (dave, chain, "mallory@example.org", TRUE, TRUE, FALSE);

    g_assert_cmpint (cachet_verdict_get_status (untrusted), ==, CACHET_STATUS_UNTRUSTED);
    g_assert_cmpint (cachet_verdict_get_status (bad), ==, CACHET_STATUS_BAD);
    cachet_store_collect_from_verdict (store, untrusted);
    cachet_store_collect_from_verdict (store, bad);
    cachet_store_collect_from_verdict (store, mismatch);
  }
  g_clear_pointer (&found, g_ptr_array_unref);
  found = cachet_store_find_contacts (store, "carol@example.org");
  g_assert_cmpuint (found->len, ==, 0);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = cachet_store_find_contacts (store, "dave@example.org");
  g_assert_cmpuint (found->len, ==, 0);
  g_assert_false (cachet_store_get_usually_signs (store, "carol@example.org"));
  g_assert_false (cachet_store_get_usually_signs (store, "mallory@example.org"));
  g_assert_null (cachet_store_get_capabilities (store, "carol@example.org"));

  /* An unsigned message from Bob is a red flag; from Carol it is not. */
  {
    g_autoptr(CachetVerdict) from_bob = make_unsigned_verdict ("bob@example.org");
    g_autoptr(CachetVerdict) from_carol = make_unsigned_verdict ("carol@example.org");

    cachet_store_collect_from_verdict (store, from_bob);
    cachet_store_collect_from_verdict (store, from_carol);
    g_assert_true (cachet_verdict_has_problem (from_bob, CACHET_PROBLEM_SENDER_USUALLY_SIGNS));
    g_assert_cmpint (cachet_verdict_get_status (from_bob), ==, CACHET_STATUS_UNSIGNED);
    g_assert_false (cachet_verdict_has_problem (from_carol, CACHET_PROBLEM_SENDER_USUALLY_SIGNS));
    /* Twice does not add it twice. */
    cachet_store_collect_from_verdict (store, from_bob);
    g_assert_cmpuint (cachet_verdict_get_n_problems (from_bob), ==, 1);
  }

  /* All of it survives a restart. */
  reopened = new_store (dir);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = cachet_store_find_contacts (reopened, "bob@example.org");
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_true (cachet_contact_get_trusted (g_ptr_array_index (found, 0)));
  g_assert_true (cachet_store_get_usually_signs (reopened, "bob@example.org"));
  capabilities = cachet_store_get_capabilities (reopened, "bob@example.org");
  g_assert_nonnull (capabilities);
  g_assert_cmpstr (capabilities[2], ==, "aes-256-cbc");
  {
    g_autoptr(CachetVerdict) from_bob = make_unsigned_verdict ("bob@example.org");
    cachet_store_collect_from_verdict (reopened, from_bob);
    g_assert_true (cachet_verdict_has_problem (from_bob, CACHET_PROBLEM_SENDER_USUALLY_SIGNS));
  }
  /* The signer-finding list holds Bob and his intermediate. */
  {
    g_autoptr(GPtrArray) certificates = cachet_store_get_contact_certificates (reopened);
    g_assert_cmpuint (certificates->len, ==, 2);
  }
  /* The models show the contact. */
  g_assert_cmpuint (g_list_model_get_n_items (cachet_store_get_contacts (reopened)), ==, 1);

  /* Checking Bob's mail again the same day (a new process: a new store) writes nothing: the
   * files keep their inodes (every save writes a new file and renames it over the old one). */
  {
    g_autoptr(CachetStore) again = new_store (dir);
    g_autoptr(CachetVerdict) verdict = make_verdict (bob, chain, "bob@example.org", TRUE, TRUE, TRUE);
    const char *fingerprint = cachet_certificate_get_fingerprint (bob);
    g_autofree char *pem = g_strconcat (fingerprint, ".pem", NULL);
    g_autofree char *ini = g_strconcat (fingerprint, ".ini", NULL);
    char *paths[] = {
      g_build_filename (dir, "addresses.ini", NULL),
      g_build_filename (dir, "contacts", pem, NULL),
      g_build_filename (dir, "contacts", ini, NULL),
    };
    GStatBuf before[G_N_ELEMENTS (paths)], after[G_N_ELEMENTS (paths)];

    for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
      g_assert_cmpint (g_stat (paths[i], &before[i]), ==, 0);
    cachet_store_collect_from_verdict (again, verdict);
    for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        g_assert_cmpint (g_stat (paths[i], &after[i]), ==, 0);
        if (after[i].st_ino != before[i].st_ino)
          g_error ("%s was written again", paths[i]);
        g_free (paths[i]);
      }
    g_assert_true (cachet_store_get_usually_signs (again, "bob@example.org"));
  }
}

static void
test_anchors_and_recipients (void)
{
  g_autofree char *dir = cachet_test_tmpdir ();
  g_autofree char *old_base = cachet_test_pki_issue (pki, "erin-old", "erin@example.org", "rsa2048", NULL);
  g_autofree char *new_base = NULL;
  g_autofree char *expired_base = cachet_test_pki_issue (pki, "erin-expired", "erin@example.org", "rsa2048", "expired");
  g_autofree char *signonly_base = cachet_test_pki_issue (pki, "erin-sign", "erin@example.org", "rsa2048", "sign-only");
  g_autofree char *frank_base = cachet_test_pki_issue (pki, "frank", "frank@example.org", "p256", NULL);
  g_autoptr(CachetStore) store = new_store (dir);
  g_autoptr(CachetStore) reopened = NULL;
  g_autoptr(CachetCertificate) root = NULL;
  g_autoptr(CachetCertificate) erin_new = NULL;
  g_autoptr(CachetCertificate) recipient = NULL;
  g_autoptr(GPtrArray) anchors = NULL;
  g_autoptr(GError) error = NULL;
  const char *source = NULL;
  const char *bases[4];

  /* A later notBefore: openssl ca stamps "now", so wait a second. */
  g_usleep (1100 * 1000);
  new_base = cachet_test_pki_issue (pki, "erin-new", "Erin@Example.org", "rsa2048", NULL);
  erin_new = load_certificate (new_base, ".crt");

  bases[0] = old_base;
  bases[1] = new_base;
  bases[2] = expired_base;
  bases[3] = signonly_base;
  for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
    {
      g_autofree char *chain = g_strconcat (bases[i], "-chain.pem", NULL);
      g_autoptr(GPtrArray) added = cachet_store_import_contacts (store, chain, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (added->len, ==, 1);
      /* The intermediate came along as the chain. */
      g_assert_cmpuint (cachet_contact_get_chain (g_ptr_array_index (added, 0))->len, ==, 1);
      g_assert_false (cachet_contact_get_trusted (g_ptr_array_index (added, 0)));
    }

  /* Not trusted yet: never chosen, and the error says why and for whom. */
  recipient = cachet_store_find_recipient (store, "erin@example.org", &error);
  g_assert_null (recipient);
  g_assert_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE);
  g_assert_nonnull (strstr (error->message, "erin@example.org"));
  g_assert_nonnull (strstr (error->message, "not trusted"));
  g_clear_error (&error);

  /* Trust the test root: now the newest valid encryption certificate wins. */
  root = load_certificate (pki->root_cert, "");
  g_assert_true (cachet_store_add_anchor (store, root, &error));
  g_assert_no_error (error);
  g_assert_true (cachet_store_check_trust (store, erin_new, NULL, &source, &error) ||
                 error != NULL);  /* without the intermediate the chain is incomplete */
  g_clear_error (&error);
  {
    g_autoptr(GPtrArray) found = cachet_store_find_contacts (store, "erin@example.org");
    g_assert_cmpuint (found->len, ==, 4);
    g_assert_true (cachet_store_check_trust (store, cachet_contact_get_certificate (g_ptr_array_index (found, 0)),
                                             cachet_contact_get_chain (g_ptr_array_index (found, 0)),
                                             &source, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (source, ==, "user");
  }
  recipient = cachet_store_find_recipient (store, "ERIN@example.org", &error);
  g_assert_no_error (error);
  g_assert_true (cachet_certificate_equal (recipient, erin_new));
  g_clear_object (&recipient);

  /* ECDSA: signing only. */
  {
    g_autofree char *chain = g_strconcat (frank_base, "-chain.pem", NULL);
    g_autoptr(GPtrArray) added = cachet_store_import_contacts (store, chain, &error);
    g_assert_no_error (error);
    g_assert_true (cachet_contact_get_trusted (g_ptr_array_index (added, 0)));
  }
  recipient = cachet_store_find_recipient (store, "frank@example.org", &error);
  g_assert_null (recipient);
  g_assert_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE);
  g_assert_nonnull (strstr (error->message, "frank@example.org"));
  g_clear_error (&error);

  /* Nobody. */
  recipient = cachet_store_find_recipient (store, "nobody@example.org", &error);
  g_assert_null (recipient);
  g_assert_error (error, CACHET_ERROR, CACHET_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "nobody@example.org"));
  g_clear_error (&error);

  /* Anchors persist, and a person's certificate cannot be one. */
  g_assert_false (cachet_store_add_anchor (store, erin_new, &error));
  g_assert_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE);
  g_clear_error (&error);
  reopened = new_store (dir);
  anchors = cachet_store_get_anchors (reopened);
  g_assert_cmpuint (anchors->len, ==, 1);
  g_assert_cmpstr (cachet_store_get_anchor_source (reopened, root), ==, "user");
  g_assert_cmpuint (g_list_model_get_n_items (cachet_store_get_anchor_model (reopened)), ==, 1);

  /* Removing the anchor makes the imported contacts untrusted again. */
  g_assert_true (cachet_store_remove_anchor (reopened, cachet_certificate_get_fingerprint (root), &error));
  g_assert_no_error (error);
  recipient = cachet_store_find_recipient (reopened, "erin@example.org", &error);
  g_assert_null (recipient);
  g_assert_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE);
  g_clear_error (&error);
  g_assert_false (cachet_store_remove_anchor (reopened, cachet_certificate_get_fingerprint (root), &error));
  g_assert_error (error, CACHET_ERROR, CACHET_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_pointer (&anchors, g_ptr_array_unref);
  g_clear_object (&reopened);
  reopened = new_store (dir);
  anchors = cachet_store_get_anchors (reopened);
  g_assert_cmpuint (anchors->len, ==, 0);
}

static void
run_cli_in (CachetTestRun *run,
            const char    *data_home,
            const char * const *arguments)
{
  g_autofree char *env_data = g_strdup_printf ("XDG_DATA_HOME=%s", data_home);
  const char *envp[] = { env_data, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/cachet-test", NULL };
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) "cachet-cli");
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) arguments[i]);
  g_ptr_array_add (argv, NULL);
  cachet_test_run (run, envp, (const char * const *) argv->pdata);
}

#define CLI(run, home, ...) G_STMT_START { \
    const char *args_[] = { __VA_ARGS__, NULL }; \
    run_cli_in ((run), (home), args_); \
  } G_STMT_END

static void
test_cli_contacts_and_trust (void)
{
  g_autofree char *home = cachet_test_tmpdir ();
  g_autofree char *work = cachet_test_tmpdir ();
  g_autofree char *gina = cachet_test_pki_issue (pki, "gina", "Gina@Example.org", "rsa2048", NULL);
  g_autofree char *old = cachet_test_pki_issue (pki, "hank-old", "hank@example.org", "rsa2048", "expired");
  g_autofree char *ivan = cachet_test_pki_issue (pki, "ivan", "ivan@example.org", "rsa2048", NULL);
  g_autofree char *gina_crt = g_strconcat (gina, ".crt", NULL);
  g_autofree char *gina_der = g_build_filename (work, "gina.der", NULL);
  g_autofree char *gina_p7b = g_build_filename (work, "gina.p7b", NULL);
  g_autofree char *old_chain = g_strconcat (old, "-chain.pem", NULL);
  g_autofree char *ivan_crt = g_strconcat (ivan, ".crt", NULL);
  g_autofree char *ivan_key = g_strconcat (ivan, ".key", NULL);
  g_autofree char *message = NULL;
  g_autofree char *signed_message = g_build_filename (work, "signed.eml", NULL);
  g_autofree char *exported = g_build_filename (work, "exported.pem", NULL);
  g_autofree char *fingerprint = NULL;
  g_autoptr(CachetCertificate) root = load_certificate (pki->root_cert, "");
  CachetTestRun run = { 0 };

  g_assert_cmpint (cachet_test_shell (NULL, "openssl x509 -in '%s' -outform DER -out '%s'", gina_crt, gina_der), ==, 0);
  g_assert_cmpint (cachet_test_shell (NULL, "openssl crl2pkcs7 -nocrl -certfile '%s' -certfile '%s' -outform DER -out '%s'",
                                      gina_crt, pki->inter_cert, gina_p7b), ==, 0);
  message = cachet_test_write_message (work, "plain.eml", "ivan@example.org", "gina@example.org", "Hello", "Hi Gina\n");
  g_assert_cmpint (cachet_test_shell (NULL, "openssl cms -sign -in '%s' -signer '%s' -inkey '%s' -certfile '%s' -out '%s'",
                                      message, ivan_crt, ivan_key, pki->inter_cert, signed_message), ==, 0);

  /* DER, then the same certificate in a PKCS#7 bundle (updated, not doubled). */
  CLI (&run, home, "contact", "import", gina_der);
  cachet_test_assert_exit (&run, 0);
  g_assert_nonnull (strstr (run.out, "gina@example.org"));
  g_assert_nonnull (strstr (run.err, "not issued by an authority you trust"));
  CLI (&run, home, "contact", "import", gina_p7b);
  cachet_test_assert_exit (&run, 0);

  /* An expired certificate is accepted, with a warning. */
  CLI (&run, home, "contact", "import", old_chain);
  cachet_test_assert_exit (&run, 0);
  g_assert_nonnull (strstr (run.err, "not valid now"));

  /* A signed message brings its signer's certificate. */
  CLI (&run, home, "contact", "import", signed_message);
  cachet_test_assert_exit (&run, 0);
  g_assert_nonnull (strstr (run.out, "ivan@example.org"));

  /* A CA-only file is refused with advice; garbage too; nothing is added. */
  CLI (&run, home, "contact", "import", pki->root_cert);
  cachet_test_assert_exit (&run, 2);
  g_assert_nonnull (strstr (run.err, "trust add"));
  CLI (&run, home, "contact", "import", "/etc/hostname");
  cachet_test_assert_exit (&run, 2);
  /* One line on stderr. */
  g_assert_true (strchr (run.err, '\n') == run.err + strlen (run.err) - 1);

  CLI (&run, home, "contact", "list", "--json");
  cachet_test_assert_exit (&run, 0);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonArray *array;

    g_assert_true (json_parser_load_from_data (parser, run.out, -1, NULL));
    array = json_node_get_array (json_parser_get_root (parser));
    g_assert_cmpuint (json_array_get_length (array), ==, 3);
    for (guint i = 0; i < 3; i++)
      {
        JsonObject *object = json_array_get_object_element (array, i);
        g_assert_cmpstr (json_object_get_string_member (object, "origin"), ==, "imported");
        g_assert_false (json_object_get_boolean_member (object, "trusted"));
      }
  }

  /* Trust the root: the contacts become trusted. */
  CLI (&run, home, "trust", "add", pki->root_cert);
  cachet_test_assert_exit (&run, 0);
  CLI (&run, home, "trust", "add", gina_crt);
  cachet_test_assert_exit (&run, 2);
  CLI (&run, home, "trust", "list", "--json");
  cachet_test_assert_exit (&run, 0);
  g_assert_nonnull (strstr (run.out, cachet_certificate_get_fingerprint (root)));
  g_assert_nonnull (strstr (run.out, "\"user\""));
  CLI (&run, home, "trust", "list");
  cachet_test_assert_exit (&run, 0);
  g_assert_nonnull (strstr (run.out, "Cachet Test Root CA"));
  CLI (&run, home, "contact", "list");
  cachet_test_assert_exit (&run, 0);
  g_assert_nonnull (strstr (run.out, "gina@example.org"));
  CLI (&run, home, "contact", "list", "--json");
  cachet_test_assert_exit (&run, 0);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonArray *array;
    guint trusted = 0;

    g_assert_true (json_parser_load_from_data (parser, run.out, -1, NULL));
    array = json_node_get_array (json_parser_get_root (parser));
    for (guint i = 0; i < json_array_get_length (array); i++)
      trusted += json_object_get_boolean_member (json_array_get_object_element (array, i), "trusted");
    /* Gina and Ivan now chain to the anchor; Hank's certificate has expired. */
    g_assert_cmpuint (trusted, ==, 2);
  }

  /* a certificate is not a revocation list (test-revocation.c covers real ones) */
  CLI (&run, home, "trust", "add-crl", pki->root_cert);
  cachet_test_assert_exit (&run, 2);
  g_assert_nonnull (strstr (run.err, "not a certificate revocation list"));

  /* Export and delete by address, case-insensitively. */
  CLI (&run, home, "contact", "export", "GINA@example.org", "-o", exported);
  cachet_test_assert_exit (&run, 0);
  {
    g_autoptr(GPtrArray) list = cachet_certificate_list_from_file (exported, NULL);
    g_autoptr(CachetCertificate) gina_cert = load_certificate (gina, ".crt");
    g_assert_nonnull (list);
    g_assert_true (cachet_certificate_equal (g_ptr_array_index (list, 0), gina_cert));
  }
  CLI (&run, home, "contact", "delete", "gina@EXAMPLE.org");
  cachet_test_assert_exit (&run, 0);
  CLI (&run, home, "contact", "delete", "gina@example.org");
  cachet_test_assert_exit (&run, 2);
  g_assert_nonnull (strstr (run.err, "No contact matches"));

  /* Remove the anchor by fingerprint prefix. */
  fingerprint = g_strndup (cachet_certificate_get_fingerprint (root), 16);
  CLI (&run, home, "trust", "remove", fingerprint);
  cachet_test_assert_exit (&run, 0);
  CLI (&run, home, "trust", "list", "--json");
  cachet_test_assert_exit (&run, 0);
  g_assert_null (strstr (run.out, cachet_certificate_get_fingerprint (root)));
  CLI (&run, home, "trust", "remove", fingerprint);
  cachet_test_assert_exit (&run, 2);

  cachet_test_run_clear (&run);
}

/* End to end with cachet-cli verify: a good signature teaches, an untrusted one does not, and an
 * unsigned message from a sender who signs is flagged. */
static void
test_cli_collect_on_verify (void)
{
  g_autofree char *home = cachet_test_tmpdir ();
  g_autofree char *work = cachet_test_tmpdir ();
  g_autofree char *olga = cachet_test_pki_issue (pki, "olga", "Olga@Example.org", "rsa2048", NULL);
  g_autofree char *olga_crt = g_strconcat (olga, ".crt", NULL);
  g_autofree char *olga_key = g_strconcat (olga, ".key", NULL);
  g_autofree char *other_dir = cachet_test_tmpdir ();
  g_autofree char *plain = NULL;
  g_autofree char *unsigned_message = NULL;
  g_autofree char *good = g_build_filename (work, "good.eml", NULL);
  g_autofree char *untrusted = g_build_filename (work, "untrusted.eml", NULL);
  g_autofree char *pete_key = g_build_filename (work, "pete.key", NULL);
  g_autofree char *pete_crt = g_build_filename (work, "pete.crt", NULL);
  g_autofree char *pete_plain = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  CachetTestRun run = { 0 };
  JsonArray *array;
  JsonObject *object;

  plain = cachet_test_write_message (work, "plain.eml", "Olga <olga@example.org>", "me@example.org", "Signed", "Hello\n");
  unsigned_message = cachet_test_write_message (work, "unsigned.eml", "Olga <olga@example.org>", "me@example.org", "Not signed", "Pay this invoice\n");
  pete_plain = cachet_test_write_message (work, "pete.eml", "pete@example.org", "me@example.org", "Self-signed", "Hi\n");
  g_assert_cmpint (cachet_test_shell (NULL,
      "openssl cms -sign -in '%s' -signer '%s' -inkey '%s' -certfile '%s' -from olga@example.org -to me@example.org -subject Signed -out '%s' && "
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout '%s' -out '%s' -days 30 -subj '/CN=Pete/emailAddress=pete@example.org' "
      "  -addext 'subjectAltName=email:pete@example.org' 2>/dev/null && "
      "openssl cms -sign -in '%s' -signer '%s' -inkey '%s' -from pete@example.org -to me@example.org -subject Self -out '%s'",
      plain, olga_crt, olga_key, pki->inter_cert, good, pete_key, pete_crt, pete_plain, pete_crt, pete_key, untrusted), ==, 0);

  /* Before any signed mail from Olga: an unsigned message is just unsigned. */
  CLI (&run, home, "verify", "--json", unsigned_message);
  cachet_test_assert_exit (&run, 4);
  g_assert_null (strstr (run.out, "sender-usually-signs"));

  CLI (&run, home, "verify", "--trust", pki->root_cert, good);
  cachet_test_assert_exit (&run, 0);
  CLI (&run, home, "verify", untrusted);
  cachet_test_assert_exit (&run, 3);

  CLI (&run, home, "contact", "list", "--json");
  cachet_test_assert_exit (&run, 0);
  g_assert_true (json_parser_load_from_data (parser, run.out, -1, NULL));
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, 1);  /* Olga, not Pete */
  object = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (object, "origin"), ==, "collected");
  g_assert_true (json_object_get_boolean_member (object, "trusted"));
  {
    JsonObject *capabilities = json_object_get_object_member (object, "capabilities");
    JsonObject *olga_caps = json_object_get_object_member (capabilities, "olga@example.org");
    /* OpenSSL announces its ciphers in SMIMECapabilities. */
    g_assert_true (json_object_get_boolean_member (olga_caps, "usually_signs"));
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (olga_caps, "ciphers")), >, 0);
  }

  /* Now the unsigned message from Olga is flagged (still exit 4, a warning). */
  CLI (&run, home, "verify", "--json", unsigned_message);
  cachet_test_assert_exit (&run, 4);
  g_assert_nonnull (strstr (run.out, "sender-usually-signs"));
  /* ...but not in another user's store. */
  CLI (&run, other_dir, "verify", "--json", unsigned_message);
  cachet_test_assert_exit (&run, 4);
  g_assert_null (strstr (run.out, "sender-usually-signs"));
  cachet_test_run_clear (&run);
}

/* No Secret Service: one clear sentence, exit 2, and nothing stored anywhere. */
static void
test_keyring_absent (void)
{
  g_autofree char *home = cachet_test_tmpdir ();
  g_autofree char *work = cachet_test_tmpdir ();
  g_autofree char *request = g_build_filename (work, "request.csr", NULL);
  g_autofree char *p12 = g_build_filename (work, "jane.p12", NULL);
  g_autofree char *password = g_build_filename (work, "password", NULL);
  g_autofree char *jane = cachet_test_pki_issue (pki, "jane", "jane@example.org", "rsa2048", NULL);
  g_autofree char *listing = NULL;
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(GPtrArray) credentials = NULL;
  g_autoptr(GError) error = NULL;
  CachetTestRun run = { 0 };

  g_assert_true (g_file_set_contents (password, "secret\n", -1, NULL));
  g_assert_cmpint (cachet_test_shell (NULL, "openssl pkcs12 -export -inkey '%s.key' -in '%s.crt' -passout pass:secret -out '%s'",
                                      jane, jane, p12), ==, 0);

  CLI (&run, home, "identity", "new", "--name", "Jane Doe", "--email", "jane@example.org",
       "--key", "rsa-2048", "-o", request);
  cachet_test_assert_exit (&run, 2);
  g_assert_nonnull (strstr (run.err, "keyring"));
  g_assert_nonnull (strstr (run.err, "gnome-keyring"));
  g_assert_cmpuint (strlen (run.err) - 1, ==, (guint) (strchr (run.err, '\n') - run.err));
  g_assert_false (g_file_test (request, G_FILE_TEST_EXISTS));

  CLI (&run, home, "identity", "import", p12, "--password-file", password);
  cachet_test_assert_exit (&run, 2);
  g_assert_nonnull (strstr (run.err, "keyring"));

  CLI (&run, home, "identity", "list", "--json");
  cachet_test_assert_exit (&run, 0);
  g_assert_cmpstr (g_strstrip (run.out), ==, "[]");
  /* No identity files were left behind. */
  g_assert_cmpint (cachet_test_shell (&listing, "find '%s' -type f", home), ==, 0);
  g_assert_cmpstr (listing, ==, "");

  /* A Secret Service that answers but is locked (a fresh gnome-keyring with no unlocked login
   * keyring and no display to ask on): the same clear sentence, nothing stored. */
  if (cachet_test_have_program ("dbus-run-session") && cachet_test_have_program ("gnome-keyring-daemon"))
    {
      g_autofree char *locked_home = cachet_test_tmpdir ();
      g_autofree char *err = NULL;
      g_autofree char *locked_listing = NULL;
      g_autofree char *locked_request = g_build_filename (locked_home, "locked.csr", NULL);
      int code;

      code = cachet_test_shell (&err,
          "cd '%s' && mkdir -m 700 run && "
          "env -u DISPLAY -u WAYLAND_DISPLAY -u G_DEBUG HOME='%s' XDG_RUNTIME_DIR='%s/run' XDG_DATA_HOME='%s/data' "
          "dbus-run-session -- '%s' identity new --name 'Jane Doe' --email jane@example.org --key p-256 -o '%s/locked.csr' 2>&1 "
          "| grep '^cachet-cli:'; exit 0",
          locked_home, locked_home, locked_home, locked_home, g_getenv ("CACHET_CLI"), locked_home);
      g_assert_cmpint (code, ==, 0);
      g_assert_nonnull (strstr (err, "no unlocked keyring answered"));
      g_assert_false (g_file_test (locked_request, G_FILE_TEST_EXISTS));
      g_assert_cmpint (cachet_test_shell (&locked_listing, "find '%s/data/cachet' -type f 2>/dev/null", locked_home), ==, 0);
      g_assert_cmpstr (locked_listing, ==, "");
    }
  else
    g_test_message ("dbus-run-session or gnome-keyring-daemon missing: locked keyring not checked");

  /* No identities: decryption's key list is empty, and the keyring is not even asked. */
  store = new_store (home);
  credentials = cachet_store_get_identity_credentials (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (credentials->len, ==, 0);

  cachet_test_run_clear (&run);
}

/* GnuPG 2.2 derives a wrong 3DES key for about one PKCS#12 salt in 128 (see key_trips_gnupg in
 * cachet-pkcs12.c); Cachet's legacy export avoids those salts. This checks the prediction against
 * gpgsm itself, on files OpenSSL makes (OpenSSL does not avoid them): a file predicted to trip
 * is refused by gpgsm, one predicted fine is imported. */
static gboolean
gpgsm_imports_key (const char *p12)
{
  g_autofree char *gnupg = cachet_test_tmpdir ();
  g_autofree char *log = NULL;

  cachet_test_shell (&log,
      "export GNUPGHOME='%s'; chmod 700 \"$GNUPGHOME\"; "
      "echo allow-loopback-pinentry > \"$GNUPGHOME/gpg-agent.conf\"; "
      "printf 'correct horse\\n' | gpgsm --batch --pinentry-mode loopback --passphrase-fd 0 --import '%s' 2>&1; "
      "gpgconf --kill gpg-agent",
      gnupg, p12);
  return strstr (log, "secret keys imported: 1") != NULL;
}

static void
test_pkcs12_gnupg_salts (void)
{
  g_autofree char *work = cachet_test_tmpdir ();
  g_autofree char *kai = cachet_test_pki_issue (pki, "kai", "kai@example.org", "rsa2048", NULL);
  g_autofree char *tripping = NULL;
  g_autofree char *fine = NULL;

  if (!cachet_test_have_program ("gpgsm"))
    {
      g_test_skip ("gpgsm missing (apt-get install gpgsm)");
      return;
    }

  /* One iteration keeps each file cheap; the chance of no tripping salt in 2,000 is 1e-7. */
  for (guint batch = 0; batch < 20 && (tripping == NULL || fine == NULL); batch++)
    {
      g_assert_cmpint (cachet_test_shell (NULL,
          "cd '%s' && for i in $(seq 1 100); do "
          "openssl pkcs12 -export -legacy -iter 1 -inkey '%s.key' -in '%s.crt' "
          "-passout 'pass:correct horse' -out $i.p12 || exit 1; done", work, kai, kai), ==, 0);
      for (guint i = 1; i <= 100; i++)
        {
          g_autofree char *name = g_strdup_printf ("%u.p12", i);
          g_autofree char *path = g_build_filename (work, name, NULL);
          g_autofree char *kept = NULL;
          g_autoptr(GBytes) bytes = NULL;
          char *contents;
          gsize length;

          g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
          bytes = g_bytes_new_take (contents, length);
          if (_cachet_pkcs12_trips_gnupg (bytes, "correct horse") ? tripping != NULL : fine != NULL)
            continue;
          kept = g_strdup_printf ("%s/kept-%u-%u.p12", work, batch, i);
          g_assert_cmpint (g_rename (path, kept), ==, 0);
          if (_cachet_pkcs12_trips_gnupg (bytes, "correct horse"))
            tripping = g_steal_pointer (&kept);
          else
            fine = g_steal_pointer (&kept);
        }
    }
  g_assert_nonnull (tripping);
  g_assert_nonnull (fine);
  g_assert_false (gpgsm_imports_key (tripping));
  g_assert_true (gpgsm_imports_key (fine));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  cachet_core_init ();

  g_test_add_func ("/cachet/store/nss-email-roots", test_nss_email_roots);
  g_test_add_func ("/cachet/store/collect-from-verdicts", test_collect_from_verdicts);
  g_test_add_func ("/cachet/store/anchors-and-recipients", test_anchors_and_recipients);
  g_test_add_func ("/cachet/store/cli-contacts-and-trust", test_cli_contacts_and_trust);
  g_test_add_func ("/cachet/store/cli-collect-on-verify", test_cli_collect_on_verify);
  g_test_add_func ("/cachet/store/keyring-absent", test_keyring_absent);
  g_test_add_func ("/cachet/store/pkcs12-gnupg-salts", test_pkcs12_gnupg_salts);

  pki = cachet_test_pki_new ();
  status = g_test_run ();
  cachet_test_pki_free (pki);
  return status;
}
