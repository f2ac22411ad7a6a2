/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-encryption.c: encrypt and decrypt messages (.eml) and files (see cachet-encryption.h).
 *
 * The CMS work is cachet-enveloped-data's; this file decides what to encrypt (the body of a
 * message, written with CRLF, or a whole file), for whom (recipients checked one by one, the
 * sender added), with which cipher, and wraps the result as a message again. Decryption finds
 * the encrypted part, deciphers it into a private temporary file, and only after the tag or
 * padding check releases it, verifying any signature inside into the same verdict.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cachet-asn1.h"
#include "cachet-encryption.h"
#include "cachet-enveloped-data.h"
#include "cachet-error.h"
#include "cachet-file-stream.h"
#include "cachet-limits.h"
#include "cachet-revocation.h"
#include "cachet-signed-data.h"
#include "cachet-signing.h"
#include "cachet-store.h"
#include "cachet-trust.h"



static gboolean
io_failed (GError **error)
{
  return _cachet_error_set_write_failed (error);
}

static GMimeMessage *
parse_message (GMimeStream  *stream,
               GError      **error)
{
  g_autoptr(GMimeParser) parser = NULL;
  GMimeMessage *message;

  if (!_cachet_limits_check_header_block (stream, NULL, error))
    return NULL;
  parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_persist_stream (parser, TRUE);
  message = g_mime_parser_construct_message (parser, NULL);
  if (message == NULL || g_mime_message_get_mime_part (message) == NULL)
    {
      g_clear_object (&message);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("The message cannot be read: it is not a valid email message."));
      return NULL;
    }
  if (!_cachet_limits_check_mime (GMIME_OBJECT (message), error))
    {
      g_object_unref (message);
      return NULL;
    }

  return message;
}

/* The one address in From, lower case; NULL when there are several or none. */
static char *
from_address (GMimeMessage *message)
{
  InternetAddressList *from = g_mime_message_get_from (message);
  InternetAddress *address;

  if (from == NULL || internet_address_list_length (from) != 1)
    return NULL;
  address = internet_address_list_get_address (from, 0);
  if (!INTERNET_ADDRESS_IS_MAILBOX (address))
    return NULL;
  return g_ascii_strdown (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address)), -1);
}

/* Recipients */

static void
add_unique (GPtrArray         *list,
            CachetCertificate *certificate)
{
  for (guint i = 0; i < list->len; i++)
    if (cachet_certificate_equal (list->pdata[i], certificate))
      return;
  g_ptr_array_add (list, g_object_ref (certificate));
}

static char *
describe_person (CachetCertificate *certificate)
{
  const char * const *addresses = cachet_certificate_get_addresses (certificate);
  const char *name = cachet_certificate_get_name (certificate);

  if (addresses && addresses[0] && g_strcmp0 (name, addresses[0]) != 0)
    return g_strdup_printf ("%s <%s>", name, addresses[0]);
  return g_strdup (name);
}

/* Can CERTIFICATE carry a key to its owner? Everything but the chain. */
static gboolean
check_usable (CachetCertificate  *certificate,
              GDateTime          *now,
              GError            **error)
{
  g_autofree char *who = describe_person (certificate);
  guint bits = 0;

  if (cachet_certificate_get_key_algorithm (certificate, &bits) != GNUTLS_PK_RSA)
    {
      g_autofree char *key = cachet_certificate_describe_key (certificate);

      g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                   _("Cannot encrypt for %s: the key of their certificate is %s, and Cachet can "
                     "encrypt only to RSA keys. Ask them for an RSA certificate."), who, key);
      return FALSE;
    }
  if (!cachet_certificate_is_valid_at (certificate, now))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                   _("Cannot encrypt for %s: their certificate is expired or not yet valid. "
                     "Ask them for a current certificate."), who);
      return FALSE;
    }
  if (!cachet_certificate_allows_email (certificate))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                   _("Cannot encrypt for %s: their certificate is not meant for email "
                     "protection. Ask them for an S/MIME certificate."), who);
      return FALSE;
    }
  if (!(cachet_certificate_get_key_usage (certificate) & CACHET_KEY_USAGE_ENCRYPT))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                   _("Cannot encrypt for %s: their certificate does not allow encryption (it "
                     "lacks key encipherment). Ask them for their encryption certificate."), who);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_trusted (CachetTrust        *trust,
               CachetCertificate  *certificate,
               GPtrArray          *pool,
               GDateTime          *now,
               GError            **error)
{
  g_autoptr(CachetSigner) probe = cachet_signer_new ();
  g_autofree char *who = describe_person (certificate);

  _cachet_trust_evaluate (trust, probe, certificate, pool, now, NULL);
  if (cachet_signer_get_trusted (probe) &&
      !cachet_signer_has_problem (probe, CACHET_PROBLEM_UNTRUSTED_ISSUER) &&
      !cachet_signer_has_problem (probe, CACHET_PROBLEM_REVOKED) &&
      !cachet_signer_has_problem (probe, CACHET_PROBLEM_EXPIRED) &&
      !cachet_signer_has_problem (probe, CACHET_PROBLEM_NOT_YET_VALID))
    return TRUE;

  if (cachet_signer_has_problem (probe, CACHET_PROBLEM_REVOKED))
    g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                 _("Cannot encrypt for %s: their certificate has been revoked. Ask them for a "
                   "new one."), who);
  else if (cachet_signer_has_problem (probe, CACHET_PROBLEM_EXPIRED) ||
           cachet_signer_has_problem (probe, CACHET_PROBLEM_NOT_YET_VALID))
    g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                 _("Cannot encrypt for %s: a certificate in their chain is expired or not yet "
                   "valid."), who);
  else
    g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                 _("Cannot encrypt for %s: their certificate (issued by %s) does not lead to a "
                   "certificate authority you trust. Add the authority with “cachet-cli trust "
                   "add”, or check that this is the right certificate."),
                 who, cachet_certificate_get_issuer_name (certificate));
  return FALSE;
}

/* The sender: as the options say, else the signing credentials, else the store's current
 * identity (the one for FROM when there are several). A new reference, or NULL. */
