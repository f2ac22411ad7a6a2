/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-enveloped-data.c: streaming CMS EnvelopedData and AuthEnvelopedData (see the header).
 *
 * The outer layers are walked and written with cachet-ber; the small pieces (recipient infos,
 * algorithm identifiers, GCM parameters) go through libtasn1; every cryptographic operation is
 * GnuTLS's. Key transport failures are never reported as such: a key that does not unwrap is
 * replaced by a random one, so a damaged key, a wrong padding and an altered message all end in
 * the same tag or padding failure with the same sentence (no padding oracle).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/abstract.h>

#include "cachet-asn1.h"
#include "cachet-ber.h"
#include "cachet-enveloped-data.h"
#include "cachet-error.h"
#include "cachet-limits.h"

#define CHUNK_SIZE   (64 * 1024)
#define MAX_KEY_SIZE 32
#define GCM_TAG_SIZE 16
#define GCM_NONCE_SIZE 12

typedef struct {
  const char                *name;
  const char                *oid;
  gnutls_cipher_algorithm_t  algorithm;
  guint                      key_size;
  guint                      block_size;
  gboolean                   gcm;
} CipherInfo;

static const CipherInfo ciphers[] = {
  { "aes-128-cbc", CACHET_OID_AES128_CBC,     GNUTLS_CIPHER_AES_128_CBC, 16, 16, FALSE },
  { "aes-192-cbc", "2.16.840.1.101.3.4.1.22", GNUTLS_CIPHER_AES_192_CBC, 24, 16, FALSE },
  { "aes-256-cbc", CACHET_OID_AES256_CBC,     GNUTLS_CIPHER_AES_256_CBC, 32, 16, FALSE },
  { "aes-128-gcm", CACHET_OID_AES128_GCM,     GNUTLS_CIPHER_AES_128_GCM, 16, 16, TRUE },
  { "aes-256-gcm", CACHET_OID_AES256_GCM,     GNUTLS_CIPHER_AES_256_GCM, 32, 16, TRUE },
  /* decrypt only, so old archives still open */
  { "3des-cbc",    CACHET_OID_DES_EDE3_CBC,   GNUTLS_CIPHER_3DES_CBC,    24,  8, FALSE },
};

static const CipherInfo *
cipher_by_name (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (ciphers); i++)
    if (g_str_equal (ciphers[i].name, name))
      return &ciphers[i];
  return NULL;
}

static const CipherInfo *
cipher_by_oid (const char *oid)
{
  for (guint i = 0; i < G_N_ELEMENTS (ciphers); i++)
    if (g_str_equal (ciphers[i].oid, oid))
      return &ciphers[i];
  return NULL;
}

void
cachet_enveloped_info_free (CachetEnvelopedInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->cipher);
  g_clear_object (&info->recipient);
  g_free (info);
}

/* Small helpers */

static gboolean
write_stream (GMimeStream   *stream,
              const guint8  *data,
              gsize          size,
              GError       **error)
{
  return cachet_ber_write_bytes (stream, data, size, error);
}

/* Reads until BUFFER is full or the stream ends; -1 on a read error. */
static gssize
read_full (GMimeStream *stream,
           guint8      *buffer,
           gsize        size)
{
  gsize done = 0;

  while (done < size)
    {
      gssize n = g_mime_stream_read (stream, (char *) buffer + done, size - done);

      if (n < 0)
        return -1;
      if (n == 0)
        break;
      done += n;
    }

  return done;
}

static gboolean
constant_time_equal (const guint8 *a,
                     const guint8 *b,
                     gsize         size)
{
  guint8 diff = 0;

  for (gsize i = 0; i < size; i++)
    diff |= a[i] ^ b[i];

  return diff == 0;
}

static gsize
header_size (guint32 tag,
             gssize  length)
{
  g_autoptr(GByteArray) header = g_byte_array_sized_new (16);

  cachet_ber_append_header (header, 0, FALSE, tag, length);
  return header->len;
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

/* Dotted OID from the content octets of a DER OBJECT IDENTIFIER; NULL when invalid. */
static char *
oid_to_string (const guint8 *data,
               gsize         size)
{
  g_autoptr(GString) oid = g_string_new (NULL);
  guint64 value = 0;
  gboolean first = TRUE;

  if (size == 0 || size > 64)
    return NULL;

  for (gsize i = 0; i < size; i++)
    {
      if (value >> 56)
        return NULL;
      value = (value << 7) | (data[i] & 0x7F);
      if (data[i] & 0x80)
        continue;

      if (first)
        {
          guint arc1 = value < 40 ? 0 : value < 80 ? 1 : 2;
          g_string_append_printf (oid, "%u.%" G_GUINT64_FORMAT, arc1, value - arc1 * 40);
          first = FALSE;
        }
      else
        g_string_append_printf (oid, ".%" G_GUINT64_FORMAT, value);
      value = 0;
    }

  if (data[size - 1] & 0x80)
    return NULL;

  return g_string_free (g_steal_pointer (&oid), FALSE);
}

static gboolean
malformed (GError **error)
{
  g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
               _("The encrypted message is damaged or not in a format Cachet understands."));
  return FALSE;
}

static gboolean
decrypt_failed (GError **error)
{
  g_set_error (error, CACHET_ERROR, CACHET_ERROR_DECRYPT_FAILED,
               _("The encrypted message could not be opened: it was damaged or altered on the "
                 "way, or it was not made for this key. Nothing was written."));
  return FALSE;
}

static gboolean
gnutls_failed (int      rc,
               GError **error)
{
  g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
               _("The cryptographic library failed while encrypting (%s). Try again; if it "
                 "persists, report it."),
               gnutls_strerror (rc));
  return FALSE;
}

/* Encryption */

