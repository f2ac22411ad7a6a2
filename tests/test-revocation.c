/* SPDX-License-Identifier: GPL-3.0-or-later
 * test-revocation.c: CRLs and OCSP against real peers on 127.0.0.1 only: CRLs made by
 * `openssl ca -gencrl`, an `openssl ocsp` responder and a `python3 -m http.server`
 * distribution point, all started (and always stopped) by this program.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cachet-revocation.h"
#include "cachet-store.h"
#include "cachet-test-util.h"

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CachetTestRun, cachet_test_run_clear)

/* --- servers on loopback --- */

static GArray *running_servers;   /* GPid */

static void
die_with_parent (gpointer data)
{
  /* a test that aborts must not leave its servers behind */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
stop_server (GPid pid)
{
  for (guint i = 0; running_servers && i < running_servers->len; i++)
    if (g_array_index (running_servers, GPid, i) == pid)
      {
        g_array_remove_index (running_servers, i);
        kill (pid, SIGTERM);
        waitpid (pid, NULL, 0);
        g_spawn_close_pid (pid);
        return;
      }
}

static void
stop_all_servers (void)
{
  while (running_servers && running_servers->len > 0)
    stop_server (g_array_index (running_servers, GPid, 0));
}

static int
free_port (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  int port;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  return port;
}

/* Is something listening on PORT? Read from the kernel's socket tables rather than by
 * connecting: an empty connection sends `openssl ocsp` (3.0) into a busy loop. */
static gboolean
listening (int port)
{
  const char *tables[] = { "/proc/net/tcp", "/proc/net/tcp6" };
  g_autofree char *suffix = g_strdup_printf (":%04X", port);

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_file_get_contents (tables[t], &contents, NULL, NULL))
        continue;
      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 1; lines[i]; i++)
        {
          g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
          g_autoptr(GPtrArray) columns = g_ptr_array_new ();

          for (guint f = 0; fields[f]; f++)
            if (*fields[f])
              g_ptr_array_add (columns, fields[f]);
          /* sl local_address rem_address st ...; st 0A is LISTEN */
          if (columns->len > 3 && g_str_has_suffix (columns->pdata[1], suffix) &&
              g_str_equal (columns->pdata[3], "0A"))
            return TRUE;
        }
    }
  return FALSE;
}

/* Starts ARGV in DIR and waits until PORT on 127.0.0.1 accepts connections. */
static GPid
start_server (const char         *dir,
              const char * const *argv,
              int                 port)
{
  g_autoptr(GError) error = NULL;
  GPid pid = 0;

  if (running_servers == NULL)
    {
      running_servers = g_array_new (FALSE, FALSE, sizeof (GPid));
      atexit (stop_all_servers);
    }
  g_assert_true (g_spawn_async (dir, (char **) argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH |
                                G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                die_with_parent, NULL, &pid, &error));
  g_assert_no_error (error);
  g_array_append_val (running_servers, pid);

  for (guint i = 0; i < 100; i++)
    {
      if (listening (port))
        return pid;
      g_usleep (100 * 1000);
    }
  stop_server (pid);
  g_error ("%s did not start listening on 127.0.0.1:%d", argv[0], port);
}

static GPid
start_ocsp_responder (const char *dir,
                      int         port,
                      const char *signer_cert,
                      const char *signer_key)
{
  g_autofree char *port_text = g_strdup_printf ("%d", port);
  const char *argv[] = {
    "openssl", "ocsp", "-index", "index.txt", "-port", port_text,
    "-rsigner", signer_cert, "-rkey", signer_key, "-CA", "inter.crt", "-nmin", "10", NULL
  };

  return start_server (dir, argv, port);
}

static GPid
start_http_server (const char *dir,
                   int         port)
{
  g_autofree char *port_text = g_strdup_printf ("%d", port);
  const char *argv[] = {
    "python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", dir, port_text, NULL
  };

  return start_server (dir, argv, port);
}

/* --- the test PKI, made once --- */

typedef struct {
  CachetTestPki *pki;
  int ocsp_port;
  int dead_port;
  int http_port;
  char *carol, *dave;           /* plain; carol revoked in inter.crl (keyCompromise) */
  char *erin, *frank;           /* OCSP at ocsp_port; frank revoked (superseded) */
  char *gina;                   /* OCSP at dead_port, where nothing listens */
  char *ivan, *judy;            /* CRL distribution point on http_port; ivan revoked */
  char *crl_pem;                /* inter.crl, PEM */
  char *crl_der;
  char *served;                 /* the folder the HTTP server serves: inter.crl (DER) */
} Fixture;

static Fixture *fixture;

static char *
sign_mail (const char *who,
           const char *email)
{
  g_autofree char *entity = g_strdup_printf ("%s.entity", who);
  g_autofree char *mail = g_strdup_printf ("%s.eml", who);

  g_assert_cmpint (cachet_test_shell (NULL,
      "cd '%s' && printf 'Content-Type: text/plain\\r\\n\\r\\nHello from %s.\\r\\n' > '%s' && "
      "openssl cms -sign -in '%s' -signer '%s.crt' -inkey '%s.key' -certfile inter.crt "
      "  -from '%s' -to 'bob@example.org' -subject 'Revocation test' -out '%s'",
      fixture->pki->dir, email, entity, entity, who, who, email, mail), ==, 0);
  return g_build_filename (fixture->pki->dir, mail, NULL);
}

static void
revoke_certificate (const char *who,
                    const char *reason)
{
  g_assert_cmpint (cachet_test_shell (NULL,
      "cd '%s' && openssl ca -batch -config ca.cnf -cert inter.crt -keyfile inter.key "
      "  -revoke '%s.crt' -crl_reason %s",
      fixture->pki->dir, who, reason), ==, 0);
}

