/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-pkcs12.c: PKCS#12 import and export with GnuTLS.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>

#include "cachet-error.h"
#include "cachet-limits.h"
#include "cachet-pkcs12.h"

/* Far above what any exporter uses (GnuTLS 600,000; OpenSSL 2,048; Windows 2,000). */
#define MAX_MAC_ITERATIONS CACHET_LIMIT_PKCS12_ITERATIONS

static void
set_malformed (GError **error,
               int      code)
{
  if (code == GNUTLS_E_UNKNOWN_CIPHER_TYPE || code == GNUTLS_E_UNKNOWN_HASH_ALGORITHM ||
      code == GNUTLS_E_UNKNOWN_ALGORITHM || code == GNUTLS_E_UNKNOWN_PK_ALGORITHM ||
      code == GNUTLS_E_UNIMPLEMENTED_FEATURE)
    g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                 _("This PKCS#12 file uses a protection or key type Cachet cannot read (%s). Export it again with AES-256 or 3DES and an RSA or ECDSA key."),
                 gnutls_strerror (code));
  else
    g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                 _("The file is not a readable PKCS#12 (.p12/.pfx) file (%s). Check that it is complete and export it again if needed."),
                 gnutls_strerror (code));
}

static void
set_bad_password (GError **error)
{
  g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_BAD_PASSWORD,
                       _("The password for this PKCS#12 file is wrong. Type the password it was exported with."));
}

/* PEM armour ("-----BEGIN PKCS12-----", as notmuch's files have) or plain DER. */
static gnutls_x509_crt_fmt_t
guess_format (GBytes *data)
{
  gsize size;
  const char *bytes = g_bytes_get_data (data, &size);

  if (size > 0 && (guchar) bytes[0] == 0x30)
    return GNUTLS_X509_FMT_DER;
  if (g_strstr_len (bytes, size, "-----BEGIN ") != NULL)
    return GNUTLS_X509_FMT_PEM;
  return GNUTLS_X509_FMT_DER;
}

static int
import_pkcs12 (gnutls_pkcs12_t  p12,
               GBytes          *data)
{
  gnutls_datum_t datum;
  gnutls_x509_crt_fmt_t format = guess_format (data);
  gsize size;
  int ret;

  datum.data = (unsigned char *) g_bytes_get_data (data, &size);
  datum.size = size;
  ret = gnutls_pkcs12_import (p12, &datum, format, 0);
  if (ret < 0 && format == GNUTLS_X509_FMT_PEM)
    {
      /* Armour with another label ("-----BEGIN PKCS #12-----"...): decode the base64 body. */
      g_autofree char *text = g_strndup ((const char *) datum.data, datum.size);
      char *begin = strstr (text, "-----BEGIN ");
      char *body = begin != NULL ? strstr (begin, "-----\n") : NULL;
      char *end = body != NULL ? strstr (body + 6, "-----END ") : NULL;

      if (end != NULL)
        {
          gsize der_size = 0;
          g_autofree guchar *der = NULL;

          *end = '\0';
          der = g_base64_decode (body + 6, &der_size);
          if (der != NULL && der_size > 0)
            {
              gnutls_datum_t der_datum = { der, der_size };
              ret = gnutls_pkcs12_import (p12, &der_datum, GNUTLS_X509_FMT_DER, 0);
            }
        }
    }
  return ret;
}

static void
set_too_much_work (GError **error)
{
  g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                       _("This PKCS#12 file asks for an unreasonable amount of work to open. Export it again with ordinary settings."));
}

/* One bag: an encrypted one must ask for a bounded PBKDF2 count before it is decrypted (with
 * PASS), and so must each shrouded key in it. A bag that cannot be read or decrypted is left
 * to gnutls_pkcs12_simple_parse, which says what is wrong with it. */
