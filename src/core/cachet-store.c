/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-store.c: identities, contacts, trust anchors and habits, on disk and in the keyring.
 *
 * Layout of the data folder (all public data; keys are in the Secret Service):
 *   identities/KEYID.ini   state, name, address, key type, dates, the waiting request
 *   identities/KEYID.pem   certificate followed by its chain (installed identities)
 *   contacts/SHA256.pem    certificate followed by its chain
 *   contacts/SHA256.ini    origin, date added, whether a good signature vouched for it
 *   anchors/SHA256.pem     one trust anchor added by the user
 *   addresses.ini          per address: capabilities, "usually signs"
 * Every file is written whole (g_file_set_contents), so a crash never leaves half a record.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gnutls/x509.h>

#include "cachet-error.h"
#include "cachet-nss-roots.h"
#include "cachet-pkcs12.h"
#include "cachet-revocation.h"
#include "cachet-secret.h"
#include "cachet-file-stream.h"
#include "cachet-signing.h"
#include "cachet-store.h"

/* ------------------------------------------------------------------------------------------ */
/* CachetIdentity */

struct _CachetIdentity
{
  GObject             parent_instance;

  char               *key_id;
  CachetIdentityState state;
  CachetCertificate  *certificate;
  GPtrArray          *chain;
  char               *name;
  char               *email;
  char               *key_description;
  char               *request;
  GDateTime          *created;
  GDateTime          *installed;
  char               *warning;
};

G_DEFINE_FINAL_TYPE (CachetIdentity, cachet_identity, G_TYPE_OBJECT)

static void
cachet_identity_dispose (GObject *object)
{
  CachetIdentity *self = CACHET_IDENTITY (object);

  g_clear_object (&self->certificate);
  g_clear_pointer (&self->chain, g_ptr_array_unref);

  G_OBJECT_CLASS (cachet_identity_parent_class)->dispose (object);
}

static void
cachet_identity_finalize (GObject *object)
{
  CachetIdentity *self = CACHET_IDENTITY (object);

  g_free (self->key_id);
  g_free (self->name);
  g_free (self->email);
  g_free (self->key_description);
  g_free (self->request);
  g_free (self->warning);
  g_clear_pointer (&self->created, g_date_time_unref);
  g_clear_pointer (&self->installed, g_date_time_unref);

  G_OBJECT_CLASS (cachet_identity_parent_class)->finalize (object);
}

static void
cachet_identity_class_init (CachetIdentityClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cachet_identity_dispose;
  G_OBJECT_CLASS (klass)->finalize = cachet_identity_finalize;
}

static void
cachet_identity_init (CachetIdentity *self)
{
  self->chain = g_ptr_array_new_with_free_func (g_object_unref);
}

const char *
cachet_identity_state_to_string (CachetIdentityState state)
{
  switch (state)
    {
    case CACHET_IDENTITY_WAITING: return "waiting";
    case CACHET_IDENTITY_CURRENT: return "current";
    case CACHET_IDENTITY_REPLACED: return "replaced";
    default: return NULL;
    }
}

const char *
cachet_identity_get_key_id (CachetIdentity *self)
{
  g_return_val_if_fail (CACHET_IS_IDENTITY (self), NULL);
  return self->key_id;
}

CachetIdentityState
cachet_identity_get_state (CachetIdentity *self)
{
  g_return_val_if_fail (CACHET_IS_IDENTITY (self), CACHET_IDENTITY_WAITING);
  return self->state;
}

CachetCertificate *
cachet_identity_get_certificate (CachetIdentity *self)
{
  g_return_val_if_fail (CACHET_IS_IDENTITY (self), NULL);
  return self->certificate;
}

GPtrArray *
cachet_identity_get_chain (CachetIdentity *self)
{
  g_return_val_if_fail (CACHET_IS_IDENTITY (self), NULL);
  return self->chain;
}

const char *
cachet_identity_get_name (CachetIdentity *self)
{
  g_return_val_if_fail (CACHET_IS_IDENTITY (self), NULL);
  if (self->certificate != NULL)
    return cachet_certificate_get_name (self->certificate);
  return self->name;
}

const char *
cachet_identity_get_email (CachetIdentity *self)
{
  g_return_val_if_fail (CACHET_IS_IDENTITY (self), NULL);
  if (self->certificate != NULL)
    {
      const char * const *addresses = cachet_certificate_get_addresses (self->certificate);
      if (addresses != NULL && addresses[0] != NULL)
        return addresses[0];
    }
  return self->email;
}

const char *
cachet_identity_get_key_description (CachetIdentity *self)
{
  g_return_val_if_fail (CACHET_IS_IDENTITY (self), NULL);
  return self->key_description;
}

const char *
cachet_identity_get_request (CachetIdentity *self)
{
  g_return_val_if_fail (CACHET_IS_IDENTITY (self), NULL);
  return self->state == CACHET_IDENTITY_WAITING ? self->request : NULL;
}

GDateTime *
cachet_identity_get_created (CachetIdentity *self)
{
  g_return_val_if_fail (CACHET_IS_IDENTITY (self), NULL);
  return self->created;
}

int
cachet_identity_get_days_left (CachetIdentity *self)
{
  g_return_val_if_fail (CACHET_IS_IDENTITY (self), 0);
  if (self->certificate == NULL)
    return 0;
  return cachet_certificate_get_days_left (self->certificate, NULL);
}

gboolean
cachet_identity_can_encrypt (CachetIdentity *self)
{
  guint bits;

  g_return_val_if_fail (CACHET_IS_IDENTITY (self), FALSE);
  if (self->certificate == NULL)
    return FALSE;
  return cachet_certificate_get_key_algorithm (self->certificate, &bits) == GNUTLS_PK_RSA &&
         (cachet_certificate_get_key_usage (self->certificate) & CACHET_KEY_USAGE_ENCRYPT) != 0;
}

const char *
cachet_identity_get_warning (CachetIdentity *self)
{
  g_return_val_if_fail (CACHET_IS_IDENTITY (self), NULL);
  return self->warning;
}

static void
identity_update_warning (CachetIdentity *self)
{
  g_clear_pointer (&self->warning, g_free);

  if (self->certificate == NULL)
    {
      if (self->key_description != NULL && g_str_has_prefix (self->key_description, "ECDSA"))
        self->warning = g_strdup (_("This identity can sign but cannot receive encrypted mail here: its key is an ECDSA key."));
      return;
    }

  if (!cachet_certificate_is_valid_at (self->certificate, NULL))
    {
      g_autoptr(GDateTime) not_after = cachet_certificate_get_not_after (self->certificate);
      g_autoptr(GDateTime) not_before = cachet_certificate_get_not_before (self->certificate);
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      if (g_date_time_compare (now, not_before) < 0)
        {
          g_autofree char *date = g_date_time_format (not_before, "%Y-%m-%d");
          self->warning = g_strdup_printf (_("This certificate is not valid before %s: it cannot sign until then."), date);
        }
      else
        {
          g_autofree char *date = g_date_time_format (not_after, "%Y-%m-%d");
          self->warning = g_strdup_printf (_("This certificate expired on %s: it can still decrypt and check old mail, but it cannot sign. Ask your CA for a new one."), date);
        }
    }
  else if (!cachet_certificate_allows_email (self->certificate))
    self->warning = g_strdup (_("This certificate is not meant for email (its extended key usage lacks email protection): mail programs will reject its signatures."));
  else if (!cachet_identity_can_encrypt (self))
    self->warning = g_strdup (_("This identity can sign but cannot receive encrypted mail here: its key or certificate is for signing only."));
}

/* ------------------------------------------------------------------------------------------ */
/* CachetContact */

struct _CachetContact
{
  GObject              parent_instance;

  CachetCertificate   *certificate;
  GPtrArray           *chain;
  CachetContactOrigin  origin;
  GDateTime           *added;
  gboolean             vouched;   /* a good signature came with it */
  gboolean             trusted;
};

G_DEFINE_FINAL_TYPE (CachetContact, cachet_contact, G_TYPE_OBJECT)

static void
cachet_contact_dispose (GObject *object)
{
  CachetContact *self = CACHET_CONTACT (object);

  g_clear_object (&self->certificate);
  g_clear_pointer (&self->chain, g_ptr_array_unref);

  G_OBJECT_CLASS (cachet_contact_parent_class)->dispose (object);
}

static void
cachet_contact_finalize (GObject *object)
{
  CachetContact *self = CACHET_CONTACT (object);

  g_clear_pointer (&self->added, g_date_time_unref);

  G_OBJECT_CLASS (cachet_contact_parent_class)->finalize (object);
}

static void
cachet_contact_class_init (CachetContactClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cachet_contact_dispose;
  G_OBJECT_CLASS (klass)->finalize = cachet_contact_finalize;
}

static void
cachet_contact_init (CachetContact *self)
{
  self->chain = g_ptr_array_new_with_free_func (g_object_unref);
}

const char *
cachet_contact_origin_to_string (CachetContactOrigin origin)
{
  return origin == CACHET_CONTACT_COLLECTED ? "collected" : "imported";
}

CachetCertificate *
cachet_contact_get_certificate (CachetContact *self)
{
  g_return_val_if_fail (CACHET_IS_CONTACT (self), NULL);
  return self->certificate;
}

GPtrArray *
cachet_contact_get_chain (CachetContact *self)
{
  g_return_val_if_fail (CACHET_IS_CONTACT (self), NULL);
  return self->chain;
}

CachetContactOrigin
cachet_contact_get_origin (CachetContact *self)
{
  g_return_val_if_fail (CACHET_IS_CONTACT (self), CACHET_CONTACT_IMPORTED);
  return self->origin;
}

const char *
cachet_contact_describe_origin (CachetContact *self)
{
  g_return_val_if_fail (CACHET_IS_CONTACT (self), NULL);
  return self->origin == CACHET_CONTACT_COLLECTED ? _("collected from a signed message")
                                                  : _("imported");
}

GDateTime *
cachet_contact_get_added (CachetContact *self)
{
  g_return_val_if_fail (CACHET_IS_CONTACT (self), NULL);
  return self->added;
}

gboolean
cachet_contact_get_trusted (CachetContact *self)
{
  g_return_val_if_fail (CACHET_IS_CONTACT (self), FALSE);
  return self->trusted;
}

/* ------------------------------------------------------------------------------------------ */
/* CachetStore */

struct _CachetStore
{
  GObject       parent_instance;