static CachetCertificate *
sender_certificate (CachetOptions *options,
                    const char    *from)
{
  GPtrArray *credentials = cachet_options_get_credentials (options);
  CachetStore *store = cachet_options_get_store (options);
  CachetCertificate *first = NULL;
  GListModel *identities;

  if (cachet_options_get_sender (options) != NULL)
    return g_object_ref (cachet_options_get_sender (options));
  if (credentials != NULL && credentials->len > 0)
    return g_object_ref (cachet_credentials_get_certificate (credentials->pdata[0]));
  if (store == NULL)
    return NULL;

  identities = cachet_store_get_identities (store);
  for (guint i = 0; i < g_list_model_get_n_items (identities); i++)
    {
      g_autoptr(CachetIdentity) identity = g_list_model_get_item (identities, i);
      CachetCertificate *certificate = cachet_identity_get_certificate (identity);

      if (cachet_identity_get_state (identity) != CACHET_IDENTITY_CURRENT || certificate == NULL ||
          !cachet_identity_can_encrypt (identity))
        continue;
      if (from != NULL && cachet_certificate_has_address (certificate, from))
        return g_object_ref (certificate);
      if (first == NULL)
        first = certificate;
    }

  return first ? g_object_ref (first) : NULL;
}

/* Everything that can help build a chain: --certs, the sender's chain, the recipients. */
static GPtrArray *
certificate_pool (CachetOptions *options)
{
  GPtrArray *pool = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *list;

  list = cachet_options_get_certificates (options);
  for (guint i = 0; list && i < list->len; i++)
    add_unique (pool, list->pdata[i]);

  list = cachet_options_get_credentials (options);
  for (guint i = 0; list && i < list->len; i++)
    {
      GPtrArray *chain = cachet_credentials_get_chain (list->pdata[i]);

      add_unique (pool, cachet_credentials_get_certificate (list->pdata[i]));
      for (guint j = 0; chain && j < chain->len; j++)
        add_unique (pool, chain->pdata[j]);
    }

  if (cachet_options_get_store (options) != NULL)
    {
      g_autoptr(GPtrArray) contacts =
        cachet_store_get_contact_certificates (cachet_options_get_store (options));

      for (guint i = 0; contacts && i < contacts->len; i++)
        add_unique (pool, contacts->pdata[i]);
    }

  return pool;
}

static GPtrArray *
choose_recipients (CachetOptions  *options,
                   const char     *from,
                   GError        **error)
{
  g_autoptr(GPtrArray) chosen = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) vouched = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) pool = certificate_pool (options);
  g_autoptr(CachetTrust) trust = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(CachetCertificate) self = NULL;
  GPtrArray *addresses = cachet_options_get_recipient_addresses (options);
  GPtrArray *given = cachet_options_get_recipients (options);
  CachetStore *store = cachet_options_get_store (options);

  for (guint i = 0; addresses && i < addresses->len; i++)
    {
      const char *address = addresses->pdata[i];
      CachetCertificate *found = NULL;

      /* a certificate given for this call wins; else the key store's choice, which only
       * offers trusted, valid encryption certificates */
      for (guint j = 0; given && j < given->len && !found; j++)
        if (cachet_certificate_has_address (given->pdata[j], address))
          found = given->pdata[j];

      if (found == NULL && store != NULL)
        {
          g_autoptr(CachetCertificate) from_store = cachet_store_find_recipient (store, address, error);

          if (from_store == NULL)
            return NULL;
          add_unique (vouched, from_store);
          add_unique (chosen, from_store);
          continue;
        }

      for (guint j = 0; j < pool->len && !found; j++)
        if (cachet_certificate_has_address (pool->pdata[j], address) &&
            !cachet_certificate_is_ca (pool->pdata[j]))
          found = pool->pdata[j];

      if (found == NULL)
        {
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_NO_KEY,
                       _("No certificate is known for %s. Import theirs with “cachet-cli contact "
                         "import”, or give it with --to-cert."), address);
          return NULL;
        }
      add_unique (chosen, found);
    }

  for (guint i = 0; given && i < given->len; i++)
    add_unique (chosen, given->pdata[i]);

  if (chosen->len == 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NO_KEY,
                   _("There is no one to encrypt for. Name a recipient with --to or --to-cert."));
      return NULL;
    }

  trust = _cachet_trust_new (options);
  for (guint i = 0; i < chosen->len; i++)
    {
      gboolean from_store = FALSE;

      for (guint j = 0; j < vouched->len; j++)
        from_store |= vouched->pdata[j] == chosen->pdata[i];
      /* the store vouches for trust, not for revocation: that is asked either way */
      if (!check_usable (chosen->pdata[i], now, error) ||
          (!from_store && !check_trusted (trust, chosen->pdata[i], pool, now, error)) ||
          (from_store && !_cachet_revocation_check_recipient (options, chosen->pdata[i], pool, error)))
        return NULL;
    }

  /* The sender reads their own sent mail: their certificate is theirs, so it needs no
   * anchor, only to be able to carry a key. One that cannot is left out, not fatal. */
  if (cachet_options_get_encrypt_to_self (options))
    self = sender_certificate (options, from);
  if (self != NULL)
    {
      g_autoptr(GError) local = NULL;

      if (check_usable (self, now, &local))
        add_unique (chosen, self);
      else
        g_debug ("Not encrypting to the sender: %s", local->message);
    }

  return g_steal_pointer (&chosen);
}

/* Did the owner of CERTIFICATE announce CIPHER (SMIMECapabilities of their signed mail, as
 * the key store remembers them)? */
static gboolean
announced (CachetStore       *store,
           CachetCertificate *certificate,
           const char        *cipher)
{
  const char * const *addresses = cachet_certificate_get_addresses (certificate);

  for (guint i = 0; addresses && addresses[i]; i++)
    {
      const char * const *capabilities = cachet_store_get_capabilities (store, addresses[i]);

      if (capabilities && g_strv_contains (capabilities, cipher))
        return TRUE;
    }
  return FALSE;
}

