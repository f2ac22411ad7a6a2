/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-csr.h: a new key pair and the certificate signing request a CA asks for.
 *
 * RSA keys (2048/3072/4096) sign and receive encrypted mail; ECDSA keys (P-256/P-384) only
 * sign: Cachet's encryption uses RSA key transport. Key generation is slow: use the _async form
 * from a main loop.
 */
#pragma once

#include <gio/gio.h>
#include <gnutls/abstract.h>

G_BEGIN_DECLS

typedef enum {
  CACHET_KEY_TYPE_RSA_3072,   /* the default */
  CACHET_KEY_TYPE_RSA_2048,
  CACHET_KEY_TYPE_RSA_4096,
  CACHET_KEY_TYPE_P256,
  CACHET_KEY_TYPE_P384,
} CachetKeyType;

/* "rsa-3072", "rsa-2048", "rsa-4096", "p-256", "p-384" */
const char *cachet_key_type_to_string   (CachetKeyType  type);
gboolean    cachet_key_type_from_string (const char    *name,
                                         CachetKeyType *type);
/* FALSE for ECDSA: such an identity cannot receive encrypted mail. */
gboolean    cachet_key_type_can_encrypt (CachetKeyType  type);

/* The subject of the request. NAME (Common Name) and EMAIL are required. */
typedef struct {
  char *name;
  char *email;
  char *country;    /* two letters, "NL" */
  char *state;
  char *locality;
  char *organization;
  char *unit;
} CachetCsrSubject;

CachetCsrSubject *cachet_csr_subject_copy (const CachetCsrSubject *subject);
void              cachet_csr_subject_free (CachetCsrSubject       *subject);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetCsrSubject, cachet_csr_subject_free)

/* The result: the new key (in memory only) and the PEM request. */
typedef struct {
  gnutls_privkey_t key;
  char            *request_pem;
  char            *key_id;       /* cachet_secret_key_id_for_privkey */
} CachetCsrResult;

void cachet_csr_result_free (CachetCsrResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetCsrResult, cachet_csr_result_free)

/* Checks SUBJECT (name, address, country) before the slow key generation. */
gboolean         cachet_csr_subject_check   (const CachetCsrSubject *subject,
                                             GError                **error);
/* Generates a key of TYPE and a request signed with it (SHA-256): subject fields, SAN
 * rfc822Name, keyUsage (critical), extendedKeyUsage emailProtection (not critical). */
CachetCsrResult *cachet_csr_generate        (const CachetCsrSubject *subject,
                                             CachetKeyType           type,
                                             GCancellable           *cancellable,
                                             GError                **error);
void             cachet_csr_generate_async  (const CachetCsrSubject *subject,
                                             CachetKeyType           type,
                                             GCancellable           *cancellable,
                                             GAsyncReadyCallback     callback,
                                             gpointer                user_data);
CachetCsrResult *cachet_csr_generate_finish (GAsyncResult           *result,
                                             GError                **error);

G_END_DECLS
