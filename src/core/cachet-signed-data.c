/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-signed-data.c: CMS SignedData writer and streaming reader (see the header).
 *
 * Small pieces (SignerInfo, attributes, algorithm identifiers) go through libtasn1 with the
 * module in cachet-cms.asn; the outer layers are written and read by hand with cachet-ber so
 * that content of any size streams. Every cryptographic operation is GnuTLS's.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "cachet-asn1.h"
#include "cachet-ber.h"
#include "cachet-digest-stream.h"
#include "cachet-error.h"
#include "cachet-limits.h"
#include "cachet-signed-data.h"
#include "cachet-store.h"
#include "cachet-trust.h"

#define CHUNK_SIZE (64 * 1024)

/* DER of the two content type OIDs Cachet writes. */
static const guint8 oid_data_der[] = { 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01 };
static const guint8 oid_signed_data_der[] = { 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02 };

#define OID_EC_PUBLIC_KEY "1.2.840.10045.2.1"
#define OID_RSASSA_PSS    "1.2.840.113549.1.1.10"

/* Digest names */

gnutls_digest_algorithm_t
_cachet_digest_from_name (const char *name)
{
  if (name == NULL)
    return GNUTLS_DIG_SHA256;
  if (g_ascii_strcasecmp (name, "sha256") == 0 || g_ascii_strcasecmp (name, "sha-256") == 0)
    return GNUTLS_DIG_SHA256;
  if (g_ascii_strcasecmp (name, "sha384") == 0 || g_ascii_strcasecmp (name, "sha-384") == 0)
    return GNUTLS_DIG_SHA384;
  if (g_ascii_strcasecmp (name, "sha512") == 0 || g_ascii_strcasecmp (name, "sha-512") == 0)
    return GNUTLS_DIG_SHA512;
  return GNUTLS_DIG_UNKNOWN;
}

const char *
_cachet_digest_to_name (gnutls_digest_algorithm_t digest)
{
  switch (digest)
    {
    case GNUTLS_DIG_MD5: return "md5";
    case GNUTLS_DIG_SHA1: return "sha1";
    case GNUTLS_DIG_SHA224: return "sha224";
    case GNUTLS_DIG_SHA256: return "sha256";
    case GNUTLS_DIG_SHA384: return "sha384";
    case GNUTLS_DIG_SHA512: return "sha512";
    default: return "unknown";
    }
}

static gboolean
digest_is_weak (gnutls_digest_algorithm_t digest)
{
  return digest == GNUTLS_DIG_MD5 || digest == GNUTLS_DIG_SHA1 || digest == GNUTLS_DIG_MD2;
}

/* Small DER helpers */

/* Parses one definite-length TLV at DATA; FALSE when it does not fit. */
static gboolean
der_parse (const guint8  *data,
           gsize          size,
           guint8        *tag,
           const guint8 **content,
           gsize         *content_size,
           gsize         *total)
{
  gsize i = 2, length;

  if (size < 2 || (data[0] & 0x1F) == 0x1F)
    return FALSE;
  *tag = data[0];
  length = data[1];
  if (length & 0x80)
    {
      guint count = length & 0x7F;

      if (count == 0 || count > 4 || size < 2 + count)
        return FALSE;
      length = 0;
      for (guint n = 0; n < count; n++)
        length = (length << 8) | data[i++];
    }
  if (length > size - i)
    return FALSE;

  *content = data + i;
  *content_size = length;
  if (total)
    *total = i + length;
  return TRUE;
}

static void
append_tlv (GByteArray   *array,
            guint8        tag_class,
            gboolean      constructed,
            guint32       tag,
            const guint8 *data,
            gsize         size)
{
  cachet_ber_append_header (array, tag_class, constructed, tag, size);
  g_byte_array_append (array, data, size);
}

static GBytes *
encode_oid (const char  *oid,
            GError     **error)
{
  g_auto(asn1_node) node = _cachet_asn1_create ("CachetCMS.ContentType");

  if (asn1_write_value (node, "", oid, 1) != ASN1_SUCCESS)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
                   "Internal error: cannot encode the object identifier %s.", oid);
      return NULL;
    }
  return _cachet_asn1_encode (node, "", error);
}

static GBytes *
encode_algorithm (const char  *oid,
                  gboolean     null_parameters,
                  GError     **error)
{
  g_auto(asn1_node) node = _cachet_asn1_create ("CachetCMS.AlgorithmIdentifier");

  if (asn1_write_value (node, "algorithm", oid, 1) != ASN1_SUCCESS)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
                   "Internal error: cannot encode the algorithm %s.", oid);
      return NULL;
    }
  if (null_parameters)
    asn1_write_value (node, "parameters", "\x05\x00", 2);
  else
    asn1_write_value (node, "parameters", NULL, 0);
  return _cachet_asn1_encode (node, "", error);
}

static int
compare_bytes_der (gconstpointer a,
                   gconstpointer b)
{
  GBytes *x = *(GBytes **) a, *y = *(GBytes **) b;
  gsize xs, ys;
  const guint8 *xd = g_bytes_get_data (x, &xs), *yd = g_bytes_get_data (y, &ys);
  int c = memcmp (xd, yd, MIN (xs, ys));

  if (c != 0)
    return c;
  return xs < ys ? -1 : xs > ys;
}

/* Writing */

static gboolean
write_attribute (asn1_node   info,
                 const char *oid,
                 GBytes     *value)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (value, &size);

  return asn1_write_value (info, "signedAttrs", "NEW", 1) == ASN1_SUCCESS &&
         asn1_write_value (info, "signedAttrs.?LAST.attrType", oid, 1) == ASN1_SUCCESS &&
         asn1_write_value (info, "signedAttrs.?LAST.attrValues", "NEW", 1) == ASN1_SUCCESS &&
         asn1_write_value (info, "signedAttrs.?LAST.attrValues.?LAST", data, size) == ASN1_SUCCESS;
}

static GBytes *
encode_capabilities (GError **error)
{
  /* What Cachet can decrypt, best first (RFC 8551 2.5.2). */
  static const char * const capabilities[] = {
    CACHET_OID_AES256_GCM, CACHET_OID_AES128_GCM, CACHET_OID_AES256_CBC, CACHET_OID_AES128_CBC,
  };
  g_auto(asn1_node) node = _cachet_asn1_create ("CachetCMS.SMIMECapabilities");

  for (guint i = 0; i < G_N_ELEMENTS (capabilities); i++)
    {
      asn1_write_value (node, "", "NEW", 1);
      asn1_write_value (node, "?LAST.capabilityID", capabilities[i], 1);
      asn1_write_value (node, "?LAST.parameters", NULL, 0);
    }
  return _cachet_asn1_encode (node, "", error);
}

static GBytes *
encode_signing_time (GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_auto(asn1_node) node = _cachet_asn1_create ("CachetCMS.Time");
  g_autofree char *text = NULL;
  int year = g_date_time_get_year (now);

  /* UTCTime for 1950-2049, GeneralizedTime after (RFC 5652 11.3). */
  if (year >= 1950 && year < 2050)
    {
      text = g_date_time_format (now, "%y%m%d%H%M%SZ");
      asn1_write_value (node, "", "utcTime", 1);
      asn1_write_value (node, "utcTime", text, strlen (text));
    }
  else
    {
      text = g_date_time_format (now, "%Y%m%d%H%M%SZ");
      asn1_write_value (node, "", "generalTime", 1);
      asn1_write_value (node, "generalTime", text, strlen (text));
    }
  return _cachet_asn1_encode (node, "", error);
}

