/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-certificate.c: one X.509 certificate as Cachet shows and uses it.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gnutls/abstract.h>
#include <gnutls/pkcs7.h>

#include "cachet-certificate.h"
#include "cachet-error.h"

struct _CachetCertificate
{
  GObject            parent_instance;

  gnutls_x509_crt_t  cert;
  GBytes            *der;
  char              *name;
  GStrv              addresses;
  char              *subject;
  char              *issuer;
  char              *issuer_name;
  char              *fingerprint;
};

G_DEFINE_FINAL_TYPE (CachetCertificate, cachet_certificate, G_TYPE_OBJECT)

static void
cachet_certificate_finalize (GObject *object)
{
  CachetCertificate *self = CACHET_CERTIFICATE (object);

  g_clear_pointer (&self->cert, gnutls_x509_crt_deinit);
  g_clear_pointer (&self->der, g_bytes_unref);
  g_free (self->name);
  g_strfreev (self->addresses);
  g_free (self->subject);
  g_free (self->issuer);
  g_free (self->issuer_name);
  g_free (self->fingerprint);

  G_OBJECT_CLASS (cachet_certificate_parent_class)->finalize (object);
}

static void
cachet_certificate_class_init (CachetCertificateClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cachet_certificate_finalize;
}

static void
cachet_certificate_init (CachetCertificate *self)
{
}

static char *
read_dn_oid (gnutls_x509_crt_t cert,
             gboolean          issuer,
             const char       *oid)
{
  char buffer[1024];
  size_t size = sizeof buffer;
  int rc;

  if (issuer)
    rc = gnutls_x509_crt_get_issuer_dn_by_oid (cert, oid, 0, 0, buffer, &size);
  else
    rc = gnutls_x509_crt_get_dn_by_oid (cert, oid, 0, 0, buffer, &size);

  if (rc < 0 || !g_utf8_validate (buffer, -1, NULL))
    return NULL;
  return g_strdup (buffer);
}

static char *
read_dn (gnutls_x509_crt_t cert,
         gboolean          issuer)
{
  gnutls_datum_t dn = { NULL, 0 };
  char *result;
  int rc;

  rc = issuer ? gnutls_x509_crt_get_issuer_dn3 (cert, &dn, 0)
              : gnutls_x509_crt_get_dn3 (cert, &dn, 0);
  if (rc < 0)
    return g_strdup ("");

  result = g_utf8_make_valid ((const char *) dn.data, dn.size);
  gnutls_free (dn.data);
  return result;
}

static void
add_address (GPtrArray  *addresses,
             const char *address)
{
  g_autofree char *lower = NULL;

  if (address == NULL || strchr (address, '@') == NULL || !g_utf8_validate (address, -1, NULL))
    return;

  lower = g_utf8_strdown (address, -1);
  for (guint i = 0; i < addresses->len; i++)
    if (g_str_equal (addresses->pdata[i], lower))
      return;

  g_ptr_array_add (addresses, g_steal_pointer (&lower));
}

static GStrv
read_addresses (gnutls_x509_crt_t cert)
{
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);

  for (unsigned int i = 0; ; i++)
    {
      char buffer[1024];
      size_t size = sizeof buffer - 1;
      int type = gnutls_x509_crt_get_subject_alt_name (cert, i, buffer, &size, NULL);

      if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        break;
      if (type == GNUTLS_SAN_RFC822NAME)
        {
          buffer[size] = '\0';
          add_address (addresses, buffer);
        }
      if (type < 0 && type != GNUTLS_E_SHORT_MEMORY_BUFFER)
        break;
    }

  for (unsigned int i = 0; ; i++)
    {
      char buffer[1024];
      size_t size = sizeof buffer;

      if (gnutls_x509_crt_get_dn_by_oid (cert, GNUTLS_OID_PKCS9_EMAIL, i, 0, buffer, &size) < 0)
        break;
      add_address (addresses, buffer);
    }

  g_ptr_array_add (addresses, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&addresses), FALSE);
}

