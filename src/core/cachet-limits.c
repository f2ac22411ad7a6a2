/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-limits.c: walks a parsed MIME tree once and refuses it when it is deeper, wider or has
 * longer headers than the bounds in cachet-limits.h. GMime builds the whole tree when it parses
 * (the contents stay on disk), so this runs before Cachet looks at any part. The message's own
 * header block is also measured on the raw bytes before GMime reads it: GMime grows a header's
 * buffer line by line, which costs minutes for a 10 MB header under AddressSanitizer.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "cachet-error.h"
#include "cachet-limits.h"

static void
set_too_many_headers (GError **error)
{
  g_set_error (error, CACHET_ERROR, CACHET_ERROR_TOO_LARGE,
               _("The message has more than %d headers in one part, too many to check "
                 "safely. Ask the sender to send it again as ordinary mail."),
               CACHET_LIMIT_HEADERS);
}

static void
set_header_too_long (GError **error)
{
  g_set_error (error, CACHET_ERROR, CACHET_ERROR_TOO_LARGE,
               _("The message has a header longer than %d KiB, too long to check "
                 "safely. Ask the sender to send it again as ordinary mail."),
               CACHET_LIMIT_HEADER_SIZE / 1024);
}

gboolean
_cachet_limits_check_header_block (GMimeStream  *stream,
                                   gint64       *end,
                                   GError      **error)
{
  char buffer[16 * 1024];
  gint64 offset = 0;         /* of BUFFER in STREAM */
  gsize header = 0;          /* bytes of the current header, folded lines included */
  guint headers = 0;
  gboolean line_start = TRUE, blank = TRUE, done = FALSE;
  gssize n;

  g_return_val_if_fail (GMIME_IS_STREAM (stream), FALSE);

  if (end != NULL)
    *end = -1;
  for (; !done && (n = g_mime_stream_read (stream, buffer, sizeof buffer)) > 0; offset += n)
    for (gssize i = 0; i < n && !done; i++)
      {
        char c = buffer[i];

        if (line_start)
          {
            line_start = FALSE;
            blank = TRUE;
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
              {
                header = 0;
                if (++headers > CACHET_LIMIT_HEADERS)
                  {
                    set_too_many_headers (error);
                    g_mime_stream_reset (stream);
                    return FALSE;
                  }
              }
          }
        if (c == '\n')
          {
            if (blank)
              {
                done = TRUE;   /* the empty line that ends the header block */
                if (end != NULL)
                  *end = offset + i + 1;
              }
            line_start = TRUE;
          }
        else if (c != '\r')
          blank = FALSE;
        if (++header > CACHET_LIMIT_HEADER_SIZE)
          {
            set_header_too_long (error);
            g_mime_stream_reset (stream);
            return FALSE;
          }
      }

  g_mime_stream_reset (stream);
  return TRUE;
}

static gboolean
check_headers (GMimeObject  *object,
               GError      **error)
{
  GMimeHeaderList *headers = g_mime_object_get_header_list (object);
  int count = headers ? g_mime_header_list_get_count (headers) : 0;

  if (count > CACHET_LIMIT_HEADERS)
    {
      set_too_many_headers (error);
      return FALSE;
    }

  for (int i = 0; i < count; i++)
    {
      GMimeHeader *header = g_mime_header_list_get_header_at (headers, i);
      const char *raw = g_mime_header_get_raw_value (header);

      if (raw != NULL && strlen (raw) > CACHET_LIMIT_HEADER_SIZE)
        {
          set_header_too_long (error);
          return FALSE;
        }
    }
  return TRUE;
}

/* Depth-first, with the depth bounded before each step down, so the stack stays small. */
static gboolean
check_object (GMimeObject  *object,
              guint         depth,
              guint        *parts,
              GError      **error)
{
  if (depth > CACHET_LIMIT_MIME_DEPTH)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_TOO_LARGE,
                   _("The message nests parts more than %d deep, too deep to check safely. "
                     "Ask the sender to send it again as ordinary mail."),
                   CACHET_LIMIT_MIME_DEPTH);
      return FALSE;
    }
  if (++*parts > CACHET_LIMIT_MIME_PARTS)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_TOO_LARGE,
                   _("The message has more than %d parts, too many to check safely. Ask the "
                     "sender to send it again with fewer attachments."),
                   CACHET_LIMIT_MIME_PARTS);
      return FALSE;
    }
  if (!check_headers (object, error))
    return FALSE;

  if (GMIME_IS_MESSAGE (object))
    {
      GMimeObject *body = g_mime_message_get_mime_part (GMIME_MESSAGE (object));

      /* the message and its body count as one level */
      return body == NULL || check_object (body, depth, parts, error);
    }
  if (GMIME_IS_MESSAGE_PART (object))
    {
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));

      return inner == NULL || check_object (GMIME_OBJECT (inner), depth + 1, parts, error);
    }
  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int count = g_mime_multipart_get_count (multipart);

      for (int i = 0; i < count; i++)
        if (!check_object (g_mime_multipart_get_part (multipart, i), depth + 1, parts, error))
          return FALSE;
    }
  return TRUE;
}

gboolean
_cachet_limits_check_mime (GMimeObject  *object,
                           GError      **error)
{
  guint parts = 0;

  g_return_val_if_fail (GMIME_IS_OBJECT (object), FALSE);

  return check_object (object, 0, &parts, error);
}