static Fixture *
get_fixture (void)
{
  g_autofree char *aia = NULL;
  g_autofree char *dead_aia = NULL;
  g_autofree char *cdp = NULL;

  if (fixture != NULL)
    return fixture;

  fixture = g_new0 (Fixture, 1);
  fixture->pki = cachet_test_pki_new ();
  fixture->ocsp_port = free_port ();
  do
    fixture->dead_port = free_port ();
  while (fixture->dead_port == fixture->ocsp_port);
  do
    fixture->http_port = free_port ();
  while (fixture->http_port == fixture->ocsp_port || fixture->http_port == fixture->dead_port);

  aia = g_strdup_printf ("authorityInfoAccess = OCSP;URI:http://127.0.0.1:%d\n", fixture->ocsp_port);
  dead_aia = g_strdup_printf ("authorityInfoAccess = OCSP;URI:http://127.0.0.1:%d\n", fixture->dead_port);
  cdp = g_strdup_printf ("crlDistributionPoints = URI:http://127.0.0.1:%d/inter.crl\n", fixture->http_port);

  fixture->carol = cachet_test_pki_issue (fixture->pki, "carol", "carol@example.org", "rsa2048", NULL);
  fixture->dave = cachet_test_pki_issue (fixture->pki, "dave", "dave@example.org", "rsa2048", NULL);
  fixture->erin = cachet_test_pki_issue_with_extensions (fixture->pki, "erin", "erin@example.org", aia);
  fixture->frank = cachet_test_pki_issue_with_extensions (fixture->pki, "frank", "frank@example.org", aia);
  fixture->gina = cachet_test_pki_issue_with_extensions (fixture->pki, "gina", "gina@example.org", dead_aia);
  fixture->ivan = cachet_test_pki_issue_with_extensions (fixture->pki, "ivan", "ivan@example.org", cdp);
  fixture->judy = cachet_test_pki_issue_with_extensions (fixture->pki, "judy", "judy@example.org", cdp);

  revoke_certificate ("carol", "keyCompromise");
  revoke_certificate ("frank", "superseded");
  revoke_certificate ("ivan", "cessationOfOperation");

  fixture->crl_pem = g_build_filename (fixture->pki->dir, "inter.crl", NULL);
  fixture->crl_der = g_build_filename (fixture->pki->dir, "inter.crl.der", NULL);
  fixture->served = g_build_filename (fixture->pki->dir, "served", NULL);
  g_assert_cmpint (cachet_test_shell (NULL,
      "cd '%s' && openssl ca -batch -config ca.cnf -cert inter.crt -keyfile inter.key -gencrl "
      "  -crldays 30 -out inter.crl && openssl crl -in inter.crl -outform DER -out inter.crl.der && "
      "mkdir -p served && cp inter.crl.der served/inter.crl",
      fixture->pki->dir), ==, 0);

  return fixture;
}

/* --- running cachet-cli and reading its verdict --- */

typedef struct {
  int   exit_code;
  char *status;            /* the verdict's */
  gboolean checked;
  char *revocation;        /* the first signer's revocation status */
  char *source;
  char *time;
  char *reason;
  char *problems;          /* the first signer's problem codes, space-separated */
  char *details;           /* their details */
  char *raw;
} Result;

static void
result_clear (Result *result)
{
  g_free (result->status);
  g_free (result->revocation);
  g_free (result->source);
  g_free (result->time);
  g_free (result->reason);
  g_free (result->problems);
  g_free (result->details);
  g_free (result->raw);
  memset (result, 0, sizeof *result);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return g_strdup (json_node_get_string (node));
}

/* Runs cachet-cli verify --json with the store under DATA_HOME and the test root trusted. */
static void
verify (Result     *result,
        const char *data_home,
        const char *mode,      /* "--online", "--offline" or NULL */
        const char *mail)
{
  g_autofree char *env_home = g_strdup_printf ("XDG_DATA_HOME=%s", data_home);
  const char *envp[] = { env_home, NULL };
  const char *argv[] = { "cachet-cli", "verify", "--json", "--no-system-trust", "--trust",
                         fixture->pki->root_cert, mail, NULL, NULL };
  g_auto(CachetTestRun) run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(GString) details = g_string_new (NULL);
  JsonObject *root, *signer, *revocation, *problem_details;
  JsonArray *signers, *list;

  if (mode)
    {
      argv[6] = mode;
      argv[7] = mail;
    }
  cachet_test_run (&run, envp, argv);

  result_clear (result);
  result->exit_code = run.exit_code;
  result->raw = g_strdup_printf ("exit %d\nstdout: %s\nstderr: %s", run.exit_code, run.out, run.err);
  if (!json_parser_load_from_data (parser, run.out, -1, &error))
    g_error ("verify did not print JSON (%s):\n%s", error->message, result->raw);

  root = json_node_get_object (json_parser_get_root (parser));
  result->status = member_string (root, "status");
  signers = json_object_get_array_member (root, "signers");
  g_assert_nonnull (signers);
  g_assert_cmpuint (json_array_get_length (signers), ==, 1);
  signer = json_array_get_object_element (signers, 0);
  revocation = json_object_get_object_member (signer, "revocation");
  g_assert_nonnull (revocation);
  result->checked = json_object_get_boolean_member (revocation, "checked");
  result->revocation = member_string (revocation, "status");
  result->source = member_string (revocation, "source");
  result->time = member_string (revocation, "time");
  result->reason = member_string (revocation, "reason");
  list = json_object_get_array_member (signer, "problems");
  problem_details = json_object_get_object_member (signer, "problem_details");
  for (guint i = 0; list && i < json_array_get_length (list); i++)
    {
      const char *code = json_array_get_string_element (list, i);

      g_string_append_printf (problems, "%s%s", i ? " " : "", code);
      if (problem_details && json_object_has_member (problem_details, code))
        g_string_append_printf (details, "%s\n", json_object_get_string_member (problem_details, code));
    }
  result->problems = g_strdup (problems->str);
  result->details = g_strdup (details->str);

  if (g_test_verbose ())
    g_printerr ("# %s\n", result->raw);
}