static gboolean
check_bag_iterations (gnutls_pkcs12_bag_t   bag,
                      const char           *pass,
                      guint64              *total,
                      GError              **error)
{
  int count;

  if (gnutls_pkcs12_bag_get_type (bag, 0) == GNUTLS_BAG_ENCRYPTED)
    {
      unsigned int schema = 0, cipher = 0, iterations = 0;
      char *oid = NULL;
      int ret = gnutls_pkcs12_bag_enc_info (bag, &schema, &cipher, NULL, NULL, &iterations, &oid);

      gnutls_free (oid);
      if (ret < 0)
        return TRUE;
      *total += iterations;
      if (*total > CACHET_LIMIT_PKCS12_ITERATIONS)
        {
          set_too_much_work (error);
          return FALSE;
        }
      /* an empty password is "" or none, as in cachet_pkcs12_import */
      if (gnutls_pkcs12_bag_decrypt (bag, pass) < 0 &&
          (pass == NULL || *pass != '\0' || gnutls_pkcs12_bag_decrypt (bag, NULL) < 0))
        return TRUE;
    }

  count = gnutls_pkcs12_bag_get_count (bag);
  for (int i = 0; i < count; i++)
    {
      gnutls_datum_t data = { NULL, 0 };
      unsigned int schema = 0, cipher = 0, iterations = 0;
      char *oid = NULL;
      int ret;

      if (gnutls_pkcs12_bag_get_type (bag, i) != GNUTLS_BAG_PKCS8_ENCRYPTED_KEY ||
          gnutls_pkcs12_bag_get_data (bag, i, &data) < 0)
        continue;
      ret = gnutls_pkcs8_info (&data, GNUTLS_X509_FMT_DER, &schema, &cipher, NULL, NULL,
                               &iterations, &oid);
      gnutls_free (oid);
      if (ret >= 0)
        *total += iterations;
      if (*total > CACHET_LIMIT_PKCS12_ITERATIONS)
        {
          set_too_much_work (error);
          return FALSE;
        }
    }
  return TRUE;
}

/* GnuTLS runs PBKDF2 for as many iterations as a file asks, billions included, and again for
 * each bag: refuse a file whose bags and keys ask for more than the bound together before
 * gnutls_pkcs12_simple_parse starts on it. */
