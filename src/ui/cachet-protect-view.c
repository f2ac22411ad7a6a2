/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-protect-view.c: the Sign / Encrypt panel (see cachet-protect-view.h).
 *
 * A run: Run → save dialog (never beside the input silently) → the signing key from the
 * keyring in a thread (when signing) → cachet_sign_file_async or cachet_encrypt_file_async.
 * The core writes all or nothing, so a cancelled or failed run leaves no file. A generation
 * number drops answers from a run that a newer one (or a new file) replaced.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cachet-encryption.h"
#include "cachet-error.h"
#include "cachet-protect-view.h"
#include "cachet-signing.h"
#include "cachet-ui-util.h"

struct _CachetProtectView
{
  GtkWidget             parent_instance;

  /* template */
  GtkStack             *stack;
  GtkImage             *file_icon;
  GtkLabel             *title_label;
  GtkLabel             *description_label;
  GtkSwitch            *sign_switch;
  GtkSwitch            *encrypt_switch;
  GtkWidget            *identity_group;
  AdwComboRow          *identity_row;
  GtkWidget            *no_identity_row;
  GtkWidget            *recipients_box;
  GtkSearchEntry       *search_entry;
  GtkListBox           *recipient_list;
  GtkSwitch            *self_switch;
  GtkButton            *run_button;
  GtkLabel             *hint_label;
  AdwStatusPage        *done_page;
  AdwActionRow         *output_row;
  GtkImage             *output_icon;

  CachetStore          *store;
  GSettings            *settings;        /* NULL: remember nothing */
  GListModel           *contacts;        /* borrowed from the store */
  GListModel           *identities;      /* borrowed from the store */
  GPtrArray            *signers;         /* CachetIdentity, as listed in identity_row */
  GtkFilterListModel   *filtered;
  GtkCustomFilter      *filter;
  GHashTable           *chosen;          /* CachetContact → itself: the checked recipients */
  GtkDragSource        *drag_source;
  GtkLabel             *placeholder;     /* of the recipients list */

  GFile                *file;
  gboolean              message;
  GFile                *test_output;     /* _cachet_protect_view_set_output */
  GFile                *written;
  GtkFileChooserNative *save_dialog;

  /* the running job */
  guint                 generation;
  gboolean              busy;
  char                 *busy_title;
  GCancellable         *cancellable;
  CachetOptions        *options;         /* while the core runs: its byte count */
};

G_DEFINE_FINAL_TYPE (CachetProtectView, cachet_protect_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The form: what the switches allow, the button's words */

static gboolean
chosen_identity_can_encrypt (CachetProtectView *self)
{
  guint selected = adw_combo_row_get_selected (self->identity_row);

  return selected >= self->signers->len ||
         cachet_identity_can_encrypt (g_ptr_array_index (self->signers, selected));
}

static void
update_form (CachetProtectView *self)
{
  gboolean sign = gtk_switch_get_active (self->sign_switch);
  gboolean encrypt = gtk_switch_get_active (self->encrypt_switch);
  gboolean to_self = gtk_switch_get_active (self->self_switch);
  gboolean has_signer = self->signers->len > 0;
  const char *label;
  const char *hint = "";
  gboolean ready = TRUE;

  /* whose identity signs, or is the "myself" that can open it later */
  gtk_widget_set_visible (self->identity_group, sign || (encrypt && to_self && has_signer));
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->identity_group),
                                   sign ? _("Sign As") : _("Encrypt to Yourself As"));
  gtk_widget_set_visible (GTK_WIDGET (self->identity_row), has_signer);
  gtk_widget_set_visible (self->no_identity_row, !has_signer);
  gtk_widget_set_visible (self->recipients_box, encrypt);

  /* No mnemonic: Alt+S and Alt+E belong to the switches above. */
  if (sign && encrypt)
    label = _("Sign and Encrypt…");
  else if (encrypt)
    label = _("Encrypt…");
  else
    label = _("Sign…");
  gtk_button_set_label (self->run_button, label);

  if (!sign && !encrypt)
    {
      ready = FALSE;
      hint = _("Turn on Sign, Encrypt or both.");
    }
  else if (sign && !has_signer)
    {
      ready = FALSE;
      hint = _("To sign, you need an identity first.");
    }
  else if (encrypt && g_hash_table_size (self->chosen) == 0)
    {
      ready = FALSE;
      hint = _("Choose at least one recipient.");
    }
  else if (self->file == NULL || self->store == NULL)
    ready = FALSE;
  else if (encrypt && to_self && !chosen_identity_can_encrypt (self))
    /* not a reason to stop: the recipients can still open it */
    hint = _("The identity chosen cannot receive encrypted files, so you will not be able to open this one yourself.");

  gtk_label_set_text (self->hint_label, hint);
  gtk_widget_set_visible (GTK_WIDGET (self->hint_label), *hint != '\0');
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "protect.run", ready && !self->busy);
}