static GBytes *
encode_content_algorithm (const CipherInfo *info,
                          const guint8     *iv,
                          gsize             iv_size,
                          GError          **error)
{
  g_auto(asn1_node) algorithm = _cachet_asn1_create ("CachetCMS.AlgorithmIdentifier");
  g_autoptr(GBytes) parameters = NULL;

  if (info->gcm)
    {
      g_auto(asn1_node) gcm = _cachet_asn1_create ("CachetCMS.GCMParameters");

      if (asn1_write_value (gcm, "nonce", iv, iv_size) != ASN1_SUCCESS ||
          asn1_write_value (gcm, "icvLength", "16", 0) != ASN1_SUCCESS)
        return gnutls_failed (GNUTLS_E_INTERNAL_ERROR, error), NULL;
      parameters = _cachet_asn1_encode (gcm, "", error);
    }
  else
    {
      GByteArray *octets = g_byte_array_new ();

      append_tlv (octets, CACHET_BER_CLASS_UNIVERSAL, FALSE, CACHET_BER_TAG_OCTET_STRING, iv, iv_size);
      parameters = g_byte_array_free_to_bytes (octets);
    }

  if (parameters == NULL)
    return NULL;

  if (asn1_write_value (algorithm, "algorithm", info->oid, 1) != ASN1_SUCCESS ||
      asn1_write_value (algorithm, "parameters", g_bytes_get_data (parameters, NULL),
                        g_bytes_get_size (parameters)) != ASN1_SUCCESS)
    return gnutls_failed (GNUTLS_E_INTERNAL_ERROR, error), NULL;

  return _cachet_asn1_encode (algorithm, "", error);
}

static GBytes *
encode_recipient (CachetCertificate *recipient,
                  const guint8      *key,
                  gsize              key_size,
                  GError           **error)
{
  g_auto(asn1_node) ktri = _cachet_asn1_create ("CachetCMS.KeyTransRecipientInfo");
  gnutls_pubkey_t pubkey;
  gnutls_datum_t plain = { (unsigned char *) key, key_size };
  gnutls_datum_t wrapped = { NULL, 0 };
  g_autoptr(GBytes) issuer = cachet_certificate_get_issuer_der (recipient);
  g_autoptr(GBytes) serial = cachet_certificate_get_serial (recipient);
  GBytes *result;
  int rc;

  if (cachet_certificate_get_key_algorithm (recipient, NULL) != GNUTLS_PK_RSA)
    {
      g_autofree char *key = cachet_certificate_describe_key (recipient);

      g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                   _("Cannot encrypt for %s: the key of their certificate is %s, and Cachet can "
                     "encrypt only to RSA keys. Ask them for an RSA certificate."),
                   cachet_certificate_get_name (recipient), key);
      return NULL;
    }

  pubkey = cachet_certificate_get_public_key (recipient, error);
  if (pubkey == NULL)
    return NULL;

  rc = gnutls_pubkey_encrypt_data (pubkey, 0, &plain, &wrapped);
  gnutls_pubkey_deinit (pubkey);
  if (rc < 0)
    return gnutls_failed (rc, error), NULL;

  if (asn1_write_value (ktri, "version", "0", 0) != ASN1_SUCCESS ||
      asn1_write_value (ktri, "rid", "issuerAndSerialNumber", 1) != ASN1_SUCCESS ||
      asn1_write_value (ktri, "rid.issuerAndSerialNumber.issuer",
                        g_bytes_get_data (issuer, NULL), g_bytes_get_size (issuer)) != ASN1_SUCCESS ||
      asn1_write_value (ktri, "rid.issuerAndSerialNumber.serialNumber",
                        g_bytes_get_data (serial, NULL), g_bytes_get_size (serial)) != ASN1_SUCCESS ||
      asn1_write_value (ktri, "keyEncryptionAlgorithm.algorithm", CACHET_OID_RSA_ENCRYPTION, 1) != ASN1_SUCCESS ||
      asn1_write_value (ktri, "keyEncryptionAlgorithm.parameters", "\x05\x00", 2) != ASN1_SUCCESS ||
      asn1_write_value (ktri, "encryptedKey", wrapped.data, wrapped.size) != ASN1_SUCCESS)
    {
      gnutls_free (wrapped.data);
      return gnutls_failed (GNUTLS_E_INTERNAL_ERROR, error), NULL;
    }
  gnutls_free (wrapped.data);

  result = _cachet_asn1_encode (ktri, "", error);
  return result;
}

/* DER orders the elements of a SET OF by their encodings. */
static gint
compare_der (gconstpointer a,
             gconstpointer b)
{
  GBytes *x = *(GBytes **) a, *y = *(GBytes **) b;
  gsize xs, ys;
  const guint8 *xd = g_bytes_get_data (x, &xs), *yd = g_bytes_get_data (y, &ys);
  int c = memcmp (xd, yd, MIN (xs, ys));

  if (c != 0)
    return c;
  return xs < ys ? -1 : xs > ys ? 1 : 0;
}

static GBytes *
encode_recipient_set (GPtrArray     *recipients,
                      const guint8  *key,
                      gsize          key_size,
                      GError       **error)
{
  g_autoptr(GPtrArray) encoded = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  GByteArray *content = g_byte_array_new ();
  GByteArray *set = g_byte_array_new ();

  for (guint i = 0; i < recipients->len; i++)
    {
      GBytes *ktri = encode_recipient (recipients->pdata[i], key, key_size, error);

      if (ktri == NULL)
        {
          g_byte_array_unref (content);
          g_byte_array_unref (set);
          return NULL;
        }
      g_ptr_array_add (encoded, ktri);
    }

  g_ptr_array_sort (encoded, compare_der);
  for (guint i = 0; i < encoded->len; i++)
    {
      gsize size;
      const guint8 *data = g_bytes_get_data (encoded->pdata[i], &size);
      g_byte_array_append (content, data, size);
    }

  append_tlv (set, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SET, content->data, content->len);
  g_byte_array_unref (content);
  return g_byte_array_free_to_bytes (set);
}

