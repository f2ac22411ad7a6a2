/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-trust.h: does a signer's certificate chain reach an anchor the user trusts?
 *
 * Anchors: the system bundle (when the options allow it), Mozilla's email-trusted roots from
 * NSS, the anchors given for this call (--trust) and, with a key store, the user's own. The
 * chain is verified by GnuTLS with the email-protection purpose; because GnuTLS has no
 * per-call verification time, validity dates are checked here at the chosen moment. Each rule
 * that fails becomes a problem on the signer, with a detail saying which.
 */
#pragma once

#include "cachet-options.h"
#include "cachet-verdict.h"

G_BEGIN_DECLS

typedef struct _CachetTrust CachetTrust;

/* Gathers the anchors OPTIONS allow. Never fails: anchors that cannot be loaded are skipped. */
CachetTrust *_cachet_trust_new      (CachetOptions     *options);
void         _cachet_trust_free     (CachetTrust       *trust);

/* Builds CERTIFICATE's chain from POOL (CachetCertificate: embedded, --certs, contacts),
 * verifies it for email protection and records on SIGNER: trusted, anchor source, the chain,
 * and problems (untrusted-issuer, expired, not-yet-valid, wrong-usage for the extended key
 * usage, weak-algorithm in the chain). The leaf's keyUsage is left to the caller (signing and
 * encryption need different bits). The check happens at WHEN (NULL: now); SIGNING_TIME (may be
 * NULL) only enriches the explanation. */
void         _cachet_trust_evaluate (CachetTrust       *trust,
                                     CachetSigner      *signer,
                                     CachetCertificate *certificate,
                                     GPtrArray         *pool,
                                     GDateTime         *when,
                                     GDateTime         *signing_time);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetTrust, _cachet_trust_free)

G_END_DECLS