static void
switches_changed (CachetProtectView *self)
{
  if (self->settings != NULL)
    g_settings_set_boolean (self->settings, "protect-encrypt",
                            gtk_switch_get_active (self->encrypt_switch));
  update_form (self);
}

/* Identities that can sign: current, with a certificate that has not expired. */

static void
fill_identities (CachetProtectView *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint n = self->identities ? g_list_model_get_n_items (self->identities) : 0;

  g_ptr_array_set_size (self->signers, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CachetIdentity) identity = g_list_model_get_item (self->identities, i);
      g_autofree char *name = NULL;

      if (cachet_identity_get_state (identity) != CACHET_IDENTITY_CURRENT
          || cachet_identity_get_certificate (identity) == NULL
          || cachet_identity_get_days_left (identity) < 0)
        continue;
      /* Translators: an identity: "Alice Liddell <alice@example.org>" */
      name = g_strdup_printf (_("%s <%s>"), cachet_identity_get_name (identity),
                              cachet_identity_get_email (identity));
      gtk_string_list_append (names, name);
      g_ptr_array_add (self->signers, g_object_ref (identity));
    }

  /* The store lists the current identity first: it is the default. */
  adw_combo_row_set_model (self->identity_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->identity_row, 0);
  update_form (self);
}

/* Recipients */

static void
recipient_toggled (GtkCheckButton    *check,
                   CachetProtectView *self)
{
  CachetContact *contact = g_object_get_data (G_OBJECT (check), "cachet-contact");

  /* However it was toggled (keyboard, accessibility, activate), an unusable contact stays out. */
  if (g_object_get_data (G_OBJECT (check), "cachet-unusable") && gtk_check_button_get_active (check))
    {
      gtk_check_button_set_active (check, FALSE);
      return;
    }
  if (gtk_check_button_get_active (check))
    g_hash_table_add (self->chosen, g_object_ref (contact));
  else
    g_hash_table_remove (self->chosen, contact);
  update_form (self);
}

static GtkWidget *
create_recipient_row (gpointer item,
                      gpointer user_data)
{
  CachetProtectView *self = user_data;
  CachetContact *contact = item;
  CachetCertificate *certificate = cachet_contact_get_certificate (contact);
  const char * const *addresses = cachet_certificate_get_addresses (certificate);
  g_autoptr(GError) error = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  gboolean usable = cachet_store_check_recipient (self->store, contact, &error);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cachet_certificate_get_name (certificate));
  if (usable)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), addresses && addresses[0] ? addresses[0] : "");
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), error->message);
  /* A reason is a sentence: let it wrap rather than widen the window. */
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  cachet_certificate_get_name (certificate), -1);
  g_object_set_data_full (G_OBJECT (check), "cachet-contact", g_object_ref (contact), g_object_unref);
  g_object_set_data_full (G_OBJECT (row), "cachet-contact", g_object_ref (contact), g_object_unref);

  if (usable)
    gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_hash_table_contains (self->chosen, contact));
  else
    {
      /* Shown, so the person sees why someone is missing, but not choosable. */
      g_hash_table_remove (self->chosen, contact);
      g_object_set_data (G_OBJECT (check), "cachet-unusable", GINT_TO_POINTER (TRUE));
      gtk_widget_set_sensitive (row, FALSE);
      gtk_widget_add_css_class (row, "cachet-unusable");
    }
  g_signal_connect (check, "toggled", G_CALLBACK (recipient_toggled), self);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  return row;
}

