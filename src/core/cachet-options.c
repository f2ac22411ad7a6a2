/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-options.c: per-call settings (see cachet-options.h).
 */
#include "config.h"

#include "cachet-options.h"

struct _CachetOptions
{
  GObject       parent_instance;

  CachetStore  *store;
  gboolean      system_trust;
  GPtrArray    *anchors;
  GPtrArray    *certificates;
  GDateTime    *check_time;
  gboolean      at_signing_time;
  gboolean      online_revocation;
  GPtrArray    *credentials;
  gboolean      opaque;
  char         *digest;
  CachetCipher  cipher;
  GPtrArray    *recipients;
  GPtrArray    *recipient_addresses;
  gboolean      encrypt_to_self;
  CachetCertificate *sender;
  gboolean      sign;
  gpointer      bytes_done;  /* byte counts kept in pointers, for GLib's atomics */
  gpointer      bytes_total;
};

G_DEFINE_FINAL_TYPE (CachetOptions, cachet_options, G_TYPE_OBJECT)

static const char * const cipher_names[] = {
  [CACHET_CIPHER_DEFAULT] = NULL,
  [CACHET_CIPHER_AES_256_GCM] = "aes-256-gcm",
  [CACHET_CIPHER_AES_128_GCM] = "aes-128-gcm",
  [CACHET_CIPHER_AES_256_CBC] = "aes-256-cbc",
  [CACHET_CIPHER_AES_128_CBC] = "aes-128-cbc",
};

const char *
cachet_cipher_to_string (CachetCipher cipher)
{
  g_return_val_if_fail (cipher < G_N_ELEMENTS (cipher_names), NULL);
  return cipher_names[cipher];
}

gboolean
cachet_cipher_from_string (const char   *name,
                           CachetCipher *cipher)
{
  for (guint i = 0; i < G_N_ELEMENTS (cipher_names); i++)
    if (cipher_names[i] && name && g_ascii_strcasecmp (name, cipher_names[i]) == 0)
      {
        *cipher = i;
        return TRUE;
      }
  return FALSE;
}

static void
cachet_options_dispose (GObject *object)
{
  CachetOptions *self = CACHET_OPTIONS (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->anchors, g_ptr_array_unref);
  g_clear_pointer (&self->certificates, g_ptr_array_unref);
  g_clear_pointer (&self->credentials, g_ptr_array_unref);
  g_clear_pointer (&self->recipients, g_ptr_array_unref);
  g_clear_object (&self->sender);

  G_OBJECT_CLASS (cachet_options_parent_class)->dispose (object);
}

static void
cachet_options_finalize (GObject *object)
{
  CachetOptions *self = CACHET_OPTIONS (object);

  g_clear_pointer (&self->check_time, g_date_time_unref);
  g_clear_pointer (&self->recipient_addresses, g_ptr_array_unref);
  g_free (self->digest);

  G_OBJECT_CLASS (cachet_options_parent_class)->finalize (object);
}

static void
cachet_options_class_init (CachetOptionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cachet_options_dispose;
  object_class->finalize = cachet_options_finalize;
}

static void
cachet_options_init (CachetOptions *self)
{
  self->system_trust = TRUE;
  self->encrypt_to_self = TRUE;
  self->digest = g_strdup ("sha256");
  self->anchors = g_ptr_array_new_with_free_func (g_object_unref);
  self->certificates = g_ptr_array_new_with_free_func (g_object_unref);
  self->credentials = g_ptr_array_new_with_free_func (g_object_unref);
  self->recipients = g_ptr_array_new_with_free_func (g_object_unref);
  self->recipient_addresses = g_ptr_array_new_with_free_func (g_free);
}

CachetOptions *
cachet_options_new (void)
{
  return g_object_new (CACHET_TYPE_OPTIONS, NULL);
}

CachetStore *
cachet_options_get_store (CachetOptions *self)
{
  return self->store;
}

void
cachet_options_set_store (CachetOptions *self,
                          CachetStore   *store)
{
  g_set_object (&self->store, store);
}

gboolean
cachet_options_get_system_trust (CachetOptions *self)
{
  return self->system_trust;
}

void
cachet_options_set_system_trust (CachetOptions *self,
                                 gboolean       use_system)
{
  self->system_trust = use_system;
}

GPtrArray *
cachet_options_get_anchors (CachetOptions *self)
{
  return self->anchors;
}

void
cachet_options_add_anchor (CachetOptions     *self,
                           CachetCertificate *anchor)
{
  g_ptr_array_add (self->anchors, g_object_ref (anchor));
}

GPtrArray *
cachet_options_get_certificates (CachetOptions *self)
{
  return self->certificates;
}

