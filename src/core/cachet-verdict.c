/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-verdict.c: the verdict model (see cachet-verdict.h), its JSON and text forms.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "cachet-error.h"
#include "cachet-verdict.h"

typedef struct {
  const char   *code;
  CachetStatus  status;
  const char   *sentence;
} ProblemInfo;

/* Keep in step with ../shared/CLI.md, "Problem codes". */
static const ProblemInfo problems[CACHET_N_PROBLEMS] = {
  [CACHET_PROBLEM_CONTENT_ALTERED] = { "content-altered", CACHET_STATUS_BAD,
    N_("The content was changed after it was signed. Do not trust it; ask the sender to send it again.") },
  [CACHET_PROBLEM_BAD_SIGNATURE] = { "bad-signature", CACHET_STATUS_BAD,
    N_("The signature itself is invalid or damaged. Do not trust this message.") },
  [CACHET_PROBLEM_NO_SIGNERS] = { "no-signers", CACHET_STATUS_BAD,
    N_("The signature block names no signer, so nothing is actually signed. Do not trust this message.") },
  [CACHET_PROBLEM_CONTENT_CONFUSION] = { "content-confusion", CACHET_STATUS_BAD,
    N_("The signature carries a second, hidden copy of content. This is a known trick; do not trust this message.") },
  [CACHET_PROBLEM_MALFORMED] = { "malformed", CACHET_STATUS_ERROR,
    N_("The file cannot be read as a message or S/MIME structure. Check that it is complete and not damaged.") },
  [CACHET_PROBLEM_NO_KEY] = { "no-key", CACHET_STATUS_ERROR,
    N_("This message is encrypted for someone else: none of your keys can open it.") },
  [CACHET_PROBLEM_DECRYPT_FAILED] = { "decrypt-failed", CACHET_STATUS_ERROR,
    N_("Decryption failed its integrity check; nothing was shown. The message is damaged or was tampered with.") },
  [CACHET_PROBLEM_UNTRUSTED_ISSUER] = { "untrusted-issuer", CACHET_STATUS_UNTRUSTED,
    N_("The signer’s certificate does not lead to a certificate authority you trust. Check the sender another way before trusting it.") },
  [CACHET_PROBLEM_UNKNOWN_SIGNER] = { "unknown-signer", CACHET_STATUS_UNTRUSTED,
    N_("The signer’s certificate is neither in the message nor among your contacts, so the signer cannot be identified.") },
  [CACHET_PROBLEM_EXPIRED] = { "expired", CACHET_STATUS_UNTRUSTED,
    N_("The signer’s certificate had expired at the time checked.") },
  [CACHET_PROBLEM_NOT_YET_VALID] = { "not-yet-valid", CACHET_STATUS_UNTRUSTED,
    N_("The signer’s certificate was not yet valid at the time checked.") },
  [CACHET_PROBLEM_REVOKED] = { "revoked", CACHET_STATUS_UNTRUSTED,
    N_("The signer’s certificate has been revoked by its authority. Do not trust this signature.") },
  [CACHET_PROBLEM_WRONG_USAGE] = { "wrong-usage", CACHET_STATUS_UNTRUSTED,
    N_("The signer’s certificate is not meant for signing email.") },
  [CACHET_PROBLEM_WEAK_ALGORITHM] = { "weak-algorithm", CACHET_STATUS_UNTRUSTED,
    N_("The signature uses a weak algorithm (SHA-1, MD5 or an RSA key under 2048 bits) that can be forged.") },
  [CACHET_PROBLEM_FROM_MISMATCH] = { "from-mismatch", CACHET_STATUS_UNTRUSTED,
    N_("The sender address in From is not an address of the signer. The message may pretend to come from someone else.") },
  [CACHET_PROBLEM_PARTIAL_COVERAGE] = { "partial-coverage", CACHET_STATUS_UNTRUSTED,
    N_("Only part of this message is signed. Anything outside the signed part could have been added by anyone.") },
  [CACHET_PROBLEM_PARTIAL_ENCRYPTION] = { "partial-encryption", CACHET_STATUS_UNTRUSTED,
    N_("Only part of this message was encrypted. The rest travelled readable and could have been added by anyone.") },
  [CACHET_PROBLEM_UNAUTHENTICATED_ENCRYPTION] = { "unauthenticated-encryption", CACHET_STATUS_UNSIGNED,
    N_("This message was encrypted without protection against modification and is not signed inside: it could have been altered on the way.") },
  [CACHET_PROBLEM_NO_SIGNED_ATTRIBUTES] = { "no-signed-attributes", CACHET_STATUS_UNTRUSTED,
    N_("The signature binds no signing time or content type (an older sender’s format): when it was signed is unknown.") },
  [CACHET_PROBLEM_SENDER_USUALLY_SIGNS] = { "sender-usually-signs", CACHET_STATUS_UNSIGNED,
    N_("This sender normally signs their mail; this message is not signed. Be careful: it may not be from them.") },
};

