/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-test-util.c: test PKI with openssl, running programs, temporary folders.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "cachet-test-util.h"

static GPtrArray *temporary_dirs;

static void
remove_temporary_dirs (void)
{
  if (temporary_dirs == NULL || g_getenv ("CACHET_TEST_KEEP"))
    return;
  for (guint i = 0; i < temporary_dirs->len; i++)
    {
      g_autofree char *command = g_strdup_printf ("rm -rf '%s'", (char *) temporary_dirs->pdata[i]);
      if (system (command) != 0)
        g_printerr ("could not remove %s\n", (char *) temporary_dirs->pdata[i]);
    }
}

char *
cachet_test_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("cachet-test-XXXXXX", &error);

  g_assert_no_error (error);
  if (temporary_dirs == NULL)
    {
      temporary_dirs = g_ptr_array_new_with_free_func (g_free);
      atexit (remove_temporary_dirs);
    }
  g_ptr_array_add (temporary_dirs, g_strdup (dir));
  return dir;
}

int
cachet_test_shell (char       **out,
                   const char  *format,
                   ...)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  g_autofree char *captured = NULL;
  g_autofree char *errors = NULL;
  const char *argv[] = { "/bin/sh", "-c", NULL, NULL };
  int status = 0;
  va_list args;

  va_start (args, format);
  command = g_strdup_vprintf (format, args);
  va_end (args);
  argv[2] = command;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &captured, &errors, &status, &error))
    g_error ("cannot run %s: %s", command, error->message);

  if (out)
    *out = g_steal_pointer (&captured);
  if (!g_spawn_check_wait_status (status, NULL) && g_test_verbose ())
    g_printerr ("# command failed: %s\n# %s\n", command, errors);

  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
must (int         rc,
      const char *what)
{
  if (rc != 0)
    g_error ("test PKI: %s failed (exit %d)", what, rc);
}

static const char ca_config[] =
  "[ ca ]\n"
  "default_ca = testca\n"
  "[ testca ]\n"
  "database = %s/index.txt\n"
  "new_certs_dir = %s/newcerts\n"
  "serial = %s/serial\n"
  "default_md = sha256\n"
  "default_days = 825\n"
  "policy = policy_any\n"
  "unique_subject = no\n"
  "email_in_dn = yes\n"
  "[ policy_any ]\n"
  "commonName = supplied\n"
  "emailAddress = optional\n"
  "[ v3_ca ]\n"
  "basicConstraints = critical, CA:TRUE\n"
  "keyUsage = critical, keyCertSign, cRLSign\n"
  "subjectKeyIdentifier = hash\n"
  "authorityKeyIdentifier = keyid\n";

CachetTestPki *
cachet_test_pki_new (void)
{
  CachetTestPki *pki = g_new0 (CachetTestPki, 1);
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;

  pki->dir = cachet_test_tmpdir ();
  pki->root_cert = g_build_filename (pki->dir, "root.crt", NULL);
  pki->root_key = g_build_filename (pki->dir, "root.key", NULL);
  pki->inter_cert = g_build_filename (pki->dir, "inter.crt", NULL);
  pki->inter_key = g_build_filename (pki->dir, "inter.key", NULL);

  config = g_strdup_printf (ca_config, pki->dir, pki->dir, pki->dir);
  config_path = g_build_filename (pki->dir, "ca.cnf", NULL);
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));

  must (cachet_test_shell (NULL,
      "cd '%s' && mkdir -p newcerts && : > index.txt && echo 1000 > serial && "
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.crt -days 3650 "
      "  -subj '/O=Cachet Tests/CN=Cachet Test Root CA' -config ca.cnf -extensions v3_ca 2>/dev/null && "
      "openssl req -newkey rsa:2048 -nodes -keyout inter.key -out inter.csr "
      "  -subj '/O=Cachet Tests/CN=Cachet Test Intermediate CA' 2>/dev/null && "
      "openssl ca -batch -config ca.cnf -cert root.crt -keyfile root.key -preserveDN -notext "
      "  -extensions v3_ca -in inter.csr -out inter.crt 2>/dev/null",
      pki->dir), "creating the test CAs");

  return pki;
}

