/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-crypto-context.h: GMime's view of Cachet's S/MIME (a GMimeCryptoContext subclass).
 *
 * GMime-based callers (g_mime_multipart_signed_verify, g_mime_application_pkcs7_mime_verify)
 * get this context for the pkcs7 protocols. GMime's factory takes no arguments, so a context it
 * makes uses the process-wide default options; Cachet's own code calls cachet-signing.h with
 * per-call options instead.
 */
#pragma once

#include "cachet-gmime.h"
#include "cachet-options.h"

G_BEGIN_DECLS

#define CACHET_TYPE_CRYPTO_CONTEXT (cachet_crypto_context_get_type ())
G_DECLARE_FINAL_TYPE (CachetCryptoContext, cachet_crypto_context, CACHET, CRYPTO_CONTEXT, GMimeCryptoContext)

/* A context using the default options. */
GMimeCryptoContext *cachet_crypto_context_new              (void);
/* A context using OPTIONS (signer, anchors, check time). */
GMimeCryptoContext *cachet_crypto_context_new_with_options (CachetOptions *options);

/* The options contexts made by GMime's factory use (a new reference). Set them once at
 * start-up (the window sets the store in them); thread-safe. */
CachetOptions      *cachet_crypto_context_dup_default_options (void);
void                cachet_crypto_context_set_default_options (CachetOptions *options);

/* Registers the context for the pkcs7 protocols; called by cachet_core_init(). */
void _cachet_crypto_context_register (void);

G_END_DECLS