const char *
cachet_problem_to_code (CachetProblem problem)
{
  return problem < CACHET_N_PROBLEMS ? problems[problem].code : NULL;
}

gboolean
cachet_problem_from_code (const char    *code,
                          CachetProblem *problem)
{
  for (guint i = 0; i < CACHET_N_PROBLEMS; i++)
    if (g_strcmp0 (code, problems[i].code) == 0)
      {
        *problem = i;
        return TRUE;
      }
  return FALSE;
}

const char *
cachet_problem_describe (CachetProblem problem)
{
  g_return_val_if_fail (problem < CACHET_N_PROBLEMS, NULL);
  return _(problems[problem].sentence);
}

CachetStatus
cachet_problem_get_status (CachetProblem problem)
{
  g_return_val_if_fail (problem < CACHET_N_PROBLEMS, CACHET_STATUS_ERROR);
  return problems[problem].status;
}

const char *
cachet_status_to_string (CachetStatus status)
{
  switch (status)
    {
    case CACHET_STATUS_GOOD: return "good";
    case CACHET_STATUS_BAD: return "bad";
    case CACHET_STATUS_ERROR: return "error";
    case CACHET_STATUS_UNTRUSTED: return "untrusted";
    case CACHET_STATUS_UNSIGNED: return "unsigned";
    default: g_return_val_if_reached (NULL);
    }
}

const char *
cachet_status_describe (CachetStatus status)
{
  switch (status)
    {
    case CACHET_STATUS_GOOD: return _("Signature is valid and trusted");
    case CACHET_STATUS_BAD: return _("Signature is NOT valid");
    case CACHET_STATUS_ERROR: return _("This file could not be checked");
    case CACHET_STATUS_UNTRUSTED: return _("Signature holds, but something is not right");
    case CACHET_STATUS_UNSIGNED: return _("Not signed");
    default: g_return_val_if_reached (NULL);
    }
}

/* How bad a status is, for choosing the worst one. */
static int
severity (CachetStatus status)
{
  switch (status)
    {
    case CACHET_STATUS_GOOD: return 0;
    case CACHET_STATUS_UNSIGNED: return 1;
    case CACHET_STATUS_UNTRUSTED: return 2;
    case CACHET_STATUS_ERROR: return 3;
    case CACHET_STATUS_BAD: return 4;
    default: return 4;
    }
}

static CachetStatus
worse (CachetStatus a,
       CachetStatus b)
{
  return severity (b) > severity (a) ? b : a;
}

/* An ordered list of problems, each code once, with an optional detail. */
typedef struct {
  CachetProblem  problem;
  char          *detail;
} Finding;

static void
finding_clear (gpointer data)
{
  g_free (((Finding *) data)->detail);
}

static GArray *
findings_new (void)
{
  GArray *array = g_array_new (FALSE, TRUE, sizeof (Finding));
  g_array_set_clear_func (array, finding_clear);
  return array;
}

static Finding *
findings_lookup (GArray        *findings,
                 CachetProblem  problem)
{
  for (guint i = 0; i < findings->len; i++)
    if (g_array_index (findings, Finding, i).problem == problem)
      return &g_array_index (findings, Finding, i);
  return NULL;
}

