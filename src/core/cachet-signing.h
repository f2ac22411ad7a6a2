/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-signing.h: sign and verify messages (.eml) and files, streaming.
 *
 * Entry points for the CLI and the window. Input is read through GMimeStreams over files
 * (GMime's persist-stream parser for messages), so content stays on disk and is hashed as it
 * passes; output goes to a CachetOutput (all or nothing).
 */
#pragma once

#include "cachet-options.h"
#include "cachet-output.h"
#include "cachet-verdict.h"

G_BEGIN_DECLS

/* What a file holds, judged from its content (not its name). */
typedef enum {
  CACHET_INPUT_UNKNOWN,         /* any other file: sign/encrypt give FILE.p7s / FILE.p7m */
  CACHET_INPUT_MESSAGE,         /* an RFC 5322 message */
  CACHET_INPUT_CMS_SIGNED,      /* DER/PEM SignedData (.p7s detached, or .p7m opaque) */
  CACHET_INPUT_CMS_ENVELOPED,   /* DER/PEM EnvelopedData or AuthEnvelopedData (.p7m) */
} CachetInputKind;

CachetInputKind cachet_detect_input        (const char     *path,
                                            GError        **error);

/* Verifies a message, an opaque SignedData file, or (with CONTENT_PATH) a detached signature
 * of CONTENT_PATH. Returns NULL with ERROR only when the input cannot be read at all; a
 * well-formed message without signature gives a verdict of status unsigned. When the options
 * carry a store, a good verdict adds the signer to the contacts and records the signing habit. */
CachetVerdict  *cachet_verify_file         (CachetOptions  *options,
                                            const char     *path,
                                            const char     *content_path,
                                            GCancellable   *cancellable,
                                            GError        **error);
void            cachet_verify_file_async   (CachetOptions  *options,
                                            const char     *path,
                                            const char     *content_path,
                                            GCancellable   *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer        user_data);
CachetVerdict  *cachet_verify_file_finish  (GAsyncResult   *result,
                                            GError        **error);

/* Verifies a parsed MIME entity (a message, or the content of a decrypted one) into VERDICT.
 * Used by decryption to report the inner signature in the same verdict. */
gboolean        cachet_verify_object       (CachetOptions  *options,
                                            GMimeObject    *object,
                                            CachetVerdict  *verdict,
                                            GCancellable   *cancellable,
                                            GError        **error);

/* Signs INPUT with the first credentials of OPTIONS. A message gives a message (multipart/signed,
 * or opaque with cachet_options_set_opaque), written with CRLF line ends; any other file a
 * detached DER signature. Commits OUTPUT on success; on failure leaves it uncommitted (free it:
 * nothing is written). The _async form makes and commits the output at OUTPUT_PATH itself. */
gboolean        cachet_sign_file           (CachetOptions  *options,
                                            const char     *input,
                                            CachetOutput   *output,
                                            GCancellable   *cancellable,
                                            GError        **error);
void            cachet_sign_file_async     (CachetOptions  *options,
                                            const char     *input,
                                            const char     *output_path,
                                            GCancellable   *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer        user_data);
gboolean        cachet_sign_file_finish    (GAsyncResult   *result,
                                            GError        **error);

/* Signs a MIME entity in place of a message body: returns the multipart/signed (or opaque
 * application/pkcs7-mime) entity that replaces it. Used by encrypt --sign. */
GMimeObject    *cachet_sign_object         (CachetOptions  *options,
                                            GMimeObject    *entity,
                                            GCancellable   *cancellable,
                                            GError        **error);

/* The inner layer of a file that is signed and encrypted: all of CONTENT signed as an opaque
 * SignedData (the content embedded as it streams), written to OUTPUT. */
gboolean        cachet_sign_stream         (CachetOptions  *options,
                                            GMimeStream    *content,
                                            GMimeStream    *output,
                                            GCancellable   *cancellable,
                                            GError        **error);
/* Checks the opaque SignedData in STREAM into VERDICT; CONTENT receives what it signs, in a
 * private temporary stream, at its start. */
gboolean        cachet_verify_stream       (CachetOptions  *options,
                                            GMimeStream    *stream,
                                            CachetVerdict  *verdict,
                                            GMimeStream   **content,
                                            GCancellable   *cancellable,
                                            GError        **error);

G_END_DECLS