  GRecMutex     lock;          /* guards everything below but the models */
  char         *data_dir;
  GMainContext *context;       /* where the models live */

  GPtrArray    *identities;    /* CachetIdentity */
  GPtrArray    *contacts;      /* CachetContact */
  GPtrArray    *anchors;       /* CachetCertificate */
  GKeyFile     *addresses;     /* per-address habits */
  char         *addresses_saved; /* addresses.ini as last read or written: unchanged, not rewritten */
  GHashTable   *capabilities;  /* address -> GStrv; kept until the store goes (borrowed out) */
  GPtrArray    *old_capabilities;

  /* Trust lists, built when first needed. */
  gboolean      trust_loaded;
  gnutls_x509_trust_list_t user_trust;
  gnutls_x509_trust_list_t mozilla_trust;
  gnutls_x509_trust_list_t system_trust;
  GPtrArray    *mozilla_roots;

  GListStore   *identity_model;
  GListStore   *contact_model;
  GListStore   *anchor_model;
  gboolean      sync_pending;
};

G_DEFINE_FINAL_TYPE (CachetStore, cachet_store, G_TYPE_OBJECT)

static void
trust_list_free (gnutls_x509_trust_list_t list)
{
  gnutls_x509_trust_list_deinit (list, 1);
}

static gpointer
copy_object (gconstpointer object,
             gpointer      user_data)
{
  return g_object_ref ((gpointer) object);
}

static void
clear_trust (CachetStore *self)
{
  g_clear_pointer (&self->user_trust, trust_list_free);
  g_clear_pointer (&self->mozilla_trust, trust_list_free);
  g_clear_pointer (&self->system_trust, trust_list_free);
  self->trust_loaded = FALSE;
}

static void
cachet_store_dispose (GObject *object)
{
  CachetStore *self = CACHET_STORE (object);

  g_clear_pointer (&self->identities, g_ptr_array_unref);
  g_clear_pointer (&self->contacts, g_ptr_array_unref);
  g_clear_pointer (&self->anchors, g_ptr_array_unref);
  g_clear_pointer (&self->mozilla_roots, g_ptr_array_unref);
  g_clear_object (&self->identity_model);
  g_clear_object (&self->contact_model);
  g_clear_object (&self->anchor_model);

  G_OBJECT_CLASS (cachet_store_parent_class)->dispose (object);
}

static void
cachet_store_finalize (GObject *object)
{
  CachetStore *self = CACHET_STORE (object);

  clear_trust (self);
  g_clear_pointer (&self->addresses, g_key_file_unref);
  g_clear_pointer (&self->addresses_saved, g_free);
  g_clear_pointer (&self->capabilities, g_hash_table_unref);
  g_clear_pointer (&self->old_capabilities, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->data_dir);
  g_rec_mutex_clear (&self->lock);

  G_OBJECT_CLASS (cachet_store_parent_class)->finalize (object);
}

static void
cachet_store_class_init (CachetStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cachet_store_dispose;
  G_OBJECT_CLASS (klass)->finalize = cachet_store_finalize;
}

static void
cachet_store_init (CachetStore *self)
{
  g_rec_mutex_init (&self->lock);
  self->identities = g_ptr_array_new_with_free_func (g_object_unref);
  self->contacts = g_ptr_array_new_with_free_func (g_object_unref);
  self->anchors = g_ptr_array_new_with_free_func (g_object_unref);
  self->addresses = g_key_file_new ();
  self->capabilities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);
  self->old_capabilities = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  self->identity_model = g_list_store_new (CACHET_TYPE_IDENTITY);
  self->contact_model = g_list_store_new (CACHET_TYPE_CONTACT);
  self->anchor_model = g_list_store_new (CACHET_TYPE_CERTIFICATE);
}

#define STORE_LOCKER(self) g_autoptr(GRecMutexLocker) G_PASTE (locker, __LINE__) = g_rec_mutex_locker_new (&(self)->lock)

/* ---- small helpers ---- */

static char *
store_path (CachetStore *self,
            const char  *folder,
            const char  *name,
            const char  *extension)
{
  g_autofree char *file = g_strconcat (name, extension, NULL);
  return g_build_filename (self->data_dir, folder, file, NULL);
}

static gboolean
write_file (const char  *path,
            const char  *contents,
            gssize       length,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *folder = g_path_get_dirname (path);

  if (g_mkdir_with_parents (folder, 0700) != 0 ||
      !g_file_set_contents (path, contents, length, &local_error))
    {
      g_autofree char *display = g_filename_display_name (path);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                   _("Could not write “%s” (%s). Check that the folder is writable and the disk is not full."),
                   display, local_error != NULL ? local_error->message : g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static char *
date_to_string (GDateTime *date)
{
  return date != NULL ? g_date_time_format_iso8601 (date) : NULL;
}

static GDateTime *
date_from_string (const char *text)
{
  if (text == NULL)
    return NULL;
  return g_date_time_new_from_iso8601 (text, NULL);
}

static char *
certificates_to_pem (CachetCertificate *first,
                     GPtrArray         *more)
{
  GString *pem = g_string_new (NULL);

  if (first != NULL)
    {
      g_autofree char *text = cachet_certificate_to_pem (first);
      g_string_append (pem, text);
    }
  for (guint i = 0; more != NULL && i < more->len; i++)
    {
      g_autofree char *text = cachet_certificate_to_pem (g_ptr_array_index (more, i));
      g_string_append (pem, text);
    }
  return g_string_free (pem, FALSE);
}

static char *
normalise_hex (const char *spec)
{
  GString *hex = g_string_new (NULL);

  for (const char *p = spec; *p != '\0'; p++)
    {
      if (*p == ':' || *p == ' ')
        continue;
      if (!g_ascii_isxdigit (*p))
        {
          g_string_free (hex, TRUE);
          return NULL;
        }
      g_string_append_c (hex, g_ascii_tolower (*p));
    }
  return g_string_free (hex, FALSE);
}

/* FINGERPRINT (full or 8+ leading hex digits) matches CERTIFICATE? */
static gboolean
fingerprint_matches (CachetCertificate *certificate,
                     const char        *hex)
{
  const char *fingerprint;

  if (certificate == NULL || hex == NULL || strlen (hex) < 8)
    return FALSE;
  fingerprint = cachet_certificate_get_fingerprint (certificate);
  return g_str_has_prefix (fingerprint, hex);
}

static char *
key_id_for_certificate (CachetCertificate *certificate)
{
  gnutls_pubkey_t pubkey = cachet_certificate_get_public_key (certificate, NULL);
  char *id;

  if (pubkey == NULL)
    return NULL;
  id = cachet_secret_key_id_for_pubkey (pubkey);
  gnutls_pubkey_deinit (pubkey);
  return id;
}

/* Splits CERTIFICATES into the end-entity ones and the CA ones (not self-signed). */
static void
split_certificates (GPtrArray  *certificates,
                    GPtrArray **leaves,
                    GPtrArray **intermediates,
                    GPtrArray **roots)
{
  *leaves = g_ptr_array_new_with_free_func (g_object_unref);
  *intermediates = g_ptr_array_new_with_free_func (g_object_unref);
  if (roots != NULL)
    *roots = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < certificates->len; i++)
    {
      CachetCertificate *certificate = g_ptr_array_index (certificates, i);

      if (!cachet_certificate_is_ca (certificate))
        g_ptr_array_add (*leaves, g_object_ref (certificate));
      else if (!cachet_certificate_is_self_signed (certificate))
        g_ptr_array_add (*intermediates, g_object_ref (certificate));
      else if (roots != NULL)
        g_ptr_array_add (*roots, g_object_ref (certificate));
    }
}

/* ---- models ---- */

static int
identity_rank (CachetIdentity *identity)
{
  switch (identity->state)
    {
    case CACHET_IDENTITY_CURRENT: return 0;
    case CACHET_IDENTITY_WAITING: return 1;
    case CACHET_IDENTITY_REPLACED:
    default: return 2;
    }
}

static int
compare_identities (gconstpointer a,
                    gconstpointer b)
{
  CachetIdentity *x = *(CachetIdentity **) a;
  CachetIdentity *y = *(CachetIdentity **) b;
  int rank = identity_rank (x) - identity_rank (y);

  if (rank != 0)
    return rank;
  if (x->created != NULL && y->created != NULL)
    return -g_date_time_compare (x->created, y->created);
  return 0;
}

static int
compare_contacts (gconstpointer a,
                  gconstpointer b)
{
  CachetContact *x = *(CachetContact **) a;
  CachetContact *y = *(CachetContact **) b;

  return g_utf8_collate (cachet_certificate_get_name (x->certificate),
                         cachet_certificate_get_name (y->certificate));
}

static void
replace_model (GListStore *model,
               GPtrArray  *items)
{
  g_list_store_splice (model, 0, g_list_model_get_n_items (G_LIST_MODEL (model)),
                       items->pdata, items->len);
}

static gboolean
sync_models_cb (gpointer user_data)
{
  CachetStore *self = user_data;
  g_autoptr(GPtrArray) identities = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GPtrArray) anchors = NULL;

  {
    STORE_LOCKER (self);

    self->sync_pending = FALSE;
    if (self->identities == NULL)
      return G_SOURCE_REMOVE;
    identities = g_ptr_array_copy (self->identities, copy_object, NULL);
    g_ptr_array_set_free_func (identities, g_object_unref);
    contacts = g_ptr_array_copy (self->contacts, copy_object, NULL);
    g_ptr_array_set_free_func (contacts, g_object_unref);
    anchors = g_ptr_array_copy (self->anchors, copy_object, NULL);
    g_ptr_array_set_free_func (anchors, g_object_unref);
  }

  g_ptr_array_sort (identities, compare_identities);
  g_ptr_array_sort (contacts, compare_contacts);
  replace_model (self->identity_model, identities);
  replace_model (self->contact_model, contacts);
  replace_model (self->anchor_model, anchors);
  return G_SOURCE_REMOVE;
}

/* Models change only in the store's main context (directly when we are in it). */
static void
schedule_sync (CachetStore *self)
{
  STORE_LOCKER (self);

  if (self->sync_pending)
    return;
  self->sync_pending = TRUE;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, sync_models_cb,
                              g_object_ref (self), g_object_unref);
}

/* ---- identities: states ---- */