static void
findings_add (GArray        *findings,
              CachetProblem  problem,
              const char    *detail)
{
  Finding *existing = findings_lookup (findings, problem);
  Finding finding = { problem, g_strdup (detail) };

  g_return_if_fail (problem < CACHET_N_PROBLEMS);

  if (existing)
    {
      if (existing->detail == NULL)
        existing->detail = g_steal_pointer (&finding.detail);
      g_free (finding.detail);
      return;
    }

  g_array_append_val (findings, finding);
}

static CachetStatus
findings_status (GArray *findings)
{
  CachetStatus status = CACHET_STATUS_GOOD;

  for (guint i = 0; i < findings->len; i++)
    status = worse (status, cachet_problem_get_status (g_array_index (findings, Finding, i).problem));
  return status;
}

/* CachetSigner */

struct _CachetSigner
{
  GObject            parent_instance;

  CachetCertificate *certificate;
  GPtrArray         *chain;
  GDateTime         *signing_time;
  char              *digest;
  gboolean           signature_valid;
  gboolean           trusted;
  gboolean           matches_from;
  char              *anchor_source;
  GStrv              capabilities;
  GArray            *findings;
  CachetRevocationStatus revocation;
  char              *revocation_source;
  GDateTime         *revocation_time;
  char              *revocation_reason;
};

G_DEFINE_FINAL_TYPE (CachetSigner, cachet_signer, G_TYPE_OBJECT)

static void
cachet_signer_dispose (GObject *object)
{
  CachetSigner *self = CACHET_SIGNER (object);

  g_clear_object (&self->certificate);
  g_clear_pointer (&self->chain, g_ptr_array_unref);

  G_OBJECT_CLASS (cachet_signer_parent_class)->dispose (object);
}

static void
cachet_signer_finalize (GObject *object)
{
  CachetSigner *self = CACHET_SIGNER (object);

  g_clear_pointer (&self->signing_time, g_date_time_unref);
  g_free (self->digest);
  g_free (self->anchor_source);
  g_strfreev (self->capabilities);
  g_array_unref (self->findings);
  g_free (self->revocation_source);
  g_clear_pointer (&self->revocation_time, g_date_time_unref);
  g_free (self->revocation_reason);

  G_OBJECT_CLASS (cachet_signer_parent_class)->finalize (object);
}

static void
cachet_signer_class_init (CachetSignerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cachet_signer_dispose;
  object_class->finalize = cachet_signer_finalize;
}

static void
cachet_signer_init (CachetSigner *self)
{
  self->chain = g_ptr_array_new_with_free_func (g_object_unref);
  self->findings = findings_new ();
}

CachetSigner *
cachet_signer_new (void)
{
  return g_object_new (CACHET_TYPE_SIGNER, NULL);
}

CachetCertificate *
cachet_signer_get_certificate (CachetSigner *self)
{
  return self->certificate;
}

void
cachet_signer_set_certificate (CachetSigner      *self,
                               CachetCertificate *certificate)
{
  g_set_object (&self->certificate, certificate);
}

GPtrArray *
cachet_signer_get_chain (CachetSigner *self)
{
  return self->chain;
}

const char *
cachet_signer_get_name (CachetSigner *self)
{
  return self->certificate ? cachet_certificate_get_name (self->certificate) : NULL;
}

const char * const *
cachet_signer_get_addresses (CachetSigner *self)
{
  static const char * const none[] = { NULL };

  return self->certificate ? cachet_certificate_get_addresses (self->certificate) : none;
}

const char *
cachet_signer_get_fingerprint (CachetSigner *self)
{
  return self->certificate ? cachet_certificate_get_fingerprint (self->certificate) : NULL;
}

const char *
cachet_signer_get_issuer (CachetSigner *self)
{
  return self->certificate ? cachet_certificate_get_issuer (self->certificate) : NULL;
}

GDateTime *
cachet_signer_get_signing_time (CachetSigner *self)
{
  return self->signing_time;
}

void
cachet_signer_set_signing_time (CachetSigner *self,
                                GDateTime    *time)
{
  g_clear_pointer (&self->signing_time, g_date_time_unref);
  if (time)
    self->signing_time = g_date_time_ref (time);
}

const char *
cachet_signer_get_digest (CachetSigner *self)
{
  return self->digest;
}

