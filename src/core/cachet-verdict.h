/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-verdict.h: what Cachet concludes about a message or file.
 *
 * One model serves the CLI (exit code, --json), the window and the tests. A verdict says
 * whether the input is signed and/or encrypted, how much of it the signature covers, each
 * signer on its own, and a list of problems with stable codes (../shared/CLI.md, "Problem
 * codes"). The status is derived, never stored: the worst problem decides it.
 */
#pragma once

#include "cachet-gmime.h"

#include "cachet-certificate.h"

G_BEGIN_DECLS

/* The numeric values are cachet-cli's exit codes. */
typedef enum {
  CACHET_STATUS_GOOD      = 0,
  CACHET_STATUS_BAD       = 1,
  CACHET_STATUS_ERROR     = 2,
  CACHET_STATUS_UNTRUSTED = 3,
  CACHET_STATUS_UNSIGNED  = 4,
} CachetStatus;

typedef enum {
  CACHET_PROBLEM_CONTENT_ALTERED,
  CACHET_PROBLEM_BAD_SIGNATURE,
  CACHET_PROBLEM_NO_SIGNERS,
  CACHET_PROBLEM_CONTENT_CONFUSION,
  CACHET_PROBLEM_MALFORMED,
  CACHET_PROBLEM_NO_KEY,
  CACHET_PROBLEM_DECRYPT_FAILED,
  CACHET_PROBLEM_UNTRUSTED_ISSUER,
  CACHET_PROBLEM_UNKNOWN_SIGNER,
  CACHET_PROBLEM_EXPIRED,
  CACHET_PROBLEM_NOT_YET_VALID,
  CACHET_PROBLEM_REVOKED,
  CACHET_PROBLEM_WRONG_USAGE,
  CACHET_PROBLEM_WEAK_ALGORITHM,
  CACHET_PROBLEM_FROM_MISMATCH,
  CACHET_PROBLEM_PARTIAL_COVERAGE,
  CACHET_PROBLEM_PARTIAL_ENCRYPTION,
  CACHET_PROBLEM_UNAUTHENTICATED_ENCRYPTION,
  CACHET_PROBLEM_NO_SIGNED_ATTRIBUTES,
  CACHET_PROBLEM_SENDER_USUALLY_SIGNS,
  CACHET_N_PROBLEMS
} CachetProblem;

typedef enum {
  CACHET_COVERAGE_NONE,
  CACHET_COVERAGE_WHOLE,
  CACHET_COVERAGE_PARTIAL,
} CachetCoverage;

/* "content-altered", ... as in CLI.md; NULL for an unknown value. */
const char   *cachet_problem_to_code     (CachetProblem  problem);
gboolean      cachet_problem_from_code   (const char    *code,
                                          CachetProblem *problem);
/* One translated sentence: what is wrong and what to do. */
const char   *cachet_problem_describe    (CachetProblem  problem);
CachetStatus  cachet_problem_get_status  (CachetProblem  problem);

/* "good", "bad", "error", "untrusted", "unsigned" */
const char   *cachet_status_to_string    (CachetStatus   status);
/* A short translated headline: "Signature is valid", "Signature is NOT valid", ... */
const char   *cachet_status_describe     (CachetStatus   status);

/* One signer of a SignedData. */
#define CACHET_TYPE_SIGNER (cachet_signer_get_type ())
G_DECLARE_FINAL_TYPE (CachetSigner, cachet_signer, CACHET, SIGNER, GObject)

CachetSigner      *cachet_signer_new                  (void);
/* NULL when the signer's certificate is unknown (unknown-signer). Setting it fills name,
 * addresses, fingerprint and issuer. */
CachetCertificate *cachet_signer_get_certificate      (CachetSigner      *self);
void               cachet_signer_set_certificate      (CachetSigner      *self,
                                                       CachetCertificate *certificate);
/* The intermediates and anchor that the chain was built from (CachetCertificate), may be empty. */
GPtrArray         *cachet_signer_get_chain            (CachetSigner      *self);
const char        *cachet_signer_get_name             (CachetSigner      *self);
const char * const *cachet_signer_get_addresses       (CachetSigner      *self);
const char        *cachet_signer_get_fingerprint      (CachetSigner      *self);
const char        *cachet_signer_get_issuer           (CachetSigner      *self);
/* From the signingTime attribute; NULL when absent. */
GDateTime         *cachet_signer_get_signing_time     (CachetSigner      *self);
void               cachet_signer_set_signing_time     (CachetSigner      *self,
                                                       GDateTime         *time);
/* "sha256", ... */
const char        *cachet_signer_get_digest           (CachetSigner      *self);
void               cachet_signer_set_digest           (CachetSigner      *self,
                                                       const char        *digest);
gboolean           cachet_signer_get_signature_valid  (CachetSigner      *self);
void               cachet_signer_set_signature_valid  (CachetSigner      *self,
                                                       gboolean           valid);
gboolean           cachet_signer_get_trusted          (CachetSigner      *self);
void               cachet_signer_set_trusted          (CachetSigner      *self,
                                                       gboolean           trusted);
gboolean           cachet_signer_get_matches_from     (CachetSigner      *self);
void               cachet_signer_set_matches_from     (CachetSigner      *self,
                                                       gboolean           matches);
/* Where the trust anchor came from: "system", "mozilla-email", "user", "command-line"; NULL when untrusted. */
const char        *cachet_signer_get_anchor_source    (CachetSigner      *self);
void               cachet_signer_set_anchor_source    (CachetSigner      *self,
                                                       const char        *source);
/* Cipher names the signer announced in SMIMECapabilities ("aes-256-gcm", ...), in order. */
const char * const *cachet_signer_get_capabilities    (CachetSigner      *self);
void               cachet_signer_set_capabilities     (CachetSigner      *self,
                                                       const char * const *capabilities);
/* Revocation of the signer's certificate, as far as it was checked. */
typedef enum {
  CACHET_REVOCATION_NOT_CHECKED,   /* no CRL known and online checking off */
  CACHET_REVOCATION_GOOD,          /* a fresh CRL or OCSP answer says it is not revoked */
  CACHET_REVOCATION_REVOKED,
  CACHET_REVOCATION_UNKNOWN,       /* asked, but no usable answer (responder unreachable, stale CRL) */
} CachetRevocationStatus;

/* SOURCE: "crl", "ocsp" or NULL; TIME: when it was revoked (REVOKED) or the answer's time;
 * REASON: the CRL reason for people, or NULL. */
void               cachet_signer_set_revocation       (CachetSigner      *self,
                                                       CachetRevocationStatus status,
                                                       const char        *source,
                                                       GDateTime         *time,
                                                       const char        *reason);
CachetRevocationStatus cachet_signer_get_revocation   (CachetSigner      *self,
                                                       const char       **source,
                                                       GDateTime        **time,
                                                       const char       **reason);
/* DETAIL (may be NULL) says more than the problem's sentence: "expired on 3 May 2024". */
void               cachet_signer_add_problem          (CachetSigner      *self,
                                                       CachetProblem      problem,
                                                       const char        *detail);
gboolean           cachet_signer_has_problem          (CachetSigner      *self,
                                                       CachetProblem      problem);
guint              cachet_signer_get_n_problems       (CachetSigner      *self);
CachetProblem      cachet_signer_get_problem          (CachetSigner      *self,
                                                       guint              index,
                                                       const char       **detail);
/* Worst of the signer's own problems; GOOD when it has none. */
CachetStatus       cachet_signer_get_status           (CachetSigner      *self);

/* The verdict on one message or file. */
#define CACHET_TYPE_VERDICT (cachet_verdict_get_type ())
G_DECLARE_FINAL_TYPE (CachetVerdict, cachet_verdict, CACHET, VERDICT, GObject)

CachetVerdict     *cachet_verdict_new                 (void);
/* A verdict for an input that could not be read: status error, the error's message kept,
 * and the matching problem (malformed, no-key, decrypt-failed) where there is one. */
CachetVerdict     *cachet_verdict_new_for_error       (const GError      *error);

CachetStatus       cachet_verdict_get_status          (CachetVerdict     *self);
gboolean           cachet_verdict_get_signed          (CachetVerdict     *self);
void               cachet_verdict_set_signed          (CachetVerdict     *self,
                                                       gboolean           is_signed);
gboolean           cachet_verdict_get_encrypted       (CachetVerdict     *self);
void               cachet_verdict_set_encrypted       (CachetVerdict     *self,
                                                       gboolean           encrypted);
/* "aes-256-gcm", ... or NULL */
const char        *cachet_verdict_get_cipher          (CachetVerdict     *self);
void               cachet_verdict_set_cipher          (CachetVerdict     *self,
                                                       const char        *cipher);
CachetCoverage     cachet_verdict_get_coverage        (CachetVerdict     *self);
void               cachet_verdict_set_coverage        (CachetVerdict     *self,
                                                       CachetCoverage     coverage);
/* Which part is signed, for people: "the attachment “report.pdf” (part 2 of 3)"; NULL when whole. */
const char        *cachet_verdict_get_covered_part    (CachetVerdict     *self);
void               cachet_verdict_set_covered_part    (CachetVerdict     *self,
                                                       const char        *description);
/* The address in From (lower case), NULL when there is none or several. */
const char        *cachet_verdict_get_from            (CachetVerdict     *self);
void               cachet_verdict_set_from            (CachetVerdict     *self,
                                                       const char        *address);
/* The error message when the status is error. */
const char        *cachet_verdict_get_error_message   (CachetVerdict     *self);
void               cachet_verdict_set_error_message   (CachetVerdict     *self,
                                                       const char        *message);
/* The message to show (after decryption, the decrypted one); NULL for plain files. */
GMimeObject       *cachet_verdict_get_content         (CachetVerdict     *self);
void               cachet_verdict_set_content         (CachetVerdict     *self,
                                                       GMimeObject       *content);
/* A GListModel of CachetSigner. */
GListModel        *cachet_verdict_get_signers         (CachetVerdict     *self);
void               cachet_verdict_add_signer          (CachetVerdict     *self,
                                                       CachetSigner      *signer);
/* Problems of the message as a whole (partial-coverage, no-signers, ...). */
void               cachet_verdict_add_problem         (CachetVerdict     *self,
                                                       CachetProblem      problem,
                                                       const char        *detail);
/* Every problem, the message's and each signer's, each code once, in the order found. */
guint              cachet_verdict_get_n_problems      (CachetVerdict     *self);
CachetProblem      cachet_verdict_get_problem         (CachetVerdict     *self,
                                                       guint              index,
                                                       const char       **detail);
gboolean           cachet_verdict_has_problem         (CachetVerdict     *self,
                                                       CachetProblem      problem);

/* The --json object of CLI.md, pretty-printed. */
char              *cachet_verdict_to_json             (CachetVerdict     *self);
/* A plain-text report for people (the CLI's output without --json). */
char              *cachet_verdict_to_text             (CachetVerdict     *self);

G_END_DECLS
