/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-credentials.h: a private key with its certificate and chain, ready to sign or decrypt.
 *
 * Credentials come from the key store (an identity whose key lives in the Secret Service), from
 * a PKCS#12 file (cachet-pkcs12.h) or from a certificate and key file pair (tests, scripts).
 */
#pragma once

#include <gnutls/abstract.h>

#include "cachet-certificate.h"

G_BEGIN_DECLS

#define CACHET_TYPE_CREDENTIALS (cachet_credentials_get_type ())
G_DECLARE_FINAL_TYPE (CachetCredentials, cachet_credentials, CACHET, CREDENTIALS, GObject)

/* Takes ownership of KEY. CHAIN holds CachetCertificate intermediates (may be NULL). Fails when
 * the key does not belong to the certificate. */
CachetCredentials *cachet_credentials_new            (gnutls_privkey_t    key,
                                                      CachetCertificate  *certificate,
                                                      GPtrArray          *chain,
                                                      GError            **error);
/* CERT_PATH: PEM or DER certificate, further PEM certificates in it form the chain.
 * KEY_PATH: unencrypted PEM or DER private key (PKCS#8 or PKCS#1/SEC1). */
CachetCredentials *cachet_credentials_new_from_files (const char         *cert_path,
                                                      const char         *key_path,
                                                      GError            **error);

gnutls_privkey_t   cachet_credentials_get_private_key (CachetCredentials *self);
CachetCertificate *cachet_credentials_get_certificate (CachetCredentials *self);
/* CachetCertificate intermediates, never NULL, may be empty. */
GPtrArray         *cachet_credentials_get_chain       (CachetCredentials *self);

G_END_DECLS