static gboolean
get_issuer_and_serial (gnutls_x509_crt_t   crt,
                       gnutls_datum_t     *issuer,
                       guint8             *serial,
                       size_t             *serial_size,
                       GError            **error)
{
  if (gnutls_x509_crt_get_raw_issuer_dn (crt, issuer) < 0 ||
      gnutls_x509_crt_get_serial (crt, serial, serial_size) < 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("The signing certificate cannot be read. Check the certificate file."));
      return FALSE;
    }
  return TRUE;
}

static GBytes *
encode_key_preference (gnutls_x509_crt_t   crt,
                       GError            **error)
{
  g_auto(asn1_node) node = _cachet_asn1_create ("CachetCMS.SMIMEEncryptionKeyPreference");
  gnutls_datum_t issuer = { NULL, 0 };
  guint8 serial[64];
  size_t serial_size = sizeof serial;
  GBytes *result;

  if (!get_issuer_and_serial (crt, &issuer, serial, &serial_size, error))
    return NULL;

  asn1_write_value (node, "", "issuerAndSerialNumber", 1);
  asn1_write_value (node, "issuerAndSerialNumber.issuer", issuer.data, issuer.size);
  asn1_write_value (node, "issuerAndSerialNumber.serialNumber", serial, serial_size);
  gnutls_free (issuer.data);

  result = _cachet_asn1_encode (node, "", error);
  return result;
}

/* Builds and signs the SignerInfo for DIGEST_VALUE; returns its DER. */
static GBytes *
build_signer_info (CachetCredentials         *credentials,
                   gnutls_digest_algorithm_t  digest,
                   GBytes                    *digest_value,
                   GError                   **error)
{
  CachetCertificate *certificate = cachet_credentials_get_certificate (credentials);
  gnutls_x509_crt_t crt = cachet_certificate_get_gnutls (certificate);
  gnutls_privkey_t key = cachet_credentials_get_private_key (credentials);
  g_auto(asn1_node) info = _cachet_asn1_create ("CachetCMS.SignerInfo");
  g_auto(asn1_node) decoded = NULL;
  g_autoptr(GBytes) content_type = NULL, signing_time = NULL, message_digest = NULL;
  g_autoptr(GBytes) capabilities = NULL, preference = NULL, draft = NULL, attributes = NULL;
  g_autoptr(GByteArray) to_sign = NULL;
  gnutls_datum_t issuer = { NULL, 0 }, data, signature = { NULL, 0 };
  guint8 serial[64];
  size_t serial_size = sizeof serial;
  gnutls_pk_algorithm_t pk = gnutls_privkey_get_pk_algorithm (key, NULL);
  const char *digest_oid = gnutls_digest_get_oid (digest);
  const char *signature_oid;
  gsize size;
  const guint8 *bytes;
  int rc;

  if (digest_oid == NULL)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                   _("Cachet cannot sign with this digest algorithm. Use SHA-256, SHA-384 or SHA-512."));
      return NULL;
    }

  if (pk == GNUTLS_PK_RSA)
    signature_oid = CACHET_OID_RSA_ENCRYPTION;
  else if (pk == GNUTLS_PK_ECDSA)
    signature_oid = gnutls_sign_get_oid (gnutls_pk_to_sign (GNUTLS_PK_ECDSA, digest));
  else
    signature_oid = NULL;
  if (signature_oid == NULL)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                   _("Cachet can only sign with RSA or ECDSA keys. Use a certificate with such a key."));
      return NULL;
    }

  if (!get_issuer_and_serial (crt, &issuer, serial, &serial_size, error))
    return NULL;

  asn1_write_value (info, "version", "1", 0);
  asn1_write_value (info, "sid", "issuerAndSerialNumber", 1);
  asn1_write_value (info, "sid.issuerAndSerialNumber.issuer", issuer.data, issuer.size);
  asn1_write_value (info, "sid.issuerAndSerialNumber.serialNumber", serial, serial_size);
  gnutls_free (issuer.data);
  asn1_write_value (info, "digestAlgorithm.algorithm", digest_oid, 1);
  asn1_write_value (info, "digestAlgorithm.parameters", NULL, 0);

  content_type = g_bytes_new_static (oid_data_der, sizeof oid_data_der);
  bytes = g_bytes_get_data (digest_value, &size);
  {
    g_autoptr(GByteArray) octets = g_byte_array_new ();

    append_tlv (octets, CACHET_BER_CLASS_UNIVERSAL, FALSE, CACHET_BER_TAG_OCTET_STRING, bytes, size);
    message_digest = g_byte_array_free_to_bytes (g_steal_pointer (&octets));
  }
  if (!(signing_time = encode_signing_time (error)) ||
      !(capabilities = encode_capabilities (error)))
    return NULL;

  if (!write_attribute (info, CACHET_OID_CONTENT_TYPE, content_type) ||
      !write_attribute (info, CACHET_OID_SIGNING_TIME, signing_time) ||
      !write_attribute (info, CACHET_OID_MESSAGE_DIGEST, message_digest) ||
      !write_attribute (info, CACHET_OID_SMIME_CAPABILITIES, capabilities))
    goto internal;

  /* Tell peers which certificate to encrypt to: this one, when it can receive keys. */
  if (pk == GNUTLS_PK_RSA &&
      (cachet_certificate_get_key_usage (certificate) & CACHET_KEY_USAGE_ENCRYPT))
    {
      if (!(preference = encode_key_preference (crt, error)))
        return NULL;
      if (!write_attribute (info, CACHET_OID_ENCRYPTION_KEY_PREF, preference))
        goto internal;
    }

  asn1_write_value (info, "signatureAlgorithm.algorithm", signature_oid, 1);
  if (pk == GNUTLS_PK_RSA)
    asn1_write_value (info, "signatureAlgorithm.parameters", "\x05\x00", 2);
  else
    asn1_write_value (info, "signatureAlgorithm.parameters", NULL, 0);
  asn1_write_value (info, "signature", "\0", 1);
  asn1_write_value (info, "unsignedAttrs", NULL, 0);

  /* Encode once to get the exact DER of the signed attributes, which is what gets signed
   * (with the SET OF tag 0x31 instead of the implicit [0], RFC 5652 5.4). */
  if (!(draft = _cachet_asn1_encode (info, "", error)))
    return NULL;
  bytes = g_bytes_get_data (draft, &size);
  if (!(decoded = _cachet_asn1_decode ("CachetCMS.SignerInfo", bytes, size, _("The signature"), error)))
    return NULL;
  if (!(attributes = _cachet_asn1_raw_element (decoded, bytes, size, "signedAttrs")))
    goto internal;

  bytes = g_bytes_get_data (attributes, &size);
  to_sign = g_byte_array_new ();
  g_byte_array_append (to_sign, bytes, size);
  to_sign->data[0] = 0x31;

  data.data = to_sign->data;
  data.size = to_sign->len;
  rc = gnutls_privkey_sign_data (key, digest, 0, &data, &signature);
  if (rc < 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
                   _("The private key could not sign (%s). Check that the key matches the certificate."),
                   gnutls_strerror (rc));
      return NULL;
    }
  rc = asn1_write_value (info, "signature", signature.data, signature.size);
  gnutls_free (signature.data);
  if (rc != ASN1_SUCCESS)
    goto internal;

  return _cachet_asn1_encode (info, "", error);