static const guint8 oid_data_der[] = { 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01 };
static const guint8 oid_enveloped_der[] = { 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x03 };
static const guint8 oid_auth_enveloped_der[] = { 0x06, 0x0B, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x01, 0x17 };
static const guint8 version_0_der[] = { 0x02, 0x01, 0x00 };

gboolean
cachet_enveloped_data_encrypt (GMimeStream   *content,
                               gint64         content_length,
                               GPtrArray     *recipients,
                               CachetCipher   cipher,
                               GMimeStream   *output,
                               GCancellable  *cancellable,
                               GError       **error)
{
  const CipherInfo *info;
  guint8 key[MAX_KEY_SIZE];
  guint8 iv[16];
  gsize iv_size;
  gnutls_datum_t key_datum, iv_datum;
  gnutls_cipher_hd_t handle = NULL;
  g_autoptr(GBytes) recipient_set = NULL;
  g_autoptr(GBytes) algorithm = NULL;
  g_autoptr(GByteArray) prefix = NULL;
  g_autofree guint8 *plain = NULL;
  g_autofree guint8 *encrypted = NULL;
  gboolean indefinite = content_length < 0;
  guint64 total = 0;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (GMIME_IS_STREAM (content), FALSE);
  g_return_val_if_fail (recipients != NULL, FALSE);
  g_return_val_if_fail (GMIME_IS_STREAM (output), FALSE);

  if (recipients->len == 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NO_KEY,
                   _("There is no one to encrypt for. Name at least one recipient."));
      return FALSE;
    }

  switch (cipher)
    {
    case CACHET_CIPHER_AES_128_CBC: info = cipher_by_name ("aes-128-cbc"); break;
    case CACHET_CIPHER_AES_128_GCM: info = cipher_by_name ("aes-128-gcm"); break;
    case CACHET_CIPHER_AES_256_GCM: info = cipher_by_name ("aes-256-gcm"); break;
    case CACHET_CIPHER_AES_256_CBC:
    case CACHET_CIPHER_DEFAULT:
    default:
      info = cipher_by_name ("aes-256-cbc");
      break;
    }

  iv_size = info->gcm ? GCM_NONCE_SIZE : info->block_size;
  if ((rc = gnutls_rnd (GNUTLS_RND_KEY, key, info->key_size)) < 0 ||
      (rc = gnutls_rnd (GNUTLS_RND_NONCE, iv, iv_size)) < 0)
    return gnutls_failed (rc, error);

  recipient_set = encode_recipient_set (recipients, key, info->key_size, error);
  if (recipient_set == NULL)
    goto out;
  algorithm = encode_content_algorithm (info, iv, iv_size, error);
  if (algorithm == NULL)
    goto out;

  key_datum.data = key;
  key_datum.size = info->key_size;
  iv_datum.data = iv;
  iv_datum.size = iv_size;
  if ((rc = gnutls_cipher_init (&handle, info->algorithm, &key_datum, &iv_datum)) < 0)
    {
      handle = NULL;
      gnutls_failed (rc, error);
      goto out;
    }

  /* Everything before the ciphertext. With a known length every length is computed up front
   * (DER); otherwise indefinite lengths and a chunked constructed OCTET STRING (BER). */
  prefix = g_byte_array_new ();
  {
    const guint8 *outer_oid = info->gcm ? oid_auth_enveloped_der : oid_enveloped_der;
    gsize outer_oid_size = info->gcm ? sizeof oid_auth_enveloped_der : sizeof oid_enveloped_der;
    gsize set_size = g_bytes_get_size (recipient_set);
    gsize algorithm_size = g_bytes_get_size (algorithm);

    if (!indefinite)
      {
        guint64 cipher_length = info->gcm ? (guint64) content_length
                                          : ((guint64) content_length / info->block_size + 1) * info->block_size;
        guint64 eci_length = sizeof oid_data_der + algorithm_size
                             + header_size (0, cipher_length) + cipher_length;
        guint64 mac_length = info->gcm ? 2 + GCM_TAG_SIZE : 0;
        guint64 envelope_length = sizeof version_0_der + set_size
                                  + header_size (0, eci_length) + eci_length + mac_length;
        guint64 explicit_length = header_size (0, envelope_length) + envelope_length;
        guint64 info_length = outer_oid_size + header_size (0, explicit_length) + explicit_length;

        if (cipher_length > G_MAXSSIZE / 2)
          {
            g_set_error (error, CACHET_ERROR, CACHET_ERROR_TOO_LARGE,
                         _("The file is too large to encrypt."));
            goto out;
          }

        cachet_ber_append_header (prefix, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SEQUENCE, info_length);
        g_byte_array_append (prefix, outer_oid, outer_oid_size);
        cachet_ber_append_header (prefix, CACHET_BER_CLASS_CONTEXT, TRUE, 0, explicit_length);
        cachet_ber_append_header (prefix, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SEQUENCE, envelope_length);
        g_byte_array_append (prefix, version_0_der, sizeof version_0_der);
        g_byte_array_append (prefix, g_bytes_get_data (recipient_set, NULL), set_size);
        cachet_ber_append_header (prefix, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SEQUENCE, eci_length);
        g_byte_array_append (prefix, oid_data_der, sizeof oid_data_der);
        g_byte_array_append (prefix, g_bytes_get_data (algorithm, NULL), algorithm_size);
        cachet_ber_append_header (prefix, CACHET_BER_CLASS_CONTEXT, FALSE, 0, cipher_length);
      }
    else
      {
        cachet_ber_append_header (prefix, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SEQUENCE, -1);
        g_byte_array_append (prefix, outer_oid, outer_oid_size);
        cachet_ber_append_header (prefix, CACHET_BER_CLASS_CONTEXT, TRUE, 0, -1);
        cachet_ber_append_header (prefix, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SEQUENCE, -1);
        g_byte_array_append (prefix, version_0_der, sizeof version_0_der);
        g_byte_array_append (prefix, g_bytes_get_data (recipient_set, NULL), set_size);
        cachet_ber_append_header (prefix, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SEQUENCE, -1);
        g_byte_array_append (prefix, oid_data_der, sizeof oid_data_der);
        g_byte_array_append (prefix, g_bytes_get_data (algorithm, NULL), algorithm_size);
        cachet_ber_append_header (prefix, CACHET_BER_CLASS_CONTEXT, TRUE, 0, -1);
      }
  }

  if (!write_stream (output, prefix->data, prefix->len, error))
    goto out;

  plain = g_malloc (CHUNK_SIZE + 16);
  encrypted = g_malloc (CHUNK_SIZE + 16);

  for (;;)
    {
      gssize n;
      gsize to_encrypt;
      gboolean last;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      n = read_full (content, plain, CHUNK_SIZE);
      if (n < 0)
        {
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                       _("Reading the content to encrypt failed: %s"), g_strerror (errno));
          goto out;
        }
      total += n;
      last = n < CHUNK_SIZE;
      to_encrypt = n;

      if (last && !info->gcm)
        {
          /* PKCS #7 padding: always 1..block_size bytes */
          guint8 pad = info->block_size - (n % info->block_size);
          memset (plain + n, pad, pad);
          to_encrypt += pad;
        }

      if (to_encrypt > 0)
        {
          if ((rc = gnutls_cipher_encrypt2 (handle, plain, to_encrypt, encrypted, to_encrypt)) < 0)
            {
              gnutls_failed (rc, error);
              goto out;
            }
          if (indefinite &&
              !cachet_ber_write_header (output, CACHET_BER_CLASS_UNIVERSAL, FALSE,
                                        CACHET_BER_TAG_OCTET_STRING, to_encrypt, error))
            goto out;
          if (!write_stream (output, encrypted, to_encrypt, error))
            goto out;
        }

      if (last)
        break;
    }

  if (!indefinite && total != (guint64) content_length)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                   _("The content changed while it was being encrypted. Try again when nothing "
                     "else is writing to it."));
      goto out;
    }

  if (indefinite)
    {
      /* close encryptedContent and EncryptedContentInfo */
      if (!cachet_ber_write_end (output, error) || !cachet_ber_write_end (output, error))
        goto out;
    }

  if (info->gcm)
    {
      guint8 mac[2 + GCM_TAG_SIZE] = { CACHET_BER_TAG_OCTET_STRING, GCM_TAG_SIZE };

      if ((rc = gnutls_cipher_tag (handle, mac + 2, GCM_TAG_SIZE)) < 0)
        {
          gnutls_failed (rc, error);
          goto out;
        }
      if (!write_stream (output, mac, sizeof mac, error))
        goto out;
    }

  if (indefinite)
    {
      /* close the envelope, the [0] EXPLICIT and the ContentInfo */
      for (int i = 0; i < 3; i++)
        if (!cachet_ber_write_end (output, error))
          goto out;
    }

  if (g_mime_stream_flush (output) < 0)
    {
      _cachet_error_set_write_failed (error);
      goto out;
    }

  ok = TRUE;

