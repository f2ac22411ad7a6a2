/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-newline.c: memchr-based unix2dos / dos2unix and table-driven base64 for GMime's
 * filter classes (see the header). Same output as GMime 3.2's convert() loops for
 * ensure_newline == FALSE, and as its base64 encode and decode steps.
 */
#include "config.h"

#include <string.h>

#include "cachet-newline.h"

typedef void (*FilterFunc) (GMimeFilter *filter, char *inbuf, size_t inlen, size_t prespace,
                            char **outbuf, size_t *outlen, size_t *outprespace);

static FilterFunc unix2dos_filter_orig, unix2dos_complete_orig;
static FilterFunc dos2unix_filter_orig, dos2unix_complete_orig;
static FilterFunc basic_filter_orig;

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

/* Base64, in GMime's own state format (GMimeEncoding's state and save) so that GMime's
 * encode_close / decode flush finish what these steps began. */

static const char base64_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static guint16 base64_pairs[4096];   /* 12 bits -> two alphabet characters, in memory order */
static guint8  base64_rank[256];     /* 0..63 for the alphabet, 0xff for anything else */

static void
base64_tables_init (void)
{
  for (guint i = 0; i < 4096; i++)
    {
      guint8 pair[2] = { base64_alphabet[i >> 6], base64_alphabet[i & 0x3f] };

      memcpy (&base64_pairs[i], pair, 2);
    }
  memset (base64_rank, 0xff, sizeof base64_rank);
  for (guint i = 0; i < 64; i++)
    base64_rank[(guint8) base64_alphabet[i]] = i;
  /* '=' stays 0xff: padding is GMime's step's business */
}

static inline void
encode_group (const guint8 *in,
              guint8       *out)
{
  guint32 v = (guint32) in[0] << 16 | (guint32) in[1] << 8 | in[2];

  memcpy (out, &base64_pairs[v >> 12], 2);
  memcpy (out + 2, &base64_pairs[v & 0xfff], 2);
}

/* Same output, state and save as g_mime_encoding_base64_encode_step: groups of 3 bytes give 4
 * characters, a newline after every 19 groups (*state counts the groups on the line), and
 * up to two bytes wait in save ([0] their count, [1] and [2] the bytes). */
size_t
_cachet_base64_encode_step (const guint8 *inbuf,
                            size_t        inlen,
                            guint8       *outbuf,
                            int          *state,
                            guint32      *save)
{
  guint8 *saved = (guint8 *) save;
  const guint8 *in = inbuf, *end = inbuf + inlen;
  guint8 *out = outbuf;
  int already = *state;

  if (inlen == 0)
    return 0;
  if (inlen + saved[0] <= 2)
    {
      memcpy (saved + 1 + saved[0], in, inlen);
      saved[0] += inlen;
      return 0;
    }

  if (saved[0] > 0)
    {
      guint8 group[3];
      guint have = saved[0];

      memcpy (group, saved + 1, have);
      memcpy (group + have, in, 3 - have);
      in += 3 - have;
      encode_group (group, out);
      out += 4;
      if (++already >= 19)
        {
          *out++ = '\n';
          already = 0;
        }
    }

  /* finish the current line, then whole lines of 57 bytes, then what is left */
  while (already != 0 && end - in >= 3)
    {
      encode_group (in, out);
      in += 3;
      out += 4;
      if (++already >= 19)
        {
          *out++ = '\n';
          already = 0;
        }
    }
  while (end - in >= 57)
    {
      for (guint i = 0; i < 19; i++)
        encode_group (in + 3 * i, out + 4 * i);
      in += 57;
      out += 76;
      *out++ = '\n';
    }
  while (end - in >= 3)
    {
      encode_group (in, out);
      in += 3;
      out += 4;
      already++;   /* fewer than 19 here: the line is not full */
    }

  *save = 0;
  saved[0] = end - in;
  memcpy (saved + 1, in, end - in);
  *state = already;
  return out - outbuf;
}

/* Same output, state and save as g_mime_encoding_base64_decode_step (GMime 3.2.13: characters
 * outside the alphabet are skipped, the first '=' ends the data). Whole quartets of alphabet
 * characters, from a state with nothing pending, are decoded here, four characters at a time;
 * every other character (line ends, padding, anything unusual) goes to GMime's own step, one
 * at a time, until nothing is pending again. */
size_t
_cachet_base64_decode_step (const guint8 *inbuf,
                            size_t        inlen,
                            guint8       *outbuf,
                            int          *state,
                            guint32      *save)
{
  const guint8 *in = inbuf, *end = inbuf + inlen;
  guint8 *out = outbuf;

  while (in < end)
    {
      if (*state == 0 && *save == 0)
        {
          while (end - in >= 4)
            {
              guint8 a = base64_rank[in[0]], b = base64_rank[in[1]];
              guint8 c = base64_rank[in[2]], d = base64_rank[in[3]];
              guint32 v;

              if ((a | b | c | d) & 0xc0)
                break;
              v = (guint32) a << 18 | (guint32) b << 12 | (guint32) c << 6 | d;
              out[0] = v >> 16;
              out[1] = v >> 8;
              out[2] = v;
              out += 3;
              in += 4;
            }
          if (in >= end)
            break;
          out += g_mime_encoding_base64_decode_step (in, 1, out, state, save);
          in++;
        }
      else if (*state < 0)
        {
          /* the data ended ('='): GMime's step decides what the rest means */
          out += g_mime_encoding_base64_decode_step (in, end - in, out, state, save);
          break;
        }
      else
        {
          out += g_mime_encoding_base64_decode_step (in, 1, out, state, save);
          in++;
        }
    }

  return out - outbuf;
}

static void
basic_filter (GMimeFilter *filter, char *inbuf, size_t inlen, size_t prespace,
              char **outbuf, size_t *outlen, size_t *outprespace)
{
  GMimeEncoding *encoder = &((GMimeFilterBasic *) filter)->encoder;
  size_t n;

  if (encoder->encoding != GMIME_CONTENT_ENCODING_BASE64)
    {
      basic_filter_orig (filter, inbuf, inlen, prespace, outbuf, outlen, outprespace);
      return;
    }

  g_mime_filter_set_size (filter, g_mime_encoding_outlen (encoder, inlen), FALSE);
  if (encoder->encode)
    n = _cachet_base64_encode_step ((const guint8 *) inbuf, inlen, (guint8 *) filter->outbuf,
                                    &encoder->state, &encoder->save);
  else
    n = _cachet_base64_decode_step ((const guint8 *) inbuf, inlen, (guint8 *) filter->outbuf,
                                    &encoder->state, &encoder->save);
  *outbuf = filter->outbuf;
  *outlen = n;
  *outprespace = filter->outpre;
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
      GMimeFilterClass *basic = g_type_class_ref (GMIME_TYPE_FILTER_BASIC);

      unix2dos_filter_orig = u2d->filter;
      unix2dos_complete_orig = u2d->complete;
      u2d->filter = unix2dos_filter;
      u2d->complete = unix2dos_complete;

      dos2unix_filter_orig = d2u->filter;
      dos2unix_complete_orig = d2u->complete;
      d2u->filter = dos2unix_filter;
      d2u->complete = dos2unix_complete;

      /* base64 steps (the closing step stays GMime's: it shares the state format) */
      base64_tables_init ();
      basic_filter_orig = basic->filter;
      basic->filter = basic_filter;

      g_once_init_leave (&done, 1);
    }
}
