/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-signing.c: sign and verify messages and files (see cachet-signing.h).
 *
 * MIME is GMime's job: messages are parsed from GMimeStreamFs in persist-stream mode, so
 * content stays on disk, and written with CRLF line ends straight into a digest stream. The
 * CMS work is cachet-signed-data's. This file decides what the input is, which part a
 * signature covers, and whether the signer is the sender.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cachet-asn1.h"
#include "cachet-digest-stream.h"
#include "cachet-error.h"
#include "cachet-file-stream.h"
#include "cachet-limits.h"
#include "cachet-signed-data.h"
#include "cachet-signing.h"
#include "cachet-store.h"

#define SNIFF_SIZE   8192
#define MAX_DEPTH    32

/* Input detection */

static gboolean
read_head (const char  *path,
           guint8      *buffer,
           gsize       *size,
           GError     **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gssize n;
  int saved;
  g_autofree char *display = g_filename_display_name (path);

  if (fd < 0)
    {
      saved = errno;
      if (saved == ENOENT)
        g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_FOUND,
                     _("The file “%s” does not exist. Check the name and folder."), display);
      else
        g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                     _("Cannot open “%s”: %s."), display, g_strerror (saved));
      return FALSE;
    }

  n = read (fd, buffer, *size);
  saved = errno;
  close (fd);
  if (n < 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                   saved == EISDIR ? _("“%s” is a folder, not a file. Choose a file.")
                                   : _("Cannot read “%s”. Check that it is a readable file."),
                   display);
      return FALSE;
    }
  *size = n;
  return TRUE;
}

/* The first bytes of the base64 body of a PEM "PKCS7" or "CMS" block, decoded. */
static GBytes *
pem_head (const guint8 *data,
          gsize         size,
          gsize        *body_offset)
{
  static const char * const labels[] = { "-----BEGIN PKCS7-----", "-----BEGIN CMS-----",
                                         "-----BEGIN PKCS #7 SIGNED DATA-----" };
  g_autofree char *text = g_strndup ((const char *) data, size);
  const char *start = NULL;
  g_autoptr(GString) base64 = g_string_new (NULL);
  guint8 *decoded;
  gsize decoded_size;

  for (guint i = 0; i < G_N_ELEMENTS (labels) && start == NULL; i++)
    {
      const char *found = strstr (text, labels[i]);

      /* only when the block is the first thing in the file */
      if (found)
        {
          const char *p = text;

          while (p < found && g_ascii_isspace (*p))
            p++;
          if (p == found)
            start = found + strlen (labels[i]);
        }
    }
  if (start == NULL)
    return NULL;

  while (*start == '\r' || *start == '\n')
    start++;
  if (body_offset)
    *body_offset = start - text;
  for (const char *p = start; *p && *p != '-' && base64->len < 64; p++)
    if (g_ascii_isalnum (*p) || *p == '+' || *p == '/')
      g_string_append_c (base64, *p);
  g_string_truncate (base64, base64->len - base64->len % 4);
  decoded = g_base64_decode (base64->str, &decoded_size);
  return g_bytes_new_take (decoded, decoded_size);
}

static gboolean
is_header_line (const char *line,
                gsize       length,
                gboolean   *known)
{
  static const char * const names[] = {
    "from", "to", "cc", "subject", "date", "message-id", "mime-version", "content-type",
    "received", "return-path", "reply-to", "sender", "delivered-to", "x-mailer", "user-agent",
    "in-reply-to", "references", "content-transfer-encoding", "content-disposition",
  };
  gsize i;

  for (i = 0; i < length && line[i] != ':'; i++)
    if (line[i] <= ' ' || line[i] > '~')
      return FALSE;
  if (i == 0 || i == length)
    return FALSE;

  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    if (strlen (names[n]) == i && g_ascii_strncasecmp (line, names[n], i) == 0)
      *known = TRUE;
  return TRUE;
}

/* Does DATA start with an RFC 5322 / MIME header block? */
static gboolean
looks_like_headers (const guint8 *data,
                    gsize         size,
                    gboolean      need_known)
{
  const char *p = (const char *) data, *end = p + size;
  gboolean known = FALSE;
  guint lines = 0;

  if (size >= 5 && memcmp (p, "From ", 5) == 0)
    {
      const char *nl = memchr (p, '\n', size);
      if (nl == NULL)
        return FALSE;
      p = nl + 1;
    }

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      gsize length = (nl ? nl : end) - p;

      if (length > 0 && p[length - 1] == '\r')
        length--;
      if (length == 0)
        break;                                   /* end of the header block */
      if (memchr (p, '\0', length))
        return FALSE;
      if (p[0] == ' ' || p[0] == '\t')
        {
          if (lines == 0)
            return FALSE;
        }
      else if (!is_header_line (p, length, &known))
        return FALSE;
      lines++;
      if (nl == NULL)
        break;
      p = nl + 1;
    }

  return lines > 0 && (known || !need_known);
}

CachetInputKind
cachet_detect_input (const char  *path,
                     GError     **error)
{
  guint8 buffer[SNIFF_SIZE];
  gsize size = sizeof buffer;
  g_autoptr(GBytes) pem = NULL;
  const guint8 *data = buffer;

  g_return_val_if_fail (path != NULL, CACHET_INPUT_UNKNOWN);

  if (!read_head (path, buffer, &size, error))
    return CACHET_INPUT_UNKNOWN;
  if (size == 0)
    return CACHET_INPUT_UNKNOWN;

  if ((pem = pem_head (buffer, size, NULL)) != NULL)
    data = g_bytes_get_data (pem, &size);

  if (size > 0 && data[0] == 0x30)
    {
      if (_cachet_signed_data_sniff (data, size, CACHET_OID_SIGNED_DATA))
        return CACHET_INPUT_CMS_SIGNED;
      if (_cachet_signed_data_sniff (data, size, CACHET_OID_ENVELOPED_DATA) ||
          _cachet_signed_data_sniff (data, size, CACHET_OID_AUTH_ENVELOPED_DATA))
        return CACHET_INPUT_CMS_ENVELOPED;
      return CACHET_INPUT_UNKNOWN;
    }

  if (pem == NULL && looks_like_headers (buffer, size, TRUE))
    return CACHET_INPUT_MESSAGE;

  return CACHET_INPUT_UNKNOWN;
}

/* Streams */



/* A CMS file as a stream of DER/BER bytes: the file itself, or its PEM body decoded into a
 * temporary file (the base64 decoder would otherwise also decode the END line). */
