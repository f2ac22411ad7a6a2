/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-trust.c: chain building and evaluation for signers (see the header).
 *
 * GnuTLS checks signatures, constraints and the email-protection purpose; the time is checked
 * here (GnuTLS has only a process-wide clock), and weak algorithms are reported by Cachet as
 * "weak" rather than letting GnuTLS reject them as if they were forged.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "cachet-error.h"
#include "cachet-nss-roots.h"
#include "cachet-revocation.h"
#include "cachet-store.h"
#include "cachet-trust.h"

#define MAX_CHAIN 10

struct _CachetTrust
{
  gnutls_x509_trust_list_t list;
  CachetOptions *options;     /* for revocation: the store's CRLs, online or not */
  GPtrArray *command_line;    /* CachetCertificate */
  GPtrArray *user;            /* CachetCertificate */
  GPtrArray *mozilla;         /* CachetCertificate */
  gboolean   system;
  gboolean   system_loaded;   /* system and Mozilla roots are read only when needed */
};

static GPtrArray *
nss_roots (void)
{
  static gsize roots;

  /* Loading NSS's module is slow; the list does not change while Cachet runs. */
  if (g_once_init_enter (&roots))
    {
      g_autoptr(GError) error = NULL;
      GPtrArray *loaded = cachet_nss_email_roots_load (&error);

      if (loaded == NULL)
        {
          g_debug ("No Mozilla email roots: %s", error->message);
          loaded = g_ptr_array_new_with_free_func (g_object_unref);
        }
      g_once_init_leave (&roots, (gsize) loaded);
    }

  return (GPtrArray *) roots;
}

static void
add_anchors (gnutls_x509_trust_list_t list,
             GPtrArray               *anchors)
{
  for (guint i = 0; anchors && i < anchors->len; i++)
    {
      gnutls_x509_crt_t copy;
      gnutls_datum_t der;
      GBytes *bytes = cachet_certificate_get_der (g_ptr_array_index (anchors, i));

      der.data = (guint8 *) g_bytes_get_data (bytes, NULL);
      der.size = g_bytes_get_size (bytes);
      if (gnutls_x509_crt_init (&copy) < 0)
        continue;
      if (gnutls_x509_crt_import (copy, &der, GNUTLS_X509_FMT_DER) < 0 ||
          gnutls_x509_trust_list_add_cas (list, &copy, 1, 0) != 1)
        gnutls_x509_crt_deinit (copy);
    }
}

CachetTrust *
_cachet_trust_new (CachetOptions *options)
{
  CachetTrust *trust = g_new0 (CachetTrust, 1);
  CachetStore *store = cachet_options_get_store (options);

  gnutls_x509_trust_list_init (&trust->list, 0);
  trust->options = g_object_ref (options);

  trust->command_line = g_ptr_array_ref (cachet_options_get_anchors (options));
  add_anchors (trust->list, trust->command_line);

  if (store != NULL)
    trust->user = cachet_store_get_anchors (store);
  else
    trust->user = g_ptr_array_new_with_free_func (g_object_unref);
  add_anchors (trust->list, trust->user);

  /* The system and Mozilla roots (some 250 certificates, most of a small verify's time) are
   * added by load_system when the anchors above do not already make a chain trusted. */
  trust->system = cachet_options_get_system_trust (options);
  trust->mozilla = g_ptr_array_new ();

  return trust;
}

static void
load_system (CachetTrust *trust)
{
  int rc;

  if (!trust->system || trust->system_loaded)
    return;
  trust->system_loaded = TRUE;

  rc = gnutls_x509_trust_list_add_system_trust (trust->list, 0, 0);
  if (rc < 0)
    g_debug ("The system trust store could not be loaded: %s", gnutls_strerror (rc));
  g_ptr_array_unref (trust->mozilla);
  trust->mozilla = g_ptr_array_ref (nss_roots ());
  add_anchors (trust->list, trust->mozilla);
}

void
_cachet_trust_free (CachetTrust *trust)
{
  if (trust == NULL)
    return;
  gnutls_x509_trust_list_deinit (trust->list, 1);
  g_clear_object (&trust->options);
  g_ptr_array_unref (trust->command_line);
  g_ptr_array_unref (trust->user);
  g_ptr_array_unref (trust->mozilla);
  g_free (trust);
}