static CachetCipher
choose_cipher (CachetOptions *options,
               GPtrArray     *recipients,
               const char    *from)
{
  CachetCipher cipher = cachet_options_get_cipher (options);
  CachetStore *store = cachet_options_get_store (options);
  gboolean all_256 = TRUE, all_128 = TRUE;

  if (cipher != CACHET_CIPHER_DEFAULT)
    return cipher;

  /* AES-GCM only when every recipient announced it; otherwise AES-256-CBC, which every
   * S/MIME client reads. The sender's own certificate is Cachet's: it reads GCM. */
  if (store == NULL)
    return CACHET_CIPHER_AES_256_CBC;

  for (guint i = 0; i < recipients->len; i++)
    {
      CachetCertificate *recipient = recipients->pdata[i];
      g_autoptr(CachetCertificate) self = sender_certificate (options, from);

      if (self != NULL && cachet_certificate_equal (self, recipient))
        continue;
      all_256 &= announced (store, recipient, "aes-256-gcm");
      all_128 &= announced (store, recipient, "aes-128-gcm") || announced (store, recipient, "aes-256-gcm");
    }

  if (all_256)
    return CACHET_CIPHER_AES_256_GCM;
  if (all_128)
    return CACHET_CIPHER_AES_128_GCM;
  return CACHET_CIPHER_AES_256_CBC;
}

static gboolean
cipher_is_gcm (CachetCipher cipher)
{
  return cipher == CACHET_CIPHER_AES_128_GCM || cipher == CACHET_CIPHER_AES_256_GCM;
}

/* Encryption */

/* The bytes to encrypt: ENTITY's Content-* headers and content, with CRLF line ends. */
static GMimeStream *
write_entity (GMimeObject  *entity,
              gint64       *length,
              GError      **error)
{
  g_autoptr(GMimeStream) stream = cachet_file_stream_new_temporary (error);
  g_autoptr(GMimeStream) filtered = NULL;
  g_autoptr(GMimeFilter) crlf = NULL;

  if (stream == NULL)
    return NULL;

  filtered = g_mime_stream_filter_new (stream);
  crlf = g_mime_filter_unix2dos_new (FALSE);
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), crlf);

  if (g_mime_object_write_to_stream (entity, NULL, filtered) < 0 ||
      g_mime_stream_flush (filtered) < 0)
    {
      io_failed (error);
      return NULL;
    }

  *length = g_mime_stream_tell (stream);
  if (*length < 0 || g_mime_stream_reset (stream) < 0)
    {
      io_failed (error);
      return NULL;
    }

  return g_steal_pointer (&stream);
}

/* A pipe between two threads, as a pair of GMimeStreams: encrypt_message's helper thread
 * writes the CMS into it while GMime, on the calling thread, reads it to write the message
 * (base64), so the CMS never goes to a temporary file and the AES work runs beside the base64
 * and the writing. Bounded: memory stays at PIPE_SIZE. */
#define PIPE_SIZE (1024 * 1024)

typedef struct {
  GMutex   lock;
  GCond    changed;
  guint8  *buffer;
  gsize    head;          /* where the reader takes from */
  gsize    fill;          /* bytes waiting */
  gboolean writer_done;   /* no more bytes will come */
  gboolean writer_failed; /* ...because the writer failed: the reader fails too */
  gboolean reader_gone;   /* the reader gave up: writes fail */
} Pipe;

static void
pipe_clear (gpointer data)
{
  Pipe *pipe = data;

  /* the CMS is ciphertext, but the buffer is wiped anyway like every buffer of this job */
  memset (pipe->buffer, 0, PIPE_SIZE);
  g_free (pipe->buffer);
  g_mutex_clear (&pipe->lock);
  g_cond_clear (&pipe->changed);
}

static Pipe *
pipe_new (void)
{
  Pipe *pipe = g_atomic_rc_box_new0 (Pipe);

  g_mutex_init (&pipe->lock);
  g_cond_init (&pipe->changed);
  pipe->buffer = g_malloc (PIPE_SIZE);
  return pipe;
}

static void
pipe_unref (Pipe *pipe)
{
  g_atomic_rc_box_release_full (pipe, pipe_clear);
}

static void
pipe_close (Pipe     *pipe,
            gboolean  writer,
            gboolean  failed)
{
  g_mutex_lock (&pipe->lock);
  if (writer)
    {
      pipe->writer_done = TRUE;
      pipe->writer_failed = failed;
    }
  else
    pipe->reader_gone = TRUE;
  g_cond_broadcast (&pipe->changed);
  g_mutex_unlock (&pipe->lock);
}

#define CACHET_TYPE_PIPE_STREAM (cachet_pipe_stream_get_type ())
G_DECLARE_FINAL_TYPE (CachetPipeStream, cachet_pipe_stream, CACHET, PIPE_STREAM, GMimeStream)

struct _CachetPipeStream
{
  GMimeStream parent_instance;
  Pipe       *pipe;
  gboolean    eos;
};

G_DEFINE_FINAL_TYPE (CachetPipeStream, cachet_pipe_stream, GMIME_TYPE_STREAM)

static ssize_t
cachet_pipe_stream_read (GMimeStream *stream,
                         char        *buffer,
                         size_t       length)
{
  CachetPipeStream *self = CACHET_PIPE_STREAM (stream);
  Pipe *pipe = self->pipe;
  size_t total = 0;

  g_mutex_lock (&pipe->lock);
  while (pipe->fill == 0 && !pipe->writer_done)
    g_cond_wait (&pipe->changed, &pipe->lock);
  if (pipe->fill == 0 && pipe->writer_failed)
    {
      g_mutex_unlock (&pipe->lock);
      errno = EIO;
      return -1;
    }
  while (total < length && pipe->fill > 0)
    {
      size_t n = MIN (length - total, MIN (pipe->fill, PIPE_SIZE - pipe->head));

      memcpy (buffer + total, pipe->buffer + pipe->head, n);
      pipe->head = (pipe->head + n) % PIPE_SIZE;
      pipe->fill -= n;
      total += n;
    }
  if (total == 0 && pipe->writer_done)
    self->eos = TRUE;
  g_cond_broadcast (&pipe->changed);
  g_mutex_unlock (&pipe->lock);
  stream->position += total;
  return total;
}