out:
  if (handle != NULL)
    gnutls_cipher_deinit (handle);
  gnutls_memset (key, 0, sizeof key);
  if (plain != NULL)
    gnutls_memset (plain, 0, CHUNK_SIZE + 16);
  return ok;
}

/* Decryption */

typedef struct {
  const CipherInfo   *info;
  gnutls_cipher_hd_t  handle;
  GMimeStream        *output;
  guint8             *staging;
  gsize               staged;
  guint8             *plain;
  guint64             total;
} Decipher;

/* Deciphers what is staged: everything but the last block for CBC (it carries the padding,
 * checked at the end), whole blocks for GCM; everything when FINAL. */
static gboolean
decipher_flush (Decipher  *d,
                gboolean   final,
                GError   **error)
{
  gsize block = d->info->block_size;
  gsize n;
  int rc;

  if (final)
    n = d->staged;
  else if (d->info->gcm)
    n = d->staged - d->staged % block;
  else
    {
      gsize keep = d->staged % block;
      if (keep == 0)
        keep = block;
      n = d->staged >= keep ? d->staged - keep : 0;
    }

  if (final && !d->info->gcm && (n == 0 || n % block != 0))
    return decrypt_failed (error);

  if (n == 0)
    return TRUE;

  if ((rc = gnutls_cipher_decrypt2 (d->handle, d->staging, n, d->plain, n)) < 0)
    return decrypt_failed (error);

  if (final && !d->info->gcm)
    {
      /* PKCS #7 padding, checked without early exit */
      guint8 pad = d->plain[n - 1];
      guint bad = (pad == 0) | (pad > block);

      for (gsize i = 0; i < block; i++)
        {
          guint in_pad = (block - i) <= pad;
          bad |= in_pad & (d->plain[n - block + i] != pad);
        }
      if (bad)
        return decrypt_failed (error);
      n -= pad;
    }

  if (!write_stream (d->output, d->plain, n, error))
    return FALSE;

  d->total += n;
  memmove (d->staging, d->staging + (final ? d->staged : n), d->staged - (final ? d->staged : n));
  d->staged -= final ? d->staged : n;
  return TRUE;
}