internal:
  g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
               "Internal error while building the signature's attributes.");
  return NULL;
}

/* The SignedData fields before encapContentInfo: version and digestAlgorithms. */
static gboolean
append_signed_data_start (GByteArray                *array,
                          gnutls_digest_algorithm_t  digest,
                          GError                   **error)
{
  static const guint8 version[] = { 0x02, 0x01, 0x01 };
  g_autoptr(GBytes) algorithm = encode_algorithm (gnutls_digest_get_oid (digest), FALSE, error);
  gsize size;
  const guint8 *data;

  if (algorithm == NULL)
    return FALSE;

  data = g_bytes_get_data (algorithm, &size);
  g_byte_array_append (array, version, sizeof version);
  append_tlv (array, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SET, data, size);
  return TRUE;
}

/* The SignedData fields after encapContentInfo: certificates and signerInfos. */
static void
append_signed_data_end (GByteArray        *array,
                        CachetCredentials *credentials,
                        GBytes            *signer_info)
{
  g_autoptr(GPtrArray) certificates = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GByteArray) set = g_byte_array_new ();
  GPtrArray *chain = cachet_credentials_get_chain (credentials);
  gsize size;
  const guint8 *data;

  g_ptr_array_add (certificates,
                   g_bytes_ref (cachet_certificate_get_der (cachet_credentials_get_certificate (credentials))));
  for (guint i = 0; chain && i < chain->len; i++)
    {
      CachetCertificate *certificate = g_ptr_array_index (chain, i);

      /* the root adds nothing: the verifier must have it already */
      if (!cachet_certificate_is_self_signed (certificate))
        g_ptr_array_add (certificates, g_bytes_ref (cachet_certificate_get_der (certificate)));
    }
  g_ptr_array_sort (certificates, compare_bytes_der);
  for (guint i = 0; i < certificates->len; i++)
    {
      data = g_bytes_get_data (g_ptr_array_index (certificates, i), &size);
      g_byte_array_append (set, data, size);
    }
  append_tlv (array, CACHET_BER_CLASS_CONTEXT, TRUE, 0, set->data, set->len);

  data = g_bytes_get_data (signer_info, &size);
  append_tlv (array, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SET, data, size);
}

gboolean
_cachet_signed_data_write_detached (CachetCredentials         *credentials,
                                    gnutls_digest_algorithm_t  digest,
                                    GBytes                    *digest_value,
                                    GMimeStream               *output,
                                    GError                   **error)
{
  g_autoptr(GBytes) signer_info = NULL;
  g_autoptr(GByteArray) signed_data = g_byte_array_new ();
  g_autoptr(GByteArray) explicit = g_byte_array_new ();
  g_autoptr(GByteArray) content_info = g_byte_array_new ();
  g_autoptr(GByteArray) encap = g_byte_array_new ();

  g_return_val_if_fail (CACHET_IS_CREDENTIALS (credentials), FALSE);

  if (!(signer_info = build_signer_info (credentials, digest, digest_value, error)))
    return FALSE;

  if (!append_signed_data_start (signed_data, digest, error))
    return FALSE;
  append_tlv (signed_data, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SEQUENCE,
              oid_data_der, sizeof oid_data_der);
  append_signed_data_end (signed_data, credentials, signer_info);

  append_tlv (explicit, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SEQUENCE,
              signed_data->data, signed_data->len);
  g_byte_array_append (encap, oid_signed_data_der, sizeof oid_signed_data_der);
  append_tlv (encap, CACHET_BER_CLASS_CONTEXT, TRUE, 0, explicit->data, explicit->len);
  append_tlv (content_info, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SEQUENCE,
              encap->data, encap->len);

  return cachet_ber_write_bytes (output, content_info->data, content_info->len, error);
}

gboolean
_cachet_signed_data_sign_stream (CachetCredentials         *credentials,
                                 gnutls_digest_algorithm_t  digest,
                                 GMimeStream               *content,
                                 gboolean                   embed,
                                 GMimeStream               *output,
                                 GCancellable              *cancellable,
                                 GError                   **error)
{
  g_autoptr(GMimeStream) hasher = cachet_digest_stream_new (NULL);
  g_autoptr(GByteArray) head = g_byte_array_new ();
  g_autoptr(GByteArray) tail = g_byte_array_new ();
  g_autoptr(GBytes) digest_value = NULL, signer_info = NULL;
  g_autofree guint8 *buffer = NULL;

  if (!cachet_digest_stream_add_algorithm (CACHET_DIGEST_STREAM (hasher), digest))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                   _("Cachet cannot sign with this digest algorithm. Use SHA-256, SHA-384 or SHA-512."));
      return FALSE;
    }

  if (!embed)
    {
      if (!cachet_digest_stream_absorb (CACHET_DIGEST_STREAM (hasher), content, cancellable, error))
        return FALSE;
      digest_value = cachet_digest_stream_get_digest (CACHET_DIGEST_STREAM (hasher), digest);
      return _cachet_signed_data_write_detached (credentials, digest, digest_value, output, error);
    }

  /* Opaque: ContentInfo, [0], SignedData, encapContentInfo, [0] and the OCTET STRING are all
   * indefinite, so the content streams into the output as it is hashed. */
  cachet_ber_append_header (head, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SEQUENCE, -1);
  g_byte_array_append (head, oid_signed_data_der, sizeof oid_signed_data_der);
  cachet_ber_append_header (head, CACHET_BER_CLASS_CONTEXT, TRUE, 0, -1);
  cachet_ber_append_header (head, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SEQUENCE, -1);
  if (!append_signed_data_start (head, digest, error))
    return FALSE;
  cachet_ber_append_header (head, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SEQUENCE, -1);
  g_byte_array_append (head, oid_data_der, sizeof oid_data_der);
  cachet_ber_append_header (head, CACHET_BER_CLASS_CONTEXT, TRUE, 0, -1);
  cachet_ber_append_header (head, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_OCTET_STRING, -1);
  if (!cachet_ber_write_bytes (output, head->data, head->len, error))
    return FALSE;

  buffer = g_malloc (CHUNK_SIZE);
  for (;;)
    {
      ssize_t n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      n = g_mime_stream_read (content, (char *) buffer, CHUNK_SIZE);
      if (n < 0)
        {
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                       _("Reading the content to sign failed."));
          return FALSE;
        }
      if (n == 0)
        break;
      if (g_mime_stream_write (hasher, (const char *) buffer, n) != n ||
          !cachet_ber_write_header (output, CACHET_BER_CLASS_UNIVERSAL, FALSE,
                                    CACHET_BER_TAG_OCTET_STRING, n, error) ||
          !cachet_ber_write_bytes (output, buffer, n, error))
        {
          if (error && *error == NULL)
            g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO, _("Writing the signature failed."));
          return FALSE;
        }
    }

  /* end of OCTET STRING, [0], encapContentInfo */
  for (int i = 0; i < 3; i++)
    if (!cachet_ber_write_end (output, error))
      return FALSE;

  digest_value = cachet_digest_stream_get_digest (CACHET_DIGEST_STREAM (hasher), digest);
  if (!(signer_info = build_signer_info (credentials, digest, digest_value, error)))
    return FALSE;
  append_signed_data_end (tail, credentials, signer_info);
  if (!cachet_ber_write_bytes (output, tail->data, tail->len, error))
    return FALSE;

  /* end of SignedData, [0], ContentInfo */
  for (int i = 0; i < 3; i++)
    if (!cachet_ber_write_end (output, error))
      return FALSE;

  if (g_mime_stream_flush (output) < 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO, _("Writing the signature failed."));
      return FALSE;
    }
  return TRUE;
}