static void
assert_result (Result     *result,
               int         exit_code,
               const char *revocation,
               const char *source)
{
  if (result->exit_code != exit_code ||
      g_strcmp0 (result->revocation, revocation) != 0 ||
      g_strcmp0 (result->source, source) != 0)
    g_error ("expected exit %d, revocation %s from %s; got exit %d, revocation %s from %s (%s)\n%s",
             exit_code, revocation, source ? source : "(none)", result->exit_code, result->revocation,
             result->source ? result->source : "(none)", result->reason ? result->reason : "", result->raw);
}

static char *
store_dir (const char *data_home)
{
  return g_build_filename (data_home, "cachet", NULL);
}

static guint
count_stored_crls (const char *data_home)
{
  g_autofree char *dir = g_build_filename (data_home, "cachet", "crls", NULL);
  g_autoptr(GDir) folder = g_dir_open (dir, 0, NULL);
  guint count = 0;

  while (folder && g_dir_read_name (folder))
    count++;
  return count;
}

static CachetCertificate *
load_certificate (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = cachet_certificate_list_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, >=, 1);
  return g_object_ref (list->pdata[0]);
}

/* Imports PATH into the store under DATA_HOME with ISSUER_PATH as a given issuer (what
 * `trust add-crl --issuer CA.pem` does), or with none. */
static gboolean
import_crl_from (const char *data_home,
                 const char *path,
                 const char *issuer_path,
                 GError    **error)
{
  g_autofree char *dir = store_dir (data_home);
  g_autoptr(CachetStore) store = cachet_store_new (dir, error);
  g_autoptr(GPtrArray) issuers = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert_nonnull (store);
  if (issuer_path)
    g_ptr_array_add (issuers, load_certificate (issuer_path));
  return cachet_revocation_import_crl (store, path, issuers, error);
}

/* The same with the intermediate as the given issuer, or none. */
static gboolean
import_crl (const char *data_home,
            const char *path,
            gboolean    give_issuer,
            GError    **error)
{
  return import_crl_from (data_home, path, give_issuer ? fixture->pki->inter_cert : NULL, error);
}

/* --- cases --- */

