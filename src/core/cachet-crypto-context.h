/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-crypto-context.h: GMime's view of Cachet's S/MIME (a GMimeCryptoContext subclass).
 */
#pragma once

#include <gmime/gmime.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeCryptoContext, g_object_unref)

#define CACHET_TYPE_CRYPTO_CONTEXT (cachet_crypto_context_get_type ())
G_DECLARE_FINAL_TYPE (CachetCryptoContext, cachet_crypto_context, CACHET, CRYPTO_CONTEXT, GMimeCryptoContext)

GMimeCryptoContext *cachet_crypto_context_new (void);

/* Registers the context for the pkcs7 protocols; called by cachet_core_init(). */
void _cachet_crypto_context_register (void);

G_END_DECLS
