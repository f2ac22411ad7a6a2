/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-newline.c: memchr-based unix2dos / dos2unix for GMime's filter classes (see the
 * header). Same output as GMime 3.2's convert() loops for ensure_newline == FALSE.
 */
#include "config.h"

#include <string.h>

#include "cachet-newline.h"

typedef void (*FilterFunc) (GMimeFilter *filter, char *inbuf, size_t inlen, size_t prespace,
                            char **outbuf, size_t *outlen, size_t *outprespace);

static FilterFunc unix2dos_filter_orig, unix2dos_complete_orig;
static FilterFunc dos2unix_filter_orig, dos2unix_complete_orig;

static void
pass_through (char   *inbuf,
              size_t  inlen,
              size_t  prespace,
              char  **outbuf,
              size_t *outlen,
              size_t *outprespace)
{
  *outbuf = inbuf;
  *outlen = inlen;
  *outprespace = prespace;
}

/* LF -> CRLF, unless the LF already follows a CR (also across calls). */
static void
unix2dos_convert (GMimeFilter *filter,
                  char        *inbuf,
                  size_t       inlen,
                  size_t       prespace,
                  char       **outbuf,
                  size_t      *outlen,
                  size_t      *outprespace)
{
  GMimeFilterUnix2Dos *unix2dos = (GMimeFilterUnix2Dos *) filter;
  const char *end = inbuf + inlen, *s = inbuf, *lf = NULL;
  char *out;

  if (inlen == 0)
    {
      pass_through (inbuf, inlen, prespace, outbuf, outlen, outprespace);
      return;
    }

  /* the first bare LF, if any */
  while (s < end && (lf = memchr (s, '\n', end - s)) != NULL)
    {
      char before = lf > inbuf ? lf[-1] : unix2dos->pc;

      if (before != '\r')
        break;
      s = lf + 1;
      lf = NULL;
    }
  if (lf == NULL)
    {
      unix2dos->pc = end[-1];
      pass_through (inbuf, inlen, prespace, outbuf, outlen, outprespace);
      return;
    }

  g_mime_filter_set_size (filter, inlen * 2, FALSE);
  out = filter->outbuf;
  memcpy (out, inbuf, lf - inbuf);
  out += lf - inbuf;
  s = lf;
  while (s < end)
    {
      const char *next = memchr (s, '\n', end - s);
      char before;

      if (next == NULL)
        {
          memcpy (out, s, end - s);
          out += end - s;
          break;
        }
      memcpy (out, s, next - s);
      out += next - s;
      before = next > inbuf ? next[-1] : unix2dos->pc;
      if (before != '\r')
        *out++ = '\r';
      *out++ = '\n';
      s = next + 1;
    }

  unix2dos->pc = end[-1];
  *outlen = out - filter->outbuf;
  *outprespace = filter->outpre;
  *outbuf = filter->outbuf;
}

/* CRLF -> LF; a CR is held back until the next byte shows it is not part of a CRLF (a CR
 * at the very end is dropped, as GMime does). */
static void
dos2unix_convert (GMimeFilter *filter,
                  char        *inbuf,
                  size_t       inlen,
                  size_t       prespace,
                  char       **outbuf,
                  size_t      *outlen,
                  size_t      *outprespace)
{
  GMimeFilterDos2Unix *dos2unix = (GMimeFilterDos2Unix *) filter;
  const char *end = inbuf + inlen, *s = inbuf;
  gboolean held = dos2unix->pc == '\r';
  char *out;

  if (inlen == 0 || (!held && memchr (inbuf, '\r', inlen) == NULL))
    {
      if (inlen > 0)
        dos2unix->pc = end[-1];
      pass_through (inbuf, inlen, prespace, outbuf, outlen, outprespace);
      return;
    }

  g_mime_filter_set_size (filter, inlen + 1, FALSE);
  out = filter->outbuf;
  while (s < end)
    {
      const char *cr;

      if (held)
        {
          if (*s == '\n')
            {
              *out++ = '\n';
              held = FALSE;
              s++;
              continue;
            }
          *out++ = '\r';
          if (*s == '\r')
            {
              s++;
              continue;
            }
          held = FALSE;
        }

      cr = memchr (s, '\r', end - s);
      if (cr == NULL)
        {
          memcpy (out, s, end - s);
          out += end - s;
          break;
        }
      memcpy (out, s, cr - s);
      out += cr - s;
      held = TRUE;
      s = cr + 1;
    }

  dos2unix->pc = end[-1];
  *outlen = out - filter->outbuf;
  *outprespace = filter->outpre;
  *outbuf = filter->outbuf;
}

static void
unix2dos_filter (GMimeFilter *filter, char *inbuf, size_t inlen, size_t prespace,
                 char **outbuf, size_t *outlen, size_t *outprespace)
{
  if (((GMimeFilterUnix2Dos *) filter)->ensure_newline)
    unix2dos_filter_orig (filter, inbuf, inlen, prespace, outbuf, outlen, outprespace);
  else
    unix2dos_convert (filter, inbuf, inlen, prespace, outbuf, outlen, outprespace);
}

static void
unix2dos_complete (GMimeFilter *filter, char *inbuf, size_t inlen, size_t prespace,
                   char **outbuf, size_t *outlen, size_t *outprespace)
{
  if (((GMimeFilterUnix2Dos *) filter)->ensure_newline)
    unix2dos_complete_orig (filter, inbuf, inlen, prespace, outbuf, outlen, outprespace);
  else
    unix2dos_convert (filter, inbuf, inlen, prespace, outbuf, outlen, outprespace);
}

static void
dos2unix_filter (GMimeFilter *filter, char *inbuf, size_t inlen, size_t prespace,
                 char **outbuf, size_t *outlen, size_t *outprespace)
{
  if (((GMimeFilterDos2Unix *) filter)->ensure_newline)
    dos2unix_filter_orig (filter, inbuf, inlen, prespace, outbuf, outlen, outprespace);
  else
    dos2unix_convert (filter, inbuf, inlen, prespace, outbuf, outlen, outprespace);
}

static void
dos2unix_complete (GMimeFilter *filter, char *inbuf, size_t inlen, size_t prespace,
                   char **outbuf, size_t *outlen, size_t *outprespace)
{
  if (((GMimeFilterDos2Unix *) filter)->ensure_newline)
    dos2unix_complete_orig (filter, inbuf, inlen, prespace, outbuf, outlen, outprespace);
  else
    dos2unix_convert (filter, inbuf, inlen, prespace, outbuf, outlen, outprespace);
}

void
cachet_newline_speed_up (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* the class structures stay alive: the references are never dropped */
      GMimeFilterClass *u2d = g_type_class_ref (GMIME_TYPE_FILTER_UNIX2DOS);
      GMimeFilterClass *d2u = g_type_class_ref (GMIME_TYPE_FILTER_DOS2UNIX);

      unix2dos_filter_orig = u2d->filter;
      unix2dos_complete_orig = u2d->complete;
      u2d->filter = unix2dos_filter;
      u2d->complete = unix2dos_complete;

      dos2unix_filter_orig = d2u->filter;
      dos2unix_complete_orig = d2u->complete;
      d2u->filter = dos2unix_filter;
      d2u->complete = dos2unix_complete;

      g_once_init_leave (&done, 1);
    }
}