static GMimeStream *
open_cms_stream (CachetOptions  *options,
                 const char     *path,
                 GError        **error)
{
  guint8 buffer[SNIFF_SIZE];
  gsize size = sizeof buffer, offset = 0;
  g_autoptr(GBytes) pem = NULL;
  g_autoptr(GMimeStream) file = NULL, text = NULL, temp = NULL, sink = NULL;
  g_autoptr(GMimeFilter) decoder = NULL;
  char chunk[4096];
  ssize_t n;
  gboolean done = FALSE;

  if (!read_head (path, buffer, &size, error) || !(file = cachet_file_stream_open_input (path, 1, options, error)))
    return NULL;
  if ((pem = pem_head (buffer, size, &offset)) == NULL)
    return g_steal_pointer (&file);

  if (!(temp = cachet_file_stream_new_temporary (error)))
    return NULL;
  text = g_mime_stream_substream (file, offset, -1);
  sink = g_mime_stream_filter_new (temp);
  decoder = g_mime_filter_basic_new (GMIME_CONTENT_ENCODING_BASE64, FALSE);
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (sink), decoder);

  while (!done && (n = g_mime_stream_read (text, chunk, sizeof chunk)) > 0)
    {
      ssize_t length = n;
      char *dash = memchr (chunk, '-', n);

      if (dash)
        {
          length = dash - chunk;
          done = TRUE;
        }
      if (length > 0 && g_mime_stream_write (sink, chunk, length) < 0)
        {
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                       _("Cannot write a temporary file. Check the free space in the temporary folder."));
          return NULL;
        }
    }
  g_mime_stream_flush (sink);
  g_mime_stream_reset (temp);
  return g_steal_pointer (&temp);
}

/* The decoded content of a MIME part as a stream. */
static GMimeStream *
open_part_content (GMimePart *part)
{
  GMimeDataWrapper *wrapper = g_mime_part_get_content (part);
  GMimeStream *raw, *filtered;
  GMimeContentEncoding encoding;

  if (wrapper == NULL)
    return g_mime_stream_mem_new ();

  raw = g_mime_data_wrapper_get_stream (wrapper);
  encoding = g_mime_data_wrapper_get_encoding (wrapper);
  g_mime_stream_reset (raw);
  filtered = g_mime_stream_filter_new (raw);
  if (encoding == GMIME_CONTENT_ENCODING_BASE64 ||
      encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
      encoding == GMIME_CONTENT_ENCODING_UUENCODE)
    {
      g_autoptr(GMimeFilter) decoder = g_mime_filter_basic_new (encoding, FALSE);
      g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), decoder);
    }
  return filtered;
}

/* Writes OBJECT as GMime serialises it, with CRLF line ends: what S/MIME signs. */
static gboolean
write_canonical (GMimeObject  *object,
                 GMimeStream  *stream,
                 GError      **error)
{
  g_autoptr(GMimeFormatOptions) format = g_mime_format_options_new ();
  g_autoptr(GMimeStream) filtered = g_mime_stream_filter_new (stream);
  g_autoptr(GMimeFilter) crlf = g_mime_filter_unix2dos_new (FALSE);

  g_mime_format_options_set_newline_format (format, GMIME_NEWLINE_FORMAT_DOS);
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), crlf);
  if (g_mime_object_write_to_stream (object, format, filtered) < 0 ||
      g_mime_stream_flush (filtered) < 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                   _("Writing the message failed: %s"), g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* Parsing */

typedef struct {
  gboolean critical;
} ParseIssues;

static void
parser_warning (gint64             offset,
                GMimeParserWarning warning,
                const gchar       *item,
                gpointer           user_data)
{
  ParseIssues *issues = user_data;

  switch (warning)
    {
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
    case GMIME_CRIT_NESTING_OVERFLOW:
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
    case GMIME_WARN_MALFORMED_MULTIPART:
      issues->critical = TRUE;
      break;
    default:
      break;
    }
}

static GMimeMessage *
parse_message (GMimeStream  *stream,
               ParseIssues  *issues,
               GError      **error)
{
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeParserOptions) options = NULL;
  GMimeMessage *message;

  if (!_cachet_limits_check_header_block (stream, NULL, error))
    return NULL;
  parser = g_mime_parser_new_with_stream (stream);
  options = g_mime_parser_options_new ();
  g_mime_parser_options_set_warning_callback (options, parser_warning, issues);
  g_mime_parser_set_persist_stream (parser, TRUE);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  message = g_mime_parser_construct_message (parser, options);
  if (message == NULL || g_mime_message_get_mime_part (message) == NULL)
    {
      g_clear_object (&message);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("The message cannot be read: its structure is broken."));
    }
  else if (!_cachet_limits_check_mime (GMIME_OBJECT (message), error))
    g_clear_object (&message);
  return message;
}

static GMimeObject *
parse_entity (GMimeStream  *stream,
              ParseIssues  *issues)
{
  g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream (stream);
  g_autoptr(GMimeParserOptions) options = g_mime_parser_options_new ();

  g_mime_parser_options_set_warning_callback (options, parser_warning, issues);
  g_mime_parser_set_persist_stream (parser, TRUE);
  return g_mime_parser_construct_part (parser, options);
}

/* Verification */

static gboolean
is_type (GMimeObject *object,
         const char  *type,
         const char  *subtype)
{
  GMimeContentType *content_type = g_mime_object_get_content_type (object);

  return content_type && g_mime_content_type_is_type (content_type, type, subtype);
}

static gboolean
is_pkcs7_mime (GMimeObject *object)
{
  return GMIME_IS_PART (object) &&
         (is_type (object, "application", "pkcs7-mime") || is_type (object, "application", "x-pkcs7-mime"));
}

static const char *
smime_type (GMimeObject *object)
{
  const char *type = g_mime_object_get_content_type_parameter (object, "smime-type");
  return type ? type : "";
}

typedef enum {
  PKCS7_OTHER,
  PKCS7_SIGNED,
  PKCS7_ENVELOPED,
} Pkcs7Kind;

/* What an application/pkcs7-mime part holds: its smime-type says, and when that is missing
 * (older clients) the first bytes of the content do. */
static Pkcs7Kind
pkcs7_kind (GMimeObject *object)
{
  const char *type;
  g_autoptr(GMimeStream) stream = NULL;
  guint8 head[64];
  ssize_t n;

  if (!is_pkcs7_mime (object))
    return PKCS7_OTHER;

  type = smime_type (object);
  if (g_ascii_strcasecmp (type, "signed-data") == 0)
    return PKCS7_SIGNED;
  if (g_ascii_strcasecmp (type, "enveloped-data") == 0 ||
      g_ascii_strcasecmp (type, "authenveloped-data") == 0)
    return PKCS7_ENVELOPED;
  if (*type != '\0')
    return PKCS7_OTHER;          /* certs-only, compressed-data, ... */

  stream = open_part_content (GMIME_PART (object));
  n = g_mime_stream_read (stream, (char *) head, sizeof head);
  if (n <= 0)
    return PKCS7_OTHER;
  if (_cachet_signed_data_sniff (head, n, CACHET_OID_SIGNED_DATA))
    return PKCS7_SIGNED;
  if (_cachet_signed_data_sniff (head, n, CACHET_OID_ENVELOPED_DATA) ||
      _cachet_signed_data_sniff (head, n, CACHET_OID_AUTH_ENVELOPED_DATA))
    return PKCS7_ENVELOPED;
  return PKCS7_OTHER;
}

static gboolean
is_signed_layer (GMimeObject *object)
{
  if (GMIME_IS_MULTIPART (object) && is_type (object, "multipart", "signed"))
    return TRUE;
  return pkcs7_kind (object) == PKCS7_SIGNED;
}

static gboolean
is_encrypted_layer (GMimeObject *object)
{
  return pkcs7_kind (object) == PKCS7_ENVELOPED;
}

