/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-nss-roots.c: Mozilla's email trust from libnssckbi.so through p11-kit.
 *
 * GnuTLS's PKCS#11 listing shows the module's certificates but not its trust objects, which
 * are of NSS's vendor class; so this file talks PKCS#11 directly: every CKO_NSS_TRUST object
 * whose CKA_TRUST_EMAIL_PROTECTION is CKT_NSS_TRUSTED_DELEGATOR names (by SHA-1 hash) a root
 * certificate that Mozilla trusts to issue email certificates.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>

#include "cachet-certificate.h"
#include "cachet-error.h"
#include "cachet-nss-roots.h"

#define NSS_VENDOR                 (CKO_VENDOR_DEFINED | 0x4E534350UL)
#define CKO_NSS_TRUST              (NSS_VENDOR + 3)
#define CKA_NSS_TRUST              (NSS_VENDOR + 0x2000)
#define CKA_TRUST_EMAIL_PROTECTION (CKA_NSS_TRUST + 11)
#define CKA_CERT_SHA1_HASH         (CKA_NSS_TRUST + 100)
#define CKT_NSS_TRUSTED_DELEGATOR  (NSS_VENDOR + 2)

static const char * const module_paths[] = {
#ifdef CACHET_NSSCKBI_PATH
  CACHET_NSSCKBI_PATH,
#endif
  "/usr/lib/x86_64-linux-gnu/libnssckbi.so",
  "/usr/lib/aarch64-linux-gnu/libnssckbi.so",
  "/usr/lib/i386-linux-gnu/libnssckbi.so",
  "/usr/lib/x86_64-linux-gnu/nss/libnssckbi.so",
  "/usr/lib/aarch64-linux-gnu/nss/libnssckbi.so",
  "/usr/lib64/libnssckbi.so",
  "/usr/lib64/nss/libnssckbi.so",
  "/usr/lib/libnssckbi.so",
  "/usr/lib/nss/libnssckbi.so",
  "/app/lib/libnssckbi.so",
};

/* Reads one attribute into a new buffer; NULL when absent. */
static guchar *
get_attribute (CK_FUNCTION_LIST_PTR  module,
               CK_SESSION_HANDLE     session,
               CK_OBJECT_HANDLE      object,
               CK_ATTRIBUTE_TYPE     type,
               CK_ULONG             *length)
{
  CK_ATTRIBUTE attribute = { type, NULL, 0 };
  guchar *value;

  if (module->C_GetAttributeValue (session, object, &attribute, 1) != CKR_OK ||
      attribute.ulValueLen == (CK_ULONG) -1 || attribute.ulValueLen == 0)
    return NULL;
  value = g_malloc (attribute.ulValueLen);
  attribute.pValue = value;
  if (module->C_GetAttributeValue (session, object, &attribute, 1) != CKR_OK)
    {
      g_free (value);
      return NULL;
    }
  *length = attribute.ulValueLen;
  return value;
}

/* Every object of CLASS in SESSION. */
static GArray *
find_objects (CK_FUNCTION_LIST_PTR module,
              CK_SESSION_HANDLE    session,
              CK_OBJECT_CLASS      object_class)
{
  CK_ATTRIBUTE template = { CKA_CLASS, &object_class, sizeof object_class };
  GArray *objects = g_array_new (FALSE, FALSE, sizeof (CK_OBJECT_HANDLE));
  CK_OBJECT_HANDLE batch[64];
  CK_ULONG found;

  if (module->C_FindObjectsInit (session, &template, 1) != CKR_OK)
    return objects;
  while (module->C_FindObjects (session, batch, G_N_ELEMENTS (batch), &found) == CKR_OK && found > 0)
    g_array_append_vals (objects, batch, found);
  module->C_FindObjectsFinal (session);
  return objects;
}