static gboolean
identities_share_address (CachetIdentity *a,
                          CachetIdentity *b)
{
  const char * const *addresses = cachet_certificate_get_addresses (a->certificate);

  for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++)
    if (cachet_certificate_has_address (b->certificate, addresses[i]))
      return TRUE;
  return FALSE;
}

/* Newer = later notBefore; on a tie, installed later. */
static gboolean
identity_is_newer (CachetIdentity *a,
                   CachetIdentity *b)
{
  g_autoptr(GDateTime) a_start = cachet_certificate_get_not_before (a->certificate);
  g_autoptr(GDateTime) b_start = cachet_certificate_get_not_before (b->certificate);
  int order = g_date_time_compare (a_start, b_start);

  if (order != 0)
    return order > 0;
  if (a->installed != NULL && b->installed != NULL)
    return g_date_time_compare (a->installed, b->installed) > 0;
  return FALSE;
}

static void
update_identity_states (CachetStore *self)
{
  for (guint i = 0; i < self->identities->len; i++)
    {
      CachetIdentity *identity = g_ptr_array_index (self->identities, i);
      gboolean replaced = FALSE;

      if (identity->certificate == NULL)
        {
          identity->state = CACHET_IDENTITY_WAITING;
          identity_update_warning (identity);
          continue;
        }
      for (guint j = 0; j < self->identities->len && !replaced; j++)
        {
          CachetIdentity *other = g_ptr_array_index (self->identities, j);

          if (other == identity || other->certificate == NULL)
            continue;
          replaced = identities_share_address (identity, other) && identity_is_newer (other, identity);
        }
      identity->state = replaced ? CACHET_IDENTITY_REPLACED : CACHET_IDENTITY_CURRENT;
      identity_update_warning (identity);
    }
}

/* ---- identities: files ---- */

static gboolean
save_identity (CachetStore     *self,
               CachetIdentity  *identity,
               GError         **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *ini_path = store_path (self, "identities", identity->key_id, ".ini");
  g_autofree char *pem_path = store_path (self, "identities", identity->key_id, ".pem");
  g_autofree char *created = date_to_string (identity->created);
  g_autofree char *installed = date_to_string (identity->installed);
  g_autofree char *data = NULL;
  gsize length;

  g_key_file_set_string (file, "identity", "key-id", identity->key_id);
  if (identity->name != NULL)
    g_key_file_set_string (file, "identity", "name", identity->name);
  if (identity->email != NULL)
    g_key_file_set_string (file, "identity", "email", identity->email);
  if (identity->key_description != NULL)
    g_key_file_set_string (file, "identity", "key", identity->key_description);
  if (created != NULL)
    g_key_file_set_string (file, "identity", "created", created);
  if (installed != NULL)
    g_key_file_set_string (file, "identity", "installed", installed);
  if (identity->request != NULL && identity->certificate == NULL)
    g_key_file_set_string (file, "identity", "request", identity->request);

  /* The certificate first: an .ini without its .pem reads as "waiting", never the reverse. */
  if (identity->certificate != NULL)
    {
      g_autofree char *pem = certificates_to_pem (identity->certificate, identity->chain);
      if (!write_file (pem_path, pem, -1, error))
        return FALSE;
    }

  data = g_key_file_to_data (file, &length, NULL);
  return write_file (ini_path, data, length, error);
}

static CachetIdentity *
load_identity (CachetStore *self,
               const char  *ini_path)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(CachetIdentity) identity = NULL;
  g_autofree char *pem_path = NULL;
  g_autofree char *created = NULL;
  g_autofree char *installed = NULL;

  if (!g_key_file_load_from_file (file, ini_path, G_KEY_FILE_NONE, NULL))
    return NULL;

  identity = g_object_new (CACHET_TYPE_IDENTITY, NULL);
  identity->key_id = g_key_file_get_string (file, "identity", "key-id", NULL);
  if (identity->key_id == NULL)
    return NULL;
  identity->name = g_key_file_get_string (file, "identity", "name", NULL);
  identity->email = g_key_file_get_string (file, "identity", "email", NULL);
  identity->key_description = g_key_file_get_string (file, "identity", "key", NULL);
  identity->request = g_key_file_get_string (file, "identity", "request", NULL);
  created = g_key_file_get_string (file, "identity", "created", NULL);
  installed = g_key_file_get_string (file, "identity", "installed", NULL);
  identity->created = date_from_string (created);
  identity->installed = date_from_string (installed);

  pem_path = store_path (self, "identities", identity->key_id, ".pem");
  if (g_file_test (pem_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GPtrArray) certificates = cachet_certificate_list_from_file (pem_path, NULL);

      if (certificates == NULL || certificates->len == 0)
        {
          g_warning ("Identity file %s is damaged; skipping it", pem_path);
          return NULL;
        }
      identity->certificate = g_object_ref (g_ptr_array_index (certificates, 0));
      for (guint i = 1; i < certificates->len; i++)
        g_ptr_array_add (identity->chain, g_object_ref (g_ptr_array_index (certificates, i)));
      if (identity->key_description == NULL)
        identity->key_description = cachet_certificate_describe_key (identity->certificate);
    }
  return g_steal_pointer (&identity);
}

/* ---- contacts: files ---- */

static gboolean
save_contact (CachetStore    *self,
              CachetContact  *contact,
              GError        **error)
{
  const char *fingerprint = cachet_certificate_get_fingerprint (contact->certificate);
  g_autofree char *pem_path = store_path (self, "contacts", fingerprint, ".pem");
  g_autofree char *ini_path = store_path (self, "contacts", fingerprint, ".ini");
  g_autofree char *pem = certificates_to_pem (contact->certificate, contact->chain);
  g_autofree char *added = date_to_string (contact->added);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *data = NULL;
  gsize length;

  g_key_file_set_string (file, "contact", "origin", cachet_contact_origin_to_string (contact->origin));
  if (added != NULL)
    g_key_file_set_string (file, "contact", "added", added);
  g_key_file_set_boolean (file, "contact", "vouched", contact->vouched);
  data = g_key_file_to_data (file, &length, NULL);

  return write_file (pem_path, pem, -1, error) && write_file (ini_path, data, length, error);
}

static CachetContact *
load_contact (const char *pem_path)
{
  g_autoptr(GPtrArray) certificates = cachet_certificate_list_from_file (pem_path, NULL);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(CachetContact) contact = NULL;
  g_autofree char *base = NULL;
  g_autofree char *ini_path = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *added = NULL;

  if (certificates == NULL || certificates->len == 0)
    {
      g_warning ("Contact file %s is damaged; skipping it", pem_path);
      return NULL;
    }

  contact = g_object_new (CACHET_TYPE_CONTACT, NULL);
  contact->certificate = g_object_ref (g_ptr_array_index (certificates, 0));
  for (guint i = 1; i < certificates->len; i++)
    g_ptr_array_add (contact->chain, g_object_ref (g_ptr_array_index (certificates, i)));

  base = g_strndup (pem_path, strlen (pem_path) - strlen (".pem"));
  ini_path = g_strconcat (base, ".ini", NULL);
  if (g_key_file_load_from_file (file, ini_path, G_KEY_FILE_NONE, NULL))
    {
      origin = g_key_file_get_string (file, "contact", "origin", NULL);
      added = g_key_file_get_string (file, "contact", "added", NULL);
      contact->vouched = g_key_file_get_boolean (file, "contact", "vouched", NULL);
    }
  contact->origin = g_strcmp0 (origin, "collected") == 0 ? CACHET_CONTACT_COLLECTED : CACHET_CONTACT_IMPORTED;
  contact->added = date_from_string (added);
  return g_steal_pointer (&contact);
}

/* ---- trust ---- */

static gnutls_x509_trust_list_t
trust_list_from (GPtrArray *certificates)
{
  gnutls_x509_trust_list_t list;
  gnutls_x509_crt_t *copies;
  guint n = 0;

  if (gnutls_x509_trust_list_init (&list, 0) < 0)
    return NULL;
  copies = g_new0 (gnutls_x509_crt_t, certificates->len + 1);
  for (guint i = 0; i < certificates->len; i++)
    {
      GBytes *der = cachet_certificate_get_der (g_ptr_array_index (certificates, i));  /* borrowed */
      gnutls_datum_t datum;
      gsize size;

      datum.data = (unsigned char *) g_bytes_get_data (der, &size);
      datum.size = size;
      if (gnutls_x509_crt_init (&copies[n]) < 0)
        continue;
      if (gnutls_x509_crt_import (copies[n], &datum, GNUTLS_X509_FMT_DER) < 0)
        {
          gnutls_x509_crt_deinit (copies[n]);
          continue;
        }
      n++;
    }
  /* The list takes the certificates (not the array). */
  if (n > 0)
    gnutls_x509_trust_list_add_cas (list, copies, n, 0);
  g_free (copies);
  return list;
}

static void
ensure_trust (CachetStore *self)
{
  g_autoptr(GError) error = NULL;

  if (self->trust_loaded)
    return;

  self->user_trust = trust_list_from (self->anchors);

  if (self->mozilla_roots == NULL)
    self->mozilla_roots = cachet_nss_email_roots_load (&error);
  if (self->mozilla_roots == NULL)
    {
      g_debug ("No Mozilla email roots: %s", error->message);
      self->mozilla_roots = g_ptr_array_new_with_free_func (g_object_unref);
    }
  self->mozilla_trust = trust_list_from (self->mozilla_roots);

  if (gnutls_x509_trust_list_init (&self->system_trust, 0) >= 0)
    gnutls_x509_trust_list_add_system_trust (self->system_trust, 0, 0);

  self->trust_loaded = TRUE;
}

static gboolean
verify_with (gnutls_x509_trust_list_t  list,
             CachetCertificate        *certificate,
             GPtrArray                *chain,
             unsigned int             *status)
{
  gnutls_typed_vdata_st purpose = { GNUTLS_DT_KEY_PURPOSE_OID,
                                    (unsigned char *) GNUTLS_KP_EMAIL_PROTECTION, 0 };
  g_autofree gnutls_x509_crt_t *certs = NULL;
  guint n = 0;

  if (list == NULL)
    return FALSE;

  certs = g_new0 (gnutls_x509_crt_t, 1 + (chain != NULL ? chain->len : 0));
  certs[n++] = cachet_certificate_get_gnutls (certificate);
  for (guint i = 0; chain != NULL && i < chain->len; i++)
    certs[n++] = cachet_certificate_get_gnutls (g_ptr_array_index (chain, i));

  *status = 0;
  if (gnutls_x509_trust_list_verify_crt2 (list, certs, n, &purpose, 1, 0, status, NULL) < 0)
    {
      *status = GNUTLS_CERT_INVALID;
      return FALSE;
    }
  return *status == 0;
}