static gboolean
verify_multipart_signed (CachetOptions  *options,
                         GMimeObject    *object,
                         CachetVerdict  *verdict,
                         GCancellable   *cancellable,
                         GError        **error)
{
  GMimeMultipart *multipart = GMIME_MULTIPART (object);
  const char *protocol = g_mime_object_get_content_type_parameter (object, "protocol");
  g_autoptr(CachetSignedData) signed_data = NULL;
  g_autoptr(GMimeStream) signature_stream = NULL;
  GMimeObject *content, *signature;

  if (protocol == NULL ||
      (g_ascii_strcasecmp (protocol, "application/pkcs7-signature") != 0 &&
       g_ascii_strcasecmp (protocol, "application/x-pkcs7-signature") != 0))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                   _("The message is signed with “%s”, which is not S/MIME; Cachet cannot check it (OpenPGP signatures need an OpenPGP program)."),
                   protocol ? protocol : _("an unnamed protocol"));
      return FALSE;
    }

  if (g_mime_multipart_get_count (multipart) != 2)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("The signed message is broken: it must have exactly two parts, the content and the signature."));
      return FALSE;
    }

  content = g_mime_multipart_get_part (multipart, 0);
  signature = g_mime_multipart_get_part (multipart, 1);
  if (!GMIME_IS_PART (signature) ||
      !(is_type (signature, "application", "pkcs7-signature") ||
        is_type (signature, "application", "x-pkcs7-signature")))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("The signed message is broken: its second part is not a signature."));
      return FALSE;
    }

  signature_stream = open_part_content (GMIME_PART (signature));
  signed_data = _cachet_signed_data_read (signature_stream, NULL, cancellable, error);
  if (signed_data == NULL)
    return FALSE;

  if (_cachet_signed_data_has_content (signed_data))
    {
      cachet_verdict_set_signed (verdict, TRUE);
      cachet_verdict_add_problem (verdict, CACHET_PROBLEM_CONTENT_CONFUSION, NULL);
      return TRUE;
    }

  if (!write_canonical (content, _cachet_signed_data_get_content_stream (signed_data), error))
    return FALSE;

  return _cachet_signed_data_verify (signed_data, options, verdict, cancellable, error);
}

/* Verifies opaque signed data read from STREAM; the embedded content goes to a temporary file,
 * returned in CONTENT_OUT. */
static gboolean
verify_opaque_stream (CachetOptions  *options,
                      GMimeStream    *stream,
                      CachetVerdict  *verdict,
                      GMimeStream   **content_out,
                      gboolean       *certs_only,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_autoptr(GMimeStream) sink = cachet_file_stream_new_temporary (error);
  g_autoptr(CachetSignedData) signed_data = NULL;

  if (sink == NULL)
    return FALSE;
  if (!(signed_data = _cachet_signed_data_read (stream, sink, cancellable, error)))
    return FALSE;
  if (!_cachet_signed_data_has_content (signed_data) &&
      _cachet_signed_data_get_n_signers (signed_data) == 0)
    {
      /* a certificate bundle (.p7c) attached to a message is not a signature */
      if (certs_only != NULL)
        {
          *certs_only = TRUE;
          return TRUE;
        }
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("The file holds only certificates, no signature. To keep them, use “cachet-cli contact import”."));
      return FALSE;
    }
  if (!_cachet_signed_data_has_content (signed_data))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("This is a detached signature without the signed content. Give the signed file with --content FILE."));
      return FALSE;
    }
  if (!_cachet_signed_data_verify (signed_data, options, verdict, cancellable, error))
    return FALSE;

  g_mime_stream_flush (sink);
  g_mime_stream_reset (sink);
  if (content_out)
    *content_out = g_steal_pointer (&sink);
  return TRUE;
}

static GMimeMessage *
message_with_body (GMimeMessage *outer,
                   GMimeObject  *body)
{
  GMimeMessage *message = g_mime_message_new (FALSE);

  if (outer != NULL)
    {
      GMimeHeaderList *headers = g_mime_object_get_header_list (GMIME_OBJECT (outer));
      int count = g_mime_header_list_get_count (headers);

      for (int i = 0; i < count; i++)
        {
          GMimeHeader *header = g_mime_header_list_get_header_at (headers, i);
          const char *name = g_mime_header_get_name (header);

          if (g_ascii_strncasecmp (name, "Content-", 8) == 0)
            continue;
          g_mime_object_append_header (GMIME_OBJECT (message), name,
                                       g_mime_header_get_value (header), NULL);
        }
    }
  g_mime_message_set_mime_part (message, body);
  return message;
}

static gboolean
verify_pkcs7_signed (CachetOptions  *options,
                     GMimeObject    *object,
                     GMimeMessage   *outer,
                     CachetVerdict  *verdict,
                     gboolean       *skipped,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_autoptr(GMimeStream) stream = open_part_content (GMIME_PART (object));
  g_autoptr(GMimeStream) content = NULL;
  g_autoptr(GMimeObject) entity = NULL;
  ParseIssues issues = { FALSE };

  if (!verify_opaque_stream (options, stream, verdict, &content, skipped, cancellable, error))
    return FALSE;
  if (*skipped)
    return TRUE;

  /* The embedded content is a MIME entity: show it as the message's body. */
  entity = parse_entity (content, &issues);
  if (entity != NULL && !_cachet_limits_check_mime (entity, error))
    return FALSE;
  if (entity != NULL && !issues.critical)
    {
      g_autoptr(GMimeMessage) shown = message_with_body (outer, entity);
      cachet_verdict_set_content (verdict, GMIME_OBJECT (shown));
    }
  return TRUE;
}

/* SKIPPED: set when OBJECT turned out to hold no signature (a certificate bundle). */
static gboolean
verify_signed_layer (CachetOptions  *options,
                     GMimeObject    *object,
                     GMimeMessage   *outer,
                     CachetVerdict  *verdict,
                     gboolean       *skipped,
                     GCancellable   *cancellable,
                     GError        **error)
{
  *skipped = FALSE;
  if (GMIME_IS_MULTIPART (object))
    {
      if (!verify_multipart_signed (options, object, verdict, cancellable, error))
        return FALSE;
      if (outer && cachet_verdict_get_content (verdict) == NULL)
        cachet_verdict_set_content (verdict, GMIME_OBJECT (outer));
      return TRUE;
    }
  return verify_pkcs7_signed (options, object, outer, verdict, skipped, cancellable, error);
}

/* "the attachment “report.pdf” (part 2 of 3, application/pdf)" */
static char *
describe_part (GMimeObject *object,
               const char  *position)
{
  GMimeContentType *content_type = g_mime_object_get_content_type (object);
  g_autofree char *mime_type = content_type ? g_mime_content_type_get_mime_type (content_type)
                                            : g_strdup ("text/plain");
  const char *filename = GMIME_IS_PART (object) ? g_mime_part_get_filename (GMIME_PART (object))
                                                : g_mime_object_get_content_disposition_parameter (object, "filename");

  if (filename)
    return g_strdup_printf (_("the attachment “%s” (part %s, %s)"), filename, position, mime_type);
  return g_strdup_printf (_("part %s (%s)"), position, mime_type);
}

