/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-store.h: the key store: your identities, other people's certificates, the
 * authorities you trust, and what Cachet learned from verified mail.
 *
 * Public data (certificates, chains, waiting requests, contacts, anchors, capabilities and
 * signing habits) lives under $XDG_DATA_HOME/cachet/ (or a folder given to cachet_store_new);
 * private keys live only in the Secret Service (cachet-secret.h), and the store asks for them
 * only when a key is needed. The models (GListModel) are updated in the thread-default main
 * context of the thread that made the store, so a window can bind to them while jobs run in
 * threads.
 */
#pragma once

#include <gio/gio.h>

#include "cachet-certificate.h"
#include "cachet-credentials.h"
#include "cachet-csr.h"
#include "cachet-options.h"
#include "cachet-verdict.h"

G_BEGIN_DECLS

/* One of your identities: a key in the keyring and (once the CA answered) its certificate. */
typedef enum {
  CACHET_IDENTITY_WAITING,   /* key and request made, certificate not installed yet */
  CACHET_IDENTITY_CURRENT,   /* the newest installed identity for its address: signs */
  CACHET_IDENTITY_REPLACED,  /* a newer one took over; still decrypts old mail */
} CachetIdentityState;

/* "waiting", "current", "replaced" */
const char *cachet_identity_state_to_string (CachetIdentityState state);

#define CACHET_TYPE_IDENTITY (cachet_identity_get_type ())
G_DECLARE_FINAL_TYPE (CachetIdentity, cachet_identity, CACHET, IDENTITY, GObject)

/* SHA-256 of the public key, hex: the key's name in the keyring. */
const char         *cachet_identity_get_key_id      (CachetIdentity *self);
CachetIdentityState cachet_identity_get_state       (CachetIdentity *self);
/* NULL while waiting. */
CachetCertificate  *cachet_identity_get_certificate (CachetIdentity *self);
/* Intermediates sent with signatures (CachetCertificate), never NULL. */
GPtrArray          *cachet_identity_get_chain       (CachetIdentity *self);
/* The certificate's name, or the name asked for in the request. */
const char         *cachet_identity_get_name        (CachetIdentity *self);
/* The first address of the certificate, or of the request. */
const char         *cachet_identity_get_email       (CachetIdentity *self);
/* "RSA 3072", "ECDSA P-256" */
const char         *cachet_identity_get_key_description (CachetIdentity *self);
/* The PEM request while waiting (to upload to a CA), else NULL. */
const char         *cachet_identity_get_request     (CachetIdentity *self);
GDateTime          *cachet_identity_get_created     (CachetIdentity *self);
/* Days until the certificate expires (negative: expired); 0 while waiting. */
int                 cachet_identity_get_days_left   (CachetIdentity *self);
/* TRUE for RSA identities whose certificate allows key encipherment. */
gboolean            cachet_identity_can_encrypt     (CachetIdentity *self);
/* A translated sentence when something needs attention (expired, not for email, ECDSA cannot
 * receive encrypted mail), else NULL. */
const char         *cachet_identity_get_warning     (CachetIdentity *self);

/* Someone else's certificate. */
typedef enum {
  CACHET_CONTACT_IMPORTED,   /* imported from a file by the user */
  CACHET_CONTACT_COLLECTED,  /* collected from a message whose verdict was good */
} CachetContactOrigin;

/* "imported", "collected" */
const char *cachet_contact_origin_to_string (CachetContactOrigin origin);

#define CACHET_TYPE_CONTACT (cachet_contact_get_type ())
G_DECLARE_FINAL_TYPE (CachetContact, cachet_contact, CACHET, CONTACT, GObject)

CachetCertificate  *cachet_contact_get_certificate (CachetContact *self);
GPtrArray          *cachet_contact_get_chain       (CachetContact *self);
CachetContactOrigin cachet_contact_get_origin      (CachetContact *self);
/* "imported", "collected from a signed message" (translated) */
const char         *cachet_contact_describe_origin (CachetContact *self);
GDateTime          *cachet_contact_get_added       (CachetContact *self);
/* The chain reaches an anchor (system, Mozilla email, yours), or a good signature vouched for
 * it. Untrusted contacts are never chosen for encryption automatically. */
gboolean            cachet_contact_get_trusted     (CachetContact *self);

/* The store. (CachetStore itself is forward-declared in cachet-options.h.) */
#define CACHET_TYPE_STORE (cachet_store_get_type ())
G_DECLARE_FINAL_TYPE (CachetStore, cachet_store, CACHET, STORE, GObject)

