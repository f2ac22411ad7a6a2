/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-file-stream.c: a GMimeStream over a file with large, position-based reads and writes
 * (see the header).
 */
#include "config.h"

#define _GNU_SOURCE   /* sync_file_range; before any system header */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gnutls/gnutls.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cachet-error.h"
#include "cachet-file-stream.h"
#include "cachet-newline.h"
#include "cachet-options.h"

#define WINDOW_SIZE (128 * 1024)
/* reads and writes at least this large go straight to the file, without a copy */
#define DIRECT_SIZE (32 * 1024)
/* with early writeback, the disk is asked to start writing every this many bytes */
#define WRITEBACK_STEP (8 * 1024 * 1024)

/* One per open file, shared by a stream and its substreams. The window holds either bytes read
 * ahead (filled) or bytes waiting to be written (pending), never both. */
typedef struct {
  gatomicrefcount ref;
  GMutex          lock;      /* substreams may be read from other threads (a verdict's content) */
  int             fd;
  guint8         *window;
  gint64          start;     /* file offset of window[0] */
  gsize           filled;
  gsize           pending;
  gboolean        early_writeback;
  gint64          written_from;   /* start of the bytes written since the last writeback */
  gint64          written_to;
  CachetOptions  *progress;       /* an input's reads are counted here (bytes_done) */
  gint64          progress_left;  /* what this pass may still count: the file's size at most */
  gboolean        may_move;       /* a temporary in the runtime folder: moves when that is full */
} SharedFile;

struct _CachetFileStream
{
  GMimeStream  parent_instance;

  SharedFile  *file;
  gboolean     eos;
  gboolean     closed;
};

G_DEFINE_FINAL_TYPE (CachetFileStream, cachet_file_stream, GMIME_TYPE_STREAM)

/* Notes that [OFFSET, OFFSET + SIZE) was written; with early writeback, starts writing the
 * bytes collected so far to the disk (asynchronously) once there are enough of them. */
static void
written (SharedFile *file,
         gint64      offset,
         gsize       size)
{
  if (!file->early_writeback || size == 0)
    return;
  if (file->written_to != offset)
    file->written_from = offset;   /* not sequential: start counting afresh */
  file->written_to = offset + size;
  if (file->written_to - file->written_from >= WRITEBACK_STEP)
    {
#ifdef SYNC_FILE_RANGE_WRITE
      sync_file_range (file->fd, file->written_from, file->written_to - file->written_from,
                       SYNC_FILE_RANGE_WRITE);
#endif
      file->written_from = file->written_to;
    }
}

/* An unlinked 0600 file in DIR, or -1 with errno set. */
static int
make_temporary (const char *dir)
{
  g_autofree char *template = g_build_filename (dir, ".cachet-XXXXXX", NULL);
  int fd = g_mkstemp_full (template, O_RDWR | O_CLOEXEC, 0600);

  if (fd >= 0)
    g_unlink (template);
  return fd;
}

/* The runtime folder is a small tmpfs on most systems (a tenth of the memory). When a temporary
 * file there fills it, the file moves to the temporary folder, under the same descriptor number
 * so that substreams (and readers on other threads) carry on with the copy. */
