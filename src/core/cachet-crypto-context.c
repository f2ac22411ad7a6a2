/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-crypto-context.c: GMimeCryptoContext subclass over Cachet's CMS layer.
 *
 * Signing and verification go through cachet-signed-data (streamed, GnuTLS maths); the verdict
 * is translated into GMime's signature list. Encryption and decryption are not offered here
 * (yet): GMime's base class reports them as unsupported.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cachet-crypto-context.h"
#include "cachet-digest-stream.h"
#include "cachet-error.h"
#include "cachet-signed-data.h"
#include "cachet-store.h"

struct _CachetCryptoContext
{
  GMimeCryptoContext parent_instance;

  CachetOptions *options;
};

G_DEFINE_FINAL_TYPE (CachetCryptoContext, cachet_crypto_context, GMIME_TYPE_CRYPTO_CONTEXT)

static GMutex default_lock;
static CachetOptions *default_options;

CachetOptions *
cachet_crypto_context_dup_default_options (void)
{
  CachetOptions *options;

  g_mutex_lock (&default_lock);
  if (default_options == NULL)
    default_options = cachet_options_new ();
  options = g_object_ref (default_options);
  g_mutex_unlock (&default_lock);
  return options;
}

void
cachet_crypto_context_set_default_options (CachetOptions *options)
{
  g_return_if_fail (CACHET_IS_OPTIONS (options));

  g_mutex_lock (&default_lock);
  g_set_object (&default_options, options);
  g_mutex_unlock (&default_lock);
}

static GMimeDigestAlgo
to_gmime_digest (gnutls_digest_algorithm_t digest)
{
  switch (digest)
    {
    case GNUTLS_DIG_MD5: return GMIME_DIGEST_ALGO_MD5;
    case GNUTLS_DIG_SHA1: return GMIME_DIGEST_ALGO_SHA1;
    case GNUTLS_DIG_SHA224: return GMIME_DIGEST_ALGO_SHA224;
    case GNUTLS_DIG_SHA256: return GMIME_DIGEST_ALGO_SHA256;
    case GNUTLS_DIG_SHA384: return GMIME_DIGEST_ALGO_SHA384;
    case GNUTLS_DIG_SHA512: return GMIME_DIGEST_ALGO_SHA512;
    default: return GMIME_DIGEST_ALGO_DEFAULT;
    }
}

static GMimeDigestAlgo
cachet_crypto_context_digest_id (GMimeCryptoContext *context,
                                 const char         *name)
{
  const char *names[] = { "md5", "sha1", "sha224", "sha256", "sha384", "sha512" };
  GMimeDigestAlgo ids[] = { GMIME_DIGEST_ALGO_MD5, GMIME_DIGEST_ALGO_SHA1, GMIME_DIGEST_ALGO_SHA224,
                            GMIME_DIGEST_ALGO_SHA256, GMIME_DIGEST_ALGO_SHA384, GMIME_DIGEST_ALGO_SHA512 };
  g_autofree char *plain = NULL;
  g_autofree char *joined = NULL;
  g_auto(GStrv) parts = NULL;

  if (name == NULL)
    return GMIME_DIGEST_ALGO_DEFAULT;
  /* "sha-256", "SHA256" and "sha256" name the same digest */
  parts = g_strsplit (name, "-", -1);
  joined = g_strjoinv ("", parts);
  plain = g_ascii_strdown (joined, -1);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (plain, names[i]))
      return ids[i];
  return GMIME_DIGEST_ALGO_DEFAULT;
}

static const char *
cachet_crypto_context_digest_name (GMimeCryptoContext *context,
                                   GMimeDigestAlgo     digest)
{
  switch (digest)
    {
    case GMIME_DIGEST_ALGO_MD5: return "md5";
    case GMIME_DIGEST_ALGO_SHA1: return "sha-1";
    case GMIME_DIGEST_ALGO_SHA224: return "sha-224";
    case GMIME_DIGEST_ALGO_DEFAULT:
    case GMIME_DIGEST_ALGO_SHA256: return "sha-256";
    case GMIME_DIGEST_ALGO_SHA384: return "sha-384";
    case GMIME_DIGEST_ALGO_SHA512: return "sha-512";
    default: return "sha-256";
    }
}

static const char *
cachet_crypto_context_get_signature_protocol (GMimeCryptoContext *context)
{
  return "application/pkcs7-signature";
}

static const char *
cachet_crypto_context_get_encryption_protocol (GMimeCryptoContext *context)
{
  return "application/pkcs7-mime";
}