static gboolean
check_bag_iterations_all (gnutls_pkcs12_t   p12,
                          const char       *pass,
                          GError          **error)
{
  guint64 total = 0;

  for (int index = 0; ; index++)
    {
      gnutls_pkcs12_bag_t bag = NULL;
      gboolean ok;
      int ret;

      if (gnutls_pkcs12_bag_init (&bag) < 0)
        return TRUE;
      ret = gnutls_pkcs12_get_bag (p12, index, bag);
      if (ret < 0)
        {
          gnutls_pkcs12_bag_deinit (bag);
          return TRUE;
        }
      ok = check_bag_iterations (bag, pass, &total, error);
      gnutls_pkcs12_bag_deinit (bag);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
certificates_equal (gnutls_x509_crt_t a,
                    gnutls_x509_crt_t b)
{
  return gnutls_x509_crt_equals (a, b) != 0;
}

CachetCredentials *
cachet_pkcs12_import (GBytes      *data,
                      const char  *password,
                      GError     **error)
{
  gnutls_pkcs12_t p12 = NULL;
  gnutls_x509_privkey_t x509_key = NULL;
  gnutls_x509_crt_t *chain = NULL;
  unsigned int chain_size = 0;
  gnutls_x509_crt_t *extra = NULL;
  unsigned int extra_size = 0;
  gnutls_privkey_t key = NULL;
  g_autoptr(CachetCertificate) certificate = NULL;
  g_autoptr(GPtrArray) intermediates = NULL;
  CachetCredentials *credentials = NULL;
  const char *pass = password != NULL ? password : "";
  unsigned int mac_algorithm = 0;
  unsigned int mac_iterations = 0;
  char *mac_oid = NULL;
  gboolean mac_verified = FALSE;
  int ret;

  g_return_val_if_fail (data != NULL, NULL);

  ret = gnutls_pkcs12_init (&p12);
  if (ret >= 0)
    ret = import_pkcs12 (p12, data);
  if (ret < 0)
    {
      set_malformed (error, ret);
      goto out;
    }

  /* A file with a MAC must pass it: that is the password check. An empty password is written
   * as either "" or no password at all by different programs: accept both. */
  /* ask for the OID too: GnuTLS 3.7 leaks it on an unknown MAC unless the caller takes it */
  ret = gnutls_pkcs12_mac_info (p12, &mac_algorithm, NULL, NULL, &mac_iterations, &mac_oid);
  gnutls_free (mac_oid);
  if (ret >= 0 && mac_iterations > MAX_MAC_ITERATIONS)
    {
      /* a hostile file could ask for billions of iterations and hang the import */
      g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                           _("This PKCS#12 file asks for an unreasonable amount of work to open. Export it again with ordinary settings."));
      goto out;
    }
  /* GnuTLS answers GNUTLS_E_INVALID_REQUEST when the file has no MAC at all (openssl -nomac) */
  if (ret == GNUTLS_E_INVALID_REQUEST)
    ret = GNUTLS_E_ASN1_ELEMENT_NOT_FOUND;
  if (ret < 0 && ret != GNUTLS_E_ASN1_ELEMENT_NOT_FOUND)
    {
      /* A MAC we cannot check (PBMAC1 of RFC 9579 is newer than GnuTLS 3.7) is never skipped. */
      g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                           _("This PKCS#12 file is protected by an integrity check Cachet cannot verify (such as PBMAC1). Export it again with a SHA-256 or SHA-1 MAC."));
      goto out;
    }
  if (ret >= 0)
    {
      ret = gnutls_pkcs12_verify_mac (p12, pass);
      if (ret < 0 && *pass == '\0' && gnutls_pkcs12_verify_mac (p12, NULL) >= 0)
        {
          pass = NULL;
          ret = 0;
        }
      if (ret == GNUTLS_E_MAC_VERIFY_FAILED)
        {
          set_bad_password (error);
          goto out;
        }
      if (ret < 0)
        {
          set_malformed (error, ret);
          goto out;
        }
      mac_verified = TRUE;
    }

  if (!check_bag_iterations_all (p12, pass, error))
    goto out;

  ret = gnutls_pkcs12_simple_parse (p12, pass, &x509_key, &chain, &chain_size,
                                    &extra, &extra_size, NULL, 0);
  if (ret < 0 && pass != NULL && *pass == '\0')
    ret = gnutls_pkcs12_simple_parse (p12, NULL, &x509_key, &chain, &chain_size,
                                      &extra, &extra_size, NULL, 0);
  if ((ret == GNUTLS_E_DECRYPTION_FAILED || ret == GNUTLS_E_MAC_VERIFY_FAILED) && mac_verified)
    {
      /* The password was right (the MAC holds), so the key itself cannot be read: GnuTLS
       * 3.7 rejects, for example, EC keys with explicit curve parameters. */
      g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                           _("The password is right, but the private key in this PKCS#12 file is in a form Cachet cannot read (for example an EC key with explicit curve parameters). Export it again with a named curve or an RSA key."));
      goto out;
    }
  if (ret == GNUTLS_E_DECRYPTION_FAILED || ret == GNUTLS_E_MAC_VERIFY_FAILED)
    {
      set_bad_password (error);
      goto out;
    }
  if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
    {
      g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_NO_KEY,
                           _("This PKCS#12 file holds only certificates, no private key. Import certificates with “cachet-cli contact import”, or export the identity again with its private key."));
      goto out;
    }
  if (ret < 0)
    {
      set_malformed (error, ret);
      goto out;
    }
  if (x509_key == NULL || chain_size == 0)
    {
      g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_NO_KEY,
                           x509_key == NULL
                           ? _("This PKCS#12 file holds no private key. Export the identity again with its private key.")
                           : _("This PKCS#12 file holds no certificate for its private key. Export the identity again with its certificate."));
      goto out;
    }

  certificate = cachet_certificate_new_from_gnutls (chain[0], error);
  if (certificate == NULL)
    goto out;

  intermediates = g_ptr_array_new_with_free_func (g_object_unref);
  for (unsigned int i = 1; i < chain_size; i++)
    {
      CachetCertificate *link = cachet_certificate_new_from_gnutls (chain[i], NULL);
      if (link != NULL)
        g_ptr_array_add (intermediates, link);
    }
  /* Other CA certificates in the file that the chain did not pick up (not roots). */
  for (unsigned int i = 0; i < extra_size; i++)
    {
      gboolean known = FALSE;
      CachetCertificate *other;

      for (unsigned int j = 0; j < chain_size && !known; j++)
        known = certificates_equal (extra[i], chain[j]);
      if (known)
        continue;
      other = cachet_certificate_new_from_gnutls (extra[i], NULL);
      if (other == NULL)
        continue;
      if (cachet_certificate_is_ca (other) && !cachet_certificate_is_self_signed (other))
        g_ptr_array_add (intermediates, other);
      else
        g_object_unref (other);
    }

  ret = gnutls_privkey_init (&key);
  if (ret >= 0)
    ret = gnutls_privkey_import_x509 (key, x509_key, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);
  if (ret < 0)
    {
      set_malformed (error, ret);
      goto out;
    }
  x509_key = NULL;

  credentials = cachet_credentials_new (key, certificate, intermediates, error);
  key = NULL;  /* owned by the credentials, or freed by them on failure */

