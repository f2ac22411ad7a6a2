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

#include "cachet-identities-view.h"

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

static void
toast (CachetIdentitiesView *self,
       const char           *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
}

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
        toast (self, error->message);
      return;
    }
  {
    /* Translators: %s is a person's name */
    g_autofree char *message = g_strdup_printf (_("Identity “%s” imported"),
                                                cachet_identity_get_name (identity));
    toast (self, message);
  }
}

static void
password_response (AdwMessageDialog *dialog,
                   const char       *response,
                   ImportJob        *job)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

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
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (job->self));
  GtkWidget *dialog;
  GtkWidget *entry;
  g_autofree char *body = NULL;

  /* Translators: %s is a file name */
  body = g_strdup_printf (_("Enter the password that protects “%s”. It was chosen when the backup was made."),
                          job->name);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
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
      toast (job->self, message);
      import_job_free (job);
      return;
    }
  job->data = g_bytes_new_take (contents, length);
  ask_password (job);
}

static void
chooser_response (GtkNativeDialog      *dialog,
                  int                   response,
                  CachetIdentitiesView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      ImportJob *job = g_new0 (ImportJob, 1);

      job->self = g_object_ref (self);
      job->name = g_file_get_basename (file);
      g_file_load_contents_async (file, self->cancellable, file_loaded, job);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
import_clicked (CachetIdentitiesView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter;

  if (self->store == NULL)
    {
      toast (self, _("Cachet could not open its data folder, so it cannot keep identities. Check the folder’s permissions and restart Cachet."));
      return;
    }

  dialog = gtk_file_chooser_native_new (_("Import Identity Backup"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
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
}

static void
cachet_identities_view_init (CachetIdentitiesView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  update_page (self);
}
