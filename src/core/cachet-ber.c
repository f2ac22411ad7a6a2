/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-ber.c: streaming BER reader and writer (see cachet-ber.h for why).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "cachet-ber.h"
#include "cachet-error.h"

#define BUFFER_SIZE (64 * 1024)

typedef struct {
  gboolean indefinite;
  guint64  end;        /* absolute position where a definite element ends */
} Level;

struct _CachetBerReader {
  GMimeStream  *stream;
  char         *what;
  GCancellable *cancellable;
  guint8       *buffer;
  gsize         start;     /* first unread byte in buffer */
  gsize         end;       /* one past the last byte read into buffer */
  gboolean      eof;
  guint64       position;  /* bytes consumed from the stream */
  Level         levels[CACHET_BER_MAX_DEPTH];
  guint         depth;
};

CachetBerReader *
cachet_ber_reader_new (GMimeStream  *stream,
                       const char   *what,
                       GCancellable *cancellable)
{
  CachetBerReader *reader = g_new0 (CachetBerReader, 1);

  g_return_val_if_fail (GMIME_IS_STREAM (stream), NULL);

  reader->stream = g_object_ref (stream);
  reader->what = g_strdup (what ? what : _("The CMS structure"));
  reader->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  reader->buffer = g_malloc (BUFFER_SIZE);
  return reader;
}

void
cachet_ber_reader_free (CachetBerReader *reader)
{
  if (reader == NULL)
    return;
  g_object_unref (reader->stream);
  g_clear_object (&reader->cancellable);
  g_free (reader->what);
  g_free (reader->buffer);
  g_free (reader);
}

guint64
cachet_ber_reader_get_position (CachetBerReader *reader)
{
  return reader->position;
}

static gboolean
malformed (CachetBerReader  *reader,
           GError          **error)
{
  g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
               _("%s is damaged: its structure is invalid."), reader->what);
  return FALSE;
}

static gboolean
truncated (CachetBerReader  *reader,
           GError          **error)
{
  g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
               _("%s is incomplete: the data ends too early."), reader->what);
  return FALSE;
}

/* Makes at least NEED bytes (at most BUFFER_SIZE) available; FALSE with no error at EOF. */
static gboolean
fill (CachetBerReader  *reader,
      gsize             need,
      GError          **error)
{
  g_assert (need <= BUFFER_SIZE);

  if (reader->end - reader->start >= need)
    return TRUE;

  if (g_cancellable_set_error_if_cancelled (reader->cancellable, error))
    return FALSE;

  memmove (reader->buffer, reader->buffer + reader->start, reader->end - reader->start);
  reader->end -= reader->start;
  reader->start = 0;

  while (reader->end < need && !reader->eof)
    {
      gssize n = g_mime_stream_read (reader->stream,
                                     (char *) reader->buffer + reader->end,
                                     BUFFER_SIZE - reader->end);
      if (n < 0)
        {
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                       _("Reading %s failed: %s"), reader->what, g_strerror (errno));
          return FALSE;
        }
      if (n == 0)
        reader->eof = TRUE;
      reader->end += n;
    }

  return reader->end >= need;
}

static void
consume (CachetBerReader *reader,
         gsize            n)
{
  g_assert (reader->end - reader->start >= n);
  reader->start += n;
  reader->position += n;
}

static gboolean
read_exact (CachetBerReader  *reader,
            guint8           *dest,
            gsize             size,
            GError          **error)
{
  while (size > 0)
    {
      gsize chunk = MIN (size, BUFFER_SIZE);

      if (!fill (reader, chunk, error))
        return error && *error ? FALSE : truncated (reader, error);
      if (dest != NULL)
        {
          memcpy (dest, reader->buffer + reader->start, chunk);
          dest += chunk;
        }
      consume (reader, chunk);
      size -= chunk;
    }

  return TRUE;
}

static Level *
innermost (CachetBerReader *reader)
{
  return reader->depth > 0 ? &reader->levels[reader->depth - 1] : NULL;
}

