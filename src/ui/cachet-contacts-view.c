/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-contacts-view.c: the Contacts pane (see cachet-contacts-view.h).
 *
 * Lists are bound to the store's models (contacts filtered by the search text, and your trust
 * anchors), so contacts collected from verified mail appear by themselves.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cachet-certificate-dialog.h"
#include "cachet-contacts-view.h"
#include "cachet-revocation.h"
#include "cachet-ui-util.h"

struct _CachetContactsView
{
  GtkWidget           parent_instance;

  GtkStack           *stack;
  GtkWidget          *empty_page;
  GtkSearchEntry     *search_entry;
  GtkListBox         *list;
  GtkListBox         *anchor_list;
  GtkSwitch          *online_switch;
  GSettings          *settings;   /* NULL when the schema is not installed */

  CachetStore        *store;
  GListModel         *contacts;   /* borrowed from the store */
  GListModel         *anchors;    /* borrowed from the store */
  GtkFilterListModel *filtered;
  GtkCustomFilter    *filter;
};

G_DEFINE_FINAL_TYPE (CachetContactsView, cachet_contacts_view, GTK_TYPE_WIDGET)

enum { TRUST_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static char *
format_date (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup ("?");
  local = g_date_time_to_local (time);
  /* Translators: a date, see g_date_time_format(): "3 May 2024" */
  return g_date_time_format (local, _("%-d %B %Y"));
}

static char *
describe_certificate (CachetCertificate *certificate)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) not_after = cachet_certificate_get_not_after (certificate);
  g_autofree char *until = format_date (not_after);

  if (cachet_certificate_get_days_left (certificate, now) < 0)
    /* Translators: %s is a date */
    return g_strdup_printf (_("expired on %s"), until);
  /* Translators: %s is a date */
  return g_strdup_printf (_("valid until %s"), until);
}

/* Deleting a contact, after a confirmation that says what is lost. */

static void
delete_response (AdwMessageDialog   *dialog,
                 const char         *response,
                 CachetContactsView *self)
{
  const char *fingerprint = g_object_get_data (G_OBJECT (dialog), "cachet-fingerprint");
  g_autoptr(GError) error = NULL;

  if (!cachet_ui_first_response (dialog))
    return;
  if (g_strcmp0 (response, "delete") != 0 || self->store == NULL)
    return;
  if (!cachet_store_delete_contacts (self->store, fingerprint, &error))
    cachet_ui_show_toast (GTK_WIDGET (self), error->message);
}