static gboolean
decipher_chunk (const guint8  *data,
                gsize          size,
                gpointer       user_data,
                GError       **error)
{
  Decipher *d = user_data;

  while (size > 0)
    {
      gsize take = MIN (size, CHUNK_SIZE - d->staged);

      memcpy (d->staging + d->staged, data, take);
      d->staged += take;
      data += take;
      size -= take;

      if (d->staged == CHUNK_SIZE && !decipher_flush (d, FALSE, error))
        return FALSE;
    }

  return TRUE;
}

typedef struct {
  GBytes  *issuer;
  GBytes  *serial;
  GBytes  *key_id;
  char    *key_algorithm;
  GBytes  *encrypted_key;
} RecipientId;

static void
recipient_id_free (RecipientId *id)
{
  g_clear_pointer (&id->issuer, g_bytes_unref);
  g_clear_pointer (&id->serial, g_bytes_unref);
  g_clear_pointer (&id->key_id, g_bytes_unref);
  g_clear_pointer (&id->encrypted_key, g_bytes_unref);
  g_free (id->key_algorithm);
  g_free (id);
}

static RecipientId *
parse_key_trans (GBytes  *element,
                 GError **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (element, &size);
  g_auto(asn1_node) node = _cachet_asn1_decode ("CachetCMS.KeyTransRecipientInfo", data, size,
                                                 _("The encrypted message"), error);
  RecipientId *id;
  char choice[64] = "";
  int choice_size = sizeof choice - 1;

  if (node == NULL)
    return NULL;

  id = g_new0 (RecipientId, 1);
  if (asn1_read_value (node, "rid", choice, &choice_size) == ASN1_SUCCESS &&
      g_str_equal (choice, "subjectKeyIdentifier"))
    id->key_id = _cachet_asn1_read_bytes (node, "rid.subjectKeyIdentifier");
  else
    {
      id->issuer = _cachet_asn1_read_bytes (node, "rid.issuerAndSerialNumber.issuer");
      id->serial = _cachet_asn1_read_bytes (node, "rid.issuerAndSerialNumber.serialNumber");
    }
  id->key_algorithm = _cachet_asn1_read_oid (node, "keyEncryptionAlgorithm.algorithm");
  id->encrypted_key = _cachet_asn1_read_bytes (node, "encryptedKey");

  if ((id->key_id == NULL && (id->issuer == NULL || id->serial == NULL)) ||
      id->key_algorithm == NULL || id->encrypted_key == NULL)
    {
      recipient_id_free (id);
      malformed (error);
      return NULL;
    }

  return id;
}

static gboolean
certificate_matches (CachetCertificate *certificate,
                     RecipientId       *id)
{
  if (id->key_id != NULL)
    return cachet_certificate_matches_key_id (certificate, id->key_id);
  return cachet_certificate_matches_issuer_serial (certificate, id->issuer, id->serial);
}

static char *
describe_recipient (RecipientId *id,
                    GPtrArray   *known)
{
  CachetCertificate *found = NULL;
  g_autofree char *who = NULL;
  g_autofree char *issuer = NULL;
  g_autofree char *serial = NULL;

  for (guint i = 0; known != NULL && i < known->len && found == NULL; i++)
    if (certificate_matches (known->pdata[i], id))
      found = known->pdata[i];

  if (found != NULL)
    {
      const char * const *addresses = cachet_certificate_get_addresses (found);
      const char *name = cachet_certificate_get_name (found);

      if (addresses && addresses[0] && g_strcmp0 (name, addresses[0]) != 0)
        who = g_strdup_printf ("%s <%s>", name, addresses[0]);
      else
        who = g_strdup (name);
    }

  if (id->key_id != NULL)
    {
      g_autofree char *hex = NULL;
      gsize size;
      const guint8 *data = g_bytes_get_data (id->key_id, &size);
      GString *s = g_string_new (NULL);

      for (gsize i = 0; i < size; i++)
        g_string_append_printf (s, "%02x", data[i]);
      hex = g_string_free (s, FALSE);
      if (who)
        /* Translators: "Bob <bob@example.com> (key id 0a1b2c…)" */
        return g_strdup_printf (_("%s (key id %s)"), who, hex);
      return g_strdup_printf (_("an unknown certificate (key id %s)"), hex);
    }

  {
    gnutls_datum_t raw = { (unsigned char *) g_bytes_get_data (id->issuer, NULL),
                           g_bytes_get_size (id->issuer) };
    gnutls_datum_t text = { NULL, 0 };
    gsize size;
    const guint8 *data = g_bytes_get_data (id->serial, &size);
    GString *s = g_string_new (NULL);

    if (gnutls_x509_rdn_get2 (&raw, &text, 0) >= 0)
      {
        issuer = g_strndup ((const char *) text.data, text.size);
        gnutls_free (text.data);
      }
    else
      issuer = g_strdup (_("an unreadable issuer"));

    for (gsize i = 0; i < size; i++)
      if (!(i == 0 && data[i] == 0 && size > 1))
        g_string_append_printf (s, "%02x", data[i]);
    serial = g_string_free (s, FALSE);
  }

  if (who)
    /* Translators: "Bob <bob@example.com> (issuer CN=Example CA, serial 0a1b)" */
    return g_strdup_printf (_("%s (issuer %s, serial %s)"), who, issuer, serial);
  return g_strdup_printf (_("an unknown certificate (issuer %s, serial %s)"), issuer, serial);
}