static ssize_t
cachet_pipe_stream_write (GMimeStream *stream,
                          const char  *buffer,
                          size_t       length)
{
  Pipe *pipe = CACHET_PIPE_STREAM (stream)->pipe;
  size_t total = 0;

  g_mutex_lock (&pipe->lock);
  while (total < length)
    {
      size_t tail, n;

      while (pipe->fill == PIPE_SIZE && !pipe->reader_gone)
        g_cond_wait (&pipe->changed, &pipe->lock);
      if (pipe->reader_gone)
        {
          g_mutex_unlock (&pipe->lock);
          errno = EPIPE;
          return -1;
        }
      tail = (pipe->head + pipe->fill) % PIPE_SIZE;
      n = MIN (length - total, MIN (PIPE_SIZE - pipe->fill, PIPE_SIZE - tail));
      memcpy (pipe->buffer + tail, buffer + total, n);
      pipe->fill += n;
      total += n;
      g_cond_broadcast (&pipe->changed);
    }
  g_mutex_unlock (&pipe->lock);
  stream->position += total;
  return total;
}

static int
cachet_pipe_stream_flush (GMimeStream *stream)
{
  return 0;
}

static int
cachet_pipe_stream_close (GMimeStream *stream)
{
  return 0;
}

static gboolean
cachet_pipe_stream_eos (GMimeStream *stream)
{
  return CACHET_PIPE_STREAM (stream)->eos;
}

static int
cachet_pipe_stream_reset (GMimeStream *stream)
{
  /* GMime resets a part's content before it writes it (at position 0: nothing to do) and once
   * more after; a pipe cannot go back, so only the first is honoured */
  if (stream->position == 0)
    return 0;
  /* errno untouched: after a failed write it still says why the output failed */
  return -1;
}

static gint64
cachet_pipe_stream_seek (GMimeStream    *stream,
                         gint64          offset,
                         GMimeSeekWhence whence)
{
  errno = ESPIPE;
  return -1;
}

static gint64
cachet_pipe_stream_tell (GMimeStream *stream)
{
  return stream->position;
}

static gint64
cachet_pipe_stream_length (GMimeStream *stream)
{
  errno = ESPIPE;
  return -1;
}

static GMimeStream *
cachet_pipe_stream_substream (GMimeStream *stream,
                              gint64       start,
                              gint64       end)
{
  return NULL;
}

static void
cachet_pipe_stream_finalize (GObject *object)
{
  CachetPipeStream *self = CACHET_PIPE_STREAM (object);

  g_clear_pointer (&self->pipe, pipe_unref);
  G_OBJECT_CLASS (cachet_pipe_stream_parent_class)->finalize (object);
}

static void
cachet_pipe_stream_class_init (CachetPipeStreamClass *klass)
{
  GMimeStreamClass *stream_class = GMIME_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = cachet_pipe_stream_finalize;
  stream_class->read = cachet_pipe_stream_read;
  stream_class->write = cachet_pipe_stream_write;
  stream_class->flush = cachet_pipe_stream_flush;
  stream_class->close = cachet_pipe_stream_close;
  stream_class->eos = cachet_pipe_stream_eos;
  stream_class->reset = cachet_pipe_stream_reset;
  stream_class->seek = cachet_pipe_stream_seek;
  stream_class->tell = cachet_pipe_stream_tell;
  stream_class->length = cachet_pipe_stream_length;
  stream_class->substream = cachet_pipe_stream_substream;
}

static void
cachet_pipe_stream_init (CachetPipeStream *self)
{
}

static GMimeStream *
pipe_stream_new (Pipe *pipe)
{
  CachetPipeStream *self = g_object_new (CACHET_TYPE_PIPE_STREAM, NULL);

  g_mime_stream_construct (GMIME_STREAM (self), 0, -1);
  self->pipe = g_atomic_rc_box_acquire (pipe);
  return GMIME_STREAM (self);
}

/* The helper thread of encrypt_message: PLAIN enciphered into the pipe. */
typedef struct {
  GMimeStream  *plain;
  gint64        length;
  GPtrArray    *recipients;
  CachetCipher  cipher;
  GMimeStream  *cms;        /* the pipe's writing end */
  Pipe         *pipe;
  GCancellable *cancellable;
  GError       *error;
  gboolean      ok;
} EncryptWork;

static gpointer
encrypt_work_thread (gpointer data)
{
  EncryptWork *work = data;

  work->ok = cachet_enveloped_data_encrypt (work->plain, work->length, work->recipients,
                                            work->cipher, work->cms, work->cancellable,
                                            &work->error);
  pipe_close (work->pipe, TRUE, !work->ok);
  return NULL;
}

static void
protect_binary (GMimeObject *parent,
                GMimeObject *part,
                gpointer     user_data)
{
  if (GMIME_IS_PART (part) &&
      g_mime_part_get_content_encoding (GMIME_PART (part)) == GMIME_CONTENT_ENCODING_BINARY)
    g_mime_part_set_content_encoding (GMIME_PART (part), GMIME_CONTENT_ENCODING_BASE64);
}