static gboolean
contact_matches (gpointer item,
                 gpointer user_data)
{
  CachetProtectView *self = user_data;

  return cachet_ui_contact_matches (item, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
search_changed (CachetProtectView *self)
{
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  gtk_label_set_text (self->placeholder,
                      query && *query
                      ? _("No contact matches")
                      : _("No contacts. Import the certificates of the people you write to in the Contacts pane, or check a signed message from them."));
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* Forget chosen contacts the store no longer has. */
static void
contacts_changed (CachetProtectView *self)
{
  GHashTableIter iter;
  gpointer contact;
  guint n = self->contacts ? g_list_model_get_n_items (self->contacts) : 0;

  g_hash_table_iter_init (&iter, self->chosen);
  while (g_hash_table_iter_next (&iter, &contact, NULL))
    {
      gboolean present = FALSE;

      for (guint i = 0; i < n && !present; i++)
        {
          g_autoptr(GObject) item = g_list_model_get_item (self->contacts, i);
          present = item == contact;
        }
      if (!present)
        g_hash_table_iter_remove (&iter);
    }
  update_form (self);
}

void
cachet_protect_view_set_store (CachetProtectView *self,
                               CachetStore       *store)
{
  g_return_if_fail (CACHET_IS_PROTECT_VIEW (self));

  if (self->contacts)
    g_signal_handlers_disconnect_by_func (self->contacts, contacts_changed, self);
  if (self->identities)
    g_signal_handlers_disconnect_by_func (self->identities, fill_identities, self);

  g_hash_table_remove_all (self->chosen);
  g_set_object (&self->store, store);
  self->contacts = store ? cachet_store_get_contacts (store) : NULL;
  self->identities = store ? cachet_store_get_identities (store) : NULL;
  gtk_filter_list_model_set_model (self->filtered, self->contacts);
  gtk_list_box_bind_model (self->recipient_list, self->contacts ? G_LIST_MODEL (self->filtered) : NULL,
                           create_recipient_row, self, NULL);

  if (self->contacts)
    g_signal_connect_object (self->contacts, "items-changed", G_CALLBACK (contacts_changed), self,
                             G_CONNECT_SWAPPED);
  if (self->identities)
    g_signal_connect_object (self->identities, "items-changed", G_CALLBACK (fill_identities), self,
                             G_CONNECT_SWAPPED);
  fill_identities (self);
}

void
cachet_protect_view_set_settings (CachetProtectView *self,
                                  GSettings         *settings)
{
  g_return_if_fail (CACHET_IS_PROTECT_VIEW (self));

  g_set_object (&self->settings, settings);
  if (settings != NULL)
    gtk_switch_set_active (self->encrypt_switch, g_settings_get_boolean (settings, "protect-encrypt"));
}

static void
set_busy (CachetProtectView *self,
          gboolean           busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  if (!busy)
    g_clear_object (&self->options);
  update_form (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* The file */

static gboolean
has_suffix_nocase (const char *name,
                   const char *suffix)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_str_has_suffix (lower, suffix);
}

void
cachet_protect_view_set_file (CachetProtectView *self,
                              GFile             *file,
                              gboolean           message)
{
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;

  g_return_if_fail (CACHET_IS_PROTECT_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));

  /* A new file: a run for the old one stops, and its answer no longer shows here. */
  if (self->busy)
    {
      cachet_protect_view_cancel (self);
      self->generation++;
      set_busy (self, FALSE);
    }
  g_set_object (&self->file, file);
  self->message = message;
  g_clear_object (&self->written);
  gtk_drag_source_set_content (self->drag_source, NULL);

  name = g_file_get_basename (file);
  if (message)
    /* Translators: %s is a file name */
    title = g_strdup_printf (_("Sign or Encrypt the Message “%s”"), name);
  else
    /* Translators: %s is a file name */
    title = g_strdup_printf (_("“%s” is not signed"), name);
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->description_label,
                      message
                      ? _("Cachet saves a new message: signed, so that its recipients can check it comes from you unchanged, or encrypted, so that only they can read it. Send that one instead.")
                      : _("It is not a message or an S/MIME file. Sign it and Cachet saves a signature file (.p7s) to send along with it, so others can check it came from you unchanged. Encrypt it and Cachet saves an encrypted copy (.p7m) that only the people you choose can open."));
  gtk_image_set_from_icon_name (self->file_icon, message ? "mail-unread-symbolic" : "text-x-generic-symbolic");
  gtk_stack_set_visible_child_name (self->stack, "form");
  update_form (self);
}

GFile *
cachet_protect_view_get_file (CachetProtectView *self)
{
  g_return_val_if_fail (CACHET_IS_PROTECT_VIEW (self), NULL);
  return self->file;
}

void
cachet_protect_view_set_choices (CachetProtectView *self,
                                 gboolean           sign,
                                 gboolean           encrypt)
{
  g_return_if_fail (CACHET_IS_PROTECT_VIEW (self));

  gtk_switch_set_active (self->sign_switch, sign);
  gtk_switch_set_active (self->encrypt_switch, encrypt);
}

/* Running */

typedef struct {
  CachetProtectView *view;         /* strong */
  CachetStore       *store;        /* strong: threads use it, not the view */
  guint              generation;
  char              *input;
  char              *output;
  gboolean           sign;
  gboolean           encrypt;
  gboolean           to_self;
  CachetIdentity    *identity;     /* signs and is "myself", or NULL */
  GPtrArray         *addresses;    /* char*, the recipients */
} ProtectJob;

static void
protect_job_free (ProtectJob *job)
{
  g_clear_object (&job->view);
  g_clear_object (&job->store);
  g_free (job->input);
  g_free (job->output);
  g_clear_object (&job->identity);
  g_clear_pointer (&job->addresses, g_ptr_array_unref);
  g_free (job);
}

static void
show_written (CachetProtectView *self,
              const char        *output)
{
  g_autoptr(GFile) folder = NULL;
  g_autofree char *folder_name = NULL;
  g_autofree char *name = g_path_get_basename (output);
  g_autofree char *title = NULL;
  GdkContentProvider *providers[2];
  GdkFileList *list;
  GSList *files;
  GdkContentProvider *content;

  g_clear_object (&self->written);
  self->written = g_file_new_for_path (output);
  folder = g_file_get_parent (self->written);
  folder_name = folder ? g_file_get_parse_name (folder) : g_strdup ("");

  title = g_strdup_printf (_("Saved “%s”"), name);
  adw_status_page_set_title (self->done_page, title);
  adw_status_page_set_description (self->done_page,
                                   has_suffix_nocase (name, ".p7s")
                                   ? _("Send this signature file together with the original file. Drag it into an email or a folder.")
                                   : _("Send this file instead of the original. Drag it into an email or a folder."));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->output_row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->output_row), folder_name);
  gtk_image_set_from_icon_name (self->output_icon,
                                has_suffix_nocase (name, ".eml") ? "mail-unread-symbolic"
                                : "text-x-generic-symbolic");

  /* Dragged out: a file list (mail clients, file managers) or a single GFile. */
  files = g_slist_prepend (NULL, self->written);
  list = gdk_file_list_new_from_list (files);
  g_slist_free (files);
  providers[0] = gdk_content_provider_new_typed (GDK_TYPE_FILE_LIST, list);
  providers[1] = gdk_content_provider_new_typed (G_TYPE_FILE, self->written);
  g_boxed_free (GDK_TYPE_FILE_LIST, list);
  content = gdk_content_provider_new_union (providers, G_N_ELEMENTS (providers));
  gtk_drag_source_set_content (self->drag_source, content);
  g_object_unref (content);

  gtk_stack_set_visible_child_name (self->stack, "done");
}