static void
set_no_key_error (GPtrArray  *ids,
                  guint       other_kinds,
                  GPtrArray  *known,
                  GError    **error)
{
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; i < ids->len; i++)
    {
      g_autofree char *one = describe_recipient (ids->pdata[i], known);

      if (i > 0)
        g_string_append (list, i + 1 == ids->len ? _(" and ") : ", ");
      g_string_append (list, one);
    }

  if (ids->len == 0)
    g_set_error (error, CACHET_ERROR, CACHET_ERROR_NO_KEY,
                 _("This message is encrypted only for kinds of recipient Cachet cannot open "
                   "(key agreement, shared key or password); none of your keys can open it."));
  else if (other_kinds > 0)
    g_set_error (error, CACHET_ERROR, CACHET_ERROR_NO_KEY,
                 _("This message is encrypted for %s, and for %u recipients of a kind Cachet "
                   "cannot open; none of your keys can open it."), list->str, other_kinds);
  else
    g_set_error (error, CACHET_ERROR, CACHET_ERROR_NO_KEY,
                 _("This message is encrypted for %s; none of your keys can open it."), list->str);
}

/* Reads the content of a primitive element whose header was just read. */
static GBytes *
read_primitive (CachetBerReader  *reader,
                CachetBerHeader  *header,
                GError          **error)
{
  if (header->constructed)
    return malformed (error), NULL;
  return cachet_ber_reader_read_element (reader, header, FALSE, error);
}