gboolean
cachet_ber_reader_at_end (CachetBerReader  *reader,
                          gboolean         *at_end,
                          GError          **error)
{
  Level *level = innermost (reader);

  if (level == NULL)
    {
      *at_end = !fill (reader, 1, error);
      return error == NULL || *error == NULL;
    }

  if (!level->indefinite)
    {
      *at_end = reader->position >= level->end;
      return TRUE;
    }

  if (!fill (reader, 2, error))
    return error && *error ? FALSE : truncated (reader, error);

  *at_end = reader->buffer[reader->start] == 0 && reader->buffer[reader->start + 1] == 0;
  return TRUE;
}

/* Parses a header from the buffer without consuming it. */
static gboolean
parse_header (CachetBerReader  *reader,
              CachetBerHeader  *header,
              GError          **error)
{
  const guint8 *p;
  gsize available, i = 0;
  guint8 first, length_byte;

  memset (header, 0, sizeof *header);

  if (!fill (reader, 2, error))
    {
      if (error && *error)
        return FALSE;
      /* a short read may still hold a complete two-byte header at the very end */
      if (reader->end - reader->start < 2)
        return truncated (reader, error);
    }
  fill (reader, sizeof header->raw, NULL);

  p = reader->buffer + reader->start;
  available = MIN (reader->end - reader->start, sizeof header->raw);

  first = p[i++];
  header->tag_class = first & 0xC0;
  header->constructed = (first & 0x20) != 0;
  header->tag = first & 0x1F;

  if (header->tag == 0x1F)
    {
      header->tag = 0;
      for (int n = 0; ; n++)
        {
          if (i >= available || n >= 4)
            return malformed (reader, error);
          header->tag = (header->tag << 7) | (p[i] & 0x7F);
          if ((p[i++] & 0x80) == 0)
            break;
        }
    }

  if (i >= available)
    return truncated (reader, error);

  length_byte = p[i++];
  if (length_byte == 0x80)
    {
      if (!header->constructed)
        return malformed (reader, error);
      header->indefinite = TRUE;
    }
  else if (length_byte & 0x80)
    {
      guint count = length_byte & 0x7F;

      if (count > 8 || i + count > available)
        return malformed (reader, error);
      for (guint n = 0; n < count; n++)
        {
          if (header->length >> 56)
            return malformed (reader, error);
          header->length = (header->length << 8) | p[i++];
        }
    }
  else
    header->length = length_byte;

  header->raw_length = i;
  memcpy (header->raw, p, i);
  return TRUE;
}

static gboolean
is_end_of_contents (const CachetBerHeader *header)
{
  return header->tag_class == 0 && !header->constructed && header->tag == 0 && header->length == 0;
}

gboolean
cachet_ber_reader_read_header (CachetBerReader  *reader,
                               CachetBerHeader  *header,
                               GError          **error)
{
  Level *level = innermost (reader);
  gboolean at_end;

  if (!cachet_ber_reader_at_end (reader, &at_end, error))
    return FALSE;
  if (at_end)
    return level ? malformed (reader, error) : truncated (reader, error);

  if (!parse_header (reader, header, error))
    return FALSE;
  if (is_end_of_contents (header))
    return malformed (reader, error);

  if (level && !level->indefinite)
    {
      guint64 room = level->end - reader->position;

      if (header->raw_length > room ||
          (!header->indefinite && header->length > room - header->raw_length))
        return malformed (reader, error);
    }

  consume (reader, header->raw_length);
  return TRUE;
}

gboolean
cachet_ber_reader_expect (CachetBerReader  *reader,
                          CachetBerHeader  *header,
                          guint8            tag_class,
                          gboolean          constructed,
                          guint32           tag,
                          GError          **error)
{
  if (!cachet_ber_reader_read_header (reader, header, error))
    return FALSE;

  if (header->tag_class != tag_class || header->tag != tag ||
      (header->constructed != constructed))
    return malformed (reader, error);

  return TRUE;
}

gboolean
cachet_ber_reader_peek_is (CachetBerReader  *reader,
                           guint8            tag_class,
                           guint32           tag,
                           gboolean         *is,
                           GError          **error)
{
  CachetBerHeader header;
  gboolean at_end;

  *is = FALSE;
  if (!cachet_ber_reader_at_end (reader, &at_end, error))
    return FALSE;
  if (at_end)
    return TRUE;
  if (!parse_header (reader, &header, error))
    return FALSE;

  *is = header.tag_class == tag_class && header.tag == tag;
  return TRUE;
}