/* Reading */

typedef struct {
  GBytes   *raw;
  asn1_node node;
} SignerInfo;

struct _CachetSignedData
{
  GMimeStream *hasher;          /* CachetDigestStream */
  GArray      *digests;         /* gnutls_digest_algorithm_t from digestAlgorithms */
  GBytes      *content_type;    /* DER of eContentType */
  gboolean     has_content;
  GPtrArray   *certificates;    /* CachetCertificate */
  GArray      *signer_infos;    /* SignerInfo */
  gboolean     detached_stream_given;
};

static void
signer_info_clear (SignerInfo *info)
{
  g_clear_pointer (&info->raw, g_bytes_unref);
  asn1_delete_structure (&info->node);
}

void
_cachet_signed_data_free (CachetSignedData *signed_data)
{
  if (signed_data == NULL)
    return;
  g_clear_object (&signed_data->hasher);
  g_clear_pointer (&signed_data->digests, g_array_unref);
  g_clear_pointer (&signed_data->content_type, g_bytes_unref);
  g_clear_pointer (&signed_data->certificates, g_ptr_array_unref);
  g_clear_pointer (&signed_data->signer_infos, g_array_unref);
  g_free (signed_data);
}

static gboolean
not_signed_data (GError **error)
{
  g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
               _("The signature is not a CMS SignedData structure. Check that the file is an S/MIME signature."));
  return FALSE;
}

