/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-identities-view.c: the Identities pane (see cachet-identities-view.h).
 *
 * The list is bound to the store's identity model, so identities made or imported elsewhere
 * (cachet-cli, another window) appear by themselves. Importing a PKCS#12 backup asks for its
 * password and runs in the store's thread (600,000 PBKDF2 iterations take a moment).
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cachet-certificate-dialog.h"
#include "cachet-error.h"
#include "cachet-identities-view.h"
#include "cachet-output.h"
#include "cachet-ui-util.h"

struct _CachetIdentitiesView
{
  GtkWidget     parent_instance;

  GtkStack     *stack;
  AdwStatusPage *empty_page;
  GtkWidget    *empty_import_button;
  GtkListBox   *list;

  CachetStore  *store;
  GListModel   *model;     /* borrowed from the store */
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (CachetIdentitiesView, cachet_identities_view, GTK_TYPE_WIDGET)

static char *
describe_identity (CachetIdentity *identity)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *email = cachet_identity_get_email (identity);
  const char *key = cachet_identity_get_key_description (identity);
  int days = cachet_identity_get_days_left (identity);

  if (email)
    g_string_append (text, email);

  switch (cachet_identity_get_state (identity))
    {
    case CACHET_IDENTITY_WAITING:
      g_string_append_printf (text, " · %s", _("waiting for the certificate from your certificate authority"));
      break;
    case CACHET_IDENTITY_REPLACED:
      g_string_append_printf (text, " · %s", _("replaced by a newer certificate; still opens older mail"));
      break;
    case CACHET_IDENTITY_CURRENT:
    default:
      if (days < 0)
        g_string_append_printf (text, " · %s", _("expired"));
      else
        {
          /* Translators: how long a certificate stays valid */
          g_autofree char *valid = g_strdup_printf (ngettext ("valid for %d more day",
                                                              "valid for %d more days", days),
                                                    days);
          g_string_append_printf (text, " · %s", valid);
        }
      break;
    }
  if (key)
    g_string_append_printf (text, " · %s", key);
  if (cachet_identity_get_warning (identity))
    g_string_append_printf (text, "\n%s", cachet_identity_get_warning (identity));

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
append_item (GMenu      *menu,
             const char *label,
             const char *action,
             const char *key_id)
{
  g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, action, g_variant_new_string (key_id));
  g_menu_append_item (menu, item);
}

static CachetIdentity *
find_identity (CachetIdentitiesView *self,
               const char           *key_id)
{
  for (guint i = 0; self->model && i < g_list_model_get_n_items (self->model); i++)
    {
      g_autoptr(CachetIdentity) identity = g_list_model_get_item (self->model, i);

      if (g_strcmp0 (cachet_identity_get_key_id (identity), key_id) == 0)
        return g_steal_pointer (&identity);
    }
  return NULL;
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  CachetIdentity *identity = item;
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = describe_identity (identity);
  const char *warning = cachet_identity_get_warning (identity);
  GtkWidget *icon;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cachet_identity_get_name (identity));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  icon = gtk_image_new_from_icon_name (cachet_identity_get_state (identity) == CACHET_IDENTITY_CURRENT
                                       ? "avatar-default-symbolic" : "document-open-recent-symbolic");
  gtk_widget_set_valign (icon, GTK_ALIGN_CENTER);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  {
    GtkWidget *menu_button = gtk_menu_button_new ();
    g_autoptr(GMenu) menu = g_menu_new ();
    const char *key_id = cachet_identity_get_key_id (identity);
    /* Translators: %s is a person's name */
    g_autofree char *label = g_strdup_printf (_("Actions for “%s”"), cachet_identity_get_name (identity));

    if (cachet_identity_get_state (identity) == CACHET_IDENTITY_WAITING)
      {
        append_item (menu, _("_Save Request for the Authority…"), "identity.save-request", key_id);
        append_item (menu, _("_Install Certificate…"), "identity.install", key_id);
      }
    else
      {
        append_item (menu, _("Show _Details"), "identity.details", key_id);
        append_item (menu, _("_Export Backup…"), "identity.export", key_id);
      }
    append_item (menu, _("_Delete…"), "identity.delete", key_id);

    gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "view-more-symbolic");
    gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), G_MENU_MODEL (menu));
    gtk_widget_set_valign (menu_button, GTK_ALIGN_CENTER);
    gtk_widget_add_css_class (menu_button, "flat");
    gtk_widget_set_tooltip_text (menu_button, label);
    gtk_accessible_update_property (GTK_ACCESSIBLE (menu_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    label, -1);
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), menu_button);
  }

  if (warning)
    {
      GtkWidget *warning_icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_widget_add_css_class (warning_icon, "cachet-status-icon");
      gtk_widget_add_css_class (warning_icon, "untrusted");
      gtk_widget_set_tooltip_text (warning_icon, warning);
      gtk_accessible_update_property (GTK_ACCESSIBLE (warning_icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, warning, -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), warning_icon);
    }
  return row;
}