gboolean
cachet_store_check_trust (CachetStore        *self,
                          CachetCertificate  *certificate,
                          GPtrArray          *chain,
                          const char        **source,
                          GError            **error)
{
  unsigned int status = 0, worst = 0;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  g_return_val_if_fail (CACHET_IS_CERTIFICATE (certificate), FALSE);

  STORE_LOCKER (self);
  ensure_trust (self);

  if (source != NULL)
    *source = NULL;
  if (verify_with (self->user_trust, certificate, chain, &status))
    {
      if (source != NULL) *source = "user";
      return TRUE;
    }
  worst |= status;
  if (verify_with (self->mozilla_trust, certificate, chain, &status))
    {
      if (source != NULL) *source = "mozilla-email";
      return TRUE;
    }
  worst |= status;
  if (verify_with (self->system_trust, certificate, chain, &status))
    {
      if (source != NULL) *source = "system";
      return TRUE;
    }
  worst |= status;

  if (worst & GNUTLS_CERT_EXPIRED)
    g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                         _("The certificate or one in its chain has expired."));
  else if (worst & GNUTLS_CERT_NOT_ACTIVATED)
    g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                         _("The certificate or one in its chain is not valid yet."));
  else if (worst & GNUTLS_CERT_PURPOSE_MISMATCH)
    g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                         _("The certificate’s chain is not meant for email protection."));
  else if (worst & GNUTLS_CERT_INSECURE_ALGORITHM)
    g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                         _("The certificate’s chain uses a weak algorithm (such as SHA-1)."));
  else
    g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                         _("The certificate was not issued by an authority you trust. Add the authority with “cachet-cli trust add” if you trust it."));
  return FALSE;
}

const char *
cachet_store_get_anchor_source (CachetStore       *self,
                                CachetCertificate *root)
{
  unsigned int status;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  g_return_val_if_fail (CACHET_IS_CERTIFICATE (root), NULL);

  STORE_LOCKER (self);
  ensure_trust (self);

  for (guint i = 0; i < self->anchors->len; i++)
    if (cachet_certificate_equal (g_ptr_array_index (self->anchors, i), root))
      return "user";
  for (guint i = 0; i < self->mozilla_roots->len; i++)
    if (cachet_certificate_equal (g_ptr_array_index (self->mozilla_roots, i), root))
      return "mozilla-email";
  if (cachet_certificate_is_self_signed (root) && verify_with (self->system_trust, root, NULL, &status))
    return "system";
  return NULL;
}

static void
update_contact_trust (CachetStore   *self,
                      CachetContact *contact)
{
  contact->trusted = contact->vouched ||
                     cachet_store_check_trust (self, contact->certificate, contact->chain, NULL, NULL);
}

/* ---- addresses (capabilities, habits) ---- */

static gboolean
save_addresses (CachetStore  *self,
                GError      **error)
{
  g_autofree char *path = g_build_filename (self->data_dir, "addresses.ini", NULL);
  g_autofree char *data = NULL;
  gsize length;

  data = g_key_file_to_data (self->addresses, &length, NULL);
  if (g_strcmp0 (data, self->addresses_saved) == 0)
    return TRUE;
  if (!write_file (path, data, length, error))
    return FALSE;
  g_free (self->addresses_saved);
  self->addresses_saved = g_steal_pointer (&data);
  return TRUE;
}

/* ---- construction ---- */

static void
load_folder (CachetStore *self,
             const char  *folder,
             const char  *extension,
             void       (*load) (CachetStore *, const char *))
{
  g_autofree char *path = g_build_filename (self->data_dir, folder, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, extension))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);  /* a stable order */
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *file = g_build_filename (path, g_ptr_array_index (names, i), NULL);
      load (self, file);
    }
}

static void
load_identity_file (CachetStore *self,
                    const char  *path)
{
  CachetIdentity *identity = load_identity (self, path);

  if (identity != NULL)
    g_ptr_array_add (self->identities, identity);
}

static void
load_contact_file (CachetStore *self,
                   const char  *path)
{
  CachetContact *contact = load_contact (path);

  if (contact != NULL)
    g_ptr_array_add (self->contacts, contact);
}

static void
load_anchor_file (CachetStore *self,
                  const char  *path)
{
  g_autoptr(GPtrArray) certificates = cachet_certificate_list_from_file (path, NULL);

  if (certificates != NULL && certificates->len > 0)
    g_ptr_array_add (self->anchors, g_object_ref (g_ptr_array_index (certificates, 0)));
}

CachetStore *
cachet_store_new (const char  *data_dir,
                  GError     **error)
{
  g_autoptr(CachetStore) self = NULL;
  g_autofree char *addresses_path = NULL;
  g_autoptr(GError) local_error = NULL;

  self = g_object_new (CACHET_TYPE_STORE, NULL);
  self->data_dir = data_dir != NULL ? g_strdup (data_dir)
                                    : g_build_filename (g_get_user_data_dir (), "cachet", NULL);
  self->context = g_main_context_ref_thread_default ();

  if (g_mkdir_with_parents (self->data_dir, 0700) != 0)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (self->data_dir);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                   _("Cachet’s data folder “%s” cannot be made (%s). Check its permissions."),
                   display, g_strerror (saved));
      return NULL;
    }

  load_folder (self, "identities", ".ini", load_identity_file);
  load_folder (self, "contacts", ".pem", load_contact_file);
  load_folder (self, "anchors", ".pem", load_anchor_file);

  addresses_path = g_build_filename (self->data_dir, "addresses.ini", NULL);
  if (g_file_test (addresses_path, G_FILE_TEST_EXISTS) &&
      !g_key_file_load_from_file (self->addresses, addresses_path, G_KEY_FILE_NONE, &local_error))
    g_warning ("Ignoring damaged %s: %s", addresses_path, local_error->message);
  self->addresses_saved = g_key_file_to_data (self->addresses, NULL, NULL);

  update_identity_states (self);
  /* Contacts' trust needs the trust lists (Mozilla's module): only load them when needed. */
  for (guint i = 0; i < self->contacts->len; i++)
    update_contact_trust (self, g_ptr_array_index (self->contacts, i));

  schedule_sync (self);
  return g_steal_pointer (&self);
}

const char *
cachet_store_get_data_dir (CachetStore *self)
{
  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  return self->data_dir;
}

GListModel *
cachet_store_get_identities (CachetStore *self)
{
  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  return G_LIST_MODEL (self->identity_model);
}

GListModel *
cachet_store_get_contacts (CachetStore *self)
{
  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  return G_LIST_MODEL (self->contact_model);
}

GListModel *
cachet_store_get_anchor_model (CachetStore *self)
{
  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  return G_LIST_MODEL (self->anchor_model);
}

/* ------------------------------------------------------------------------------------------ */
/* Identities */

static CachetIdentity *
find_identity_by_key_id (CachetStore *self,
                         const char  *key_id)
{
  for (guint i = 0; i < self->identities->len; i++)
    {
      CachetIdentity *identity = g_ptr_array_index (self->identities, i);
      if (g_strcmp0 (identity->key_id, key_id) == 0)
        return identity;
    }
  return NULL;
}

static char *
identity_label (const char *name,
                const char *email)
{
  /* What keyring managers (Seahorse) show for the secret. */
  return g_strdup_printf (_("Cachet private key: %s <%s>"), name != NULL ? name : "",
                          email != NULL ? email : "");
}

CachetIdentity *
cachet_store_new_identity (CachetStore            *self,
                           const CachetCsrSubject *subject,
                           CachetKeyType           type,
                           GCancellable           *cancellable,
                           GError                **error)
{
  g_autoptr(CachetCsrResult) result = NULL;
  g_autoptr(CachetIdentity) identity = NULL;
  g_autofree char *label = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  g_return_val_if_fail (subject != NULL, NULL);

  result = cachet_csr_generate (subject, type, cancellable, error);
  if (result == NULL)
    return NULL;

  identity = g_object_new (CACHET_TYPE_IDENTITY, NULL);
  identity->key_id = g_strdup (result->key_id);
  identity->name = g_strdup (subject->name);
  identity->email = g_ascii_strdown (subject->email, -1);
  identity->request = g_strdup (result->request_pem);
  identity->created = g_date_time_new_now_utc ();
  switch (type)
    {
    case CACHET_KEY_TYPE_RSA_2048: identity->key_description = g_strdup ("RSA 2048"); break;
    case CACHET_KEY_TYPE_RSA_4096: identity->key_description = g_strdup ("RSA 4096"); break;
    case CACHET_KEY_TYPE_P256: identity->key_description = g_strdup ("ECDSA P-256"); break;
    case CACHET_KEY_TYPE_P384: identity->key_description = g_strdup ("ECDSA P-384"); break;
    case CACHET_KEY_TYPE_RSA_3072:
    default: identity->key_description = g_strdup ("RSA 3072"); break;
    }

  /* The key goes to the keyring first: without it the request is worthless. */
  label = identity_label (identity->name, identity->email);
  if (!cachet_secret_store_key (identity->key_id, label, result->key, cancellable, error))
    return NULL;

  {
    STORE_LOCKER (self);

    if (!save_identity (self, identity, &local_error))
      {
        g_autofree char *ini_path = store_path (self, "identities", identity->key_id, ".ini");
        g_unlink (ini_path);
        cachet_secret_delete_key (identity->key_id, NULL, NULL);
        g_propagate_error (error, local_error);
        return NULL;
      }
    g_ptr_array_add (self->identities, g_object_ref (identity));
    update_identity_states (self);
  }
  schedule_sync (self);
  return g_steal_pointer (&identity);
}

typedef struct {
  CachetCsrSubject  *subject;
  CachetKeyType      type;
  GBytes            *data;
  char              *password;
  CachetIdentity    *identity;
  gboolean           legacy;
} StoreJob;

static void
store_job_free (StoreJob *job)
{
  cachet_csr_subject_free (job->subject);
  g_clear_pointer (&job->data, g_bytes_unref);
  g_clear_object (&job->identity);
  if (job->password != NULL)
    {
      gnutls_memset (job->password, 0, strlen (job->password));
      g_free (job->password);
    }
  g_free (job);
}

