/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-digest-stream.c: a write-only GMimeStream feeding GnuTLS hashes (see the header).
 *
 * Hashing is the one part of signing and verifying that the machine cannot do faster, and it
 * is about a third of the work on a big message. So once more than THREAD_AFTER bytes came in,
 * the bytes are copied into chunks that a helper thread hashes while the caller goes on
 * reading, converting and writing: on two cores the hash then costs a copy instead.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "cachet-digest-stream.h"
#include "cachet-error.h"

#define THREAD_AFTER (1024 * 1024)
#define CHUNK_SIZE   (256 * 1024)
#define N_CHUNKS     4

typedef struct {
  gnutls_digest_algorithm_t algorithm;
  gnutls_hash_hd_t          hash;
} Hash;

typedef struct {
  gsize length;
  char  data[CHUNK_SIZE];
} Chunk;

/* Pushed to the helper thread to end it. */
static Chunk stop_chunk;

/* What is hashed may be decrypted content: cleared before it goes back to the heap. */
static void
chunk_free (gpointer data)
{
  gnutls_memset (data, 0, sizeof (Chunk));
  g_free (data);
}

struct _CachetDigestStream
{
  GMimeStream  parent_instance;

  GMimeStream *next;
  GArray      *hashes;   /* Hash */
  guint64      count;

  /* the helper thread and its chunks, while it runs */
  GThread     *thread;
  GAsyncQueue *full;     /* Chunk, to be hashed in order */
  GAsyncQueue *empty;    /* Chunk, hashed */
  Chunk       *filling;
  gint         failed;   /* atomic; a hash failed */
};

G_DEFINE_FINAL_TYPE (CachetDigestStream, cachet_digest_stream, GMIME_TYPE_STREAM)

static ssize_t
cachet_digest_stream_read (GMimeStream *stream,
                           char        *buffer,
                           size_t       length)
{
  errno = EBADF;
  return -1;
}

static gboolean
hash_bytes (CachetDigestStream *self,
            const char         *buffer,
            size_t              length)
{
  for (guint i = 0; i < self->hashes->len; i++)
    if (gnutls_hash (g_array_index (self->hashes, Hash, i).hash, buffer, length) < 0)
      return FALSE;
  return TRUE;
}

static gpointer
hash_thread (gpointer data)
{
  CachetDigestStream *self = data;
  Chunk *chunk;

  while ((chunk = g_async_queue_pop (self->full)) != &stop_chunk)
    {
      if (!g_atomic_int_get (&self->failed) && !hash_bytes (self, chunk->data, chunk->length))
        g_atomic_int_set (&self->failed, TRUE);
      chunk->length = 0;
      g_async_queue_push (self->empty, chunk);
    }
  return NULL;
}

static void
start_thread (CachetDigestStream *self)
{
  self->full = g_async_queue_new ();
  self->empty = g_async_queue_new_full (chunk_free);
  for (guint i = 1; i < N_CHUNKS; i++)
    g_async_queue_push (self->empty, g_new0 (Chunk, 1));
  self->filling = g_new0 (Chunk, 1);
  self->thread = g_thread_try_new ("cachet-hash", hash_thread, self, NULL);
  if (self->thread == NULL)   /* hash on the caller's thread then */
    {
      g_clear_pointer (&self->filling, chunk_free);
      g_clear_pointer (&self->full, g_async_queue_unref);
      g_clear_pointer (&self->empty, g_async_queue_unref);
    }
}

/* Hashes what is still queued and ends the helper thread. */
static void
stop_thread (CachetDigestStream *self)
{
  if (self->thread == NULL)
    return;
  g_async_queue_push (self->full, g_steal_pointer (&self->filling));
  g_async_queue_push (self->full, &stop_chunk);
  g_clear_pointer (&self->thread, g_thread_join);
  g_clear_pointer (&self->full, g_async_queue_unref);
  g_clear_pointer (&self->empty, g_async_queue_unref);
}