/* DATA_DIR NULL: $XDG_DATA_HOME/cachet. Made (mode 0700) when missing. */
CachetStore       *cachet_store_new                  (const char        *data_dir,
                                                      GError           **error);
const char        *cachet_store_get_data_dir         (CachetStore       *self);

/* Models for the window: CachetIdentity (current first, then waiting, then replaced),
 * CachetContact (by name), CachetCertificate (your anchors). */
GListModel        *cachet_store_get_identities       (CachetStore       *self);
GListModel        *cachet_store_get_contacts         (CachetStore       *self);
GListModel        *cachet_store_get_anchor_model     (CachetStore       *self);

/* --- Identities --- */

/* Makes a key (in the keyring) and a request; the identity waits for its certificate.
 * The request is cachet_identity_get_request (). */
CachetIdentity    *cachet_store_new_identity         (CachetStore            *self,
                                                      const CachetCsrSubject *subject,
                                                      CachetKeyType           type,
                                                      GCancellable           *cancellable,
                                                      GError                **error);
void               cachet_store_new_identity_async   (CachetStore            *self,
                                                      const CachetCsrSubject *subject,
                                                      CachetKeyType           type,
                                                      GCancellable           *cancellable,
                                                      GAsyncReadyCallback     callback,
                                                      gpointer                user_data);
CachetIdentity    *cachet_store_new_identity_finish  (CachetStore            *self,
                                                      GAsyncResult           *result,
                                                      GError                **error);

/* DATA: the CA's answer (PEM, DER, a chain bundle or PKCS#7). The certificate whose public
 * key matches a waiting (or installed) key is installed; the CA certificates are kept as its
 * chain. CACHET_ERROR_NO_KEY when no certificate matches a key of yours. */
CachetIdentity    *cachet_store_install_certificate  (CachetStore       *self,
                                                      GBytes            *data,
                                                      GError           **error);

/* Stores the key in the keyring and the certificate and chain as an identity. */
CachetIdentity    *cachet_store_import_credentials   (CachetStore       *self,
                                                      CachetCredentials *credentials,
                                                      GCancellable      *cancellable,
                                                      GError           **error);
/* PKCS#12 import (cachet-pkcs12.h) then cachet_store_import_credentials; nothing is stored
 * when the password is wrong or the file is damaged. */
CachetIdentity    *cachet_store_import_pkcs12        (CachetStore       *self,
                                                      GBytes            *data,
                                                      const char        *password,
                                                      GCancellable      *cancellable,
                                                      GError           **error);
void               cachet_store_import_pkcs12_async  (CachetStore       *self,
                                                      GBytes            *data,
                                                      const char        *password,
                                                      GCancellable      *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer           user_data);
CachetIdentity    *cachet_store_import_pkcs12_finish (CachetStore       *self,
                                                      GAsyncResult      *result,
                                                      GError           **error);

/* PKCS#12 of an installed identity (key from the keyring), modern or legacy. */
GBytes            *cachet_store_export_identity      (CachetStore       *self,
                                                      CachetIdentity    *identity,
                                                      const char        *password,
                                                      gboolean           legacy,
                                                      GCancellable      *cancellable,
                                                      GError           **error);
void               cachet_store_export_identity_async  (CachetStore       *self,
                                                        CachetIdentity    *identity,
                                                        const char        *password,
                                                        gboolean           legacy,
                                                        GCancellable      *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer           user_data);
GBytes            *cachet_store_export_identity_finish (CachetStore       *self,
                                                        GAsyncResult      *result,
                                                        GError           **error);

/* SPEC: an address (the current identity for it), a certificate fingerprint (SHA-256 hex, or
 * at least 8 leading digits of it) or a key id. NULL with CACHET_ERROR_NOT_FOUND. */
CachetIdentity    *cachet_store_find_identity        (CachetStore       *self,
                                                      const char        *spec,
                                                      GError           **error);
/* The identity's key from the keyring with its certificate and chain. */
CachetCredentials *cachet_store_load_credentials     (CachetStore       *self,
                                                      CachetIdentity    *identity,
                                                      GCancellable      *cancellable,
                                                      GError           **error);
/* Removes the key from the keyring and the identity's files. */
gboolean           cachet_store_delete_identity      (CachetStore       *self,
                                                      CachetIdentity    *identity,
                                                      GCancellable      *cancellable,
                                                      GError           **error);

