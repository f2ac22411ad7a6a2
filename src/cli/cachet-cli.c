/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-cli.c: cachet-cli's entry point, dispatching to one function per command.
 */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "cachet-cli-common.h"

typedef struct {
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "verify",   cachet_cli_verify,   N_("Check the signature of a message or file") },
  { "sign",     cachet_cli_sign,     N_("Sign a message or file") },
  { "encrypt",  cachet_cli_encrypt,  N_("Encrypt a message or file") },
  { "decrypt",  cachet_cli_decrypt,  N_("Decrypt a message or file") },
  { "identity", cachet_cli_identity, N_("Create, install, import, export and list your identities") },
  { "contact",  cachet_cli_contact,  N_("Manage other people’s certificates") },
  { "trust",    cachet_cli_trust,    N_("Manage the certificate authorities you trust") },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: cachet-cli COMMAND [OPTION…]"));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-9s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run “cachet-cli COMMAND --help” for the options of a command."));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  cachet_core_init ();
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      print_usage (stderr);
      return CACHET_CLI_EXIT_ERROR;
    }

  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return CACHET_CLI_EXIT_OK;
    }

  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("cachet-cli %s\n", PACKAGE_VERSION);
      return CACHET_CLI_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].run (argc - 1, argv + 1);

  return cachet_cli_fail (_("“%s” is not a command. Run “cachet-cli --help” to see the commands."), argv[1]);
}