static CachetCertificate *
certificate_new_take (gnutls_x509_crt_t   cert,
                      GError            **error)
{
  CachetCertificate *self;
  gnutls_datum_t der = { NULL, 0 };
  guint8 digest[32];
  size_t digest_size = sizeof digest;

  if (gnutls_x509_crt_export2 (cert, GNUTLS_X509_FMT_DER, &der) < 0 ||
      gnutls_x509_crt_get_fingerprint (cert, GNUTLS_DIG_SHA256, digest, &digest_size) < 0)
    {
      gnutls_free (der.data);
      gnutls_x509_crt_deinit (cert);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("The certificate is damaged or not in a format Cachet understands."));
      return NULL;
    }

  self = g_object_new (CACHET_TYPE_CERTIFICATE, NULL);
  self->cert = cert;
  self->der = g_bytes_new (der.data, der.size);
  gnutls_free (der.data);

  self->fingerprint = g_malloc (digest_size * 2 + 1);
  for (gsize i = 0; i < digest_size; i++)
    g_snprintf (self->fingerprint + 2 * i, 3, "%02x", digest[i]);

  self->addresses = read_addresses (cert);
  self->subject = read_dn (cert, FALSE);
  self->issuer = read_dn (cert, TRUE);
  self->name = read_dn_oid (cert, FALSE, GNUTLS_OID_X520_COMMON_NAME);
  if (self->name == NULL)
    self->name = g_strdup (self->addresses[0] ? self->addresses[0] : self->subject);
  self->issuer_name = read_dn_oid (cert, TRUE, GNUTLS_OID_X520_COMMON_NAME);
  if (self->issuer_name == NULL)
    self->issuer_name = g_strdup (self->issuer);

  return self;
}

CachetCertificate *
cachet_certificate_new_from_der (GBytes  *der,
                                 GError **error)
{
  gnutls_x509_crt_t cert;
  gnutls_datum_t datum;
  gsize size;

  g_return_val_if_fail (der != NULL, NULL);

  datum.data = (unsigned char *) g_bytes_get_data (der, &size);
  datum.size = size;

  gnutls_x509_crt_init (&cert);
  if (gnutls_x509_crt_import (cert, &datum, GNUTLS_X509_FMT_DER) < 0)
    {
      gnutls_x509_crt_deinit (cert);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("The certificate is damaged or not in a format Cachet understands."));
      return NULL;
    }

  return certificate_new_take (cert, error);
}

CachetCertificate *
cachet_certificate_new_from_gnutls (gnutls_x509_crt_t   cert,
                                    GError            **error)
{
  gnutls_datum_t der = { NULL, 0 };
  g_autoptr(GBytes) bytes = NULL;

  if (gnutls_x509_crt_export2 (cert, GNUTLS_X509_FMT_DER, &der) < 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("The certificate is damaged or not in a format Cachet understands."));
      return NULL;
    }

  bytes = g_bytes_new (der.data, der.size);
  gnutls_free (der.data);
  return cachet_certificate_new_from_der (bytes, error);
}

static gboolean
add_from_pkcs7 (GPtrArray            *list,
                const gnutls_datum_t *datum,
                gnutls_x509_crt_fmt_t format)
{
  gnutls_pkcs7_t pkcs7;
  gboolean ok = FALSE;

  gnutls_pkcs7_init (&pkcs7);
  if (gnutls_pkcs7_import (pkcs7, datum, format) >= 0)
    {
      int count = gnutls_pkcs7_get_crt_count (pkcs7);

      for (int i = 0; i < count; i++)
        {
          gnutls_datum_t der = { NULL, 0 };

          if (gnutls_pkcs7_get_crt_raw2 (pkcs7, i, &der) >= 0)
            {
              g_autoptr(GBytes) bytes = g_bytes_new (der.data, der.size);
              CachetCertificate *cert = cachet_certificate_new_from_der (bytes, NULL);

              if (cert)
                g_ptr_array_add (list, cert);
              gnutls_free (der.data);
            }
        }
      ok = list->len > 0;
    }
  gnutls_pkcs7_deinit (pkcs7);
  return ok;
}