void
cachet_test_pki_free (CachetTestPki *pki)
{
  if (pki == NULL)
    return;
  g_free (pki->dir);
  g_free (pki->root_cert);
  g_free (pki->root_key);
  g_free (pki->inter_cert);
  g_free (pki->inter_key);
  g_free (pki);
}

static gboolean
has_flag (const char *flags,
          const char *flag)
{
  g_auto(GStrv) list = g_strsplit (flags ? flags : "", " ", -1);
  return g_strv_contains ((const char * const *) list, flag);
}

char *
cachet_test_pki_issue (CachetTestPki *pki,
                       const char    *name,
                       const char    *email,
                       const char    *key_type,
                       const char    *flags)
{
  g_autofree char *extensions = NULL;
  g_autofree char *extensions_path = NULL;
  const char *keygen;
  const char *usage;
  const char *dates = "";
  gboolean by_root = has_flag (flags, "root");

  if (g_strcmp0 (key_type, "p256") == 0)
    keygen = "-algorithm EC -pkeyopt ec_paramgen_curve:P-256";
  else if (g_strcmp0 (key_type, "rsa1024") == 0)
    keygen = "-algorithm RSA -pkeyopt rsa_keygen_bits:1024";
  else
    keygen = "-algorithm RSA -pkeyopt rsa_keygen_bits:2048";

  if (has_flag (flags, "sign-only") || g_strcmp0 (key_type, "p256") == 0)
    usage = "critical, digitalSignature, nonRepudiation";
  else
    usage = "critical, digitalSignature, nonRepudiation, keyEncipherment";

  if (has_flag (flags, "expired"))
    dates = "-startdate 20200101000000Z -enddate 20210101000000Z";
  else if (has_flag (flags, "not-yet-valid"))
    dates = "-startdate 20900101000000Z -enddate 20910101000000Z";

  extensions = g_strdup_printf (
      "[ leaf ]\n"
      "basicConstraints = critical, CA:FALSE\n"
      "keyUsage = %s\n"
      "extendedKeyUsage = %s\n"
      "subjectAltName = email:%s\n"
      "subjectKeyIdentifier = hash\n"
      "authorityKeyIdentifier = keyid\n",
      usage, has_flag (flags, "tls-server") ? "serverAuth" : "emailProtection", email);
  extensions_path = g_strdup_printf ("%s/%s.ext", pki->dir, name);
  g_assert_true (g_file_set_contents (extensions_path, extensions, -1, NULL));

  must (cachet_test_shell (NULL,
      "cd '%s' && "
      "openssl genpkey %s -out '%s.key' 2>/dev/null && "
      "openssl req -new -key '%s.key' -out '%s.csr' -subj '/CN=%s/emailAddress=%s' 2>/dev/null && "
      "openssl ca -batch -config ca.cnf -cert %s -keyfile %s -preserveDN -notext -md %s %s "
      "  -extfile '%s.ext' -extensions leaf -in '%s.csr' -out '%s.crt' 2>/dev/null && "
      "cat '%s.crt' %s > '%s-chain.pem'",
      pki->dir, keygen, name, name, name, name, email,
      by_root ? "root.crt" : "inter.crt", by_root ? "root.key" : "inter.key",
      has_flag (flags, "sha1") ? "sha1" : "sha256", dates,
      name, name, name, name, by_root ? "" : "inter.crt", name),
      "issuing a test certificate");

  return g_build_filename (pki->dir, name, NULL);
}

void
cachet_test_run_clear (CachetTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
  run->exit_code = 0;
}