static gboolean
move_to_disk (SharedFile *file)
{
  g_autofree char *buffer = NULL;
  struct stat st;
  int fd, saved;

  if (fstat (file->fd, &st) < 0 || (fd = make_temporary (g_get_tmp_dir ())) < 0)
    return FALSE;
  buffer = g_malloc (WINDOW_SIZE);
  for (off_t done = 0; done < st.st_size;)
    {
      ssize_t n = pread (file->fd, buffer, MIN (WINDOW_SIZE, st.st_size - done), done);

      if (n > 0)
        n = pwrite (fd, buffer, n, done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        goto failed;
      done += n;
    }
  if (dup3 (fd, file->fd, O_CLOEXEC) < 0)
    goto failed;
  gnutls_memset (buffer, 0, WINDOW_SIZE);
  close (fd);
  file->may_move = FALSE;
  return TRUE;

failed:
  saved = errno;
  gnutls_memset (buffer, 0, WINDOW_SIZE);
  close (fd);
  errno = saved;
  return FALSE;
}

/* Writes all of BUFFER at OFFSET. Returns FALSE with errno set. */
static gboolean
write_all (SharedFile  *file,
           const void  *buffer,
           gsize        length,
           gint64       offset)
{
  for (gsize done = 0; done < length;)
    {
      ssize_t n = pwrite (file->fd, (const char *) buffer + done, length - done, offset + done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == ENOSPC || errno == EDQUOT) && file->may_move)
        {
          int saved = errno;

          if (move_to_disk (file))
            continue;
          errno = saved;
        }
      if (n <= 0)
        {
          if (n == 0)
            errno = EIO;
          return FALSE;
        }
      done += n;
    }
  written (file, offset, length);
  return TRUE;
}

static int shared_flush (SharedFile *file);

static int
locked_flush (SharedFile *file)
{
  int rc;

  g_mutex_lock (&file->lock);
  rc = shared_flush (file);
  g_mutex_unlock (&file->lock);
  return rc;
}

static int
shared_flush (SharedFile *file)
{
  if (!write_all (file, file->window, file->pending, file->start))
    {
      /* what was not written is lost: say so once, then start afresh */
      file->pending = 0;
      file->filled = 0;
      return -1;
    }

  /* the bytes just written are what the file holds there now: keep them as read-ahead */
  file->filled = file->pending;
  file->pending = 0;
  return 0;
}

static SharedFile *
shared_ref (SharedFile *file)
{
  g_atomic_ref_count_inc (&file->ref);
  return file;
}

static void
shared_unref (SharedFile *file)
{
  if (!g_atomic_ref_count_dec (&file->ref))
    return;

  shared_flush (file);
  if (file->window)
    {
      /* the window may have held decrypted content */
      gnutls_memset (file->window, 0, WINDOW_SIZE);
      g_free (file->window);
    }
  if (file->fd >= 0)
    close (file->fd);
  g_clear_object (&file->progress);
  g_mutex_clear (&file->lock);
  g_free (file);
}

static gboolean
ensure_window (SharedFile *file)
{
  if (file->window == NULL)
    file->window = g_try_malloc (WINDOW_SIZE);
  if (file->window == NULL)
    errno = ENOMEM;
  return file->window != NULL;
}

static gboolean
usable (CachetFileStream *self)
{
  if (self->closed || self->file->fd < 0)
    {
      errno = EBADF;
      return FALSE;
    }
  return TRUE;
}

static ssize_t
read_locked (GMimeStream *stream,
             char        *buffer,
             size_t       length)
{
  CachetFileStream *self = CACHET_FILE_STREAM (stream);
  SharedFile *file = self->file;
  gint64 position = stream->position;
  size_t total = 0;

  if (!usable (self))
    return -1;
  if (stream->bound_end != -1 && position >= stream->bound_end)
    {
      errno = EINVAL;   /* as GMimeStreamFs */
      return -1;
    }
  if (stream->bound_end != -1)
    length = (size_t) MIN (stream->bound_end - position, (gint64) length);
  if (length == 0)
    return 0;
  if (file->pending > 0 && shared_flush (file) < 0)
    return -1;

  while (total < length)
    {
      size_t want = length - total;
      ssize_t n;

      if (file->filled > 0 && position >= file->start && position < file->start + (gint64) file->filled)
        {
          n = MIN ((gint64) want, file->start + (gint64) file->filled - position);
          memcpy (buffer + total, file->window + (position - file->start), n);
        }
      else if (want >= DIRECT_SIZE || !ensure_window (file))
        {
          do
            n = pread (file->fd, buffer + total, want, position);
          while (n < 0 && errno == EINTR);
          if (n < 0)
            return total > 0 ? (ssize_t) total : -1;
          if (n == 0)
            {
              /* as GMimeStreamFs: end of stream only when a read gives nothing */
              self->eos = total == 0;
              break;
            }
        }
      else
        {
          do
            n = pread (file->fd, file->window, WINDOW_SIZE, position);
          while (n < 0 && errno == EINTR);
          file->filled = 0;
          if (n < 0)
            {
              if (total > 0)
                break;
              return -1;
            }
          if (n == 0)
            {
              self->eos = total == 0;
              break;
            }
          file->start = position;
          file->filled = n;
          continue;
        }

      position += n;
      total += n;
    }

  stream->position = position;
  /* progress: the bytes read, however the reads jump about, up to the file's size a pass */
  if (file->progress != NULL && total > 0 && file->progress_left > 0)
    {
      gsize counted = MIN ((gint64) total, file->progress_left);

      cachet_options_add_bytes_done (file->progress, counted);
      file->progress_left -= counted;
    }
  return total;
}

