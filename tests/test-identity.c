/* SPDX-License-Identifier: GPL-3.0-or-later
 * test-identity.c: identities against a real gnome-keyring-daemon (suite keyring; run through
 * run-with-keyring.sh): the CA round trip, PKCS#12 in and out with OpenSSL and gpgsm as peers,
 * the corpus' PKCS#12 files, key rollover, and bad input. After each step no private key may be
 * on disk anywhere under the test's HOME.
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <json-glib/json-glib.h>

#include "cachet-pkcs12.h"
#include "cachet-secret.h"
#include "cachet-store.h"
#include "cachet-test-util.h"

static CachetTestPki *pki;

static gboolean
have_keyring (void)
{
  if (g_getenv ("CACHET_TEST_KEYRING") == NULL)
    {
      g_test_skip ("not running under tests/run-with-keyring.sh (no private keyring)");
      return FALSE;
    }
  return TRUE;
}

/* Runs cachet-cli with XDG_DATA_HOME=DATA_HOME. */
static void
run_cli_in (CachetTestRun      *run,
            const char         *data_home,
            const char * const *arguments)
{
  g_autofree char *env_data = g_strdup_printf ("XDG_DATA_HOME=%s", data_home);
  const char *envp[] = { env_data, NULL };
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

/* Files holding a PEM or DER private key under HOME, the XDG folders and EXTRA. */
static char *
find_private_keys (const char *extra)
{
  g_autofree char *found = NULL;
  const char *home = g_getenv ("HOME");
  const char *data = g_getenv ("XDG_DATA_HOME");
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");

  g_assert_cmpint (cachet_test_shell (&found,
      "find '%s' '%s' '%s' '%s' -type f 2>/dev/null | while read -r f; do "
      "  if grep -q 'PRIVATE KEY' \"$f\" || openssl pkey -inform DER -in \"$f\" -noout -passin pass: >/dev/null 2>&1; "
      "  then echo \"$f\"; fi; done",
      home, data != NULL ? data : home, runtime != NULL ? runtime : home, extra != NULL ? extra : home), ==, 0);
  return g_steal_pointer (&found);
}

static void
assert_no_private_key_on_disk (const char *extra)
{
  g_autofree char *found = find_private_keys (extra);

  if (found != NULL && *found != '\0')
    g_error ("private key found on disk: %s", found);
}

/* The search itself finds PEM and DER keys (so its silence means something). */
static void
test_key_search_finds_keys (void)
{
  g_autofree char *dir = cachet_test_tmpdir ();
  g_autofree char *found = NULL;

  if (!have_keyring ())
    return;
  g_assert_cmpint (cachet_test_shell (NULL,
      "cd '%s' && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out a.pem && "
      "openssl pkey -in a.pem -outform DER -out b.bin && openssl pkey -in a.pem -pubout -out public.pem",
      dir), ==, 0);
  found = find_private_keys (dir);
  g_assert_nonnull (strstr (found, "a.pem"));
  g_assert_nonnull (strstr (found, "b.bin"));
  g_assert_null (strstr (found, "public.pem"));
}

static JsonArray *
identity_list (JsonParser *parser,
               const char *data_home)
{
  CachetTestRun run = { 0 };

  CLI (&run, data_home, "identity", "list", "--json");
  cachet_test_assert_exit (&run, 0);
  g_assert_true (json_parser_load_from_data (parser, run.out, -1, NULL));
  cachet_test_run_clear (&run);
  return json_node_get_array (json_parser_get_root (parser));
}

static CachetStore *
open_store (const char *data_home)
{
  g_autofree char *dir = g_build_filename (data_home, "cachet", NULL);
  g_autoptr(GError) error = NULL;
  CachetStore *store = cachet_store_new (dir, &error);

  g_assert_no_error (error);
  return store;
}

/* The credentials sign data that GnuTLS verifies with the certificate, and decrypt what
 * OpenSSL encrypted to the certificate. */
static void
assert_credentials_work (CachetCredentials *credentials,
                         const char        *cert_path,
                         const char        *work)
{
  gnutls_privkey_t key = cachet_credentials_get_private_key (credentials);
  g_autoptr(GError) error = NULL;
  gnutls_pubkey_t pubkey = cachet_certificate_get_public_key (cachet_credentials_get_certificate (credentials), &error);
  const char message[] = "Cachet signs this.";
  gnutls_datum_t data = { (unsigned char *) message, sizeof message - 1 };
  gnutls_datum_t signature = { NULL, 0 };
  g_autofree char *plain_path = g_build_filename (work, "secret.txt", NULL);
  g_autofree char *cipher_path = g_build_filename (work, "secret.bin", NULL);
  g_autofree char *ciphertext = NULL;
  gsize cipher_size = 0;
  gnutls_datum_t cipher;
  gnutls_datum_t plain = { NULL, 0 };

  g_assert_no_error (error);
  g_assert_cmpint (gnutls_privkey_sign_data (key, GNUTLS_DIG_SHA256, 0, &data, &signature), ==, 0);
  g_assert_cmpint (gnutls_pubkey_verify_data2 (pubkey, gnutls_pk_to_sign (gnutls_pubkey_get_pk_algorithm (pubkey, NULL), GNUTLS_DIG_SHA256),
                                               0, &data, &signature), >=, 0);
  /* A changed message does not verify. */
  data.size--;
  g_assert_cmpint (gnutls_pubkey_verify_data2 (pubkey, gnutls_pk_to_sign (gnutls_pubkey_get_pk_algorithm (pubkey, NULL), GNUTLS_DIG_SHA256),
                                               0, &data, &signature), <, 0);
  gnutls_free (signature.data);
  gnutls_pubkey_deinit (pubkey);

  if (gnutls_privkey_get_pk_algorithm (key, NULL) != GNUTLS_PK_RSA)
    return;
  g_assert_true (g_file_set_contents (plain_path, "session key 0123456789", -1, NULL));
  g_assert_cmpint (cachet_test_shell (NULL, "openssl pkeyutl -encrypt -certin -inkey '%s' -in '%s' -out '%s'",
                                      cert_path, plain_path, cipher_path), ==, 0);
  g_assert_true (g_file_get_contents (cipher_path, &ciphertext, &cipher_size, NULL));
  cipher.data = (unsigned char *) ciphertext;
  cipher.size = cipher_size;
  g_assert_cmpint (gnutls_privkey_decrypt_data (key, 0, &cipher, &plain), ==, 0);
  g_assert_cmpmem (plain.data, plain.size, "session key 0123456789", 22);
  gnutls_memset (plain.data, 0, plain.size);
  gnutls_free (plain.data);
}

static void
test_ca_round_trip (void)
{
  g_autofree char *data_home = NULL;
  g_autofree char *work = NULL;
  g_autofree char *request = NULL;
  g_autofree char *text = NULL;
  g_autofree char *issued = NULL;
  g_autofree char *chain = NULL;
  g_autofree char *stranger = NULL;
  g_autofree char *stranger_crt = NULL;
  g_autofree char *message = NULL;
  g_autofree char *signed_message = NULL;
  g_autofree char *encrypted = NULL;
  g_autofree char *decrypted = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(CachetCredentials) credentials = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  CachetTestRun run = { 0 };
  JsonArray *list;
  JsonObject *identity;

  if (!have_keyring ())
    return;

  data_home = cachet_test_tmpdir ();
  work = cachet_test_tmpdir ();
  request = g_build_filename (work, "alice.csr", NULL);
  issued = g_build_filename (work, "alice.crt", NULL);
  chain = g_build_filename (work, "alice-chain.pem", NULL);

  CLI (&run, data_home, "identity", "new", "--name", "Alice Example", "--email", "Alice@Example.org",
       "--country", "NL", "--state", "Zuid-Holland", "--locality", "Delft", "--org", "Example BV",
       "--unit", "Research", "--key", "rsa-2048", "-o", request);
  cachet_test_assert_exit (&run, 0);
  assert_no_private_key_on_disk (data_home);

  /* Every field, the SAN and both usages; extendedKeyUsage not critical (GnuTLS's trap). */
  g_assert_cmpint (cachet_test_shell (&text, "openssl req -in '%s' -verify -noout -text 2>&1", request), ==, 0);
  g_assert_nonnull (strstr (text, "verify OK"));
  g_assert_nonnull (strstr (text, "C = NL, ST = Zuid-Holland, L = Delft, O = Example BV, OU = Research, CN = Alice Example, emailAddress = alice@example.org"));
  g_assert_nonnull (strstr (text, "email:alice@example.org"));
  g_assert_nonnull (strstr (text, "X509v3 Key Usage: critical"));
  g_assert_nonnull (strstr (text, "Digital Signature, Key Encipherment"));
  g_assert_nonnull (strstr (text, "E-mail Protection"));
  g_assert_null (strstr (text, "Extended Key Usage: critical"));
  g_assert_nonnull (strstr (text, "Public-Key: (2048 bit)"));
  g_assert_nonnull (strstr (text, "sha256WithRSAEncryption"));

  list = identity_list (parser, data_home);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  identity = json_array_get_object_element (list, 0);
  g_assert_cmpstr (json_object_get_string_member (identity, "state"), ==, "waiting");

  /* A certificate for some other key is refused, and nothing changes. */
  stranger = cachet_test_pki_issue (pki, "stranger", "stranger@example.org", "rsa2048", NULL);
  stranger_crt = g_strconcat (stranger, "-chain.pem", NULL);
  CLI (&run, data_home, "identity", "install", stranger_crt);
  cachet_test_assert_exit (&run, 2);
  g_assert_nonnull (strstr (run.err, "does not belong to any key waiting"));
  list = identity_list (parser, data_home);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "state"), ==, "waiting");

  /* The CA (OpenSSL) signs the request; the chain is installed. */
  g_assert_cmpint (cachet_test_shell (NULL,
      "cd '%s' && openssl x509 -req -in '%s' -CA inter.crt -CAkey inter.key -CAcreateserial "
      "-days 365 -copy_extensions copy -out '%s' && cat '%s' inter.crt > '%s'",
      pki->dir, request, issued, issued, chain), ==, 0);
  CLI (&run, data_home, "identity", "install", chain);
  cachet_test_assert_exit (&run, 0);
  assert_no_private_key_on_disk (data_home);

  list = identity_list (parser, data_home);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  identity = json_array_get_object_element (list, 0);
  g_assert_cmpstr (json_object_get_string_member (identity, "state"), ==, "current");
  g_assert_cmpint (json_object_get_int_member (identity, "chain_length"), ==, 1);
  g_assert_true (json_object_get_boolean_member (identity, "can_encrypt"));
  g_assert_cmpint (json_object_get_int_member (identity, "days_left"), >=, 363);

  /* The identity signs and decrypts, with its key from the keyring. */
  store = open_store (data_home);
  credentials = cachet_store_get_signing_credentials (store, "ALICE@example.org", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cachet_credentials_get_chain (credentials)->len, ==, 1);
  assert_credentials_work (credentials, issued, work);
  all = cachet_store_get_identity_credentials (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 1);

  /* And through cachet-cli, checked by OpenSSL, once signing and decryption are built. */
  message = cachet_test_write_message (work, "hello.eml", "alice@example.org", "bob@example.org", "Hello", "Hello Bob\n");
  signed_message = g_build_filename (work, "signed.eml", NULL);
  CLI (&run, data_home, "sign", "--as", "alice@example.org", "-o", signed_message, message);
  cachet_test_assert_exit (&run, 0);
  g_assert_cmpint (cachet_test_shell (NULL, "openssl cms -verify -in '%s' -CAfile '%s' -purpose smimesign -out /dev/null",
                                      signed_message, pki->root_cert), ==, 0);
  encrypted = g_build_filename (work, "encrypted.eml", NULL);
  decrypted = g_build_filename (work, "decrypted.eml", NULL);
  g_assert_cmpint (cachet_test_shell (NULL, "openssl cms -encrypt -aes256 -in '%s' -out '%s' '%s'",
                                      message, encrypted, issued), ==, 0);
  /* No key named: decrypt tries the store's identities (CLI.md). */
  CLI (&run, data_home, "decrypt", "-o", decrypted, encrypted);
  cachet_test_assert_exit (&run, 4);
  {
    g_autofree char *content = NULL;
    g_assert_true (g_file_get_contents (decrypted, &content, NULL, NULL));
    g_assert_nonnull (strstr (content, "Hello Bob"));
  }
  assert_no_private_key_on_disk (data_home);
  cachet_test_run_clear (&run);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_ecdsa_async (void)
{
  g_autofree char *data_home = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(CachetIdentity) identity = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  CachetCsrSubject subject = { (char *) "Eve Signer", (char *) "eve@example.org", NULL, NULL, NULL, NULL, NULL };
  CachetTestRun run = { 0 };

  if (!have_keyring ())
    return;

  /* The key is made in a thread; the main context keeps running. */
  g_main_context_push_thread_default (context);
  data_home = cachet_test_tmpdir ();
  store = open_store (data_home);
  cachet_store_new_identity_async (store, &subject, CACHET_KEY_TYPE_P256, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  identity = cachet_store_new_identity_finish (store, result, &error);
  g_assert_no_error (error);
  /* The model followed, in this context. */
  while (g_list_model_get_n_items (cachet_store_get_identities (store)) == 0)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  g_assert_cmpint (cachet_identity_get_state (identity), ==, CACHET_IDENTITY_WAITING);
  g_assert_nonnull (cachet_identity_get_request (identity));
  path = g_build_filename (data_home, "eve.csr", NULL);
  g_assert_true (g_file_set_contents (path, cachet_identity_get_request (identity), -1, NULL));
  g_assert_cmpint (cachet_test_shell (&text, "openssl req -in '%s' -verify -noout -text 2>&1", path), ==, 0);
  g_assert_nonnull (strstr (text, "verify OK"));
  g_assert_nonnull (strstr (text, "ASN1 OID: prime256v1"));
  g_assert_nonnull (strstr (text, "Digital Signature"));
  g_assert_null (strstr (text, "Key Encipherment"));

  /* The CLI warns that ECDSA cannot receive encrypted mail. */
  CLI (&run, data_home, "identity", "new", "--name", "Eve Signer", "--email", "eve@example.org",
       "--key", "p-384", "-o", path);
  cachet_test_assert_exit (&run, 0);
  g_assert_nonnull (strstr (run.err, "cannot receive encrypted mail"));
  CLI (&run, data_home, "identity", "new", "--name", "Eve", "--email", "not-an-address",
       "-o", path);
  cachet_test_assert_exit (&run, 2);
  g_assert_nonnull (strstr (run.err, "is not an email address"));
  CLI (&run, data_home, "identity", "new", "--name", "Eve", "--email", "eve@example.org",
       "--key", "dsa-1024", "-o", path);
  cachet_test_assert_exit (&run, 2);
  g_assert_nonnull (strstr (run.err, "not a key type"));
  assert_no_private_key_on_disk (data_home);
  cachet_test_run_clear (&run);
}

static void
test_export_and_reimport (void)
{
  g_autofree char *data_home = NULL;
  g_autofree char *again_modern = NULL;
  g_autofree char *again_legacy = NULL;
  g_autofree char *work = NULL;
  g_autofree char *base = NULL;
  g_autofree char *p12 = NULL;
  g_autofree char *modern = NULL;
  g_autofree char *legacy = NULL;
  g_autofree char *password = NULL;
  g_autofree char *info = NULL;
  g_autofree char *fingerprint = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  CachetTestRun run = { 0 };
  JsonArray *list;

  if (!have_keyring ())
    return;

  data_home = cachet_test_tmpdir ();
  work = cachet_test_tmpdir ();
  base = cachet_test_pki_issue (pki, "kim", "kim@example.org", "rsa2048", NULL);
  p12 = g_build_filename (work, "kim-in.p12", NULL);
  modern = g_build_filename (work, "kim-modern.pfx", NULL);
  legacy = g_build_filename (work, "kim-legacy.pfx", NULL);
  password = g_build_filename (work, "password", NULL);
  g_assert_true (g_file_set_contents (password, "correct horse\n", -1, NULL));

  g_assert_cmpint (cachet_test_shell (NULL, "openssl pkcs12 -export -inkey '%s.key' -in '%s.crt' -certfile '%s' -passout 'pass:correct horse' -out '%s'",
                                      base, base, pki->inter_cert, p12), ==, 0);
  CLI (&run, data_home, "identity", "import", p12, "--password-file", password);
  cachet_test_assert_exit (&run, 0);
  list = identity_list (parser, data_home);
  fingerprint = g_strdup (json_object_get_string_member (json_array_get_object_element (list, 0), "fingerprint"));

  /* Modern: PBES2 AES-256 with a SHA-256 MAC, read by OpenSSL. */
  CLI (&run, data_home, "identity", "export", "kim@example.org", "-o", modern, "--password-file", password);
  cachet_test_assert_exit (&run, 0);
  g_assert_cmpint (cachet_test_shell (&info, "openssl pkcs12 -in '%s' -info -noout -passin 'pass:correct horse' 2>&1", modern), ==, 0);
  g_assert_nonnull (strstr (info, "MAC: sha256"));
  g_assert_nonnull (strstr (info, "AES-256-CBC"));
  g_clear_pointer (&info, g_free);
  g_assert_cmpint (cachet_test_shell (&info, "openssl pkcs12 -in '%s' -nodes -passin 'pass:correct horse' 2>&1 | grep -c 'BEGIN CERTIFICATE'", modern), ==, 0);
  g_assert_cmpstr (g_strstrip (info), ==, "2");  /* the chain is in the file */
  g_clear_pointer (&info, g_free);
  g_assert_cmpint (cachet_test_shell (NULL, "openssl pkcs12 -in '%s' -info -noout -passin pass:wrong", modern), !=, 0);

  /* Legacy: 3DES with a SHA-1 MAC, read by openssl -legacy and imported by gpgsm. */
  CLI (&run, data_home, "identity", "export", fingerprint, "-o", legacy, "--legacy", "--password-file", password);
  cachet_test_assert_exit (&run, 0);
  g_assert_cmpint (cachet_test_shell (&info, "openssl pkcs12 -legacy -in '%s' -info -noout -passin 'pass:correct horse' 2>&1", legacy), ==, 0);
  g_assert_nonnull (strstr (info, "MAC: sha1"));
  g_assert_nonnull (strstr (info, "3-KeyTripleDES-CBC"));
  g_clear_pointer (&info, g_free);
  if (cachet_test_have_program ("gpgsm"))
    {
      g_autofree char *gnupg = cachet_test_tmpdir ();
      g_autofree char *log = NULL;

      /* gpgsm exits non-zero because the test root is not in its keybox; what counts is that
       * the secret key was read and imported. The agent is stopped before anything is checked. */
      cachet_test_shell (&log,
          "export GNUPGHOME='%s'; chmod 700 \"$GNUPGHOME\"; "
          "echo disable-crl-checks > \"$GNUPGHOME/gpgsm.conf\"; "
          "echo allow-loopback-pinentry > \"$GNUPGHOME/gpg-agent.conf\"; "
          "printf 'correct horse\\n' | gpgsm --batch --pinentry-mode loopback --passphrase-fd 0 --import '%s' 2>&1; "
          "gpgsm --with-colons --list-secret-keys 2>&1; gpgconf --kill gpg-agent",
          gnupg, legacy);
      if (strstr (log, "secret keys imported: 1") == NULL || strstr (log, "kim@example.org") == NULL)
        g_error ("gpgsm did not import the legacy export:\n%s", log);
    }
  else
    g_test_message ("gpgsm missing: legacy export not checked against gpgsm");

  /* No password file and no terminal: refused, no file. */
  {
    g_autofree char *nothing = g_build_filename (work, "nothing.pfx", NULL);
    CLI (&run, data_home, "identity", "export", "kim@example.org", "-o", nothing);
    cachet_test_assert_exit (&run, 2);
    g_assert_nonnull (strstr (run.err, "password-file"));
    g_assert_false (g_file_test (nothing, G_FILE_TEST_EXISTS));
  }

  /* Both re-import into fresh stores. */
  again_modern = cachet_test_tmpdir ();
  again_legacy = cachet_test_tmpdir ();
  CLI (&run, again_modern, "identity", "import", modern, "--password-file", password);
  cachet_test_assert_exit (&run, 0);
  CLI (&run, again_legacy, "identity", "import", legacy, "--password-file", password);
  cachet_test_assert_exit (&run, 0);
  list = identity_list (parser, again_modern);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "fingerprint"), ==, fingerprint);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (list, 0), "chain_length"), ==, 1);
  list = identity_list (parser, again_legacy);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "fingerprint"), ==, fingerprint);

  assert_no_private_key_on_disk (data_home);
  cachet_test_run_clear (&run);
}