void
cachet_signer_set_digest (CachetSigner *self,
                          const char   *digest)
{
  g_free (self->digest);
  self->digest = g_strdup (digest);
}

gboolean
cachet_signer_get_signature_valid (CachetSigner *self)
{
  return self->signature_valid;
}

void
cachet_signer_set_signature_valid (CachetSigner *self,
                                   gboolean      valid)
{
  self->signature_valid = valid;
}

gboolean
cachet_signer_get_trusted (CachetSigner *self)
{
  return self->trusted;
}

void
cachet_signer_set_trusted (CachetSigner *self,
                           gboolean      trusted)
{
  self->trusted = trusted;
}

gboolean
cachet_signer_get_matches_from (CachetSigner *self)
{
  return self->matches_from;
}

void
cachet_signer_set_matches_from (CachetSigner *self,
                                gboolean      matches)
{
  self->matches_from = matches;
}

const char *
cachet_signer_get_anchor_source (CachetSigner *self)
{
  return self->anchor_source;
}

void
cachet_signer_set_anchor_source (CachetSigner *self,
                                 const char   *source)
{
  g_free (self->anchor_source);
  self->anchor_source = g_strdup (source);
}

const char * const *
cachet_signer_get_capabilities (CachetSigner *self)
{
  return (const char * const *) self->capabilities;
}

void
cachet_signer_set_capabilities (CachetSigner       *self,
                                const char * const *capabilities)
{
  g_strfreev (self->capabilities);
  self->capabilities = g_strdupv ((char **) capabilities);
}

void
cachet_signer_set_revocation (CachetSigner           *self,
                              CachetRevocationStatus  status,
                              const char             *source,
                              GDateTime              *time,
                              const char             *reason)
{
  self->revocation = status;
  g_free (self->revocation_source);
  self->revocation_source = g_strdup (source);
  g_clear_pointer (&self->revocation_time, g_date_time_unref);
  if (time)
    self->revocation_time = g_date_time_ref (time);
  g_free (self->revocation_reason);
  self->revocation_reason = g_strdup (reason);
}

CachetRevocationStatus
cachet_signer_get_revocation (CachetSigner  *self,
                              const char   **source,
                              GDateTime    **time,
                              const char   **reason)
{
  if (source)
    *source = self->revocation_source;
  if (time)
    *time = self->revocation_time;
  if (reason)
    *reason = self->revocation_reason;
  return self->revocation;
}

void
cachet_signer_add_problem (CachetSigner  *self,
                           CachetProblem  problem,
                           const char    *detail)
{
  findings_add (self->findings, problem, detail);
}

gboolean
cachet_signer_has_problem (CachetSigner  *self,
                           CachetProblem  problem)
{
  return findings_lookup (self->findings, problem) != NULL;
}

guint
cachet_signer_get_n_problems (CachetSigner *self)
{
  return self->findings->len;
}

CachetProblem
cachet_signer_get_problem (CachetSigner  *self,
                           guint          index,
                           const char   **detail)
{
  Finding *finding = &g_array_index (self->findings, Finding, index);

  g_return_val_if_fail (index < self->findings->len, CACHET_PROBLEM_MALFORMED);
  if (detail)
    *detail = finding->detail;
  return finding->problem;
}

CachetStatus
cachet_signer_get_status (CachetSigner *self)
{
  CachetStatus status = findings_status (self->findings);

  /* a signer with no recorded problem that was never proven valid is not good */
  if (status == CACHET_STATUS_GOOD && !self->signature_valid)
    return CACHET_STATUS_BAD;
  if (status == CACHET_STATUS_GOOD && !self->trusted)
    return CACHET_STATUS_UNTRUSTED;
  return status;
}

/* CachetVerdict */

struct _CachetVerdict
{
  GObject         parent_instance;

  gboolean        is_signed;
  gboolean        encrypted;
  char           *cipher;
  CachetCoverage  coverage;
  char           *covered_part;
  char           *from;
  char           *error_message;
  GMimeObject    *content;
  GListStore     *signers;
  GArray         *findings;     /* the message's own problems */
  GArray         *all;          /* rebuilt on demand: message's and signers' */
};