static void
new_identity_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  StoreJob *job = task_data;
  GError *error = NULL;
  CachetIdentity *identity;

  identity = cachet_store_new_identity (source_object, job->subject, job->type, cancellable, &error);
  if (identity == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, identity, g_object_unref);
}

void
cachet_store_new_identity_async (CachetStore            *self,
                                 const CachetCsrSubject *subject,
                                 CachetKeyType           type,
                                 GCancellable           *cancellable,
                                 GAsyncReadyCallback     callback,
                                 gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  StoreJob *job;

  g_return_if_fail (CACHET_IS_STORE (self));
  g_return_if_fail (subject != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cachet_store_new_identity_async);
  job = g_new0 (StoreJob, 1);
  job->subject = cachet_csr_subject_copy (subject);
  job->type = type;
  g_task_set_task_data (task, job, (GDestroyNotify) store_job_free);
  g_task_run_in_thread (task, new_identity_thread);
}

CachetIdentity *
cachet_store_new_identity_finish (CachetStore   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

CachetIdentity *
cachet_store_install_certificate (CachetStore  *self,
                                  GBytes       *data,
                                  GError      **error)
{
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GPtrArray) leaves = NULL;
  g_autoptr(GPtrArray) intermediates = NULL;
  g_autoptr(GPtrArray) previous_chain = NULL;
  g_autoptr(CachetCertificate) previous = NULL;
  g_autoptr(GDateTime) previous_installed = NULL;
  CachetIdentity *identity = NULL;
  CachetCertificate *certificate = NULL;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  g_return_val_if_fail (data != NULL, NULL);

  certificates = cachet_certificate_list_from_data (data, error);
  if (certificates == NULL)
    return NULL;
  split_certificates (certificates, &leaves, &intermediates, NULL);

  STORE_LOCKER (self);

  /* A waiting key first; then a certificate renewed for a key already installed. */
  for (int pass = 0; pass < 2 && identity == NULL; pass++)
    for (guint i = 0; i < leaves->len && identity == NULL; i++)
      {
        g_autofree char *key_id = key_id_for_certificate (g_ptr_array_index (leaves, i));
        CachetIdentity *candidate = key_id != NULL ? find_identity_by_key_id (self, key_id) : NULL;

        if (candidate != NULL && (pass == 1 || candidate->certificate == NULL))
          {
            identity = candidate;
            certificate = g_ptr_array_index (leaves, i);
          }
      }

  if (identity == NULL)
    {
      g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_NO_KEY,
                           leaves->len == 0
                           ? _("The file holds only CA certificates, no certificate for you. Install the certificate the CA issued for your request.")
                           : _("This certificate does not belong to any key waiting in Cachet. Install the certificate the CA issued for a request made with “cachet-cli identity new” on this computer."));
      return NULL;
    }

  previous = identity->certificate != NULL ? g_object_ref (identity->certificate) : NULL;
  previous_chain = g_ptr_array_ref (identity->chain);
  previous_installed = identity->installed != NULL ? g_date_time_ref (identity->installed) : NULL;

  g_set_object (&identity->certificate, certificate);
  identity->chain = g_ptr_array_ref (intermediates);
  g_clear_pointer (&identity->installed, g_date_time_unref);
  identity->installed = g_date_time_new_now_utc ();
  g_clear_pointer (&identity->key_description, g_free);
  identity->key_description = cachet_certificate_describe_key (certificate);
  g_ptr_array_unref (previous_chain);  /* the reference the identity held */

  if (!save_identity (self, identity, error))
    {
      g_set_object (&identity->certificate, previous);
      g_ptr_array_unref (identity->chain);
      identity->chain = g_ptr_array_ref (previous_chain);
      g_clear_pointer (&identity->installed, g_date_time_unref);
      identity->installed = g_steal_pointer (&previous_installed);
      if (previous == NULL)
        {
          g_autofree char *pem_path = store_path (self, "identities", identity->key_id, ".pem");
          g_unlink (pem_path);
        }
      return NULL;
    }

  update_identity_states (self);
  schedule_sync (self);
  return g_object_ref (identity);
}

CachetIdentity *
cachet_store_import_credentials (CachetStore        *self,
                                 CachetCredentials  *credentials,
                                 GCancellable       *cancellable,
                                 GError            **error)
{
  CachetCertificate *certificate;
  g_autoptr(CachetIdentity) identity = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *label = NULL;
  GPtrArray *chain;
  CachetIdentity *existing;
  gboolean had_key = FALSE;
  GError *local_error = NULL;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  g_return_val_if_fail (CACHET_IS_CREDENTIALS (credentials), NULL);

  certificate = cachet_credentials_get_certificate (credentials);
  chain = cachet_credentials_get_chain (credentials);
  key_id = cachet_secret_key_id_for_privkey (cachet_credentials_get_private_key (credentials));
  if (key_id == NULL)
    {
      g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                           _("The key in this file cannot be used by Cachet. Use an RSA or ECDSA key."));
      return NULL;
    }

  {
    STORE_LOCKER (self);
    existing = find_identity_by_key_id (self, key_id);
    had_key = existing != NULL;
  }

  identity = g_object_new (CACHET_TYPE_IDENTITY, NULL);
  identity->key_id = g_strdup (key_id);
  identity->certificate = g_object_ref (certificate);
  for (guint i = 0; i < chain->len; i++)
    {
      CachetCertificate *link = g_ptr_array_index (chain, i);
      if (!cachet_certificate_is_self_signed (link))
        g_ptr_array_add (identity->chain, g_object_ref (link));
    }
  identity->name = g_strdup (cachet_certificate_get_name (certificate));
  identity->email = g_strdup (cachet_identity_get_email (identity));
  identity->key_description = cachet_certificate_describe_key (certificate);
  identity->created = g_date_time_new_now_utc ();
  identity->installed = g_date_time_ref (identity->created);

  label = identity_label (identity->name, identity->email);
  if (!cachet_secret_store_key (key_id, label, cachet_credentials_get_private_key (credentials),
                                cancellable, error))
    return NULL;

  {
    STORE_LOCKER (self);

    if (!save_identity (self, identity, &local_error))
      {
        if (!had_key)
          {
            g_autofree char *ini_path = store_path (self, "identities", key_id, ".ini");
            g_autofree char *pem_path = store_path (self, "identities", key_id, ".pem");
            g_unlink (ini_path);
            g_unlink (pem_path);
            cachet_secret_delete_key (key_id, NULL, NULL);
          }
        g_propagate_error (error, local_error);
        return NULL;
      }
    existing = find_identity_by_key_id (self, key_id);
    if (existing != NULL)
      {
        if (existing->created != NULL)
          {
            g_clear_pointer (&identity->created, g_date_time_unref);
            identity->created = g_date_time_ref (existing->created);
          }
        g_ptr_array_remove (self->identities, existing);
      }
    g_ptr_array_add (self->identities, g_object_ref (identity));
    update_identity_states (self);
  }
  schedule_sync (self);
  return g_steal_pointer (&identity);
}

CachetIdentity *
cachet_store_import_pkcs12 (CachetStore   *self,
                            GBytes        *data,
                            const char    *password,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(CachetCredentials) credentials = NULL;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);

  credentials = cachet_pkcs12_import (data, password, error);
  if (credentials == NULL)
    return NULL;
  return cachet_store_import_credentials (self, credentials, cancellable, error);
}

static void
import_pkcs12_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  StoreJob *job = task_data;
  GError *error = NULL;
  CachetIdentity *identity;

  identity = cachet_store_import_pkcs12 (source_object, job->data, job->password, cancellable, &error);
  if (identity == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, identity, g_object_unref);
}

void
cachet_store_import_pkcs12_async (CachetStore         *self,
                                  GBytes              *data,
                                  const char          *password,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  StoreJob *job;

  g_return_if_fail (CACHET_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cachet_store_import_pkcs12_async);
  job = g_new0 (StoreJob, 1);
  job->data = g_bytes_ref (data);
  job->password = g_strdup (password);
  g_task_set_task_data (task, job, (GDestroyNotify) store_job_free);
  g_task_run_in_thread (task, import_pkcs12_thread);
}

CachetIdentity *
cachet_store_import_pkcs12_finish (CachetStore   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

CachetCredentials *
cachet_store_load_credentials (CachetStore     *self,
                               CachetIdentity  *identity,
                               GCancellable    *cancellable,
                               GError         **error)
{
  gnutls_privkey_t key;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  g_return_val_if_fail (CACHET_IS_IDENTITY (identity), NULL);

  if (identity->certificate == NULL)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                   _("The identity for %s is still waiting for its certificate. Install the certificate your CA sends with “cachet-cli identity install”."),
                   identity->email != NULL ? identity->email : "");
      return NULL;
    }

  key = cachet_secret_load_key (identity->key_id, cancellable, error);
  if (key == NULL)
    return NULL;
  return cachet_credentials_new (key, identity->certificate, identity->chain, error);
}

GBytes *
cachet_store_export_identity (CachetStore     *self,
                              CachetIdentity  *identity,
                              const char      *password,
                              gboolean         legacy,
                              GCancellable    *cancellable,
                              GError         **error)
{
  g_autoptr(CachetCredentials) credentials = NULL;

  credentials = cachet_store_load_credentials (self, identity, cancellable, error);
  if (credentials == NULL)
    return NULL;
  return cachet_pkcs12_export (credentials, password, legacy, error);
}

static void
export_identity_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  StoreJob *job = task_data;
  GError *error = NULL;
  GBytes *bytes;

  bytes = cachet_store_export_identity (source_object, job->identity, job->password, job->legacy,
                                        cancellable, &error);
  if (bytes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

void
cachet_store_export_identity_async (CachetStore         *self,
                                    CachetIdentity      *identity,
                                    const char          *password,
                                    gboolean             legacy,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  StoreJob *job;

  g_return_if_fail (CACHET_IS_STORE (self));
  g_return_if_fail (CACHET_IS_IDENTITY (identity));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cachet_store_export_identity_async);
  job = g_new0 (StoreJob, 1);
  job->identity = g_object_ref (identity);
  job->password = g_strdup (password);
  job->legacy = legacy;
  g_task_set_task_data (task, job, (GDestroyNotify) store_job_free);
  g_task_run_in_thread (task, export_identity_thread);
}