out:
  if (key != NULL)
    gnutls_privkey_deinit (key);
  if (x509_key != NULL)
    gnutls_x509_privkey_deinit (x509_key);
  for (unsigned int i = 0; i < chain_size; i++)
    gnutls_x509_crt_deinit (chain[i]);
  gnutls_free (chain);
  for (unsigned int i = 0; i < extra_size; i++)
    gnutls_x509_crt_deinit (extra[i]);
  gnutls_free (extra);
  if (p12 != NULL)
    gnutls_pkcs12_deinit (p12);
  return credentials;
}

/* GnuPG 2.2's PKCS#12 reader (gpgsm, and so Kleopatra) derives a wrong 3DES key when a step of
 * the key derivation (RFC 7292, appendix B.2: I_j = I_j + B + 1) gives a 64-byte block that
 * starts with a zero byte: it writes the number back without its leading zeros. About one salt
 * in 128 does that. Says whether ENCRYPTED_KEY (a PKCS#8 EncryptedPrivateKeyInfo) is one. */
static gboolean
key_trips_gnupg (const gnutls_datum_t *encrypted_key,
                 const char           *password)
{
  guchar salt[64];
  unsigned int salt_size = sizeof salt;
  unsigned int iterations = 0;
  unsigned int schema;
  unsigned int cipher;
  g_autofree gunichar2 *units = NULL;
  glong n_units = 0;
  guchar input[64 + 128];  /* D (the key's diversifier 1), then I = S || P */
  guchar hash[20];

  if (gnutls_pkcs8_info (encrypted_key, GNUTLS_X509_FMT_DER, &schema, &cipher,
                         salt, &salt_size, &iterations, NULL) < 0
      || schema != GNUTLS_PKCS_PKCS12_3DES || salt_size == 0 || iterations == 0)
    return FALSE;
  units = g_utf8_to_utf16 (password, -1, NULL, &n_units, NULL);
  if (units == NULL || n_units > 31)
    return FALSE;  /* GnuPG reads no such password anyway */

  memset (input, 1, 64);
  for (guint i = 0; i < 64; i++)
    input[64 + i] = salt[i % salt_size];
  for (guint i = 0; i < 32; i++)
    {
      glong k = i % (n_units + 1);  /* the password as BMPString with its terminating zero, repeated */
      gunichar2 unit = k < n_units ? units[k] : 0;

      input[128 + 2 * i] = unit >> 8;
      input[128 + 2 * i + 1] = unit & 0xff;
    }

  gnutls_hash_fast (GNUTLS_DIG_SHA1, input, sizeof input, hash);
  for (unsigned int i = 1; i < iterations; i++)
    {
      guchar next[20];

      gnutls_hash_fast (GNUTLS_DIG_SHA1, hash, sizeof hash, next);
      memcpy (hash, next, sizeof hash);
    }

  for (guint block = 0; block < 2; block++)
    {
      const guchar *ij = input + 64 + 64 * block;
      guint carry = 1;
      guint top = 0;

      for (int i = 63; i >= 0; i--)
        {
          guint sum = ij[i] + hash[i % 20] + carry;

          top = sum & 0xff;
          carry = sum >> 8;
        }
      if (top == 0)
        return TRUE;
    }
  return FALSE;
}

/* The key as a PKCS#8 EncryptedPrivateKeyInfo; a legacy one is made again with a fresh salt
 * until GnuPG 2.2 can read it too. */
static int
export_key (gnutls_x509_privkey_t  key,
            const char            *password,
            gboolean               legacy,
            gnutls_datum_t        *out)
{
  unsigned int cipher = legacy ? GNUTLS_PKCS_PKCS12_3DES : GNUTLS_PKCS_PBES2_AES_256;
  int ret;

  for (guint attempt = 0; ; attempt++)
    {
      ret = gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_DER, password, cipher, out);
      if (ret < 0 || !legacy || attempt == 16 || !key_trips_gnupg (out, password))
        return ret;
      gnutls_memset (out->data, 0, out->size);
      gnutls_free (out->data);
      out->data = NULL;
    }
}