static void
test_import_bad_input (void)
{
  g_autofree char *data_home = NULL;
  g_autofree char *work = NULL;
  g_autofree char *base = NULL;
  g_autofree char *old = NULL;
  g_autofree char *p12 = NULL;
  g_autofree char *legacy = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *armoured = NULL;
  g_autofree char *truncated = NULL;
  g_autofree char *flipped = NULL;
  g_autofree char *expired = NULL;
  g_autofree char *password = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *listing = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CachetCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key_id = NULL;
  CachetTestRun run = { 0 };
  JsonArray *list;

  if (!have_keyring ())
    return;

  data_home = cachet_test_tmpdir ();
  work = cachet_test_tmpdir ();
  base = cachet_test_pki_issue (pki, "lou", "lou@example.org", "rsa2048", NULL);
  old = cachet_test_pki_issue (pki, "lou-old", "lou-old@example.org", "rsa2048", "expired");
  p12 = g_build_filename (work, "lou.p12", NULL);
  legacy = g_build_filename (work, "lou-legacy.p12", NULL);
  empty = g_build_filename (work, "lou-empty.p12", NULL);
  armoured = g_build_filename (work, "lou-armoured.p12", NULL);
  truncated = g_build_filename (work, "lou-truncated.p12", NULL);
  flipped = g_build_filename (work, "lou-flipped.p12", NULL);
  expired = g_build_filename (work, "lou-old.p12", NULL);
  password = g_build_filename (work, "password", NULL);
  wrong = g_build_filename (work, "wrong", NULL);
  g_assert_true (g_file_set_contents (password, "pw\n", -1, NULL));
  g_assert_true (g_file_set_contents (wrong, "nope\n", -1, NULL));

  g_assert_cmpint (cachet_test_shell (NULL,
      "openssl pkcs12 -export -inkey '%s.key' -in '%s.crt' -passout pass:pw -out '%s' && "
      "openssl pkcs12 -export -legacy -inkey '%s.key' -in '%s.crt' -passout pass:pw -out '%s' && "
      "openssl pkcs12 -export -inkey '%s.key' -in '%s.crt' -passout pass: -out '%s' && "
      "{ echo '-----BEGIN PKCS12-----'; base64 '%s'; echo '-----END PKCS12-----'; } > '%s' && "
      "head -c 900 '%s' > '%s' && cp '%s' '%s' && "
      "printf 'XXXXXXXX' | dd of='%s' bs=1 seek=1200 conv=notrunc 2>/dev/null && "
      "openssl pkcs12 -export -inkey '%s.key' -in '%s.crt' -passout pass:pw -out '%s'",
      base, base, p12, base, base, legacy, base, base, empty, empty, armoured,
      p12, truncated, p12, flipped, flipped, old, old, expired), ==, 0);

  {
    g_autofree char *crt = g_strconcat (base, ".crt", NULL);
    g_autoptr(GPtrArray) certificates = cachet_certificate_list_from_file (crt, NULL);
    certificate = g_object_ref (g_ptr_array_index (certificates, 0));
  }
  {
    gnutls_pubkey_t pubkey = cachet_certificate_get_public_key (certificate, NULL);
    key_id = cachet_secret_key_id_for_pubkey (pubkey);
    gnutls_pubkey_deinit (pubkey);
  }

  /* Wrong password: clear, nothing stored (no files, no key in the keyring). */
  CLI (&run, data_home, "identity", "import", p12, "--password-file", wrong);
  cachet_test_assert_exit (&run, 2);
  g_assert_nonnull (strstr (run.err, "password"));
  g_assert_nonnull (strstr (run.err, "wrong"));
  /* Truncated and altered files: clear, nothing stored. */
  CLI (&run, data_home, "identity", "import", truncated, "--password-file", password);
  cachet_test_assert_exit (&run, 2);
  g_assert_nonnull (strstr (run.err, "PKCS#12"));
  CLI (&run, data_home, "identity", "import", flipped, "--password-file", password);
  cachet_test_assert_exit (&run, 2);
  CLI (&run, data_home, "identity", "import", "/etc/hostname", "--password-file", password);
  cachet_test_assert_exit (&run, 2);
  g_assert_nonnull (strstr (run.err, "PKCS#12"));
  /* A password is needed, there is no terminal: say to use --password-file. */
  CLI (&run, data_home, "identity", "import", p12);
  cachet_test_assert_exit (&run, 2);
  g_assert_nonnull (strstr (run.err, "--password-file"));

  list = identity_list (parser, data_home);
  g_assert_cmpuint (json_array_get_length (list), ==, 0);
  g_assert_cmpint (cachet_test_shell (&listing, "find '%s' -type f", data_home), ==, 0);
  g_assert_cmpstr (listing, ==, "");
  g_assert_false (cachet_secret_has_key (key_id, NULL, &error));
  g_assert_no_error (error);

  /* Modern, legacy, empty password (no prompt needed) and PEM armour all import. */
  CLI (&run, data_home, "identity", "import", p12, "--password-file", password);
  cachet_test_assert_exit (&run, 0);
  g_assert_true (cachet_secret_has_key (key_id, NULL, &error));
  CLI (&run, data_home, "identity", "import", legacy, "--password-file", password);
  cachet_test_assert_exit (&run, 0);
  CLI (&run, data_home, "identity", "import", empty);
  cachet_test_assert_exit (&run, 0);
  CLI (&run, data_home, "identity", "import", armoured);
  cachet_test_assert_exit (&run, 0);
  list = identity_list (parser, data_home);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);  /* the same key each time */

  /* Expired: accepted (old mail needs it) with a warning. */
  CLI (&run, data_home, "identity", "import", expired, "--password-file", password);
  cachet_test_assert_exit (&run, 0);
  g_assert_nonnull (strstr (run.err, "expired"));
  list = identity_list (parser, data_home);
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  /* ...but it does not sign. */
  {
    g_autoptr(CachetStore) store = open_store (data_home);
    g_autoptr(CachetCredentials) credentials = cachet_store_get_signing_credentials (store, "lou-old@example.org", NULL, &error);
    g_assert_null (credentials);
    g_assert_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE);
    g_clear_error (&error);
  }

  assert_no_private_key_on_disk (data_home);
  cachet_test_run_clear (&run);
}

