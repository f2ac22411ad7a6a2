/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-test-util.h: what the tests share: a test PKI made by openssl at run time, running
 * cachet-cli and peers, temporary folders, the shared corpus.
 */
#pragma once

#include "cachet-core.h"

G_BEGIN_DECLS

/* A fresh root CA and an intermediate CA (RSA-2048, SHA-256) in a new temporary folder. */
typedef struct {
  char *dir;
  char *root_cert;    /* DIR/root.crt (PEM) */
  char *root_key;
  char *inter_cert;   /* DIR/inter.crt */
  char *inter_key;
} CachetTestPki;

CachetTestPki *cachet_test_pki_new   (void);
void           cachet_test_pki_free  (CachetTestPki *pki);

/* Issues a certificate for "NAME <EMAIL>" (EMAIL in the SAN and in the subject's emailAddress),
 * signed by the intermediate CA, and writes DIR/NAME.crt, DIR/NAME.key (unencrypted PKCS#8 PEM)
 * and DIR/NAME-chain.pem (the leaf followed by the intermediate). KEY_TYPE: "rsa2048", "rsa1024",
 * "p256". FLAGS, a space-separated list or NULL: "expired" (valid 2020-2021), "not-yet-valid"
 * (from 2090), "tls-server" (extendedKeyUsage serverAuth only), "sha1" (signed with SHA-1),
 * "root" (signed by the root instead), "sign-only" (keyUsage digitalSignature only).
 * Returns DIR/NAME (without extension); aborts the test on failure. */
char          *cachet_test_pki_issue (CachetTestPki *pki,
                                      const char    *name,
                                      const char    *email,
                                      const char    *key_type,
                                      const char    *flags);

/* The result of running a program. */
typedef struct {
  int   exit_code;   /* the exit status, or -1 when killed by a signal */
  char *out;         /* standard output */
  char *err;         /* standard error */
} CachetTestRun;

void      cachet_test_run_clear (CachetTestRun *run);
/* Runs ARGV (a NULL-terminated list) with no standard input; "cachet-cli" as ARGV[0] is replaced
 * by the built program (environment CACHET_CLI). Extra environment: ENVP entries "K=V" or NULL. */
void      cachet_test_run       (CachetTestRun       *run,
                                 const char * const  *envp,
                                 const char * const  *argv);
/* Shorthand: cachet_test_run_cli (&run, "verify", "--json", path, NULL). */
void      cachet_test_run_cli   (CachetTestRun       *run,
                                 ...) G_GNUC_NULL_TERMINATED;
/* Runs a shell command line (sh -c) and returns its exit code; stdout and stderr discarded
 * unless OUT is given. */
int       cachet_test_shell     (char               **out,
                                 const char          *format,
                                 ...) G_GNUC_PRINTF (2, 3);

/* A new temporary folder, removed with everything in it at exit. */
char     *cachet_test_tmpdir    (void);
/* Writes an RFC 5322 message with a text/plain body (LF line ends) and returns its path. */
char     *cachet_test_write_message (const char *dir,
                                     const char *file_name,
                                     const char *from,
                                     const char *to,
                                     const char *subject,
                                     const char *body);
/* Writes CONTENTS (a string) to DIR/FILE_NAME and returns its path. */
char     *cachet_test_write_file (const char *dir,
                                  const char *file_name,
                                  const char *contents);
gboolean  cachet_test_have_program (const char *name);
/* The shared corpus folder, or NULL (after g_test_skip) when it is absent. */
const char *cachet_test_corpus  (void);
/* Fails the test unless RUN exited with EXPECTED; prints stdout/stderr when it did not. */
#define cachet_test_assert_exit(run, expected) \
  G_STMT_START { \
    if ((run)->exit_code != (expected)) \
      g_error ("%s:%d: exit %d, expected %d\nstdout: %s\nstderr: %s", __FILE__, __LINE__, \
               (run)->exit_code, (expected), (run)->out, (run)->err); \
  } G_STMT_END

/* Like cachet_test_pki_issue (RSA-2048, signed by the intermediate, for email), with more lines
 * for the certificate's extension section, e.g.
 * "authorityInfoAccess = OCSP;URI:http://127.0.0.1:PORT\n" or
 * "crlDistributionPoints = URI:http://127.0.0.1:PORT/inter.crl\n". Returns DIR/NAME. */
char          *cachet_test_pki_issue_with_extensions (CachetTestPki *pki,
                                                      const char    *name,
                                                      const char    *email,
                                                      const char    *extra_extensions);

G_END_DECLS
