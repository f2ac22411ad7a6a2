/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-csr.c: key generation and PKCS#10 requests with GnuTLS.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gnutls/x509.h>

#include "cachet-csr.h"
#include "cachet-error.h"
#include "cachet-secret.h"

static const struct {
  CachetKeyType type;
  const char   *name;
} key_type_names[] = {
  { CACHET_KEY_TYPE_RSA_3072, "rsa-3072" },
  { CACHET_KEY_TYPE_RSA_2048, "rsa-2048" },
  { CACHET_KEY_TYPE_RSA_4096, "rsa-4096" },
  { CACHET_KEY_TYPE_P256,     "p-256" },
  { CACHET_KEY_TYPE_P384,     "p-384" },
};

const char *
cachet_key_type_to_string (CachetKeyType type)
{
  for (guint i = 0; i < G_N_ELEMENTS (key_type_names); i++)
    if (key_type_names[i].type == type)
      return key_type_names[i].name;
  return NULL;
}

gboolean
cachet_key_type_from_string (const char    *name,
                             CachetKeyType *type)
{
  g_return_val_if_fail (type != NULL, FALSE);

  if (name == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (key_type_names); i++)
    if (g_ascii_strcasecmp (key_type_names[i].name, name) == 0)
      {
        *type = key_type_names[i].type;
        return TRUE;
      }
  return FALSE;
}

gboolean
cachet_key_type_can_encrypt (CachetKeyType type)
{
  return type == CACHET_KEY_TYPE_RSA_2048 || type == CACHET_KEY_TYPE_RSA_3072 ||
         type == CACHET_KEY_TYPE_RSA_4096;
}

CachetCsrSubject *
cachet_csr_subject_copy (const CachetCsrSubject *subject)
{
  CachetCsrSubject *copy = g_new0 (CachetCsrSubject, 1);

  copy->name = g_strdup (subject->name);
  copy->email = g_strdup (subject->email);
  copy->country = g_strdup (subject->country);
  copy->state = g_strdup (subject->state);
  copy->locality = g_strdup (subject->locality);
  copy->organization = g_strdup (subject->organization);
  copy->unit = g_strdup (subject->unit);
  return copy;
}

void
cachet_csr_subject_free (CachetCsrSubject *subject)
{
  if (subject == NULL)
    return;
  g_free (subject->name);
  g_free (subject->email);
  g_free (subject->country);
  g_free (subject->state);
  g_free (subject->locality);
  g_free (subject->organization);
  g_free (subject->unit);
  g_free (subject);
}

void
cachet_csr_result_free (CachetCsrResult *result)
{
  if (result == NULL)
    return;
  if (result->key != NULL)
    gnutls_privkey_deinit (result->key);
  g_free (result->request_pem);
  g_free (result->key_id);
  g_free (result);
}

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  while (g_ascii_isspace (*text))
    text++;
  return *text == '\0';
}

gboolean
cachet_csr_subject_check (const CachetCsrSubject *subject,
                          GError                **error)
{
  const char *at;

  g_return_val_if_fail (subject != NULL, FALSE);

  if (is_blank (subject->name))
    {
      g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_FAILED,
                           _("A certificate request needs your full name. Give it with --name."));
      return FALSE;
    }
  at = subject->email != NULL ? strchr (subject->email, '@') : NULL;
  if (at == NULL || at == subject->email || at[1] == '\0' || strchr (at + 1, '@') != NULL ||
      strpbrk (subject->email, " \t<>\"") != NULL)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
                   _("“%s” is not an email address. Give the address the certificate is for, like alice@example.com."),
                   subject->email != NULL ? subject->email : "");
      return FALSE;
    }
  if (subject->country != NULL && *subject->country != '\0' &&
      (strlen (subject->country) != 2 || !g_ascii_isalpha (subject->country[0]) ||
       !g_ascii_isalpha (subject->country[1])))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
                   _("“%s” is not a country code. Use the two-letter code, like NL or DE."),
                   subject->country);
      return FALSE;
    }
  return TRUE;
}

static int
set_dn (gnutls_x509_crq_t  request,
        const char        *oid,
        const char        *value)
{
  if (value == NULL || *value == '\0')
    return 0;
  return gnutls_x509_crq_set_dn_by_oid (request, oid, 0, value, strlen (value));
}