static void
job_done (ProtectJob   *job,
          gboolean      ok,
          const GError *error)
{
  CachetProtectView *self = job->view;

  if (!ok)
    g_debug ("Protecting %s failed: %s", job->input, error ? error->message : "?");
  if (job->generation != self->generation)
    return;
  set_busy (self, FALSE);
  if (ok)
    show_written (self, job->output);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    cachet_ui_show_toast (GTK_WIDGET (self), _("Stopped. Nothing was written."));
  else
    cachet_ui_show_toast (GTK_WIDGET (self), error->message);
}

static void
sign_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ProtectJob *job = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = cachet_sign_file_finish (result, &error);

  job_done (job, ok, error);
  protect_job_free (job);
}

static void
encrypt_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ProtectJob *job = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = cachet_encrypt_file_finish (result, &error);

  job_done (job, ok, error);
  protect_job_free (job);
}

static void
run_core (ProtectJob        *job,
          CachetCredentials *credentials)
{
  CachetProtectView *self = job->view;
  g_autoptr(CachetOptions) options = cachet_options_new ();

  cachet_options_set_store (options, job->store);
  if (credentials)
    cachet_options_add_credentials (options, credentials);
  if (self->settings != NULL)
    {
      g_autofree char *name = g_settings_get_string (self->settings, "cipher");
      CachetCipher cipher;

      if (cachet_cipher_from_string (name, &cipher))
        cachet_options_set_cipher (options, cipher);
    }
  g_set_object (&self->options, options);

  if (job->encrypt)
    {
      for (guint i = 0; i < job->addresses->len; i++)
        cachet_options_add_recipient_address (options, job->addresses->pdata[i]);
      cachet_options_set_encrypt_to_self (options, job->to_self);
      if (job->to_self && job->identity)
        cachet_options_set_sender (options, cachet_identity_get_certificate (job->identity));
      cachet_options_set_sign (options, job->sign);
      cachet_encrypt_file_async (options, job->input, job->output, self->cancellable, encrypt_done, job);
    }
  else
    cachet_sign_file_async (options, job->input, job->output, self->cancellable, sign_done, job);
}

