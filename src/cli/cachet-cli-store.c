/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-cli-store.c: cachet-cli identity, contact and trust: the key store from scripts.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <json-glib/json-glib.h>

#include "cachet-cli-common.h"
#include "cachet-nss-roots.h"
#include "cachet-pkcs12.h"
#include "cachet-revocation.h"
#include "cachet-store.h"

typedef struct {
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *usage;
} Subcommand;

/* Runs SUBCOMMANDS[ARGV[1]] with ARGV[0] = "COMMAND SUB", so usage errors name both. */
static int
dispatch (const char       *command,
          const Subcommand *subcommands,
          guint             n_subcommands,
          int               argc,
          char            **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      FILE *out = argc < 2 ? stderr : stdout;

      fprintf (out, _("Usage:\n"));
      for (guint i = 0; i < n_subcommands; i++)
        fprintf (out, "  cachet-cli %s %s %s\n", command, subcommands[i].name, subcommands[i].usage);
      return argc < 2 ? CACHET_CLI_EXIT_ERROR : CACHET_CLI_EXIT_OK;
    }

  for (guint i = 0; i < n_subcommands; i++)
    if (g_str_equal (argv[1], subcommands[i].name))
      {
        g_autofree char *name = g_strdup_printf ("%s %s", command, subcommands[i].name);
        g_autofree char **sub_argv = g_new0 (char *, argc);
        int result;

        sub_argv[0] = name;
        for (int j = 2; j < argc; j++)
          sub_argv[j - 1] = argv[j];
        result = subcommands[i].run (argc - 1, sub_argv);
        return result;
      }

  return cachet_cli_fail (_("“%s” is not a “%s” command. Run “cachet-cli %s --help” to see them."),
                          argv[1], command, command);
}

static CachetStore *
open_store (void)
{
  g_autoptr(GError) error = NULL;
  CachetStore *store = cachet_store_new (NULL, &error);

  if (store == NULL)
    cachet_cli_fail_error (error);
  return store;
}

static void
wipe_password (char *password)
{
  if (password != NULL)
    {
      gnutls_memset (password, 0, strlen (password));
      g_free (password);
    }
}

static void
wipe_password_pointer (char **password)
{
  wipe_password (*password);
}

/* A password variable wiped and freed when it goes out of scope. */
#define CACHET_AUTO_WIPE __attribute__ ((cleanup (wipe_password_pointer)))

static GBytes *
read_file_bytes (const char  *path,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  char *contents = NULL;
  gsize size = 0;

  if (!g_file_get_contents (path, &contents, &size, &local_error))
    {
      g_autofree char *display = g_filename_display_name (path);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO, _("Could not read “%s”: %s"),
                   display, local_error->message);
      return NULL;
    }
  return g_bytes_new_take (contents, size);
}

static char *
format_date (GDateTime *date)
{
  return date != NULL ? g_date_time_format (date, "%Y-%m-%d") : g_strdup ("-");
}

static void
print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

static void
add_certificate_members (JsonBuilder       *builder,
                         CachetCertificate *certificate)
{
  const char * const *addresses = cachet_certificate_get_addresses (certificate);
  g_autoptr(GDateTime) not_before = cachet_certificate_get_not_before (certificate);
  g_autoptr(GDateTime) not_after = cachet_certificate_get_not_after (certificate);
  g_autofree char *start = g_date_time_format_iso8601 (not_before);
  g_autofree char *end = g_date_time_format_iso8601 (not_after);
  g_autofree char *key = cachet_certificate_describe_key (certificate);

  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, cachet_certificate_get_name (certificate));
  json_builder_set_member_name (builder, "addresses");
  json_builder_begin_array (builder);
  for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++)
    json_builder_add_string_value (builder, addresses[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "fingerprint");
  json_builder_add_string_value (builder, cachet_certificate_get_fingerprint (certificate));
  json_builder_set_member_name (builder, "subject");
  json_builder_add_string_value (builder, cachet_certificate_get_subject (certificate));
  json_builder_set_member_name (builder, "issuer");
  json_builder_add_string_value (builder, cachet_certificate_get_issuer (certificate));
  json_builder_set_member_name (builder, "not_before");
  json_builder_add_string_value (builder, start);
  json_builder_set_member_name (builder, "not_after");
  json_builder_add_string_value (builder, end);
  json_builder_set_member_name (builder, "days_left");
  json_builder_add_int_value (builder, cachet_certificate_get_days_left (certificate, NULL));
  json_builder_set_member_name (builder, "key");
  json_builder_add_string_value (builder, key);
}

