/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-crypto-context.c: GMimeCryptoContext subclass over Cachet's CMS layer.
 * (placeholder until the signatures work lands)
 */
#include "config.h"

#include "cachet-crypto-context.h"

struct _CachetCryptoContext
{
  GMimeCryptoContext parent_instance;
};

G_DEFINE_FINAL_TYPE (CachetCryptoContext, cachet_crypto_context, GMIME_TYPE_CRYPTO_CONTEXT)

static void
cachet_crypto_context_class_init (CachetCryptoContextClass *klass)
{
}

static void
cachet_crypto_context_init (CachetCryptoContext *self)
{
}

GMimeCryptoContext *
cachet_crypto_context_new (void)
{
  return g_object_new (CACHET_TYPE_CRYPTO_CONTEXT, NULL);
}

void
_cachet_crypto_context_register (void)
{
}