static void
delete_clicked (GtkButton          *button,
                CachetContactsView *self)
{
  CachetContact *contact = g_object_get_data (G_OBJECT (button), "cachet-contact");
  CachetCertificate *certificate = cachet_contact_get_certificate (contact);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  /* Translators: %s is a person's name */
  heading = g_strdup_printf (_("Delete “%s”?"), cachet_certificate_get_name (certificate));
  dialog = cachet_ui_confirm_dialog_new (cachet_ui_get_window (GTK_WIDGET (self)), heading,
                                         _("You will not be able to encrypt to this person until they send you a signed message again or you import their certificate."),
                                         "delete", _("_Delete"));
  g_object_set_data_full (G_OBJECT (dialog), "cachet-fingerprint",
                          g_strdup (cachet_certificate_get_fingerprint (certificate)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A flat icon button named LABEL (tooltip and screen readers). */
static GtkWidget *
flat_icon_button (const char *icon_name,
                  const char *label)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

static void
contact_details_clicked (GtkButton          *button,
                         CachetContactsView *self)
{
  CachetContact *contact = g_object_get_data (G_OBJECT (button), "cachet-contact");

  cachet_certificate_dialog_show (GTK_WIDGET (self), cachet_contact_get_certificate (contact),
                                  cachet_contact_get_chain (contact), self->store);
}

static void
contact_export_clicked (GtkButton          *button,
                        CachetContactsView *self)
{
  CachetContact *contact = g_object_get_data (G_OBJECT (button), "cachet-contact");

  cachet_certificate_export (GTK_WIDGET (self), cachet_contact_get_certificate (contact));
}

static void
anchor_row_activated (AdwActionRow       *row,
                      CachetContactsView *self)
{
  CachetCertificate *anchor = g_object_get_data (G_OBJECT (row), "cachet-anchor");

  cachet_certificate_dialog_show (GTK_WIDGET (self), anchor, NULL, self->store);
}

static void
remove_anchor_response (AdwMessageDialog   *dialog,
                        const char         *response,
                        CachetContactsView *self)
{
  const char *fingerprint = g_object_get_data (G_OBJECT (dialog), "cachet-fingerprint");
  g_autoptr(GError) error = NULL;

  if (!cachet_ui_first_response (dialog))
    return;
  if (g_strcmp0 (response, "remove") != 0 || self->store == NULL)
    return;
  if (!cachet_store_remove_anchor (self->store, fingerprint, &error))
    cachet_ui_show_toast (GTK_WIDGET (self), error->message);
  else
    g_signal_emit (self, signals[TRUST_CHANGED], 0);
}

static void
remove_anchor_clicked (GtkButton          *button,
                       CachetContactsView *self)
{
  CachetCertificate *anchor = g_object_get_data (G_OBJECT (button), "cachet-anchor");
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  /* Translators: %s names a certificate authority */
  heading = g_strdup_printf (_("Stop Trusting “%s”?"), cachet_certificate_get_name (anchor));
  dialog = cachet_ui_confirm_dialog_new (cachet_ui_get_window (GTK_WIDGET (self)), heading,
                                         _("Signatures from certificates it issued will show as not trusted again, unless another authority you trust vouches for them, and Cachet will no longer encrypt to them on its own."),
                                         "remove", _("_Stop Trusting"));
  g_object_set_data_full (G_OBJECT (dialog), "cachet-fingerprint",
                          g_strdup (cachet_certificate_get_fingerprint (anchor)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_anchor_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
create_contact_row (gpointer item,
                    gpointer user_data)
{
  CachetContactsView *self = user_data;
  CachetContact *contact = item;
  CachetCertificate *certificate = cachet_contact_get_certificate (contact);
  const char * const *addresses = cachet_certificate_get_addresses (certificate);
  g_autofree char *joined = addresses ? g_strjoinv (", ", (char **) addresses) : g_strdup ("");
  g_autofree char *validity = describe_certificate (certificate);
  g_autofree char *added = format_date (cachet_contact_get_added (contact));
  g_autofree char *subtitle = NULL;
  g_autofree char *delete_label = NULL;
  g_autofree char *details_label = NULL;
  g_autofree char *export_label = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button;
  GtkWidget *icon;
  gboolean trusted = cachet_contact_get_trusted (contact);

  /* Translators: "alice@example.org · collected from a signed message on 3 May 2024 · valid until 1 May 2026" */
  subtitle = g_strdup_printf (_("%s · %s on %s · %s"), joined,
                              cachet_contact_describe_origin (contact), added, validity);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cachet_certificate_get_name (certificate));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  icon = gtk_image_new_from_icon_name (trusted ? "security-high-symbolic" : "dialog-warning-symbolic");
  gtk_widget_add_css_class (icon, "cachet-status-icon");
  gtk_widget_add_css_class (icon, trusted ? "good" : "untrusted");
  gtk_widget_set_tooltip_text (icon, trusted ? _("Trusted: its authority is one you trust")
                                             : _("Not trusted: Cachet will not encrypt to it on its own"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  trusted ? _("Trusted") : _("Not trusted"), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  /* Translators: %s is a person's name */
  details_label = g_strdup_printf (_("Details of “%s”"), cachet_certificate_get_name (certificate));
  button = flat_icon_button ("document-properties-symbolic", details_label);
  g_object_set_data_full (G_OBJECT (button), "cachet-contact", g_object_ref (contact), g_object_unref);
  g_signal_connect (button, "clicked", G_CALLBACK (contact_details_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);

  /* Translators: %s is a person's name */
  export_label = g_strdup_printf (_("Export the certificate of “%s”…"), cachet_certificate_get_name (certificate));
  button = flat_icon_button ("document-save-as-symbolic", export_label);
  g_object_set_data_full (G_OBJECT (button), "cachet-contact", g_object_ref (contact), g_object_unref);
  g_signal_connect (button, "clicked", G_CALLBACK (contact_export_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  /* Translators: %s is a person's name */
  delete_label = g_strdup_printf (_("Delete “%s”"), cachet_certificate_get_name (certificate));
  gtk_widget_set_tooltip_text (button, delete_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  delete_label, -1);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data_full (G_OBJECT (button), "cachet-contact", g_object_ref (contact), g_object_unref);
  g_signal_connect (button, "clicked", G_CALLBACK (delete_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

static GtkWidget *
create_anchor_row (gpointer item,
                   gpointer user_data)
{
  CachetCertificate *anchor = item;
  g_autofree char *validity = describe_certificate (anchor);
  g_autofree char *remove_label = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cachet_certificate_get_name (anchor));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), validity);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("channel-secure-symbolic"));
  /* Translators: %s names a certificate authority */
  remove_label = g_strdup_printf (_("Stop trusting “%s”…"), cachet_certificate_get_name (anchor));
  button = flat_icon_button ("user-trash-symbolic", remove_label);
  g_object_set_data_full (G_OBJECT (button), "cachet-anchor", g_object_ref (anchor), g_object_unref);
  g_signal_connect (button, "clicked", G_CALLBACK (remove_anchor_clicked), user_data);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _("Show the authority’s certificate"));
  g_object_set_data_full (G_OBJECT (row), "cachet-anchor", g_object_ref (anchor), g_object_unref);
  g_signal_connect (row, "activated", G_CALLBACK (anchor_row_activated), user_data);
  return row;
}

static gboolean
contact_matches (gpointer item,
                 gpointer user_data)
{
  CachetContactsView *self = user_data;

  return cachet_ui_contact_matches (item, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
search_changed (CachetContactsView *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* Only the contacts section has an empty state: the authorities and the revocation settings
 * are always reachable, also before the first contact. */
static void
update_page (CachetContactsView *self)
{
  gboolean has_contacts = self->contacts && g_list_model_get_n_items (self->contacts) > 0;

  gtk_stack_set_visible_child_name (self->stack, has_contacts ? "list" : "empty");
}

/* Import certificates from files. */

/* Imports the certificates in FILES (also files opened from the file manager) and says how many. */
void
cachet_contacts_view_import_files (CachetContactsView  *self,
                                   GFile              **files,
                                   guint                n_files)
{
  guint imported = 0;

  g_return_if_fail (CACHET_IS_CONTACTS_VIEW (self));

  if (self->store == NULL)
    {
      cachet_ui_show_toast (GTK_WIDGET (self), _("Cachet could not open its data folder, so it cannot keep contacts. Check the folder’s permissions and restart Cachet."));
      return;
    }

  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_file_get_path (files[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) contacts = NULL;

      if (path == NULL)
        continue;
      contacts = cachet_store_import_contacts (self->store, path, &error);
      if (contacts == NULL)
        cachet_ui_show_toast (GTK_WIDGET (self), error->message);
      else
        imported += contacts->len;
    }
  if (imported > 0)
    {
      g_autofree char *message = g_strdup_printf (ngettext ("%u certificate imported",
                                                            "%u certificates imported", imported),
                                                  imported);
      cachet_ui_show_toast (GTK_WIDGET (self), message);
    }
}

static void
chooser_response (GtkNativeDialog    *dialog,
                  int                 response,
                  CachetContactsView *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->store)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        g_ptr_array_add (list, g_list_model_get_item (files, i));
      cachet_contacts_view_import_files (self, (GFile **) list->pdata, list->len);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
import_clicked (CachetContactsView *self)
{
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter;

  if (self->store == NULL)
    {
      cachet_ui_show_toast (GTK_WIDGET (self), _("Cachet could not open its data folder, so it cannot keep contacts. Check the folder’s permissions and restart Cachet."));
      return;
    }

  dialog = gtk_file_chooser_native_new (_("Import Certificates"),
                                        cachet_ui_get_window (GTK_WIDGET (self)),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (dialog), TRUE);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Certificates and signed messages"));
  for (guint i = 0; i < 7; i++)
    gtk_file_filter_add_suffix (filter, (const char *[]) { "pem", "crt", "cer", "der", "p7b", "p7c", "eml" }[i]);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  g_signal_connect (dialog, "response", G_CALLBACK (chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* Import a certificate revocation list. */

void
cachet_contacts_view_import_crl_file (CachetContactsView *self,
                                      GFile              *file)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CACHET_IS_CONTACTS_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->store == NULL)
    return;
  if ((path = g_file_get_path (file)) == NULL)
    {
      cachet_ui_show_toast (GTK_WIDGET (self), _("Cachet can only read files on this computer. Choose another file."));
      return;
    }
  if (!cachet_revocation_import_crl (self->store, path, NULL, &error))
    {
      cachet_ui_show_toast (GTK_WIDGET (self), error->message);
      return;
    }
  cachet_ui_show_toast (GTK_WIDGET (self), _("Revocation list imported"));
  g_signal_emit (self, signals[TRUST_CHANGED], 0);
}

static void
crl_chooser_response (GtkNativeDialog    *dialog,
                      int                 response,
                      CachetContactsView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file)
        cachet_contacts_view_import_crl_file (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
import_crl_clicked (CachetContactsView *self)
{
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter;

  if (self->store == NULL)
    {
      cachet_ui_show_toast (GTK_WIDGET (self), _("Cachet could not open its data folder, so it cannot keep revocation lists. Check the folder’s permissions and restart Cachet."));
      return;
    }

  dialog = gtk_file_chooser_native_new (_("Import Revocation List"),
                                        cachet_ui_get_window (GTK_WIDGET (self)),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Revocation lists"));
  gtk_file_filter_add_suffix (filter, "crl");
  gtk_file_filter_add_suffix (filter, "pem");
  gtk_file_filter_add_suffix (filter, "der");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  g_signal_connect (dialog, "response", G_CALLBACK (crl_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* Adding an authority: each CA certificate in the file, after the warning. */

static void confirm_next_authority (CachetContactsView *self, GPtrArray *pending);

static void
authority_response (AdwMessageDialog   *dialog,
                    const char         *response,
                    CachetContactsView *self)
{
  GPtrArray *pending = g_object_get_data (G_OBJECT (dialog), "cachet-pending");
  CachetCertificate *authority;
  g_autoptr(GError) error = NULL;

  if (!cachet_ui_first_response (dialog))
    return;
  authority = g_ptr_array_index (pending, 0);
  if (g_strcmp0 (response, CACHET_TRUST_RESPONSE) == 0 && self->store)
    {
      if (cachet_store_add_anchor (self->store, authority, &error))
        {
          g_autofree char *message = NULL;

          /* Translators: %s names a certificate authority */
          message = g_strdup_printf (_("“%s” is now trusted for email on this computer"),
                                     cachet_certificate_get_name (authority));
          cachet_ui_show_toast (GTK_WIDGET (self), message);
          g_signal_emit (self, signals[TRUST_CHANGED], 0);
        }
      else
        cachet_ui_show_toast (GTK_WIDGET (self), error->message);
    }
  g_ptr_array_remove_index (pending, 0);
  confirm_next_authority (self, pending);
}

static void
confirm_next_authority (CachetContactsView *self,
                        GPtrArray          *pending)
{
  GtkWidget *dialog;

  if (pending->len == 0)
    return;
  dialog = _cachet_trust_dialog_new (cachet_ui_get_window (GTK_WIDGET (self)),
                                     g_ptr_array_index (pending, 0));
  g_object_set_data_full (G_OBJECT (dialog), "cachet-pending", g_ptr_array_ref (pending),
                          (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (authority_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Asks, authority by authority, whether to trust the CA certificates in FILE. */
void
cachet_contacts_view_add_authority_file (CachetContactsView *self,
                                         GFile              *file)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_if_fail (CACHET_IS_CONTACTS_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->store == NULL)
    {
      cachet_ui_show_toast (GTK_WIDGET (self), _("Cachet could not open its data folder, so it cannot keep authorities. Check the folder’s permissions and restart Cachet."));
      return;
    }
  path = g_file_get_path (file);
  if (path == NULL)
    {
      cachet_ui_show_toast (GTK_WIDGET (self), _("Cachet can only read files on this computer. Choose another file."));
      return;
    }
  certificates = cachet_certificate_list_from_file (path, &error);
  if (certificates == NULL)
    {
      cachet_ui_show_toast (GTK_WIDGET (self), error->message);
      return;
    }
  for (guint i = 0; i < certificates->len; i++)
    if (cachet_certificate_is_ca (g_ptr_array_index (certificates, i)))
      g_ptr_array_add (pending, g_object_ref (g_ptr_array_index (certificates, i)));
  if (pending->len == 0)
    {
      cachet_ui_show_toast (GTK_WIDGET (self), _("This file holds no certificate authority. To keep a person’s certificate, use Import in the contacts list."));
      return;
    }
  confirm_next_authority (self, pending);
}

static void
authority_chooser_response (GtkNativeDialog    *dialog,
                            int                 response,
                            CachetContactsView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file)
        cachet_contacts_view_add_authority_file (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

void
cachet_contacts_view_choose_authority (CachetContactsView *self)
{
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter;

  dialog = gtk_file_chooser_native_new (_("Add Certificate Authority"),
                                        cachet_ui_get_window (GTK_WIDGET (self)),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Certificates"));
  for (guint i = 0; i < 6; i++)
    gtk_file_filter_add_suffix (filter, (const char *[]) { "pem", "crt", "cer", "der", "p7b", "p7c" }[i]);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  g_signal_connect (dialog, "response", G_CALLBACK (authority_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* The online switch edits the setting the core reads for every check. */
static void
bind_online_switch (CachetContactsView *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;

  if (schema == NULL || !g_settings_schema_has_key (schema, "online-revocation"))
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->online_switch), FALSE);
      return;
    }
  self->settings = g_settings_new_full (schema, NULL, NULL);
  g_settings_bind (self->settings, "online-revocation", self->online_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
}

void
cachet_contacts_view_set_store (CachetContactsView *self,
                                CachetStore        *store)
{
  g_return_if_fail (CACHET_IS_CONTACTS_VIEW (self));

  if (self->contacts)
    g_signal_handlers_disconnect_by_func (self->contacts, update_page, self);

  g_set_object (&self->store, store);
  self->contacts = store ? cachet_store_get_contacts (store) : NULL;
  self->anchors = store ? cachet_store_get_anchor_model (store) : NULL;
  gtk_filter_list_model_set_model (self->filtered, self->contacts);

  gtk_list_box_bind_model (self->list, self->contacts ? G_LIST_MODEL (self->filtered) : NULL,
                           create_contact_row, self, NULL);
  gtk_list_box_bind_model (self->anchor_list, self->anchors, create_anchor_row, self, NULL);

  if (self->contacts)
    g_signal_connect_object (self->contacts, "items-changed", G_CALLBACK (update_page), self,
                             G_CONNECT_SWAPPED);
  update_page (self);
}

static void
cachet_contacts_view_dispose (GObject *object)
{
  CachetContactsView *self = CACHET_CONTACTS_VIEW (object);
  GtkWidget *child;

  if (self->list)
    gtk_list_box_bind_model (self->list, NULL, NULL, NULL, NULL);
  if (self->anchor_list)
    gtk_list_box_bind_model (self->anchor_list, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CACHET_TYPE_CONTACTS_VIEW);
  /* Children that are not bound template children (the layout's own boxes). */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->filtered);
  self->contacts = NULL;
  self->anchors = NULL;
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cachet_contacts_view_parent_class)->dispose (object);
}

static void
cachet_contacts_view_class_init (CachetContactsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cachet_contacts_view_dispose;

  /* What checks rely on changed: an authority trusted or no longer, a revocation list
   * imported (the checks on show may read differently now). */
  signals[TRUST_CHANGED] = g_signal_new ("trust-changed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/cachet-contacts-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetContactsView, stack);
  gtk_widget_class_bind_template_child (widget_class, CachetContactsView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CachetContactsView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CachetContactsView, list);
  gtk_widget_class_bind_template_child (widget_class, CachetContactsView, anchor_list);
  gtk_widget_class_bind_template_child (widget_class, CachetContactsView, online_switch);
  gtk_widget_class_bind_template_callback (widget_class, import_clicked);
  gtk_widget_class_bind_template_callback (widget_class, import_crl_clicked);
  gtk_widget_class_bind_template_callback (widget_class, cachet_contacts_view_choose_authority);
  gtk_widget_class_bind_template_callback (widget_class, search_changed);
}

static void
cachet_contacts_view_init (CachetContactsView *self)
{
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));
  bind_online_switch (self);

  self->filter = gtk_custom_filter_new (contact_matches, self, NULL);
  /* The filter list model owns the filter. */
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));

  placeholder = gtk_label_new (_("No contact matches"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_list_box_set_placeholder (self->list, placeholder);

  placeholder = gtk_label_new (_("None: you have not added an authority"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_list_box_set_placeholder (self->anchor_list, placeholder);

  update_page (self);
}
