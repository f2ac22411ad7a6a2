/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-encryption.h: encrypt and decrypt messages (.eml) and files, streaming.
 */
#pragma once

#include "cachet-options.h"
#include "cachet-output.h"
#include "cachet-verdict.h"

G_BEGIN_DECLS

/* Encrypts INPUT to the recipients of OPTIONS (certificates, and addresses resolved through the
 * store), plus the sender's own certificate unless turned off; signs first when asked. A message
 * gives a message (application/pkcs7-mime enveloped-data or authEnveloped-data), any other file
 * a DER FILE.p7m. Fails with one clear sentence naming a recipient that cannot be used.
 * Commits OUTPUT on success; on failure leaves it uncommitted (free it: nothing is written). */
gboolean        cachet_encrypt_file         (CachetOptions  *options,
                                             const char     *input,
                                             CachetOutput   *output,
                                             GCancellable   *cancellable,
                                             GError        **error);
void            cachet_encrypt_file_async   (CachetOptions  *options,
                                             const char     *input,
                                             const char     *output_path,
                                             GCancellable   *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer        user_data);
gboolean        cachet_encrypt_file_finish  (GAsyncResult   *result,
                                             GError        **error);

/* Decrypts INPUT with the credentials of OPTIONS (then the store's identities). The plaintext
 * reaches OUTPUT (may be NULL: verdict only) only after the tag or padding check passed. An inner
 * signature is verified and reported in the returned verdict. NULL with ERROR on failure
 * (no-key, decrypt-failed, malformed): nothing was written. Commits OUTPUT on success. */
CachetVerdict  *cachet_decrypt_file         (CachetOptions  *options,
                                             const char     *input,
                                             CachetOutput   *output,
                                             GCancellable   *cancellable,
                                             GError        **error);
void            cachet_decrypt_file_async   (CachetOptions  *options,
                                             const char     *input,
                                             const char     *output_path,
                                             GCancellable   *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer        user_data);
CachetVerdict  *cachet_decrypt_file_finish  (GAsyncResult   *result,
                                             GError        **error);

G_END_DECLS
