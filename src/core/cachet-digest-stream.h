/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-digest-stream.h: a GMimeStream that hashes what is written to it.
 *
 * GMime writes a MIME part (with CRLF line ends when asked) straight into this stream, which
 * feeds every byte to one or more GnuTLS hashes and optionally passes it on to another stream.
 * This is how Cachet hashes content of any size without holding it in memory.
 */
#pragma once

#include "cachet-gmime.h"
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

G_BEGIN_DECLS

#define CACHET_TYPE_DIGEST_STREAM (cachet_digest_stream_get_type ())
G_DECLARE_FINAL_TYPE (CachetDigestStream, cachet_digest_stream, CACHET, DIGEST_STREAM, GMimeStream)

/* NEXT (may be NULL) receives every byte written, after it has been hashed. */
GMimeStream *cachet_digest_stream_new            (GMimeStream          *next);
/* Adds a hash; adding one twice is harmless. Returns FALSE when GnuTLS refuses the algorithm. */
gboolean     cachet_digest_stream_add_algorithm  (CachetDigestStream   *self,
                                                  gnutls_digest_algorithm_t algorithm);
gboolean     cachet_digest_stream_has_algorithm  (CachetDigestStream   *self,
                                                  gnutls_digest_algorithm_t algorithm);
/* The digest of everything written so far (the hash keeps running). NULL for an algorithm that
 * was not added. */
GBytes      *cachet_digest_stream_get_digest     (CachetDigestStream   *self,
                                                  gnutls_digest_algorithm_t algorithm);
/* Bytes written so far. */
guint64      cachet_digest_stream_get_count      (CachetDigestStream   *self);
/* Hashes every byte of SOURCE from its current position to its end. */
gboolean     cachet_digest_stream_absorb         (CachetDigestStream   *self,
                                                  GMimeStream          *source,
                                                  GCancellable         *cancellable,
                                                  GError              **error);

G_END_DECLS