/* ------------------------------------------------------------------------------------------ */
/* identity */

static int
identity_new (int argc, char **argv)
{
  g_autofree char *name = NULL, *email = NULL, *country = NULL, *state = NULL;
  g_autofree char *locality = NULL, *org = NULL, *unit = NULL, *key = NULL, *output_path = NULL;
  GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Your full name (the certificate’s Common Name)"), N_("NAME") },
    { "email", 0, 0, G_OPTION_ARG_STRING, &email, N_("Your email address"), N_("ADDRESS") },
    { "country", 0, 0, G_OPTION_ARG_STRING, &country, N_("Two-letter country code"), "NL" },
    { "state", 0, 0, G_OPTION_ARG_STRING, &state, N_("State or province"), "S" },
    { "locality", 0, 0, G_OPTION_ARG_STRING, &locality, N_("City"), "L" },
    { "org", 0, 0, G_OPTION_ARG_STRING, &org, N_("Organisation"), "O" },
    { "unit", 0, 0, G_OPTION_ARG_STRING, &unit, N_("Organisational unit"), "U" },
    { "key", 0, 0, G_OPTION_ARG_STRING, &key, N_("Key type: rsa-3072 (default), rsa-2048, rsa-4096, p-256, p-384"), N_("TYPE") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output_path, N_("Where to write the request (PEM)"), N_("REQUEST.csr") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(CachetIdentity) identity = NULL;
  g_autoptr(CachetOutput) output = NULL;
  CachetKeyType type = CACHET_KEY_TYPE_RSA_3072;
  CachetCsrSubject subject = { 0 };
  const char *request;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Make a new key (kept in your keyring) and a certificate request to send to a CA."));
  if (!cachet_cli_parse (context, &argc, &argv))
    return CACHET_CLI_EXIT_ERROR;
  if (argc > 1)
    return cachet_cli_fail (_("Unexpected argument “%s”. Run “cachet-cli identity new --help” for the options."), argv[1]);
  if (name == NULL || email == NULL)
    return cachet_cli_fail (_("Give your full name and address: --name \"Full Name\" --email ADDRESS."));
  if (output_path == NULL)
    return cachet_cli_fail (_("Say where to write the request with -o REQUEST.csr."));
  if (key != NULL && !cachet_key_type_from_string (key, &type))
    return cachet_cli_fail (_("“%s” is not a key type. Use rsa-3072, rsa-2048, rsa-4096, p-256 or p-384."), key);

  subject.name = name;
  subject.email = email;
  subject.country = country;
  subject.state = state;
  subject.locality = locality;
  subject.organization = org;
  subject.unit = unit;
  if (!cachet_csr_subject_check (&subject, &error))
    return cachet_cli_fail_error (error);

  if (!cachet_key_type_can_encrypt (type))
    fprintf (stderr, "%s\n", _("Warning: an ECDSA identity can sign, but it cannot receive encrypted mail in Cachet. Choose an RSA key if people should encrypt to you."));

  store = open_store ();
  if (store == NULL)
    return CACHET_CLI_EXIT_ERROR;

  /* Open the output first so a bad path fails before a key is made and stored. */
  output = cachet_output_new (output_path, &error);
  if (output == NULL)
    return cachet_cli_fail_error (error);

  identity = cachet_store_new_identity (store, &subject, type, NULL, &error);
  if (identity == NULL)
    return cachet_cli_fail_error (error);

  request = cachet_identity_get_request (identity);
  if (g_mime_stream_write (cachet_output_get_stream (output), request, strlen (request)) < 0 ||
      !cachet_output_commit (output, &error))
    {
      if (error == NULL)
        g_set_error_literal (&error, CACHET_ERROR, CACHET_ERROR_IO, _("The request could not be written."));
      return cachet_cli_fail_error (error);
    }

  if (g_strcmp0 (output_path, "-") != 0)
    fprintf (stderr, _("Your key is in your keyring and the request is in %s. Send the request to your CA, then install the certificate it returns with “cachet-cli identity install”.\n"),
             output_path);
  return CACHET_CLI_EXIT_OK;
}

static int
identity_install (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("CERT.crt|CHAIN.pem|CERTS.p7b"));
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(CachetIdentity) identity = NULL;
  g_autoptr(GBytes) data = NULL;
  const char *warning;

  g_option_context_set_summary (context, _("Install the certificate your CA issued; it is paired with its waiting key."));
  if (!cachet_cli_parse (context, &argc, &argv))
    return CACHET_CLI_EXIT_ERROR;
  if (argc != 2)
    return cachet_cli_fail (_("Give one certificate file: cachet-cli identity install CERT.crt"));

  data = read_file_bytes (argv[1], &error);
  if (data == NULL)
    return cachet_cli_fail_error (error);
  store = open_store ();
  if (store == NULL)
    return CACHET_CLI_EXIT_ERROR;
  identity = cachet_store_install_certificate (store, data, &error);
  if (identity == NULL)
    return cachet_cli_fail_error (error);

  printf (_("Installed the certificate of %s <%s> (%u intermediate certificates kept).\n"),
          cachet_identity_get_name (identity), cachet_identity_get_email (identity),
          cachet_identity_get_chain (identity)->len);
  warning = cachet_identity_get_warning (identity);
  if (warning != NULL)
    fprintf (stderr, _("Warning: %s\n"), warning);
  return CACHET_CLI_EXIT_OK;
}

