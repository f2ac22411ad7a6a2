/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-newline.h: faster line-end conversion for every GMime write in the process.
 *
 * GMime runs each part it writes through a unix2dos or dos2unix filter (chosen by the
 * format options), one byte at a time: on a 100 MB message that is most of the CPU time of
 * signing and encrypting. cachet_newline_speed_up replaces the filter functions of those two
 * GMime classes with versions that give exactly the same bytes (checked against GMime's own
 * loop in tests/test-streaming.c) but scan with memchr and pass buffers with nothing to
 * change through without copying. Filters made with ensure_newline keep GMime's code.
 *
 * The same is done for base64 in GMimeFilterBasic (GMime encodes 3 bytes and decodes each
 * character with a branch per byte): whole lines are encoded and whole quartets decoded at
 * a time, with GMime's state format, so the output is the same byte for byte (checked
 * against g_mime_encoding_base64_encode_step / _decode_step in tests/test-streaming.c).
 */
#pragma once

#include "cachet-gmime.h"

G_BEGIN_DECLS

/* Idempotent and thread-safe; called by cachet-file-stream when the first stream is made. */
void cachet_newline_speed_up (void);

/* The base64 steps (for tests): as g_mime_encoding_base64_encode_step / _decode_step. */
size_t _cachet_base64_encode_step (const guint8 *inbuf, size_t inlen, guint8 *outbuf,
                                   int *state, guint32 *save);
size_t _cachet_base64_decode_step (const guint8 *inbuf, size_t inlen, guint8 *outbuf,
                                   int *state, guint32 *save);

G_END_DECLS
