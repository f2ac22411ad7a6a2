/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-revocation.h: has a certificate been revoked? CRLs and OCSP.
 *
 * Revocation lists (CRLs) are kept in the key store's folder (DATA_DIR/crls/), one file per
 * issuing authority, each checked against its issuer's signature on import and again on every
 * use. Offline (the default) only those stored lists are consulted; online, Cachet also asks the
 * OCSP responder named in the certificate (authorityInfoAccess) and downloads the CRL from its
 * distribution point over plain HTTP, caching it until its nextUpdate. The authority then learns
 * which certificate was checked, which is why online checking is a choice.
 */
#pragma once

#include <gio/gio.h>

#include "cachet-certificate.h"
#include "cachet-options.h"
#include "cachet-verdict.h"

G_BEGIN_DECLS

/* The folder STORE keeps revocation lists in: DATA_DIR/crls (not created here). */
char                  *cachet_revocation_get_crl_dir        (CachetStore        *store);

/* Imports a CRL file (PEM or DER) into STORE. Its signature must verify against a known
 * authority: one of ISSUERS (CachetCertificate, may be NULL), one of STORE's trust anchors, a
 * root Mozilla trusts for email, or a CA certificate among its contacts and identities'
 * chains. A wrong issuer, a bad signature or a file that is no CRL is refused with
 * CACHET_ERROR_NOT_USABLE / CACHET_ERROR_MALFORMED and nothing is stored. An older list never
 * replaces a newer one from the same authority. */
gboolean               cachet_revocation_import_crl         (CachetStore        *store,
                                                             const char         *path,
                                                             GPtrArray          *issuers,
                                                             GError            **error);
/* The same for a list in memory, into any folder CRL_DIR (created when missing). KNOWN_CAS
 * (CachetCertificate) are the only authorities accepted as its issuer. */
gboolean               cachet_revocation_import_crl_data    (const char         *crl_dir,
                                                             GBytes             *data,
                                                             GPtrArray          *known_cas,
                                                             GError            **error);

/* Is CERTIFICATE, issued by ISSUER, revoked at WHEN (NULL: now)? Uses the CRLs stored with
 * OPTIONS' store and, when OPTIONS allow online checking, OCSP and the CRL distribution point.
 * SOURCE receives "crl" or "ocsp" (or NULL); REVOKED_AT the revocation time (REVOKED) or the
 * answer's time (GOOD); REASON the revocation reason for people, or for UNKNOWN why no answer
 * could be used. ERROR is set only for UNKNOWN, with the same explanation. A certificate listed
 * as revoked after WHEN is still reported REVOKED, with its date: the caller compares. */
CachetRevocationStatus cachet_revocation_check              (CachetOptions      *options,
                                                             CachetCertificate  *certificate,
                                                             CachetCertificate  *issuer,
                                                             GDateTime          *when,
                                                             char              **source,
                                                             GDateTime         **revoked_at,
                                                             char              **reason,
                                                             GCancellable       *cancellable,
                                                             GError            **error);

/* For the trust code: checks CERTIFICATE (issued by ISSUER, may be NULL: not checked), records
 * the outcome on SIGNER and adds the problem `revoked` (with date and reason) when it was
 * revoked at or before WHEN (NULL: now). ONLINE_ALLOWED FALSE keeps to stored CRLs whatever the
 * options say (for chains that did not verify: their URLs are not worth trusting). Returns
 * TRUE when the problem was added. */
gboolean               _cachet_revocation_judge_signer      (CachetOptions      *options,
                                                             CachetSigner       *signer,
                                                             CachetCertificate  *certificate,
                                                             CachetCertificate  *issuer,
                                                             GDateTime          *when,
                                                             gboolean            online_allowed);

/* For encryption: FALSE, with an error naming the person, when CERTIFICATE is revoked now.
 * Its issuer is looked for in POOL (CachetCertificate), OPTIONS' anchors and the store's
 * anchors; without one (or without revocation data) the certificate is not refused here. */
gboolean               _cachet_revocation_check_recipient   (CachetOptions      *options,
                                                             CachetCertificate  *certificate,
                                                             GPtrArray          *pool,
                                                             GError            **error);

/* The user's choice (GSettings key "online-revocation" of the application's schema) when the
 * schema is installed, else FALSE. */
gboolean               cachet_revocation_get_online_default (void);

G_END_DECLS