void
cachet_options_add_certificate (CachetOptions     *self,
                                CachetCertificate *certificate)
{
  g_ptr_array_add (self->certificates, g_object_ref (certificate));
}

GDateTime *
cachet_options_get_check_time (CachetOptions *self)
{
  return self->check_time;
}

void
cachet_options_set_check_time (CachetOptions *self,
                               GDateTime     *when)
{
  g_clear_pointer (&self->check_time, g_date_time_unref);
  if (when)
    self->check_time = g_date_time_ref (when);
}

gboolean
cachet_options_get_at_signing_time (CachetOptions *self)
{
  return self->at_signing_time;
}

void
cachet_options_set_at_signing_time (CachetOptions *self,
                                    gboolean       at_signing_time)
{
  self->at_signing_time = at_signing_time;
}

gboolean
cachet_options_get_online_revocation (CachetOptions *self)
{
  return self->online_revocation;
}

void
cachet_options_set_online_revocation (CachetOptions *self,
                                      gboolean       online)
{
  self->online_revocation = online;
}

GPtrArray *
cachet_options_get_credentials (CachetOptions *self)
{
  return self->credentials;
}

void
cachet_options_add_credentials (CachetOptions     *self,
                                CachetCredentials *credentials)
{
  g_ptr_array_add (self->credentials, g_object_ref (credentials));
}

gboolean
cachet_options_get_opaque (CachetOptions *self)
{
  return self->opaque;
}

void
cachet_options_set_opaque (CachetOptions *self,
                           gboolean       opaque)
{
  self->opaque = opaque;
}

const char *
cachet_options_get_digest (CachetOptions *self)
{
  return self->digest;
}

void
cachet_options_set_digest (CachetOptions *self,
                           const char    *digest)
{
  g_free (self->digest);
  self->digest = g_strdup (digest ? digest : "sha256");
}

CachetCipher
cachet_options_get_cipher (CachetOptions *self)
{
  return self->cipher;
}

void
cachet_options_set_cipher (CachetOptions *self,
                           CachetCipher   cipher)
{
  self->cipher = cipher;
}

GPtrArray *
cachet_options_get_recipients (CachetOptions *self)
{
  return self->recipients;
}

void
cachet_options_add_recipient (CachetOptions     *self,
                              CachetCertificate *recipient)
{
  g_ptr_array_add (self->recipients, g_object_ref (recipient));
}

GPtrArray *
cachet_options_get_recipient_addresses (CachetOptions *self)
{
  return self->recipient_addresses;
}

void
cachet_options_add_recipient_address (CachetOptions *self,
                                      const char    *address)
{
  g_ptr_array_add (self->recipient_addresses, g_strdup (address));
}

gboolean
cachet_options_get_encrypt_to_self (CachetOptions *self)
{
  return self->encrypt_to_self;
}

void
cachet_options_set_encrypt_to_self (CachetOptions *self,
                                    gboolean       to_self)
{
  self->encrypt_to_self = to_self;
}

CachetCertificate *
cachet_options_get_sender (CachetOptions *self)
{
  g_return_val_if_fail (CACHET_IS_OPTIONS (self), NULL);
  return self->sender;
}

void
cachet_options_set_sender (CachetOptions     *self,
                           CachetCertificate *sender)
{
  g_return_if_fail (CACHET_IS_OPTIONS (self));
  g_return_if_fail (sender == NULL || CACHET_IS_CERTIFICATE (sender));
  g_set_object (&self->sender, sender);
}

gboolean
cachet_options_get_sign (CachetOptions *self)
{
  return self->sign;
}

void
cachet_options_set_sign (CachetOptions *self,
                         gboolean       sign)
{
  self->sign = sign;
}

guint64
cachet_options_get_bytes_done (CachetOptions *self)
{
  g_return_val_if_fail (CACHET_IS_OPTIONS (self), 0);

  return (guint64) GPOINTER_TO_SIZE (g_atomic_pointer_get (&self->bytes_done));
}

void
cachet_options_add_bytes_done (CachetOptions *self,
                               gsize          bytes)
{
  g_return_if_fail (CACHET_IS_OPTIONS (self));

  g_atomic_pointer_add (&self->bytes_done, (gssize) bytes);
}

guint64
cachet_options_get_bytes_total (CachetOptions *self)
{
  g_return_val_if_fail (CACHET_IS_OPTIONS (self), 0);

  return (guint64) GPOINTER_TO_SIZE (g_atomic_pointer_get (&self->bytes_total));
}

void
cachet_options_add_bytes_total (CachetOptions *self,
                                gssize         bytes)
{
  g_return_if_fail (CACHET_IS_OPTIONS (self));

  g_atomic_pointer_add (&self->bytes_total, bytes);
}