GBytes *
cachet_store_export_identity_finish (CachetStore   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
identity_has_address (CachetIdentity *identity,
                      const char     *address)
{
  if (identity->certificate != NULL)
    return cachet_certificate_has_address (identity->certificate, address);
  return identity->email != NULL && g_ascii_strcasecmp (identity->email, address) == 0;
}

CachetIdentity *
cachet_store_find_identity (CachetStore  *self,
                            const char   *spec,
                            GError      **error)
{
  g_autofree char *hex = NULL;
  CachetIdentity *found = NULL;
  guint matches = 0;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  g_return_val_if_fail (spec != NULL, NULL);

  STORE_LOCKER (self);

  if (strchr (spec, '@') != NULL)
    {
      /* The current identity for the address; else a waiting one; else the newest replaced. */
      for (int want = 0; want < 3 && found == NULL; want++)
        for (guint i = 0; i < self->identities->len && found == NULL; i++)
          {
            CachetIdentity *identity = g_ptr_array_index (self->identities, i);
            CachetIdentityState state = want == 0 ? CACHET_IDENTITY_CURRENT
                                      : want == 1 ? CACHET_IDENTITY_WAITING
                                      : CACHET_IDENTITY_REPLACED;

            if (identity->state == state && identity_has_address (identity, spec))
              found = identity;
          }
      matches = found != NULL;
    }
  else if ((hex = normalise_hex (spec)) != NULL && strlen (hex) >= 8)
    {
      for (guint i = 0; i < self->identities->len; i++)
        {
          CachetIdentity *identity = g_ptr_array_index (self->identities, i);

          if (fingerprint_matches (identity->certificate, hex) ||
              g_str_has_prefix (identity->key_id, hex))
            {
              found = identity;
              matches++;
            }
        }
    }

  if (matches > 1)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_FOUND,
                   _("“%s” matches several identities. Give more digits of the fingerprint."), spec);
      return NULL;
    }
  if (found == NULL)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_FOUND,
                   _("You have no identity for “%s”. See your identities with “cachet-cli identity list”."),
                   spec);
      return NULL;
    }
  return g_object_ref (found);
}

gboolean
cachet_store_delete_identity (CachetStore     *self,
                              CachetIdentity  *identity,
                              GCancellable    *cancellable,
                              GError         **error)
{
  g_autofree char *ini_path = NULL;
  g_autofree char *pem_path = NULL;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  g_return_val_if_fail (CACHET_IS_IDENTITY (identity), FALSE);

  /* The key first: when the keyring cannot be reached the identity stays whole. */
  if (!cachet_secret_delete_key (identity->key_id, cancellable, error))
    return FALSE;

  {
    STORE_LOCKER (self);

    ini_path = store_path (self, "identities", identity->key_id, ".ini");
    pem_path = store_path (self, "identities", identity->key_id, ".pem");
    g_unlink (ini_path);
    g_unlink (pem_path);
    g_ptr_array_remove (self->identities, identity);
    update_identity_states (self);
  }
  schedule_sync (self);
  return TRUE;
}

GPtrArray *
cachet_store_get_identity_credentials (CachetStore   *self,
                                       GCancellable  *cancellable,
                                       GError       **error)
{
  g_autoptr(GPtrArray) identities = NULL;
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func (g_object_unref);
  GError *first_error = NULL;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);

  {
    STORE_LOCKER (self);
    identities = g_ptr_array_copy (self->identities, copy_object, NULL);
    g_ptr_array_set_free_func (identities, g_object_unref);
  }
  g_ptr_array_sort (identities, compare_identities);

  for (guint i = 0; i < identities->len; i++)
    {
      CachetIdentity *identity = g_ptr_array_index (identities, i);
      CachetCredentials *credentials;
      GError *local_error = NULL;

      if (identity->certificate == NULL)
        continue;
      credentials = cachet_store_load_credentials (self, identity, cancellable, &local_error);
      if (credentials != NULL)
        {
          g_ptr_array_add (result, credentials);
          continue;
        }
      /* No keyring at all, or cancelled: say so. A single missing key: skip it. */
      if (g_error_matches (local_error, CACHET_ERROR, CACHET_ERROR_KEYRING) ||
          g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, local_error);
          g_clear_error (&first_error);
          return NULL;
        }
      g_debug ("Identity %s skipped: %s", identity->key_id, local_error->message);
      if (first_error == NULL)
        first_error = local_error;
      else
        g_error_free (local_error);
    }

  g_clear_error (&first_error);
  return g_steal_pointer (&result);
}

CachetCredentials *
cachet_store_get_signing_credentials (CachetStore   *self,
                                      const char    *address_or_fingerprint,
                                      GCancellable  *cancellable,
                                      GError       **error)
{
  g_autoptr(CachetIdentity) identity = NULL;
  CachetCertificate *certificate;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);

  if (address_or_fingerprint != NULL)
    identity = cachet_store_find_identity (self, address_or_fingerprint, error);
  else
    {
      STORE_LOCKER (self);
      guint current = 0;

      for (guint i = 0; i < self->identities->len; i++)
        {
          CachetIdentity *candidate = g_ptr_array_index (self->identities, i);
          if (candidate->state == CACHET_IDENTITY_CURRENT)
            {
              current++;
              if (identity == NULL)
                identity = g_object_ref (candidate);
            }
        }
      if (current != 1)
        {
          g_clear_object (&identity);
          g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_NO_KEY,
                               current == 0
                               ? _("You have no identity to sign with. Import one with “cachet-cli identity import” or create one with “cachet-cli identity new”.")
                               : _("You have several identities: say which one signs with --as ADDRESS."));
        }
    }
  if (identity == NULL)
    return NULL;

  certificate = identity->certificate;
  if (certificate == NULL)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                   _("The identity for %s is still waiting for its certificate. Install the certificate your CA sends with “cachet-cli identity install”."),
                   identity->email);
      return NULL;
    }
  if (!cachet_certificate_is_valid_at (certificate, NULL))
    {
      g_autoptr(GDateTime) not_after = cachet_certificate_get_not_after (certificate);
      g_autofree char *date = g_date_time_format (not_after, "%Y-%m-%d");
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                   _("The certificate of %s is not valid now (it expires or expired on %s), so it cannot sign. Install a new certificate from your CA."),
                   cachet_identity_get_email (identity), date);
      return NULL;
    }
  if ((cachet_certificate_get_key_usage (certificate) & CACHET_KEY_USAGE_SIGN) == 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                   _("The certificate of %s does not allow signing (its key usage is for encryption only)."),
                   cachet_identity_get_email (identity));
      return NULL;
    }
  return cachet_store_load_credentials (self, identity, cancellable, error);
}

/* ------------------------------------------------------------------------------------------ */
/* Contacts */

static CachetContact *
find_contact_by_certificate (CachetStore       *self,
                             CachetCertificate *certificate)
{
  for (guint i = 0; i < self->contacts->len; i++)
    {
      CachetContact *contact = g_ptr_array_index (self->contacts, i);
      if (cachet_certificate_equal (contact->certificate, certificate))
        return contact;
    }
  return NULL;
}

/* Adds or updates; VOUCHED: a good signature came with it. */
/* Would saving B change what A's files hold? */
static gboolean
contact_equal (CachetContact *a,
               CachetContact *b)
{
  if (a->origin != b->origin || a->vouched != b->vouched || a->chain->len != b->chain->len ||
      !cachet_certificate_equal (a->certificate, b->certificate) ||
      (a->added == NULL) != (b->added == NULL) ||
      (a->added != NULL && !g_date_time_equal (a->added, b->added)))
    return FALSE;
  for (guint i = 0; i < a->chain->len; i++)
    if (!cachet_certificate_equal (g_ptr_array_index (a->chain, i), g_ptr_array_index (b->chain, i)))
      return FALSE;
  return TRUE;
}

static CachetContact *
add_contact (CachetStore         *self,
             CachetCertificate   *certificate,
             GPtrArray           *chain,
             CachetContactOrigin  origin,
             gboolean             vouched,
             GError             **error)
{
  g_autoptr(CachetContact) contact = g_object_new (CACHET_TYPE_CONTACT, NULL);
  CachetContact *existing;

  STORE_LOCKER (self);

  existing = find_contact_by_certificate (self, certificate);
  contact->certificate = g_object_ref (certificate);
  for (guint i = 0; chain != NULL && i < chain->len; i++)
    {
      CachetCertificate *link = g_ptr_array_index (chain, i);
      if (!cachet_certificate_equal (link, certificate) && !cachet_certificate_is_self_signed (link))
        g_ptr_array_add (contact->chain, g_object_ref (link));
    }
  if (existing != NULL)
    {
      /* Keep what we knew: the first origin and date, the intermediates, the vouching. */
      contact->origin = existing->origin == CACHET_CONTACT_COLLECTED ? CACHET_CONTACT_COLLECTED : origin;
      contact->added = existing->added != NULL ? g_date_time_ref (existing->added) : g_date_time_new_now_utc ();
      contact->vouched = existing->vouched || vouched;
      if (contact->chain->len == 0)
        for (guint i = 0; i < existing->chain->len; i++)
          g_ptr_array_add (contact->chain, g_object_ref (g_ptr_array_index (existing->chain, i)));
    }
  else
    {
      contact->origin = origin;
      contact->added = g_date_time_new_now_utc ();
      contact->vouched = vouched;
    }

  if (existing != NULL && contact_equal (existing, contact))
    return g_object_ref (existing);   /* nothing new: the files stay as they are */
  if (!save_contact (self, contact, error))
    return NULL;

  if (existing != NULL)
    g_ptr_array_remove (self->contacts, existing);
  update_contact_trust (self, contact);
  g_ptr_array_add (self->contacts, g_object_ref (contact));
  schedule_sync (self);
  return g_steal_pointer (&contact);
}

CachetContact *
cachet_store_add_contact (CachetStore         *self,
                          CachetCertificate   *certificate,
                          GPtrArray           *chain,
                          CachetContactOrigin  origin,
                          GError             **error)
{
  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  g_return_val_if_fail (CACHET_IS_CERTIFICATE (certificate), NULL);

  return add_contact (self, certificate, chain, origin, FALSE, error);
}