G_DEFINE_FINAL_TYPE (CachetVerdict, cachet_verdict, G_TYPE_OBJECT)

static void
cachet_verdict_dispose (GObject *object)
{
  CachetVerdict *self = CACHET_VERDICT (object);

  g_clear_object (&self->content);
  g_clear_object (&self->signers);

  G_OBJECT_CLASS (cachet_verdict_parent_class)->dispose (object);
}

static void
cachet_verdict_finalize (GObject *object)
{
  CachetVerdict *self = CACHET_VERDICT (object);

  g_free (self->cipher);
  g_free (self->covered_part);
  g_free (self->from);
  g_free (self->error_message);
  g_array_unref (self->findings);
  g_clear_pointer (&self->all, g_array_unref);

  G_OBJECT_CLASS (cachet_verdict_parent_class)->finalize (object);
}

static void
cachet_verdict_class_init (CachetVerdictClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cachet_verdict_dispose;
  object_class->finalize = cachet_verdict_finalize;
}

static void
cachet_verdict_init (CachetVerdict *self)
{
  self->signers = g_list_store_new (CACHET_TYPE_SIGNER);
  self->findings = findings_new ();
}

CachetVerdict *
cachet_verdict_new (void)
{
  return g_object_new (CACHET_TYPE_VERDICT, NULL);
}

CachetVerdict *
cachet_verdict_new_for_error (const GError *error)
{
  CachetVerdict *self = cachet_verdict_new ();

  g_return_val_if_fail (error != NULL, self);

  self->error_message = g_strdup (error->message);

  if (error->domain == CACHET_ERROR)
    {
      switch ((CachetErrorCode) error->code)
        {
        case CACHET_ERROR_MALFORMED:
        case CACHET_ERROR_TOO_LARGE:
          findings_add (self->findings, CACHET_PROBLEM_MALFORMED, error->message);
          break;
        case CACHET_ERROR_NO_KEY:
          findings_add (self->findings, CACHET_PROBLEM_NO_KEY, error->message);
          break;
        case CACHET_ERROR_DECRYPT_FAILED:
          findings_add (self->findings, CACHET_PROBLEM_DECRYPT_FAILED, error->message);
          break;
        default:
          break;
        }
    }

  return self;
}

CachetStatus
cachet_verdict_get_status (CachetVerdict *self)
{
  CachetStatus status;
  guint n_signers;

  g_return_val_if_fail (CACHET_IS_VERDICT (self), CACHET_STATUS_ERROR);

  if (self->error_message)
    return worse (CACHET_STATUS_ERROR, findings_status (self->findings));

  status = findings_status (self->findings);
  n_signers = g_list_model_get_n_items (G_LIST_MODEL (self->signers));

  for (guint i = 0; i < n_signers; i++)
    {
      g_autoptr(CachetSigner) signer = g_list_model_get_item (G_LIST_MODEL (self->signers), i);
      status = worse (status, cachet_signer_get_status (signer));
    }

  if (!self->is_signed)
    return worse (status, CACHET_STATUS_UNSIGNED);
  if (n_signers == 0)
    return worse (status, CACHET_STATUS_BAD);
  return status;
}

gboolean
cachet_verdict_get_signed (CachetVerdict *self)
{
  return self->is_signed;
}

void
cachet_verdict_set_signed (CachetVerdict *self,
                           gboolean       is_signed)
{
  self->is_signed = is_signed;
}

gboolean
cachet_verdict_get_encrypted (CachetVerdict *self)
{
  return self->encrypted;
}

void
cachet_verdict_set_encrypted (CachetVerdict *self,
                              gboolean       encrypted)
{
  self->encrypted = encrypted;
}

const char *
cachet_verdict_get_cipher (CachetVerdict *self)
{
  return self->cipher;
}

void
cachet_verdict_set_cipher (CachetVerdict *self,
                           const char    *cipher)
{
  g_free (self->cipher);
  self->cipher = g_strdup (cipher);
}

CachetCoverage
cachet_verdict_get_coverage (CachetVerdict *self)
{
  return self->coverage;
}

void
cachet_verdict_set_coverage (CachetVerdict  *self,
                             CachetCoverage  coverage)
{
  self->coverage = coverage;
}