static int
identity_import (int argc, char **argv)
{
  g_autofree char *password_file = NULL;
  GOptionEntry entries[] = {
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("Read the password from the first line of FILE"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE.p12|FILE.pfx"));
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(CachetIdentity) identity = NULL;
  g_autoptr(CachetCredentials) credentials = NULL;
  g_autoptr(GBytes) data = NULL;
  CACHET_AUTO_WIPE char *password = NULL;
  const char *warning;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Import an identity (key, certificate and chain) from a PKCS#12 file."));
  if (!cachet_cli_parse (context, &argc, &argv))
    return CACHET_CLI_EXIT_ERROR;
  if (argc != 2)
    return cachet_cli_fail (_("Give one PKCS#12 file: cachet-cli identity import FILE.p12"));

  data = read_file_bytes (argv[1], &error);
  if (data == NULL)
    return cachet_cli_fail_error (error);

  if (password_file != NULL)
    {
      password = cachet_cli_read_password (password_file, NULL, FALSE, &error);
      if (password == NULL)
        return cachet_cli_fail_error (error);
      credentials = cachet_pkcs12_import (data, password, &error);
    }
  else
    {
      /* Files exported without a password open without asking. */
      credentials = cachet_pkcs12_import (data, "", &error);
      if (credentials == NULL && g_error_matches (error, CACHET_ERROR, CACHET_ERROR_BAD_PASSWORD))
        {
          g_clear_error (&error);
          password = cachet_cli_read_password (NULL, _("Password of the PKCS#12 file: "), FALSE, &error);
          if (password == NULL)
            return cachet_cli_fail_error (error);
          credentials = cachet_pkcs12_import (data, password, &error);
        }
    }
  if (credentials == NULL)
    return cachet_cli_fail_error (error);

  store = open_store ();
  if (store == NULL)
    return CACHET_CLI_EXIT_ERROR;
  identity = cachet_store_import_credentials (store, credentials, NULL, &error);
  if (identity == NULL)
    return cachet_cli_fail_error (error);

  printf (_("Imported %s <%s> (%s, fingerprint %s).\n"),
          cachet_identity_get_name (identity), cachet_identity_get_email (identity),
          cachet_identity_state_to_string (cachet_identity_get_state (identity)),
          cachet_certificate_get_fingerprint (cachet_identity_get_certificate (identity)));
  warning = cachet_identity_get_warning (identity);
  if (warning != NULL)
    fprintf (stderr, _("Warning: %s\n"), warning);
  return CACHET_CLI_EXIT_OK;
}

static int
identity_export (int argc, char **argv)
{
  g_autofree char *password_file = NULL;
  g_autofree char *output_path = NULL;
  gboolean legacy = FALSE;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output_path, N_("Where to write the PKCS#12 file"), N_("FILE.pfx") },
    { "legacy", 0, 0, G_OPTION_ARG_NONE, &legacy, N_("3DES and SHA-1 MAC, for macOS Keychain, older Windows and gpgsm"), NULL },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("Read the password from the first line of FILE"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ADDRESS|FINGERPRINT"));
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(CachetIdentity) identity = NULL;
  g_autoptr(GBytes) pkcs12 = NULL;
  CACHET_AUTO_WIPE char *password = NULL;
  gsize size;
  const void *bytes;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Back up an identity (key, certificate and chain) as a PKCS#12 file."));
  if (!cachet_cli_parse (context, &argc, &argv))
    return CACHET_CLI_EXIT_ERROR;
  if (argc != 2)
    return cachet_cli_fail (_("Say which identity to export: cachet-cli identity export ADDRESS -o FILE.pfx"));
  if (output_path == NULL)
    return cachet_cli_fail (_("Say where to write the file with -o FILE.pfx."));

  store = open_store ();
  if (store == NULL)
    return CACHET_CLI_EXIT_ERROR;
  identity = cachet_store_find_identity (store, argv[1], &error);
  if (identity == NULL)
    return cachet_cli_fail_error (error);

  password = cachet_cli_read_password (password_file, _("Password to protect the file: "), TRUE, &error);
  if (password == NULL)
    return cachet_cli_fail_error (error);

  pkcs12 = cachet_store_export_identity (store, identity, password, legacy, NULL, &error);
  if (pkcs12 == NULL)
    return cachet_cli_fail_error (error);

  bytes = g_bytes_get_data (pkcs12, &size);
  if (!cachet_output_write_file (output_path, bytes, size, &error))
    return cachet_cli_fail_error (error);
  return CACHET_CLI_EXIT_OK;
}

static int
identity_list (int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GListModel *identities;
  guint n;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!cachet_cli_parse (context, &argc, &argv))
    return CACHET_CLI_EXIT_ERROR;
  store = open_store ();
  if (store == NULL)
    return CACHET_CLI_EXIT_ERROR;

  identities = cachet_store_get_identities (store);
  n = g_list_model_get_n_items (identities);
  json_builder_begin_array (builder);
  if (!json && n == 0)
    printf ("%s\n", _("You have no identities. Create one with “cachet-cli identity new” or import one with “cachet-cli identity import”."));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CachetIdentity) identity = g_list_model_get_item (identities, i);
      CachetCertificate *certificate = cachet_identity_get_certificate (identity);
      const char *state = cachet_identity_state_to_string (cachet_identity_get_state (identity));
      const char *warning = cachet_identity_get_warning (identity);

      if (json)
        {
          g_autofree char *created = cachet_identity_get_created (identity) != NULL
                                     ? g_date_time_format_iso8601 (cachet_identity_get_created (identity)) : NULL;

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "state");
          json_builder_add_string_value (builder, state);
          json_builder_set_member_name (builder, "key_id");
          json_builder_add_string_value (builder, cachet_identity_get_key_id (identity));
          json_builder_set_member_name (builder, "email");
          json_builder_add_string_value (builder, cachet_identity_get_email (identity));
          json_builder_set_member_name (builder, "can_encrypt");
          json_builder_add_boolean_value (builder, cachet_identity_can_encrypt (identity));
          json_builder_set_member_name (builder, "created");
          json_builder_add_string_value (builder, created);
          json_builder_set_member_name (builder, "chain_length");
          json_builder_add_int_value (builder, cachet_identity_get_chain (identity)->len);
          json_builder_set_member_name (builder, "warning");
          json_builder_add_string_value (builder, warning);
          if (certificate != NULL)
            add_certificate_members (builder, certificate);
          else
            {
              json_builder_set_member_name (builder, "name");
              json_builder_add_string_value (builder, cachet_identity_get_name (identity));
              json_builder_set_member_name (builder, "key");
              json_builder_add_string_value (builder, cachet_identity_get_key_description (identity));
              json_builder_set_member_name (builder, "request");
              json_builder_add_string_value (builder, cachet_identity_get_request (identity));
            }
          json_builder_end_object (builder);
        }
      else if (certificate != NULL)
        {
          g_autoptr(GDateTime) not_after = cachet_certificate_get_not_after (certificate);
          g_autofree char *end = format_date (not_after);

          printf ("%-8s  %s <%s>\n", state, cachet_identity_get_name (identity), cachet_identity_get_email (identity));
          printf (_("          %s, issued by %s, valid until %s (%d days left)\n"),
                  cachet_identity_get_key_description (identity),
                  cachet_certificate_get_issuer_name (certificate), end,
                  cachet_identity_get_days_left (identity));
          printf (_("          fingerprint %s\n"), cachet_certificate_get_fingerprint (certificate));
          if (warning != NULL)
            printf ("          %s\n", warning);
        }
      else
        {
          g_autofree char *created = format_date (cachet_identity_get_created (identity));

          printf ("%-8s  %s <%s>\n", state, cachet_identity_get_name (identity), cachet_identity_get_email (identity));
          printf (_("          %s, request made %s: waiting for the certificate from your CA\n"),
                  cachet_identity_get_key_description (identity), created);
          printf (_("          key id %s\n"), cachet_identity_get_key_id (identity));
        }
    }
  json_builder_end_array (builder);
  if (json)
    print_json (builder);
  return CACHET_CLI_EXIT_OK;
}

