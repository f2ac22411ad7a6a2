/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-options.h: the per-call settings of a sign, verify, encrypt or decrypt job.
 *
 * Options travel with the call (never through globals), so several jobs can run in threads at
 * once with different signers, anchors and check times. The CLI fills them from its flags, the
 * window from its settings and choices.
 */
#pragma once

#include <gio/gio.h>

#include "cachet-certificate.h"
#include "cachet-credentials.h"

G_BEGIN_DECLS

typedef enum {
  CACHET_CIPHER_DEFAULT,      /* chosen per recipients: GCM when all announced it, else AES-256-CBC */
  CACHET_CIPHER_AES_256_GCM,
  CACHET_CIPHER_AES_128_GCM,
  CACHET_CIPHER_AES_256_CBC,
  CACHET_CIPHER_AES_128_CBC,
} CachetCipher;

/* "aes-256-gcm", ...; NULL for DEFAULT. */
const char *cachet_cipher_to_string   (CachetCipher  cipher);
gboolean    cachet_cipher_from_string (const char   *name,
                                       CachetCipher *cipher);

/* The key store is declared in cachet-store.h; options only hold a reference. */
typedef struct _CachetStore CachetStore;

#define CACHET_TYPE_OPTIONS (cachet_options_get_type ())
G_DECLARE_FINAL_TYPE (CachetOptions, cachet_options, CACHET, OPTIONS, GObject)

CachetOptions *cachet_options_new                    (void);

/* The key store: identities, contacts, user trust anchors, signing habits. NULL: none. */
CachetStore   *cachet_options_get_store              (CachetOptions     *self);
void           cachet_options_set_store              (CachetOptions     *self,
                                                      CachetStore       *store);

/* Verification */
gboolean       cachet_options_get_system_trust       (CachetOptions     *self);  /* default TRUE */
void           cachet_options_set_system_trust       (CachetOptions     *self,
                                                      gboolean           use_system);
/* Anchors given for this call (--trust), CachetCertificate. */
GPtrArray     *cachet_options_get_anchors            (CachetOptions     *self);
void           cachet_options_add_anchor             (CachetOptions     *self,
                                                      CachetCertificate *anchor);
/* Extra certificates (--certs): signers' and intermediates, CachetCertificate. */
GPtrArray     *cachet_options_get_certificates       (CachetOptions     *self);
void           cachet_options_add_certificate        (CachetOptions     *self,
                                                      CachetCertificate *certificate);
/* The moment to check the chain at; NULL (the default) is now. */
GDateTime     *cachet_options_get_check_time         (CachetOptions     *self);
void           cachet_options_set_check_time         (CachetOptions     *self,
                                                      GDateTime         *when);
/* Check the chain at each signer's signing time (--at signing-time). */
gboolean       cachet_options_get_at_signing_time    (CachetOptions     *self);
void           cachet_options_set_at_signing_time    (CachetOptions     *self,
                                                      gboolean           at_signing_time);

/* Ask CRL distribution points and OCSP responders over the network (default FALSE: only CRLs
 * already in the store are used; the CA learns which certificate you checked). */
gboolean       cachet_options_get_online_revocation  (CachetOptions     *self);
void           cachet_options_set_online_revocation  (CachetOptions     *self,
                                                      gboolean           online);

/* Signing and decryption keys, CachetCredentials; the first signs. Decryption tries each,
 * then the store's identities. */
GPtrArray     *cachet_options_get_credentials        (CachetOptions     *self);
void           cachet_options_add_credentials        (CachetOptions     *self,
                                                      CachetCredentials *credentials);
/* Sign as application/pkcs7-mime signed-data instead of multipart/signed. */
gboolean       cachet_options_get_opaque             (CachetOptions     *self);
void           cachet_options_set_opaque             (CachetOptions     *self,
                                                      gboolean           opaque);
/* "sha256" (default), "sha384", "sha512" */
const char    *cachet_options_get_digest             (CachetOptions     *self);
void           cachet_options_set_digest             (CachetOptions     *self,
                                                      const char        *digest);

/* Encryption */
CachetCipher   cachet_options_get_cipher             (CachetOptions     *self);
void           cachet_options_set_cipher             (CachetOptions     *self,
                                                      CachetCipher       cipher);
/* Recipients' certificates (--to-cert, or resolved from --to), CachetCertificate. */
GPtrArray     *cachet_options_get_recipients         (CachetOptions     *self);
void           cachet_options_add_recipient          (CachetOptions     *self,
                                                      CachetCertificate *recipient);
/* Recipient addresses (--to), resolved through the store by the encryption code. */
GPtrArray     *cachet_options_get_recipient_addresses (CachetOptions    *self);
void           cachet_options_add_recipient_address  (CachetOptions     *self,
                                                      const char        *address);
/* Encrypt to the sender's own certificate too (default TRUE; --no-self). */
gboolean       cachet_options_get_encrypt_to_self    (CachetOptions     *self);
void           cachet_options_set_encrypt_to_self    (CachetOptions     *self,
                                                      gboolean           to_self);
/* Whose certificate "to self" means when not signing (the window's chosen identity). Without
 * it: the signer's, else the store's current identity (the one for the From address). */
CachetCertificate *cachet_options_get_sender         (CachetOptions     *self);
void           cachet_options_set_sender             (CachetOptions     *self,
                                                      CachetCertificate *sender);
/* Sign before encrypting (encrypt --sign). */
gboolean       cachet_options_get_sign               (CachetOptions     *self);
void           cachet_options_set_sign               (CachetOptions     *self,
                                                      gboolean           sign);

/* Progress, atomic: read from the main thread while a job adds to them on its worker thread.
 * The total is what the job will read of its inputs, counting each pass over them (a message
 * is parsed, then read again to write or hash it); the core adds it as soon as it knows, before
 * reading, and corrects an estimate when it learns better (BYTES < 0: less than it thought).
 * Done is how far it got. 0 of 0: nothing counted (yet). */
guint64        cachet_options_get_bytes_done         (CachetOptions     *self);
void           cachet_options_add_bytes_done         (CachetOptions     *self,
                                                      gsize              bytes);
guint64        cachet_options_get_bytes_total        (CachetOptions     *self);
void           cachet_options_add_bytes_total        (CachetOptions     *self,
                                                      gssize             bytes);

G_END_DECLS