const char *
cachet_verdict_get_covered_part (CachetVerdict *self)
{
  return self->covered_part;
}

void
cachet_verdict_set_covered_part (CachetVerdict *self,
                                 const char    *description)
{
  g_free (self->covered_part);
  self->covered_part = g_strdup (description);
}

const char *
cachet_verdict_get_from (CachetVerdict *self)
{
  return self->from;
}

void
cachet_verdict_set_from (CachetVerdict *self,
                         const char    *address)
{
  g_free (self->from);
  self->from = address ? g_utf8_strdown (address, -1) : NULL;
}

const char *
cachet_verdict_get_error_message (CachetVerdict *self)
{
  return self->error_message;
}

void
cachet_verdict_set_error_message (CachetVerdict *self,
                                  const char    *message)
{
  g_free (self->error_message);
  self->error_message = g_strdup (message);
}

GMimeObject *
cachet_verdict_get_content (CachetVerdict *self)
{
  return self->content;
}

void
cachet_verdict_set_content (CachetVerdict *self,
                            GMimeObject   *content)
{
  g_set_object (&self->content, content);
}

GListModel *
cachet_verdict_get_signers (CachetVerdict *self)
{
  return G_LIST_MODEL (self->signers);
}

void
cachet_verdict_add_signer (CachetVerdict *self,
                           CachetSigner  *signer)
{
  g_list_store_append (self->signers, signer);
}

void
cachet_verdict_add_problem (CachetVerdict *self,
                            CachetProblem  problem,
                            const char    *detail)
{
  findings_add (self->findings, problem, detail);
}

/* The message's problems followed by each signer's, each code once. */
static GArray *
collect_all (CachetVerdict *self)
{
  guint n_signers = g_list_model_get_n_items (G_LIST_MODEL (self->signers));

  g_clear_pointer (&self->all, g_array_unref);
  self->all = findings_new ();

  for (guint i = 0; i < self->findings->len; i++)
    {
      Finding *f = &g_array_index (self->findings, Finding, i);
      findings_add (self->all, f->problem, f->detail);
    }

  for (guint s = 0; s < n_signers; s++)
    {
      g_autoptr(CachetSigner) signer = g_list_model_get_item (G_LIST_MODEL (self->signers), s);

      for (guint i = 0; i < signer->findings->len; i++)
        {
          Finding *f = &g_array_index (signer->findings, Finding, i);
          findings_add (self->all, f->problem, f->detail);
        }
    }

  return self->all;
}

guint
cachet_verdict_get_n_problems (CachetVerdict *self)
{
  return collect_all (self)->len;
}

CachetProblem
cachet_verdict_get_problem (CachetVerdict  *self,
                            guint           index,
                            const char    **detail)
{
  GArray *all = collect_all (self);
  Finding *finding;

  g_return_val_if_fail (index < all->len, CACHET_PROBLEM_MALFORMED);

  finding = &g_array_index (all, Finding, index);
  if (detail)
    *detail = finding->detail;
  return finding->problem;
}

gboolean
cachet_verdict_has_problem (CachetVerdict *self,
                            CachetProblem  problem)
{
  return findings_lookup (collect_all (self), problem) != NULL;
}

/* JSON */

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_time (JsonBuilder *builder,
          const char  *member,
          GDateTime   *time)
{
  g_autofree char *iso = time ? g_date_time_format_iso8601 (time) : NULL;
  add_string_or_null (builder, member, iso);
}

static void
add_findings (JsonBuilder *builder,
              GArray      *findings)
{
  json_builder_set_member_name (builder, "problems");
  json_builder_begin_array (builder);
  for (guint i = 0; i < findings->len; i++)
    json_builder_add_string_value (builder,
        cachet_problem_to_code (g_array_index (findings, Finding, i).problem));
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "problem_details");
  json_builder_begin_object (builder);
  for (guint i = 0; i < findings->len; i++)
    {
      Finding *f = &g_array_index (findings, Finding, i);

      json_builder_set_member_name (builder, cachet_problem_to_code (f->problem));
      json_builder_add_string_value (builder, f->detail ? f->detail : cachet_problem_describe (f->problem));
    }
  json_builder_end_object (builder);
}

