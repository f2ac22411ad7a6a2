/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-cli-encryption.c: `cachet-cli encrypt` and `cachet-cli decrypt` (../shared/CLI.md).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>

#include "cachet-cli-common.h"
#include "cachet-encryption.h"
#include "cachet-pkcs12.h"
#include "cachet-signing.h"
#include "cachet-store.h"

/* Options that name a key: --cert/--key, --p12 (with --password-file), --as. */
typedef struct {
  char *cert;
  char *key;
  char *p12;
  char *password_file;
  char *as;
} KeyOptions;

static void
key_options_clear (KeyOptions *keys)
{
  g_free (keys->cert);
  g_free (keys->key);
  g_free (keys->p12);
  g_free (keys->password_file);
  g_free (keys->as);
}

/* The user's key store, or NULL (with a debug note) when it cannot be opened: encryption and
 * decryption then work with what the command line gives. CACHET_NO_STORE turns it off. */
static CachetStore *
open_store (void)
{
  g_autoptr(GError) error = NULL;
  CachetStore *store;

  if (g_getenv ("CACHET_NO_STORE") != NULL)
    return NULL;
  store = cachet_store_new (NULL, &error);
  if (store == NULL)
    g_debug ("The key store is not available: %s", error->message);
  return store;
}

/* FOR_SIGNING: --as names the identity that signs (current, valid); otherwise any identity of
 * yours with that address or fingerprint, for decrypting. */
static gboolean
load_credentials (KeyOptions     *keys,
                  CachetOptions  *options,
                  gboolean        for_signing,
                  GError        **error)
{
  if ((keys->cert == NULL) != (keys->key == NULL))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
                   _("--cert and --key go together: give both, or use --p12."));
      return FALSE;
    }

  if (keys->cert != NULL)
    {
      g_autoptr(CachetCredentials) credentials =
        cachet_credentials_new_from_files (keys->cert, keys->key, error);

      if (credentials == NULL)
        return FALSE;
      cachet_options_add_credentials (options, credentials);
    }

  if (keys->p12 != NULL)
    {
      g_autoptr(GBytes) data = NULL;
      g_autoptr(CachetCredentials) credentials = NULL;
      g_autoptr(GError) local = NULL;
      g_autofree char *prompt = NULL;
      char *password;
      char *contents = NULL;
      gsize size = 0;

      if (!g_file_get_contents (keys->p12, &contents, &size, &local))
        {
          g_autofree char *display = g_filename_display_name (keys->p12);
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_FOUND,
                       _("Cannot read “%s”: %s"), display, local->message);
          return FALSE;
        }
      data = g_bytes_new_take (contents, size);

      prompt = g_strdup_printf (_("Password for %s: "), keys->p12);
      password = cachet_cli_read_password (keys->password_file, prompt, FALSE, error);
      if (password == NULL)
        return FALSE;
      credentials = cachet_pkcs12_import (data, password, error);
      gnutls_memset (password, 0, strlen (password));
      g_free (password);
      if (credentials == NULL)
        return FALSE;
      cachet_options_add_credentials (options, credentials);
    }

  if (keys->as != NULL)
    {
      CachetStore *store = cachet_options_get_store (options);
      g_autoptr(CachetCredentials) credentials = NULL;

      if (store == NULL)
        {
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_FOUND,
                       _("Your key store cannot be opened, so --as %s cannot be used. Give the "
                         "key with --cert and --key, or --p12."), keys->as);
          return FALSE;
        }

      if (for_signing)
        credentials = cachet_store_get_signing_credentials (store, keys->as, NULL, error);
      else
        {
          g_autoptr(CachetIdentity) identity = cachet_store_find_identity (store, keys->as, error);

          if (identity != NULL)
            credentials = cachet_store_load_credentials (store, identity, NULL, error);
        }
      if (credentials == NULL)
        return FALSE;
      cachet_options_add_credentials (options, credentials);
    }

  return TRUE;
}