static void
test_crl_import_revoked (void)
{
  g_autofree char *home = cachet_test_tmpdir ();
  g_autofree char *carol_mail = NULL;
  g_autofree char *dave_mail = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Result) result = { 0 };

  get_fixture ();
  carol_mail = sign_mail ("carol", "carol@example.org");
  dave_mail = sign_mail ("dave", "dave@example.org");

  /* no list yet: good, revocation not checked (and said so) */
  verify (&result, home, NULL, carol_mail);
  assert_result (&result, 0, "unknown", NULL);
  g_assert_false (result.checked);

  /* in a store that does not know the intermediate, the list is refused */
  {
    g_autofree char *empty_home = cachet_test_tmpdir ();

    g_assert_false (import_crl (empty_home, fixture->crl_pem, FALSE, &error));
    g_assert_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE);
    g_assert_nonnull (strstr (error->message, "Cachet Test Intermediate CA"));
    g_clear_error (&error);
    g_assert_cmpuint (count_stored_crls (empty_home), ==, 0);
  }

  /* the good verdict above made carol a contact, with the intermediate as her chain: a
   * chain certificate the store knows, so the PEM list is accepted without --issuer */
  g_assert_true (import_crl (home, fixture->crl_pem, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_stored_crls (home), ==, 1);

  verify (&result, home, NULL, carol_mail);
  assert_result (&result, 3, "revoked", "crl");
  g_assert_cmpstr (result.status, ==, "untrusted");
  g_assert_true (result.checked);
  g_assert_nonnull (strstr (result.problems, "revoked"));
  g_assert_nonnull (result.time);
  g_assert_cmpstr (result.reason, ==, "key compromise");
  /* the detail carries the date (YYYY-MM-DD of the revocation) and the reason */
  {
    g_autofree char *day = g_strndup (result.time, 10);

    g_assert_nonnull (strstr (result.details, day));
    g_assert_nonnull (strstr (result.details, "key compromise"));
  }

  /* dave is not on the list: good, and said to be checked */
  verify (&result, home, "--offline", dave_mail);
  assert_result (&result, 0, "good", "crl");
  g_assert_true (result.checked);

  /* the same list as DER is accepted too (and does not add a second file) */
  g_assert_true (import_crl (home, fixture->crl_der, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_stored_crls (home), ==, 1);

  /* at a moment before the revocation, the certificate was not revoked yet */
  {
    g_autofree char *env_home = g_strdup_printf ("XDG_DATA_HOME=%s", home);
    const char *envp[] = { env_home, NULL };
    const char *argv[] = { "cachet-cli", "verify", "--no-system-trust", "--trust", fixture->pki->root_cert,
                           "--at", "2000-01-01", carol_mail, NULL };
    g_auto(CachetTestRun) run = { 0 };

    cachet_test_run (&run, envp, argv);
    /* not-yet-valid at 2000, but not revoked then */
    g_assert_null (strstr (run.out, "revoked on"));
  }
}

static void
test_crl_encrypt_refused (void)
{
  g_autofree char *home = cachet_test_tmpdir ();
  g_autofree char *env_home = g_strdup_printf ("XDG_DATA_HOME=%s", home);
  g_autofree char *input = g_build_filename (home, "plain.txt", NULL);
  g_autofree char *output = g_build_filename (home, "plain.txt.p7m", NULL);
  g_autofree char *carol_cert = NULL;
  g_autofree char *dave_cert = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(CachetTestRun) run = { 0 };
  const char *envp[] = { env_home, NULL };

  get_fixture ();
  carol_cert = g_strconcat (fixture->carol, ".crt", NULL);
  dave_cert = g_strconcat (fixture->dave, ".crt", NULL);
  g_assert_true (g_file_set_contents (input, "secret\n", -1, NULL));

  /* good signed mail makes carol and dave contacts, chosen by address later */
  {
    g_autofree char *carol_mail = sign_mail ("carol", "carol@example.org");
    g_autofree char *dave_mail = sign_mail ("dave", "dave@example.org");
    g_auto(Result) result = { 0 };

    verify (&result, home, NULL, carol_mail);
    assert_result (&result, 0, "unknown", NULL);
    verify (&result, home, NULL, dave_mail);
    assert_result (&result, 0, "unknown", NULL);
  }

  g_assert_true (import_crl (home, fixture->crl_pem, TRUE, &error));
  g_assert_no_error (error);

  /* by address, from the store */
  {
    const char *argv[] = { "cachet-cli", "encrypt", "--no-self", "--no-system-trust",
                           "--trust", fixture->pki->root_cert,
                           "--to", "carol@example.org", "-o", output, input, NULL };

    cachet_test_run (&run, envp, argv);
    cachet_test_assert_exit (&run, 2);
    g_assert_nonnull (strstr (run.err, "was revoked on"));
    g_assert_nonnull (strstr (run.err, "carol"));
    g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
  }
  {
    const char *argv[] = { "cachet-cli", "encrypt", "--no-self", "--no-system-trust",
                           "--trust", fixture->pki->root_cert,
                           "--to", "dave@example.org", "-o", output, input, NULL };

    cachet_test_run (&run, envp, argv);
    cachet_test_assert_exit (&run, 0);
    g_assert_true (g_file_test (output, G_FILE_TEST_EXISTS));
    g_unlink (output);
  }

  /* by certificate file */

  {
    const char *argv[] = { "cachet-cli", "encrypt", "--no-self", "--no-system-trust",
                           "--trust", fixture->pki->root_cert, "--certs", fixture->pki->inter_cert,
                           "--to-cert", carol_cert, "-o", output, input, NULL };

    cachet_test_run (&run, envp, argv);
    cachet_test_assert_exit (&run, 2);
    g_assert_nonnull (strstr (run.err, "revoked"));
    g_assert_nonnull (strstr (run.err, "carol"));
    g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
  }
  {
    const char *argv[] = { "cachet-cli", "encrypt", "--no-self", "--no-system-trust",
                           "--trust", fixture->pki->root_cert, "--certs", fixture->pki->inter_cert,
                           "--to-cert", dave_cert, "-o", output, input, NULL };

    cachet_test_run (&run, envp, argv);
    cachet_test_assert_exit (&run, 0);
    g_assert_true (g_file_test (output, G_FILE_TEST_EXISTS));
  }
}

static void
test_crl_refused (void)
{
  g_autofree char *home = cachet_test_tmpdir ();
  g_autofree char *stranger = cachet_test_tmpdir ();
  g_autofree char *stranger_crl = g_build_filename (stranger, "stranger.crl", NULL);
  g_autofree char *bad_crl = g_build_filename (home, "bad.crl", NULL);
  g_autofree char *not_crl = g_build_filename (home, "not.crl", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *dave_mail = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Result) result = { 0 };
  CachetTestPki *other;
  gsize size = 0;

  get_fixture ();

  /* a list from an authority this store has never heard of */
  g_assert_cmpint (cachet_test_shell (NULL,
      "cd '%s' && mkdir newcerts && : > index.txt && echo 01 > serial && "
      "printf '[ca]\\ndefault_ca=s\\n[s]\\ndatabase=index.txt\\nnew_certs_dir=newcerts\\nserial=serial\\n"
      "default_md=sha256\\npolicy=p\\n[p]\\ncommonName=supplied\\n[v3]\\nbasicConstraints=critical,CA:TRUE\\n"
      "keyUsage=critical,keyCertSign,cRLSign\\n' > s.cnf && "
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout s.key -out s.crt -days 30 "
      "  -subj '/CN=Stranger CA' -config s.cnf -extensions v3 2>/dev/null && "
      "openssl ca -batch -config s.cnf -cert s.crt -keyfile s.key -gencrl -crldays 30 -out stranger.crl 2>/dev/null",
      stranger), ==, 0);
  g_assert_false (import_crl (home, stranger_crl, TRUE, &error));
  g_assert_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE);
  g_assert_nonnull (strstr (error->message, "Stranger CA"));
  g_clear_error (&error);

  /* a list by another key under the same name as our intermediate */
  other = cachet_test_pki_new ();
  g_assert_cmpint (cachet_test_shell (NULL,
      "cd '%s' && openssl ca -batch -config ca.cnf -cert inter.crt -keyfile inter.key -gencrl "
      "  -crldays 30 -out other.crl 2>/dev/null", other->dir), ==, 0);
  {
    g_autofree char *other_crl = g_build_filename (other->dir, "other.crl", NULL);

    g_assert_false (import_crl (home, other_crl, TRUE, &error));
    g_assert_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE);
    g_assert_nonnull (strstr (error->message, "signature"));
    g_clear_error (&error);
  }
  cachet_test_pki_free (other);

  /* our own list with one bit of its signature flipped */
  g_assert_true (g_file_get_contents (fixture->crl_der, &contents, &size, NULL));
  contents[size - 5] ^= 0x01;
  g_assert_true (g_file_set_contents (bad_crl, contents, size, NULL));
  g_assert_false (import_crl (home, bad_crl, TRUE, &error));
  g_assert_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE);
  g_assert_nonnull (strstr (error->message, "damaged or forged"));
  g_clear_error (&error);

  /* and a file that is no CRL at all */
  g_assert_true (g_file_set_contents (not_crl, "hello\n", -1, NULL));
  g_assert_false (import_crl (home, not_crl, TRUE, &error));
  g_assert_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED);
  g_clear_error (&error);

  /* nothing was stored; verification still says "not checked" */
  g_assert_cmpuint (count_stored_crls (home), ==, 0);
  dave_mail = sign_mail ("dave", "dave@example.org");
  verify (&result, home, NULL, dave_mail);
  assert_result (&result, 0, "unknown", NULL);
  g_assert_false (result.checked);
}