CachetEnvelopedInfo *
cachet_enveloped_data_decrypt (GMimeStream   *input,
                               GPtrArray     *credentials,
                               GPtrArray     *known,
                               GMimeStream   *output,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(CachetBerReader) reader = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func ((GDestroyNotify) recipient_id_free);
  g_autoptr(GBytes) oid_bytes = NULL;
  g_autoptr(GBytes) algorithm_der = NULL;
  g_autoptr(GBytes) mac = NULL;
  g_autofree char *outer_oid = NULL;
  g_autofree char *content_oid = NULL;
  g_auto(asn1_node) algorithm = NULL;
  CachetCredentials *chosen = NULL;
  RecipientId *chosen_id = NULL;
  const CipherInfo *info;
  CachetBerHeader header;
  Decipher d = { 0 };
  guint8 key[MAX_KEY_SIZE];
  guint8 iv[16];
  gsize iv_size = 0;
  long icv_length = 12;
  gboolean authenticated, is, at_end;
  guint other_kinds = 0;
  gboolean key_unwrapped = FALSE;
  CachetEnvelopedInfo *result = NULL;
  int rc;

  g_return_val_if_fail (GMIME_IS_STREAM (input), NULL);
  g_return_val_if_fail (GMIME_IS_STREAM (output), NULL);

  reader = cachet_ber_reader_new (input, _("The encrypted message"), cancellable);

  /* ContentInfo */
  if (!cachet_ber_reader_expect (reader, &header, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SEQUENCE, error) ||
      !cachet_ber_reader_enter (reader, &header, error) ||
      !cachet_ber_reader_expect (reader, &header, CACHET_BER_CLASS_UNIVERSAL, FALSE, CACHET_BER_TAG_OID, error) ||
      !(oid_bytes = read_primitive (reader, &header, error)))
    return NULL;

  outer_oid = oid_to_string (g_bytes_get_data (oid_bytes, NULL), g_bytes_get_size (oid_bytes));
  if (g_strcmp0 (outer_oid, CACHET_OID_ENVELOPED_DATA) == 0)
    authenticated = FALSE;
  else if (g_strcmp0 (outer_oid, CACHET_OID_AUTH_ENVELOPED_DATA) == 0)
    authenticated = TRUE;
  else
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("This is not an encrypted message: it holds another kind of CMS content "
                     "(%s)."), outer_oid ? outer_oid : "?");
      return NULL;
    }

  if (!cachet_ber_reader_expect (reader, &header, CACHET_BER_CLASS_CONTEXT, TRUE, 0, error) ||
      !cachet_ber_reader_enter (reader, &header, error) ||
      !cachet_ber_reader_expect (reader, &header, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SEQUENCE, error) ||
      !cachet_ber_reader_enter (reader, &header, error) ||
      !cachet_ber_reader_expect (reader, &header, CACHET_BER_CLASS_UNIVERSAL, FALSE, CACHET_BER_TAG_INTEGER, error) ||
      !cachet_ber_reader_skip (reader, &header, error))
    return NULL;

  /* originatorInfo [0]: certificates we do not need */
  if (!cachet_ber_reader_peek_is (reader, CACHET_BER_CLASS_CONTEXT, 0, &is, error))
    return NULL;
  if (is && (!cachet_ber_reader_read_header (reader, &header, error) ||
             !cachet_ber_reader_skip (reader, &header, error)))
    return NULL;

  /* recipientInfos */
  if (!cachet_ber_reader_expect (reader, &header, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SET, error) ||
      !cachet_ber_reader_enter (reader, &header, error))
    return NULL;

  for (;;)
    {
      CachetBerHeader child;
      g_autoptr(GBytes) element = NULL;

      if (!cachet_ber_reader_at_end (reader, &at_end, error))
        return NULL;
      if (at_end)
        break;
      if (!cachet_ber_reader_read_header (reader, &child, error))
        return NULL;

      if (child.tag_class == CACHET_BER_CLASS_UNIVERSAL && child.tag == CACHET_BER_TAG_SEQUENCE)
        {
          RecipientId *id;

          if (ids->len >= CACHET_LIMIT_RECIPIENTS)
            {
              g_set_error (error, CACHET_ERROR, CACHET_ERROR_TOO_LARGE,
                           _("The encrypted message has too many recipients to be read safely."));
              return NULL;
            }
          element = cachet_ber_reader_read_element (reader, &child, TRUE, error);
          if (element == NULL || (id = parse_key_trans (element, error)) == NULL)
            return NULL;
          g_ptr_array_add (ids, id);
        }
      else
        {
          /* key agreement [1], KEK [2], password [3], other [4]: not ours to open */
          g_debug ("Skipping a recipient of kind [%u], which Cachet cannot open", child.tag);
          other_kinds++;
          if (!cachet_ber_reader_skip (reader, &child, error))
            return NULL;
        }
    }
  if (!cachet_ber_reader_leave (reader, error))
    return NULL;

  /* Which of our keys is a recipient? */
  for (guint c = 0; credentials != NULL && c < credentials->len && chosen == NULL; c++)
    {
      CachetCertificate *certificate = cachet_credentials_get_certificate (credentials->pdata[c]);

      for (guint i = 0; i < ids->len; i++)
        if (certificate_matches (certificate, ids->pdata[i]))
          {
            chosen = credentials->pdata[c];
            chosen_id = ids->pdata[i];
            break;
          }
    }

  if (chosen == NULL)
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new ();

      /* our own certificates name recipients too */
      for (guint c = 0; credentials != NULL && c < credentials->len; c++)
        g_ptr_array_add (names, cachet_credentials_get_certificate (credentials->pdata[c]));
      for (guint i = 0; known != NULL && i < known->len; i++)
        g_ptr_array_add (names, known->pdata[i]);
      set_no_key_error (ids, other_kinds, names, error);
      return NULL;
    }

  /* encryptedContentInfo */
  if (!cachet_ber_reader_expect (reader, &header, CACHET_BER_CLASS_UNIVERSAL, TRUE, CACHET_BER_TAG_SEQUENCE, error) ||
      !cachet_ber_reader_enter (reader, &header, error) ||
      !cachet_ber_reader_expect (reader, &header, CACHET_BER_CLASS_UNIVERSAL, FALSE, CACHET_BER_TAG_OID, error) ||
      !cachet_ber_reader_skip (reader, &header, error) ||
      !(algorithm_der = cachet_ber_reader_read_next (reader, error)))
    return NULL;

  algorithm = _cachet_asn1_decode ("CachetCMS.AlgorithmIdentifier",
                                   g_bytes_get_data (algorithm_der, NULL),
                                   g_bytes_get_size (algorithm_der),
                                   _("The encrypted message"), error);
  if (algorithm == NULL)
    return NULL;
  content_oid = _cachet_asn1_read_oid (algorithm, "algorithm");
  info = content_oid ? cipher_by_oid (content_oid) : NULL;
  if (info == NULL)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                   _("This message is encrypted with a cipher Cachet does not support (%s). "
                     "Ask the sender to use AES."), content_oid ? content_oid : "?");
      return NULL;
    }
  if (info->gcm != authenticated)
    return malformed (error), NULL;

  {
    g_autoptr(GBytes) parameters = _cachet_asn1_read_bytes (algorithm, "parameters");

    if (parameters == NULL)
      return malformed (error), NULL;

    if (info->gcm)
      {
        g_auto(asn1_node) gcm = _cachet_asn1_decode ("CachetCMS.GCMParameters",
                                                     g_bytes_get_data (parameters, NULL),
                                                     g_bytes_get_size (parameters),
                                                     _("The encrypted message"), error);
        g_autoptr(GBytes) nonce = NULL;

        if (gcm == NULL)
          return NULL;
        nonce = _cachet_asn1_read_bytes (gcm, "nonce");
        /* icvLength is INTEGER DEFAULT 12: absent means 12 */
        if (!_cachet_asn1_read_int (gcm, "icvLength", &icv_length))
          icv_length = 12;
        if (nonce == NULL || icv_length < 12 || icv_length > 16)
          return malformed (error), NULL;
        if (g_bytes_get_size (nonce) != GCM_NONCE_SIZE)
          {
            g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                         _("This message uses an AES-GCM nonce of %u bytes; Cachet supports only "
                           "the usual 12 bytes."), (guint) g_bytes_get_size (nonce));
            return NULL;
          }
        iv_size = GCM_NONCE_SIZE;
        memcpy (iv, g_bytes_get_data (nonce, NULL), iv_size);
      }
    else
      {
        gsize size;
        const guint8 *data = g_bytes_get_data (parameters, &size);

        /* CBCParameter ::= OCTET STRING (the IV) */
        if (size != 2 + info->block_size || data[0] != CACHET_BER_TAG_OCTET_STRING ||
            data[1] != info->block_size)
          return malformed (error), NULL;
        iv_size = info->block_size;
        memcpy (iv, data + 2, iv_size);
      }
  }

  /* Unwrap the content-encryption key. Any failure here is hidden behind a random key. */
  if (g_strcmp0 (chosen_id->key_algorithm, CACHET_OID_RSAES_OAEP) == 0)
    {
      /* GnuTLS decrypts RSA-OAEP from 3.8.4 on (a key whose SPKI says RSA-OAEP); until that
       * path is written and tested against such a GnuTLS, every build answers clearly. */
#if GNUTLS_VERSION_NUMBER >= 0x030804
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                   _("This message uses RSA-OAEP key transport, which this version of Cachet "
                     "cannot open yet. Ask the sender to use RSA PKCS #1 v1.5 key transport."));
#else
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                   _("This message uses RSA-OAEP, which needs GnuTLS 3.8.4 or newer. Ask the "
                     "sender to use RSA PKCS #1 v1.5 key transport, or update GnuTLS."));