static gboolean
encrypt_message (CachetOptions  *options,
                 GMimeMessage   *message,
                 GPtrArray      *recipients,
                 CachetCipher    cipher,
                 GMimeStream    *output,
                 GCancellable   *cancellable,
                 GError        **error)
{
  g_autoptr(GMimeObject) entity = NULL;
  g_autoptr(GMimeStream) plain = NULL;
  g_autoptr(GMimeStream) cms = NULL;
  g_autoptr(GMimePart) part = NULL;
  g_autoptr(GMimeDataWrapper) wrapper = NULL;
  gint64 length = 0;
  EncryptWork work = { NULL };
  GThread *thread;
  Pipe *pipe;
  gboolean written, helper_failed;
  int saved_errno;

  entity = g_object_ref (g_mime_message_get_mime_part (message));
  if (cachet_options_get_sign (options))
    {
      GMimeObject *signed_entity = cachet_sign_object (options, entity, cancellable, error);

      if (signed_entity == NULL)
        return FALSE;
      g_set_object (&entity, signed_entity);
      g_object_unref (signed_entity);
    }
  else
    {
      /* The entity is written with CRLF line ends: content sent as raw binary would not
       * survive that, so such parts are given a transfer encoding first. */
      protect_binary (NULL, entity, NULL);
      if (GMIME_IS_MULTIPART (entity))
        g_mime_multipart_foreach (GMIME_MULTIPART (entity), protect_binary, NULL);
    }

  plain = write_entity (entity, &length, error);
  if (plain == NULL)
    return FALSE;

  /* the CMS is made by a helper thread and read by GMime as it writes the message */
  pipe = pipe_new ();
  cms = pipe_stream_new (pipe);
  work.cms = pipe_stream_new (pipe);
  work.plain = plain;
  work.length = length;
  work.recipients = recipients;
  work.cipher = cipher;
  work.pipe = pipe;
  work.cancellable = cancellable;
  thread = g_thread_new ("cachet-encrypt", encrypt_work_thread, &work);

  part = g_mime_part_new_with_type ("application", "pkcs7-mime");
  g_mime_object_set_content_type_parameter (GMIME_OBJECT (part), "smime-type",
                                            cipher_is_gcm (cipher) ? "authEnveloped-data"
                                                                   : "enveloped-data");
  g_mime_object_set_disposition (GMIME_OBJECT (part), "attachment");
  g_mime_part_set_filename (part, "smime.p7m");
  wrapper = g_mime_data_wrapper_new_with_stream (cms, GMIME_CONTENT_ENCODING_BINARY);
  g_mime_part_set_content (part, wrapper);
  g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);

  g_mime_message_set_mime_part (message, GMIME_OBJECT (part));
  written = g_mime_object_write_to_stream (GMIME_OBJECT (message), NULL, output) >= 0 &&
            g_mime_stream_flush (output) >= 0;
  saved_errno = errno;

  /* Did the helper fail on its own (then its error says why), or did the output fail and the
   * helper only stop because nobody reads any more? A helper still writing gives up now. */
  g_mutex_lock (&pipe->lock);
  helper_failed = pipe->writer_done && pipe->writer_failed;
  g_mutex_unlock (&pipe->lock);
  pipe_close (pipe, FALSE, FALSE);
  g_thread_join (thread);
  g_clear_object (&work.cms);
  pipe_unref (pipe);

  if (!work.ok && (helper_failed || written))
    {
      g_propagate_error (error, work.error);
      return FALSE;
    }
  g_clear_error (&work.error);
  if (!written || !work.ok)
    {
      errno = saved_errno;
      return io_failed (error);
    }

  return TRUE;
}

gboolean
cachet_encrypt_file (CachetOptions  *options,
                     const char     *input,
                     CachetOutput   *output,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_autoptr(GPtrArray) recipients = NULL;
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *from = NULL;
  g_autoptr(GError) detect_error = NULL;
  CachetInputKind kind;
  CachetCipher cipher;

  g_return_val_if_fail (CACHET_IS_OPTIONS (options), FALSE);
  g_return_val_if_fail (input != NULL, FALSE);
  g_return_val_if_fail (output != NULL, FALSE);

  kind = cachet_detect_input (input, &detect_error);
  if (detect_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&detect_error));
      return FALSE;
    }
  /* a message is parsed, then read again to encrypt it; a file to sign is read, then its
   * signed form is (counted as it is read) */
  stream = cachet_file_stream_open_input (input,
                                          kind == CACHET_INPUT_MESSAGE || cachet_options_get_sign (options) ? 2 : 1,
                                          options, error);
  if (stream == NULL)
    return FALSE;

  if (kind == CACHET_INPUT_MESSAGE)
    {
      message = parse_message (stream, error);
      if (message == NULL)
        return FALSE;
      from = from_address (message);
      cachet_file_stream_begin_pass (CACHET_FILE_STREAM (stream));
    }

  recipients = choose_recipients (options, from, error);
  if (recipients == NULL)
    return FALSE;
  cipher = choose_cipher (options, recipients, from);

  if (message != NULL)
    {
      if (!encrypt_message (options, message, recipients, cipher,
                            cachet_output_get_stream (output), cancellable, error))
        return FALSE;
    }
  else
    {
      gint64 length;

      if (cachet_options_get_sign (options))
        {
          /* Sign, then encrypt: what is encrypted is an opaque SignedData of the file, made in
           * a private temporary file. */
          g_autoptr(GMimeStream) signed_data = cachet_file_stream_new_temporary (error);

          if (signed_data == NULL ||
              !cachet_sign_stream (options, stream, signed_data, cancellable, error))
            return FALSE;
          if (g_mime_stream_flush (signed_data) < 0 || g_mime_stream_reset (signed_data) < 0)
            return io_failed (error);
          /* the second pass is over the signed form, which is a little longer */
          cachet_options_add_bytes_total (options, MAX (0, g_mime_stream_length (signed_data) -
                                                           g_mime_stream_length (stream)));
          cachet_file_stream_count_progress (CACHET_FILE_STREAM (signed_data), options);
          g_set_object (&stream, signed_data);
        }
      length = g_mime_stream_length (stream);
      if (!cachet_enveloped_data_encrypt (stream, length, recipients, cipher,
                                          cachet_output_get_stream (output), cancellable, error))
        return FALSE;
    }

  return cachet_output_commit (output, error);
}

/* Decryption */

static gboolean
is_pkcs7_mime (GMimeObject *object)
{
  GMimeContentType *type = g_mime_object_get_content_type (object);
  const char *smime_type;
  const char *name;

  if (!GMIME_IS_PART (object) || type == NULL)
    return FALSE;

  smime_type = g_mime_content_type_get_parameter (type, "smime-type");
  name = g_mime_part_get_filename (GMIME_PART (object));

  if (g_mime_content_type_is_type (type, "application", "pkcs7-mime") ||
      g_mime_content_type_is_type (type, "application", "x-pkcs7-mime"))
    {
      /* GMime does not know authEnveloped-data: read the parameter ourselves */
      if (smime_type == NULL)
        return TRUE;   /* decided by the content */
      return g_ascii_strcasecmp (smime_type, "enveloped-data") == 0 ||
             g_ascii_strcasecmp (smime_type, "authEnveloped-data") == 0;
    }

  /* some clients send application/octet-stream; name="smime.p7m" */
  return g_mime_content_type_is_type (type, "application", "octet-stream") &&
         name != NULL && g_str_has_suffix (name, ".p7m");
}

typedef struct {
  GMimeObject *found;
  guint        index;
  guint        found_index;
  guint        count;
} FindEncrypted;