static void
test_crl_tampered_in_store (void)
{
  g_autofree char *home = cachet_test_tmpdir ();
  g_autofree char *carol_mail = NULL;
  g_autofree char *crl_dir = g_build_filename (home, "cachet", "crls", NULL);
  g_autoptr(GDir) folder = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Result) result = { 0 };
  const char *name;

  get_fixture ();
  carol_mail = sign_mail ("carol", "carol@example.org");
  g_assert_true (import_crl (home, fixture->crl_pem, TRUE, &error));
  g_assert_no_error (error);

  /* a stored list that no longer verifies is not used at all, not even for "good" */
  folder = g_dir_open (crl_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (folder)))
    {
      g_autofree char *path = g_build_filename (crl_dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize size = 0;

      g_assert_true (g_file_get_contents (path, &contents, &size, NULL));
      contents[size - 5] ^= 0x01;
      g_assert_true (g_file_set_contents (path, contents, size, NULL));
    }
  verify (&result, home, NULL, carol_mail);
  assert_result (&result, 0, "unknown", NULL);
  g_assert_false (result.checked);
}

static void
test_ocsp (void)
{
  g_autofree char *home = cachet_test_tmpdir ();
  g_autofree char *erin_mail = NULL;
  g_autofree char *frank_mail = NULL;
  g_autofree char *gina_mail = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *wrong_cert = NULL;
  g_autofree char *wrong_key = NULL;
  g_auto(Result) result = { 0 };
  GPid responder;

  if (!cachet_test_have_program ("openssl"))
    {
      g_test_skip ("openssl is not installed");
      return;
    }
  get_fixture ();
  erin_mail = sign_mail ("erin", "erin@example.org");
  frank_mail = sign_mail ("frank", "frank@example.org");
  gina_mail = sign_mail ("gina", "gina@example.org");

  responder = start_ocsp_responder (fixture->pki->dir, fixture->ocsp_port, "inter.crt", "inter.key");

  /* offline (the default): nobody is asked */
  verify (&result, home, NULL, erin_mail);
  assert_result (&result, 0, "unknown", NULL);
  g_assert_false (result.checked);

  verify (&result, home, "--online", erin_mail);
  assert_result (&result, 0, "good", "ocsp");
  g_assert_nonnull (result.time);

  verify (&result, home, "--online", frank_mail);
  assert_result (&result, 3, "revoked", "ocsp");
  g_assert_nonnull (strstr (result.problems, "revoked"));
  g_assert_cmpstr (result.reason, ==, "superseded");
  g_assert_nonnull (strstr (result.details, "superseded"));

  /* a responder that is not there: unknown, never good */
  verify (&result, home, "--online", gina_mail);
  assert_result (&result, 0, "unknown", NULL);
  g_assert_true (result.checked);
  g_assert_null (strstr (result.problems, "revoked"));
  g_assert_nonnull (result.reason);
  g_assert_nonnull (strstr (result.reason, "Could not reach"));

  /* the responder stopped: unknown as well */
  stop_server (responder);
  verify (&result, home, "--online", erin_mail);
  assert_result (&result, 0, "unknown", NULL);
  g_assert_true (result.checked);

  /* answers signed by a key the issuer never authorised are refused */
  wrong = cachet_test_pki_issue (fixture->pki, "mallory", "mallory@example.org", "rsa2048", "root");
  wrong_cert = g_strconcat (wrong, ".crt", NULL);
  wrong_key = g_strconcat (wrong, ".key", NULL);
  responder = start_ocsp_responder (fixture->pki->dir, fixture->ocsp_port, wrong_cert, wrong_key);
  verify (&result, home, "--online", frank_mail);
  assert_result (&result, 0, "unknown", NULL);
  g_assert_nonnull (strstr (result.reason, "refused"));
  verify (&result, home, "--online", erin_mail);
  assert_result (&result, 0, "unknown", NULL);
  stop_server (responder);
}

static void
test_ocsp_delegated_responder (void)
{
  g_autofree char *home = cachet_test_tmpdir ();
  g_autofree char *erin_mail = NULL;
  g_autofree char *frank_mail = NULL;
  g_autofree char *responder_name = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_auto(Result) result = { 0 };
  GPid responder;

  get_fixture ();
  erin_mail = sign_mail ("erin", "erin@example.org");
  frank_mail = sign_mail ("frank", "frank@example.org");

  /* a responder certified by the intermediate for OCSP signing speaks for it */
  responder_name = cachet_test_pki_issue_with_extensions (fixture->pki, "responder", "ocsp@example.org",
                                                           "");
  /* issue_with_extensions makes an email certificate: make a real OCSP-signing one next to it */
  g_assert_cmpint (cachet_test_shell (NULL,
      "cd '%s' && printf '[ r ]\\nbasicConstraints=critical,CA:FALSE\\nkeyUsage=critical,digitalSignature\\n"
      "extendedKeyUsage=OCSPSigning\\n' > ocsp-signer.ext && "
      "openssl ca -batch -config ca.cnf -cert inter.crt -keyfile inter.key -preserveDN -notext -md sha256 "
      "  -extfile ocsp-signer.ext -extensions r -in responder.csr -out ocsp-signer.crt 2>/dev/null",
      fixture->pki->dir), ==, 0);
  cert = g_build_filename (fixture->pki->dir, "ocsp-signer.crt", NULL);
  key = g_build_filename (fixture->pki->dir, "responder.key", NULL);

  responder = start_ocsp_responder (fixture->pki->dir, fixture->ocsp_port, cert, key);
  verify (&result, home, "--online", erin_mail);
  assert_result (&result, 0, "good", "ocsp");
  verify (&result, home, "--online", frank_mail);
  assert_result (&result, 3, "revoked", "ocsp");
  stop_server (responder);

  /* the same key without the OCSP-signing purpose is not a responder */
  {
    g_autofree char *plain = g_strconcat (responder_name, ".crt", NULL);

    responder = start_ocsp_responder (fixture->pki->dir, fixture->ocsp_port, plain, key);
    verify (&result, home, "--online", frank_mail);
    assert_result (&result, 0, "unknown", NULL);
    stop_server (responder);
  }
}