static void
update_page (CachetIdentitiesView *self)
{
  gboolean has_items = self->model && g_list_model_get_n_items (self->model) > 0;

  gtk_stack_set_visible_child_name (self->stack, has_items ? "list" : "empty");
}

/* Import a PKCS#12 backup: choose the file, read it, ask for the password, import. */

typedef struct {
  CachetIdentitiesView *self;   /* strong */
  GBytes               *data;
  char                 *name;
} ImportJob;

static void
import_job_free (ImportJob *job)
{
  g_clear_object (&job->self);
  g_clear_pointer (&job->data, g_bytes_unref);
  g_free (job->name);
  g_free (job);
}

static void
import_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CachetIdentitiesView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetIdentity) identity = NULL;

  identity = cachet_store_import_pkcs12_finish (CACHET_STORE (source), result, &error);
  if (identity == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        cachet_ui_show_toast (GTK_WIDGET (self), error->message);
      return;
    }
  {
    /* Translators: %s is a person's name */
    g_autofree char *message = g_strdup_printf (_("Identity “%s” imported"),
                                                cachet_identity_get_name (identity));
    cachet_ui_show_toast (GTK_WIDGET (self), message);
  }
}

static void
password_response (AdwMessageDialog *dialog,
                   const char       *response,
                   ImportJob        *job)
{
  GtkEditable *entry;

  if (!cachet_ui_first_response (dialog))
    return;
  /* GTK 4.8's password entry reacts to focus changes after it is gone when its dialog is
   * destroyed with the focus inside (a use after free): take the focus out first. */
  gtk_window_set_focus (GTK_WINDOW (dialog), NULL);
  entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  if (g_strcmp0 (response, "import") == 0 && job->self->store)
    cachet_store_import_pkcs12_async (job->self->store, job->data, gtk_editable_get_text (entry),
                                      job->self->cancellable, import_done,
                                      g_object_ref (job->self));
  /* Do not leave the password in the entry's buffer longer than needed. */
  gtk_editable_set_text (entry, "");
  import_job_free (job);
}