gboolean
cachet_ber_reader_enter (CachetBerReader       *reader,
                         const CachetBerHeader *header,
                         GError               **error)
{
  Level *level;

  if (!header->constructed)
    return malformed (reader, error);

  if (reader->depth >= CACHET_BER_MAX_DEPTH)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_TOO_LARGE,
                   _("%s is nested too deeply to be read safely."), reader->what);
      return FALSE;
    }

  level = &reader->levels[reader->depth++];
  level->indefinite = header->indefinite;
  level->end = header->indefinite ? 0 : reader->position + header->length;
  return TRUE;
}

gboolean
cachet_ber_reader_leave (CachetBerReader  *reader,
                         GError          **error)
{
  Level *level = innermost (reader);
  gboolean at_end;

  g_return_val_if_fail (level != NULL, FALSE);

  if (!cachet_ber_reader_at_end (reader, &at_end, error))
    return FALSE;
  if (!at_end)
    return malformed (reader, error);

  if (level->indefinite)
    consume (reader, 2);

  reader->depth--;

  /* an indefinite child may not run past a definite parent */
  level = innermost (reader);
  if (level && !level->indefinite && reader->position > level->end)
    return malformed (reader, error);

  return TRUE;
}

static gboolean
capture (CachetBerReader       *reader,
         const CachetBerHeader *header,
         GByteArray            *out,
         GError               **error)
{
  if (!header->indefinite)
    {
      gsize offset = out->len;

      if (header->length > CACHET_BER_MAX_ELEMENT - out->len)
        goto too_large;
      if (header->length == 0)
        return TRUE;
      g_byte_array_set_size (out, out->len + header->length);
      return read_exact (reader, out->data + offset, header->length, error);
    }

  if (!cachet_ber_reader_enter (reader, header, error))
    return FALSE;

  for (;;)
    {
      CachetBerHeader child;
      gboolean at_end;

      if (!cachet_ber_reader_at_end (reader, &at_end, error))
        return FALSE;
      if (at_end)
        break;
      if (!cachet_ber_reader_read_header (reader, &child, error))
        return FALSE;
      if (out->len + child.raw_length > CACHET_BER_MAX_ELEMENT)
        goto too_large;
      g_byte_array_append (out, child.raw, child.raw_length);
      if (!capture (reader, &child, out, error))
        return FALSE;
    }

  if (!cachet_ber_reader_leave (reader, error))
    return FALSE;
  g_byte_array_append (out, (const guint8 *) "\0\0", 2);
  return TRUE;

too_large:
  g_set_error (error, CACHET_ERROR, CACHET_ERROR_TOO_LARGE,
               _("%s holds an element too large to be read safely."), reader->what);
  return FALSE;
}