void
cachet_test_run (CachetTestRun      *run,
                 const char * const *envp,
                 const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_auto(GStrv) environment = g_get_environ ();
  int status = 0;

  cachet_test_run_clear (run);

  for (guint i = 0; argv[i]; i++)
    {
      const char *arg = argv[i];

      if (i == 0 && g_str_equal (arg, "cachet-cli") && g_getenv ("CACHET_CLI"))
        arg = g_getenv ("CACHET_CLI");
      g_ptr_array_add (args, (gpointer) arg);
    }
  g_ptr_array_add (args, NULL);

  for (guint i = 0; envp && envp[i]; i++)
    {
      g_auto(GStrv) pair = g_strsplit (envp[i], "=", 2);
      environment = g_environ_setenv (environment, pair[0], pair[1] ? pair[1] : "", TRUE);
    }

  /* cachet-cli verify consults and fills the key store (CLI.md: good signers become contacts):
   * unless the test chose a store, each run gets its own empty one, so cases do not leak into
   * each other or into the real user's folder. */
  if (g_environ_getenv (environment, "XDG_DATA_HOME") == NULL)
    {
      g_autofree char *data_home = cachet_test_tmpdir ();
      environment = g_environ_setenv (environment, "XDG_DATA_HOME", data_home, TRUE);
    }

  if (!g_spawn_sync (NULL, (char **) args->pdata, environment,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                     &run->out, &run->err, &status, &error))
    g_error ("cannot run %s: %s", argv[0], error->message);

  run->exit_code = WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

void
cachet_test_run_cli (CachetTestRun *run,
                     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) "cachet-cli");
  va_start (args, run);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  cachet_test_run (run, NULL, (const char * const *) argv->pdata);
}

char *
cachet_test_write_message (const char *dir,
                           const char *file_name,
                           const char *from,
                           const char *to,
                           const char *subject,
                           const char *body)
{
  char *path = g_build_filename (dir, file_name, NULL);
  g_autofree char *message = g_strdup_printf (
      "From: %s\n"
      "To: %s\n"
      "Subject: %s\n"
      "Date: Sat, 28 Nov 2026 12:00:00 +0000\n"
      "Message-ID: <%s@cachet.test>\n"
      "MIME-Version: 1.0\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "Content-Transfer-Encoding: 8bit\n"
      "\n"
      "%s",
      from, to, subject, file_name, body);

  g_assert_true (g_file_set_contents (path, message, -1, NULL));
  return path;
}

char *
cachet_test_write_file (const char *dir,
                        const char *file_name,
                        const char *contents)
{
  char *path = g_build_filename (dir, file_name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

gboolean
cachet_test_have_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);
  return path != NULL;
}

const char *
cachet_test_corpus (void)
{
  const char *corpus = g_getenv ("CACHET_CORPUS");
  g_autofree char *index = corpus ? g_build_filename (corpus, "INDEX.md", NULL) : NULL;

  if (index == NULL || !g_file_test (index, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the shared corpus (../shared/corpus) is not present");
      return NULL;
    }
  return corpus;
}

char *
cachet_test_pki_issue_with_extensions (CachetTestPki *pki,
                                       const char    *name,
                                       const char    *email,
                                       const char    *extra_extensions)
{
  g_autofree char *extensions = g_strdup_printf (
      "[ leaf ]\n"
      "basicConstraints = critical, CA:FALSE\n"
      "keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment\n"
      "extendedKeyUsage = emailProtection\n"
      "subjectAltName = email:%s\n"
      "subjectKeyIdentifier = hash\n"
      "authorityKeyIdentifier = keyid\n"
      "%s",
      email, extra_extensions ? extra_extensions : "");
  g_autofree char *extensions_path = g_strdup_printf ("%s/%s.ext", pki->dir, name);

  g_assert_true (g_file_set_contents (extensions_path, extensions, -1, NULL));
  must (cachet_test_shell (NULL,
      "cd '%s' && "
      "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out '%s.key' 2>/dev/null && "
      "openssl req -new -key '%s.key' -out '%s.csr' -subj '/CN=%s/emailAddress=%s' 2>/dev/null && "
      "openssl ca -batch -config ca.cnf -cert inter.crt -keyfile inter.key -preserveDN -notext "
      "  -md sha256 -extfile '%s.ext' -extensions leaf -in '%s.csr' -out '%s.crt' 2>/dev/null && "
      "cat '%s.crt' inter.crt > '%s-chain.pem'",
      pki->dir, name, name, name, name, email, name, name, name, name, name),
      "issuing a test certificate with extensions");

  return g_build_filename (pki->dir, name, NULL);
}
