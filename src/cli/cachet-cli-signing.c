/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-cli-signing.c: `cachet-cli verify` and `cachet-cli sign` (../shared/CLI.md).
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>

#include "cachet-cli-common.h"
#include "cachet-pkcs12.h"
#include "cachet-revocation.h"
#include "cachet-signing.h"
#include "cachet-store.h"

/* The user's key store, or NULL (with a debug note) when it cannot be opened: verification
 * then works without contacts and user anchors. */
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

/* "2024-05-01", "2024-05-01T12:00:00Z", "2024-05-01 12:00" (UTC unless a zone is given) */
static GDateTime *
parse_time (const char *text)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autofree char *full = NULL;
  GDateTime *time;

  time = g_date_time_new_from_iso8601 (text, utc);
  if (time == NULL && strlen (text) == 10)
    {
      full = g_strconcat (text, "T00:00:00", NULL);
      time = g_date_time_new_from_iso8601 (full, utc);
    }
  if (time == NULL && strchr (text, ' '))
    {
      full = g_strdelimit (g_strdup (text), " ", 'T');
      time = g_date_time_new_from_iso8601 (full, utc);
    }
  return time;
}

int
cachet_cli_verify (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CachetOptions) options = cachet_options_new ();
  g_autoptr(CachetVerdict) verdict = NULL;
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) trust = NULL;
  g_auto(GStrv) certs = NULL;
  g_auto(GStrv) rest = NULL;
  g_autofree char *at = NULL;
  g_autofree char *content = NULL;
  gboolean json = FALSE, no_system_trust = FALSE, online = FALSE, offline = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the verdict as JSON"), NULL },
    { "trust", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &trust, N_("Trust this certificate authority for this run"), N_("CA") },
    { "no-system-trust", 0, 0, G_OPTION_ARG_NONE, &no_system_trust, N_("Do not trust the system’s authorities"), NULL },
    { "certs", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &certs, N_("Extra certificates (the signer’s, intermediates)"), N_("FILE") },
    { "at", 0, 0, G_OPTION_ARG_STRING, &at, N_("Check the chain at this time (ISO 8601) or at “signing-time”"), N_("TIME") },
    { "content", 0, 0, G_OPTION_ARG_FILENAME, &content, N_("The signed file, for a detached signature"), N_("FILE") },
    { "online", 0, 0, G_OPTION_ARG_NONE, &online, N_("Ask the authority over the network whether a certificate was revoked (OCSP, CRL download); it learns which certificate you checked"), NULL },
    { "offline", 0, 0, G_OPTION_ARG_NONE, &offline, N_("Use only the revocation lists already stored (the default unless the setting says otherwise)"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, N_("MESSAGE|SIGNATURE") },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Check the signature of a message (.eml), an opaque signature (.p7m), "
                                  "or a detached signature (.p7s) with --content.\n"
                                  "Exit status: 0 good, 1 bad, 2 error, 3 not trusted or not right, 4 not signed."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!cachet_cli_parse (context, &argc, &argv))
    return CACHET_CLI_EXIT_ERROR;

  if (rest == NULL || rest[0] == NULL || rest[1] != NULL)
    {
      g_set_error (&error, CACHET_ERROR, CACHET_ERROR_FAILED,
                   _("Give exactly one message or signature to verify. Run “cachet-cli verify --help” for the options."));
      return cachet_cli_report_error (error, json);
    }

  if (online && offline)
    {
      g_set_error (&error, CACHET_ERROR, CACHET_ERROR_FAILED,
                   _("Give either --online or --offline, not both."));
      return cachet_cli_report_error (error, json);
    }
  /* The window's setting decides unless the command line does. */
  cachet_options_set_online_revocation (options,
                                        online || (!offline && cachet_revocation_get_online_default ()));

  if (no_system_trust)
    cachet_options_set_system_trust (options, FALSE);
  if (!cachet_cli_load_certificates (trust, cachet_options_add_anchor, options, &error) ||
      !cachet_cli_load_certificates (certs, cachet_options_add_certificate, options, &error))
    return cachet_cli_report_error (error, json);

  if (at != NULL)
    {
      if (g_ascii_strcasecmp (at, "signing-time") == 0)
        cachet_options_set_at_signing_time (options, TRUE);
      else
        {
          g_autoptr(GDateTime) when = parse_time (at);

          if (when == NULL)
            {
              g_set_error (&error, CACHET_ERROR, CACHET_ERROR_FAILED,
                           _("“%s” is not a time. Use ISO 8601 (2024-05-01T12:00:00Z) or “signing-time”."), at);
              return cachet_cli_report_error (error, json);
            }
          cachet_options_set_check_time (options, when);
        }
    }

  if ((store = open_store ()) != NULL)
    cachet_options_set_store (options, store);

  verdict = cachet_verify_file (options, rest[0], content, NULL, &error);
  if (verdict == NULL)
    return cachet_cli_report_error (error, json);

  return cachet_cli_report_verdict (verdict, json);
}