/* Collects the certificates of every S/MIME signature part of a message. */
static void
collect_message_certificates (GMimeObject *object,
                              GPtrArray   *certificates)
{
  GMimeContentType *type;

  if (object == NULL)
    return;

  if (GMIME_IS_MESSAGE_PART (object))
    {
      collect_message_certificates (g_mime_message_get_mime_part (g_mime_message_part_get_message (GMIME_MESSAGE_PART (object))),
                                    certificates);
      return;
    }
  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int n = g_mime_multipart_get_count (multipart);

      for (int i = 0; i < n; i++)
        collect_message_certificates (g_mime_multipart_get_part (multipart, i), certificates);
      return;
    }
  if (!GMIME_IS_PART (object))
    return;

  type = g_mime_object_get_content_type (object);
  if (g_mime_content_type_is_type (type, "application", "pkcs7-signature") ||
      g_mime_content_type_is_type (type, "application", "x-pkcs7-signature") ||
      g_mime_content_type_is_type (type, "application", "pkcs7-mime") ||
      g_mime_content_type_is_type (type, "application", "x-pkcs7-mime"))
    {
      GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (object));
      g_autoptr(GMimeStream) stream = g_mime_stream_mem_new ();
      GByteArray *array;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GPtrArray) found = NULL;

      if (content == NULL || g_mime_data_wrapper_write_to_stream (content, stream) < 0)
        return;
      array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
      bytes = g_bytes_new (array->data, array->len);  /* copy: the stream owns its array */
      found = cachet_certificate_list_from_data (bytes, NULL);
      for (guint i = 0; found != NULL && i < found->len; i++)
        g_ptr_array_add (certificates, g_object_ref (g_ptr_array_index (found, i)));
    }
}

static GPtrArray *
certificates_from_message (const char  *path,
                           GError     **error)
{
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  GPtrArray *certificates;

  stream = cachet_file_stream_open (path, error);
  if (stream == NULL)
    return NULL;
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  if (message == NULL)
    {
      g_autofree char *display = g_filename_display_name (path);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   _("“%s” is not a message Cachet can read. Import a certificate file or a signed .eml."),
                   display);
      return NULL;
    }

  certificates = g_ptr_array_new_with_free_func (g_object_unref);
  collect_message_certificates (g_mime_message_get_mime_part (message), certificates);
  if (certificates->len == 0)
    {
      g_autofree char *display = g_filename_display_name (path);
      g_ptr_array_unref (certificates);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_FOUND,
                   _("“%s” carries no certificate: it is not S/MIME signed, or the sender left the certificate out. Ask them for their certificate file."),
                   display);
      return NULL;
    }
  return certificates;
}

GPtrArray *
cachet_store_import_contacts (CachetStore  *self,
                              const char   *path,
                              GError      **error)
{
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GPtrArray) leaves = NULL;
  g_autoptr(GPtrArray) intermediates = NULL;
  g_autoptr(GPtrArray) roots = NULL;
  g_autoptr(GPtrArray) added = NULL;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  /* a signed message, judged by its content as everywhere else */
  if (cachet_detect_input (path, NULL) == CACHET_INPUT_MESSAGE)
    certificates = certificates_from_message (path, error);
  else
    certificates = cachet_certificate_list_from_file (path, error);
  if (certificates == NULL)
    return NULL;

  split_certificates (certificates, &leaves, &intermediates, &roots);
  if (leaves->len == 0)
    {
      g_autofree char *display = g_filename_display_name (path);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_FOUND,
                   _("“%s” holds only certificate authorities, not a person’s certificate. To trust an authority, use “cachet-cli trust add”."),
                   display);
      return NULL;
    }

  added = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < leaves->len; i++)
    {
      CachetContact *contact = add_contact (self, g_ptr_array_index (leaves, i), intermediates,
                                            CACHET_CONTACT_IMPORTED, FALSE, error);
      if (contact == NULL)
        return NULL;
      g_ptr_array_add (added, contact);
    }
  return g_steal_pointer (&added);
}

static gboolean
contact_matches (CachetContact *contact,
                 const char    *spec,
                 const char    *hex)
{
  if (strchr (spec, '@') != NULL)
    return cachet_certificate_has_address (contact->certificate, spec);
  return fingerprint_matches (contact->certificate, hex);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  CachetCertificate *x = cachet_contact_get_certificate (*(CachetContact **) a);
  CachetCertificate *y = cachet_contact_get_certificate (*(CachetContact **) b);
  g_autoptr(GDateTime) x_start = cachet_certificate_get_not_before (x);
  g_autoptr(GDateTime) y_start = cachet_certificate_get_not_before (y);

  return -g_date_time_compare (x_start, y_start);
}

GPtrArray *
cachet_store_find_contacts (CachetStore *self,
                            const char  *address_or_fingerprint)
{
  g_autofree char *hex = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (CACHET_IS_STORE (self), found);
  g_return_val_if_fail (address_or_fingerprint != NULL, found);

  hex = normalise_hex (address_or_fingerprint);

  STORE_LOCKER (self);
  for (guint i = 0; i < self->contacts->len; i++)
    {
      CachetContact *contact = g_ptr_array_index (self->contacts, i);
      if (contact_matches (contact, address_or_fingerprint, hex))
        g_ptr_array_add (found, g_object_ref (contact));
    }
  g_ptr_array_sort (found, compare_newest_first);
  return found;
}

gboolean
cachet_store_delete_contacts (CachetStore  *self,
                              const char   *address_or_fingerprint,
                              GError      **error)
{
  g_autoptr(GPtrArray) found = NULL;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);

  STORE_LOCKER (self);
  found = cachet_store_find_contacts (self, address_or_fingerprint);
  if (found->len == 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_FOUND,
                   _("No contact matches “%s”. See your contacts with “cachet-cli contact list”."),
                   address_or_fingerprint);
      return FALSE;
    }
  for (guint i = 0; i < found->len; i++)
    {
      CachetContact *contact = g_ptr_array_index (found, i);
      const char *fingerprint = cachet_certificate_get_fingerprint (contact->certificate);
      g_autofree char *pem_path = store_path (self, "contacts", fingerprint, ".pem");
      g_autofree char *ini_path = store_path (self, "contacts", fingerprint, ".ini");

      if (g_unlink (pem_path) != 0 && errno != ENOENT)
        {
          int saved = errno;
          g_autofree char *display = g_filename_display_name (pem_path);
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                       _("Could not remove “%s” (%s). Check the folder’s permissions."),
                       display, g_strerror (saved));
          return FALSE;
        }
      g_unlink (ini_path);
      g_ptr_array_remove (self->contacts, contact);
    }
  schedule_sync (self);
  return TRUE;
}

GPtrArray *
cachet_store_get_contact_certificates (CachetStore *self)
{
  GPtrArray *certificates = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (CACHET_IS_STORE (self), certificates);

  STORE_LOCKER (self);
  for (guint i = 0; i < self->contacts->len; i++)
    {
      CachetContact *contact = g_ptr_array_index (self->contacts, i);

      g_ptr_array_add (certificates, g_object_ref (contact->certificate));
      for (guint j = 0; j < contact->chain->len; j++)
        g_ptr_array_add (certificates, g_object_ref (g_ptr_array_index (contact->chain, j)));
    }
  return certificates;
}

typedef enum {
  UNUSABLE_NONE,
  UNUSABLE_NOT_EMAIL,
  UNUSABLE_NO_ENCRYPTION,
  UNUSABLE_NOT_YET_VALID,
  UNUSABLE_EXPIRED,
  UNUSABLE_UNTRUSTED,
} Unusable;

static Unusable
recipient_problem (CachetCertificate *certificate,
                   gboolean           trusted)
{
  guint bits;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) not_before = cachet_certificate_get_not_before (certificate);

  if (!cachet_certificate_allows_email (certificate))
    return UNUSABLE_NOT_EMAIL;
  if (cachet_certificate_get_key_algorithm (certificate, &bits) != GNUTLS_PK_RSA ||
      (cachet_certificate_get_key_usage (certificate) & CACHET_KEY_USAGE_ENCRYPT) == 0)
    return UNUSABLE_NO_ENCRYPTION;
  if (!cachet_certificate_is_valid_at (certificate, now))
    return g_date_time_compare (now, not_before) < 0 ? UNUSABLE_NOT_YET_VALID : UNUSABLE_EXPIRED;
  if (!trusted)
    return UNUSABLE_UNTRUSTED;
  return UNUSABLE_NONE;
}

/* The sentence for PROBLEM with CERTIFICATE (may be NULL for UNUSABLE_NONE: none known) for
 * ADDRESS: shared by find_recipient and check_recipient so both say the same. */
static void
set_recipient_error (Unusable            problem,
                     CachetCertificate  *certificate,
                     const char         *address,
                     GError            **error)
{
  switch (problem)
    {
    case UNUSABLE_NONE:
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_FOUND,
                   _("No certificate is known for %s. Import theirs (in Cachet’s Contacts, or with “cachet-cli contact import”), or verify a signed message from them first."),
                   address);
      break;
    case UNUSABLE_UNTRUSTED:
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                   _("The certificate for %s is not trusted: its issuer is not an authority you trust. If you know the authority, add it (in Cachet’s Contacts, or with “cachet-cli trust add”), or verify a signed message from them."),
                   address);
      break;
    case UNUSABLE_EXPIRED:
      {
        g_autoptr(GDateTime) not_after = cachet_certificate_get_not_after (certificate);
        g_autofree char *date = g_date_time_format (not_after, "%Y-%m-%d");
        g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                     _("The certificate for %s expired on %s. Ask them for their new certificate."),
                     address, date);
      }
      break;
    case UNUSABLE_NOT_YET_VALID:
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                   _("The certificate for %s is not valid yet. Check your computer’s clock, or ask them for a current certificate."),
                   address);
      break;
    case UNUSABLE_NO_ENCRYPTION:
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                   _("The certificate for %s can only sign, not receive encrypted mail. Ask them for a certificate that allows encryption (RSA with key encipherment)."),
                   address);
      break;
    case UNUSABLE_NOT_EMAIL:
    default:
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                   _("The certificate for %s is not meant for email protection. Ask them for an S/MIME certificate."),
                   address);
      break;
    }
}