typedef struct {
  GPtrArray *layers;        /* GMimeObject, borrowed */
  GPtrArray *descriptions;  /* char * */
  gboolean   broken;
} Search;

static void
find_signed_layers (GMimeObject *object,
                    const char  *position,
                    guint        depth,
                    Search      *search)
{
  GMimeMultipart *multipart;
  int count;

  if (depth > MAX_DEPTH)
    return;

  if (is_signed_layer (object))
    {
      g_ptr_array_add (search->layers, object);
      g_ptr_array_add (search->descriptions, describe_part (object, position));
      return;
    }
  /* A forwarded (attached) message that is signed covers only itself. */
  if (GMIME_IS_MESSAGE_PART (object))
    {
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));
      GMimeObject *inner_body = inner ? g_mime_message_get_mime_part (inner) : NULL;

      if (inner_body && is_signed_layer (inner_body))
        {
          g_ptr_array_add (search->layers, inner_body);
          g_ptr_array_add (search->descriptions, describe_part (object, position));
        }
      else if (inner_body)
        find_signed_layers (inner_body, position, depth + 1, search);
      return;
    }

  if (!GMIME_IS_MULTIPART (object))
    return;

  multipart = GMIME_MULTIPART (object);
  count = g_mime_multipart_get_count (multipart);
  if (count == 0)
    search->broken = TRUE;
  for (int i = 0; i < count; i++)
    {
      g_autofree char *child = position && *position
        ? g_strdup_printf ("%s.%d", position, i + 1)
        : g_strdup_printf (_("%d of %d"), i + 1, count);

      find_signed_layers (g_mime_multipart_get_part (multipart, i), child, depth + 1, search);
    }
}

/* The address in DISPLAY_NAME when the name itself looks like an address. */
static char *
address_in_name (const char *name)
{
  g_auto(GStrv) words = NULL;

  if (name == NULL || strchr (name, '@') == NULL)
    return NULL;
  words = g_strsplit_set (name, " \t<>\"'()[],;", -1);
  for (guint i = 0; words[i]; i++)
    {
      const char *at = strchr (words[i], '@');

      if (at && at != words[i] && at[1] != '\0' && strchr (at + 1, '.'))
        return g_ascii_strdown (words[i], -1);
    }
  return NULL;
}

static void
check_from (GMimeMessage  *message,
            CachetVerdict *verdict)
{
  GMimeHeaderList *headers = g_mime_object_get_header_list (GMIME_OBJECT (message));
  InternetAddressList *from = g_mime_message_get_from (message);
  GListModel *signers = cachet_verdict_get_signers (verdict);
  int count = g_mime_header_list_get_count (headers), from_headers = 0;
  g_autofree char *address = NULL;
  g_autofree char *problem = NULL;

  for (int i = 0; i < count; i++)
    if (g_ascii_strcasecmp (g_mime_header_get_name (g_mime_header_list_get_header_at (headers, i)), "From") == 0)
      from_headers++;

  if (from_headers == 0 || from == NULL || internet_address_list_length (from) == 0)
    problem = g_strdup (_("The message has no From address."));
  else if (from_headers > 1)
    problem = g_strdup (_("The message has several From headers."));
  else if (internet_address_list_length (from) > 1)
    problem = g_strdup (_("The From header names several senders."));
  else
    {
      InternetAddress *sender = internet_address_list_get_address (from, 0);

      if (!INTERNET_ADDRESS_IS_MAILBOX (sender))
        problem = g_strdup (_("The From header names a group, not a sender."));
      else
        {
          g_autofree char *in_name = address_in_name (internet_address_get_name (sender));

          address = g_ascii_strdown (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (sender)), -1);
          if (in_name && g_strcmp0 (in_name, address) != 0)
            problem = g_strdup_printf (_("The sender’s name shows the address %s, but the message is from %s."),
                                       in_name, address);
        }
    }

  cachet_verdict_set_from (verdict, problem == NULL ? address : NULL);
  if (problem && cachet_verdict_get_signed (verdict))
    cachet_verdict_add_problem (verdict, CACHET_PROBLEM_FROM_MISMATCH, problem);

  for (guint i = 0; i < g_list_model_get_n_items (signers); i++)
    {
      g_autoptr(CachetSigner) signer = g_list_model_get_item (signers, i);
      CachetCertificate *certificate = cachet_signer_get_certificate (signer);
      gboolean matches;

      if (certificate == NULL)
        continue;
      matches = problem == NULL && address && cachet_certificate_has_address (certificate, address);
      cachet_signer_set_matches_from (signer, matches);
      if (!matches && problem == NULL)
        {
          g_autofree char *detail = g_strdup_printf (_("The message is from %s, but the certificate is for %s."),
                                                     address ? address : "?",
                                                     cachet_signer_get_addresses (signer) && cachet_signer_get_addresses (signer)[0]
                                                       ? cachet_signer_get_addresses (signer)[0] : _("no address"));
          cachet_signer_add_problem (signer, CACHET_PROBLEM_FROM_MISMATCH, detail);
        }
    }
}

gboolean
cachet_verify_object (CachetOptions  *options,
                      GMimeObject    *object,
                      CachetVerdict  *verdict,
                      GCancellable   *cancellable,
                      GError        **error)
{
  GMimeMessage *message = GMIME_IS_MESSAGE (object) ? GMIME_MESSAGE (object) : NULL;
  GMimeObject *body = message ? g_mime_message_get_mime_part (message) : object;
  Search search = { NULL, NULL, FALSE };

  g_return_val_if_fail (CACHET_IS_OPTIONS (options), FALSE);
  g_return_val_if_fail (GMIME_IS_OBJECT (object), FALSE);
  g_return_val_if_fail (CACHET_IS_VERDICT (verdict), FALSE);

  if (body == NULL)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("The message has no body. Check that the file is a complete message."));
      return FALSE;
    }
  if (!_cachet_limits_check_mime (object, error))
    return FALSE;

  if (is_signed_layer (body))
    {
      gboolean skipped;

      if (!verify_signed_layer (options, body, message, verdict, &skipped, cancellable, error))
        return FALSE;
      cachet_verdict_set_coverage (verdict, skipped ? CACHET_COVERAGE_NONE : CACHET_COVERAGE_WHOLE);
      if (skipped && message && cachet_verdict_get_content (verdict) == NULL)
        cachet_verdict_set_content (verdict, GMIME_OBJECT (message));
    }
  else
    {
      g_autoptr(GPtrArray) layers = g_ptr_array_new ();
      g_autoptr(GPtrArray) descriptions = g_ptr_array_new_with_free_func (g_free);

      search.layers = layers;
      search.descriptions = descriptions;
      find_signed_layers (body, "", 0, &search);

      if (search.broken)
        {
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                       _("The message is broken: a multipart has no parts (a missing or wrong boundary)."));
          return FALSE;
        }

      for (guint i = 0; i < layers->len; i++)
        {
          gboolean skipped;

          if (!verify_signed_layer (options, g_ptr_array_index (layers, i), NULL, verdict, &skipped,
                                    cancellable, error))
            return FALSE;
          if (skipped)
            {
              g_ptr_array_remove_index (layers, i);
              g_ptr_array_remove_index (descriptions, i);
              i--;
            }
        }

      if (layers->len > 0)
        {
          g_autofree char *joined = NULL;
          g_autofree char *detail = NULL;

          g_ptr_array_add (descriptions, NULL);
          joined = g_strjoinv (", ", (char **) descriptions->pdata);
          cachet_verdict_set_coverage (verdict, CACHET_COVERAGE_PARTIAL);
          cachet_verdict_set_covered_part (verdict, joined);
          detail = g_strdup_printf (_("Only %s is signed; the rest of the message is not."), joined);
          cachet_verdict_add_problem (verdict, CACHET_PROBLEM_PARTIAL_COVERAGE, detail);
          if (message)
            cachet_verdict_set_content (verdict, GMIME_OBJECT (message));
        }
      else
        {
          cachet_verdict_set_coverage (verdict, CACHET_COVERAGE_NONE);
          if (message && cachet_verdict_get_content (verdict) == NULL)
            cachet_verdict_set_content (verdict, GMIME_OBJECT (message));
        }
    }

  if (message)
    check_from (message, verdict);

  return TRUE;
}