static void
queue_bytes (CachetDigestStream *self,
             const char         *buffer,
             size_t              length)
{
  while (length > 0)
    {
      size_t n = MIN (length, CHUNK_SIZE - self->filling->length);

      memcpy (self->filling->data + self->filling->length, buffer, n);
      self->filling->length += n;
      buffer += n;
      length -= n;
      if (self->filling->length == CHUNK_SIZE)
        {
          g_async_queue_push (self->full, self->filling);
          self->filling = g_async_queue_pop (self->empty);
        }
    }
}

static ssize_t
cachet_digest_stream_write (GMimeStream *stream,
                            const char  *buffer,
                            size_t       length)
{
  CachetDigestStream *self = CACHET_DIGEST_STREAM (stream);

  if (self->thread == NULL && self->count >= THREAD_AFTER && self->hashes->len > 0)
    start_thread (self);

  if (self->thread != NULL)
    queue_bytes (self, buffer, length);
  else if (!hash_bytes (self, buffer, length))
    g_atomic_int_set (&self->failed, TRUE);
  if (g_atomic_int_get (&self->failed))
    {
      errno = EIO;
      return -1;
    }

  if (self->next != NULL && length > 0)
    {
      ssize_t written = g_mime_stream_write (self->next, buffer, length);

      if (written != (ssize_t) length)
        return -1;
    }

  self->count += length;
  stream->position += length;
  return length;
}

static int
cachet_digest_stream_flush (GMimeStream *stream)
{
  CachetDigestStream *self = CACHET_DIGEST_STREAM (stream);

  return self->next ? g_mime_stream_flush (self->next) : 0;
}

static int
cachet_digest_stream_close (GMimeStream *stream)
{
  return 0;
}

static gboolean
cachet_digest_stream_eos (GMimeStream *stream)
{
  return TRUE;
}

static int
cachet_digest_stream_reset (GMimeStream *stream)
{
  /* A hash cannot go back; only a stream that has not been written to can be reset. */
  return CACHET_DIGEST_STREAM (stream)->count == 0 ? 0 : -1;
}

static gint64
cachet_digest_stream_seek (GMimeStream    *stream,
                           gint64          offset,
                           GMimeSeekWhence whence)
{
  return -1;
}

static gint64
cachet_digest_stream_tell (GMimeStream *stream)
{
  return stream->position;
}

static gint64
cachet_digest_stream_length (GMimeStream *stream)
{
  return CACHET_DIGEST_STREAM (stream)->count;
}

static GMimeStream *
cachet_digest_stream_substream (GMimeStream *stream,
                                gint64       start,
                                gint64       end)
{
  return NULL;
}

static void
cachet_digest_stream_finalize (GObject *object)
{
  CachetDigestStream *self = CACHET_DIGEST_STREAM (object);

  stop_thread (self);
  for (guint i = 0; i < self->hashes->len; i++)
    gnutls_hash_deinit (g_array_index (self->hashes, Hash, i).hash, NULL);
  g_array_unref (self->hashes);
  g_clear_object (&self->next);

  G_OBJECT_CLASS (cachet_digest_stream_parent_class)->finalize (object);
}

static void
cachet_digest_stream_class_init (CachetDigestStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GMimeStreamClass *stream_class = GMIME_STREAM_CLASS (klass);

  object_class->finalize = cachet_digest_stream_finalize;

  stream_class->read = cachet_digest_stream_read;
  stream_class->write = cachet_digest_stream_write;
  stream_class->flush = cachet_digest_stream_flush;
  stream_class->close = cachet_digest_stream_close;
  stream_class->eos = cachet_digest_stream_eos;
  stream_class->reset = cachet_digest_stream_reset;
  stream_class->seek = cachet_digest_stream_seek;
  stream_class->tell = cachet_digest_stream_tell;
  stream_class->length = cachet_digest_stream_length;
  stream_class->substream = cachet_digest_stream_substream;
}

static void
cachet_digest_stream_init (CachetDigestStream *self)
{
  self->hashes = g_array_new (FALSE, FALSE, sizeof (Hash));
}