/* Every installed identity with its key (for decryption), current first. An empty array when
 * there are none (the keyring is then not asked). */
GPtrArray         *cachet_store_get_identity_credentials (CachetStore   *self,
                                                          GCancellable  *cancellable,
                                                          GError       **error);
/* For --as: the current identity for an address, or the one with that fingerprint; NULL: the
 * only current identity. Refuses expired and signing-incapable certificates. */
CachetCredentials *cachet_store_get_signing_credentials (CachetStore    *self,
                                                         const char     *address_or_fingerprint,
                                                         GCancellable   *cancellable,
                                                         GError        **error);

/* --- Contacts --- */

/* Adds (or updates) a contact. */
CachetContact     *cachet_store_add_contact          (CachetStore         *self,
                                                      CachetCertificate   *certificate,
                                                      GPtrArray           *chain,
                                                      CachetContactOrigin  origin,
                                                      GError             **error);
/* Imports the people's certificates in a file (.pem .crt .cer .der .p7b .p7c, or a signed
 * .eml); CA certificates in it become their chain. Returns the contacts (CachetContact). */
GPtrArray         *cachet_store_import_contacts      (CachetStore       *self,
                                                      const char        *path,
                                                      GError           **error);
/* Contacts with this address (case-insensitive) or fingerprint (or 8+ leading digits), newest
 * first; an empty array when none. */
GPtrArray         *cachet_store_find_contacts        (CachetStore       *self,
                                                      const char        *address_or_fingerprint);
/* Deletes the contacts find_contacts returns; CACHET_ERROR_NOT_FOUND when there are none. */
gboolean           cachet_store_delete_contacts      (CachetStore       *self,
                                                      const char        *address_or_fingerprint,
                                                      GError           **error);
/* Every contact's certificate and chain certificates (for finding signers), CachetCertificate. */
GPtrArray         *cachet_store_get_contact_certificates (CachetStore   *self);

/* The newest trusted, valid certificate (a contact's, or your own) that allows key
 * encipherment for email, for ADDRESS. NULL with an error naming the address and why. */
CachetCertificate *cachet_store_find_recipient       (CachetStore       *self,
                                                      const char        *address,
                                                      GError           **error);
/* Can CONTACT's certificate receive encrypted mail now? The same checks and sentences as
 * cachet_store_find_recipient (not for email, signing-only, not yet valid, expired, not
 * trusted), then revocation from the stored CRLs (no network). FALSE with that sentence. */
gboolean           cachet_store_check_recipient      (CachetStore       *self,
                                                      CachetContact     *contact,
                                                      GError           **error);
/* Cipher names from ADDRESS's latest good signature ("aes-256-gcm", ...), NULL if none known. */
const char * const *cachet_store_get_capabilities    (CachetStore       *self,
                                                      const char        *address);
/* TRUE when mail from ADDRESS has come with a good signature before. */
gboolean           cachet_store_get_usually_signs    (CachetStore       *self,
                                                      const char        *address);

/* Learns from a verdict: a good verdict adds each good signer (trusted, matches From) as a
 * contact with their capabilities and records that From signs; an unsigned verdict whose From
 * usually signs gets the problem sender-usually-signs. Other verdicts teach nothing. */
void               cachet_store_collect_from_verdict (CachetStore       *self,
                                                      CachetVerdict     *verdict);

/* --- Trust anchors --- */

/* Your anchors (CachetCertificate), a new array. */
GPtrArray         *cachet_store_get_anchors          (CachetStore       *self);
/* Adds CA certificates as anchors (only on explicit request). */
gboolean           cachet_store_add_anchor           (CachetStore       *self,
                                                      CachetCertificate *anchor,
                                                      GError           **error);
/* FINGERPRINT: SHA-256 hex or 8+ leading digits. */
gboolean           cachet_store_remove_anchor        (CachetStore       *self,
                                                      const char        *fingerprint,
                                                      GError           **error);
/* Where a trusted root comes from: "user", "mozilla-email", "system", or NULL when it is
 * none of them. */
const char        *cachet_store_get_anchor_source    (CachetStore       *self,
                                                      CachetCertificate *root);
/* Does CERTIFICATE (with CHAIN, may be NULL) chain to an anchor for email protection, now?
 * SOURCE receives the anchor's origin as above. */
gboolean           cachet_store_check_trust          (CachetStore       *self,
                                                      CachetCertificate *certificate,
                                                      GPtrArray         *chain,
                                                      const char       **source,
                                                      GError           **error);

G_END_DECLS
