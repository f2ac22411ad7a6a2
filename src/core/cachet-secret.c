/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-secret.c: private keys in the Secret Service through libsecret.
 *
 * Keys travel as unencrypted PKCS#8 DER inside libsecret's secure memory only; every buffer
 * that held them is wiped with gnutls_memset before it is freed.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gnutls/x509.h>
#include <libsecret/secret.h>

#include "cachet-error.h"
#include "cachet-secret.h"

#define KEY_CONTENT_TYPE "application/pkcs8"

enum { KEYRING_STORE, KEYRING_READ, KEYRING_DELETE };

static const SecretSchema *
cachet_key_schema (void)
{
  static const SecretSchema schema = {
    APP_ID ".PrivateKey", SECRET_SCHEMA_NONE,
    {
      { "key-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  };
  return &schema;
}

/* Turns whatever libsecret or D-Bus said into one sentence a person can act on. */
static void
propagate_keyring_error (GError  **error,
                         GError   *cause,
                         int       what)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, cause);
      return;
    }

  g_debug ("Secret Service: %s", cause->message);
  g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_KEYRING,
                       what == KEYRING_STORE
                       ? _("The private key could not be stored because no unlocked keyring answered: install and start a Secret Service such as gnome-keyring, unlock your login keyring, and try again.")
                       : what == KEYRING_DELETE
                       ? _("The private key could not be removed because no unlocked keyring answered: install and start a Secret Service such as gnome-keyring, unlock your login keyring, and try again.")
                       : _("Your private keys cannot be read because no unlocked keyring answered: install and start a Secret Service such as gnome-keyring, unlock your login keyring, and try again."));
  g_error_free (cause);
}

static char *
hex_encode (const guchar *data,
            gsize         length)
{
  GString *hex = g_string_sized_new (length * 2 + 1);

  for (gsize i = 0; i < length; i++)
    g_string_append_printf (hex, "%02x", data[i]);
  return g_string_free (hex, FALSE);
}

char *
cachet_secret_key_id_for_pubkey (gnutls_pubkey_t pubkey)
{
  guchar id[64];
  size_t id_size = sizeof id;

  g_return_val_if_fail (pubkey != NULL, NULL);

  if (gnutls_pubkey_get_key_id (pubkey, GNUTLS_KEYID_USE_SHA256, id, &id_size) < 0)
    return NULL;
  return hex_encode (id, id_size);
}

char *
cachet_secret_key_id_for_privkey (gnutls_privkey_t key)
{
  gnutls_pubkey_t pubkey = NULL;
  char *id = NULL;

  g_return_val_if_fail (key != NULL, NULL);

  if (gnutls_pubkey_init (&pubkey) < 0)
    return NULL;
  if (gnutls_pubkey_import_privkey (pubkey, key, 0, 0) >= 0)
    id = cachet_secret_key_id_for_pubkey (pubkey);
  gnutls_pubkey_deinit (pubkey);
  return id;
}

gboolean
cachet_secret_store_key (const char        *key_id,
                         const char        *label,
                         gnutls_privkey_t   key,
                         GCancellable      *cancellable,
                         GError           **error)
{
  gnutls_x509_privkey_t x509_key = NULL;
  gnutls_datum_t der = { NULL, 0 };
  SecretValue *value;
  GError *local_error = NULL;
  gboolean stored;
  int ret;

  g_return_val_if_fail (key_id != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  ret = gnutls_privkey_export_x509 (key, &x509_key);
  if (ret >= 0)
    ret = gnutls_x509_privkey_export2_pkcs8 (x509_key, GNUTLS_X509_FMT_DER, NULL,
                                             GNUTLS_PKCS_PLAIN, &der);
  if (x509_key != NULL)
    gnutls_x509_privkey_deinit (x509_key);
  if (ret < 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                   _("This private key cannot be saved in the keyring (%s). Use an RSA or ECDSA key."),
                   gnutls_strerror (ret));
      return FALSE;
    }

  /* secret_value_new copies into libsecret's secure memory. */
  value = secret_value_new ((const char *) der.data, der.size, KEY_CONTENT_TYPE);
  gnutls_memset (der.data, 0, der.size);
  gnutls_free (der.data);

  stored = secret_password_store_binary_sync (cachet_key_schema (), SECRET_COLLECTION_DEFAULT,
                                              label != NULL ? label : _("Cachet private key"),
                                              value, cancellable, &local_error,
                                              "key-id", key_id, NULL);
  secret_value_unref (value);

  if (!stored)
    {
      if (local_error == NULL)
        local_error = g_error_new_literal (CACHET_ERROR, CACHET_ERROR_KEYRING, "store refused");
      propagate_keyring_error (error, local_error, KEYRING_STORE);
      return FALSE;
    }
  return TRUE;
}

gnutls_privkey_t
cachet_secret_load_key (const char    *key_id,
                        GCancellable  *cancellable,
                        GError       **error)
{
  SecretValue *value;
  GError *local_error = NULL;
  gnutls_x509_privkey_t x509_key = NULL;
  gnutls_privkey_t key = NULL;
  gnutls_datum_t der;
  gsize length = 0;
  int ret;

  g_return_val_if_fail (key_id != NULL, NULL);

  value = secret_password_lookup_binary_sync (cachet_key_schema (), cancellable, &local_error,
                                              "key-id", key_id, NULL);
  if (local_error != NULL)
    {
      propagate_keyring_error (error, local_error, KEYRING_READ);
      return NULL;
    }
  if (value == NULL)
    {
      g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_NOT_FOUND,
                           _("The private key of this identity is not in your keyring. Import the identity again from its PKCS#12 backup."));
      return NULL;
    }

  der.data = (unsigned char *) secret_value_get (value, &length);
  der.size = length;

  ret = gnutls_x509_privkey_init (&x509_key);
  if (ret >= 0)
    ret = gnutls_x509_privkey_import_pkcs8 (x509_key, &der, GNUTLS_X509_FMT_DER, NULL,
                                            GNUTLS_PKCS_PLAIN);
  secret_value_unref (value);  /* libsecret wipes its secure memory */

  if (ret >= 0)
    ret = gnutls_privkey_init (&key);
  if (ret >= 0)
    {
      ret = gnutls_privkey_import_x509 (key, x509_key, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);
      if (ret >= 0)
        x509_key = NULL;
    }
  if (ret < 0)
    {
      if (key != NULL)
        gnutls_privkey_deinit (key);
      if (x509_key != NULL)
        gnutls_x509_privkey_deinit (x509_key);
      g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                           _("The private key stored in your keyring cannot be read. Import the identity again from its PKCS#12 backup."));
      return NULL;
    }
  return key;
}

gboolean
cachet_secret_has_key (const char    *key_id,
                       GCancellable  *cancellable,
                       GError       **error)
{
  SecretValue *value;
  GError *local_error = NULL;

  value = secret_password_lookup_binary_sync (cachet_key_schema (), cancellable, &local_error,
                                              "key-id", key_id, NULL);
  if (local_error != NULL)
    {
      propagate_keyring_error (error, local_error, KEYRING_READ);
      return FALSE;
    }
  if (value == NULL)
    return FALSE;
  secret_value_unref (value);
  return TRUE;
}

gboolean
cachet_secret_delete_key (const char    *key_id,
                          GCancellable  *cancellable,
                          GError       **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (key_id != NULL, FALSE);

  secret_password_clear_sync (cachet_key_schema (), cancellable, &local_error,
                              "key-id", key_id, NULL);
  if (local_error != NULL)
    {
      propagate_keyring_error (error, local_error, KEYRING_DELETE);
      return FALSE;
    }
  return TRUE;
}