static void
load_credentials_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  ProtectJob *job = task_data;
  GError *error = NULL;
  CachetCredentials *credentials;

  /* By fingerprint, through the store's signing check: an expired or signing-incapable
   * certificate is refused with a sentence that says so. */
  credentials = cachet_store_get_signing_credentials (job->store,
                                                      cachet_certificate_get_fingerprint (cachet_identity_get_certificate (job->identity)),
                                                      cancellable, &error);
  if (credentials == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, credentials, g_object_unref);
}

static void
credentials_loaded (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ProtectJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCredentials) credentials = g_task_propagate_pointer (G_TASK (result), &error);

  if (credentials == NULL || job->generation != job->view->generation)
    {
      job_done (job, FALSE, error);
      protect_job_free (job);
      return;
    }
  run_core (job, credentials);
}

static void
start (CachetProtectView *self,
       GFile             *output)
{
  g_autofree char *name = NULL;
  ProtectJob *job;

  job = g_new0 (ProtectJob, 1);
  job->view = g_object_ref (self);
  job->store = g_object_ref (self->store);
  job->input = g_file_get_path (self->file);
  job->output = g_file_get_path (output);
  if (job->input == NULL || job->output == NULL)
    {
      cachet_ui_show_toast (GTK_WIDGET (self), _("Cachet can only sign or encrypt files in a folder on this computer."));
      protect_job_free (job);
      return;
    }
  if (g_strcmp0 (job->input, job->output) == 0)
    {
      cachet_ui_show_toast (GTK_WIDGET (self), _("Choose another name: Cachet does not overwrite the original."));
      protect_job_free (job);
      return;
    }
  job->sign = gtk_switch_get_active (self->sign_switch);
  job->encrypt = gtk_switch_get_active (self->encrypt_switch);
  job->to_self = gtk_switch_get_active (self->self_switch);
  if (job->sign || (job->encrypt && job->to_self))
    {
      guint selected = adw_combo_row_get_selected (self->identity_row);

      if (selected < self->signers->len)
        job->identity = g_object_ref (g_ptr_array_index (self->signers, selected));
    }
  job->addresses = g_ptr_array_new_with_free_func (g_free);
  if (job->encrypt)
    {
      GHashTableIter iter;
      gpointer contact;

      g_hash_table_iter_init (&iter, self->chosen);
      while (g_hash_table_iter_next (&iter, &contact, NULL))
        {
          const char * const *addresses =
            cachet_certificate_get_addresses (cachet_contact_get_certificate (contact));

          if (addresses && addresses[0])
            g_ptr_array_add (job->addresses, g_strdup (addresses[0]));
        }
    }

  self->generation++;
  job->generation = self->generation;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_object (&self->written);

  name = g_file_get_basename (self->file);
  g_free (self->busy_title);
  if (job->sign && job->encrypt)
    /* Translators: %s is a file name */
    self->busy_title = g_strdup_printf (_("Signing and encrypting “%s”…"), name);
  else if (job->encrypt)
    /* Translators: %s is a file name */
    self->busy_title = g_strdup_printf (_("Encrypting “%s”…"), name);
  else
    /* Translators: %s is a file name */
    self->busy_title = g_strdup_printf (_("Signing “%s”…"), name);
  set_busy (self, TRUE);

  if (job->sign && job->identity)
    {
      /* The key comes from the keyring, which may take a while (or ask to unlock). */
      g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, credentials_loaded, job);

      g_task_set_task_data (task, job, NULL);
      g_task_run_in_thread (task, load_credentials_thread);
    }
  else
    run_core (job, NULL);
}