#endif
      return NULL;
    }
  if (g_strcmp0 (chosen_id->key_algorithm, CACHET_OID_RSA_ENCRYPTION) != 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                   _("This message wraps its key with an algorithm Cachet does not support (%s)."),
                   chosen_id->key_algorithm);
      return NULL;
    }
  {
    gnutls_privkey_t private_key = cachet_credentials_get_private_key (chosen);
    gnutls_datum_t wrapped = { (unsigned char *) g_bytes_get_data (chosen_id->encrypted_key, NULL),
                               g_bytes_get_size (chosen_id->encrypted_key) };

    if (gnutls_privkey_get_pk_algorithm (private_key, NULL) != GNUTLS_PK_RSA)
      {
        g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                     _("This message is encrypted for a key that is not RSA; Cachet can only "
                       "open messages encrypted to RSA keys."));
        return NULL;
      }

    rc = gnutls_privkey_decrypt_data2 (private_key, 0, &wrapped, key, info->key_size);
    key_unwrapped = rc >= 0;
    if (!key_unwrapped)
      gnutls_rnd (GNUTLS_RND_NONCE, key, info->key_size);
  }

  {
    gnutls_datum_t key_datum = { key, info->key_size };
    gnutls_datum_t iv_datum = { iv, iv_size };

    rc = gnutls_cipher_init (&d.handle, info->algorithm, &key_datum, &iv_datum);
    gnutls_memset (key, 0, sizeof key);
    if (rc < 0)
      {
        g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                     _("The cryptographic library cannot use the cipher %s here (%s)."),
                     info->name, gnutls_strerror (rc));
        return NULL;
      }
  }

  d.info = info;
  d.output = output;
  d.staging = g_malloc (CHUNK_SIZE);
  d.plain = g_malloc (CHUNK_SIZE);

  /* encryptedContent [0] IMPLICIT OCTET STRING, primitive or constructed */
  if (!cachet_ber_reader_peek_is (reader, CACHET_BER_CLASS_CONTEXT, 0, &is, error))
    goto out;
  if (!is)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                   _("The encrypted content is not inside this message (detached content is "
                     "not supported)."));
      goto out;
    }
  if (!cachet_ber_reader_read_header (reader, &header, error) ||
      !cachet_ber_reader_stream_octets (reader, &header, decipher_chunk, &d, error) ||
      !cachet_ber_reader_leave (reader, error))
    goto out;

  if (authenticated)
    {
      guint8 tag[GCM_TAG_SIZE];

      if (!cachet_ber_reader_peek_is (reader, CACHET_BER_CLASS_CONTEXT, 1, &is, error))
        goto out;
      if (is)
        {
          /* authAttrs would have to be fed as additional data before the content, but they
           * only come after it. OpenSSL, Thunderbird and Outlook do not write them. */
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                       _("This message carries authenticated attributes, which Cachet cannot "
                         "check yet. Nothing was written."));
          goto out;
        }
      if (!cachet_ber_reader_expect (reader, &header, CACHET_BER_CLASS_UNIVERSAL, FALSE,
                                     CACHET_BER_TAG_OCTET_STRING, error) ||
          !(mac = read_primitive (reader, &header, error)))
        goto out;
      if (!decipher_flush (&d, TRUE, error))
        goto out;
      if (g_bytes_get_size (mac) != (gsize) icv_length)
        {
          decrypt_failed (error);
          goto out;
        }
      if ((rc = gnutls_cipher_tag (d.handle, tag, GCM_TAG_SIZE)) < 0 ||
          !constant_time_equal (tag, g_bytes_get_data (mac, NULL), icv_length))
        {
          decrypt_failed (error);
          goto out;
        }
    }
  else if (!decipher_flush (&d, TRUE, error))
    goto out;

  /* unprotectedAttrs [1] / unauthAttrs [2]: nothing Cachet uses */
  for (;;)
    {
      if (!cachet_ber_reader_at_end (reader, &at_end, error))
        goto out;
      if (at_end)
        break;
      if (!cachet_ber_reader_read_header (reader, &header, error))
        goto out;
      if (header.tag_class != CACHET_BER_CLASS_CONTEXT || (header.tag != 1 && header.tag != 2))
        {
          malformed (error);
          goto out;
        }
      if (!cachet_ber_reader_skip (reader, &header, error))
        goto out;
    }

  if (!cachet_ber_reader_leave (reader, error) ||   /* the envelope */
      !cachet_ber_reader_leave (reader, error) ||   /* [0] EXPLICIT */
      !cachet_ber_reader_leave (reader, error))     /* ContentInfo */
    goto out;

  /* A random key can, rarely, still give valid CBC padding: the content was deciphered all
   * the same (no timing difference), and the answer is the one every other failure gets. */
  if (!key_unwrapped)
    {
      decrypt_failed (error);
      goto out;
    }

  if (g_mime_stream_flush (output) < 0)
    {
      _cachet_error_set_write_failed (error);
      goto out;
    }

  result = g_new0 (CachetEnvelopedInfo, 1);
  result->cipher = g_strdup (info->name);
  result->authenticated = authenticated;
  result->recipient = g_object_ref (cachet_credentials_get_certificate (chosen));

out:
  if (d.handle != NULL)
    gnutls_cipher_deinit (d.handle);
  if (d.plain != NULL)
    {
      gnutls_memset (d.plain, 0, CHUNK_SIZE);
      g_free (d.plain);
    }
  if (d.staging != NULL)
    g_free (d.staging);
  return result;
}

gboolean
cachet_enveloped_data_sniff (const guint8 *data,
                             gsize         size)
{
  gsize i = 2;

  if (size < 2 || data[0] != 0x30)
    return FALSE;

  if (data[1] & 0x80)
    i += data[1] & 0x7F;
  if (data[1] > 0x84)
    return FALSE;

  if (i + sizeof oid_auth_enveloped_der <= size &&
      memcmp (data + i, oid_auth_enveloped_der, sizeof oid_auth_enveloped_der) == 0)
    return TRUE;
  return i + sizeof oid_enveloped_der <= size &&
         memcmp (data + i, oid_enveloped_der, sizeof oid_enveloped_der) == 0;
}