static void
find_encrypted (GMimeObject *parent,
                GMimeObject *part,
                gpointer     user_data)
{
  FindEncrypted *find = user_data;

  find->index++;
  if (is_pkcs7_mime (part))
    {
      find->count++;
      if (find->found == NULL)
        {
          find->found = part;
          find->found_index = find->index;
        }
    }
}

/* The decoded content of PART as a stream read straight from the message (through a base64
 * decoder when it is encoded): no copy in a temporary file. It can be reset (for a second
 * try with the store's keys). */
/* RAW decoded from its transfer ENCODING, as a stream. */
static GMimeStream *
decoded_stream (GMimeStream          *raw,
                GMimeContentEncoding  encoding)
{
  GMimeStream *filtered = g_mime_stream_filter_new (raw);

  if (encoding == GMIME_CONTENT_ENCODING_BASE64 ||
      encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
      encoding == GMIME_CONTENT_ENCODING_UUENCODE)
    {
      g_autoptr(GMimeFilter) decoder = g_mime_filter_basic_new (encoding, FALSE);

      g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), decoder);
    }
  return filtered;
}

static GMimeStream *
decoded_content (GMimePart  *part,
                 GError    **error)
{
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  GMimeStream *raw;

  if (content == NULL || (raw = g_mime_data_wrapper_get_stream (content)) == NULL)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("The encrypted part of the message is empty."));
      return NULL;
    }

  if (g_mime_stream_reset (raw) < 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                   _("Reading the message failed: %s"), g_strerror (errno));
      return NULL;
    }
  return decoded_stream (raw, g_mime_data_wrapper_get_encoding (content));
}

/* A message encrypted whole is a header block and one encrypted body to the end of the file:
 * only the header block is parsed, and the CMS is read straight from the file after it (one
 * pass over a big message instead of two). NULL, without an error, for any other message. */
static GMimeMessage *
parse_whole_encrypted (GMimeStream  *input,
                       GMimeStream **cms,
                       GError      **error)
{
  g_autoptr(GMimeStream) headers = NULL;
  g_autoptr(GMimeStream) body = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  GMimeObject *root;
  gint64 start = input->bound_start;
  gint64 end;

  if (!_cachet_limits_check_header_block (input, &end, error) || end < 0)
    return NULL;
  headers = g_mime_stream_substream (input, start, start + end);
  parser = g_mime_parser_new_with_stream (headers);
  message = g_mime_parser_construct_message (parser, NULL);
  g_mime_stream_reset (input);
  if (message == NULL || (root = g_mime_message_get_mime_part (message)) == NULL ||
      !is_pkcs7_mime (root))
    return NULL;

  body = g_mime_stream_substream (input, start + end, input->bound_end);
  *cms = decoded_stream (body, g_mime_part_get_content_encoding (GMIME_PART (root)));
  return g_steal_pointer (&message);
}

/* Tries the keys given for the call first; then, only if none of them is a recipient, the
 * identities of the key store (which asks the keyring for their keys). The recipients are
 * read before any content, so a no-key answer leaves PLAIN untouched and CMS can be read
 * again from the start. */
static CachetEnvelopedInfo *
decrypt_stream (CachetOptions  *options,
                GMimeStream    *cms,
                GMimeStream    *plain,
                GCancellable   *cancellable,
                GError        **error)
{
  GPtrArray *given = cachet_options_get_credentials (options);
  CachetStore *store = cachet_options_get_store (options);
  g_autoptr(GPtrArray) known = certificate_pool (options);
  g_autoptr(GPtrArray) from_store = NULL;
  g_autoptr(GError) local = NULL;
  GPtrArray *recipients = cachet_options_get_recipients (options);
  CachetEnvelopedInfo *info;

  for (guint i = 0; recipients && i < recipients->len; i++)
    add_unique (known, recipients->pdata[i]);

  if (given != NULL && given->len > 0)
    {
      info = cachet_enveloped_data_decrypt (cms, given, known, plain, cancellable, &local);
      if (info != NULL)
        return info;
      if (store == NULL || !g_error_matches (local, CACHET_ERROR, CACHET_ERROR_NO_KEY))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      if (g_mime_stream_reset (cms) < 0)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
    }
  else if (store == NULL)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NO_KEY,
                   _("There is no key to decrypt with. Give one with --cert and --key, --p12, "
                     "or --as an identity of yours."));
      return NULL;
    }

  from_store = cachet_store_get_identity_credentials (store, cancellable, error);
  if (from_store == NULL)
    return NULL;
  for (guint i = 0; given && i < given->len; i++)
    g_ptr_array_add (from_store, g_object_ref (given->pdata[i]));

  return cachet_enveloped_data_decrypt (cms, from_store, known, plain, cancellable, error);
}

static void
note_unauthenticated (CachetVerdict       *verdict,
                      CachetEnvelopedInfo *info)
{
  if (info->authenticated)
    return;
  if (cachet_verdict_get_signed (verdict) && cachet_verdict_get_status (verdict) == CACHET_STATUS_GOOD)
    return;
  cachet_verdict_add_problem (verdict, CACHET_PROBLEM_UNAUTHENTICATED_ENCRYPTION, NULL);
}

static void
set_from (CachetVerdict *verdict,
          GMimeMessage  *message)
{
  g_autofree char *from = from_address (message);

  if (from != NULL)
    cachet_verdict_set_from (verdict, from);
}

