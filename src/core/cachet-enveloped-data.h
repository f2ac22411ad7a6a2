/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-enveloped-data.h: CMS EnvelopedData (RFC 5652) and AuthEnvelopedData (RFC 5083, 5084),
 * streaming, on libtasn1 + GnuTLS.
 *
 * Content is enciphered and deciphered in chunks as it passes from one GMimeStream to another,
 * so memory does not grow with its size. Decryption writes plaintext to OUTPUT as it is
 * produced: OUTPUT must be a private temporary place (a CachetOutput or a temporary file) that
 * reaches anyone only after this returns TRUE, because the GCM tag and the CBC padding are only
 * checked at the end.
 */
#pragma once

#include "cachet-gmime.h"

#include "cachet-certificate.h"
#include "cachet-credentials.h"
#include "cachet-options.h"

G_BEGIN_DECLS

/* Encrypts CONTENT (read to its end; CONTENT_LENGTH bytes, or -1 when unknown) for RECIPIENTS
 * (CachetCertificate with RSA keys; the caller has checked that they may be used) and writes a
 * ContentInfo to OUTPUT: EnvelopedData for the CBC ciphers, AuthEnvelopedData for GCM.
 * With a known length the output is DER, otherwise BER with indefinite lengths. DEFAULT is
 * taken as AES-256-CBC here: choosing per recipients is the caller's job. */
gboolean     cachet_enveloped_data_encrypt (GMimeStream   *content,
                                            gint64         content_length,
                                            GPtrArray     *recipients,
                                            CachetCipher   cipher,
                                            GMimeStream   *output,
                                            GCancellable  *cancellable,
                                            GError       **error);

/* What a successful decryption found. */
typedef struct {
  char     *cipher;          /* "aes-256-gcm", "aes-128-cbc", "3des-cbc", ... */
  gboolean  authenticated;   /* AuthEnvelopedData (the tag held) */
  CachetCertificate *recipient; /* the certificate of the credentials that opened it */
} CachetEnvelopedInfo;

void         cachet_enveloped_info_free    (CachetEnvelopedInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetEnvelopedInfo, cachet_enveloped_info_free)

/* Decrypts the ContentInfo (DER or BER) read from INPUT with the first of CREDENTIALS
 * (CachetCredentials) that is a recipient, writing the content to OUTPUT as it is deciphered.
 * KNOWN (CachetCertificate, may be NULL) helps name the recipients in the no-key error.
 * Errors: CACHET_ERROR_NO_KEY (names the recipients), CACHET_ERROR_DECRYPT_FAILED (tag,
 * padding or key; always the same sentence), CACHET_ERROR_MALFORMED, CACHET_ERROR_UNSUPPORTED.
 * On error OUTPUT holds garbage that must be thrown away. */
CachetEnvelopedInfo *
             cachet_enveloped_data_decrypt (GMimeStream   *input,
                                            GPtrArray     *credentials,
                                            GPtrArray     *known,
                                            GMimeStream   *output,
                                            GCancellable  *cancellable,
                                            GError       **error);

/* TRUE when DATA (the first bytes of a file, at least 32 when the file is that long) starts a
 * DER/BER ContentInfo of EnvelopedData or AuthEnvelopedData. */
gboolean     cachet_enveloped_data_sniff   (const guint8  *data,
                                            gsize          size);

G_END_DECLS
