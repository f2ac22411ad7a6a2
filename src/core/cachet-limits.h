/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-limits.h: the bounds Cachet puts on hostile input. A message or CMS structure past one
 * of them is refused with CACHET_ERROR_TOO_LARGE before any real work is done on it, so a crafted
 * file costs milliseconds, not minutes or gigabytes. Each bound is far above what real mail uses.
 */
#pragma once

#include "cachet-gmime.h"

G_BEGIN_DECLS

/* MIME: multiparts and attached messages nested in one another (real mail: under 10). */
#define CACHET_LIMIT_MIME_DEPTH       32
/* MIME: parts (leaves, multiparts and attached messages) in one message. */
#define CACHET_LIMIT_MIME_PARTS       1000
/* MIME: headers in one part or message (Received chains are long, but not this long). */
#define CACHET_LIMIT_HEADERS          1000
/* MIME: bytes in one header's value, folded lines included (RFC 5322 asks for 998 per line). */
#define CACHET_LIMIT_HEADER_SIZE      (256 * 1024)

/* CMS: SignerInfos in one SignedData, certificates carried in it, recipients of one
 * EnvelopedData or AuthEnvelopedData (a mailing list encrypted to each member stays below). */
#define CACHET_LIMIT_SIGNERS          64
#define CACHET_LIMIT_CERTIFICATES     256
#define CACHET_LIMIT_RECIPIENTS       500

/* PKCS#12: PBKDF2 iterations of the MAC and of each encrypted bag (GnuTLS exports 600,000,
 * OpenSSL 2,048, Windows 2,000); past this an import would hang for minutes on one password. */
#define CACHET_LIMIT_PKCS12_ITERATIONS 10000000

/* Reads the header block at the start of STREAM (up to the first empty line) and checks it
 * against the header bounds above before GMime parses it; STREAM is reset afterwards. END, when
 * given, receives the offset just after the empty line, or -1 when there is none. */
gboolean _cachet_limits_check_header_block (GMimeStream  *stream,
                                            gint64       *end,
                                            GError      **error);

/* Checks a parsed MIME tree (a GMimeMessage or any part) against the MIME bounds above. */
gboolean _cachet_limits_check_mime (GMimeObject  *object,
                                    GError      **error);

G_END_DECLS