static ssize_t
cachet_file_stream_read (GMimeStream *stream,
                         char        *buffer,
                         size_t       length)
{
  SharedFile *file = CACHET_FILE_STREAM (stream)->file;
  ssize_t n;

  g_mutex_lock (&file->lock);
  n = read_locked (stream, buffer, length);
  g_mutex_unlock (&file->lock);
  return n;
}

static ssize_t
write_locked (GMimeStream *stream,
              const char  *buffer,
              size_t       length)
{
  CachetFileStream *self = CACHET_FILE_STREAM (stream);
  SharedFile *file = self->file;
  size_t done = 0;

  if (!usable (self))
    return -1;
  if (stream->bound_end != -1 && stream->position >= stream->bound_end)
    {
      errno = EINVAL;
      return -1;
    }
  if (stream->bound_end != -1)
    length = (size_t) MIN (stream->bound_end - stream->position, (gint64) length);

  if (file->pending > 0 && file->start + (gint64) file->pending != stream->position &&
      shared_flush (file) < 0)
    return -1;
  file->filled = 0;   /* read-ahead may be stale after this */

  if (file->pending == 0 && (length >= DIRECT_SIZE || !ensure_window (file)))
    {
      if (!write_all (file, buffer, length, stream->position))
        return -1;
      stream->position += length;
      return length;
    }

  while (done < length)
    {
      size_t take;

      if (file->pending == 0)
        file->start = stream->position + done;
      take = MIN (length - done, WINDOW_SIZE - file->pending);
      memcpy (file->window + file->pending, buffer + done, take);
      file->pending += take;
      done += take;
      if (file->pending == WINDOW_SIZE)
        {
          if (shared_flush (file) < 0)
            return -1;
          file->filled = 0;
        }
    }

  stream->position += length;
  return length;
}

static ssize_t
cachet_file_stream_write (GMimeStream *stream,
                          const char  *buffer,
                          size_t       length)
{
  SharedFile *file = CACHET_FILE_STREAM (stream)->file;
  ssize_t n;

  g_mutex_lock (&file->lock);
  n = write_locked (stream, buffer, length);
  g_mutex_unlock (&file->lock);
  return n;
}

static int
cachet_file_stream_flush (GMimeStream *stream)
{
  CachetFileStream *self = CACHET_FILE_STREAM (stream);

  if (!usable (self))
    return -1;
  return locked_flush (self->file);
}

static int
cachet_file_stream_close (GMimeStream *stream)
{
  CachetFileStream *self = CACHET_FILE_STREAM (stream);
  int rc;

  if (self->closed)
    return 0;
  rc = self->file->fd >= 0 ? locked_flush (self->file) : 0;
  self->closed = TRUE;
  return rc;
}

static gboolean
cachet_file_stream_eos (GMimeStream *stream)
{
  CachetFileStream *self = CACHET_FILE_STREAM (stream);

  /* g_mime_stream_eos itself says TRUE at bound_end */
  return self->closed || self->eos;
}