gboolean
_cachet_pkcs12_trips_gnupg (GBytes     *data,
                            const char *password)
{
  gnutls_datum_t der = { (guchar *) g_bytes_get_data (data, NULL), g_bytes_get_size (data) };
  gnutls_pkcs12_t p12 = NULL;
  gboolean trips = FALSE;

  if (gnutls_pkcs12_init (&p12) < 0)
    return FALSE;
  if (gnutls_pkcs12_import (p12, &der, GNUTLS_X509_FMT_DER, 0) >= 0)
    for (int index = 0; !trips; index++)
      {
        gnutls_pkcs12_bag_t bag = NULL;
        int count;

        if (gnutls_pkcs12_bag_init (&bag) < 0)
          break;
        if (gnutls_pkcs12_get_bag (p12, index, bag) < 0)
          {
            gnutls_pkcs12_bag_deinit (bag);
            break;
          }
        count = gnutls_pkcs12_bag_get_count (bag);
        for (int i = 0; i < count && !trips; i++)
          {
            gnutls_datum_t key = { NULL, 0 };

            if (gnutls_pkcs12_bag_get_type (bag, i) == GNUTLS_BAG_PKCS8_ENCRYPTED_KEY
                && gnutls_pkcs12_bag_get_data (bag, i, &key) >= 0)
              trips = key_trips_gnupg (&key, password);
          }
        gnutls_pkcs12_bag_deinit (bag);
      }
  gnutls_pkcs12_deinit (p12);
  return trips;
}

GBytes *
cachet_pkcs12_export (CachetCredentials  *credentials,
                      const char         *password,
                      gboolean            legacy,
                      GError            **error)
{
  CachetCertificate *certificate;
  GPtrArray *chain;
  gnutls_pkcs12_t p12 = NULL;
  gnutls_pkcs12_bag_t cert_bag = NULL;
  gnutls_pkcs12_bag_t key_bag = NULL;
  gnutls_x509_privkey_t x509_key = NULL;
  gnutls_datum_t key_der = { NULL, 0 };
  gnutls_datum_t out = { NULL, 0 };
  guchar local_id[20];
  size_t local_id_size = sizeof local_id;
  gnutls_datum_t local_id_datum;
  unsigned int cipher = legacy ? GNUTLS_PKCS_PKCS12_3DES : GNUTLS_PKCS_PBES2_AES_256;
  const char *pass = password != NULL ? password : "";
  const char *friendly;
  GBytes *result = NULL;
  int index;
  int ret;

  g_return_val_if_fail (CACHET_IS_CREDENTIALS (credentials), NULL);

  certificate = cachet_credentials_get_certificate (credentials);
  chain = cachet_credentials_get_chain (credentials);
  friendly = cachet_certificate_get_name (certificate);

  ret = gnutls_x509_crt_get_key_id (cachet_certificate_get_gnutls (certificate), 0,
                                    local_id, &local_id_size);
  local_id_datum.data = local_id;
  local_id_datum.size = local_id_size;

  if (ret >= 0) ret = gnutls_pkcs12_init (&p12);
  if (ret >= 0) ret = gnutls_pkcs12_bag_init (&cert_bag);
  if (ret >= 0) ret = index = gnutls_pkcs12_bag_set_crt (cert_bag, cachet_certificate_get_gnutls (certificate));
  if (ret >= 0) ret = gnutls_pkcs12_bag_set_key_id (cert_bag, index, &local_id_datum);
  if (ret >= 0 && friendly != NULL) ret = gnutls_pkcs12_bag_set_friendly_name (cert_bag, index, friendly);
  for (guint i = 0; ret >= 0 && i < chain->len; i++)
    ret = gnutls_pkcs12_bag_set_crt (cert_bag, cachet_certificate_get_gnutls (g_ptr_array_index (chain, i)));
  /* Legacy files protect the (public) certificates with RC2-40 and the key with 3DES, exactly
   * like `openssl pkcs12 -export -legacy`: gpgsm 2.2 fails on GnuTLS's 3DES certificate bag
   * when it holds a chain. */
  if (ret >= 0) ret = gnutls_pkcs12_bag_encrypt (cert_bag, pass, legacy ? GNUTLS_PKCS_PKCS12_RC2_40 : cipher);
  if (ret >= 0) ret = gnutls_pkcs12_set_bag (p12, cert_bag);

  if (ret >= 0) ret = gnutls_privkey_export_x509 (cachet_credentials_get_private_key (credentials), &x509_key);
  if (ret >= 0) ret = export_key (x509_key, pass, legacy, &key_der);
  if (ret >= 0) ret = gnutls_pkcs12_bag_init (&key_bag);
  if (ret >= 0) ret = index = gnutls_pkcs12_bag_set_data (key_bag, GNUTLS_BAG_PKCS8_ENCRYPTED_KEY, &key_der);
  if (ret >= 0) ret = gnutls_pkcs12_bag_set_key_id (key_bag, index, &local_id_datum);
  if (ret >= 0 && friendly != NULL) ret = gnutls_pkcs12_bag_set_friendly_name (key_bag, index, friendly);
  if (ret >= 0) ret = gnutls_pkcs12_set_bag (p12, key_bag);
  if (ret >= 0) ret = gnutls_pkcs12_generate_mac2 (p12, legacy ? GNUTLS_MAC_SHA1 : GNUTLS_MAC_SHA256, pass);
  if (ret >= 0) ret = gnutls_pkcs12_export2 (p12, GNUTLS_X509_FMT_DER, &out);

  if (ret < 0)
    g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
                 _("The PKCS#12 file could not be made (%s). Check that the identity’s key is an RSA or ECDSA key."),
                 gnutls_strerror (ret));
  else
    result = g_bytes_new (out.data, out.size);

  if (key_der.data != NULL)
    {
      gnutls_memset (key_der.data, 0, key_der.size);
      gnutls_free (key_der.data);
    }
  gnutls_free (out.data);
  if (x509_key != NULL)
    gnutls_x509_privkey_deinit (x509_key);
  if (key_bag != NULL)
    gnutls_pkcs12_bag_deinit (key_bag);
  if (cert_bag != NULL)
    gnutls_pkcs12_bag_deinit (cert_bag);
  if (p12 != NULL)
    gnutls_pkcs12_deinit (p12);
  return result;
}