/* Answers every POST with the same bytes: a replayed OCSP response. */
static const char replay_server[] =
  "import http.server, sys\n"
  "body = open(sys.argv[1], 'rb').read()\n"
  "class Handler(http.server.BaseHTTPRequestHandler):\n"
  "    def do_POST(self):\n"
  "        self.rfile.read(int(self.headers.get('Content-Length', 0)))\n"
  "        self.send_response(200)\n"
  "        self.send_header('Content-Type', 'application/ocsp-response')\n"
  "        self.send_header('Content-Length', str(len(body)))\n"
  "        self.end_headers()\n"
  "        self.wfile.write(body)\n"
  "    def log_message(self, *args):\n"
  "        pass\n"
  "http.server.HTTPServer(('127.0.0.1', int(sys.argv[2])), Handler).serve_forever()\n";

static void
test_ocsp_replay (void)
{
  g_autofree char *home = cachet_test_tmpdir ();
  g_autofree char *erin_mail = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *response = NULL;
  g_auto(Result) result = { 0 };
  GPid server;

  if (!cachet_test_have_program ("python3"))
    {
      g_test_skip ("python3 is not installed");
      return;
    }
  get_fixture ();
  erin_mail = sign_mail ("erin", "erin@example.org");

  /* a genuine "good" answer, signed by the issuer, but to someone else's request (nonce) */
  g_assert_cmpint (cachet_test_shell (NULL,
      "cd '%s' && openssl ocsp -issuer inter.crt -cert erin.crt -reqout replay-request.der && "
      "openssl ocsp -index index.txt -rsigner inter.crt -rkey inter.key -CA inter.crt -nmin 10 "
      "  -reqin replay-request.der -respout replay-response.der",
      fixture->pki->dir), ==, 0);
  response = g_build_filename (fixture->pki->dir, "replay-response.der", NULL);
  port_text = g_strdup_printf ("%d", fixture->ocsp_port);
  {
    const char *argv[] = { "python3", "-c", replay_server, response, port_text, NULL };

    server = start_server (fixture->pki->dir, argv, fixture->ocsp_port);
  }
  verify (&result, home, "--online", erin_mail);
  assert_result (&result, 0, "unknown", NULL);
  g_assert_nonnull (strstr (result.reason, "nonce"));
  stop_server (server);
}

static void
test_crl_distribution_point (void)
{
  g_autofree char *home = cachet_test_tmpdir ();
  g_autofree char *ivan_mail = NULL;
  g_autofree char *judy_mail = NULL;
  g_auto(Result) result = { 0 };
  GPid server;

  if (!cachet_test_have_program ("python3"))
    {
      g_test_skip ("python3 is not installed");
      return;
    }
  get_fixture ();
  ivan_mail = sign_mail ("ivan", "ivan@example.org");
  judy_mail = sign_mail ("judy", "judy@example.org");

  /* offline, nothing stored: not checked, and nothing fetched */
  verify (&result, home, NULL, ivan_mail);
  assert_result (&result, 0, "unknown", NULL);
  g_assert_false (result.checked);

  /* online with the server down: unknown */
  verify (&result, home, "--online", ivan_mail);
  assert_result (&result, 0, "unknown", NULL);
  g_assert_true (result.checked);
  g_assert_cmpuint (count_stored_crls (home), ==, 0);

  server = start_http_server (fixture->served, fixture->http_port);
  verify (&result, home, "--online", ivan_mail);
  assert_result (&result, 3, "revoked", "crl");
  g_assert_cmpstr (result.reason, ==, "cessation of operation");
  g_assert_cmpuint (count_stored_crls (home), ==, 1);
  stop_server (server);

  /* cached until its nextUpdate: works with the server gone, online and offline */
  verify (&result, home, "--online", judy_mail);
  assert_result (&result, 0, "good", "crl");
  verify (&result, home, "--offline", ivan_mail);
  assert_result (&result, 3, "revoked", "crl");
}

static void
test_crl_out_of_date (void)
{
  g_autofree char *home = cachet_test_tmpdir ();
  g_autofree char *old_crl = NULL;
  g_autofree char *carol_mail = NULL;
  g_autofree char *dave_mail = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Result) result = { 0 };

  get_fixture ();
  carol_mail = sign_mail ("carol", "carol@example.org");
  dave_mail = sign_mail ("dave", "dave@example.org");
  old_crl = g_build_filename (fixture->pki->dir, "old.crl", NULL);
  g_assert_cmpint (cachet_test_shell (NULL,
      "cd '%s' && openssl ca -batch -config ca.cnf -cert inter.crt -keyfile inter.key -gencrl "
      "  -crlsec 1 -out old.crl", fixture->pki->dir), ==, 0);
  g_usleep (2 * G_USEC_PER_SEC);
  g_assert_true (import_crl (home, old_crl, TRUE, &error));
  g_assert_no_error (error);

  /* an outdated list cannot vouch for anyone... */
  verify (&result, home, NULL, dave_mail);
  assert_result (&result, 0, "unknown", NULL);
  g_assert_true (result.checked);
  g_assert_nonnull (strstr (result.reason, "out of date"));

  /* ...but what it lists as revoked stays revoked */
  verify (&result, home, NULL, carol_mail);
  assert_result (&result, 3, "revoked", "crl");

  /* a current list replaces it; the outdated one never replaces a newer one */
  g_assert_cmpint (cachet_test_shell (NULL,
      "cd '%s' && openssl ca -batch -config ca.cnf -cert inter.crt -keyfile inter.key -gencrl "
      "  -crldays 30 -out new.crl", fixture->pki->dir), ==, 0);
  {
    g_autofree char *new_crl = g_build_filename (fixture->pki->dir, "new.crl", NULL);

    g_assert_true (import_crl (home, new_crl, TRUE, &error));
    g_assert_no_error (error);
  }
  g_assert_true (import_crl (home, old_crl, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_stored_crls (home), ==, 1);
  verify (&result, home, NULL, dave_mail);
  assert_result (&result, 0, "good", "crl");
}