static int
identity_delete (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("ADDRESS|FINGERPRINT"));
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(CachetIdentity) identity = NULL;

  g_option_context_set_summary (context, _("Delete an identity and its private key. Export it first if you may need it: mail encrypted to it can no longer be read."));
  if (!cachet_cli_parse (context, &argc, &argv))
    return CACHET_CLI_EXIT_ERROR;
  if (argc != 2)
    return cachet_cli_fail (_("Say which identity to delete: cachet-cli identity delete ADDRESS|FINGERPRINT"));

  store = open_store ();
  if (store == NULL)
    return CACHET_CLI_EXIT_ERROR;
  identity = cachet_store_find_identity (store, argv[1], &error);
  if (identity == NULL || !cachet_store_delete_identity (store, identity, NULL, &error))
    return cachet_cli_fail_error (error);
  printf (_("Deleted the identity of %s and its private key.\n"), cachet_identity_get_email (identity));
  return CACHET_CLI_EXIT_OK;
}

static const Subcommand identity_commands[] = {
  { "new", identity_new, "--name \"Full Name\" --email ADDRESS [--country NL] [--state S] [--locality L] [--org O] [--unit U] [--key rsa-4096|rsa-3072|rsa-2048|p-256|p-384] -o REQUEST.csr" },
  { "install", identity_install, "CERT.crt|CHAIN.pem|CERTS.p7b" },
  { "import", identity_import, "FILE.p12|FILE.pfx [--password-file F]" },
  { "export", identity_export, "ADDRESS|FINGERPRINT -o FILE.pfx [--legacy] [--password-file F]" },
  { "list", identity_list, "[--json]" },
  { "delete", identity_delete, "ADDRESS|FINGERPRINT" },
};