static CachetVerdict *
decrypt_message (CachetOptions  *options,
                 GMimeStream    *input,
                 GMimeStream    *output,
                 GCancellable   *cancellable,
                 GError        **error)
{
  gint64 input_length = MAX (0, g_mime_stream_length (input));
  g_autoptr(GMimeStream) cms = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GMimeStream) plain = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeObject) entity = NULL;
  g_autoptr(CachetEnvelopedInfo) info = NULL;
  g_autoptr(CachetVerdict) verdict = NULL;
  GMimeObject *root, *encrypted;
  GMimeObject *shown;
  gboolean whole;
  guint part_index = 0;

  /* progress: the input, then the plaintext parsed and then written out, each counted as
   * long as the input until the plaintext's length is known */
  cachet_options_add_bytes_total (options, 2 * input_length);

  message = parse_whole_encrypted (input, &cms, error);
  if (message == NULL)
    {
      if (error != NULL && *error != NULL)
        return NULL;
      message = parse_message (input, error);
      if (message == NULL)
        return NULL;
    }

  root = g_mime_message_get_mime_part (message);
  whole = is_pkcs7_mime (root);
  encrypted = whole ? root : NULL;

  if (!whole)
    {
      FindEncrypted find = { 0 };

      g_mime_message_foreach (message, find_encrypted, &find);
      encrypted = find.found;
      part_index = find.found_index;
      if (encrypted == NULL)
        {
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                       _("This message is not encrypted: there is nothing to decrypt."));
          return NULL;
        }
    }

  if (cms == NULL && (cms = decoded_content (GMIME_PART (encrypted), error)) == NULL)
    return NULL;

  {
    guint8 head[32];
    gssize n = g_mime_stream_read (cms, (char *) head, sizeof head);

    if (n < 0 || g_mime_stream_reset (cms) < 0 || !cachet_enveloped_data_sniff (head, n))
      {
        g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                     _("The encrypted part of the message is damaged or not an S/MIME encrypted "
                       "message."));
        return NULL;
      }
  }

  plain = cachet_file_stream_new_temporary (error);
  if (plain == NULL)
    return NULL;
  info = decrypt_stream (options, cms, plain, cancellable, error);
  if (info == NULL)
    return NULL;

  /* The tag or padding held: the plaintext may be looked at now. */
  if (g_mime_stream_reset (plain) < 0)
    return io_failed (error), NULL;
  cachet_options_add_bytes_total (options, 2 * (MAX (0, g_mime_stream_length (plain)) - input_length));
  cachet_file_stream_count_progress (CACHET_FILE_STREAM (plain), options);
  parser = g_mime_parser_new_with_stream (plain);
  g_mime_parser_set_persist_stream (parser, TRUE);
  entity = g_mime_parser_construct_part (parser, NULL);
  if (entity == NULL)
    {
      /* Content without MIME headers (RFC 4134's examples, some old clients): a body part
       * without headers is text/plain (RFC 2045). */
      g_autoptr(GMimeDataWrapper) wrapper = NULL;
      GMimePart *part = g_mime_part_new_with_type ("text", "plain");

      if (g_mime_stream_reset (plain) < 0)
        return io_failed (error), NULL;
      wrapper = g_mime_data_wrapper_new_with_stream (plain, GMIME_CONTENT_ENCODING_DEFAULT);
      g_mime_part_set_content (part, wrapper);
      entity = GMIME_OBJECT (part);
    }

  verdict = cachet_verdict_new ();
  cachet_verdict_set_encrypted (verdict, TRUE);
  cachet_verdict_set_cipher (verdict, info->cipher);
  set_from (verdict, message);

  if (whole)
    {
      /* the message's own headers around the decrypted body */
      g_mime_message_set_mime_part (message, entity);
      shown = GMIME_OBJECT (message);
    }
  else
    {
      /* Never merged with the parts that were not encrypted: only the decrypted part is
       * released, and the verdict says it was only a part. */
      g_autofree char *detail = g_strdup_printf (_("part %u of the message"), part_index);
      shown = entity;
      cachet_verdict_add_problem (verdict, CACHET_PROBLEM_PARTIAL_ENCRYPTION, detail);
    }

  if (!cachet_verify_object (options, shown, verdict, cancellable, error))
    return NULL;
  note_unauthenticated (verdict, info);
  cachet_verdict_set_content (verdict, shown);

  /* as for verified mail: a good signer becomes a contact (so the reply can be encrypted), an
   * unsigned message from someone who usually signs is marked */
  if (cachet_options_get_store (options) != NULL)
    cachet_store_collect_from_verdict (cachet_options_get_store (options), verdict);

  if (output != NULL)
    {
      g_autoptr(GMimeStream) filtered = g_mime_stream_filter_new (output);
      g_autoptr(GMimeFilter) lf = g_mime_filter_dos2unix_new (FALSE);

      /* the decrypted entity has CRLF line ends; a message file on disk has LF */
      g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), lf);
      cachet_file_stream_begin_pass (CACHET_FILE_STREAM (plain));
      if (g_mime_object_write_to_stream (shown, NULL, filtered) < 0 ||
          g_mime_stream_flush (filtered) < 0)
        return io_failed (error), NULL;
    }

  return g_steal_pointer (&verdict);
}

/* A PEM-armoured CMS file ("-----BEGIN CMS-----", "PKCS7"): decoded to a temporary stream. */
static GMimeStream *
unarmour (GMimeStream  *stream,
          GError      **error)
{
  g_autoptr(GByteArray) text = g_byte_array_new ();
  g_autoptr(GMimeStream) out = NULL;
  g_autofree guchar *der = NULL;
  const char *begin, *body, *end;
  gsize der_size = 0;
  char buffer[4096];
  gssize n;

  while ((n = g_mime_stream_read (stream, buffer, sizeof buffer)) > 0)
    {
      if (text->len + n > 64 * 1024 * 1024)
        {
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_TOO_LARGE,
                       _("The PEM file is too large; convert it to DER (binary) first."));
          return NULL;
        }
      g_byte_array_append (text, (guint8 *) buffer, n);
    }
  g_byte_array_append (text, (guint8 *) "", 1);

  begin = strstr ((char *) text->data, "-----BEGIN ");
  body = begin ? strstr (begin, "-----\n") : NULL;
  if (body == NULL && begin)
    body = strstr (begin, "-----\r\n");
  end = body ? strstr (body + 5, "-----END ") : NULL;
  if (end == NULL)
    return NULL;
  body = strchr (body + 5, '\n') + 1;

  {
    g_autofree char *b64 = g_strndup (body, end - body);
    der = g_base64_decode (b64, &der_size);
  }
  if (!cachet_enveloped_data_sniff (der, der_size))
    return NULL;

  out = cachet_file_stream_new_temporary (error);
  if (out == NULL ||
      g_mime_stream_write (out, (char *) der, der_size) != (gssize) der_size ||
      g_mime_stream_reset (out) < 0)
    return NULL;

  return g_steal_pointer (&out);
}

/* A file that was signed, then encrypted, decrypts to an opaque SignedData: check that
 * signature into VERDICT and give the signed content as the output instead. PLAIN is what was
 * decrypted (OUTPUT's stream, or a scratch stream when OUTPUT is NULL). */