/* Is ANCHOR the certificate CRT, or the issuer of CRT? */
static gboolean
anchors_chain (CachetCertificate *anchor,
               gnutls_x509_crt_t  crt)
{
  gnutls_x509_crt_t a = cachet_certificate_get_gnutls (anchor);
  unsigned int status = 0;

  if (gnutls_x509_crt_equals (a, crt))
    return TRUE;
  return gnutls_x509_crt_check_issuer (crt, a) &&
         gnutls_x509_crt_verify (crt, &a, 1,
                                 GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
                                 GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
                                 GNUTLS_VERIFY_ALLOW_BROKEN |
                                 GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1, &status) == 0 &&
         status == 0;
}

static CachetCertificate *
find_anchor (GPtrArray         *anchors,
             gnutls_x509_crt_t *chain,
             guint              length)
{
  for (guint i = 0; anchors && i < anchors->len; i++)
    for (guint c = 0; c < length; c++)
      if (anchors_chain (g_ptr_array_index (anchors, i), chain[c]))
        return g_ptr_array_index (anchors, i);
  return NULL;
}

static char *
format_date (GDateTime *time)
{
  return g_date_time_format (time, "%Y-%m-%d");
}

static void
check_validity (CachetSigner      *signer,
                CachetCertificate *certificate,
                gboolean           is_leaf,
                GDateTime         *when,
                gboolean           when_is_now,
                GDateTime         *signing_time)
{
  g_autoptr(GDateTime) not_before = cachet_certificate_get_not_before (certificate);
  g_autoptr(GDateTime) not_after = cachet_certificate_get_not_after (certificate);
  g_autofree char *after = format_date (not_after);
  g_autofree char *before = format_date (not_before);
  g_autofree char *detail = NULL;

  if (g_date_time_compare (when, not_after) > 0)
    {
      gboolean valid_when_signed = signing_time && when_is_now &&
                                   cachet_certificate_is_valid_at (certificate, signing_time);

      if (is_leaf && valid_when_signed)
        detail = g_strdup_printf (_("The certificate was valid when the message was signed, but expired on %s."), after);
      else if (is_leaf)
        detail = g_strdup_printf (_("The certificate expired on %s."), after);
      else
        detail = g_strdup_printf (_("The issuing authority “%s” expired on %s."),
                                  cachet_certificate_get_name (certificate), after);
      cachet_signer_add_problem (signer, CACHET_PROBLEM_EXPIRED, detail);
    }
  else if (g_date_time_compare (when, not_before) < 0)
    {
      if (is_leaf)
        detail = g_strdup_printf (_("The certificate is valid only from %s."), before);
      else
        detail = g_strdup_printf (_("The issuing authority “%s” is valid only from %s."),
                                  cachet_certificate_get_name (certificate), before);
      cachet_signer_add_problem (signer, CACHET_PROBLEM_NOT_YET_VALID, detail);
    }
}

static gboolean
signed_with_weak_hash (gnutls_x509_crt_t crt)
{
  int algorithm = gnutls_x509_crt_get_signature_algorithm (crt);
  gnutls_digest_algorithm_t hash = gnutls_sign_get_hash_algorithm (algorithm);

  return hash == GNUTLS_DIG_SHA1 || hash == GNUTLS_DIG_MD5 || hash == GNUTLS_DIG_MD2;
}

static CachetCertificate *
wrap (gnutls_x509_crt_t crt)
{
  return cachet_certificate_new_from_gnutls (crt, NULL);
}

