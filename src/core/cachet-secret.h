/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-secret.h: private keys in the Secret Service (libsecret), keyed by key id.
 *
 * The only place a private key is ever kept: a secret of Cachet's own schema in the user's
 * default keyring. When no Secret Service answers, or the keyring is locked, calls fail with
 * CACHET_ERROR_KEYRING and one sentence saying what to install or unlock; there is no file
 * fallback.
 */
#pragma once

#include <gio/gio.h>
#include <gnutls/abstract.h>

G_BEGIN_DECLS

/* The key id of a public key: SHA-256 over its SubjectPublicKeyInfo, lower-case hex. Used to
 * pair a certificate with its waiting key. */
char             *cachet_secret_key_id_for_pubkey (gnutls_pubkey_t    pubkey);
char             *cachet_secret_key_id_for_privkey (gnutls_privkey_t  key);

/* Stores KEY (PKCS#8, unencrypted, never written to disk) under KEY_ID. LABEL is what keyring
 * managers show ("Cachet: Alice Example <alice@example.com>"). */
gboolean          cachet_secret_store_key  (const char        *key_id,
                                            const char        *label,
                                            gnutls_privkey_t   key,
                                            GCancellable      *cancellable,
                                            GError           **error);
/* The key stored under KEY_ID; CACHET_ERROR_NOT_FOUND when there is none. */
gnutls_privkey_t  cachet_secret_load_key   (const char        *key_id,
                                            GCancellable      *cancellable,
                                            GError           **error);
/* TRUE when a key is stored under KEY_ID (FALSE with ERROR when the keyring cannot be asked). */
gboolean          cachet_secret_has_key    (const char        *key_id,
                                            GCancellable      *cancellable,
                                            GError           **error);
/* Deleting a key that is not there is not an error. */
gboolean          cachet_secret_delete_key (const char        *key_id,
                                            GCancellable      *cancellable,
                                            GError           **error);

G_END_DECLS