GMimeStream *
cachet_digest_stream_new (GMimeStream *next)
{
  CachetDigestStream *self = g_object_new (CACHET_TYPE_DIGEST_STREAM, NULL);

  g_mime_stream_construct (GMIME_STREAM (self), 0, -1);
  if (next != NULL)
    self->next = g_object_ref (next);
  return GMIME_STREAM (self);
}

gboolean
cachet_digest_stream_has_algorithm (CachetDigestStream        *self,
                                    gnutls_digest_algorithm_t  algorithm)
{
  g_return_val_if_fail (CACHET_IS_DIGEST_STREAM (self), FALSE);

  for (guint i = 0; i < self->hashes->len; i++)
    if (g_array_index (self->hashes, Hash, i).algorithm == algorithm)
      return TRUE;
  return FALSE;
}

gboolean
cachet_digest_stream_add_algorithm (CachetDigestStream        *self,
                                    gnutls_digest_algorithm_t  algorithm)
{
  Hash hash = { algorithm, NULL };

  g_return_val_if_fail (CACHET_IS_DIGEST_STREAM (self), FALSE);
  g_return_val_if_fail (self->count == 0, FALSE);

  if (cachet_digest_stream_has_algorithm (self, algorithm))
    return TRUE;
  /* Only the digests S/MIME uses: GnuTLS 3.7 leaks the handle when gnutls_hash_init fails for a
   * digest it knows but cannot compute, and a hostile message may name any. */
  switch (algorithm)
    {
    case GNUTLS_DIG_MD5:
    case GNUTLS_DIG_SHA1:
    case GNUTLS_DIG_SHA224:
    case GNUTLS_DIG_SHA256:
    case GNUTLS_DIG_SHA384:
    case GNUTLS_DIG_SHA512:
      break;
    default:
      return FALSE;
    }
  if (gnutls_hash_init (&hash.hash, algorithm) < 0)
    return FALSE;

  g_array_append_val (self->hashes, hash);
  return TRUE;
}

GBytes *
cachet_digest_stream_get_digest (CachetDigestStream        *self,
                                 gnutls_digest_algorithm_t  algorithm)
{
  g_return_val_if_fail (CACHET_IS_DIGEST_STREAM (self), NULL);

  stop_thread (self);
  if (g_atomic_int_get (&self->failed))
    return NULL;
  for (guint i = 0; i < self->hashes->len; i++)
    {
      Hash *hash = &g_array_index (self->hashes, Hash, i);
      guint8 output[64];
      gnutls_hash_hd_t copy;
      guint size = gnutls_hash_get_len (algorithm);

      if (hash->algorithm != algorithm)
        continue;
      g_assert (size <= sizeof output);

      /* Copy so that the stream can keep hashing (gnutls_hash_copy exists since 3.6.9). */
      copy = gnutls_hash_copy (hash->hash);
      if (copy == NULL)
        return NULL;
      gnutls_hash_deinit (copy, output);
      return g_bytes_new (output, size);
    }

  return NULL;
}

guint64
cachet_digest_stream_get_count (CachetDigestStream *self)
{
  g_return_val_if_fail (CACHET_IS_DIGEST_STREAM (self), 0);
  return self->count;
}

gboolean
cachet_digest_stream_absorb (CachetDigestStream  *self,
                             GMimeStream         *source,
                             GCancellable        *cancellable,
                             GError             **error)
{
  g_autofree char *buffer = g_malloc (64 * 1024);

  for (;;)
    {
      ssize_t n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      n = g_mime_stream_read (source, buffer, 64 * 1024);
      if (n < 0)
        {
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                       _("Reading the signed content failed: %s"), g_strerror (errno));
          return FALSE;
        }
      if (n == 0)
        break;
      if (cachet_digest_stream_write (GMIME_STREAM (self), buffer, n) != n)
        {
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                       _("Passing on the signed content failed: %s"), g_strerror (errno));
          return FALSE;
        }
    }

  return TRUE;
}