static void
collect (CachetOptions *options,
         CachetVerdict *verdict)
{
  /* store: collect signer */
  if (cachet_options_get_store (options) != NULL)
    cachet_store_collect_from_verdict (cachet_options_get_store (options), verdict);
}

static CachetVerdict *
verify_message_file (CachetOptions  *options,
                     const char     *path,
                     GCancellable   *cancellable,
                     GError        **error)
{
  /* parsed, then the signed part read again to hash it */
  g_autoptr(GMimeStream) stream = cachet_file_stream_open_input (path, 2, options, error);
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(CachetVerdict) verdict = NULL;
  ParseIssues issues = { FALSE };
  GMimeObject *body;

  if (stream == NULL)
    return NULL;
  if (!(message = parse_message (stream, &issues, error)))
    return NULL;
  cachet_file_stream_begin_pass (CACHET_FILE_STREAM (stream));

  body = g_mime_message_get_mime_part (message);
  if (issues.critical)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("The message is broken: its MIME structure cannot be read safely."));
      return NULL;
    }
  if (is_encrypted_layer (body))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                   _("The message is encrypted. Decrypt it with “cachet-cli decrypt”, which also checks a signature inside."));
      return NULL;
    }

  verdict = cachet_verdict_new ();
  if (!cachet_verify_object (options, GMIME_OBJECT (message), verdict, cancellable, error))
    return NULL;
  return g_steal_pointer (&verdict);
}

static CachetVerdict *
verify_cms_file (CachetOptions  *options,
                 const char     *path,
                 const char     *content_path,
                 GCancellable   *cancellable,
                 GError        **error)
{
  g_autoptr(GMimeStream) stream = open_cms_stream (options, path, error);
  g_autoptr(CachetVerdict) verdict = cachet_verdict_new ();
  g_autoptr(CachetSignedData) signed_data = NULL;
  g_autoptr(GMimeStream) content = NULL;

  if (stream == NULL)
    return NULL;

  if (content_path == NULL)
    {
      if (!verify_opaque_stream (options, stream, verdict, &content, NULL, cancellable, error))
        return NULL;
      cachet_verdict_set_coverage (verdict, CACHET_COVERAGE_WHOLE);
      return g_steal_pointer (&verdict);
    }

  if (!(content = cachet_file_stream_open_input (content_path, 1, options, error)))
    return NULL;
  if (!(signed_data = _cachet_signed_data_read (stream, NULL, cancellable, error)))
    return NULL;
  if (_cachet_signed_data_has_content (signed_data))
    {
      cachet_verdict_set_signed (verdict, TRUE);
      cachet_verdict_add_problem (verdict, CACHET_PROBLEM_CONTENT_CONFUSION, NULL);
      cachet_verdict_set_coverage (verdict, CACHET_COVERAGE_NONE);
      return g_steal_pointer (&verdict);
    }
  if (!cachet_digest_stream_absorb (CACHET_DIGEST_STREAM (_cachet_signed_data_get_content_stream (signed_data)),
                                    content, cancellable, error))
    return NULL;
  if (!_cachet_signed_data_verify (signed_data, options, verdict, cancellable, error))
    return NULL;
  cachet_verdict_set_coverage (verdict, CACHET_COVERAGE_WHOLE);
  return g_steal_pointer (&verdict);
}

CachetVerdict *
cachet_verify_file (CachetOptions  *options,
                    const char     *path,
                    const char     *content_path,
                    GCancellable   *cancellable,
                    GError        **error)
{
  g_autoptr(GError) local = NULL;
  CachetVerdict *verdict = NULL;
  CachetInputKind kind;

  g_return_val_if_fail (CACHET_IS_OPTIONS (options), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  kind = cachet_detect_input (path, &local);
  if (local)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }

  if (content_path != NULL && kind != CACHET_INPUT_CMS_SIGNED)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("“%s” is not a detached signature (.p7s); --content needs one."), display);
      return NULL;
    }

  switch (kind)
    {
    case CACHET_INPUT_MESSAGE:
      verdict = verify_message_file (options, path, cancellable, error);
      break;
    case CACHET_INPUT_CMS_SIGNED:
      verdict = verify_cms_file (options, path, content_path, cancellable, error);
      break;
    case CACHET_INPUT_CMS_ENVELOPED:
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                   _("The file is encrypted, not signed. Decrypt it with “cachet-cli decrypt”."));
      break;
    case CACHET_INPUT_UNKNOWN:
    default:
      {
        g_autofree char *display = g_filename_display_name (path);

        g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                     _("“%s” is neither an email message nor an S/MIME signature. Open a .eml, .p7m or .p7s file."),
                     display);
      }
      break;
    }

  if (verdict)
    collect (options, verdict);
  return verdict;
}

typedef struct {
  CachetOptions *options;
  char          *path;
  char          *content_path;
  char          *output_path;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->options);
  g_free (job->path);
  g_free (job->content_path);
  g_free (job->output_path);
  g_free (job);
}

static void
verify_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  Job *job = data;
  GError *error = NULL;
  CachetVerdict *verdict = cachet_verify_file (job->options, job->path, job->content_path,
                                               cancellable, &error);

  if (verdict)
    g_task_return_pointer (task, verdict, g_object_unref);
  else
    g_task_return_error (task, error);
}

void
cachet_verify_file_async (CachetOptions       *options,
                          const char          *path,
                          const char          *content_path,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->options = g_object_ref (options);
  job->path = g_strdup (path);
  job->content_path = g_strdup (content_path);
  g_task_set_source_tag (task, cachet_verify_file_async);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, verify_thread);
}

CachetVerdict *
cachet_verify_file_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Signing */

static CachetCredentials *
signing_credentials (CachetOptions  *options,
                     GError        **error)
{
  GPtrArray *credentials = cachet_options_get_credentials (options);

  if (credentials->len == 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NO_KEY,
                   _("No signing key was given. Use --cert and --key, --p12, or --as with an identity."));
      return NULL;
    }
  return g_ptr_array_index (credentials, 0);
}