int
cachet_cli_identity (int argc, char **argv)
{
  return dispatch ("identity", identity_commands, G_N_ELEMENTS (identity_commands), argc, argv);
}

/* ------------------------------------------------------------------------------------------ */
/* contact */

static void
print_contact (CachetContact *contact)
{
  CachetCertificate *certificate = cachet_contact_get_certificate (contact);
  const char * const *addresses = cachet_certificate_get_addresses (certificate);
  g_autoptr(GDateTime) not_after = cachet_certificate_get_not_after (certificate);
  g_autofree char *end = format_date (not_after);
  g_autofree char *added = format_date (cachet_contact_get_added (contact));
  g_autofree char *joined = addresses != NULL ? g_strjoinv (", ", (char **) addresses) : g_strdup ("");

  printf ("%s <%s>\n", cachet_certificate_get_name (certificate), joined);
  printf (_("    %s, issued by %s, valid until %s%s\n"),
          cachet_contact_get_trusted (contact) ? _("trusted") : _("NOT trusted"),
          cachet_certificate_get_issuer_name (certificate), end,
          cachet_certificate_is_valid_at (certificate, NULL) ? "" : _(" (not valid now)"));
  printf (_("    %s on %s; fingerprint %s\n"), cachet_contact_describe_origin (contact), added,
          cachet_certificate_get_fingerprint (certificate));
}

