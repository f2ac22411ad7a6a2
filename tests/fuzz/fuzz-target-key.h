/* SPDX-License-Identifier: GPL-3.0-or-later
 * fuzz-target-key.h: a key pair made once per fuzzing process (never stored anywhere), so the
 * encryption target can reach the decryption paths behind a matching recipient.
 */
#pragma once

#include <gnutls/abstract.h>

#include "cachet-core.h"

static CachetCredentials *
fuzz_target_credentials (void)
{
  static CachetCredentials *credentials;
  gnutls_x509_privkey_t key;
  gnutls_privkey_t private_key;
  gnutls_x509_crt_t cert;
  g_autoptr(CachetCertificate) certificate = NULL;
  time_t now = time (NULL);

  if (credentials)
    return credentials;

  gnutls_x509_privkey_init (&key);
  g_assert (gnutls_x509_privkey_generate (key, GNUTLS_PK_RSA, 2048, 0) >= 0);

  gnutls_x509_crt_init (&cert);
  gnutls_x509_crt_set_version (cert, 3);
  gnutls_x509_crt_set_serial (cert, "\x01", 1);
  gnutls_x509_crt_set_activation_time (cert, now - 3600);
  gnutls_x509_crt_set_expiration_time (cert, now + 86400);
  gnutls_x509_crt_set_dn_by_oid (cert, GNUTLS_OID_X520_COMMON_NAME, 0, "Fuzz", 4);
  gnutls_x509_crt_set_subject_alt_name (cert, GNUTLS_SAN_RFC822NAME, "fuzz@example.org", 16, GNUTLS_FSAN_SET);
  gnutls_x509_crt_set_key (cert, key);
  gnutls_x509_crt_set_key_usage (cert, GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_ENCIPHERMENT);
  g_assert (gnutls_x509_crt_sign2 (cert, cert, key, GNUTLS_DIG_SHA256, 0) >= 0);

  certificate = cachet_certificate_new_from_gnutls (cert, NULL);
  gnutls_privkey_init (&private_key);
  g_assert (gnutls_privkey_import_x509 (private_key, key, GNUTLS_PRIVKEY_IMPORT_COPY) >= 0);
  credentials = cachet_credentials_new (private_key, certificate, NULL, NULL);
  g_assert (credentials != NULL);

  gnutls_x509_crt_deinit (cert);
  gnutls_x509_privkey_deinit (key);
  return credentials;
}