static gboolean
hash_chunk (const guint8  *data,
            gsize          size,
            gpointer       user_data,
            GError       **error)
{
  GMimeStream *hasher = user_data;

  if (g_mime_stream_write (hasher, (const char *) data, size) != (ssize_t) size)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                   _("Writing the signed content failed."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_digest_algorithms (CachetSignedData  *signed_data,
                        GBytes            *set,
                        GError           **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (set, &size);
  g_auto(asn1_node) node = _cachet_asn1_decode ("CachetCMS.DigestAlgorithmIdentifiers",
                                                data, size, _("The signature"), error);

  if (node == NULL)
    return FALSE;

  for (int i = 1; i <= 16; i++)
    {
      g_autofree char *name = g_strdup_printf ("?%d.algorithm", i);
      g_autofree char *oid = _cachet_asn1_read_oid (node, name);
      gnutls_digest_algorithm_t digest;

      if (oid == NULL)
        break;
      digest = gnutls_oid_to_digest (oid);
      if (digest != GNUTLS_DIG_UNKNOWN)
        g_array_append_val (signed_data->digests, digest);
    }
  return TRUE;
}

static void
add_hashes (CachetSignedData *signed_data)
{
  for (guint i = 0; i < signed_data->digests->len; i++)
    cachet_digest_stream_add_algorithm (CACHET_DIGEST_STREAM (signed_data->hasher),
                                        g_array_index (signed_data->digests,
                                                       gnutls_digest_algorithm_t, i));
}

CachetSignedData *
_cachet_signed_data_read (GMimeStream   *input,
                          GMimeStream   *content_sink,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(CachetSignedData) signed_data = g_new0 (CachetSignedData, 1);
  g_autoptr(CachetBerReader) reader = cachet_ber_reader_new (input, _("The signature"), cancellable);
  g_autoptr(GBytes) oid = NULL, version = NULL, set = NULL;
  CachetBerHeader header;
  gboolean is = FALSE, at_end;
  gsize size;
  const guint8 *data;

  signed_data->digests = g_array_new (FALSE, FALSE, sizeof (gnutls_digest_algorithm_t));
  signed_data->certificates = g_ptr_array_new_with_free_func (g_object_unref);
  signed_data->signer_infos = g_array_new (FALSE, TRUE, sizeof (SignerInfo));
  g_array_set_clear_func (signed_data->signer_infos, (GDestroyNotify) signer_info_clear);
  signed_data->hasher = cachet_digest_stream_new (content_sink);

  /* ContentInfo */
  if (!cachet_ber_reader_read_header (reader, &header, error))
    return NULL;
  if (header.tag_class != CACHET_BER_CLASS_UNIVERSAL || header.tag != CACHET_BER_TAG_SEQUENCE ||
      !header.constructed)
    return not_signed_data (error), NULL;
  if (!cachet_ber_reader_enter (reader, &header, error))
    return NULL;
  if (!(oid = cachet_ber_reader_read_next (reader, error)))
    return NULL;
  data = g_bytes_get_data (oid, &size);
  if (size != sizeof oid_signed_data_der || memcmp (data, oid_signed_data_der, size) != 0)
    return not_signed_data (error), NULL;

  if (!cachet_ber_reader_expect (reader, &header, CACHET_BER_CLASS_CONTEXT, TRUE, 0, error) ||
      !cachet_ber_reader_enter (reader, &header, error) ||
      !cachet_ber_reader_expect (reader, &header, CACHET_BER_CLASS_UNIVERSAL, TRUE,
                                 CACHET_BER_TAG_SEQUENCE, error) ||
      !cachet_ber_reader_enter (reader, &header, error))
    return NULL;

  /* version, digestAlgorithms */
  if (!cachet_ber_reader_expect (reader, &header, CACHET_BER_CLASS_UNIVERSAL, FALSE,
                                 CACHET_BER_TAG_INTEGER, error) ||
      !(version = cachet_ber_reader_read_element (reader, &header, FALSE, error)))
    return NULL;
  if (!(set = cachet_ber_reader_read_next (reader, error)))
    return NULL;
  if (!read_digest_algorithms (signed_data, set, error))
    return NULL;
  add_hashes (signed_data);

  /* encapContentInfo */
  if (!cachet_ber_reader_expect (reader, &header, CACHET_BER_CLASS_UNIVERSAL, TRUE,
                                 CACHET_BER_TAG_SEQUENCE, error) ||
      !cachet_ber_reader_enter (reader, &header, error))
    return NULL;
  if (!(signed_data->content_type = cachet_ber_reader_read_next (reader, error)))
    return NULL;
  if (!cachet_ber_reader_at_end (reader, &at_end, error))
    return NULL;
  if (!at_end)
    {
      CachetBerHeader octets;

      if (!cachet_ber_reader_expect (reader, &header, CACHET_BER_CLASS_CONTEXT, TRUE, 0, error) ||
          !cachet_ber_reader_enter (reader, &header, error) ||
          !cachet_ber_reader_read_header (reader, &octets, error))
        return NULL;
      if (octets.tag_class != CACHET_BER_CLASS_UNIVERSAL || octets.tag != CACHET_BER_TAG_OCTET_STRING)
        return not_signed_data (error), NULL;
      if (!cachet_ber_reader_stream_octets (reader, &octets, hash_chunk, signed_data->hasher, error) ||
          !cachet_ber_reader_leave (reader, error))
        return NULL;
      signed_data->has_content = TRUE;
    }
  if (!cachet_ber_reader_leave (reader, error))
    return NULL;

  /* certificates [0] */
  if (!cachet_ber_reader_peek_is (reader, CACHET_BER_CLASS_CONTEXT, 0, &is, error))
    return NULL;
  if (is)
    {
      if (!cachet_ber_reader_read_header (reader, &header, error) ||
          !cachet_ber_reader_enter (reader, &header, error))
        return NULL;
      for (;;)
        {
          g_autoptr(GBytes) der = NULL;
          g_autoptr(CachetCertificate) certificate = NULL;

          if (!cachet_ber_reader_at_end (reader, &at_end, error))
            return NULL;
          if (at_end)
            break;
          if (signed_data->certificates->len >= CACHET_LIMIT_CERTIFICATES)
            {
              g_set_error (error, CACHET_ERROR, CACHET_ERROR_TOO_LARGE,
                           _("The signature carries too many certificates to be checked safely."));
              return NULL;
            }
          if (!(der = cachet_ber_reader_read_next (reader, error)))
            return NULL;
          /* only X.509 certificates (a SEQUENCE); attribute certificates are skipped */
          data = g_bytes_get_data (der, &size);
          if (size > 0 && data[0] == 0x30)
            certificate = cachet_certificate_new_from_der (der, NULL);
          if (certificate != NULL)
            g_ptr_array_add (signed_data->certificates, g_steal_pointer (&certificate));
        }
      if (!cachet_ber_reader_leave (reader, error))
        return NULL;
    }

  /* crls [1]: not used */
  if (!cachet_ber_reader_peek_is (reader, CACHET_BER_CLASS_CONTEXT, 1, &is, error))
    return NULL;
  if (is)
    {
      if (!cachet_ber_reader_read_header (reader, &header, error) ||
          !cachet_ber_reader_skip (reader, &header, error))
        return NULL;
    }

  /* signerInfos */
  if (!cachet_ber_reader_expect (reader, &header, CACHET_BER_CLASS_UNIVERSAL, TRUE,
                                 CACHET_BER_TAG_SET, error) ||
      !cachet_ber_reader_enter (reader, &header, error))
    return NULL;
  for (;;)
    {
      SignerInfo info = { NULL, NULL };

      if (!cachet_ber_reader_at_end (reader, &at_end, error))
        return NULL;
      if (at_end)
        break;
      if (signed_data->signer_infos->len >= CACHET_LIMIT_SIGNERS)
        {
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_TOO_LARGE,
                       _("The signature has too many signers to be checked safely."));
          return NULL;
        }
      if (!(info.raw = cachet_ber_reader_read_next (reader, error)))
        return NULL;
      data = g_bytes_get_data (info.raw, &size);
      /* A SignerInfo that libtasn1 cannot decode stays (node NULL) and is reported bad. */
      info.node = _cachet_asn1_decode ("CachetCMS.SignerInfo", data, size, _("The signature"), NULL);
      g_array_append_val (signed_data->signer_infos, info);
    }
  if (!cachet_ber_reader_leave (reader, error) ||   /* signerInfos */
      !cachet_ber_reader_leave (reader, error) ||   /* SignedData */
      !cachet_ber_reader_leave (reader, error) ||   /* [0] */
      !cachet_ber_reader_leave (reader, error))     /* ContentInfo */
    return NULL;

  return g_steal_pointer (&signed_data);
}

gboolean
_cachet_signed_data_has_content (CachetSignedData *signed_data)
{
  return signed_data->has_content;
}

guint
_cachet_signed_data_get_n_signers (CachetSignedData *signed_data)
{
  return signed_data->signer_infos->len;
}

GPtrArray *
_cachet_signed_data_get_certificates (CachetSignedData *signed_data)
{
  return signed_data->certificates;
}

GMimeStream *
_cachet_signed_data_get_content_stream (CachetSignedData *signed_data)
{
  if (!signed_data->detached_stream_given)
    {
      /* A fresh hasher with every algorithm the signers name, announced or not. */
      g_clear_object (&signed_data->hasher);
      signed_data->hasher = cachet_digest_stream_new (NULL);
      add_hashes (signed_data);
      for (guint i = 0; i < signed_data->signer_infos->len; i++)
        {
          SignerInfo *info = &g_array_index (signed_data->signer_infos, SignerInfo, i);
          g_autofree char *oid = info->node ? _cachet_asn1_read_oid (info->node, "digestAlgorithm.algorithm") : NULL;
          gnutls_digest_algorithm_t digest = oid ? gnutls_oid_to_digest (oid) : GNUTLS_DIG_UNKNOWN;

          if (digest != GNUTLS_DIG_UNKNOWN)
            cachet_digest_stream_add_algorithm (CACHET_DIGEST_STREAM (signed_data->hasher), digest);
        }
      signed_data->detached_stream_given = TRUE;
    }
  return signed_data->hasher;
}

gboolean
_cachet_signed_data_sniff (const guint8 *data,
                           gsize         size,
                           const char   *oid)
{
  g_autoptr(GBytes) expected = encode_oid (oid, NULL);
  gsize expected_size, i = 2;
  const guint8 *expected_data;

  if (expected == NULL || size < 4 || data[0] != 0x30)
    return FALSE;
  if (data[1] & 0x80)
    i += data[1] & 0x7F;
  expected_data = g_bytes_get_data (expected, &expected_size);
  return size >= i + expected_size && memcmp (data + i, expected_data, expected_size) == 0;
}

/* Verification */

static gboolean
certificate_matches_issuer_serial (CachetCertificate *certificate,
                                   GBytes            *issuer,
                                   GBytes            *serial)
{
  gnutls_x509_crt_t crt = cachet_certificate_get_gnutls (certificate);
  gnutls_datum_t dn = { NULL, 0 };
  guint8 own_serial[64];
  size_t own_size = sizeof own_serial;
  gsize issuer_size, serial_size;
  const guint8 *issuer_data = g_bytes_get_data (issuer, &issuer_size);
  const guint8 *serial_data = g_bytes_get_data (serial, &serial_size);
  const guint8 *own = own_serial;
  gboolean same;

  if (gnutls_x509_crt_get_raw_issuer_dn (crt, &dn) < 0)
    return FALSE;
  same = dn.size == issuer_size && memcmp (dn.data, issuer_data, issuer_size) == 0;
  gnutls_free (dn.data);
  if (!same || gnutls_x509_crt_get_serial (crt, own_serial, &own_size) < 0)
    return FALSE;

  /* compare the numbers, not their padding */
  while (own_size > 1 && own[0] == 0)
    own++, own_size--;
  while (serial_size > 1 && serial_data[0] == 0)
    serial_data++, serial_size--;
  return own_size == serial_size && memcmp (own, serial_data, own_size) == 0;
}

static gboolean
certificate_matches_key_id (CachetCertificate *certificate,
                            GBytes            *key_id)
{
  guint8 own[128];
  size_t own_size = sizeof own;
  unsigned int critical;
  gsize size;
  const guint8 *data = g_bytes_get_data (key_id, &size);

  if (gnutls_x509_crt_get_subject_key_id (cachet_certificate_get_gnutls (certificate),
                                          own, &own_size, &critical) < 0)
    return FALSE;
  return own_size == size && memcmp (own, data, size) == 0;
}

static CachetCertificate *
find_signer_certificate (asn1_node  info,
                         GPtrArray *pools[],
                         guint      n_pools)
{
  char choice[64] = "";
  int length = sizeof choice - 1;
  g_autoptr(GBytes) issuer = NULL, serial = NULL, key_id = NULL;

  if (asn1_read_value (info, "sid", choice, &length) != ASN1_SUCCESS)
    return NULL;

  if (g_str_equal (choice, "issuerAndSerialNumber"))
    {
      issuer = _cachet_asn1_read_bytes (info, "sid.issuerAndSerialNumber.issuer");
      serial = _cachet_asn1_read_bytes (info, "sid.issuerAndSerialNumber.serialNumber");
      if (issuer == NULL || serial == NULL)
        return NULL;
    }
  else if (g_str_equal (choice, "subjectKeyIdentifier"))
    {
      if (!(key_id = _cachet_asn1_read_bytes (info, "sid.subjectKeyIdentifier")))
        return NULL;
    }
  else
    return NULL;

  for (guint p = 0; p < n_pools; p++)
    for (guint i = 0; pools[p] && i < pools[p]->len; i++)
      {
        CachetCertificate *certificate = g_ptr_array_index (pools[p], i);

        if (issuer ? certificate_matches_issuer_serial (certificate, issuer, serial)
                   : certificate_matches_key_id (certificate, key_id))
          return g_object_ref (certificate);
      }

  return NULL;
}

/* "YYMMDDHHMMSSZ" / "YYYYMMDDHHMMSSZ" (DER) → GDateTime */
static GDateTime *
parse_time (GBytes *value)
{
  gsize size, content_size;
  const guint8 *data = g_bytes_get_data (value, &size), *content;
  guint8 tag;
  char text[32];
  int year, month, day, hour, minute, second = 0;
  int n;

  if (!der_parse (data, size, &tag, &content, &content_size, NULL) ||
      (tag != 0x17 && tag != 0x18) || content_size >= sizeof text)
    return NULL;
  memcpy (text, content, content_size);
  text[content_size] = '\0';

  if (tag == 0x17)
    {
      n = sscanf (text, "%2d%2d%2d%2d%2d%2d", &year, &month, &day, &hour, &minute, &second);
      if (n < 5)
        return NULL;
      year += year < 50 ? 2000 : 1900;
    }
  else
    {
      n = sscanf (text, "%4d%2d%2d%2d%2d%2d", &year, &month, &day, &hour, &minute, &second);
      if (n < 5)
        return NULL;
    }
  if (text[content_size - 1] != 'Z')
    return NULL;

  return g_date_time_new_utc (year, month, day, hour, minute, second);
}

static const char *
capability_name (const char *oid)
{
  static const struct { const char *oid, *name; } names[] = {
    { CACHET_OID_AES256_GCM, "aes-256-gcm" },
    { CACHET_OID_AES128_GCM, "aes-128-gcm" },
    { CACHET_OID_AES256_CBC, "aes-256-cbc" },
    { "2.16.840.1.101.3.4.1.22", "aes-192-cbc" },
    { CACHET_OID_AES128_CBC, "aes-128-cbc" },
    { CACHET_OID_DES_EDE3_CBC, "des-ede3-cbc" },
    { "1.2.840.113549.3.2", "rc2-cbc" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (oid, names[i].oid))
      return names[i].name;
  return NULL;
}

static void
read_capabilities (CachetSigner *signer,
                   GBytes       *value)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (value, &size);
  g_auto(asn1_node) node = _cachet_asn1_decode ("CachetCMS.SMIMECapabilities", data, size,
                                                "The signature", NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  if (node == NULL)
    return;
  for (int i = 1; i <= 64; i++)
    {
      g_autofree char *path = g_strdup_printf ("?%d.capabilityID", i);
      g_autofree char *oid = _cachet_asn1_read_oid (node, path);
      const char *name;

      if (oid == NULL)
        break;
      /* RC2 and others repeat with several key sizes: name each cipher once */
      if ((name = capability_name (oid)) != NULL &&
          !g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
        g_ptr_array_add (names, (gpointer) name);
    }
  g_ptr_array_add (names, NULL);
  cachet_signer_set_capabilities (signer, (const char * const *) names->pdata);
}

typedef struct {
  GBytes   *message_digest;    /* OCTET STRING content */
  gboolean  content_type_ok;
  gboolean  has_content_type;
  GDateTime *signing_time;
  gboolean  malformed;
  char     *malformed_detail;
} Attributes;

static void
attributes_clear (Attributes *attributes)
{
  g_clear_pointer (&attributes->message_digest, g_bytes_unref);
  g_clear_pointer (&attributes->signing_time, g_date_time_unref);
  g_clear_pointer (&attributes->malformed_detail, g_free);
}

static void
attributes_fail (Attributes *attributes,
                 const char *detail)
{
  if (!attributes->malformed)
    attributes->malformed_detail = g_strdup (detail);
  attributes->malformed = TRUE;
}

static void
read_attributes (CachetSignedData *signed_data,
                 asn1_node         node,
                 CachetSigner     *signer,
                 Attributes       *attributes)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 1; i <= 256; i++)
    {
      g_autofree char *type_path = g_strdup_printf ("signedAttrs.?%d.attrType", i);
      g_autofree char *values_path = g_strdup_printf ("signedAttrs.?%d.attrValues.?2", i);
      g_autofree char *value_path = g_strdup_printf ("signedAttrs.?%d.attrValues.?1", i);
      g_autofree char *type = _cachet_asn1_read_oid (node, type_path);
      g_autoptr(GBytes) value = NULL, extra = NULL;

      if (type == NULL)
        break;

      if (g_hash_table_contains (seen, type))
        {
          attributes_fail (attributes, _("A signed attribute appears twice."));
          continue;
        }
      g_hash_table_add (seen, g_strdup (type));

      value = _cachet_asn1_read_bytes (node, value_path);
      extra = _cachet_asn1_read_bytes (node, values_path);

      if (g_str_equal (type, CACHET_OID_MESSAGE_DIGEST) ||
          g_str_equal (type, CACHET_OID_CONTENT_TYPE) ||
          g_str_equal (type, CACHET_OID_SIGNING_TIME))
        {
          /* these must carry exactly one value (RFC 5652 11) */
          if (value == NULL || extra != NULL)
            {
              attributes_fail (attributes, _("A signed attribute has the wrong number of values."));
              continue;
            }
        }

      if (value == NULL)
        continue;

      if (g_str_equal (type, CACHET_OID_MESSAGE_DIGEST))
        {
          gsize size, content_size;
          const guint8 *data = g_bytes_get_data (value, &size), *content;
          guint8 tag;

          if (!der_parse (data, size, &tag, &content, &content_size, NULL) || tag != 0x04)
            attributes_fail (attributes, _("The message digest attribute is malformed."));
          else
            attributes->message_digest = g_bytes_new (content, content_size);
        }
      else if (g_str_equal (type, CACHET_OID_CONTENT_TYPE))
        {
          attributes->has_content_type = TRUE;
          attributes->content_type_ok = g_bytes_equal (value, signed_data->content_type);
        }
      else if (g_str_equal (type, CACHET_OID_SIGNING_TIME))
        {
          attributes->signing_time = parse_time (value);
          if (attributes->signing_time == NULL)
            attributes_fail (attributes, _("The signing time attribute is malformed."));
        }
      else if (g_str_equal (type, CACHET_OID_SMIME_CAPABILITIES))
        read_capabilities (signer, value);
    }
}

static gnutls_sign_algorithm_t
signature_algorithm (asn1_node                 info,
                     gnutls_pk_algorithm_t     key_algorithm,
                     gnutls_digest_algorithm_t digest)
{
  g_autofree char *oid = _cachet_asn1_read_oid (info, "signatureAlgorithm.algorithm");
  gnutls_sign_algorithm_t algorithm;

  if (oid == NULL)
    return GNUTLS_SIGN_UNKNOWN;

  /* Many writers name the key algorithm only; the digest then comes from digestAlgorithm. */
  if (g_str_equal (oid, CACHET_OID_RSA_ENCRYPTION) && key_algorithm == GNUTLS_PK_RSA)
    return gnutls_pk_to_sign (GNUTLS_PK_RSA, digest);
  if (g_str_equal (oid, OID_EC_PUBLIC_KEY) && key_algorithm == GNUTLS_PK_ECDSA)
    return gnutls_pk_to_sign (GNUTLS_PK_ECDSA, digest);
  if (g_str_equal (oid, OID_RSASSA_PSS) && key_algorithm == GNUTLS_PK_RSA)
    {
      /* GnuTLS 3.7 verifies PSS with salt length = digest length only */
      switch (digest)
        {
        case GNUTLS_DIG_SHA256: return GNUTLS_SIGN_RSA_PSS_RSAE_SHA256;
        case GNUTLS_DIG_SHA384: return GNUTLS_SIGN_RSA_PSS_RSAE_SHA384;
        case GNUTLS_DIG_SHA512: return GNUTLS_SIGN_RSA_PSS_RSAE_SHA512;
        default: return GNUTLS_SIGN_UNKNOWN;
        }
    }

  algorithm = gnutls_oid_to_sign (oid);
  if (algorithm != GNUTLS_SIGN_UNKNOWN &&
      gnutls_sign_get_pk_algorithm (algorithm) != key_algorithm &&
      !(key_algorithm == GNUTLS_PK_RSA && gnutls_sign_get_pk_algorithm (algorithm) == GNUTLS_PK_RSA_PSS))
    return GNUTLS_SIGN_UNKNOWN;
  return algorithm;
}

/* The salt length and hash of RSASSA-PSS-params (RFC 4055); defaults SHA-1 and 20. */
static void
read_pss_parameters (asn1_node                  info,
                     gnutls_digest_algorithm_t *hash,
                     guint                     *salt)
{
  g_autoptr(GBytes) parameters = _cachet_asn1_read_bytes (info, "signatureAlgorithm.parameters");
  const guint8 *data, *content, *field, *inner;
  gsize size, content_size, field_size, total, inner_size;
  guint8 tag, field_tag, inner_tag;

  *hash = GNUTLS_DIG_SHA1;
  *salt = 20;
  if (parameters == NULL)
    return;
  data = g_bytes_get_data (parameters, &size);
  if (!der_parse (data, size, &tag, &content, &content_size, NULL) || tag != 0x30)
    return;

  while (content_size > 0 &&
         der_parse (content, content_size, &field_tag, &field, &field_size, &total))
    {
      if (field_tag == 0xA0 && der_parse (field, field_size, &inner_tag, &inner, &inner_size, NULL))
        {
          g_auto(asn1_node) algorithm = _cachet_asn1_decode ("CachetCMS.AlgorithmIdentifier", field,
                                                             field_size, "The signature", NULL);
          g_autofree char *oid = algorithm ? _cachet_asn1_read_oid (algorithm, "algorithm") : NULL;

          if (oid)
            *hash = gnutls_oid_to_digest (oid);
        }
      else if (field_tag == 0xA2 &&
               der_parse (field, field_size, &inner_tag, &inner, &inner_size, NULL) &&
               inner_tag == 0x02 && inner_size > 0 && inner_size <= 2)
        {
          *salt = 0;
          for (gsize i = 0; i < inner_size; i++)
            *salt = (*salt << 8) | inner[i];
        }
      content += total;
      content_size -= total;
    }
}

static GDateTime *
choose_check_time (CachetOptions *options,
                   GDateTime     *signing_time)
{
  if (cachet_options_get_check_time (options))
    return g_date_time_ref (cachet_options_get_check_time (options));
  if (cachet_options_get_at_signing_time (options) && signing_time)
    return g_date_time_ref (signing_time);
  return NULL;
}

static void
verify_signer (CachetSignedData *signed_data,
               SignerInfo       *info,
               CachetOptions    *options,
               CachetTrust      *trust,
               CachetSigner     *signer)
{
  CachetStore *store = cachet_options_get_store (options);
  /* the store's contacts are the last place to look for the signer and intermediates */
  g_autoptr(GPtrArray) contacts = store ? cachet_store_get_contact_certificates (store) : NULL;
  GPtrArray *pools[] = { signed_data->certificates, cachet_options_get_certificates (options), contacts };
  g_autoptr(CachetCertificate) certificate = NULL;
  g_autoptr(GBytes) computed = NULL, attributes_raw = NULL, signature = NULL;
  g_autoptr(GPtrArray) pool = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *digest_oid = NULL;
  gnutls_digest_algorithm_t digest;
  gnutls_pubkey_t key = NULL;
  gnutls_sign_algorithm_t sign_algorithm;
  Attributes attributes = { 0 };
  gboolean has_attributes;
  gboolean content_ok = TRUE;
  guint key_bits = 0;
  gnutls_pk_algorithm_t key_algorithm;
  gnutls_datum_t signature_datum;
  int rc;

  if (info->node == NULL)
    {
      cachet_signer_add_problem (signer, CACHET_PROBLEM_BAD_SIGNATURE,
                                 _("The signer’s information cannot be decoded."));
      return;
    }

  digest_oid = _cachet_asn1_read_oid (info->node, "digestAlgorithm.algorithm");
  digest = digest_oid ? gnutls_oid_to_digest (digest_oid) : GNUTLS_DIG_UNKNOWN;
  cachet_signer_set_digest (signer, _cachet_digest_to_name (digest));

  certificate = find_signer_certificate (info->node, pools, G_N_ELEMENTS (pools));
  if (certificate)
    cachet_signer_set_certificate (signer, certificate);

  /* signed attributes */
  {
    gsize size;
    const guint8 *data = g_bytes_get_data (info->raw, &size);

    attributes_raw = _cachet_asn1_raw_element (info->node, data, size, "signedAttrs");
  }
  has_attributes = attributes_raw != NULL;
  if (has_attributes)
    read_attributes (signed_data, info->node, signer, &attributes);
  if (attributes.signing_time)
    cachet_signer_set_signing_time (signer, attributes.signing_time);

  /* the content's digest */
  if (digest == GNUTLS_DIG_UNKNOWN)
    {
      cachet_signer_add_problem (signer, CACHET_PROBLEM_BAD_SIGNATURE,
                                 _("The signer used a digest algorithm Cachet does not know."));
      goto out;
    }
  if (digest == GNUTLS_DIG_MD2 || gnutls_hash_get_len (digest) == 0)
    {
      g_autofree char *detail = g_strdup_printf (_("The signer used %s, an obsolete digest that Cachet cannot check."),
                                                 gnutls_digest_get_name (digest));
      cachet_signer_add_problem (signer, CACHET_PROBLEM_BAD_SIGNATURE, detail);
      cachet_signer_add_problem (signer, CACHET_PROBLEM_WEAK_ALGORITHM, NULL);
      goto out;
    }
  if (!cachet_digest_stream_has_algorithm (CACHET_DIGEST_STREAM (signed_data->hasher), digest))
    {
      cachet_signer_add_problem (signer, CACHET_PROBLEM_BAD_SIGNATURE,
                                 _("The signer’s digest algorithm is not among those the signature announces."));
      goto out;
    }
  computed = cachet_digest_stream_get_digest (CACHET_DIGEST_STREAM (signed_data->hasher), digest);

  if (has_attributes)
    {
      if (attributes.malformed)
        {
          cachet_signer_add_problem (signer, CACHET_PROBLEM_BAD_SIGNATURE, attributes.malformed_detail);
          goto out;
        }
      if (attributes.message_digest == NULL || !attributes.has_content_type)
        {
          cachet_signer_add_problem (signer, CACHET_PROBLEM_BAD_SIGNATURE,
                                     _("A required signed attribute (content type or message digest) is missing."));
          goto out;
        }
      if (!attributes.content_type_ok)
        {
          cachet_signer_add_problem (signer, CACHET_PROBLEM_BAD_SIGNATURE,
                                     _("The signed content type does not match the content."));
          goto out;
        }
      if (!g_bytes_equal (attributes.message_digest, computed))
        {
          cachet_signer_add_problem (signer, CACHET_PROBLEM_CONTENT_ALTERED, NULL);
          content_ok = FALSE;
        }
    }
  else
    cachet_signer_add_problem (signer, CACHET_PROBLEM_NO_SIGNED_ATTRIBUTES, NULL);

  if (digest_is_weak (digest))
    {
      g_autofree char *detail = g_strdup_printf (_("The message digest is %s, which can be forged."),
                                                 gnutls_digest_get_name (digest));
      cachet_signer_add_problem (signer, CACHET_PROBLEM_WEAK_ALGORITHM, detail);
    }

  if (certificate == NULL)
    {
      cachet_signer_add_problem (signer, CACHET_PROBLEM_UNKNOWN_SIGNER, NULL);
      goto out;
    }

  /* the maths */
  key = cachet_certificate_get_public_key (certificate, NULL);
  if (key == NULL)
    {
      cachet_signer_add_problem (signer, CACHET_PROBLEM_BAD_SIGNATURE,
                                 _("The signer’s public key cannot be read."));
      goto out;
    }
  key_algorithm = gnutls_pubkey_get_pk_algorithm (key, &key_bits);
  sign_algorithm = signature_algorithm (info->node, key_algorithm, digest);
  signature = _cachet_asn1_read_bytes (info->node, "signature");
  if (sign_algorithm == GNUTLS_SIGN_UNKNOWN || signature == NULL)
    {
      cachet_signer_add_problem (signer, CACHET_PROBLEM_BAD_SIGNATURE,
                                 _("The signature algorithm is not supported or does not fit the signer’s key."));
      goto out;
    }
  /* RSA-PSS: GnuTLS checks the salt length its key parameters name, so give it the sender's. */
  if (gnutls_sign_get_pk_algorithm (sign_algorithm) == GNUTLS_PK_RSA_PSS)
    {
      gnutls_digest_algorithm_t pss_hash;
      guint salt;
      gnutls_x509_spki_t spki;

      read_pss_parameters (info->node, &pss_hash, &salt);
      if (gnutls_x509_spki_init (&spki) == 0)
        {
          gnutls_x509_spki_set_rsa_pss_params (spki, pss_hash, salt);
          if (gnutls_pubkey_set_spki (key, spki, 0) == 0)
            sign_algorithm = gnutls_pk_to_sign (GNUTLS_PK_RSA_PSS, pss_hash);
          gnutls_x509_spki_deinit (spki);
        }
    }

  signature_datum.data = (guint8 *) g_bytes_get_data (signature, NULL);
  signature_datum.size = g_bytes_get_size (signature);

  /* Weak algorithms are judged by Cachet (weak-algorithm), so GnuTLS checks only the maths. */
  if (has_attributes)
    {
      g_autoptr(GByteArray) to_verify = g_byte_array_new ();
      gnutls_datum_t data;

      g_byte_array_append (to_verify, g_bytes_get_data (attributes_raw, NULL), g_bytes_get_size (attributes_raw));
      to_verify->data[0] = 0x31;
      data.data = to_verify->data;
      data.size = to_verify->len;
      rc = gnutls_pubkey_verify_data2 (key, sign_algorithm,
                                       GNUTLS_VERIFY_ALLOW_BROKEN | GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1,
                                       &data, &signature_datum);
    }
  else
    {
      gnutls_datum_t hash = { (guint8 *) g_bytes_get_data (computed, NULL), g_bytes_get_size (computed) };

      rc = gnutls_pubkey_verify_hash2 (key, sign_algorithm,
                                       GNUTLS_VERIFY_ALLOW_BROKEN | GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1,
                                       &hash, &signature_datum);
      if (rc < 0)
        content_ok = FALSE;
    }

  if (rc < 0)
    {
      /* Without signed attributes a changed content and a bad signature look the same. */
      if (!has_attributes)
        cachet_signer_add_problem (signer, CACHET_PROBLEM_CONTENT_ALTERED, NULL);
      else if (content_ok)
        cachet_signer_add_problem (signer, CACHET_PROBLEM_BAD_SIGNATURE, NULL);
      goto out;
    }
  if (content_ok)
    cachet_signer_set_signature_valid (signer, TRUE);

  if (key_algorithm == GNUTLS_PK_RSA && key_bits < 2048)
    {
      g_autofree char *detail = g_strdup_printf (_("The signer’s RSA key has only %u bits."), key_bits);
      cachet_signer_add_problem (signer, CACHET_PROBLEM_WEAK_ALGORITHM, detail);
    }

  /* the chain */
  pool = g_ptr_array_new ();
  for (guint p = 0; p < G_N_ELEMENTS (pools); p++)
    for (guint i = 0; pools[p] && i < pools[p]->len; i++)
      g_ptr_array_add (pool, g_ptr_array_index (pools[p], i));
  when = choose_check_time (options, attributes.signing_time);
  _cachet_trust_evaluate (trust, signer, certificate, pool, when, attributes.signing_time);

  if (!(cachet_certificate_get_key_usage (certificate) & CACHET_KEY_USAGE_SIGN) &&
      !cachet_signer_has_problem (signer, CACHET_PROBLEM_WRONG_USAGE))
    cachet_signer_add_problem (signer, CACHET_PROBLEM_WRONG_USAGE,
                               _("The signer’s certificate does not allow digital signatures."));

out:
  if (key)
    gnutls_pubkey_deinit (key);
  attributes_clear (&attributes);
}

gboolean
_cachet_signed_data_verify (CachetSignedData  *signed_data,
                            CachetOptions     *options,
                            CachetVerdict     *verdict,
                            GCancellable      *cancellable,
                            GError           **error)
{
  g_autoptr(CachetTrust) trust = NULL;

  cachet_verdict_set_signed (verdict, TRUE);

  if (signed_data->signer_infos->len == 0)
    {
      cachet_verdict_add_problem (verdict, CACHET_PROBLEM_NO_SIGNERS, NULL);
      return TRUE;
    }

  trust = _cachet_trust_new (options);
  for (guint i = 0; i < signed_data->signer_infos->len; i++)
    {
      g_autoptr(CachetSigner) signer = cachet_signer_new ();

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      verify_signer (signed_data, &g_array_index (signed_data->signer_infos, SignerInfo, i),
                     options, trust, signer);
      cachet_verdict_add_signer (verdict, signer);
    }

  return TRUE;
}