static gboolean
verify_inner_signature (CachetOptions  *options,
                        GMimeStream    *plain,
                        CachetOutput   *output,
                        CachetVerdict  *verdict,
                        GCancellable   *cancellable,
                        GError        **error)
{
  g_autoptr(GMimeStream) content = NULL;
  guint8 head[64];
  gssize n;

  if (g_mime_stream_flush (plain) < 0 || g_mime_stream_reset (plain) < 0 ||
      (n = g_mime_stream_read (plain, (char *) head, sizeof head)) < 0 ||
      g_mime_stream_reset (plain) < 0)
    return io_failed (error);
  if (!_cachet_signed_data_sniff (head, n, CACHET_OID_SIGNED_DATA))
    return TRUE;

  if (!cachet_verify_stream (options, plain, verdict, &content, cancellable, error))
    return FALSE;
  if (output == NULL)
    return TRUE;
  if (!cachet_output_restart (output, error))
    return FALSE;
  if (g_mime_stream_write_to_stream (content, cachet_output_get_stream (output)) < 0)
    return io_failed (error);
  return TRUE;
}

CachetVerdict *
cachet_decrypt_file (CachetOptions  *options,
                     const char     *input,
                     CachetOutput   *output,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeStream) scratch = NULL;
  g_autoptr(CachetVerdict) verdict = NULL;
  GMimeStream *out;
  guint8 head[64];
  gssize n;
  gboolean file;

  g_return_val_if_fail (CACHET_IS_OPTIONS (options), NULL);
  g_return_val_if_fail (input != NULL, NULL);

  stream = cachet_file_stream_open_input (input, 1, options, error);
  if (stream == NULL)
    return NULL;

  n = g_mime_stream_read (stream, (char *) head, sizeof head);
  if (n < 0 || g_mime_stream_reset (stream) < 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                   _("Cannot read the input: %s."), g_strerror (errno));
      return NULL;
    }

  if (output != NULL)
    {
      cachet_output_keep_private (output);
      out = cachet_output_get_stream (output);
    }
  else
    {
      scratch = cachet_file_stream_new_temporary (error);
      if (scratch == NULL)
        return NULL;
      out = scratch;
    }

  file = cachet_enveloped_data_sniff (head, n) || (n > 11 && memcmp (head, "-----BEGIN ", 11) == 0);
  if (file)
    {
      g_autoptr(GMimeStream) der = NULL;
      g_autoptr(CachetEnvelopedInfo) info = NULL;

      if (!cachet_enveloped_data_sniff (head, n))
        {
          der = unarmour (stream, error);
          if (der == NULL)
            {
              if (error && *error == NULL)
                g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                             _("The file is not an S/MIME encrypted message. Open a .p7m or "
                               ".eml file that is encrypted."));
              return NULL;
            }
        }

      info = decrypt_stream (options, der ? der : stream, out, cancellable, error);
      if (info == NULL)
        return NULL;

      verdict = cachet_verdict_new ();
      cachet_verdict_set_encrypted (verdict, TRUE);
      cachet_verdict_set_cipher (verdict, info->cipher);
      if (!verify_inner_signature (options, out, output, verdict, cancellable, error))
        return NULL;
      note_unauthenticated (verdict, info);
    }
  else
    {
      CachetInputKind kind = cachet_detect_input (input, error);

      if (kind != CACHET_INPUT_MESSAGE)
        {
          if (error && *error == NULL)
            g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                         _("The file is not an S/MIME encrypted message. Open a .p7m or .eml "
                           "file that is encrypted."));
          return NULL;
        }

      verdict = decrypt_message (options, stream, out, cancellable, error);
      if (verdict == NULL)
        return NULL;
    }

  /* A file's content whose inner signature fails is not released: that signature may be all
   * that protected it (CBC has no integrity check). */
  if (output != NULL && !(file && cachet_verdict_get_status (verdict) == CACHET_STATUS_BAD) &&
      !cachet_output_commit (output, error))
    return NULL;

  return g_steal_pointer (&verdict);
}

/* Async forms: the same work in a GTask thread. */

typedef struct {
  CachetOptions *options;
  char          *input;
  char          *output_path;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->options);
  g_free (job->input);
  g_free (job->output_path);
  g_free (job);
}

static Job *
job_new (CachetOptions *options,
         const char    *input,
         const char    *output_path)
{
  Job *job = g_new0 (Job, 1);

  job->options = g_object_ref (options);
  job->input = g_strdup (input);
  job->output_path = g_strdup (output_path);
  return job;
}

static void
encrypt_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(CachetOutput) output = NULL;
  GError *error = NULL;

  output = cachet_output_new (job->output_path, &error);
  if (output == NULL || !cachet_encrypt_file (job->options, job->input, output, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cachet_encrypt_file_async (CachetOptions       *options,
                           const char          *input,
                           const char          *output_path,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_return_if_fail (CACHET_IS_OPTIONS (options));
  g_return_if_fail (input != NULL && output_path != NULL);

  g_task_set_source_tag (task, cachet_encrypt_file_async);
  g_task_set_task_data (task, job_new (options, input, output_path), (GDestroyNotify) job_free);
  g_task_run_in_thread (task, encrypt_thread);
}

gboolean
cachet_encrypt_file_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
decrypt_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(CachetOutput) output = NULL;
  CachetVerdict *verdict;
  GError *error = NULL;

  if (job->output_path != NULL)
    {
      output = cachet_output_new (job->output_path, &error);
      if (output == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }

  verdict = cachet_decrypt_file (job->options, job->input, output, cancellable, &error);
  if (verdict == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, verdict, g_object_unref);
}

void
cachet_decrypt_file_async (CachetOptions       *options,
                           const char          *input,
                           const char          *output_path,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_return_if_fail (CACHET_IS_OPTIONS (options));
  g_return_if_fail (input != NULL);

  g_task_set_source_tag (task, cachet_decrypt_file_async);
  g_task_set_task_data (task, job_new (options, input, output_path), (GDestroyNotify) job_free);
  g_task_run_in_thread (task, decrypt_thread);
}

CachetVerdict *
cachet_decrypt_file_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