static const char *
revocation_to_string (CachetRevocationStatus status)
{
  switch (status)
    {
    case CACHET_REVOCATION_GOOD: return "good";
    case CACHET_REVOCATION_REVOKED: return "revoked";
    case CACHET_REVOCATION_UNKNOWN:
    case CACHET_REVOCATION_NOT_CHECKED:
    default: return "unknown";
    }
}

static void
add_signer (JsonBuilder  *builder,
            CachetSigner *signer)
{
  const char * const *addresses = cachet_signer_get_addresses (signer);
  const char * const *capabilities = cachet_signer_get_capabilities (signer);

  json_builder_begin_object (builder);
  add_string_or_null (builder, "name", cachet_signer_get_name (signer));
  json_builder_set_member_name (builder, "addresses");
  json_builder_begin_array (builder);
  for (guint i = 0; addresses[i]; i++)
    json_builder_add_string_value (builder, addresses[i]);
  json_builder_end_array (builder);
  add_string_or_null (builder, "fingerprint", cachet_signer_get_fingerprint (signer));
  add_string_or_null (builder, "issuer", cachet_signer_get_issuer (signer));
  add_time (builder, "signing_time", signer->signing_time);
  add_string_or_null (builder, "digest", signer->digest);
  json_builder_set_member_name (builder, "signature_valid");
  json_builder_add_boolean_value (builder, signer->signature_valid);
  json_builder_set_member_name (builder, "trusted");
  json_builder_add_boolean_value (builder, signer->trusted);
  add_string_or_null (builder, "anchor_source", signer->anchor_source);
  json_builder_set_member_name (builder, "matches_from");
  json_builder_add_boolean_value (builder, signer->matches_from);
  if (signer->certificate)
    {
      g_autoptr(GDateTime) not_after = cachet_certificate_get_not_after (signer->certificate);
      add_time (builder, "not_after", not_after);
    }
  json_builder_set_member_name (builder, "capabilities");
  json_builder_begin_array (builder);
  for (guint i = 0; capabilities && capabilities[i]; i++)
    json_builder_add_string_value (builder, capabilities[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "revocation");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "checked");
  json_builder_add_boolean_value (builder, signer->revocation != CACHET_REVOCATION_NOT_CHECKED);
  add_string_or_null (builder, "source", signer->revocation_source);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, revocation_to_string (signer->revocation));
  add_time (builder, "time", signer->revocation_time);
  add_string_or_null (builder, "reason", signer->revocation_reason);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, cachet_status_to_string (cachet_signer_get_status (signer)));
  add_findings (builder, signer->findings);
  json_builder_end_object (builder);
}

static const char *
coverage_to_string (CachetCoverage coverage)
{
  switch (coverage)
    {
    case CACHET_COVERAGE_WHOLE: return "whole";
    case CACHET_COVERAGE_PARTIAL: return "partial";
    case CACHET_COVERAGE_NONE:
    default: return "none";
    }
}