GBytes *
cachet_ber_reader_read_element (CachetBerReader       *reader,
                                const CachetBerHeader *header,
                                gboolean               include_header,
                                GError               **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  if (include_header)
    g_byte_array_append (out, header->raw, header->raw_length);
  else if (header->indefinite)
    {
      malformed (reader, error);
      return NULL;
    }

  if (!capture (reader, header, out, error))
    return NULL;

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
cachet_ber_reader_read_next (CachetBerReader  *reader,
                             GError          **error)
{
  CachetBerHeader header;

  if (!cachet_ber_reader_read_header (reader, &header, error))
    return NULL;
  return cachet_ber_reader_read_element (reader, &header, TRUE, error);
}

gboolean
cachet_ber_reader_stream_octets (CachetBerReader       *reader,
                                 const CachetBerHeader *header,
                                 CachetBerChunkFunc     func,
                                 gpointer               user_data,
                                 GError               **error)
{
  if (!header->constructed)
    {
      guint64 remaining = header->length;

      while (remaining > 0)
        {
          gsize chunk = MIN (remaining, BUFFER_SIZE);

          if (!fill (reader, chunk, error))
            return error && *error ? FALSE : truncated (reader, error);
          if (!func (reader->buffer + reader->start, chunk, user_data, error))
            return FALSE;
          consume (reader, chunk);
          remaining -= chunk;
        }
      return TRUE;
    }

  if (!cachet_ber_reader_enter (reader, header, error))
    return FALSE;

  for (;;)
    {
      CachetBerHeader child;
      gboolean at_end;

      if (!cachet_ber_reader_at_end (reader, &at_end, error))
        return FALSE;
      if (at_end)
        break;
      if (!cachet_ber_reader_read_header (reader, &child, error))
        return FALSE;
      if (child.tag_class != CACHET_BER_CLASS_UNIVERSAL || child.tag != CACHET_BER_TAG_OCTET_STRING)
        return malformed (reader, error);
      if (!cachet_ber_reader_stream_octets (reader, &child, func, user_data, error))
        return FALSE;
    }

  return cachet_ber_reader_leave (reader, error);
}

gboolean
cachet_ber_reader_skip (CachetBerReader       *reader,
                        const CachetBerHeader *header,
                        GError               **error)
{
  if (!header->indefinite)
    return read_exact (reader, NULL, header->length, error);

  if (!cachet_ber_reader_enter (reader, header, error))
    return FALSE;

  for (;;)
    {
      CachetBerHeader child;
      gboolean at_end;

      if (!cachet_ber_reader_at_end (reader, &at_end, error))
        return FALSE;
      if (at_end)
        break;
      if (!cachet_ber_reader_read_header (reader, &child, error) ||
          !cachet_ber_reader_skip (reader, &child, error))
        return FALSE;
    }

  return cachet_ber_reader_leave (reader, error);
}

/* Writing */

void
cachet_ber_append_header (GByteArray *array,
                          guint8      tag_class,
                          gboolean    constructed,
                          guint32     tag,
                          gssize      length)
{
  guint8 first = tag_class | (constructed ? 0x20 : 0);

  if (tag < 31)
    {
      first |= tag;
      g_byte_array_append (array, &first, 1);
    }
  else
    {
      guint8 bytes[5];
      int n = 0;

      first |= 0x1F;
      g_byte_array_append (array, &first, 1);
      do
        bytes[n++] = tag & 0x7F;
      while ((tag >>= 7) != 0 && n < 5);
      while (n-- > 0)
        {
          guint8 b = bytes[n] | (n > 0 ? 0x80 : 0);
          g_byte_array_append (array, &b, 1);
        }
    }

  if (length < 0)
    {
      guint8 indefinite = 0x80;
      g_byte_array_append (array, &indefinite, 1);
    }
  else if (length < 0x80)
    {
      guint8 short_form = length;
      g_byte_array_append (array, &short_form, 1);
    }
  else
    {
      guint8 bytes[9];
      int n = 0;
      gsize value = length;

      while (value > 0)
        {
          bytes[8 - n++] = value & 0xFF;
          value >>= 8;
        }
      bytes[8 - n] = 0x80 | n;
      g_byte_array_append (array, bytes + 8 - n, n + 1);
    }
}

gboolean
cachet_ber_write_bytes (GMimeStream   *stream,
                        const guint8  *data,
                        gsize          size,
                        GError       **error)
{
  if (size == 0)
    return TRUE;

  if (g_mime_stream_write (stream, (const char *) data, size) != (gssize) size)
    return _cachet_error_set_write_failed (error);

  return TRUE;
}

gboolean
cachet_ber_write_header (GMimeStream  *stream,
                         guint8        tag_class,
                         gboolean      constructed,
                         guint32       tag,
                         gssize        length,
                         GError      **error)
{
  g_autoptr(GByteArray) header = g_byte_array_sized_new (16);

  cachet_ber_append_header (header, tag_class, constructed, tag, length);
  return cachet_ber_write_bytes (stream, header->data, header->len, error);
}

gboolean
cachet_ber_write_end (GMimeStream  *stream,
                      GError      **error)
{
  return cachet_ber_write_bytes (stream, (const guint8 *) "\0\0", 2, error);
}