static void
read_slot (CK_FUNCTION_LIST_PTR  module,
           CK_SLOT_ID            slot,
           GPtrArray            *roots)
{
  CK_SESSION_HANDLE session;
  g_autoptr(GHashTable) email_trusted = NULL;  /* SHA-1 hex of trusted roots */
  g_autoptr(GArray) trusts = NULL;
  g_autoptr(GArray) certificates = NULL;

  if (module->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &session) != CKR_OK)
    return;

  email_trusted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  trusts = find_objects (module, session, CKO_NSS_TRUST);
  for (guint i = 0; i < trusts->len; i++)
    {
      CK_OBJECT_HANDLE object = g_array_index (trusts, CK_OBJECT_HANDLE, i);
      CK_ULONG length = 0, hash_length = 0;
      g_autofree guchar *trust = get_attribute (module, session, object, CKA_TRUST_EMAIL_PROTECTION, &length);
      g_autofree guchar *hash = NULL;
      CK_ULONG trust_value;

      if (trust == NULL || length != sizeof (CK_ULONG))
        continue;
      memcpy (&trust_value, trust, sizeof trust_value);
      if (trust_value != CKT_NSS_TRUSTED_DELEGATOR)
        continue;
      hash = get_attribute (module, session, object, CKA_CERT_SHA1_HASH, &hash_length);
      if (hash != NULL && hash_length == 20)
        {
          GString *hex = g_string_new (NULL);
          for (CK_ULONG j = 0; j < hash_length; j++)
            g_string_append_printf (hex, "%02x", hash[j]);
          g_hash_table_add (email_trusted, g_string_free (hex, FALSE));
        }
    }

  certificates = find_objects (module, session, CKO_CERTIFICATE);
  for (guint i = 0; i < certificates->len; i++)
    {
      CK_OBJECT_HANDLE object = g_array_index (certificates, CK_OBJECT_HANDLE, i);
      CK_ULONG length = 0;
      g_autofree guchar *der = get_attribute (module, session, object, CKA_VALUE, &length);
      guchar sha1[20];
      GString *hex;
      g_autofree char *hex_text = NULL;

      if (der == NULL)
        continue;
      if (gnutls_hash_fast (GNUTLS_DIG_SHA1, der, length, sha1) < 0)
        continue;
      hex = g_string_new (NULL);
      for (guint j = 0; j < sizeof sha1; j++)
        g_string_append_printf (hex, "%02x", sha1[j]);
      hex_text = g_string_free (hex, FALSE);
      if (g_hash_table_contains (email_trusted, hex_text))
        {
          g_autoptr(GBytes) bytes = g_bytes_new (der, length);
          CachetCertificate *certificate = cachet_certificate_new_from_der (bytes, NULL);

          if (certificate != NULL)
            g_ptr_array_add (roots, certificate);
        }
    }

  module->C_CloseSession (session);
}

static GPtrArray *
load_roots (GError **error)
{
  CK_FUNCTION_LIST_PTR module = NULL;
  const char *path = NULL;
  CK_SLOT_ID slots[16];
  CK_ULONG n_slots = G_N_ELEMENTS (slots);
  GPtrArray *roots;
  CK_RV rv;

  for (guint i = 0; i < G_N_ELEMENTS (module_paths) && module == NULL; i++)
    if (g_file_test (module_paths[i], G_FILE_TEST_EXISTS))
      {
        path = module_paths[i];
        module = p11_kit_module_load (path, P11_KIT_MODULE_UNMANAGED | P11_KIT_MODULE_CRITICAL);
      }
  if (module == NULL)
    {
      g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_NOT_FOUND,
                           _("Mozilla’s list of roots trusted for email (libnssckbi.so) is not installed. Install the libnss3 package."));
      return NULL;
    }

  rv = p11_kit_module_initialize (module);
  if (rv != CKR_OK)
    {
      p11_kit_module_release (module);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
                   _("Mozilla’s list of roots trusted for email in %s could not be opened (%s). Reinstall the libnss3 package."),
                   path, p11_kit_strerror (rv));
      return NULL;
    }

  roots = g_ptr_array_new_with_free_func (g_object_unref);
  if (module->C_GetSlotList (CK_TRUE, slots, &n_slots) == CKR_OK)
    for (CK_ULONG i = 0; i < n_slots; i++)
      read_slot (module, slots[i], roots);

  p11_kit_module_finalize (module);
  p11_kit_module_release (module);

  g_debug ("%u roots trusted for email in %s", roots->len, path);
  return roots;
}

GPtrArray *
cachet_nss_email_roots_load (GError **error)
{
  static GMutex lock;
  static GPtrArray *cached;
  GPtrArray *copy;

  g_mutex_lock (&lock);
  if (cached == NULL)
    cached = load_roots (error);
  if (cached == NULL)
    {
      g_mutex_unlock (&lock);
      return NULL;
    }
  copy = g_ptr_array_new_full (cached->len, g_object_unref);
  for (guint i = 0; i < cached->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (cached, i)));
  g_mutex_unlock (&lock);
  return copy;
}