static void
ask_password (ImportJob *job)
{
  GtkWidget *dialog;
  GtkWidget *entry;
  g_autofree char *body = NULL;

  /* Translators: %s is a file name */
  body = g_strdup_printf (_("Enter the password that protects “%s”. It was chosen when the backup was made."),
                          job->name);
  dialog = adw_message_dialog_new (cachet_ui_get_window (GTK_WIDGET (job->self)),
                                   _("Import Identity"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "import", _("_Import"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "import",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "import");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  entry = gtk_password_entry_new ();
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
  g_object_set (entry, "activates-default", TRUE, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Password"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);

  g_signal_connect (dialog, "response", G_CALLBACK (password_response), job);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
file_loaded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ImportJob *job = user_data;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, &error))
    {
      g_autofree char *message = NULL;

      /* Translators: %s is a file name */
      message = g_strdup_printf (_("“%s” could not be read. Check that it still exists."), job->name);
      cachet_ui_show_toast (GTK_WIDGET (job->self), message);
      import_job_free (job);
      return;
    }
  job->data = g_bytes_new_take (contents, length);
  ask_password (job);
}

/* Reads FILE, asks for its password and imports it (also for a .p12 opened from the file manager). */
void
cachet_identities_view_import_file (CachetIdentitiesView *self,
                                    GFile                *file)
{
  ImportJob *job = g_new0 (ImportJob, 1);

  g_return_if_fail (CACHET_IS_IDENTITIES_VIEW (self));

  job->self = g_object_ref (self);
  job->name = g_file_get_basename (file);
  g_file_load_contents_async (file, self->cancellable, file_loaded, job);
}

static void
chooser_response (GtkNativeDialog      *dialog,
                  int                   response,
                  CachetIdentitiesView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      cachet_identities_view_import_file (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
import_clicked (CachetIdentitiesView *self)
{
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter;

  if (self->store == NULL)
    {
      cachet_ui_show_toast (GTK_WIDGET (self), _("Cachet could not open its data folder, so it cannot keep identities. Check the folder’s permissions and restart Cachet."));
      return;
    }

  dialog = gtk_file_chooser_native_new (_("Import Identity Backup"),
                                        cachet_ui_get_window (GTK_WIDGET (self)),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Identity backups (.p12, .pfx)"));
  gtk_file_filter_add_mime_type (filter, "application/x-pkcs12");
  gtk_file_filter_add_suffix (filter, "p12");
  gtk_file_filter_add_suffix (filter, "pfx");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  g_signal_connect (dialog, "response", G_CALLBACK (chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* Writing what Cachet made (a request, a backup) to a file the person chose. */

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GFile *file = source_object;
  GBytes *bytes = task_data;
  g_autofree char *path = g_file_get_path (file);
  GError *error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  if (path == NULL)
    {
      g_task_return_new_error (task, CACHET_ERROR, CACHET_ERROR_IO,
                               _("Cachet can only save to a folder on this computer. Choose another place."));
      return;
    }
  /* All or nothing: never a half-written file. */
  if (!cachet_output_write_file (path, data, size, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
file_written (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CachetIdentitiesView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    cachet_ui_show_toast (GTK_WIDGET (self), error->message);
  else
    cachet_ui_show_toast (GTK_WIDGET (self), _("Saved"));
}

static void
write_bytes_to (CachetIdentitiesView *self,
                GFile                *file,
                GBytes               *bytes)
{
  g_autoptr(GTask) task = g_task_new (file, self->cancellable, file_written, g_object_ref (self));

  g_task_set_task_data (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, write_thread);
}

typedef void (*SaveCallback) (CachetIdentitiesView *self,
                              GFile                *file,
                              gpointer              data);

typedef struct {
  CachetIdentitiesView *self;
  SaveCallback          callback;
  gpointer              data;
  GDestroyNotify        destroy;
} SaveChoice;

static void
save_choice_response (GtkNativeDialog *dialog,
                      int              response,
                      SaveChoice      *choice)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file)
        choice->callback (choice->self, file, choice->data);
    }
  if (choice->destroy)
    choice->destroy (choice->data);
  g_object_unref (choice->self);
  g_free (choice);
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
choose_save_file (CachetIdentitiesView *self,
                  const char           *title,
                  const char           *suggested_name,
                  SaveCallback          callback,
                  gpointer              data,
                  GDestroyNotify        destroy)
{
  GtkFileChooserNative *dialog;
  SaveChoice *choice = g_new0 (SaveChoice, 1);

  choice->self = g_object_ref (self);
  choice->callback = callback;
  choice->data = data;
  choice->destroy = destroy;
  dialog = gtk_file_chooser_native_new (title, cachet_ui_get_window (GTK_WIDGET (self)),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested_name);
  g_signal_connect (dialog, "response", G_CALLBACK (save_choice_response), choice);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* A file name from a person's name: no folder separators. */
static char *
file_name_for (const char *name,
               const char *extension)
{
  g_autofree char *safe = g_strdup (name && *name ? name : _("identity"));

  g_strdelimit (safe, "/\\", '-');
  return g_strconcat (safe, extension, NULL);
}

/* Save request */

static void
save_request_to (CachetIdentitiesView *self,
                 GFile                *file,
                 gpointer              data)
{
  CachetIdentity *identity = data;
  const char *request = cachet_identity_get_request (identity);
  g_autoptr(GBytes) bytes = NULL;

  if (request == NULL)
    return;
  bytes = g_bytes_new (request, strlen (request));
  write_bytes_to (self, file, bytes);
}

static void
offer_request (CachetIdentitiesView *self,
               CachetIdentity       *identity)
{
  g_autofree char *name = file_name_for (cachet_identity_get_name (identity), ".csr");

  choose_save_file (self, _("Save Request for the Certificate Authority"), name,
                    save_request_to, g_object_ref (identity), g_object_unref);
}

static void
save_request_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  CachetIdentitiesView *self = CACHET_IDENTITIES_VIEW (widget);
  g_autoptr(CachetIdentity) identity = find_identity (self, g_variant_get_string (parameter, NULL));

  if (identity)
    offer_request (self, identity);
}

/* Show details */

static void
details_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CachetIdentitiesView *self = CACHET_IDENTITIES_VIEW (widget);
  g_autoptr(CachetIdentity) identity = find_identity (self, g_variant_get_string (parameter, NULL));

  if (identity && cachet_identity_get_certificate (identity))
    cachet_certificate_dialog_show (widget, cachet_identity_get_certificate (identity),
                                    cachet_identity_get_chain (identity), self->store);
}

/* Install the certificate the authority sent */

static void
certificate_loaded (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CachetIdentitiesView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_file_load_bytes_finish (G_FILE (source), result, NULL, &error);
  g_autoptr(CachetIdentity) identity = NULL;

  if (bytes == NULL)
    {
      cachet_ui_show_toast (GTK_WIDGET (self), _("The file could not be read. Check that it still exists."));
      return;
    }
  if (self->store == NULL)
    return;
  identity = cachet_store_install_certificate (self->store, bytes, &error);
  if (identity == NULL)
    cachet_ui_show_toast (GTK_WIDGET (self), error->message);
  else
    {
      /* Translators: %s is a person's name */
      g_autofree char *message = g_strdup_printf (_("Certificate installed: “%s” can now sign"),
                                                  cachet_identity_get_name (identity));
      cachet_ui_show_toast (GTK_WIDGET (self), message);
    }
}

static void
install_response (GtkNativeDialog      *dialog,
                  int                   response,
                  CachetIdentitiesView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file)
        g_file_load_bytes_async (file, self->cancellable, certificate_loaded, g_object_ref (self));
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
install_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CachetIdentitiesView *self = CACHET_IDENTITIES_VIEW (widget);
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter;

  dialog = gtk_file_chooser_native_new (_("Install the Certificate from Your Authority"),
                                        cachet_ui_get_window (GTK_WIDGET (self)),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Install"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Certificates (.crt, .pem, .cer, .p7b)"));
  gtk_file_filter_add_suffix (filter, "crt");
  gtk_file_filter_add_suffix (filter, "pem");
  gtk_file_filter_add_suffix (filter, "cer");
  gtk_file_filter_add_suffix (filter, "der");
  gtk_file_filter_add_suffix (filter, "p7b");
  gtk_file_filter_add_suffix (filter, "p7c");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  g_signal_connect (dialog, "response", G_CALLBACK (install_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* Export a backup (PKCS#12) */

typedef struct {
  CachetIdentity *identity;
  char           *password;
  gboolean        legacy;
} ExportJob;

static void
export_job_free (ExportJob *job)
{
  g_clear_object (&job->identity);
  if (job->password)
    {
      memset (job->password, 0, strlen (job->password));
      g_free (job->password);
    }
  g_free (job);
}

typedef struct {
  CachetIdentitiesView *self;   /* strong */
  GFile                *file;
} ExportWrite;

static void
exported (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  ExportWrite *write = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = cachet_store_export_identity_finish (CACHET_STORE (source), result, &error);

  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        cachet_ui_show_toast (GTK_WIDGET (write->self), error->message);
    }
  else
    write_bytes_to (write->self, write->file, bytes);
  g_object_unref (write->self);
  g_object_unref (write->file);
  g_free (write);
}

static void
export_to (CachetIdentitiesView *self,
           GFile                *file,
           gpointer              data)
{
  ExportJob *job = data;
  ExportWrite *write;

  if (self->store == NULL)
    return;
  write = g_new0 (ExportWrite, 1);
  write->self = g_object_ref (self);
  write->file = g_object_ref (file);
  cachet_ui_show_toast (GTK_WIDGET (self), _("Making the backup…"));
  cachet_store_export_identity_async (self->store, job->identity, job->password, job->legacy,
                                      self->cancellable, exported, write);
}

static void
export_response (AdwMessageDialog *dialog,
                 const char       *response,
                 gpointer          user_data)
{
  CachetIdentitiesView *self = CACHET_IDENTITIES_VIEW (user_data);
  CachetIdentity *identity = g_object_get_data (G_OBJECT (dialog), "cachet-identity");
  GtkEditable *password = g_object_get_data (G_OBJECT (dialog), "cachet-password");
  GtkEditable *again = g_object_get_data (G_OBJECT (dialog), "cachet-again");
  GtkSwitch *legacy = g_object_get_data (G_OBJECT (dialog), "cachet-legacy");
  ExportJob *job;
  g_autofree char *name = NULL;

  if (!cachet_ui_first_response (dialog))
    return;
  gtk_window_set_focus (GTK_WINDOW (dialog), NULL);  /* see password_response () */

  if (g_strcmp0 (response, "export") != 0)
    goto out;
  if (g_strcmp0 (gtk_editable_get_text (password), gtk_editable_get_text (again)) != 0)
    {
      cachet_ui_show_toast (GTK_WIDGET (self), _("The two passwords differ. Export again and type the same password twice."));
      goto out;
    }
  if (*gtk_editable_get_text (password) == '\0')
    {
      cachet_ui_show_toast (GTK_WIDGET (self), _("A backup needs a password: it protects your private key. Export again with one."));
      goto out;
    }

  job = g_new0 (ExportJob, 1);
  job->identity = g_object_ref (identity);
  job->password = g_strdup (gtk_editable_get_text (password));
  job->legacy = gtk_switch_get_active (legacy);
  name = file_name_for (cachet_identity_get_name (identity), ".p12");
  choose_save_file (self, _("Save Identity Backup"), name, export_to, job,
                    (GDestroyNotify) export_job_free);

out:
  gtk_editable_set_text (password, "");
  gtk_editable_set_text (again, "");
}

static GtkWidget *
password_entry (const char *label)
{
  GtkWidget *entry = gtk_password_entry_new ();

  /* Plain GtkPasswordEntry: libadwaita 1.2's password row warns when its dialog is destroyed. */
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
  g_object_set (entry, "placeholder-text", label, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  return entry;
}

static void
export_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CachetIdentitiesView *self = CACHET_IDENTITIES_VIEW (widget);
  g_autoptr(CachetIdentity) identity = find_identity (self, g_variant_get_string (parameter, NULL));
  GtkWidget *dialog, *box, *list, *password, *again, *legacy_row, *legacy;

  if (identity == NULL)
    return;

  dialog = adw_message_dialog_new (cachet_ui_get_window (GTK_WIDGET (self)), _("Export Backup"),
                                   _("The backup holds your private key, protected by the password you choose now. Keep both safe: anyone with the file and the password can sign as you and read your mail."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "export", _("_Export…"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "export",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "export");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  password = password_entry (_("Password"));
  again = password_entry (_("Password again"));
  legacy_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (legacy_row), _("Compatible with macOS and older systems"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (legacy_row), _("Uses older, weaker encryption (3DES) that those systems need"));
  legacy = gtk_switch_new ();
  gtk_widget_set_valign (legacy, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (legacy_row), legacy);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (legacy_row), legacy);
  gtk_list_box_append (GTK_LIST_BOX (list), legacy_row);
  gtk_box_append (GTK_BOX (box), password);
  gtk_box_append (GTK_BOX (box), again);
  gtk_box_append (GTK_BOX (box), list);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);

  g_object_set_data_full (G_OBJECT (dialog), "cachet-identity", g_object_ref (identity), g_object_unref);
  g_object_set_data (G_OBJECT (dialog), "cachet-password", password);
  g_object_set_data (G_OBJECT (dialog), "cachet-again", again);
  g_object_set_data (G_OBJECT (dialog), "cachet-legacy", legacy);
  g_signal_connect_object (dialog, "response", G_CALLBACK (export_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Delete, after saying what is lost */

static void
delete_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;

  if (cachet_store_delete_identity (source_object, task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
deleted (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CachetIdentitiesView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    cachet_ui_show_toast (GTK_WIDGET (self), error->message);
  else
    cachet_ui_show_toast (GTK_WIDGET (self), _("Identity deleted"));
}

static void
delete_response (AdwMessageDialog *dialog,
                 const char       *response,
                 gpointer          user_data)
{
  CachetIdentitiesView *self = CACHET_IDENTITIES_VIEW (user_data);
  CachetIdentity *identity = g_object_get_data (G_OBJECT (dialog), "cachet-identity");
  g_autoptr(GTask) task = NULL;

  if (!cachet_ui_first_response (dialog))
    return;

  if (g_strcmp0 (response, "delete") != 0 || self->store == NULL)
    return;
  task = g_task_new (self->store, self->cancellable, deleted, g_object_ref (self));
  g_task_set_task_data (task, g_object_ref (identity), g_object_unref);
  g_task_run_in_thread (task, delete_thread);
}

static void
delete_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CachetIdentitiesView *self = CACHET_IDENTITIES_VIEW (widget);
  g_autoptr(CachetIdentity) identity = find_identity (self, g_variant_get_string (parameter, NULL));
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (identity == NULL)
    return;
  /* Translators: %s is a person's name */
  heading = g_strdup_printf (_("Delete “%s”?"), cachet_identity_get_name (identity));
  dialog = cachet_ui_confirm_dialog_new (cachet_ui_get_window (GTK_WIDGET (self)), heading,
                                         _("Its private key is removed from this computer. You can no longer sign with it, and mail encrypted to it cannot be read any more, unless you have a backup (.p12). This cannot be undone."),
                                         "delete", _("_Delete"));
  g_object_set_data_full (G_OBJECT (dialog), "cachet-identity", g_object_ref (identity), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* New identity: the request for a certificate authority */

static const struct {
  CachetKeyType type;
  const char   *label;
} key_choices[] = {
  { CACHET_KEY_TYPE_RSA_3072, N_("RSA 3072 (recommended)") },
  { CACHET_KEY_TYPE_RSA_4096, N_("RSA 4096 (slower, stronger)") },
  { CACHET_KEY_TYPE_RSA_2048, N_("RSA 2048 (for old systems)") },
  { CACHET_KEY_TYPE_P256,     N_("ECDSA P-256 (signs only: cannot receive encrypted mail)") },
};

static void
identity_created (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CachetIdentitiesView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetIdentity) identity = cachet_store_new_identity_finish (CACHET_STORE (source), result, &error);

  gtk_widget_set_sensitive (GTK_WIDGET (self), TRUE);
  if (identity == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        cachet_ui_show_toast (GTK_WIDGET (self), error->message);
      return;
    }
  cachet_ui_show_toast (GTK_WIDGET (self), _("Key made. Save the request and upload it to your certificate authority."));
  offer_request (self, identity);
}

static const char *
entry_text (GObject    *dialog,
            const char *key)
{
  const char *text = gtk_editable_get_text (g_object_get_data (dialog, key));

  return text && *text ? text : NULL;
}

static void
new_identity_response (AdwMessageDialog *dialog,
                       const char       *response,
                       gpointer          user_data)
{
  CachetIdentitiesView *self = CACHET_IDENTITIES_VIEW (user_data);
  AdwComboRow *key_row = g_object_get_data (G_OBJECT (dialog), "cachet-key");
  CachetCsrSubject subject = { NULL, };
  g_autoptr(GError) error = NULL;
  guint choice;

  if (!cachet_ui_first_response (dialog))
    return;

  if (g_strcmp0 (response, "create") != 0 || self->store == NULL)
    return;

  subject.name = (char *) entry_text (G_OBJECT (dialog), "cachet-name");
  subject.email = (char *) entry_text (G_OBJECT (dialog), "cachet-email");
  subject.organization = (char *) entry_text (G_OBJECT (dialog), "cachet-organization");
  subject.country = (char *) entry_text (G_OBJECT (dialog), "cachet-country");
  if (!cachet_csr_subject_check (&subject, &error))
    {
      cachet_ui_show_toast (GTK_WIDGET (self), error->message);
      return;
    }
  choice = adw_combo_row_get_selected (key_row);
  if (choice >= G_N_ELEMENTS (key_choices))
    choice = 0;

  /* Key generation takes a while: the pane waits, the window does not. */
  gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);
  cachet_ui_show_toast (GTK_WIDGET (self), _("Making your key…"));
  cachet_store_new_identity_async (self->store, &subject, key_choices[choice].type,
                                   self->cancellable, identity_created, g_object_ref (self));
}

static GtkWidget *
entry_row (GObject    *dialog,
           const char *key,
           const char *title)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_object_set_data (dialog, key, row);
  return row;
}

static void
new_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CachetIdentitiesView *self = CACHET_IDENTITIES_VIEW (widget);
  GtkWidget *dialog, *list, *key_row;
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

  if (self->store == NULL)
    {
      cachet_ui_show_toast (GTK_WIDGET (self), _("Cachet could not open its data folder, so it cannot keep identities. Check the folder’s permissions and restart Cachet."));
      return;
    }

  dialog = adw_message_dialog_new (cachet_ui_get_window (GTK_WIDGET (self)), _("New Identity"),
                                   _("Cachet makes a private key on this computer and a request for a certificate authority. Step 1: fill in who you are. Step 2: save the request and upload it to your authority. Step 3: when it sends your certificate, choose Install Certificate on the new identity."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "create", _("_Make Key and Request"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "create",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_append (GTK_LIST_BOX (list), entry_row (G_OBJECT (dialog), "cachet-name", _("Full name")));
  gtk_list_box_append (GTK_LIST_BOX (list), entry_row (G_OBJECT (dialog), "cachet-email", _("Email address")));
  gtk_list_box_append (GTK_LIST_BOX (list), entry_row (G_OBJECT (dialog), "cachet-organization", _("Organisation (optional)")));
  gtk_list_box_append (GTK_LIST_BOX (list), entry_row (G_OBJECT (dialog), "cachet-country", _("Country code, such as NL (optional)")));
  for (guint i = 0; i < G_N_ELEMENTS (key_choices); i++)
    gtk_string_list_append (labels, _(key_choices[i].label));
  key_row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (key_row), _("Key"));
  adw_combo_row_set_model (ADW_COMBO_ROW (key_row), G_LIST_MODEL (labels));
  g_object_set_data (G_OBJECT (dialog), "cachet-key", key_row);
  gtk_list_box_append (GTK_LIST_BOX (list), key_row);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), list);

  g_signal_connect_object (dialog, "response", G_CALLBACK (new_identity_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
cachet_identities_view_set_store (CachetIdentitiesView *self,
                                  CachetStore          *store)
{
  g_return_if_fail (CACHET_IS_IDENTITIES_VIEW (self));

  if (self->model)
    g_signal_handlers_disconnect_by_func (self->model, update_page, self);
  g_set_object (&self->store, store);
  self->model = store ? cachet_store_get_identities (store) : NULL;

  gtk_list_box_bind_model (self->list, self->model, create_row, self, NULL);
  if (self->model)
    g_signal_connect_object (self->model, "items-changed", G_CALLBACK (update_page), self,
                             G_CONNECT_SWAPPED);
  update_page (self);
}

static void
cachet_identities_view_dispose (GObject *object)
{
  CachetIdentitiesView *self = CACHET_IDENTITIES_VIEW (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->list)
    gtk_list_box_bind_model (self->list, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CACHET_TYPE_IDENTITIES_VIEW);
  /* Children that are not bound template children (the layout's own boxes). */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->model = NULL;
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cachet_identities_view_parent_class)->dispose (object);
}

static void
cachet_identities_view_class_init (CachetIdentitiesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cachet_identities_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/cachet-identities-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetIdentitiesView, stack);
  gtk_widget_class_bind_template_child (widget_class, CachetIdentitiesView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CachetIdentitiesView, empty_import_button);
  gtk_widget_class_bind_template_child (widget_class, CachetIdentitiesView, list);
  gtk_widget_class_bind_template_callback (widget_class, import_clicked);

  gtk_widget_class_install_action (widget_class, "identity.new", NULL, new_activated);
  gtk_widget_class_install_action (widget_class, "identity.save-request", "s", save_request_activated);
  gtk_widget_class_install_action (widget_class, "identity.install", "s", install_activated);
  gtk_widget_class_install_action (widget_class, "identity.details", "s", details_activated);
  gtk_widget_class_install_action (widget_class, "identity.export", "s", export_activated);
  gtk_widget_class_install_action (widget_class, "identity.delete", "s", delete_activated);
}

static void
cachet_identities_view_init (CachetIdentitiesView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  update_page (self);
}