static int
contact_import (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE…"));
  g_autoptr(CachetStore) store = NULL;
  int status = CACHET_CLI_EXIT_OK;

  g_option_context_set_summary (context, _("Import people’s certificates from .pem .crt .cer .der .p7b .p7c files or signed .eml messages."));
  if (!cachet_cli_parse (context, &argc, &argv))
    return CACHET_CLI_EXIT_ERROR;
  if (argc < 2)
    return cachet_cli_fail (_("Give at least one file: cachet-cli contact import FILE…"));

  store = open_store ();
  if (store == NULL)
    return CACHET_CLI_EXIT_ERROR;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) contacts = cachet_store_import_contacts (store, argv[i], &error);

      if (contacts == NULL)
        {
          status = cachet_cli_fail_error (error);
          continue;
        }
      for (guint j = 0; j < contacts->len; j++)
        {
          CachetContact *contact = g_ptr_array_index (contacts, j);
          CachetCertificate *certificate = cachet_contact_get_certificate (contact);

          printf (_("Imported: "));
          print_contact (contact);
          if (!cachet_certificate_is_valid_at (certificate, NULL))
            fprintf (stderr, _("Warning: the certificate of %s is not valid now. It was kept for checking old mail, but it will not be used to encrypt.\n"),
                     cachet_certificate_get_name (certificate));
          else if (!cachet_contact_get_trusted (contact))
            fprintf (stderr, _("Warning: the certificate of %s was not issued by an authority you trust. It will not be used to encrypt until its issuer is trusted (“cachet-cli trust add”).\n"),
                     cachet_certificate_get_name (certificate));
        }
    }
  return status;
}

static int
contact_list (int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GListModel *contacts;
  guint n;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!cachet_cli_parse (context, &argc, &argv))
    return CACHET_CLI_EXIT_ERROR;
  store = open_store ();
  if (store == NULL)
    return CACHET_CLI_EXIT_ERROR;

  contacts = cachet_store_get_contacts (store);
  n = g_list_model_get_n_items (contacts);
  if (!json && n == 0)
    printf ("%s\n", _("You have no contacts. Import certificates with “cachet-cli contact import”; verified signed mail adds them too."));
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CachetContact) contact = g_list_model_get_item (contacts, i);
      CachetCertificate *certificate = cachet_contact_get_certificate (contact);

      if (!json)
        {
          print_contact (contact);
          continue;
        }
      {
        g_autofree char *added = cachet_contact_get_added (contact) != NULL
                                 ? g_date_time_format_iso8601 (cachet_contact_get_added (contact)) : NULL;
        const char * const *addresses = cachet_certificate_get_addresses (certificate);

        json_builder_begin_object (builder);
        add_certificate_members (builder, certificate);
        json_builder_set_member_name (builder, "origin");
        json_builder_add_string_value (builder, cachet_contact_origin_to_string (cachet_contact_get_origin (contact)));
        json_builder_set_member_name (builder, "added");
        json_builder_add_string_value (builder, added);
        json_builder_set_member_name (builder, "trusted");
        json_builder_add_boolean_value (builder, cachet_contact_get_trusted (contact));
        json_builder_set_member_name (builder, "chain_length");
        json_builder_add_int_value (builder, cachet_contact_get_chain (contact)->len);
        json_builder_set_member_name (builder, "capabilities");
        json_builder_begin_object (builder);
        for (guint j = 0; addresses != NULL && addresses[j] != NULL; j++)
          {
            const char * const *capabilities = cachet_store_get_capabilities (store, addresses[j]);

            json_builder_set_member_name (builder, addresses[j]);
            json_builder_begin_object (builder);
            json_builder_set_member_name (builder, "ciphers");
            json_builder_begin_array (builder);
            for (guint k = 0; capabilities != NULL && capabilities[k] != NULL; k++)
              json_builder_add_string_value (builder, capabilities[k]);
            json_builder_end_array (builder);
            json_builder_set_member_name (builder, "usually_signs");
            json_builder_add_boolean_value (builder, cachet_store_get_usually_signs (store, addresses[j]));
            json_builder_end_object (builder);
          }
        json_builder_end_object (builder);
        json_builder_end_object (builder);
      }
    }
  json_builder_end_array (builder);
  if (json)
    print_json (builder);
  return CACHET_CLI_EXIT_OK;
}

