/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-file-stream.h: a GMimeStream over a file descriptor with large reads and writes.
 *
 * GMimeStreamFs moves data 4 KiB at a time (GMime's own copy buffer) and seeks before every
 * read of a substream, so a 100 MB message costs some 100,000 system calls per pass. This
 * stream behaves like GMimeStreamFs (same bounds, seek and end-of-stream rules) but reads
 * ahead and collects writes in one 128 KiB window shared by a stream and all its substreams,
 * using pread/pwrite. Memory stays flat: one window per open file, whatever its size.
 *
 * Differences from GMimeStreamFs: flush writes out what is collected but does not fsync (call
 * cachet_file_stream_sync for that), and a write error may be reported by the next flush,
 * read, seek or reset rather than by the write itself.
 */
#pragma once

#include "cachet-gmime.h"
#include "cachet-options.h"

G_BEGIN_DECLS

#define CACHET_TYPE_FILE_STREAM (cachet_file_stream_get_type ())
G_DECLARE_FINAL_TYPE (CachetFileStream, cachet_file_stream, CACHET, FILE_STREAM, GMimeStream)

/* Takes ownership of FD (closed when the stream and all its substreams are gone). */
GMimeStream *cachet_file_stream_new  (int               fd);
/* Opens PATH for reading; CACHET_ERROR_NOT_FOUND or _IO with a sentence naming the file. */
GMimeStream *cachet_file_stream_open (const char       *path,
                                      GError          **error);
/* The input of a job that reads it PASSES times: opens PATH for reading, adds PASSES times its
 * size to OPTIONS' bytes_total and counts the bytes read from it into bytes_done (see
 * cachet_file_stream_count_progress and _begin_pass). OPTIONS may be NULL. */
GMimeStream *cachet_file_stream_open_input (const char     *path,
                                            guint           passes,
                                            CachetOptions  *options,
                                            GError        **error);
/* From now on, the bytes read from the file (through this stream or any of its substreams, from
 * anywhere) are added to OPTIONS' bytes_done, up to the stream's length: one pass over it.
 * NULL stops counting. The total is left as it is. */
void         cachet_file_stream_count_progress (CachetFileStream *self,
                                                CachetOptions    *options);
/* The next pass over the file starts: its bytes count once more, up to the length again. */
void         cachet_file_stream_begin_pass     (CachetFileStream *self);
/* An unlinked 0600 file in the user's runtime folder (else the temporary folder), gone with
 * the stream: for plaintext and other content that must not outlive the job. When the runtime
 * folder (often a small tmpfs) fills up, the file moves to the temporary folder and goes on. */
GMimeStream *cachet_file_stream_new_temporary (GError **error);
/* For a file that will be fsynced at the end (an output): start writing each few MB to the
 * disk as they are written, so that the final fsync has little left to wait for. */
void         cachet_file_stream_set_early_writeback (CachetFileStream *self,
                                                     gboolean          early);
/* Writes out collected bytes and fsyncs the file. Returns FALSE with errno set on failure. */
gboolean     cachet_file_stream_sync (CachetFileStream *self);
int          cachet_file_stream_get_fd (CachetFileStream *self);

G_END_DECLS