GPtrArray *
cachet_certificate_list_from_data (GBytes  *data,
                                   GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);
  gnutls_datum_t datum;
  gsize size;
  const char *text;

  text = g_bytes_get_data (data, &size);
  datum.data = (unsigned char *) text;
  datum.size = size;

  if (size > 0 && g_strstr_len (text, MIN (size, 65536), "-----BEGIN") != NULL)
    {
      gnutls_x509_crt_t *certs = NULL;
      unsigned int count = 0;

      if (gnutls_x509_crt_list_import2 (&certs, &count, &datum, GNUTLS_X509_FMT_PEM, 0) >= 0)
        {
          for (unsigned int i = 0; i < count; i++)
            {
              CachetCertificate *cert = certificate_new_take (certs[i], NULL);
              if (cert)
                g_ptr_array_add (list, cert);
            }
          gnutls_free (certs);
        }
      if (list->len == 0)
        add_from_pkcs7 (list, &datum, GNUTLS_X509_FMT_PEM);
    }
  else if (size > 0)
    {
      CachetCertificate *cert = cachet_certificate_new_from_der (data, NULL);

      if (cert)
        g_ptr_array_add (list, cert);
      else
        add_from_pkcs7 (list, &datum, GNUTLS_X509_FMT_DER);
    }

  if (list->len == 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("No certificate could be read. Use a .pem, .crt, .cer, .der, .p7b or .p7c file."));
      return NULL;
    }

  return g_steal_pointer (&list);
}

GPtrArray *
cachet_certificate_list_from_file (const char  *path,
                                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *display = g_filename_display_name (path);
  GPtrArray *list;
  gsize size;

  if (!g_file_get_contents (path, &contents, &size, &local_error))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                   _("Could not read “%s”: %s"), display, local_error->message);
      return NULL;
    }

  bytes = g_bytes_new_take (g_steal_pointer (&contents), size);
  list = cachet_certificate_list_from_data (bytes, &local_error);
  if (list == NULL)
    g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                 _("“%s” holds no certificate Cachet can read. Use a .pem, .crt, .cer, .der, .p7b or .p7c file."),
                 display);
  return list;
}

gnutls_x509_crt_t
cachet_certificate_get_gnutls (CachetCertificate *self)
{
  g_return_val_if_fail (CACHET_IS_CERTIFICATE (self), NULL);
  return self->cert;
}

GBytes *
cachet_certificate_get_der (CachetCertificate *self)
{
  return self->der;
}

char *
cachet_certificate_to_pem (CachetCertificate *self)
{
  gnutls_datum_t pem = { NULL, 0 };
  char *result;

  if (gnutls_x509_crt_export2 (self->cert, GNUTLS_X509_FMT_PEM, &pem) < 0)
    return NULL;
  result = g_strndup ((const char *) pem.data, pem.size);
  gnutls_free (pem.data);
  return result;
}

const char *
cachet_certificate_get_name (CachetCertificate *self)
{
  return self->name;
}

const char * const *
cachet_certificate_get_addresses (CachetCertificate *self)
{
  return (const char * const *) self->addresses;
}

gboolean
cachet_certificate_has_address (CachetCertificate *self,
                                const char        *address)
{
  g_autofree char *lower = NULL;

  if (address == NULL)
    return FALSE;

  lower = g_utf8_strdown (address, -1);
  return g_strv_contains ((const char * const *) self->addresses, lower);
}

const char *
cachet_certificate_get_subject (CachetCertificate *self)
{
  return self->subject;
}

const char *
cachet_certificate_get_issuer (CachetCertificate *self)
{
  return self->issuer;
}

const char *
cachet_certificate_get_issuer_name (CachetCertificate *self)
{
  return self->issuer_name;
}

const char *
cachet_certificate_get_fingerprint (CachetCertificate *self)
{
  return self->fingerprint;
}

GBytes *
cachet_certificate_get_serial (CachetCertificate *self)
{
  guint8 serial[64];
  size_t size = sizeof serial;

  if (gnutls_x509_crt_get_serial (self->cert, serial, &size) < 0)
    return NULL;
  return g_bytes_new (serial, size);
}

GBytes *
cachet_certificate_get_issuer_der (CachetCertificate *self)
{
  gnutls_datum_t dn = { NULL, 0 };
  GBytes *result;

  if (gnutls_x509_crt_get_raw_issuer_dn (self->cert, &dn) < 0)
    return NULL;
  result = g_bytes_new (dn.data, dn.size);
  gnutls_free (dn.data);
  return result;
}

