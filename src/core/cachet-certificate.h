/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-certificate.h: one X.509 certificate as Cachet shows and uses it.
 *
 * A thin immutable GObject over gnutls_x509_crt_t: the fields people see (name, addresses,
 * issuer, validity, fingerprint), the checks S/MIME needs (email protection, key usage, key
 * strength) and loading from the files people have (PEM, DER, PKCS#7 bundles).
 */
#pragma once

#include <gio/gio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

G_BEGIN_DECLS

#define CACHET_TYPE_CERTIFICATE (cachet_certificate_get_type ())
G_DECLARE_FINAL_TYPE (CachetCertificate, cachet_certificate, CACHET, CERTIFICATE, GObject)

typedef enum {
  CACHET_KEY_USAGE_SIGN    = 1 << 0,  /* digitalSignature or nonRepudiation */
  CACHET_KEY_USAGE_ENCRYPT = 1 << 1,  /* keyEncipherment (RSA key transport) */
} CachetKeyUsage;

CachetCertificate *cachet_certificate_new_from_der       (GBytes             *der,
                                                          GError            **error);
/* Copies CERT; the caller keeps its own. */
CachetCertificate *cachet_certificate_new_from_gnutls    (gnutls_x509_crt_t   cert,
                                                          GError            **error);
/* Every certificate in DATA: PEM (one or more), DER, or PKCS#7 certs-only (PEM or DER). */
GPtrArray         *cachet_certificate_list_from_data     (GBytes             *data,
                                                          GError            **error);
GPtrArray         *cachet_certificate_list_from_file     (const char         *path,
                                                          GError            **error);

/* Borrowed; valid as long as SELF. */
gnutls_x509_crt_t  cachet_certificate_get_gnutls         (CachetCertificate  *self);
/* Borrowed (do not unref), unlike the other GBytes getters below, which return a new reference. */
GBytes            *cachet_certificate_get_der            (CachetCertificate  *self);
char              *cachet_certificate_to_pem             (CachetCertificate  *self);

/* Common Name, else the first address, else the whole subject. */
const char        *cachet_certificate_get_name           (CachetCertificate  *self);
/* Lower-cased email addresses: SAN rfc822Name, then subject emailAddress; no duplicates. */
const char * const *cachet_certificate_get_addresses     (CachetCertificate  *self);
gboolean           cachet_certificate_has_address        (CachetCertificate  *self,
                                                          const char         *address);
const char        *cachet_certificate_get_subject        (CachetCertificate  *self);
const char        *cachet_certificate_get_issuer         (CachetCertificate  *self);
/* Issuer's Common Name (or the whole issuer) for short displays. */
const char        *cachet_certificate_get_issuer_name    (CachetCertificate  *self);
/* SHA-256 of the DER, lower-case hex without separators. */
const char        *cachet_certificate_get_fingerprint    (CachetCertificate  *self);
GBytes            *cachet_certificate_get_serial         (CachetCertificate  *self);
/* Raw DER of the issuer Name, for CMS issuerAndSerialNumber. */
GBytes            *cachet_certificate_get_issuer_der     (CachetCertificate  *self);
/* The subjectKeyIdentifier extension, NULL when absent. */
GBytes            *cachet_certificate_get_subject_key_id (CachetCertificate  *self);
GDateTime         *cachet_certificate_get_not_before     (CachetCertificate  *self);
GDateTime         *cachet_certificate_get_not_after      (CachetCertificate  *self);
gboolean           cachet_certificate_is_valid_at        (CachetCertificate  *self,
                                                          GDateTime          *when);
/* Days from NOW until not_after (negative when expired). */
int                cachet_certificate_get_days_left      (CachetCertificate  *self,
                                                          GDateTime          *now);
gboolean           cachet_certificate_is_self_signed     (CachetCertificate  *self);
/* ISSUER (a CA) is named as SELF's issuer and its key made SELF's signature; validity dates,
 * trust and algorithm strength are not looked at. */
gboolean           cachet_certificate_is_issued_by       (CachetCertificate  *self,
                                                          CachetCertificate  *issuer);
gboolean           cachet_certificate_is_ca              (CachetCertificate  *self);

/* The usages the certificate allows (no keyUsage extension allows all). */
CachetKeyUsage     cachet_certificate_get_key_usage      (CachetCertificate  *self);
/* TRUE when there is no extendedKeyUsage, or it lists emailProtection or anyExtendedKeyUsage. */
gboolean           cachet_certificate_allows_email       (CachetCertificate  *self);
/* GNUTLS_PK_RSA, GNUTLS_PK_ECDSA, ... and the key size in bits. */
gnutls_pk_algorithm_t cachet_certificate_get_key_algorithm (CachetCertificate *self,
                                                          guint              *bits);
/* "RSA 3072", "ECDSA P-256" */
char              *cachet_certificate_describe_key       (CachetCertificate  *self);
gboolean           cachet_certificate_equal              (CachetCertificate  *a,
                                                          CachetCertificate  *b);
/* The public key, for verifying and encrypting; free with gnutls_pubkey_deinit. */
gnutls_pubkey_t    cachet_certificate_get_public_key     (CachetCertificate  *self,
                                                          GError            **error);
/* Does SELF match a CMS SignerIdentifier / RecipientIdentifier? */
gboolean           cachet_certificate_matches_issuer_serial (CachetCertificate *self,
                                                          GBytes             *issuer_der,
                                                          GBytes             *serial);
gboolean           cachet_certificate_matches_key_id     (CachetCertificate  *self,
                                                          GBytes             *key_id);

/* For the details dialog. SHA-1 of the DER, lower-case hex (some people still compare it). */
char              *cachet_certificate_get_sha1_fingerprint (CachetCertificate *self);
/* The subject's organisation (O), NULL when absent. */
char              *cachet_certificate_get_organization  (CachetCertificate  *self);
/* "RSA-SHA256", ... as GnuTLS names the certificate's signature algorithm. */
const char        *cachet_certificate_get_signature_algorithm (CachetCertificate *self);
/* The keyUsage bits and the extendedKeyUsage purposes in words, translated ("Digital
 * signature", "Email protection", ...); unknown purposes as their OID. NULL when the
 * certificate has no such extension (any use allowed). Free with g_strfreev. */
char             **cachet_certificate_describe_key_usage          (CachetCertificate *self);
char             **cachet_certificate_describe_extended_key_usage (CachetCertificate *self);

G_END_DECLS
