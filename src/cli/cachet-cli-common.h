/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-cli-common.h: what the cachet-cli commands share.
 *
 * Exit codes follow ../shared/CLI.md: verify and decrypt return the verdict's status
 * (0 good, 1 bad, 2 error, 3 untrusted, 4 unsigned); other commands 0 or 2.
 */
#pragma once

#include "cachet-core.h"

G_BEGIN_DECLS

#define CACHET_CLI_EXIT_OK    0
#define CACHET_CLI_EXIT_ERROR 2

/* The commands, one per area (cachet-cli-signing.c, -encryption.c, -store.c).
 * ARGV[0] is the command name ("verify"). */
int  cachet_cli_verify   (int argc, char **argv);
int  cachet_cli_sign     (int argc, char **argv);
int  cachet_cli_encrypt  (int argc, char **argv);
int  cachet_cli_decrypt  (int argc, char **argv);
int  cachet_cli_identity (int argc, char **argv);
int  cachet_cli_contact  (int argc, char **argv);
int  cachet_cli_trust    (int argc, char **argv);

/* Prints "cachet-cli: MESSAGE" on stderr (one line) and returns CACHET_CLI_EXIT_ERROR. */
int  cachet_cli_fail            (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* Prints ERROR's message the same way and returns CACHET_CLI_EXIT_ERROR. */
int  cachet_cli_fail_error      (const GError *error);
/* Parses ARGV with CONTEXT; on a usage error prints it and returns FALSE. */
gboolean cachet_cli_parse       (GOptionContext *context,
                                 int            *argc,
                                 char         ***argv);
/* Prints the verdict (text or --json) on stdout and returns its exit code. */
int  cachet_cli_report_verdict  (CachetVerdict  *verdict,
                                 gboolean        json);
/* For an error that happens before a verdict exists: with --json prints a verdict of status
 * error on stdout; always prints the one line on stderr. Returns 2. */
int  cachet_cli_report_error    (const GError   *error,
                                 gboolean        json);
/* Reads a password from PASSWORD_FILE (first line), or asks on the terminal without echo
 * (twice when CONFIRM). NULL with ERROR when neither is possible. */
char *cachet_cli_read_password  (const char     *password_file,
                                 const char     *prompt,
                                 gboolean        confirm,
                                 GError        **error);
/* Loads every certificate in each file of PATHS (NULL-terminated) and calls ADD for each. */
gboolean cachet_cli_load_certificates (char          **paths,
                                       void          (*add) (CachetOptions *, CachetCertificate *),
                                       CachetOptions  *options,
                                       GError        **error);

G_END_DECLS