static char *
suggested_name (CachetProtectView *self)
{
  g_autofree char *name = g_file_get_basename (self->file);
  gboolean encrypt = gtk_switch_get_active (self->encrypt_switch);

  if (self->message)
    {
      g_autofree char *stem = has_suffix_nocase (name, ".eml")
                              ? g_strndup (name, strlen (name) - strlen (".eml"))
                              : g_strdup (name);
      /* Translators: file names, e.g. "minutes-encrypted.eml"; keep the ".eml" */
      return g_strdup_printf (encrypt ? _("%s-encrypted.eml") : _("%s-signed.eml"), stem);
    }
  return g_strconcat (name, encrypt ? ".p7m" : ".p7s", NULL);
}

static void
save_response (GtkNativeDialog   *dialog,
               int                response,
               CachetProtectView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) output = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (output && self->settings != NULL)
        {
          g_autoptr(GFile) folder = g_file_get_parent (output);
          g_autofree char *path = folder ? g_file_get_path (folder) : NULL;

          if (path)
            g_settings_set_string (self->settings, "last-folder", path);
        }
      if (output)
        start (self, output);
    }
  g_clear_object (&self->save_dialog);
}

static void
run_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CachetProtectView *self = CACHET_PROTECT_VIEW (widget);
  g_autofree char *suggested = NULL;
  g_autoptr(GFile) folder = NULL;
  const char *title;

  if (self->file == NULL || self->busy)
    return;
  if (self->store == NULL)
    {
      cachet_ui_show_toast (GTK_WIDGET (self), _("Cachet could not open its data folder, so it has no identities or contacts."));
      return;
    }
  if (self->test_output)
    {
      g_autoptr(GFile) output = g_steal_pointer (&self->test_output);

      start (self, output);
      return;
    }

  if (gtk_switch_get_active (self->encrypt_switch))
    title = self->message ? _("Save Encrypted Message") : _("Save Encrypted File");
  else
    title = self->message ? _("Save Signed Message") : _("Save Signature");
  if (self->save_dialog)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->save_dialog));
  g_clear_object (&self->save_dialog);
  self->save_dialog = gtk_file_chooser_native_new (title, cachet_ui_get_window (widget),
                                                   GTK_FILE_CHOOSER_ACTION_SAVE,
                                                   _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->save_dialog), TRUE);
  suggested = suggested_name (self);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->save_dialog), suggested);
  /* Suggest the original's folder (else the last one); the person confirms where it goes. */
  folder = g_file_get_parent (self->file);
  if (folder == NULL && self->settings != NULL)
    {
      g_autofree char *last = g_settings_get_string (self->settings, "last-folder");

      if (last && *last && g_file_test (last, G_FILE_TEST_IS_DIR))
        folder = g_file_new_for_path (last);
    }
  if (folder)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->save_dialog), folder, NULL);
  g_signal_connect (self->save_dialog, "response", G_CALLBACK (save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->save_dialog));
}