static int
cachet_file_stream_reset (GMimeStream *stream)
{
  CachetFileStream *self = CACHET_FILE_STREAM (stream);

  if (!usable (self) || locked_flush (self->file) < 0)
    return -1;
  stream->position = stream->bound_start;
  self->eos = FALSE;
  return 0;
}

static gint64
file_size (CachetFileStream *self)
{
  struct stat st;

  if (locked_flush (self->file) < 0 || fstat (self->file->fd, &st) < 0)
    return -1;
  return st.st_size;
}

static gint64
cachet_file_stream_seek (GMimeStream    *stream,
                         gint64          offset,
                         GMimeSeekWhence whence)
{
  CachetFileStream *self = CACHET_FILE_STREAM (stream);
  gint64 real;

  if (!usable (self))
    return -1;

  switch (whence)
    {
    case GMIME_STREAM_SEEK_SET:
      real = offset;
      break;
    case GMIME_STREAM_SEEK_CUR:
      real = stream->position + offset;
      break;
    case GMIME_STREAM_SEEK_END:
      if (offset > 0 || stream->bound_end == -1)
        {
          gint64 size = file_size (self);

          if (size < 0)
            return -1;
          real = size + offset;
        }
      else
        real = stream->bound_end + offset;
      break;
    default:
      errno = EINVAL;
      return -1;
    }

  if (real < stream->bound_start || (stream->bound_end != -1 && real > stream->bound_end))
    {
      errno = EINVAL;
      return -1;
    }
  if (real < stream->position || (stream->bound_end != -1 && real < stream->bound_end))
    self->eos = FALSE;
  stream->position = real;
  return real;
}

static gint64
cachet_file_stream_tell (GMimeStream *stream)
{
  return stream->position;
}

static gint64
cachet_file_stream_length (GMimeStream *stream)
{
  CachetFileStream *self = CACHET_FILE_STREAM (stream);
  gint64 size;

  if (stream->bound_end != -1)
    return stream->bound_end - stream->bound_start;
  if (!usable (self) || (size = file_size (self)) < 0)
    return -1;
  if (size < stream->bound_start)
    {
      errno = EINVAL;
      return -1;
    }
  return size - stream->bound_start;
}

static GMimeStream *
cachet_file_stream_substream (GMimeStream *stream,
                              gint64       start,
                              gint64       end)
{
  CachetFileStream *self = CACHET_FILE_STREAM (stream);
  CachetFileStream *sub = g_object_new (CACHET_TYPE_FILE_STREAM, NULL);

  sub->file = shared_ref (self->file);
  g_mime_stream_construct (GMIME_STREAM (sub), start, end);
  return GMIME_STREAM (sub);
}

static void
cachet_file_stream_finalize (GObject *object)
{
  CachetFileStream *self = CACHET_FILE_STREAM (object);

  g_clear_pointer (&self->file, shared_unref);

  G_OBJECT_CLASS (cachet_file_stream_parent_class)->finalize (object);
}

static void
cachet_file_stream_class_init (CachetFileStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GMimeStreamClass *stream_class = GMIME_STREAM_CLASS (klass);

  object_class->finalize = cachet_file_stream_finalize;

  stream_class->read = cachet_file_stream_read;
  stream_class->write = cachet_file_stream_write;
  stream_class->flush = cachet_file_stream_flush;
  stream_class->close = cachet_file_stream_close;
  stream_class->eos = cachet_file_stream_eos;
  stream_class->reset = cachet_file_stream_reset;
  stream_class->seek = cachet_file_stream_seek;
  stream_class->tell = cachet_file_stream_tell;
  stream_class->length = cachet_file_stream_length;
  stream_class->substream = cachet_file_stream_substream;
}

static void
cachet_file_stream_init (CachetFileStream *self)
{
}