static const char *
cachet_crypto_context_get_key_exchange_protocol (GMimeCryptoContext *context)
{
  return "application/pkcs7-keys";
}

/* The credentials for USERID (an address): given ones first, then the store's identity. */
static CachetCredentials *
find_credentials (CachetOptions  *options,
                  const char     *userid,
                  GError        **error)
{
  GPtrArray *credentials = cachet_options_get_credentials (options);
  CachetStore *store = cachet_options_get_store (options);

  for (guint i = 0; i < credentials->len; i++)
    {
      CachetCredentials *candidate = g_ptr_array_index (credentials, i);

      if (userid == NULL ||
          cachet_certificate_has_address (cachet_credentials_get_certificate (candidate), userid))
        return g_object_ref (candidate);
    }
  if (store != NULL)
    return cachet_store_get_signing_credentials (store, userid, NULL, error);
  if (credentials->len > 0)
    return g_object_ref (g_ptr_array_index (credentials, 0));

  g_set_error (error, CACHET_ERROR, CACHET_ERROR_NO_KEY,
               _("There is no signing identity for “%s”. Import one with “cachet-cli identity import”."),
               userid ? userid : "");
  return NULL;
}

static int
cachet_crypto_context_sign (GMimeCryptoContext *context,
                            gboolean            detach,
                            const char         *userid,
                            GMimeStream        *istream,
                            GMimeStream        *ostream,
                            GError            **error)
{
  CachetCryptoContext *self = CACHET_CRYPTO_CONTEXT (context);
  g_autoptr(CachetCredentials) credentials = find_credentials (self->options, userid, error);
  gnutls_digest_algorithm_t digest = _cachet_digest_from_name (cachet_options_get_digest (self->options));

  if (credentials == NULL)
    return -1;
  if (digest == GNUTLS_DIG_UNKNOWN)
    digest = GNUTLS_DIG_SHA256;
  if (!_cachet_signed_data_sign_stream (credentials, digest, istream, !detach, ostream, NULL, error))
    return -1;
  return to_gmime_digest (digest);
}

static GMimeSignature *
signature_from_signer (CachetSigner *signer)
{
  GMimeSignature *signature = g_mime_signature_new ();
  GMimeCertificate *gcert = g_mime_certificate_new ();
  CachetCertificate *certificate = cachet_signer_get_certificate (signer);
  CachetStatus status = cachet_signer_get_status (signer);
  GMimeSignatureStatus flags = 0;

  switch (status)
    {
    case CACHET_STATUS_GOOD:
      flags = GMIME_SIGNATURE_STATUS_VALID | GMIME_SIGNATURE_STATUS_GREEN;
      break;
    case CACHET_STATUS_UNTRUSTED:
      flags = GMIME_SIGNATURE_STATUS_VALID;
      break;
    default:
      flags = GMIME_SIGNATURE_STATUS_RED;
      break;
    }
  if (cachet_signer_has_problem (signer, CACHET_PROBLEM_UNKNOWN_SIGNER))
    flags = GMIME_SIGNATURE_STATUS_KEY_MISSING | (flags & ~GMIME_SIGNATURE_STATUS_VALID);
  if (cachet_signer_has_problem (signer, CACHET_PROBLEM_EXPIRED))
    flags |= GMIME_SIGNATURE_STATUS_KEY_EXPIRED;
  if (cachet_signer_has_problem (signer, CACHET_PROBLEM_REVOKED))
    flags |= GMIME_SIGNATURE_STATUS_KEY_REVOKED;
  g_mime_signature_set_status (signature, flags);

  if (cachet_signer_get_signing_time (signer))
    g_mime_signature_set_created (signature, (time_t) g_date_time_to_unix (cachet_signer_get_signing_time (signer)));

  g_mime_certificate_set_digest_algo (gcert, cachet_crypto_context_digest_id (NULL, cachet_signer_get_digest (signer)));
  if (certificate != NULL)
    {
      const char * const *addresses = cachet_certificate_get_addresses (certificate);
      g_autoptr(GDateTime) not_after = cachet_certificate_get_not_after (certificate);

      g_mime_certificate_set_name (gcert, cachet_certificate_get_name (certificate));
      if (addresses && addresses[0])
        g_mime_certificate_set_email (gcert, addresses[0]);
      g_mime_certificate_set_fingerprint (gcert, cachet_certificate_get_fingerprint (certificate));
      g_mime_certificate_set_issuer_name (gcert, cachet_certificate_get_issuer (certificate));
      g_mime_certificate_set_user_id (gcert, cachet_certificate_get_subject (certificate));
      if (not_after)
        g_mime_certificate_set_expires (gcert, (time_t) g_date_time_to_unix (not_after));
    }
  g_mime_certificate_set_trust (gcert, cachet_signer_get_trusted (signer) ? GMIME_TRUST_FULL : GMIME_TRUST_UNKNOWN);
  g_mime_signature_set_certificate (signature, gcert);
  g_object_unref (gcert);
  return signature;
}