GBytes *
cachet_certificate_get_subject_key_id (CachetCertificate *self)
{
  guint8 id[128];
  size_t size = sizeof id;
  unsigned int critical;

  if (gnutls_x509_crt_get_subject_key_id (self->cert, id, &size, &critical) < 0)
    return NULL;
  return g_bytes_new (id, size);
}

GDateTime *
cachet_certificate_get_not_before (CachetCertificate *self)
{
  return g_date_time_new_from_unix_utc (gnutls_x509_crt_get_activation_time (self->cert));
}

GDateTime *
cachet_certificate_get_not_after (CachetCertificate *self)
{
  return g_date_time_new_from_unix_utc (gnutls_x509_crt_get_expiration_time (self->cert));
}

gboolean
cachet_certificate_is_valid_at (CachetCertificate *self,
                                GDateTime         *when)
{
  gint64 t = when ? g_date_time_to_unix (when) : g_get_real_time () / G_USEC_PER_SEC;

  return t >= gnutls_x509_crt_get_activation_time (self->cert) &&
         t <= gnutls_x509_crt_get_expiration_time (self->cert);
}

int
cachet_certificate_get_days_left (CachetCertificate *self,
                                  GDateTime         *now)
{
  gint64 t = now ? g_date_time_to_unix (now) : g_get_real_time () / G_USEC_PER_SEC;
  gint64 left = gnutls_x509_crt_get_expiration_time (self->cert) - t;

  return (int) (left >= 0 ? left / 86400 : -((-left + 86399) / 86400));
}

gboolean
cachet_certificate_is_self_signed (CachetCertificate *self)
{
  return gnutls_x509_crt_check_issuer (self->cert, self->cert) != 0;
}

gboolean
cachet_certificate_is_issued_by (CachetCertificate *self,
                                 CachetCertificate *issuer)
{
  /* whether it is trusted, in date or strong enough is asked elsewhere */
  const unsigned int flags = GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
                             GNUTLS_VERIFY_ALLOW_BROKEN | GNUTLS_VERIFY_ALLOW_ANY_X509_V1_CA_CRT;
  unsigned int status = 0;

  g_return_val_if_fail (CACHET_IS_CERTIFICATE (self), FALSE);
  g_return_val_if_fail (CACHET_IS_CERTIFICATE (issuer), FALSE);

  if (!gnutls_x509_crt_check_issuer (self->cert, issuer->cert) ||
      gnutls_x509_crt_verify (self->cert, &issuer->cert, 1, flags, &status) < 0)
    return FALSE;
  return (status & (GNUTLS_CERT_SIGNATURE_FAILURE | GNUTLS_CERT_SIGNER_NOT_FOUND |
                    GNUTLS_CERT_SIGNER_NOT_CA)) == 0;
}

gboolean
cachet_certificate_is_ca (CachetCertificate *self)
{
  unsigned int critical;

  return gnutls_x509_crt_get_ca_status (self->cert, &critical) > 0;
}

CachetKeyUsage
cachet_certificate_get_key_usage (CachetCertificate *self)
{
  unsigned int usage = 0, critical = 0;
  CachetKeyUsage result = 0;

  if (gnutls_x509_crt_get_key_usage (self->cert, &usage, &critical) < 0)
    return CACHET_KEY_USAGE_SIGN | CACHET_KEY_USAGE_ENCRYPT;

  if (usage & (GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_NON_REPUDIATION))
    result |= CACHET_KEY_USAGE_SIGN;
  if (usage & GNUTLS_KEY_KEY_ENCIPHERMENT)
    result |= CACHET_KEY_USAGE_ENCRYPT;
  return result;
}

gboolean
cachet_certificate_allows_email (CachetCertificate *self)
{
  gboolean has_extension = FALSE;

  for (unsigned int i = 0; ; i++)
    {
      char oid[128];
      size_t size = sizeof oid;
      int rc = gnutls_x509_crt_get_key_purpose_oid (self->cert, i, oid, &size, NULL);

      if (rc < 0)
        break;
      has_extension = TRUE;
      if (g_str_equal (oid, GNUTLS_KP_EMAIL_PROTECTION) || g_str_equal (oid, GNUTLS_KP_ANY))
        return TRUE;
    }

  return !has_extension;
}