static void
show_folder_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  CachetProtectView *self = CACHET_PROTECT_VIEW (widget);
  g_autoptr(GFile) folder = self->written ? g_file_get_parent (self->written) : NULL;
  g_autofree char *uri = folder ? g_file_get_uri (folder) : NULL;

  if (uri)
    gtk_show_uri (cachet_ui_get_window (widget), uri, GDK_CURRENT_TIME);
}

static void
again_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CachetProtectView *self = CACHET_PROTECT_VIEW (widget);

  gtk_stack_set_visible_child_name (self->stack, "form");
}

gboolean
cachet_protect_view_get_busy (CachetProtectView *self)
{
  g_return_val_if_fail (CACHET_IS_PROTECT_VIEW (self), FALSE);
  return self->busy;
}

const char *
cachet_protect_view_get_busy_title (CachetProtectView *self)
{
  g_return_val_if_fail (CACHET_IS_PROTECT_VIEW (self), NULL);
  return self->busy_title;
}

void
cachet_protect_view_get_progress (CachetProtectView *self,
                                  guint64           *done,
                                  guint64           *total)
{
  g_return_if_fail (CACHET_IS_PROTECT_VIEW (self));

  *done = self->busy && self->options ? cachet_options_get_bytes_done (self->options) : 0;
  *total = self->busy && self->options ? cachet_options_get_bytes_total (self->options) : 0;
}

void
cachet_protect_view_cancel (CachetProtectView *self)
{
  g_return_if_fail (CACHET_IS_PROTECT_VIEW (self));

  /* The job answers (cancelled) once the core has stopped and removed its temporary file. */
  if (self->busy && self->cancellable)
    g_cancellable_cancel (self->cancellable);
}

void
_cachet_protect_view_set_output (CachetProtectView *self,
                                 GFile             *output)
{
  g_return_if_fail (CACHET_IS_PROTECT_VIEW (self));
  g_set_object (&self->test_output, output);
}

GFile *
_cachet_protect_view_get_written (CachetProtectView *self)
{
  return self->written;
}

GtkListBox *
_cachet_protect_view_get_recipient_list (CachetProtectView *self)
{
  return self->recipient_list;
}

GtkSearchEntry *
_cachet_protect_view_get_search_entry (CachetProtectView *self)
{
  return self->search_entry;
}

GtkDragSource *
_cachet_protect_view_get_drag_source (CachetProtectView *self)
{
  return self->drag_source;
}