static void
test_rollover_and_delete (void)
{
  g_autofree char *data_home = NULL;
  g_autofree char *work = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *first_p12 = NULL;
  g_autofree char *second_p12 = NULL;
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(CachetCertificate) new_certificate = NULL;
  g_autoptr(CachetCertificate) old_certificate = NULL;
  g_autoptr(GPtrArray) credentials = NULL;
  g_autoptr(CachetCredentials) signing = NULL;
  g_autoptr(CachetIdentity) old_identity = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_key_id = NULL;
  g_autoptr(GBytes) old_bytes = NULL;
  g_autoptr(GBytes) new_bytes = NULL;
  CachetTestRun run = { 0 };
  GListModel *model;

  if (!have_keyring ())
    return;

  data_home = cachet_test_tmpdir ();
  work = cachet_test_tmpdir ();
  first = cachet_test_pki_issue (pki, "max-2024", "max@example.org", "rsa2048", NULL);
  g_usleep (1100 * 1000);  /* a later notBefore */
  second = cachet_test_pki_issue (pki, "max-2025", "max@example.org", "rsa2048", NULL);
  first_p12 = g_build_filename (work, "first.p12", NULL);
  second_p12 = g_build_filename (work, "second.p12", NULL);
  g_assert_cmpint (cachet_test_shell (NULL,
      "openssl pkcs12 -export -inkey '%s.key' -in '%s.crt' -passout pass:pw -out '%s' && "
      "openssl pkcs12 -export -inkey '%s.key' -in '%s.crt' -passout pass:pw -out '%s'",
      first, first, first_p12, second, second, second_p12), ==, 0);

  /* The newer one first, the older one after: the newer stays current. */
  store = open_store (data_home);
  {
    char *contents; gsize size;
    g_assert_true (g_file_get_contents (second_p12, &contents, &size, NULL));
    new_bytes = g_bytes_new_take (contents, size);
    g_assert_true (g_file_get_contents (first_p12, &contents, &size, NULL));
    old_bytes = g_bytes_new_take (contents, size);
  }
  {
    g_autoptr(CachetIdentity) a = cachet_store_import_pkcs12 (store, new_bytes, "pw", NULL, &error);
    g_assert_no_error (error);
    new_certificate = g_object_ref (cachet_identity_get_certificate (a));
  }
  {
    g_autoptr(CachetIdentity) b = cachet_store_import_pkcs12 (store, old_bytes, "pw", NULL, &error);
    g_assert_no_error (error);
    old_certificate = g_object_ref (cachet_identity_get_certificate (b));
    g_assert_cmpint (cachet_identity_get_state (b), ==, CACHET_IDENTITY_REPLACED);
  }

  model = cachet_store_get_identities (store);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  {
    g_autoptr(CachetIdentity) top = g_list_model_get_item (model, 0);
    g_autoptr(CachetIdentity) bottom = g_list_model_get_item (model, 1);
    g_assert_cmpint (cachet_identity_get_state (top), ==, CACHET_IDENTITY_CURRENT);
    g_assert_true (cachet_certificate_equal (cachet_identity_get_certificate (top), new_certificate));
    g_assert_cmpint (cachet_identity_get_state (bottom), ==, CACHET_IDENTITY_REPLACED);
  }

  /* Both decrypt (current first); the current one signs. */
  credentials = cachet_store_get_identity_credentials (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (credentials->len, ==, 2);
  g_assert_true (cachet_certificate_equal (cachet_credentials_get_certificate (g_ptr_array_index (credentials, 0)), new_certificate));
  signing = cachet_store_get_signing_credentials (store, "max@example.org", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cachet_certificate_equal (cachet_credentials_get_certificate (signing), new_certificate));
  /* Own certificates are recipients too (encrypt to self). */
  {
    g_autoptr(CachetCertificate) self_recipient = cachet_store_find_recipient (store, "max@example.org", &error);
    g_assert_no_error (error);
    g_assert_true (cachet_certificate_equal (self_recipient, new_certificate));
  }

  /* Delete the old one by fingerprint: key and files go. */
  old_identity = cachet_store_find_identity (store, cachet_certificate_get_fingerprint (old_certificate), &error);
  g_assert_no_error (error);
  old_key_id = g_strdup (cachet_identity_get_key_id (old_identity));
  CLI (&run, data_home, "identity", "delete", cachet_certificate_get_fingerprint (old_certificate));
  cachet_test_assert_exit (&run, 0);
  g_assert_false (cachet_secret_has_key (old_key_id, NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr(CachetStore) reopened = open_store (data_home);
    g_assert_cmpuint (g_list_model_get_n_items (cachet_store_get_identities (reopened)), ==, 1);
  }
  CLI (&run, data_home, "identity", "delete", "nobody@example.org");
  cachet_test_assert_exit (&run, 2);
  g_assert_nonnull (strstr (run.err, "no identity"));
  cachet_test_run_clear (&run);
}

typedef struct {
  const char *path;
  const char *password;
  gboolean    works;
} CorpusFile;

static void
test_corpus_pkcs12 (void)
{
  const CorpusFile files[] = {
    { "gmime-tests/tests/data/smime/smime.p12", "no.secret", TRUE },
    { "mimekit-testdata/UnitTests/TestData/smime/rsa/smime.pfx", "no.secret", TRUE },
    /* An EC key with explicit curve parameters: GnuTLS 3.7 cannot read it; a clear error. */
    { "mimekit-testdata/UnitTests/TestData/smime/ec/smime.pfx", "no.secret", FALSE },
    { "mimekit-testdata/UnitTests/TestData/smime/nochain/smime.pfx", "no.secret", TRUE },
    { "notmuch-tests/test/smime/bob.p12", "", TRUE },
    /* Certificates only, no key: a clear error. */
    { "openssl-tests/test/certs/v3-certs-RC2.p12", "v3-certs", FALSE },
    { "openssl-tests/test/certs/v3-certs-TDES.p12", "v3-certs", FALSE },
    { "mimekit-testdata/UnitTests/TestData/smime/certificate-authority.pfx", "no.secret", TRUE },
    { "mimekit-testdata/UnitTests/TestData/smime/intermediate1.pfx", "no.secret", TRUE },
    /* PBMAC1 (RFC 9579) is newer than GnuTLS 3.7.9: a clear error, not a crash. */
    { "openssl-tests/test/recipes/80-test_pkcs12_data/pbmac1_256_256.good.p12", "1234", FALSE },
    /* A damaged PBMAC1 must never pass because its MAC was not understood. */
    { "openssl-tests/test/recipes/80-test_pkcs12_data/pbmac1_256_256.bad-salt.p12", "1234", FALSE },
    { "openssl-tests/test/recipes/80-test_pkcs12_data/bad1.p12", "1234", FALSE },
  };
  const char *corpus = cachet_test_corpus ();
  g_autofree char *data_home = NULL;
  g_autoptr(CachetStore) store = NULL;
  guint imported = 0;

  if (corpus == NULL || !have_keyring ())
    return;

  data_home = cachet_test_tmpdir ();
  store = open_store (data_home);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (corpus, files[i].path, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(CachetIdentity) identity = NULL;
      g_autoptr(GBytes) data = NULL;
      char *contents;
      gsize size;

      g_test_message ("importing %s", files[i].path);
      if (!g_file_get_contents (path, &contents, &size, NULL))
        {
          g_test_message ("corpus file %s missing", files[i].path);
          continue;
        }
      data = g_bytes_new_take (contents, size);
      identity = cachet_store_import_pkcs12 (store, data, files[i].password, NULL, &error);
      if (files[i].works)
        {
          if (error != NULL)
            g_error ("%s: %s", files[i].path, error->message);
          g_assert_nonnull (cachet_identity_get_certificate (identity));
          imported++;
          /* A wrong password for the same file says so. */
          {
            g_autoptr(CachetCredentials) none = cachet_pkcs12_import (data, "definitely wrong", &error);
            g_assert_null (none);
            g_assert_error (error, CACHET_ERROR, CACHET_ERROR_BAD_PASSWORD);
          }
        }
      else
        {
          g_assert_null (identity);
          g_assert_nonnull (error);
          g_assert_true (error->domain == CACHET_ERROR);
          g_assert_nonnull (strstr (error->message, "PKCS#12"));
        }
    }
  g_assert_cmpuint (imported, >=, 1);
  assert_no_private_key_on_disk (data_home);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  cachet_core_init ();

  g_test_add_func ("/cachet/identity/key-search-finds-keys", test_key_search_finds_keys);
  g_test_add_func ("/cachet/identity/ca-round-trip", test_ca_round_trip);
  g_test_add_func ("/cachet/identity/ecdsa-async", test_ecdsa_async);
  g_test_add_func ("/cachet/identity/export-and-reimport", test_export_and_reimport);
  g_test_add_func ("/cachet/identity/import-bad-input", test_import_bad_input);
  g_test_add_func ("/cachet/identity/rollover-and-delete", test_rollover_and_delete);
  g_test_add_func ("/cachet/identity/corpus-pkcs12", test_corpus_pkcs12);

  pki = cachet_test_pki_new ();
  status = g_test_run ();
  cachet_test_pki_free (pki);
  return status;
}