CachetCsrResult *
cachet_csr_generate (const CachetCsrSubject *subject,
                     CachetKeyType           type,
                     GCancellable           *cancellable,
                     GError                **error)
{
  g_autoptr(CachetCsrResult) result = NULL;
  gnutls_x509_crq_t request = NULL;
  gnutls_pubkey_t pubkey = NULL;
  gnutls_datum_t pem = { NULL, 0 };
  g_autofree char *country = NULL;
  g_autofree char *email = NULL;
  gnutls_pk_algorithm_t algorithm;
  unsigned int bits;
  unsigned int usage;
  int ret;

  g_return_val_if_fail (subject != NULL, NULL);

  if (!cachet_csr_subject_check (subject, error))
    return NULL;

  switch (type)
    {
    case CACHET_KEY_TYPE_RSA_2048: algorithm = GNUTLS_PK_RSA; bits = 2048; break;
    case CACHET_KEY_TYPE_RSA_4096: algorithm = GNUTLS_PK_RSA; bits = 4096; break;
    case CACHET_KEY_TYPE_P256: algorithm = GNUTLS_PK_ECDSA; bits = GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1); break;
    case CACHET_KEY_TYPE_P384: algorithm = GNUTLS_PK_ECDSA; bits = GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP384R1); break;
    case CACHET_KEY_TYPE_RSA_3072:
    default: algorithm = GNUTLS_PK_RSA; bits = 3072; break;
    }

  result = g_new0 (CachetCsrResult, 1);

  ret = gnutls_privkey_init (&result->key);
  if (ret >= 0)
    ret = gnutls_privkey_generate2 (result->key, algorithm, bits, 0, NULL, 0);
  if (ret < 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
                   _("A new key could not be generated (%s). Try again, or choose another key type."),
                   gnutls_strerror (ret));
      return NULL;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  email = g_ascii_strdown (subject->email, -1);
  country = subject->country != NULL ? g_ascii_strup (subject->country, -1) : NULL;
  usage = GNUTLS_KEY_DIGITAL_SIGNATURE;
  if (algorithm == GNUTLS_PK_RSA)
    usage |= GNUTLS_KEY_KEY_ENCIPHERMENT;

  ret = gnutls_x509_crq_init (&request);
  if (ret >= 0) ret = set_dn (request, GNUTLS_OID_X520_COUNTRY_NAME, country);
  if (ret >= 0) ret = set_dn (request, GNUTLS_OID_X520_STATE_OR_PROVINCE_NAME, subject->state);
  if (ret >= 0) ret = set_dn (request, GNUTLS_OID_X520_LOCALITY_NAME, subject->locality);
  if (ret >= 0) ret = set_dn (request, GNUTLS_OID_X520_ORGANIZATION_NAME, subject->organization);
  if (ret >= 0) ret = set_dn (request, GNUTLS_OID_X520_ORGANIZATIONAL_UNIT_NAME, subject->unit);
  if (ret >= 0) ret = set_dn (request, GNUTLS_OID_X520_COMMON_NAME, subject->name);
  if (ret >= 0) ret = set_dn (request, GNUTLS_OID_PKCS9_EMAIL, email);
  if (ret >= 0) ret = gnutls_x509_crq_set_version (request, 1);
  if (ret >= 0) ret = gnutls_x509_crq_set_subject_alt_name (request, GNUTLS_SAN_RFC822NAME,
                                                            email, strlen (email),
                                                            GNUTLS_FSAN_SET);
  /* GnuTLS marks extendedKeyUsage critical when it is set after keyUsage: set it first. */
  if (ret >= 0) ret = gnutls_x509_crq_set_key_purpose_oid (request, GNUTLS_KP_EMAIL_PROTECTION, 0);
  if (ret >= 0) ret = gnutls_x509_crq_set_key_usage (request, usage);
  if (ret >= 0) ret = gnutls_pubkey_init (&pubkey);
  if (ret >= 0) ret = gnutls_pubkey_import_privkey (pubkey, result->key, 0, 0);
  if (ret >= 0) ret = gnutls_x509_crq_set_pubkey (request, pubkey);
  if (ret >= 0) ret = gnutls_x509_crq_privkey_sign (request, result->key, GNUTLS_DIG_SHA256, 0);
  if (ret >= 0) ret = gnutls_x509_crq_export2 (request, GNUTLS_X509_FMT_PEM, &pem);

  if (ret >= 0)
    result->key_id = cachet_secret_key_id_for_pubkey (pubkey);
  if (pubkey != NULL)
    gnutls_pubkey_deinit (pubkey);
  if (request != NULL)
    gnutls_x509_crq_deinit (request);

  if (ret < 0 || result->key_id == NULL)
    {
      gnutls_free (pem.data);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
                   _("The certificate request could not be made (%s). Check the name and address fields."),
                   gnutls_strerror (ret));
      return NULL;
    }

  result->request_pem = g_strndup ((const char *) pem.data, pem.size);
  gnutls_free (pem.data);
  return g_steal_pointer (&result);
}

typedef struct {
  CachetCsrSubject *subject;
  CachetKeyType     type;
} GenerateData;

static void
generate_data_free (GenerateData *data)
{
  cachet_csr_subject_free (data->subject);
  g_free (data);
}

static void
generate_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GenerateData *data = task_data;
  GError *error = NULL;
  CachetCsrResult *result;

  result = cachet_csr_generate (data->subject, data->type, cancellable, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) cachet_csr_result_free);
}

void
cachet_csr_generate_async (const CachetCsrSubject *subject,
                           CachetKeyType           type,
                           GCancellable           *cancellable,
                           GAsyncReadyCallback     callback,
                           gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  GenerateData *data;

  g_return_if_fail (subject != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cachet_csr_generate_async);
  data = g_new0 (GenerateData, 1);
  data->subject = cachet_csr_subject_copy (subject);
  data->type = type;
  g_task_set_task_data (task, data, (GDestroyNotify) generate_data_free);
  g_task_run_in_thread (task, generate_thread);
}

CachetCsrResult *
cachet_csr_generate_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