void
_cachet_trust_evaluate (CachetTrust       *trust,
                        CachetSigner      *signer,
                        CachetCertificate *certificate,
                        GPtrArray         *pool,
                        GDateTime         *when,
                        GDateTime         *signing_time)
{
  gnutls_x509_crt_t chain[MAX_CHAIN];
  guint length = 0;
  unsigned int status = 0;
  gnutls_typed_vdata_st purpose = {
    .type = GNUTLS_DT_KEY_PURPOSE_OID,
    .data = (unsigned char *) GNUTLS_KP_EMAIL_PROTECTION,
    .size = 0,
  };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gboolean when_is_now = when == NULL;
  CachetCertificate *anchor = NULL;
  g_autoptr(CachetCertificate) found_issuer = NULL;
  const char *source = NULL;
  gboolean trusted;
  int rc;

  if (when == NULL)
    when = now;

  /* Build the path: each next element is an issuer of the previous one from the pool. */
  chain[length++] = cachet_certificate_get_gnutls (certificate);
  while (length < MAX_CHAIN && !gnutls_x509_crt_check_issuer (chain[length - 1], chain[length - 1]))
    {
      gnutls_x509_crt_t next = NULL;

      for (guint i = 0; pool && i < pool->len && next == NULL; i++)
        {
          gnutls_x509_crt_t candidate = cachet_certificate_get_gnutls (g_ptr_array_index (pool, i));
          gboolean used = FALSE;

          for (guint c = 0; c < length; c++)
            used |= gnutls_x509_crt_equals (candidate, chain[c]);
          if (!used && gnutls_x509_crt_check_issuer (chain[length - 1], candidate))
            next = candidate;
        }
      if (next == NULL)
        break;
      chain[length++] = next;
    }

  /* Cachet judges time itself (at WHEN), and weak hashes (as weak, not as forged). First
   * against the anchors given and the user's; only if they do not make the chain trusted,
   * again with the system and Mozilla roots added (what is judged is then exactly as if
   * all had been there from the start). */
  for (;;)
    {
      status = 0;
      rc = gnutls_x509_trust_list_verify_crt2 (trust->list, chain, length, &purpose, 1,
                                               GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
                                               GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
                                               GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 |
                                               GNUTLS_VERIFY_ALLOW_BROKEN,
                                               &status, NULL);
      if (rc < 0)
        status |= GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND;
      if (status == 0 || !trust->system || trust->system_loaded)
        break;
      load_system (trust);
    }

  trusted = status == 0;

  /* The chain people see: the intermediates and the anchor. */
  for (guint c = 1; c < length; c++)
    {
      g_autoptr(CachetCertificate) element = wrap (chain[c]);

      if (element)
        g_ptr_array_add (cachet_signer_get_chain (signer), g_object_ref (element));
    }

  if (trusted)
    {
      if ((anchor = find_anchor (trust->command_line, chain, length)))
        source = "command-line";
      else if ((anchor = find_anchor (trust->user, chain, length)))
        source = "user";
      else if ((anchor = find_anchor (trust->mozilla, chain, length)))
        source = "mozilla-email";
      else
        {
          gnutls_x509_crt_t issuer = NULL;

          source = "system";
          if (gnutls_x509_trust_list_get_issuer (trust->list, chain[length - 1], &issuer,
                                                 GNUTLS_TL_GET_COPY) == 0)
            {
              found_issuer = wrap (issuer);
              gnutls_x509_crt_deinit (issuer);
              anchor = found_issuer;
            }
        }
      if (anchor && !gnutls_x509_crt_equals (cachet_certificate_get_gnutls (anchor), chain[length - 1]))
        g_ptr_array_add (cachet_signer_get_chain (signer), g_object_ref (anchor));
      cachet_signer_set_anchor_source (signer, source);
    }
  else if (status & GNUTLS_CERT_REVOKED)
    cachet_signer_add_problem (signer, CACHET_PROBLEM_REVOKED, NULL);
  else if (status & GNUTLS_CERT_PURPOSE_MISMATCH)
    cachet_signer_add_problem (signer, CACHET_PROBLEM_WRONG_USAGE,
                               _("A certificate in the chain is not meant for email protection."));
  else if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
    cachet_signer_add_problem (signer, CACHET_PROBLEM_WEAK_ALGORITHM,
                               _("A certificate in the chain is signed with a weak algorithm."));
  else
    {
      const char *detail;

      if (status & GNUTLS_CERT_SIGNER_NOT_CA)
        detail = _("A certificate in the chain was issued by a certificate that is not a certification authority.");
      else if (status & GNUTLS_CERT_SIGNATURE_FAILURE)
        detail = _("A certificate in the chain has an invalid signature.");
      else if (status & GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE)
        detail = _("The chain breaks an issuer’s name or path constraints.");
      else if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
        detail = _("The chain does not end at an authority you trust. If you know this authority, add its root certificate to the authorities you trust.");
      else
        detail = _("The chain could not be verified.");
      cachet_signer_add_problem (signer, CACHET_PROBLEM_UNTRUSTED_ISSUER, detail);
    }

  /* The leaf's own extended key usage, whatever the chain. (Its keyUsage depends on what the
   * certificate is used for: the callers check signing or encryption themselves.) */
  if (!cachet_certificate_allows_email (certificate))
    {
      if (!cachet_signer_has_problem (signer, CACHET_PROBLEM_WRONG_USAGE))
        cachet_signer_add_problem (signer, CACHET_PROBLEM_WRONG_USAGE,
                                   _("The certificate is not meant for email protection."));
      trusted = FALSE;
    }

  /* Time, for every element and the anchor. */
  check_validity (signer, certificate, TRUE, when, when_is_now, signing_time);
  for (guint c = 1; c < length; c++)
    {
      g_autoptr(CachetCertificate) element = wrap (chain[c]);

      if (element)
        check_validity (signer, element, FALSE, when, when_is_now, signing_time);
    }
  if (anchor && !gnutls_x509_crt_equals (cachet_certificate_get_gnutls (anchor), chain[length - 1]))
    check_validity (signer, anchor, FALSE, when, when_is_now, signing_time);
  if (cachet_signer_has_problem (signer, CACHET_PROBLEM_EXPIRED) ||
      cachet_signer_has_problem (signer, CACHET_PROBLEM_NOT_YET_VALID))
    trusted = FALSE;

  /* Weak signatures inside the chain (a self-signed anchor's own signature does not count). */
  if (!cachet_signer_has_problem (signer, CACHET_PROBLEM_WEAK_ALGORITHM))
    for (guint c = 0; c < length; c++)
      if (!gnutls_x509_crt_check_issuer (chain[c], chain[c]) && signed_with_weak_hash (chain[c]))
        {
          cachet_signer_add_problem (signer, CACHET_PROBLEM_WEAK_ALGORITHM,
                                     _("A certificate in the chain is signed with SHA-1 or MD5."));
          break;
        }

  /* Small RSA keys among the issuing authorities (the signer's own is judged with the maths). */
  if (!cachet_signer_has_problem (signer, CACHET_PROBLEM_WEAK_ALGORITHM))
    for (guint c = 1; c < length; c++)
      {
        unsigned int bits = 0;

        if (gnutls_x509_crt_get_pk_algorithm (chain[c], &bits) == GNUTLS_PK_RSA && bits < 2048 &&
            !gnutls_x509_crt_check_issuer (chain[c], chain[c]))
          {
            g_autofree char *detail = g_strdup_printf (_("An issuing authority’s RSA key has only %u bits."), bits);

            cachet_signer_add_problem (signer, CACHET_PROBLEM_WEAK_ALGORITHM, detail);
            break;
          }
      }

  /* Revocation: the leaf (recorded on the signer) and the issuing authorities. Only a chain
   * that verified may send Cachet to the network: an attacker's certificate must not make it
   * call an address of their choosing. */
  {
    g_autoptr(CachetCertificate) leaf_issuer = NULL;
    gboolean chain_verified = status == 0;

    if (length > 1)
      leaf_issuer = wrap (chain[1]);
    else if (anchor && !gnutls_x509_crt_equals (cachet_certificate_get_gnutls (anchor), chain[0]))
      leaf_issuer = g_object_ref (anchor);
    if (_cachet_revocation_judge_signer (trust->options, signer, certificate, leaf_issuer, when,
                                         chain_verified))
      trusted = FALSE;

    for (guint c = 1; c < length && !gnutls_x509_crt_check_issuer (chain[c], chain[c]); c++)
      {
        g_autoptr(CachetCertificate) authority = wrap (chain[c]);
        g_autoptr(CachetCertificate) authority_issuer = NULL;
        g_autoptr(CachetSigner) probe = cachet_signer_new ();

        if (c + 1 < length)
          authority_issuer = wrap (chain[c + 1]);
        else if (anchor && !gnutls_x509_crt_equals (cachet_certificate_get_gnutls (anchor), chain[c]))
          authority_issuer = g_object_ref (anchor);
        if (authority && authority_issuer &&
            _cachet_revocation_judge_signer (trust->options, probe, authority, authority_issuer, when,
                                             chain_verified))
          {
            const char *source = NULL;
            GDateTime *revoked_at = NULL;
            g_autofree char *date = NULL;
            g_autofree char *detail = NULL;

            cachet_signer_get_revocation (probe, &source, &revoked_at, NULL);
            date = revoked_at ? g_date_time_format (revoked_at, "%Y-%m-%d") : g_strdup ("?");
            detail = g_strdup_printf (_("The issuing authority “%s” was revoked on %s."),
                                      cachet_certificate_get_name (authority), date);
            cachet_signer_add_problem (signer, CACHET_PROBLEM_REVOKED, detail);
            trusted = FALSE;
            break;
          }
      }
  }

  cachet_signer_set_trusted (signer, trusted);
  if (!trusted)
    cachet_signer_set_anchor_source (signer, NULL);
}
