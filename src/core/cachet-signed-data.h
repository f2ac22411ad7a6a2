/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-signed-data.h: CMS SignedData (RFC 5652) read and written in a stream.
 *
 * Writing: the content is hashed as it passes (and, for opaque signatures, written into the
 * output as BER indefinite-length eContent at the same time), then the signed attributes
 * (contentType, signingTime, messageDigest, SMIMECapabilities, SMIMEEncryptionKeyPreference)
 * are signed by GnuTLS. Reading: the outer layers are walked with cachet-ber, eContent is
 * streamed through every announced digest, certificates and SignerInfos are decoded with
 * libtasn1, and each signer gets its own CachetSigner with its maths and trust judged apart.
 */
#pragma once

#include <gnutls/gnutls.h>

#include "cachet-credentials.h"
#include "cachet-options.h"
#include "cachet-verdict.h"

G_BEGIN_DECLS

/* "sha256" → GNUTLS_DIG_SHA256; GNUTLS_DIG_UNKNOWN for anything Cachet does not sign with. */
gnutls_digest_algorithm_t _cachet_digest_from_name (const char *name);
/* GNUTLS_DIG_SHA256 → "sha256" (also "sha1", "md5", ... for verification reports). */
const char *_cachet_digest_to_name (gnutls_digest_algorithm_t digest);

/* Signs DIGEST_VALUE (the DIGEST hash of the content) and writes a detached DER ContentInfo. */
gboolean _cachet_signed_data_write_detached (CachetCredentials         *credentials,
                                             gnutls_digest_algorithm_t  digest,
                                             GBytes                    *digest_value,
                                             GMimeStream               *output,
                                             GError                   **error);

/* Reads CONTENT to its end, hashing it, and writes a SignedData to OUTPUT: opaque (BER,
 * the content embedded as it streams) with EMBED, otherwise detached (DER). */
gboolean _cachet_signed_data_sign_stream (CachetCredentials         *credentials,
                                          gnutls_digest_algorithm_t  digest,
                                          GMimeStream               *content,
                                          gboolean                   embed,
                                          GMimeStream               *output,
                                          GCancellable              *cancellable,
                                          GError                   **error);

typedef struct _CachetSignedData CachetSignedData;

/* Reads a ContentInfo holding SignedData (DER or BER) from INPUT. Embedded content is hashed
 * and, when CONTENT_SINK is given, written to it as it streams. Fails only when the structure
 * cannot be read; the judgement comes from _cachet_signed_data_verify. */
CachetSignedData *_cachet_signed_data_read        (GMimeStream       *input,
                                                   GMimeStream       *content_sink,
                                                   GCancellable      *cancellable,
                                                   GError           **error);
void              _cachet_signed_data_free        (CachetSignedData  *signed_data);
/* TRUE when the SignedData carried eContent. */
gboolean          _cachet_signed_data_has_content (CachetSignedData  *signed_data);
/* For a detached signature: a stream that hashes what is written to it with every digest the
 * signers need. Write the signed content into it (borrowed) before verifying. */
GMimeStream      *_cachet_signed_data_get_content_stream (CachetSignedData *signed_data);
/* How many SignerInfos the SignedData holds. */
guint             _cachet_signed_data_get_n_signers (CachetSignedData *signed_data);
/* The certificates embedded in the SignedData (CachetCertificate). */
GPtrArray        *_cachet_signed_data_get_certificates   (CachetSignedData *signed_data);
/* Judges every signer (maths, attributes, certificate, trust at the right time) and adds them
 * to VERDICT; adds no-signers when there are none. */
gboolean          _cachet_signed_data_verify      (CachetSignedData  *signed_data,
                                                   CachetOptions     *options,
                                                   CachetVerdict     *verdict,
                                                   GCancellable      *cancellable,
                                                   GError           **error);

/* TRUE when DATA starts like a DER/BER ContentInfo whose contentType is OID (dotted). */
gboolean          _cachet_signed_data_sniff       (const guint8      *data,
                                                   gsize              size,
                                                   const char        *oid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetSignedData, _cachet_signed_data_free)

G_END_DECLS