/* Adds the signer named by the options to OPTIONS. */
static gboolean
load_signer (const char     *cert,
             const char     *key,
             const char     *p12,
             const char     *password_file,
             const char     *as,
             CachetOptions  *options,
             GError        **error)
{
  g_autoptr(CachetCredentials) credentials = NULL;
  guint given = (cert || key ? 1 : 0) + (p12 ? 1 : 0) + (as ? 1 : 0);

  if (given != 1)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
                   _("Name one signer: --cert CERT --key KEY, --p12 FILE, or --as ADDRESS."));
      return FALSE;
    }
  if ((cert == NULL) != (key == NULL))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
                   _("--cert and --key go together: give both, or use --p12 or --as."));
      return FALSE;
    }

  if (cert != NULL)
    credentials = cachet_credentials_new_from_files (cert, key, error);
  else if (p12 != NULL)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(GBytes) data = NULL;
      g_autofree char *prompt = NULL;
      char *contents = NULL, *password;
      gsize size = 0;

      if (!g_file_get_contents (p12, &contents, &size, &local))
        {
          g_autofree char *display = g_filename_display_name (p12);

          g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_FOUND,
                       _("Cannot read “%s”: %s"), display, local->message);
          return FALSE;
        }
      data = g_bytes_new_take (contents, size);
      prompt = g_strdup_printf (_("Password for %s: "), p12);
      if (!(password = cachet_cli_read_password (password_file, prompt, FALSE, error)))
        return FALSE;
      credentials = cachet_pkcs12_import (data, password, error);
      gnutls_memset (password, 0, strlen (password));
      g_free (password);
    }
  else
    {
      g_autoptr(CachetStore) store = cachet_store_new (NULL, error);

      if (store == NULL)
        return FALSE;
      credentials = cachet_store_get_signing_credentials (store, as, NULL, error);
    }

  if (credentials == NULL)
    return FALSE;
  cachet_options_add_credentials (options, credentials);
  return TRUE;
}

int
cachet_cli_sign (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CachetOptions) options = cachet_options_new ();
  g_autoptr(CachetOutput) output = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) rest = NULL;
  g_autofree char *cert = NULL, *key = NULL, *p12 = NULL, *password_file = NULL, *as = NULL;
  g_autofree char *output_path = NULL, *digest = NULL;
  gboolean opaque = FALSE;
  CachetInputKind kind;
  GOptionEntry entries[] = {
    { "opaque", 0, 0, G_OPTION_ARG_NONE, &opaque, N_("Embed the message in the signature (application/pkcs7-mime) instead of multipart/signed"), NULL },
    { "as", 0, 0, G_OPTION_ARG_STRING, &as, N_("Sign as your identity with this address"), N_("ADDRESS") },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, N_("Your certificate (PEM or DER; further PEM certificates are its chain)"), N_("CERT") },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key, N_("Your private key (PEM or DER)"), N_("KEY") },
    { "p12", 0, 0, G_OPTION_ARG_FILENAME, &p12, N_("Your key and certificate as PKCS #12"), N_("FILE") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("Read the PKCS #12 password from FILE"), N_("FILE") },
    { "digest", 0, 0, G_OPTION_ARG_STRING, &digest, N_("sha256 (default), sha384 or sha512"), N_("DIGEST") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output_path, N_("Write here (- for standard output)"), N_("OUT") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, N_("INPUT") },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Sign a message (.eml) or any file.\n"
                                  "A message gives a signed message, on standard output unless -o is given; "
                                  "any other file gives a detached signature, FILE.p7s unless -o is given."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!cachet_cli_parse (context, &argc, &argv))
    return CACHET_CLI_EXIT_ERROR;

  if (rest == NULL || rest[0] == NULL || rest[1] != NULL)
    return cachet_cli_fail (_("Give exactly one message or file to sign. Run “cachet-cli sign --help” for the options."));

  kind = cachet_detect_input (rest[0], &error);
  if (error != NULL)
    return cachet_cli_fail_error (error);

  cachet_options_set_opaque (options, opaque);
  if (digest != NULL)
    cachet_options_set_digest (options, digest);
  if (!load_signer (cert, key, p12, password_file, as, options, &error))
    return cachet_cli_fail_error (error);

  if (output_path == NULL)
    output_path = kind == CACHET_INPUT_MESSAGE ? g_strdup ("-") : g_strconcat (rest[0], ".p7s", NULL);

  if (!(output = cachet_output_new (output_path, &error)))
    return cachet_cli_fail_error (error);
  if (!cachet_sign_file (options, rest[0], output, NULL, &error))
    return cachet_cli_fail_error (error);

  return CACHET_CLI_EXIT_OK;
}