static int
contact_export (int argc, char **argv)
{
  g_autofree char *output_path = NULL;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output_path, N_("Where to write the certificates (PEM)"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ADDRESS|FINGERPRINT"));
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GString) pem = g_string_new (NULL);

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Write a contact’s certificate (newest first, with its chain) as PEM."));
  if (!cachet_cli_parse (context, &argc, &argv))
    return CACHET_CLI_EXIT_ERROR;
  if (argc != 2)
    return cachet_cli_fail (_("Say which contact to export: cachet-cli contact export ADDRESS -o FILE"));
  if (output_path == NULL)
    return cachet_cli_fail (_("Say where to write the certificate with -o FILE (or -o - for standard output)."));

  store = open_store ();
  if (store == NULL)
    return CACHET_CLI_EXIT_ERROR;
  contacts = cachet_store_find_contacts (store, argv[1]);
  if (contacts->len == 0)
    return cachet_cli_fail (_("No contact matches “%s”. See your contacts with “cachet-cli contact list”."), argv[1]);

  for (guint i = 0; i < contacts->len; i++)
    {
      CachetContact *contact = g_ptr_array_index (contacts, i);
      g_autofree char *text = cachet_certificate_to_pem (cachet_contact_get_certificate (contact));
      GPtrArray *chain = cachet_contact_get_chain (contact);

      g_string_append (pem, text);
      for (guint j = 0; j < chain->len; j++)
        {
          g_autofree char *link = cachet_certificate_to_pem (g_ptr_array_index (chain, j));
          g_string_append (pem, link);
        }
    }
  if (!cachet_output_write_file (output_path, pem->str, pem->len, &error))
    return cachet_cli_fail_error (error);
  return CACHET_CLI_EXIT_OK;
}

static int
contact_delete (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("ADDRESS|FINGERPRINT"));
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetStore) store = NULL;

  if (!cachet_cli_parse (context, &argc, &argv))
    return CACHET_CLI_EXIT_ERROR;
  if (argc != 2)
    return cachet_cli_fail (_("Say which contact to delete: cachet-cli contact delete ADDRESS|FINGERPRINT"));
  store = open_store ();
  if (store == NULL)
    return CACHET_CLI_EXIT_ERROR;
  if (!cachet_store_delete_contacts (store, argv[1], &error))
    return cachet_cli_fail_error (error);
  return CACHET_CLI_EXIT_OK;
}

static const Subcommand contact_commands[] = {
  { "import", contact_import, "FILE…" },
  { "list", contact_list, "[--json]" },
  { "export", contact_export, "ADDRESS|FINGERPRINT -o FILE" },
  { "delete", contact_delete, "ADDRESS|FINGERPRINT" },
};

int
cachet_cli_contact (int argc, char **argv)
{
  return dispatch ("contact", contact_commands, G_N_ELEMENTS (contact_commands), argc, argv);
}

/* ------------------------------------------------------------------------------------------ */
/* trust */

static int
trust_add (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("CA.pem…"));
  g_autoptr(CachetStore) store = NULL;

  g_option_context_set_summary (context, _("Trust a certificate authority to issue email certificates."));
  if (!cachet_cli_parse (context, &argc, &argv))
    return CACHET_CLI_EXIT_ERROR;
  if (argc < 2)
    return cachet_cli_fail (_("Give the authority’s certificate: cachet-cli trust add CA.pem"));
  store = open_store ();
  if (store == NULL)
    return CACHET_CLI_EXIT_ERROR;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) certificates = cachet_certificate_list_from_file (argv[i], &error);
      guint added = 0;

      if (certificates == NULL)
        return cachet_cli_fail_error (error);
      for (guint j = 0; j < certificates->len; j++)
        {
          CachetCertificate *certificate = g_ptr_array_index (certificates, j);

          if (!cachet_certificate_is_ca (certificate))
            continue;
          if (!cachet_store_add_anchor (store, certificate, &error))
            return cachet_cli_fail_error (error);
          printf (_("Trusted: %s (fingerprint %s)\n"), cachet_certificate_get_name (certificate),
                  cachet_certificate_get_fingerprint (certificate));
          added++;
        }
      if (added == 0)
        return cachet_cli_fail (_("“%s” holds no certificate authority. A person’s certificate goes in with “cachet-cli contact import”."),
                                argv[i]);
    }
  return CACHET_CLI_EXIT_OK;
}