static gnutls_digest_algorithm_t
signing_digest (CachetOptions  *options,
                GError        **error)
{
  gnutls_digest_algorithm_t digest = _cachet_digest_from_name (cachet_options_get_digest (options));

  if (digest == GNUTLS_DIG_UNKNOWN)
    g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                 _("“%s” is not a digest Cachet signs with. Use sha256, sha384 or sha512."),
                 cachet_options_get_digest (options));
  return digest;
}

static GMimePart *
signature_part (const char *type,
                const char *subtype,
                const char *filename,
                GMimeStream *content)
{
  GMimePart *part = g_mime_part_new_with_type (type, subtype);
  g_autoptr(GMimeDataWrapper) wrapper = NULL;

  g_mime_object_set_content_type_parameter (GMIME_OBJECT (part), "name", filename);
  g_mime_object_set_disposition (GMIME_OBJECT (part), GMIME_DISPOSITION_ATTACHMENT);
  g_mime_part_set_filename (part, filename);
  g_mime_stream_reset (content);
  wrapper = g_mime_data_wrapper_new_with_stream (content, GMIME_CONTENT_ENCODING_BINARY);
  g_mime_part_set_content (part, wrapper);
  g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);
  return part;
}

/* Signing a message in one pass over its content. The plain way writes the entity once into a
 * digest stream and then again, inside the multipart/signed, into the output. Here the entity
 * sits in the multipart behind a CachetTeeEntity, which writes it through a CRLF filter into a
 * digest stream that passes every byte on to the output; the signature part's content is a
 * CachetLazySignature, which GMime reads after the entity (parts are written in order), so the
 * digest is complete by then and the signature is made on that first read. The bytes hashed
 * are the bytes written, and the same ones write_canonical gives. */

#define CACHET_TYPE_TEE_ENTITY (cachet_tee_entity_get_type ())
G_DECLARE_FINAL_TYPE (CachetTeeEntity, cachet_tee_entity, CACHET, TEE_ENTITY, GMimeObject)

struct _CachetTeeEntity
{
  GMimeObject                parent_instance;
  GMimeObject               *inner;
  gnutls_digest_algorithm_t  algorithm;
  GBytes                    *digest;    /* set once the entity was written */
  GError                    *error;
};

G_DEFINE_FINAL_TYPE (CachetTeeEntity, cachet_tee_entity, GMIME_TYPE_OBJECT)

static ssize_t
cachet_tee_entity_write_to_stream (GMimeObject        *object,
                                   GMimeFormatOptions *options,
                                   gboolean            content_only,
                                   GMimeStream        *stream)
{
  CachetTeeEntity *self = CACHET_TEE_ENTITY (object);
  g_autoptr(GMimeStream) hasher = NULL;
  g_autoptr(GMimeStream) filtered = NULL;
  g_autoptr(GMimeFilter) crlf = NULL;
  ssize_t n;

  if (self->digest != NULL)   /* written (and hashed) before: only write */
    return GMIME_OBJECT_GET_CLASS (self->inner)->write_to_stream (self->inner, options, content_only, stream);

  hasher = cachet_digest_stream_new (stream);
  if (!cachet_digest_stream_add_algorithm (CACHET_DIGEST_STREAM (hasher), self->algorithm))
    return -1;
  filtered = g_mime_stream_filter_new (hasher);
  crlf = g_mime_filter_unix2dos_new (FALSE);
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), crlf);

  n = GMIME_OBJECT_GET_CLASS (self->inner)->write_to_stream (self->inner, options, content_only, filtered);
  if (n < 0 || g_mime_stream_flush (filtered) < 0)
    return -1;
  self->digest = cachet_digest_stream_get_digest (CACHET_DIGEST_STREAM (hasher), self->algorithm);
  return self->digest != NULL ? n : -1;
}

static void
cachet_tee_entity_encode (GMimeObject            *object,
                          GMimeEncodingConstraint constraint)
{
  g_mime_object_encode (CACHET_TEE_ENTITY (object)->inner, constraint);
}

static char *
cachet_tee_entity_get_headers (GMimeObject        *object,
                               GMimeFormatOptions *options)
{
  return g_mime_object_get_headers (CACHET_TEE_ENTITY (object)->inner, options);
}

static void
cachet_tee_entity_finalize (GObject *object)
{
  CachetTeeEntity *self = CACHET_TEE_ENTITY (object);

  g_clear_object (&self->inner);
  g_clear_pointer (&self->digest, g_bytes_unref);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (cachet_tee_entity_parent_class)->finalize (object);
}

static void
cachet_tee_entity_class_init (CachetTeeEntityClass *klass)
{
  GMimeObjectClass *object_class = GMIME_OBJECT_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = cachet_tee_entity_finalize;
  object_class->write_to_stream = cachet_tee_entity_write_to_stream;
  object_class->encode = cachet_tee_entity_encode;
  object_class->get_headers = cachet_tee_entity_get_headers;
}

static void
cachet_tee_entity_init (CachetTeeEntity *self)
{
}

static CachetTeeEntity *
tee_entity_new (GMimeObject               *inner,
                gnutls_digest_algorithm_t  algorithm)
{
  CachetTeeEntity *self = g_object_new (CACHET_TYPE_TEE_ENTITY, NULL);

  self->inner = g_object_ref (inner);
  self->algorithm = algorithm;
  /* the multipart asks its parts whether a newline must follow them */
  GMIME_OBJECT (self)->ensure_newline = inner->ensure_newline;
  g_mime_object_set_content_type (GMIME_OBJECT (self), g_mime_object_get_content_type (inner));
  return self;
}

#define CACHET_TYPE_LAZY_SIGNATURE (cachet_lazy_signature_get_type ())
G_DECLARE_FINAL_TYPE (CachetLazySignature, cachet_lazy_signature, CACHET, LAZY_SIGNATURE, GMimeStream)

struct _CachetLazySignature
{
  GMimeStream        parent_instance;
  CachetTeeEntity   *entity;
  CachetCredentials *credentials;
  GCancellable      *cancellable;
  GMimeStream       *der;     /* the signature, once made */
};

G_DEFINE_FINAL_TYPE (CachetLazySignature, cachet_lazy_signature, GMIME_TYPE_STREAM)

static gboolean
lazy_signature_make (CachetLazySignature *self)
{
  CachetTeeEntity *entity = self->entity;
  g_autoptr(GMimeStream) der = NULL;

  if (self->der != NULL)
    return TRUE;
  if (entity->error != NULL)
    return FALSE;
  if (entity->digest == NULL)
    {
      g_set_error (&entity->error, CACHET_ERROR, CACHET_ERROR_IO,
                   _("Writing the signed message failed: %s"), g_strerror (EIO));
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (self->cancellable, &entity->error))
    return FALSE;
  der = g_mime_stream_mem_new ();
  if (!_cachet_signed_data_write_detached (self->credentials, entity->algorithm, entity->digest,
                                           der, &entity->error))
    return FALSE;
  g_mime_stream_reset (der);
  self->der = g_steal_pointer (&der);
  return TRUE;
}

