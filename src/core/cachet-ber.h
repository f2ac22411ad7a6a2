/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-ber.h: a streaming BER reader and writer for the outer layers of CMS.
 *
 * CMS messages can be far bigger than memory (a 1 GB file signed opaquely or encrypted), so
 * Cachet never decodes the whole structure at once. The reader walks the outer SEQUENCEs tag by
 * tag from a GMimeStream, streams big OCTET STRINGs (eContent, encryptedContent; primitive or
 * BER constructed, definite or indefinite length) through a callback in chunks, and hands small
 * elements (SignerInfo, RecipientInfo, certificates) to libtasn1 as raw bytes. Every length is
 * checked against what encloses it, nesting depth and element sizes are bounded.
 */
#pragma once

#include "cachet-gmime.h"

G_BEGIN_DECLS

#define CACHET_BER_CLASS_UNIVERSAL   0x00
#define CACHET_BER_CLASS_APPLICATION 0x40
#define CACHET_BER_CLASS_CONTEXT     0x80
#define CACHET_BER_CLASS_PRIVATE     0xC0

#define CACHET_BER_TAG_INTEGER      2
#define CACHET_BER_TAG_OCTET_STRING 4
#define CACHET_BER_TAG_NULL         5
#define CACHET_BER_TAG_OID          6
#define CACHET_BER_TAG_SEQUENCE     16
#define CACHET_BER_TAG_SET          17

/* Small elements read whole (certificates, SignerInfos, RecipientInfos) are bounded. */
#define CACHET_BER_MAX_ELEMENT (4 * 1024 * 1024)
#define CACHET_BER_MAX_DEPTH   32

typedef struct {
  guint8   tag_class;       /* CACHET_BER_CLASS_* */
  gboolean constructed;
  guint32  tag;             /* tag number */
  gboolean indefinite;
  guint64  length;          /* content length when definite */
  guint8   raw[16];         /* the header bytes as read */
  guint    raw_length;
} CachetBerHeader;

typedef struct _CachetBerReader CachetBerReader;

/* Called with successive pieces of an OCTET STRING's content. Return FALSE (and set ERROR) to stop. */
typedef gboolean (*CachetBerChunkFunc) (const guint8 *data,
                                        gsize         size,
                                        gpointer      user_data,
                                        GError      **error);

/* WHAT names the structure in error messages ("The signature", "The encrypted message"). */
CachetBerReader *cachet_ber_reader_new             (GMimeStream      *stream,
                                                    const char       *what,
                                                    GCancellable     *cancellable);
void             cachet_ber_reader_free            (CachetBerReader  *reader);

/* Reads the next header. Inside a constructed element entered with _enter, fails when the
 * element has ended: check _at_end first. */
gboolean         cachet_ber_reader_read_header     (CachetBerReader  *reader,
                                                    CachetBerHeader  *header,
                                                    GError          **error);
/* Reads the next header and checks its class, constructed bit and tag. */
gboolean         cachet_ber_reader_expect          (CachetBerReader  *reader,
                                                    CachetBerHeader  *header,
                                                    guint8            tag_class,
                                                    gboolean          constructed,
                                                    guint32           tag,
                                                    GError          **error);
/* Peeks whether the next header is the given one, without consuming; FALSE at the end of the
 * current element. */
gboolean         cachet_ber_reader_peek_is         (CachetBerReader  *reader,
                                                    guint8            tag_class,
                                                    guint32           tag,
                                                    gboolean         *is,
                                                    GError          **error);

/* Enters the constructed element whose header was just read. */
gboolean         cachet_ber_reader_enter           (CachetBerReader  *reader,
                                                    const CachetBerHeader *header,
                                                    GError          **error);
/* TRUE when the innermost entered element has no more content. */
gboolean         cachet_ber_reader_at_end          (CachetBerReader  *reader,
                                                    gboolean         *at_end,
                                                    GError          **error);
/* Leaves the innermost element: skips nothing; fails when content remains. */
gboolean         cachet_ber_reader_leave           (CachetBerReader  *reader,
                                                    GError          **error);

/* Reads the content of the element whose header was just read, wholly into memory
 * (at most CACHET_BER_MAX_ELEMENT bytes). With INCLUDE_HEADER the result is the whole TLV, ready
 * for libtasn1 or GnuTLS. Primitive content only unless INCLUDE_HEADER. */
GBytes          *cachet_ber_reader_read_element    (CachetBerReader  *reader,
                                                    const CachetBerHeader *header,
                                                    gboolean          include_header,
                                                    GError          **error);
/* Reads the next element whole (header included). */
GBytes          *cachet_ber_reader_read_next       (CachetBerReader  *reader,
                                                    GError          **error);
/* Streams the content of an OCTET STRING (the header just read; primitive or constructed,
 * implicitly tagged or not) through FUNC. */
gboolean         cachet_ber_reader_stream_octets   (CachetBerReader  *reader,
                                                    const CachetBerHeader *header,
                                                    CachetBerChunkFunc func,
                                                    gpointer          user_data,
                                                    GError          **error);
/* Skips the element whose header was just read. */
gboolean         cachet_ber_reader_skip            (CachetBerReader  *reader,
                                                    const CachetBerHeader *header,
                                                    GError          **error);
/* Bytes consumed so far. */
guint64          cachet_ber_reader_get_position    (CachetBerReader  *reader);

/* Writing. Headers with LENGTH < 0 are indefinite and must be closed with _write_end. */
gboolean         cachet_ber_write_header           (GMimeStream      *stream,
                                                    guint8            tag_class,
                                                    gboolean          constructed,
                                                    guint32           tag,
                                                    gssize            length,
                                                    GError          **error);
gboolean         cachet_ber_write_end              (GMimeStream      *stream,
                                                    GError          **error);
gboolean         cachet_ber_write_bytes            (GMimeStream      *stream,
                                                    const guint8     *data,
                                                    gsize             size,
                                                    GError          **error);
/* Appends a header to ARRAY (for building small DER pieces by hand). */
void             cachet_ber_append_header          (GByteArray       *array,
                                                    guint8            tag_class,
                                                    gboolean          constructed,
                                                    guint32           tag,
                                                    gssize            length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetBerReader, cachet_ber_reader_free)

G_END_DECLS
