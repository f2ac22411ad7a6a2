/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-cli-common.c: error reporting, verdict output and password prompts for cachet-cli.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>

#include "cachet-cli-common.h"

int
cachet_cli_fail (const char *format,
                 ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* one line, whatever the message holds */
  g_strdelimit (message, "\r\n", ' ');
  fprintf (stderr, "cachet-cli: %s\n", message);
  return CACHET_CLI_EXIT_ERROR;
}

int
cachet_cli_fail_error (const GError *error)
{
  return cachet_cli_fail ("%s", error->message);
}

gboolean
cachet_cli_parse (GOptionContext   *context,
                  int              *argc,
                  char           ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      cachet_cli_fail (_("%s. Run “cachet-cli %s --help” for the options."),
                       error->message, (*argv)[0]);
      return FALSE;
    }
  return TRUE;
}

int
cachet_cli_report_verdict (CachetVerdict *verdict,
                           gboolean       json)
{
  CachetStatus status = cachet_verdict_get_status (verdict);
  g_autofree char *output = json ? cachet_verdict_to_json (verdict) : cachet_verdict_to_text (verdict);

  fputs (output, stdout);
  if (json)
    fputc ('\n', stdout);
  fflush (stdout);

  if (status == CACHET_STATUS_ERROR && cachet_verdict_get_error_message (verdict))
    cachet_cli_fail ("%s", cachet_verdict_get_error_message (verdict));

  return (int) status;
}

int
cachet_cli_report_error (const GError *error,
                         gboolean      json)
{
  if (json)
    {
      g_autoptr(CachetVerdict) verdict = cachet_verdict_new_for_error (error);
      g_autofree char *output = cachet_verdict_to_json (verdict);

      puts (output);
      fflush (stdout);
    }

  return cachet_cli_fail_error (error);
}

static char *
read_line_no_echo (const char  *prompt,
                   GError     **error)
{
  struct termios saved, quiet;
  char buffer[1024];
  gboolean restored;
  char *line;

  if (!isatty (STDIN_FILENO) || tcgetattr (STDIN_FILENO, &saved) < 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_BAD_PASSWORD,
                   _("A password is needed and there is no terminal to ask for it. Give it with --password-file FILE."));
      return NULL;
    }

  quiet = saved;
  quiet.c_lflag &= ~ECHO;
  fprintf (stderr, "%s", prompt);
  fflush (stderr);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  line = fgets (buffer, sizeof buffer, stdin);
  restored = tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved) == 0;
  fputc ('\n', stderr);

  if (line == NULL || !restored)
    {
      gnutls_memset (buffer, 0, sizeof buffer);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_BAD_PASSWORD, _("No password was entered."));
      return NULL;
    }

  buffer[strcspn (buffer, "\r\n")] = '\0';
  line = g_strdup (buffer);
  gnutls_memset (buffer, 0, sizeof buffer);
  return line;
}

static void
wipe_string (char *secret)
{
  if (secret)
    {
      gnutls_memset (secret, 0, strlen (secret));
      g_free (secret);
    }
}

char *
cachet_cli_read_password (const char  *password_file,
                          const char  *prompt,
                          gboolean     confirm,
                          GError     **error)
{
  char *first, *second;

  if (password_file)
    {
      g_autoptr(GError) local_error = NULL;
      char *contents = NULL;
      gsize size = 0;
      char *password;

      if (!g_file_get_contents (password_file, &contents, &size, &local_error))
        {
          g_autofree char *display = g_filename_display_name (password_file);
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                       _("Could not read the password file “%s”: %s"), display, local_error->message);
          return NULL;
        }
      password = g_strndup (contents, strcspn (contents, "\r\n"));
      gnutls_memset (contents, 0, size);
      g_free (contents);
      return password;
    }

  first = read_line_no_echo (prompt, error);
  if (first == NULL || !confirm)
    return first;

  second = read_line_no_echo (_("Enter the same password again: "), error);
  if (second == NULL)
    {
      wipe_string (first);
      return NULL;
    }
  if (!g_str_equal (first, second))
    {
      wipe_string (first);
      wipe_string (second);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_BAD_PASSWORD,
                   _("The two passwords differ. Nothing was written; try again."));
      return NULL;
    }
  wipe_string (second);
  return first;
}

gboolean
cachet_cli_load_certificates (char          **paths,
                              void          (*add) (CachetOptions *, CachetCertificate *),
                              CachetOptions  *options,
                              GError        **error)
{
  for (guint i = 0; paths && paths[i]; i++)
    {
      g_autoptr(GPtrArray) certificates = cachet_certificate_list_from_file (paths[i], error);

      if (certificates == NULL)
        return FALSE;
      for (guint j = 0; j < certificates->len; j++)
        add (options, certificates->pdata[j]);
    }
  return TRUE;
}