static ssize_t
cachet_lazy_signature_read (GMimeStream *stream,
                            char        *buffer,
                            size_t       length)
{
  CachetLazySignature *self = CACHET_LAZY_SIGNATURE (stream);
  ssize_t n;

  if (!lazy_signature_make (self))
    {
      errno = EIO;
      return -1;
    }
  n = g_mime_stream_read (self->der, buffer, length);
  if (n > 0)
    stream->position += n;
  return n;
}

static ssize_t
cachet_lazy_signature_write (GMimeStream *stream,
                             const char  *buffer,
                             size_t       length)
{
  errno = EBADF;
  return -1;
}

static int
cachet_lazy_signature_flush (GMimeStream *stream)
{
  return 0;
}

static int
cachet_lazy_signature_close (GMimeStream *stream)
{
  return 0;
}

static gboolean
cachet_lazy_signature_eos (GMimeStream *stream)
{
  CachetLazySignature *self = CACHET_LAZY_SIGNATURE (stream);

  return self->der != NULL && g_mime_stream_eos (self->der);
}

static int
cachet_lazy_signature_reset (GMimeStream *stream)
{
  CachetLazySignature *self = CACHET_LAZY_SIGNATURE (stream);

  stream->position = 0;
  return self->der != NULL ? g_mime_stream_reset (self->der) : 0;
}

static gint64
cachet_lazy_signature_seek (GMimeStream    *stream,
                            gint64          offset,
                            GMimeSeekWhence whence)
{
  errno = ESPIPE;
  return -1;
}

static gint64
cachet_lazy_signature_tell (GMimeStream *stream)
{
  return stream->position;
}

static gint64
cachet_lazy_signature_length (GMimeStream *stream)
{
  CachetLazySignature *self = CACHET_LAZY_SIGNATURE (stream);

  if (self->der == NULL)
    {
      errno = ESPIPE;
      return -1;
    }
  return g_mime_stream_length (self->der);
}

static GMimeStream *
cachet_lazy_signature_substream (GMimeStream *stream,
                                 gint64       start,
                                 gint64       end)
{
  return NULL;
}

static void
cachet_lazy_signature_finalize (GObject *object)
{
  CachetLazySignature *self = CACHET_LAZY_SIGNATURE (object);

  g_clear_object (&self->entity);
  g_clear_object (&self->credentials);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->der);
  G_OBJECT_CLASS (cachet_lazy_signature_parent_class)->finalize (object);
}

static void
cachet_lazy_signature_class_init (CachetLazySignatureClass *klass)
{
  GMimeStreamClass *stream_class = GMIME_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = cachet_lazy_signature_finalize;
  stream_class->read = cachet_lazy_signature_read;
  stream_class->write = cachet_lazy_signature_write;
  stream_class->flush = cachet_lazy_signature_flush;
  stream_class->close = cachet_lazy_signature_close;
  stream_class->eos = cachet_lazy_signature_eos;
  stream_class->reset = cachet_lazy_signature_reset;
  stream_class->seek = cachet_lazy_signature_seek;
  stream_class->tell = cachet_lazy_signature_tell;
  stream_class->length = cachet_lazy_signature_length;
  stream_class->substream = cachet_lazy_signature_substream;
}

static void
cachet_lazy_signature_init (CachetLazySignature *self)
{
}

GMimeObject *
cachet_sign_object (CachetOptions  *options,
                    GMimeObject    *entity,
                    GCancellable   *cancellable,
                    GError        **error)
{
  CachetCredentials *credentials;
  gnutls_digest_algorithm_t digest;
  g_autoptr(GMimeStream) signature = NULL;
  g_autoptr(GMimePart) part = NULL;

  g_return_val_if_fail (CACHET_IS_OPTIONS (options), NULL);
  g_return_val_if_fail (GMIME_IS_OBJECT (entity), NULL);

  if (!(credentials = signing_credentials (options, error)))
    return NULL;
  if ((digest = signing_digest (options, error)) == GNUTLS_DIG_UNKNOWN)
    return NULL;

  /* Transports may change 8-bit content; what is signed must survive them (RFC 8551 3.1.2). */
  g_mime_object_encode (entity, GMIME_ENCODING_CONSTRAINT_7BIT);

  if (!cachet_options_get_opaque (options))
    {
      g_autoptr(GMimeStream) hasher = cachet_digest_stream_new (NULL);
      g_autoptr(GBytes) digest_value = NULL;
      g_autoptr(GMimeMultipartSigned) multipart = g_mime_multipart_signed_new ();
      g_autofree char *micalg = g_strdup_printf ("sha-%s", _cachet_digest_to_name (digest) + 3);

      cachet_digest_stream_add_algorithm (CACHET_DIGEST_STREAM (hasher), digest);
      if (!write_canonical (entity, hasher, error))
        return NULL;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      digest_value = cachet_digest_stream_get_digest (CACHET_DIGEST_STREAM (hasher), digest);

      signature = g_mime_stream_mem_new ();
      if (!_cachet_signed_data_write_detached (credentials, digest, digest_value, signature, error))
        return NULL;

      g_mime_object_set_content_type_parameter (GMIME_OBJECT (multipart), "protocol",
                                                "application/pkcs7-signature");
      g_mime_object_set_content_type_parameter (GMIME_OBJECT (multipart), "micalg", micalg);
      g_mime_multipart_set_boundary (GMIME_MULTIPART (multipart), NULL);
      g_mime_multipart_add (GMIME_MULTIPART (multipart), entity);
      part = signature_part ("application", "pkcs7-signature", "smime.p7s", signature);
      g_mime_multipart_add (GMIME_MULTIPART (multipart), GMIME_OBJECT (part));
      return GMIME_OBJECT (g_steal_pointer (&multipart));
    }
  else
    {
      g_autoptr(GMimeStream) canonical = cachet_file_stream_new_temporary (error);

      if (canonical == NULL || !write_canonical (entity, canonical, error))
        return NULL;
      g_mime_stream_reset (canonical);
      if (!(signature = cachet_file_stream_new_temporary (error)))
        return NULL;
      if (!_cachet_signed_data_sign_stream (credentials, digest, canonical, TRUE, signature,
                                            cancellable, error))
        return NULL;
      g_mime_stream_flush (signature);
      part = signature_part ("application", "pkcs7-mime", "smime.p7m", signature);
      g_mime_object_set_content_type_parameter (GMIME_OBJECT (part), "smime-type", "signed-data");
      return GMIME_OBJECT (g_steal_pointer (&part));
    }
}

/* As cachet_sign_object for a detached signature, but the entity is hashed while the returned
 * multipart/signed is written (once, in order): see CachetTeeEntity. After the write, TEE's
 * digest is set and its error says why the signature could not be made. */