gnutls_pk_algorithm_t
cachet_certificate_get_key_algorithm (CachetCertificate *self,
                                      guint             *bits)
{
  unsigned int key_bits = 0;
  int algorithm = gnutls_x509_crt_get_pk_algorithm (self->cert, &key_bits);

  if (bits)
    *bits = key_bits;
  return algorithm < 0 ? GNUTLS_PK_UNKNOWN : (gnutls_pk_algorithm_t) algorithm;
}

char *
cachet_certificate_describe_key (CachetCertificate *self)
{
  guint bits = 0;
  gnutls_pk_algorithm_t algorithm = cachet_certificate_get_key_algorithm (self, &bits);

  switch (algorithm)
    {
    case GNUTLS_PK_RSA:
    case GNUTLS_PK_RSA_PSS:
      return g_strdup_printf ("RSA %u", bits);
    case GNUTLS_PK_ECDSA:
      {
        gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
        gnutls_pubkey_t key = cachet_certificate_get_public_key (self, NULL);

        if (key)
          {
            gnutls_pubkey_export_ecc_raw (key, &curve, NULL, NULL);
            gnutls_pubkey_deinit (key);
          }
        if (curve == GNUTLS_ECC_CURVE_SECP256R1)
          return g_strdup ("ECDSA P-256");
        if (curve == GNUTLS_ECC_CURVE_SECP384R1)
          return g_strdup ("ECDSA P-384");
        if (curve == GNUTLS_ECC_CURVE_SECP521R1)
          return g_strdup ("ECDSA P-521");
        return g_strdup_printf ("ECDSA %u", bits);
      }
    default:
      return g_strdup_printf ("%s %u", gnutls_pk_get_name (algorithm), bits);
    }
}

gboolean
cachet_certificate_equal (CachetCertificate *a,
                          CachetCertificate *b)
{
  return g_bytes_equal (a->der, b->der);
}

gnutls_pubkey_t
cachet_certificate_get_public_key (CachetCertificate  *self,
                                   GError            **error)
{
  gnutls_pubkey_t key;

  gnutls_pubkey_init (&key);
  if (gnutls_pubkey_import_x509 (key, self->cert, 0) < 0)
    {
      gnutls_pubkey_deinit (key);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                   _("The public key of “%s” is of a kind Cachet cannot use."), self->name);
      return NULL;
    }
  return key;
}

static gboolean
serials_equal (GBytes *a,
               GBytes *b)
{
  const guint8 *pa, *pb;
  gsize la, lb;

  pa = g_bytes_get_data (a, &la);
  pb = g_bytes_get_data (b, &lb);

  /* ignore leading zero bytes: INTEGER encodings may differ in sign padding */
  while (la > 1 && pa[0] == 0)
    pa++, la--;
  while (lb > 1 && pb[0] == 0)
    pb++, lb--;

  return la == lb && memcmp (pa, pb, la) == 0;
}

gboolean
cachet_certificate_matches_issuer_serial (CachetCertificate *self,
                                          GBytes            *issuer_der,
                                          GBytes            *serial)
{
  g_autoptr(GBytes) own_issuer = cachet_certificate_get_issuer_der (self);
  g_autoptr(GBytes) own_serial = cachet_certificate_get_serial (self);

  if (own_issuer == NULL || own_serial == NULL || issuer_der == NULL || serial == NULL)
    return FALSE;

  return g_bytes_equal (own_issuer, issuer_der) && serials_equal (own_serial, serial);
}

gboolean
cachet_certificate_matches_key_id (CachetCertificate *self,
                                   GBytes            *key_id)
{
  g_autoptr(GBytes) own = cachet_certificate_get_subject_key_id (self);

  return own != NULL && key_id != NULL && g_bytes_equal (own, key_id);
}

char *
cachet_certificate_get_sha1_fingerprint (CachetCertificate *self)
{
  guchar digest[20];
  size_t size = sizeof digest;
  GString *hex;

  g_return_val_if_fail (CACHET_IS_CERTIFICATE (self), NULL);

  if (gnutls_x509_crt_get_fingerprint (self->cert, GNUTLS_DIG_SHA1, digest, &size) < 0)
    return NULL;
  hex = g_string_sized_new (2 * size + 1);
  for (gsize i = 0; i < size; i++)
    g_string_append_printf (hex, "%02x", digest[i]);
  return g_string_free (hex, FALSE);
}

