/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-output.h: all-or-nothing output files.
 *
 * Everything Cachet writes goes to a private temporary file first (mode 0600, in the target's
 * folder, or in the user's runtime folder for standard output) and reaches its destination only
 * on commit: a failed signature check, tag check or write leaves no partial file and prints
 * nothing. Freeing an uncommitted output removes the temporary file.
 */
#pragma once

#include "cachet-gmime.h"

G_BEGIN_DECLS

typedef struct _CachetOutput CachetOutput;

/* PATH "-" means standard output. */
CachetOutput *cachet_output_new        (const char    *path,
                                        GError       **error);
/* Where to write; owned by OUTPUT. */
GMimeStream  *cachet_output_get_stream (CachetOutput  *output);
/* Keeps the file private (0600) when it is saved, instead of the usual permissions: for
 * decrypted content. */
void          cachet_output_keep_private (CachetOutput *output);
/* Throws away what was written and starts again with an empty file: for a job that finds,
 * once it has written, that it wrote an intermediate (a decrypted file that is signed inside). */
gboolean      cachet_output_restart    (CachetOutput  *output,
                                        GError       **error);
/* Flushes and moves the temporary file into place (or copies it to standard output). */
gboolean      cachet_output_commit     (CachetOutput  *output,
                                        GError       **error);
void          cachet_output_free       (CachetOutput  *output);

/* Writes SIZE bytes of DATA to PATH ("-": standard output), all or nothing. */
gboolean      cachet_output_write_file (const char    *path,
                                        const void    *data,
                                        gsize          size,
                                        GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetOutput, cachet_output_free)

G_END_DECLS