GMimeStream *
cachet_file_stream_new (int fd)
{
  CachetFileStream *self;
  gint64 start = lseek (fd, 0, SEEK_CUR);

  cachet_newline_speed_up ();
  self = g_object_new (CACHET_TYPE_FILE_STREAM, NULL);

  self->file = g_new0 (SharedFile, 1);
  g_atomic_ref_count_init (&self->file->ref);
  g_mutex_init (&self->file->lock);
  self->file->fd = fd;
  g_mime_stream_construct (GMIME_STREAM (self), start < 0 ? 0 : start, -1);
  return GMIME_STREAM (self);
}

gboolean
cachet_file_stream_sync (CachetFileStream *self)
{
  g_return_val_if_fail (CACHET_IS_FILE_STREAM (self), FALSE);

  if (!usable (self) || locked_flush (self->file) < 0)
    return FALSE;
  return fsync (self->file->fd) == 0;
}

void
cachet_file_stream_set_early_writeback (CachetFileStream *self,
                                        gboolean          early)
{
  g_return_if_fail (CACHET_IS_FILE_STREAM (self));
  g_mutex_lock (&self->file->lock);
  self->file->early_writeback = early;
  g_mutex_unlock (&self->file->lock);
}

int
cachet_file_stream_get_fd (CachetFileStream *self)
{
  g_return_val_if_fail (CACHET_IS_FILE_STREAM (self), -1);
  return self->file->fd;
}

GMimeStream *
cachet_file_stream_open (const char  *path,
                         GError     **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, CACHET_ERROR, saved == ENOENT ? CACHET_ERROR_NOT_FOUND : CACHET_ERROR_IO,
                   _("Cannot open “%s”: %s."), display, g_strerror (saved));
      return NULL;
    }

  return cachet_file_stream_new (fd);
}

GMimeStream *
cachet_file_stream_open_input (const char     *path,
                               guint           passes,
                               CachetOptions  *options,
                               GError        **error)
{
  GMimeStream *stream = cachet_file_stream_open (path, error);
  gint64 length;

  if (stream == NULL || options == NULL)
    return stream;
  if ((length = g_mime_stream_length (stream)) > 0)
    cachet_options_add_bytes_total (options, length * passes);
  cachet_file_stream_count_progress (CACHET_FILE_STREAM (stream), options);
  return stream;
}

void
cachet_file_stream_count_progress (CachetFileStream *self,
                                   CachetOptions    *options)
{
  gint64 length;

  g_return_if_fail (CACHET_IS_FILE_STREAM (self));
  g_return_if_fail (options == NULL || CACHET_IS_OPTIONS (options));

  length = g_mime_stream_length (GMIME_STREAM (self));   /* before locking: it flushes */
  g_mutex_lock (&self->file->lock);
  g_set_object (&self->file->progress, options);
  self->file->progress_left = MAX (0, length);
  g_mutex_unlock (&self->file->lock);
}

void
cachet_file_stream_begin_pass (CachetFileStream *self)
{
  gint64 length;

  g_return_if_fail (CACHET_IS_FILE_STREAM (self));

  length = g_mime_stream_length (GMIME_STREAM (self));
  g_mutex_lock (&self->file->lock);
  self->file->progress_left = MAX (0, length);
  g_mutex_unlock (&self->file->lock);
}

GMimeStream *
cachet_file_stream_new_temporary (GError **error)
{
  const char *runtime = g_get_user_runtime_dir ();
  int fd = make_temporary (runtime);
  gboolean in_runtime = fd >= 0 && g_strcmp0 (runtime, g_get_tmp_dir ()) != 0;
  GMimeStream *stream;

  if (fd < 0 && (fd = make_temporary (g_get_tmp_dir ())) < 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                   _("Cannot create a private temporary file: %s. Check that the temporary folder "
                     "is writable."), g_strerror (errno));
      return NULL;
    }
  stream = cachet_file_stream_new (fd);
  CACHET_FILE_STREAM (stream)->file->may_move = in_runtime;
  return stream;
}