CachetCertificate *
cachet_store_find_recipient (CachetStore  *self,
                             const char   *address,
                             GError      **error)
{
  CachetCertificate *best = NULL;
  CachetCertificate *best_unusable = NULL;
  Unusable best_problem = UNUSABLE_NONE;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  STORE_LOCKER (self);

  for (guint pass = 0; pass < 2; pass++)
    {
      GPtrArray *items = pass == 0 ? self->contacts : self->identities;

      for (guint i = 0; i < items->len; i++)
        {
          CachetCertificate *certificate;
          gboolean trusted;
          Unusable problem;

          if (pass == 0)
            {
              CachetContact *contact = g_ptr_array_index (items, i);
              certificate = contact->certificate;
              trusted = contact->trusted;
            }
          else
            {
              CachetIdentity *identity = g_ptr_array_index (items, i);
              certificate = identity->certificate;
              trusted = TRUE;  /* your own: you installed it */
            }
          if (certificate == NULL || !cachet_certificate_has_address (certificate, address))
            continue;

          problem = recipient_problem (certificate, trusted);
          if (problem == UNUSABLE_NONE)
            {
              g_autoptr(GDateTime) start = cachet_certificate_get_not_before (certificate);
              g_autoptr(GDateTime) best_start = best != NULL ? cachet_certificate_get_not_before (best) : NULL;

              if (best == NULL || g_date_time_compare (start, best_start) > 0)
                best = certificate;
            }
          else if (best_unusable == NULL || problem > best_problem)
            {
              /* Explain with the most telling problem (untrusted > expired > ...). */
              best_unusable = certificate;
              best_problem = problem;
            }
        }
    }

  if (best != NULL)
    return g_object_ref (best);

  set_recipient_error (best_problem, best_unusable, address, error);
  return NULL;
}

gboolean
cachet_store_check_recipient (CachetStore    *self,
                              CachetContact  *contact,
                              GError        **error)
{
  g_autoptr(CachetOptions) options = NULL;
  const char * const *addresses;
  const char *address;
  Unusable problem;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  g_return_val_if_fail (CACHET_IS_CONTACT (contact), FALSE);

  addresses = cachet_certificate_get_addresses (contact->certificate);
  address = addresses && addresses[0] ? addresses[0] : cachet_certificate_get_name (contact->certificate);

  {
    STORE_LOCKER (self);
    problem = recipient_problem (contact->certificate, contact->trusted);
  }
  if (problem != UNUSABLE_NONE)
    {
      set_recipient_error (problem, contact->certificate, address, error);
      return FALSE;
    }

  /* Revocation as encryption asks it, from the CRLs already stored (never the network here:
   * this runs for every contact the window lists). */
  options = cachet_options_new ();
  cachet_options_set_store (options, self);
  cachet_options_set_online_revocation (options, FALSE);
  return _cachet_revocation_check_recipient (options, contact->certificate, contact->chain, error);
}

const char * const *
cachet_store_get_capabilities (CachetStore *self,
                               const char  *address)
{
  g_autofree char *key = NULL;
  GStrv capabilities;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  key = g_ascii_strdown (address, -1);

  STORE_LOCKER (self);
  capabilities = g_hash_table_lookup (self->capabilities, key);
  if (capabilities == NULL)
    {
      capabilities = g_key_file_get_string_list (self->addresses, key, "capabilities", NULL, NULL);
      if (capabilities == NULL)
        return NULL;
      g_hash_table_insert (self->capabilities, g_strdup (key), capabilities);
    }
  return (const char * const *) capabilities;
}

gboolean
cachet_store_get_usually_signs (CachetStore *self,
                                const char  *address)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  if (address == NULL)
    return FALSE;

  key = g_ascii_strdown (address, -1);
  STORE_LOCKER (self);
  return g_key_file_get_boolean (self->addresses, key, "usually-signs", NULL);
}

static gboolean
signer_is_good (CachetSigner *signer)
{
  return cachet_signer_get_certificate (signer) != NULL &&
         cachet_signer_get_signature_valid (signer) &&
         cachet_signer_get_trusted (signer) &&
         cachet_signer_get_matches_from (signer) &&
         cachet_signer_get_status (signer) == CACHET_STATUS_GOOD;
}

void
cachet_store_collect_from_verdict (CachetStore   *self,
                                   CachetVerdict *verdict)
{
  const char *from;
  g_autofree char *key = NULL;
  GListModel *signers;
  guint n_signers;
  gboolean learned = FALSE;

  g_return_if_fail (CACHET_IS_STORE (self));
  g_return_if_fail (CACHET_IS_VERDICT (verdict));

  from = cachet_verdict_get_from (verdict);
  if (from == NULL)
    return;
  key = g_ascii_strdown (from, -1);

  if (cachet_verdict_get_status (verdict) == CACHET_STATUS_UNSIGNED)
    {
      if (!cachet_verdict_get_signed (verdict) &&
          cachet_store_get_usually_signs (self, key) &&
          !cachet_verdict_has_problem (verdict, CACHET_PROBLEM_SENDER_USUALLY_SIGNS))
        {
          g_autofree char *detail = g_strdup_printf (_("Earlier mail from %s came signed."), key);
          cachet_verdict_add_problem (verdict, CACHET_PROBLEM_SENDER_USUALLY_SIGNS, detail);
        }
      return;
    }

  /* Only a verdict that is good in every respect teaches anything. */
  if (cachet_verdict_get_status (verdict) != CACHET_STATUS_GOOD ||
      !cachet_verdict_get_signed (verdict) ||
      cachet_verdict_get_coverage (verdict) != CACHET_COVERAGE_WHOLE)
    return;

  signers = cachet_verdict_get_signers (verdict);
  n_signers = g_list_model_get_n_items (signers);
  for (guint i = 0; i < n_signers; i++)
    {
      g_autoptr(CachetSigner) signer = g_list_model_get_item (signers, i);
      g_autoptr(CachetContact) contact = NULL;
      g_autoptr(GError) error = NULL;
      CachetCertificate *certificate;
      const char * const *capabilities;

      if (!signer_is_good (signer))
        continue;
      certificate = cachet_signer_get_certificate (signer);
      if (!cachet_certificate_has_address (certificate, key))
        continue;

      /* Your own identities' certificates are not contacts. */
      {
        g_autofree char *key_id = key_id_for_certificate (certificate);
        STORE_LOCKER (self);
        gboolean own = key_id != NULL && find_identity_by_key_id (self, key_id) != NULL;

        if (!own)
          {
            contact = add_contact (self, certificate, cachet_signer_get_chain (signer),
                                   CACHET_CONTACT_COLLECTED, TRUE, &error);
            if (contact == NULL)
              g_warning ("Could not keep the signer’s certificate: %s", error->message);
          }

        capabilities = cachet_signer_get_capabilities (signer);
        if (capabilities != NULL && capabilities[0] != NULL)
          {
            GStrv old = NULL;
            g_key_file_set_string_list (self->addresses, key, "capabilities",
                                        capabilities, g_strv_length ((GStrv) capabilities));
            /* Pointers handed out stay valid until the store goes. */
            if (g_hash_table_steal_extended (self->capabilities, key, NULL, (gpointer *) &old))
              g_ptr_array_add (self->old_capabilities, old);
          }
        learned = TRUE;
      }
    }

  if (learned)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      /* by the day: checking mail again the same day changes nothing on disk */
      g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");
      STORE_LOCKER (self);

      g_key_file_set_boolean (self->addresses, key, "usually-signs", TRUE);
      g_key_file_set_string (self->addresses, key, "last-signed", date);
      if (!save_addresses (self, &error))
        g_warning ("Could not remember the signing habit of %s: %s", key, error->message);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Trust anchors */

GPtrArray *
cachet_store_get_anchors (CachetStore *self)
{
  GPtrArray *anchors;

  g_return_val_if_fail (CACHET_IS_STORE (self), NULL);

  STORE_LOCKER (self);
  anchors = g_ptr_array_copy (self->anchors, copy_object, NULL);
  g_ptr_array_set_free_func (anchors, g_object_unref);
  return anchors;
}

static void
refresh_contact_trust (CachetStore *self)
{
  clear_trust (self);
  for (guint i = 0; i < self->contacts->len; i++)
    update_contact_trust (self, g_ptr_array_index (self->contacts, i));
}

gboolean
cachet_store_add_anchor (CachetStore        *self,
                         CachetCertificate  *anchor,
                         GError            **error)
{
  g_autofree char *path = NULL;
  g_autofree char *pem = NULL;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  g_return_val_if_fail (CACHET_IS_CERTIFICATE (anchor), FALSE);

  if (!cachet_certificate_is_ca (anchor))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                   _("“%s” is not a certificate authority, so it cannot be a trust anchor. To encrypt to this person, use “cachet-cli contact import”."),
                   cachet_certificate_get_name (anchor));
      return FALSE;
    }

  STORE_LOCKER (self);
  for (guint i = 0; i < self->anchors->len; i++)
    if (cachet_certificate_equal (g_ptr_array_index (self->anchors, i), anchor))
      return TRUE;

  path = store_path (self, "anchors", cachet_certificate_get_fingerprint (anchor), ".pem");
  pem = cachet_certificate_to_pem (anchor);
  if (!write_file (path, pem, -1, error))
    return FALSE;
  g_ptr_array_add (self->anchors, g_object_ref (anchor));
  refresh_contact_trust (self);
  schedule_sync (self);
  return TRUE;
}

gboolean
cachet_store_remove_anchor (CachetStore  *self,
                            const char   *fingerprint,
                            GError      **error)
{
  g_autofree char *hex = NULL;
  CachetCertificate *found = NULL;
  guint matches = 0;

  g_return_val_if_fail (CACHET_IS_STORE (self), FALSE);
  g_return_val_if_fail (fingerprint != NULL, FALSE);

  hex = normalise_hex (fingerprint);

  STORE_LOCKER (self);
  for (guint i = 0; hex != NULL && i < self->anchors->len; i++)
    if (fingerprint_matches (g_ptr_array_index (self->anchors, i), hex))
      {
        found = g_ptr_array_index (self->anchors, i);
        matches++;
      }
  if (matches != 1)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_FOUND,
                   matches == 0
                   ? _("None of your trust anchors has the fingerprint “%s”. See them with “cachet-cli trust list”.")
                   : _("“%s” matches several trust anchors. Give more digits of the fingerprint."),
                   fingerprint);
      return FALSE;
    }

  {
    g_autofree char *path = store_path (self, "anchors", cachet_certificate_get_fingerprint (found), ".pem");
    if (g_unlink (path) != 0 && errno != ENOENT)
      {
        int saved = errno;
        g_autofree char *display = g_filename_display_name (path);
        g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                     _("Could not remove “%s” (%s). Check the folder’s permissions."),
                     display, g_strerror (saved));
        return FALSE;
      }
  }
  g_ptr_array_remove (self->anchors, found);
  refresh_contact_trust (self);
  schedule_sync (self);
  return TRUE;
}