/* Life cycle */

static void
cachet_protect_view_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CachetProtectView *self = CACHET_PROTECT_VIEW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cachet_protect_view_dispose (GObject *object)
{
  CachetProtectView *self = CACHET_PROTECT_VIEW (object);

  self->generation++;
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->save_dialog)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->save_dialog));
  g_clear_object (&self->save_dialog);
  if (self->recipient_list)
    gtk_list_box_bind_model (self->recipient_list, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CACHET_TYPE_PROTECT_VIEW);

  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->filtered);
  g_clear_pointer (&self->signers, g_ptr_array_unref);
  g_clear_pointer (&self->chosen, g_hash_table_unref);
  g_clear_object (&self->file);
  g_clear_object (&self->test_output);
  g_clear_object (&self->written);
  g_clear_object (&self->options);
  self->contacts = NULL;
  self->identities = NULL;

  G_OBJECT_CLASS (cachet_protect_view_parent_class)->dispose (object);
}

static void
cachet_protect_view_finalize (GObject *object)
{
  CachetProtectView *self = CACHET_PROTECT_VIEW (object);

  g_free (self->busy_title);

  G_OBJECT_CLASS (cachet_protect_view_parent_class)->finalize (object);
}

static void
cachet_protect_view_class_init (CachetProtectViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cachet_protect_view_get_property;
  object_class->dispose = cachet_protect_view_dispose;
  object_class->finalize = cachet_protect_view_finalize;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/cachet-protect-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, stack);
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, file_icon);
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, title_label);
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, description_label);
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, sign_switch);
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, encrypt_switch);
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, identity_group);
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, identity_row);
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, no_identity_row);
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, recipients_box);
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, recipient_list);
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, self_switch);
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, run_button);
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, hint_label);
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, done_page);
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, output_row);
  gtk_widget_class_bind_template_child (widget_class, CachetProtectView, output_icon);
  gtk_widget_class_bind_template_callback (widget_class, search_changed);

  gtk_widget_class_install_action (widget_class, "protect.run", NULL, run_activated);
  gtk_widget_class_install_action (widget_class, "protect.show-folder", NULL, show_folder_activated);
  gtk_widget_class_install_action (widget_class, "protect.again", NULL, again_activated);
}

static void
cachet_protect_view_init (CachetProtectView *self)
{
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->signers = g_ptr_array_new_with_free_func (g_object_unref);
  self->chosen = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, NULL);
  self->filter = gtk_custom_filter_new (contact_matches, self, NULL);
  /* The filter list model owns the filter. */
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));

  placeholder = gtk_label_new (_("No contacts. Import the certificates of the people you write to in the Contacts pane, or check a signed message from them."));
  gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
  gtk_label_set_justify (GTK_LABEL (placeholder), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_widget_set_margin_start (placeholder, 12);
  gtk_widget_set_margin_end (placeholder, 12);
  gtk_list_box_set_placeholder (self->recipient_list, placeholder);
  self->placeholder = GTK_LABEL (placeholder);

  self->drag_source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (self->drag_source, GDK_ACTION_COPY);
  gtk_widget_add_controller (GTK_WIDGET (self->output_row), GTK_EVENT_CONTROLLER (self->drag_source));

  g_signal_connect_swapped (self->sign_switch, "notify::active", G_CALLBACK (switches_changed), self);
  g_signal_connect_swapped (self->encrypt_switch, "notify::active", G_CALLBACK (switches_changed), self);
  g_signal_connect_swapped (self->self_switch, "notify::active", G_CALLBACK (update_form), self);
  g_signal_connect_swapped (self->identity_row, "notify::selected", G_CALLBACK (update_form), self);

  gtk_switch_set_active (self->sign_switch, TRUE);
  fill_identities (self);
}

GtkWidget *
cachet_protect_view_new (void)
{
  return g_object_new (CACHET_TYPE_PROTECT_VIEW, NULL);
}