typedef struct {
  GBytes            *data;
  CachetCredentials *credentials;
  char              *password;
  gboolean           legacy;
} Pkcs12Job;

static void
pkcs12_job_free (Pkcs12Job *job)
{
  g_clear_pointer (&job->data, g_bytes_unref);
  g_clear_object (&job->credentials);
  if (job->password != NULL)
    {
      gnutls_memset (job->password, 0, strlen (job->password));
      g_free (job->password);
    }
  g_free (job);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Pkcs12Job *job = task_data;
  GError *error = NULL;
  CachetCredentials *credentials;

  credentials = cachet_pkcs12_import (job->data, job->password, &error);
  if (credentials == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, credentials, g_object_unref);
}

void
cachet_pkcs12_import_async (GBytes              *data,
                            const char          *password,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Pkcs12Job *job = g_new0 (Pkcs12Job, 1);

  g_task_set_source_tag (task, cachet_pkcs12_import_async);
  job->data = g_bytes_ref (data);
  job->password = g_strdup (password);
  g_task_set_task_data (task, job, (GDestroyNotify) pkcs12_job_free);
  g_task_run_in_thread (task, import_thread);
}

CachetCredentials *
cachet_pkcs12_import_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Pkcs12Job *job = task_data;
  GError *error = NULL;
  GBytes *bytes;

  bytes = cachet_pkcs12_export (job->credentials, job->password, job->legacy, &error);
  if (bytes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

void
cachet_pkcs12_export_async (CachetCredentials   *credentials,
                            const char          *password,
                            gboolean             legacy,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Pkcs12Job *job = g_new0 (Pkcs12Job, 1);

  g_task_set_source_tag (task, cachet_pkcs12_export_async);
  job->credentials = g_object_ref (credentials);
  job->password = g_strdup (password);
  job->legacy = legacy;
  g_task_set_task_data (task, job, (GDestroyNotify) pkcs12_job_free);
  g_task_run_in_thread (task, export_thread);
}

GBytes *
cachet_pkcs12_export_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