static GMimeSignatureList *
cachet_crypto_context_verify (GMimeCryptoContext *context,
                              GMimeVerifyFlags    flags,
                              GMimeStream        *istream,
                              GMimeStream        *sigstream,
                              GMimeStream        *ostream,
                              GError            **error)
{
  CachetCryptoContext *self = CACHET_CRYPTO_CONTEXT (context);
  g_autoptr(CachetVerdict) verdict = cachet_verdict_new ();
  g_autoptr(CachetSignedData) signed_data = NULL;
  GMimeSignatureList *list;
  GListModel *signers;

  if (sigstream != NULL)
    {
      if (!(signed_data = _cachet_signed_data_read (sigstream, NULL, NULL, error)))
        return NULL;
      if (_cachet_signed_data_has_content (signed_data))
        {
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED, "%s",
                       cachet_problem_describe (CACHET_PROBLEM_CONTENT_CONFUSION));
          return NULL;
        }
      if (!cachet_digest_stream_absorb (CACHET_DIGEST_STREAM (_cachet_signed_data_get_content_stream (signed_data)),
                                        istream, NULL, error))
        return NULL;
    }
  else if (!(signed_data = _cachet_signed_data_read (istream, ostream, NULL, error)))
    return NULL;

  if (!_cachet_signed_data_verify (signed_data, self->options, verdict, NULL, error))
    return NULL;

  if (cachet_verdict_has_problem (verdict, CACHET_PROBLEM_NO_SIGNERS))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED, "%s",
                   cachet_problem_describe (CACHET_PROBLEM_NO_SIGNERS));
      return NULL;
    }

  list = g_mime_signature_list_new ();
  signers = cachet_verdict_get_signers (verdict);
  for (guint i = 0; i < g_list_model_get_n_items (signers); i++)
    {
      g_autoptr(CachetSigner) signer = g_list_model_get_item (signers, i);
      g_autoptr(GMimeSignature) signature = signature_from_signer (signer);

      g_mime_signature_list_add (list, signature);
    }
  return list;
}

static void
cachet_crypto_context_finalize (GObject *object)
{
  CachetCryptoContext *self = CACHET_CRYPTO_CONTEXT (object);

  g_clear_object (&self->options);
  G_OBJECT_CLASS (cachet_crypto_context_parent_class)->finalize (object);
}

static void
cachet_crypto_context_class_init (CachetCryptoContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GMimeCryptoContextClass *context_class = GMIME_CRYPTO_CONTEXT_CLASS (klass);

  object_class->finalize = cachet_crypto_context_finalize;

  context_class->digest_id = cachet_crypto_context_digest_id;
  context_class->digest_name = cachet_crypto_context_digest_name;
  context_class->get_signature_protocol = cachet_crypto_context_get_signature_protocol;
  context_class->get_encryption_protocol = cachet_crypto_context_get_encryption_protocol;
  context_class->get_key_exchange_protocol = cachet_crypto_context_get_key_exchange_protocol;
  context_class->sign = cachet_crypto_context_sign;
  context_class->verify = cachet_crypto_context_verify;
}

static void
cachet_crypto_context_init (CachetCryptoContext *self)
{
}

GMimeCryptoContext *
cachet_crypto_context_new_with_options (CachetOptions *options)
{
  CachetCryptoContext *self = g_object_new (CACHET_TYPE_CRYPTO_CONTEXT, NULL);

  g_return_val_if_fail (CACHET_IS_OPTIONS (options), NULL);
  self->options = g_object_ref (options);
  return GMIME_CRYPTO_CONTEXT (self);
}

GMimeCryptoContext *
cachet_crypto_context_new (void)
{
  g_autoptr(CachetOptions) options = cachet_crypto_context_dup_default_options ();

  return cachet_crypto_context_new_with_options (options);
}

void
_cachet_crypto_context_register (void)
{
  static const char * const protocols[] = {
    "application/pkcs7-signature", "application/x-pkcs7-signature",
    "application/pkcs7-mime", "application/x-pkcs7-mime", "application/pkcs7-keys",
  };

  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    g_mime_crypto_context_register (protocols[i], cachet_crypto_context_new);
}