static int
trust_list (int argc, char **argv)
{
  gboolean json = FALSE;
  gboolean all = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Also list Mozilla’s roots trusted for email"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(GPtrArray) anchors = NULL;
  g_autoptr(GPtrArray) mozilla = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!cachet_cli_parse (context, &argc, &argv))
    return CACHET_CLI_EXIT_ERROR;
  store = open_store ();
  if (store == NULL)
    return CACHET_CLI_EXIT_ERROR;

  anchors = cachet_store_get_anchors (store);
  mozilla = cachet_nss_email_roots_load (&error);
  if (mozilla == NULL)
    mozilla = g_ptr_array_new_with_free_func (g_object_unref);

  json_builder_begin_array (builder);
  for (guint pass = 0; pass < 2; pass++)
    {
      GPtrArray *list = pass == 0 ? anchors : mozilla;
      const char *source = pass == 0 ? "user" : "mozilla-email";

      if (pass == 1 && !all)
        break;
      for (guint i = 0; i < list->len; i++)
        {
          CachetCertificate *certificate = g_ptr_array_index (list, i);

          if (json)
            {
              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "source");
              json_builder_add_string_value (builder, source);
              add_certificate_members (builder, certificate);
              json_builder_end_object (builder);
            }
          else
            printf ("%-13s  %s\n               %s\n", source, cachet_certificate_get_name (certificate),
                    cachet_certificate_get_fingerprint (certificate));
        }
    }
  json_builder_end_array (builder);

  if (json)
    print_json (builder);
  else
    {
      if (anchors->len == 0)
        printf ("%s\n", _("You have added no trust anchors."));
      if (error != NULL)
        printf ("%s\n", error->message);
      else
        printf (_("Also trusted: %u roots Mozilla trusts for email (--all lists them) and the system’s certificate bundle.\n"),
                mozilla->len);
    }
  return CACHET_CLI_EXIT_OK;
}

static int
trust_remove (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("FINGERPRINT"));
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetStore) store = NULL;

  if (!cachet_cli_parse (context, &argc, &argv))
    return CACHET_CLI_EXIT_ERROR;
  if (argc != 2)
    return cachet_cli_fail (_("Give the anchor’s fingerprint: cachet-cli trust remove FINGERPRINT (see “cachet-cli trust list”)."));
  store = open_store ();
  if (store == NULL)
    return CACHET_CLI_EXIT_ERROR;
  if (!cachet_store_remove_anchor (store, argv[1], &error))
    return cachet_cli_fail_error (error);
  return CACHET_CLI_EXIT_OK;
}

static int
trust_add_crl (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("CRL…"));
  g_autoptr(GPtrArray) issuers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(CachetStore) store = NULL;
  g_auto(GStrv) issuer_files = NULL;
  GOptionEntry entries[] = {
    { "issuer", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &issuer_files,
      N_("The certificate of the authority that issued the list, when Cachet does not know it yet"), N_("CA.pem") },
    { NULL }
  };

  g_option_context_set_summary (context,
                                _("Import certificate revocation lists (PEM or DER). Each must be signed by an "
                                  "authority you trust, one in a contact’s chain, or one given with --issuer; "
                                  "verification and encryption then use it."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!cachet_cli_parse (context, &argc, &argv))
    return CACHET_CLI_EXIT_ERROR;
  if (argc < 2)
    return cachet_cli_fail (_("Give the revocation list: cachet-cli trust add-crl CRL [--issuer CA.pem]"));

  for (guint i = 0; issuer_files && issuer_files[i]; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) certificates = cachet_certificate_list_from_file (issuer_files[i], &error);

      if (certificates == NULL)
        return cachet_cli_fail_error (error);
      for (guint j = 0; j < certificates->len; j++)
        if (cachet_certificate_is_ca (certificates->pdata[j]))
          g_ptr_array_add (issuers, g_object_ref (certificates->pdata[j]));
    }

  store = open_store ();
  if (store == NULL)
    return CACHET_CLI_EXIT_ERROR;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!cachet_revocation_import_crl (store, argv[i], issuers, &error))
        return cachet_cli_fail_error (error);
      printf (_("Imported the revocation list %s.\n"), argv[i]);
    }
  return CACHET_CLI_EXIT_OK;
}

static const Subcommand trust_commands[] = {
  { "add", trust_add, "CA.pem" },
  { "list", trust_list, "[--json] [--all]" },
  { "remove", trust_remove, "FINGERPRINT" },
  { "add-crl", trust_add_crl, "CRL [--issuer CA.pem]" },
};

int
cachet_cli_trust (int argc, char **argv)
{
  return dispatch ("trust", trust_commands, G_N_ELEMENTS (trust_commands), argc, argv);
}