static void
add_key_entries (GOptionContext *context,
                 KeyOptions     *keys)
{
  GOptionEntry entries[] = {
    { "as", 0, 0, G_OPTION_ARG_STRING, &keys->as, N_("Use your identity with this address"), N_("ADDRESS") },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &keys->cert, N_("Your certificate (PEM or DER)"), N_("CERT") },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &keys->key, N_("Your private key (PEM or DER)"), N_("KEY") },
    { "p12", 0, 0, G_OPTION_ARG_FILENAME, &keys->p12, N_("Your key and certificate as PKCS #12"), N_("FILE") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &keys->password_file, N_("Read the PKCS #12 password from FILE"), N_("FILE") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

/* Loads every certificate of each file; the first that is not a CA is the one meant, the
 * rest help build its chain. */
static gboolean
load_recipient_files (char          **paths,
                      CachetOptions  *options,
                      GError        **error)
{
  for (guint i = 0; paths && paths[i]; i++)
    {
      g_autoptr(GPtrArray) certificates = cachet_certificate_list_from_file (paths[i], error);

      if (certificates == NULL)
        return FALSE;
      if (certificates->len == 0)
        {
          g_autofree char *display = g_filename_display_name (paths[i]);
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                       _("“%s” holds no certificate."), display);
          return FALSE;
        }
      {
        guint meant = 0;

        for (guint j = 0; j < certificates->len; j++)
          if (!cachet_certificate_is_ca (certificates->pdata[j]))
            {
              meant = j;
              break;
            }
        cachet_options_add_recipient (options, certificates->pdata[meant]);
        for (guint j = 0; j < certificates->len; j++)
          if (j != meant)
            cachet_options_add_certificate (options, certificates->pdata[j]);
      }
    }
  return TRUE;
}

static gboolean
load_trust (char          **trust,
            char          **certs,
            gboolean        no_system_trust,
            CachetOptions  *options,
            GError        **error)
{
  if (no_system_trust)
    cachet_options_set_system_trust (options, FALSE);
  return cachet_cli_load_certificates (trust, cachet_options_add_anchor, options, error) &&
         cachet_cli_load_certificates (certs, cachet_options_add_certificate, options, error);
}

int
cachet_cli_encrypt (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CachetOptions) options = cachet_options_new ();
  g_autoptr(CachetOutput) output = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) to = NULL;
  g_auto(GStrv) to_cert = NULL;
  g_auto(GStrv) trust = NULL;
  g_auto(GStrv) certs = NULL;
  g_auto(GStrv) rest = NULL;
  g_autofree char *cipher_name = NULL;
  g_autofree char *output_path = NULL;
  gboolean sign = FALSE, no_self = FALSE, no_system_trust = FALSE;
  KeyOptions keys = { 0 };
  const char *input;
  int status;
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &to, N_("Encrypt for this address (a contact’s certificate)"), N_("ADDRESS") },
    { "to-cert", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &to_cert, N_("Encrypt for the certificate in this file"), N_("CERT") },
    { "sign", 0, 0, G_OPTION_ARG_NONE, &sign, N_("Sign before encrypting (with --as, --cert/--key or --p12)"), NULL },
    { "cipher", 0, 0, G_OPTION_ARG_STRING, &cipher_name, N_("aes-256-gcm, aes-128-gcm, aes-256-cbc or aes-128-cbc"), N_("CIPHER") },
    { "no-self", 0, 0, G_OPTION_ARG_NONE, &no_self, N_("Do not encrypt to your own certificate too"), NULL },
    { "trust", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &trust, N_("Trust this certificate authority for this run"), N_("CA") },
    { "no-system-trust", 0, 0, G_OPTION_ARG_NONE, &no_system_trust, N_("Do not trust the system’s authorities"), NULL },
    { "certs", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &certs, N_("Extra certificates (intermediates, contacts)"), N_("FILE") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output_path, N_("Write here (- for standard output)"), N_("OUT") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, N_("INPUT") },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Encrypt a message (.eml) or any file for its recipients."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  add_key_entries (context, &keys);

  if (!cachet_cli_parse (context, &argc, &argv))
    {
      key_options_clear (&keys);
      return CACHET_CLI_EXIT_ERROR;
    }

  if (rest == NULL || rest[0] == NULL || rest[1] != NULL)
    {
      key_options_clear (&keys);
      return cachet_cli_fail (_("Give exactly one file to encrypt. Run “cachet-cli encrypt --help” for the options."));
    }
  input = rest[0];

  if (cipher_name != NULL)
    {
      CachetCipher cipher;

      if (!cachet_cipher_from_string (cipher_name, &cipher))
        {
          key_options_clear (&keys);
          return cachet_cli_fail (_("“%s” is not a cipher Cachet encrypts with. Use aes-256-gcm, aes-128-gcm, aes-256-cbc or aes-128-cbc."),
                                  cipher_name);
        }
      cachet_options_set_cipher (options, cipher);
    }

  cachet_options_set_sign (options, sign);
  cachet_options_set_encrypt_to_self (options, !no_self);
  for (guint i = 0; to && to[i]; i++)
    cachet_options_add_recipient_address (options, to[i]);

  {
    g_autoptr(CachetStore) store = open_store ();

    if (store != NULL)
      cachet_options_set_store (options, store);
  }

  if (!load_credentials (&keys, options, TRUE, &error) ||
      !load_recipient_files (to_cert, options, &error) ||
      !load_trust (trust, certs, no_system_trust, options, &error))
    {
      key_options_clear (&keys);
      return cachet_cli_fail_error (error);
    }
  key_options_clear (&keys);

  if (sign && cachet_options_get_credentials (options)->len == 0)
    return cachet_cli_fail (_("--sign needs your key: add --as ADDRESS, --cert and --key, or --p12."));

  if (output_path == NULL)
    {
      CachetInputKind kind = cachet_detect_input (input, &error);

      if (error != NULL)
        return cachet_cli_fail_error (error);
      /* a message gives a message (on standard output); any other file gives FILE.p7m */
      output_path = kind == CACHET_INPUT_MESSAGE ? g_strdup ("-") : g_strconcat (input, ".p7m", NULL);
    }

  output = cachet_output_new (output_path, &error);
  if (output == NULL)
    return cachet_cli_fail_error (error);

  status = cachet_encrypt_file (options, input, output, NULL, &error) ? CACHET_CLI_EXIT_OK
                                                                    : cachet_cli_fail_error (error);
  return status;
}