/* A list limited to one distribution point (issuingDistributionPoint) speaks only for the
 * certificates that name that point. */
static void
test_crl_partitioned (void)
{
  g_autofree char *home = cachet_test_tmpdir ();
  g_autofree char *idp_crl = NULL;
  g_autofree char *judy_mail = NULL;
  g_autofree char *ivan_mail = NULL;
  g_autofree char *dave_mail = NULL;
  g_autofree char *carol_mail = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Result) result = { 0 };

  get_fixture ();
  judy_mail = sign_mail ("judy", "judy@example.org");
  ivan_mail = sign_mail ("ivan", "ivan@example.org");
  dave_mail = sign_mail ("dave", "dave@example.org");
  carol_mail = sign_mail ("carol", "carol@example.org");
  g_assert_cmpint (cachet_test_shell (NULL,
      "cd '%s' && cp ca.cnf idp.cnf && "
      "printf '[ idp_ext ]\nissuingDistributionPoint = critical, @idp\n[ idp ]\n"
      "fullname = URI:http://127.0.0.1:%d/inter.crl\n' >> idp.cnf && "
      "openssl ca -batch -config idp.cnf -cert inter.crt -keyfile inter.key -gencrl -crldays 30 "
      "  -crlexts idp_ext -out idp.crl && openssl crl -in idp.crl -noout -text | grep -q 'Issuing Distribution Point'",
      fixture->pki->dir, fixture->http_port), ==, 0);
  idp_crl = g_build_filename (fixture->pki->dir, "idp.crl", NULL);
  g_assert_true (import_crl (home, idp_crl, TRUE, &error));
  g_assert_no_error (error);

  /* judy names that distribution point: covered */
  verify (&result, home, NULL, judy_mail);
  assert_result (&result, 0, "good", "crl");
  verify (&result, home, NULL, ivan_mail);
  assert_result (&result, 3, "revoked", "crl");
  /* dave names none: the list cannot vouch for him, but a listed serial is still revoked */
  verify (&result, home, NULL, dave_mail);
  assert_result (&result, 0, "unknown", NULL);
  g_assert_nonnull (strstr (result.reason, "only part"));
  verify (&result, home, NULL, carol_mail);
  assert_result (&result, 3, "revoked", "crl");
}

/* Big authorities publish lists of megabytes: reading one must stay quick (GnuTLS's own CRL
 * import needs about 10 s for this one). */