char *
cachet_verdict_to_json (CachetVerdict *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  guint n_signers = g_list_model_get_n_items (G_LIST_MODEL (self->signers));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, cachet_status_to_string (cachet_verdict_get_status (self)));
  json_builder_set_member_name (builder, "signed");
  json_builder_add_boolean_value (builder, self->is_signed);
  json_builder_set_member_name (builder, "encrypted");
  json_builder_add_boolean_value (builder, self->encrypted);
  add_string_or_null (builder, "cipher", self->cipher);
  json_builder_set_member_name (builder, "coverage");
  json_builder_add_string_value (builder, coverage_to_string (self->coverage));
  add_string_or_null (builder, "covered_part", self->covered_part);
  add_string_or_null (builder, "from", self->from);
  if (self->error_message)
    add_string_or_null (builder, "error", self->error_message);

  json_builder_set_member_name (builder, "signers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_signers; i++)
    {
      g_autoptr(CachetSigner) signer = g_list_model_get_item (G_LIST_MODEL (self->signers), i);
      add_signer (builder, signer);
    }
  json_builder_end_array (builder);

  add_findings (builder, collect_all (self));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

/* Text */

static void
append_problems (GString    *text,
                 GArray     *findings,
                 const char *indent)
{
  for (guint i = 0; i < findings->len; i++)
    {
      Finding *f = &g_array_index (findings, Finding, i);

      g_string_append_printf (text, "%s- %s (%s)\n", indent,
                              cachet_problem_describe (f->problem),
                              cachet_problem_to_code (f->problem));
      if (f->detail)
        g_string_append_printf (text, "%s  %s\n", indent, f->detail);
    }
}

char *
cachet_verdict_to_text (CachetVerdict *self)
{
  GString *text = g_string_new (NULL);
  CachetStatus status = cachet_verdict_get_status (self);
  guint n_signers = g_list_model_get_n_items (G_LIST_MODEL (self->signers));

  g_string_append_printf (text, "%s: %s\n", cachet_status_to_string (status),
                          cachet_status_describe (status));

  if (self->error_message)
    g_string_append_printf (text, "%s\n", self->error_message);

  if (self->encrypted)
    g_string_append_printf (text, _("Encrypted (%s)\n"), self->cipher ? self->cipher : _("unknown cipher"));

  if (self->is_signed)
    {
      if (self->coverage == CACHET_COVERAGE_PARTIAL && self->covered_part)
        g_string_append_printf (text, _("Signed part: %s\n"), self->covered_part);
      else if (self->coverage == CACHET_COVERAGE_WHOLE)
        g_string_append (text, _("Signed part: the whole message\n"));
    }

  if (self->from)
    g_string_append_printf (text, _("From: %s\n"), self->from);

  for (guint i = 0; i < n_signers; i++)
    {
      g_autoptr(CachetSigner) signer = g_list_model_get_item (G_LIST_MODEL (self->signers), i);
      const char * const *addresses = cachet_signer_get_addresses (signer);
      g_autofree char *joined = g_strjoinv (", ", (char **) addresses);
      g_autofree char *when = signer->signing_time
        ? g_date_time_format (signer->signing_time, "%Y-%m-%d %H:%M:%S UTC") : NULL;

      g_string_append_printf (text, _("Signer %u: %s\n"), i + 1,
                              cachet_signer_get_name (signer) ? cachet_signer_get_name (signer) : _("unknown"));
      if (*joined)
        g_string_append_printf (text, _("  Addresses: %s\n"), joined);
      if (cachet_signer_get_issuer (signer))
        g_string_append_printf (text, _("  Issuer: %s\n"), cachet_signer_get_issuer (signer));
      if (cachet_signer_get_fingerprint (signer))
        g_string_append_printf (text, _("  Fingerprint (SHA-256): %s\n"), cachet_signer_get_fingerprint (signer));
      g_string_append_printf (text, _("  Signed at: %s\n"), when ? when : _("not stated"));
      if (signer->digest)
        g_string_append_printf (text, _("  Digest: %s\n"), signer->digest);
      g_string_append_printf (text, _("  Signature: %s; chain: %s; matches From: %s\n"),
                              signer->signature_valid ? _("valid") : _("invalid"),
                              signer->trusted ? _("trusted") : _("not trusted"),
                              signer->matches_from ? _("yes") : _("no"));
      switch (signer->revocation)
        {
        case CACHET_REVOCATION_NOT_CHECKED:
          g_string_append (text, _("  Revocation: not checked\n"));
          break;
        case CACHET_REVOCATION_GOOD:
          g_string_append_printf (text, _("  Revocation: not revoked (%s)\n"), signer->revocation_source);
          break;
        case CACHET_REVOCATION_REVOKED:
          g_string_append_printf (text, _("  Revocation: REVOKED (%s)\n"), signer->revocation_source);
          break;
        case CACHET_REVOCATION_UNKNOWN:
        default:
          g_string_append (text, _("  Revocation: status unknown (no usable answer)\n"));
          break;
        }
      append_problems (text, signer->findings, "  ");
    }

  if (self->findings->len > 0)
    {
      g_string_append (text, _("Message:\n"));
      append_problems (text, self->findings, "  ");
    }

  return g_string_free (text, FALSE);
}
