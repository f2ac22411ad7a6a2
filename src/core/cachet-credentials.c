/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-credentials.c: a private key with its certificate and chain.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "cachet-credentials.h"
#include "cachet-error.h"

struct _CachetCredentials
{
  GObject            parent_instance;

  gnutls_privkey_t   key;
  CachetCertificate *certificate;
  GPtrArray         *chain;
};

G_DEFINE_FINAL_TYPE (CachetCredentials, cachet_credentials, G_TYPE_OBJECT)

static void
cachet_credentials_dispose (GObject *object)
{
  CachetCredentials *self = CACHET_CREDENTIALS (object);

  g_clear_object (&self->certificate);
  g_clear_pointer (&self->chain, g_ptr_array_unref);

  G_OBJECT_CLASS (cachet_credentials_parent_class)->dispose (object);
}

static void
cachet_credentials_finalize (GObject *object)
{
  CachetCredentials *self = CACHET_CREDENTIALS (object);

  /* gnutls_privkey_deinit wipes the key material */
  g_clear_pointer (&self->key, gnutls_privkey_deinit);

  G_OBJECT_CLASS (cachet_credentials_parent_class)->finalize (object);
}

static void
cachet_credentials_class_init (CachetCredentialsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cachet_credentials_dispose;
  object_class->finalize = cachet_credentials_finalize;
}

static void
cachet_credentials_init (CachetCredentials *self)
{
}

/* TRUE when KEY's public half is the certificate's public key. */
static gboolean
key_matches_certificate (gnutls_privkey_t   key,
                         CachetCertificate *certificate)
{
  gnutls_pubkey_t from_key = NULL, from_cert = NULL;
  guint8 id_key[64], id_cert[64];
  size_t size_key = sizeof id_key, size_cert = sizeof id_cert;
  gboolean match = FALSE;

  gnutls_pubkey_init (&from_key);
  from_cert = cachet_certificate_get_public_key (certificate, NULL);

  if (from_cert != NULL &&
      gnutls_pubkey_import_privkey (from_key, key, 0, 0) >= 0 &&
      gnutls_pubkey_get_key_id (from_key, GNUTLS_KEYID_USE_SHA256, id_key, &size_key) >= 0 &&
      gnutls_pubkey_get_key_id (from_cert, GNUTLS_KEYID_USE_SHA256, id_cert, &size_cert) >= 0)
    match = size_key == size_cert && memcmp (id_key, id_cert, size_key) == 0;

  gnutls_pubkey_deinit (from_key);
  if (from_cert)
    gnutls_pubkey_deinit (from_cert);
  return match;
}

CachetCredentials *
cachet_credentials_new (gnutls_privkey_t    key,
                        CachetCertificate  *certificate,
                        GPtrArray          *chain,
                        GError            **error)
{
  CachetCredentials *self;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (CACHET_IS_CERTIFICATE (certificate), NULL);

  if (!key_matches_certificate (key, certificate))
    {
      gnutls_privkey_deinit (key);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NO_KEY,
                   _("The private key does not belong to the certificate of “%s”."),
                   cachet_certificate_get_name (certificate));
      return NULL;
    }

  self = g_object_new (CACHET_TYPE_CREDENTIALS, NULL);
  self->key = key;
  self->certificate = g_object_ref (certificate);
  self->chain = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; chain && i < chain->len; i++)
    if (!cachet_certificate_equal (chain->pdata[i], certificate))
      g_ptr_array_add (self->chain, g_object_ref (chain->pdata[i]));

  return self;
}

CachetCredentials *
cachet_credentials_new_from_files (const char  *cert_path,
                                   const char  *key_path,
                                   GError     **error)
{
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *display = g_filename_display_name (key_path);
  gnutls_privkey_t key = NULL;
  gnutls_datum_t datum;
  gsize size = 0;
  int rc;

  certificates = cachet_certificate_list_from_file (cert_path, error);
  if (certificates == NULL)
    return NULL;

  if (!g_file_get_contents (key_path, &contents, &size, &local_error))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                   _("Could not read “%s”: %s"), display, local_error->message);
      return NULL;
    }

  datum.data = (unsigned char *) contents;
  datum.size = size;
  gnutls_privkey_init (&key);
  rc = gnutls_privkey_import_x509_raw (key, &datum, GNUTLS_X509_FMT_PEM, NULL, 0);
  if (rc < 0)
    rc = gnutls_privkey_import_x509_raw (key, &datum, GNUTLS_X509_FMT_DER, NULL, 0);
  gnutls_memset (contents, 0, size);

  if (rc < 0)
    {
      gnutls_privkey_deinit (key);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("“%s” is not an unencrypted private key Cachet can read. Use a PEM or DER key, or a PKCS#12 file."),
                   display);
      return NULL;
    }

  /* the first certificate is the signer's; the others form its chain */
  for (guint i = 0; i < certificates->len; i++)
    if (key_matches_certificate (key, certificates->pdata[i]))
      {
        g_autoptr(CachetCertificate) own = g_object_ref (certificates->pdata[i]);
        return cachet_credentials_new (key, own, certificates, error);
      }

  return cachet_credentials_new (key, certificates->pdata[0], certificates, error);
}

gnutls_privkey_t
cachet_credentials_get_private_key (CachetCredentials *self)
{
  return self->key;
}

CachetCertificate *
cachet_credentials_get_certificate (CachetCredentials *self)
{
  return self->certificate;
}

GPtrArray *
cachet_credentials_get_chain (CachetCredentials *self)
{
  return self->chain;
}