static void
test_crl_large (void)
{
  g_autofree char *home = cachet_test_tmpdir ();
  g_autofree char *big = cachet_test_tmpdir ();
  g_autofree char *big_crl = g_build_filename (big, "big.crl", NULL);
  g_autofree char *carol_mail = NULL;
  g_autofree char *dave_mail = NULL;
  g_autofree char *serial = NULL;
  g_autoptr(GString) index = g_string_new (NULL);
  g_autofree char *index_path = g_build_filename (big, "index.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(Result) result = { 0 };
  gint64 start;

  get_fixture ();
  carol_mail = sign_mail ("carol", "carol@example.org");
  dave_mail = sign_mail ("dave", "dave@example.org");
  g_assert_cmpint (cachet_test_shell (&serial, "openssl x509 -in '%s.crt' -noout -serial | cut -d= -f2",
                                      fixture->carol), ==, 0);
  g_strstrip (serial);

  /* 50,000 revoked serials, carol's last */
  for (guint i = 1; i <= 50000; i++)
    g_string_append_printf (index, "R\t300101000000Z\t261101000000Z,superseded\t7%07X\tunknown\t/CN=u%u\n", i, i);
  g_string_append_printf (index, "R\t300101000000Z\t261101000000Z,keyCompromise\t%s\tunknown\t/CN=carol\n", serial);
  g_assert_true (g_file_set_contents (index_path, index->str, index->len, NULL));
  g_assert_cmpint (cachet_test_shell (NULL,
      "cd '%s' && sed 's|^database = .*|database = %s/index.txt|' '%s/ca.cnf' > big.cnf && "
      "openssl ca -batch -config big.cnf -cert '%s' -keyfile '%s' -gencrl -crldays 30 -out big.crl",
      big, big, fixture->pki->dir, fixture->pki->inter_cert, fixture->pki->inter_key), ==, 0);

  start = g_get_monotonic_time ();
  g_assert_true (import_crl (home, big_crl, TRUE, &error));
  g_assert_no_error (error);
  verify (&result, home, NULL, dave_mail);
  assert_result (&result, 0, "good", "crl");
  verify (&result, home, NULL, carol_mail);
  assert_result (&result, 3, "revoked", "crl");
  g_assert_cmpstr (result.reason, ==, "key compromise");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

static void
test_online_and_offline (void)
{
  g_autofree char *mail = NULL;
  g_auto(CachetTestRun) run = { 0 };

  get_fixture ();
  mail = sign_mail ("dave", "dave@example.org");
  cachet_test_run_cli (&run, "verify", "--online", "--offline", mail, NULL);
  cachet_test_assert_exit (&run, 2);
  g_assert_nonnull (strstr (run.err, "--online"));
}

/* Runs last: it revokes the intermediate in the shared CA database. */
static void
test_revoked_authority (void)
{
  g_autofree char *home = cachet_test_tmpdir ();
  g_autofree char *root_crl = NULL;
  g_autofree char *dave_mail = NULL;
  g_autofree char *env_home = g_strdup_printf ("XDG_DATA_HOME=%s", home);
  const char *envp[] = { env_home, NULL };
  g_autoptr(GError) error = NULL;
  g_auto(Result) result = { 0 };

  get_fixture ();
  dave_mail = sign_mail ("dave", "dave@example.org");
  root_crl = g_build_filename (fixture->pki->dir, "root.crl", NULL);
  g_assert_cmpint (cachet_test_shell (NULL,
      "cd '%s' && openssl ca -batch -config ca.cnf -cert root.crt -keyfile root.key -revoke inter.crt "
      "  -crl_reason cACompromise && "
      "openssl ca -batch -config ca.cnf -cert root.crt -keyfile root.key -gencrl -crldays 30 -out root.crl",
      fixture->pki->dir), ==, 0);

  /* the root is one of the user's anchors: its list needs no --issuer */
  {
    const char *argv[] = { "cachet-cli", "trust", "add", fixture->pki->root_cert, NULL };
    g_auto(CachetTestRun) run = { 0 };

    cachet_test_run (&run, envp, argv);
    cachet_test_assert_exit (&run, 0);
  }
  g_assert_true (import_crl_from (home, root_crl, NULL, &error));
  g_assert_no_error (error);

  /* dave himself is not revoked (no list of the intermediate here), his authority is */
  verify (&result, home, NULL, dave_mail);
  if (result.exit_code != 3 || strstr (result.problems, "revoked") == NULL ||
      strstr (result.details, "Cachet Test Intermediate CA") == NULL)
    g_error ("a revoked intermediate was not reported:\n%s", result.raw);
  g_assert_cmpstr (result.revocation, ==, "unknown");
  g_assert_false (result.checked);

  /* the text report says it too */
  {
    const char *argv[] = { "cachet-cli", "verify", "--no-system-trust", dave_mail, NULL };
    g_auto(CachetTestRun) run = { 0 };

    cachet_test_run (&run, envp, argv);
    cachet_test_assert_exit (&run, 3);
    g_assert_nonnull (strstr (run.out, "was revoked on"));
  }
}

static void
test_cli_add_crl (void)
{
  g_autofree char *home = cachet_test_tmpdir ();
  g_autofree char *env_home = g_strdup_printf ("XDG_DATA_HOME=%s", home);
  g_autofree char *bad_crl = g_build_filename (home, "bad.crl", NULL);
  g_autofree char *carol_mail = NULL;
  g_autofree char *contents = NULL;
  const char *envp[] = { env_home, NULL };
  g_auto(Result) result = { 0 };
  gsize size = 0;

  get_fixture ();
  carol_mail = sign_mail ("carol", "carol@example.org");

  /* an authority the store does not know */
  {
    const char *argv[] = { "cachet-cli", "trust", "add-crl", fixture->crl_pem, NULL };
    g_auto(CachetTestRun) run = { 0 };

    cachet_test_run (&run, envp, argv);
    cachet_test_assert_exit (&run, 2);
    g_assert_nonnull (strstr (run.err, "Cachet Test Intermediate CA"));
    g_assert_nonnull (strstr (run.err, "--issuer"));
  }
  /* a damaged list, even with its issuer given */
  g_assert_true (g_file_get_contents (fixture->crl_der, &contents, &size, NULL));
  contents[size - 5] ^= 0x01;
  g_assert_true (g_file_set_contents (bad_crl, contents, size, NULL));
  {
    const char *argv[] = { "cachet-cli", "trust", "add-crl", "--issuer", fixture->pki->inter_cert, bad_crl, NULL };
    g_auto(CachetTestRun) run = { 0 };

    cachet_test_run (&run, envp, argv);
    cachet_test_assert_exit (&run, 2);
    g_assert_nonnull (strstr (run.err, "damaged or forged"));
  }
  g_assert_cmpuint (count_stored_crls (home), ==, 0);

  /* with its issuer named, imported; the revoked signer is then revoked */
  {
    const char *argv[] = { "cachet-cli", "trust", "add-crl", "--issuer", fixture->pki->inter_cert,
                           fixture->crl_der, NULL };
    g_auto(CachetTestRun) run = { 0 };

    cachet_test_run (&run, envp, argv);
    cachet_test_assert_exit (&run, 0);
  }
  g_assert_cmpuint (count_stored_crls (home), ==, 1);
  verify (&result, home, NULL, carol_mail);
  assert_result (&result, 3, "revoked", "crl");
}

static void
test_online_default_off (void)
{
  /* without the application's schema (as in every test), online checking is off */
  g_assert_false (cachet_revocation_get_online_default ());
  {
    g_autoptr(CachetOptions) options = cachet_options_new ();

    g_assert_false (cachet_options_get_online_revocation (options));
  }
}

int
main (int argc, char **argv)
{
  int status;

  g_autofree char *home = NULL;

  g_test_init (&argc, &argv, NULL);
  cachet_core_init ();

  /* never the real user's files: each case also gives cachet-cli its own XDG_DATA_HOME */
  home = cachet_test_tmpdir ();
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);

  g_test_add_func ("/cachet/revocation/online-default-off", test_online_default_off);
  g_test_add_func ("/cachet/revocation/crl-import-revoked", test_crl_import_revoked);
  g_test_add_func ("/cachet/revocation/crl-refused", test_crl_refused);
  g_test_add_func ("/cachet/revocation/crl-tampered-in-store", test_crl_tampered_in_store);
  g_test_add_func ("/cachet/revocation/crl-encrypt-refused", test_crl_encrypt_refused);
  g_test_add_func ("/cachet/revocation/ocsp", test_ocsp);
  g_test_add_func ("/cachet/revocation/ocsp-delegated-responder", test_ocsp_delegated_responder);
  g_test_add_func ("/cachet/revocation/ocsp-replay", test_ocsp_replay);
  g_test_add_func ("/cachet/revocation/crl-distribution-point", test_crl_distribution_point);
  g_test_add_func ("/cachet/revocation/crl-out-of-date", test_crl_out_of_date);
  g_test_add_func ("/cachet/revocation/crl-partitioned", test_crl_partitioned);
  g_test_add_func ("/cachet/revocation/crl-large", test_crl_large);
  g_test_add_func ("/cachet/revocation/online-and-offline", test_online_and_offline);
  g_test_add_func ("/cachet/revocation/cli-add-crl", test_cli_add_crl);
  g_test_add_func ("/cachet/revocation/revoked-authority", test_revoked_authority);

  status = g_test_run ();
  stop_all_servers ();
  return status;
}