char *
cachet_certificate_get_organization (CachetCertificate *self)
{
  char buffer[512];
  size_t size = sizeof buffer;

  g_return_val_if_fail (CACHET_IS_CERTIFICATE (self), NULL);

  if (gnutls_x509_crt_get_dn_by_oid (self->cert, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, 0,
                                     buffer, &size) < 0 || size == 0)
    return NULL;
  return g_utf8_make_valid (buffer, -1);
}

const char *
cachet_certificate_get_signature_algorithm (CachetCertificate *self)
{
  int algorithm;

  g_return_val_if_fail (CACHET_IS_CERTIFICATE (self), NULL);

  algorithm = gnutls_x509_crt_get_signature_algorithm (self->cert);
  return algorithm < 0 ? NULL : gnutls_sign_get_name (algorithm);
}

char **
cachet_certificate_describe_key_usage (CachetCertificate *self)
{
  static const struct {
    unsigned int bit;
    const char  *words;
  } bits[] = {
    { GNUTLS_KEY_DIGITAL_SIGNATURE, N_("Digital signature") },
    { GNUTLS_KEY_NON_REPUDIATION,   N_("Non-repudiation") },
    { GNUTLS_KEY_KEY_ENCIPHERMENT,  N_("Key encipherment") },
    { GNUTLS_KEY_DATA_ENCIPHERMENT, N_("Data encipherment") },
    { GNUTLS_KEY_KEY_AGREEMENT,     N_("Key agreement") },
    { GNUTLS_KEY_KEY_CERT_SIGN,     N_("Signing certificates") },
    { GNUTLS_KEY_CRL_SIGN,          N_("Signing revocation lists") },
    { GNUTLS_KEY_ENCIPHER_ONLY,     N_("Encipher only") },
    { GNUTLS_KEY_DECIPHER_ONLY,     N_("Decipher only") },
  };
  unsigned int usage = 0, critical = 0;
  GPtrArray *words;

  g_return_val_if_fail (CACHET_IS_CERTIFICATE (self), NULL);

  if (gnutls_x509_crt_get_key_usage (self->cert, &usage, &critical) < 0)
    return NULL;
  words = g_ptr_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (bits); i++)
    if (usage & bits[i].bit)
      g_ptr_array_add (words, g_strdup (_(bits[i].words)));
  g_ptr_array_add (words, NULL);
  return (char **) g_ptr_array_free (words, FALSE);
}

char **
cachet_certificate_describe_extended_key_usage (CachetCertificate *self)
{
  static const struct {
    const char *oid;
    const char *words;
  } purposes[] = {
    { GNUTLS_KP_EMAIL_PROTECTION, N_("Email protection") },
    { GNUTLS_KP_TLS_WWW_CLIENT,   N_("Identifying a person to servers") },
    { GNUTLS_KP_TLS_WWW_SERVER,   N_("Identifying web servers") },
    { GNUTLS_KP_CODE_SIGNING,     N_("Signing software") },
    { GNUTLS_KP_TIME_STAMPING,    N_("Time stamping") },
    { GNUTLS_KP_OCSP_SIGNING,     N_("Signing revocation answers (OCSP)") },
    { GNUTLS_KP_ANY,              N_("Any purpose") },
  };
  GPtrArray *words = g_ptr_array_new ();

  g_return_val_if_fail (CACHET_IS_CERTIFICATE (self), NULL);

  for (unsigned int i = 0; ; i++)
    {
      char oid[128];
      size_t size = sizeof oid;
      const char *known = NULL;

      if (gnutls_x509_crt_get_key_purpose_oid (self->cert, i, oid, &size, NULL) < 0)
        break;
      for (guint p = 0; p < G_N_ELEMENTS (purposes) && known == NULL; p++)
        if (g_str_equal (oid, purposes[p].oid))
          known = _(purposes[p].words);
      g_ptr_array_add (words, g_strdup (known ? known : oid));
    }
  if (words->len == 0)
    {
      g_ptr_array_free (words, TRUE);
      return NULL;
    }
  g_ptr_array_add (words, NULL);
  return (char **) g_ptr_array_free (words, FALSE);
}