/* The name a decrypted FILE.p7m gets when no -o is given. */
static char *
default_decrypt_output (const char *input)
{
  if (g_str_has_suffix (input, ".p7m") && strlen (input) > 4)
    return g_strndup (input, strlen (input) - 4);
  return g_strconcat (input, ".out", NULL);
}

int
cachet_cli_decrypt (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CachetOptions) options = cachet_options_new ();
  g_autoptr(CachetOutput) output = NULL;
  g_autoptr(CachetVerdict) verdict = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) trust = NULL;
  g_auto(GStrv) certs = NULL;
  g_auto(GStrv) rest = NULL;
  g_autofree char *output_path = NULL;
  gboolean json = FALSE, no_system_trust = FALSE;
  KeyOptions keys = { 0 };
  const char *input;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the verdict as JSON"), NULL },
    { "trust", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &trust, N_("Trust this certificate authority for this run"), N_("CA") },
    { "no-system-trust", 0, 0, G_OPTION_ARG_NONE, &no_system_trust, N_("Do not trust the system’s authorities"), NULL },
    { "certs", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &certs, N_("Extra certificates (signers, intermediates)"), N_("FILE") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output_path, N_("Write the decrypted content here (- for standard output)"), N_("OUT") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, N_("INPUT") },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Decrypt a message (.eml) or file (.p7m) and check any signature inside."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  add_key_entries (context, &keys);

  if (!cachet_cli_parse (context, &argc, &argv))
    {
      key_options_clear (&keys);
      return CACHET_CLI_EXIT_ERROR;
    }

  if (rest == NULL || rest[0] == NULL || rest[1] != NULL)
    {
      key_options_clear (&keys);
      return cachet_cli_fail (_("Give exactly one file to decrypt. Run “cachet-cli decrypt --help” for the options."));
    }
  input = rest[0];

  if (json && g_strcmp0 (output_path, "-") == 0)
    {
      key_options_clear (&keys);
      return cachet_cli_fail (_("--json and -o - both want standard output: write the decrypted content to a file with -o FILE."));
    }

  {
    g_autoptr(CachetStore) store = open_store ();

    if (store != NULL)
      cachet_options_set_store (options, store);
  }

  if (!load_credentials (&keys, options, FALSE, &error) ||
      !load_trust (trust, certs, no_system_trust, options, &error))
    {
      key_options_clear (&keys);
      return cachet_cli_report_error (error, json);
    }
  key_options_clear (&keys);

  if (output_path == NULL)
    {
      CachetInputKind kind = cachet_detect_input (input, NULL);

      /* a message is reported on (the verdict); a file is written next to it */
      if (kind != CACHET_INPUT_MESSAGE)
        {
          output_path = default_decrypt_output (input);
          if (g_file_test (output_path, G_FILE_TEST_EXISTS))
            {
              g_autofree char *display = g_filename_display_name (output_path);
              return cachet_cli_fail (_("“%s” already exists. Choose where to write with -o."), display);
            }
        }
    }

  if (output_path != NULL)
    {
      output = cachet_output_new (output_path, &error);
      if (output == NULL)
        return cachet_cli_report_error (error, json);
    }

  verdict = cachet_decrypt_file (options, input, output, NULL, &error);
  if (verdict == NULL)
    return cachet_cli_report_error (error, json);

  if (g_strcmp0 (output_path, "-") == 0)
    {
      /* standard output holds the content: the report goes to standard error */
      g_autofree char *text = cachet_verdict_to_text (verdict);

      fputs (text, stderr);
      return (int) cachet_verdict_get_status (verdict);
    }

  return cachet_cli_report_verdict (verdict, json);
}