static GMimeObject *
sign_object_lazily (CachetOptions    *options,
                    GMimeObject      *entity,
                    GCancellable     *cancellable,
                    CachetTeeEntity **tee,
                    GError          **error)
{
  CachetCredentials *credentials;
  gnutls_digest_algorithm_t digest;
  g_autoptr(GMimeMultipartSigned) multipart = NULL;
  g_autoptr(GMimePart) part = NULL;
  g_autoptr(CachetLazySignature) signature = NULL;
  g_autofree char *micalg = NULL;

  if (!(credentials = signing_credentials (options, error)))
    return NULL;
  if ((digest = signing_digest (options, error)) == GNUTLS_DIG_UNKNOWN)
    return NULL;

  /* as cachet_sign_object: what is signed must survive 7-bit transports */
  g_mime_object_encode (entity, GMIME_ENCODING_CONSTRAINT_7BIT);

  *tee = tee_entity_new (entity, digest);
  signature = g_object_new (CACHET_TYPE_LAZY_SIGNATURE, NULL);
  g_mime_stream_construct (GMIME_STREAM (signature), 0, -1);
  signature->entity = g_object_ref (*tee);
  signature->credentials = g_object_ref (credentials);
  signature->cancellable = cancellable ? g_object_ref (cancellable) : NULL;

  multipart = g_mime_multipart_signed_new ();
  micalg = g_strdup_printf ("sha-%s", _cachet_digest_to_name (digest) + 3);
  g_mime_object_set_content_type_parameter (GMIME_OBJECT (multipart), "protocol",
                                            "application/pkcs7-signature");
  g_mime_object_set_content_type_parameter (GMIME_OBJECT (multipart), "micalg", micalg);
  g_mime_multipart_set_boundary (GMIME_MULTIPART (multipart), NULL);
  g_mime_multipart_add (GMIME_MULTIPART (multipart), GMIME_OBJECT (*tee));
  part = signature_part ("application", "pkcs7-signature", "smime.p7s", GMIME_STREAM (signature));
  g_mime_multipart_add (GMIME_MULTIPART (multipart), GMIME_OBJECT (part));
  return GMIME_OBJECT (g_steal_pointer (&multipart));
}

static gboolean
sign_message (CachetOptions  *options,
              const char     *input,
              GMimeStream    *output,
              GCancellable   *cancellable,
              GError        **error)
{
  /* parsed, then read again to write it */
  g_autoptr(GMimeStream) stream = cachet_file_stream_open_input (input, 2, options, error);
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GMimeObject) signed_body = NULL;
  g_autoptr(GMimeFormatOptions) format = g_mime_format_options_new ();
  g_autoptr(CachetTeeEntity) tee = NULL;
  ParseIssues issues = { FALSE };

  if (stream == NULL || !(message = parse_message (stream, &issues, error)))
    return FALSE;
  if (issues.critical)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("The message is broken: its MIME structure cannot be read safely. Repair it before signing."));
      return FALSE;
    }
  cachet_file_stream_begin_pass (CACHET_FILE_STREAM (stream));

  if (cachet_options_get_opaque (options))
    signed_body = cachet_sign_object (options, g_mime_message_get_mime_part (message), cancellable, error);
  else
    signed_body = sign_object_lazily (options, g_mime_message_get_mime_part (message), cancellable,
                                      &tee, error);
  if (signed_body == NULL)
    return FALSE;

  g_mime_message_set_mime_part (message, signed_body);
  if (g_mime_object_get_header (GMIME_OBJECT (message), "MIME-Version") == NULL)
    g_mime_object_set_header (GMIME_OBJECT (message), "MIME-Version", "1.0", NULL);

  g_mime_format_options_set_newline_format (format, GMIME_NEWLINE_FORMAT_DOS);
  if (g_mime_object_write_to_stream (GMIME_OBJECT (message), format, output) < 0 ||
      g_mime_stream_flush (output) < 0)
    {
      /* the signature's own failure (key, cancel) says more than the write's */
      if (tee != NULL && tee->error != NULL)
        g_propagate_error (error, g_steal_pointer (&tee->error));
      else
        _cachet_error_set_write_failed (error);
      return FALSE;
    }
  if (tee != NULL && (tee->digest == NULL || tee->error != NULL))
    {
      /* cannot happen with GMime writing parts in order; never leave an unsigned output */
      if (tee->error != NULL)
        g_propagate_error (error, g_steal_pointer (&tee->error));
      else
        g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                     _("Writing the signed message failed: %s"), g_strerror (EIO));
      return FALSE;
    }
  return TRUE;
}

gboolean
cachet_sign_file (CachetOptions  *options,
                  const char     *input,
                  CachetOutput   *output,
                  GCancellable   *cancellable,
                  GError        **error)
{
  CachetCredentials *credentials;
  gnutls_digest_algorithm_t digest;
  g_autoptr(GError) local = NULL;
  CachetInputKind kind;

  g_return_val_if_fail (CACHET_IS_OPTIONS (options), FALSE);
  g_return_val_if_fail (input != NULL, FALSE);
  g_return_val_if_fail (output != NULL, FALSE);

  kind = cachet_detect_input (input, &local);
  if (local)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (!(credentials = signing_credentials (options, error)))
    return FALSE;
  if ((digest = signing_digest (options, error)) == GNUTLS_DIG_UNKNOWN)
    return FALSE;

  if (kind == CACHET_INPUT_MESSAGE)
    {
      if (!sign_message (options, input, cachet_output_get_stream (output), cancellable, error))
        return FALSE;
    }
  else
    {
      g_autoptr(GMimeStream) content = cachet_file_stream_open_input (input, 1, options, error);

      if (content == NULL ||
          !_cachet_signed_data_sign_stream (credentials, digest, content, FALSE,
                                            cachet_output_get_stream (output), cancellable, error))
        return FALSE;
    }

  return cachet_output_commit (output, error);
}

gboolean
cachet_sign_stream (CachetOptions  *options,
                    GMimeStream    *content,
                    GMimeStream    *output,
                    GCancellable   *cancellable,
                    GError        **error)
{
  CachetCredentials *credentials;
  gnutls_digest_algorithm_t digest;

  g_return_val_if_fail (CACHET_IS_OPTIONS (options), FALSE);

  if (!(credentials = signing_credentials (options, error)))
    return FALSE;
  if ((digest = signing_digest (options, error)) == GNUTLS_DIG_UNKNOWN)
    return FALSE;
  return _cachet_signed_data_sign_stream (credentials, digest, content, TRUE, output,
                                          cancellable, error);
}

gboolean
cachet_verify_stream (CachetOptions  *options,
                      GMimeStream    *stream,
                      CachetVerdict  *verdict,
                      GMimeStream   **content,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_return_val_if_fail (CACHET_IS_OPTIONS (options), FALSE);

  if (!verify_opaque_stream (options, stream, verdict, content, NULL, cancellable, error))
    return FALSE;
  cachet_verdict_set_coverage (verdict, CACHET_COVERAGE_WHOLE);
  return TRUE;
}

static void
sign_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  Job *job = data;
  GError *error = NULL;
  g_autoptr(CachetOutput) output = cachet_output_new (job->output_path, &error);

  if (output && cachet_sign_file (job->options, job->path, output, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cachet_sign_file_async (CachetOptions       *options,
                        const char          *input,
                        const char          *output_path,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->options = g_object_ref (options);
  job->path = g_strdup (input);
  job->output_path = g_strdup (output_path);
  g_task_set_source_tag (task, cachet_sign_file_async);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, sign_thread);
}

gboolean
cachet_sign_file_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
