/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-certificate-dialog.c: certificate details and chain (see cachet-certificate-dialog.h).
 *
 * Everything shown comes from the certificate, so rows have markup turned off. The chain is
 * put together here from the certificates at hand (the message's, the user's authorities, the
 * roots Mozilla trusts for email), each checked to have signed the one before: it is for
 * looking at, the trust decisions are the core's.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cachet-certificate-dialog.h"
#include "cachet-nss-roots.h"
#include "cachet-ui-util.h"

#define MAX_CHAIN 12

struct _CachetCertificateDialog
{
  AdwWindow          parent_instance;

  AdwToastOverlay   *toast_overlay;
  AdwWindowTitle    *window_title;
  GtkScrolledWindow *scroller;
  GtkBox            *content_box;

  GPtrArray         *chain;        /* CachetCertificate: the certificate first, its issuers after */
  GPtrArray         *chain_rows;   /* borrowed GtkWidget, parallel to chain */
  guint              shown;        /* index in chain */
};

G_DEFINE_FINAL_TYPE (CachetCertificateDialog, cachet_certificate_dialog, ADW_TYPE_WINDOW)

char *
_cachet_format_fingerprint (const char *hex)
{
  GString *out;

  if (hex == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (gsize i = 0; hex[i] != '\0'; i++)
    {
      if (i > 0 && i % 4 == 0)
        g_string_append_c (out, ' ');
      g_string_append_c (out, g_ascii_toupper (hex[i]));
    }
  return g_string_free (out, FALSE);
}

GtkWidget *
_cachet_trust_dialog_new (GtkWindow         *parent,
                          CachetCertificate *root)
{
  g_autofree char *heading = NULL;
  g_autofree char *fingerprint = _cachet_format_fingerprint (cachet_certificate_get_fingerprint (root));
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  /* Translators: %s names a certificate authority */
  heading = g_strdup_printf (_("Trust “%s”?"), cachet_certificate_get_name (root));
  /* Translators: the first %s names a certificate authority, the second is its fingerprint */
  body = g_strdup_printf (_("Every certificate this authority issues will then be trusted for email on this computer: signatures of its people show as valid, and Cachet will encrypt to them.\n\n"
                            "Only do this if you know the authority, for example your company’s, and check with them that its fingerprint is exactly this:\n\n"
                            "%s\nSHA-256: %s"),
                          cachet_certificate_get_name (root), fingerprint);
  dialog = cachet_ui_confirm_dialog_new (parent, heading, body,
                                         CACHET_TRUST_RESPONSE, _("_Trust This Authority"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  return dialog;
}

/* Export */

gboolean
_cachet_certificate_export_to (CachetCertificate *certificate,
                               GFile             *file,
                               GError           **error)
{
  g_autofree char *pem = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (CACHET_IS_CERTIFICATE (certificate), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  pem = cachet_certificate_to_pem (certificate);
  if (pem == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Cachet could not write this certificate as text. Try exporting it again."));
      return FALSE;
    }
  if (!g_file_replace_contents (file, pem, strlen (pem), NULL, FALSE, G_FILE_CREATE_NONE, NULL,
                                NULL, &local_error))
    {
      g_autofree char *name = g_file_get_parse_name (file);

      /* Translators: %s is a file name, the second %s why it failed */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The certificate could not be saved to “%s”: %s. Choose another folder."),
                   name, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static void
export_response (GtkNativeDialog *chooser,
                 int              response,
                 gpointer         user_data)
{
  GtkWidget *widget = g_object_get_data (G_OBJECT (chooser), "cachet-widget");
  CachetCertificate *certificate = g_object_get_data (G_OBJECT (chooser), "cachet-certificate");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GError) error = NULL;

      if (file == NULL)
        cachet_ui_show_toast (widget, _("Choose a file to save the certificate to."));
      else if (!_cachet_certificate_export_to (certificate, file, &error))
        cachet_ui_show_toast (widget, error->message);
      else
        cachet_ui_show_toast (widget, _("Certificate saved"));
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static char *
suggested_file_name (CachetCertificate *certificate)
{
  g_autofree char *name = g_strdup (cachet_certificate_get_name (certificate));

  /* A name from a certificate must not pick the folder or hide the extension. */
  g_strdelimit (name, "/\\:*?\"<>|", '_');
  g_strstrip (name);
  if (*name == '\0' || *name == '.')
    return g_strdup (_("certificate.crt"));
  return g_strconcat (name, ".crt", NULL);
}

void
cachet_certificate_export (GtkWidget         *widget,
                           CachetCertificate *certificate)
{
  GtkFileChooserNative *chooser;
  GtkFileFilter *filter;
  g_autofree char *name = NULL;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (CACHET_IS_CERTIFICATE (certificate));

  name = suggested_file_name (certificate);
  chooser = gtk_file_chooser_native_new (_("Export Certificate"),
                                         cachet_ui_get_window (widget),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Certificates (PEM)"));
  gtk_file_filter_add_suffix (filter, "crt");
  gtk_file_filter_add_suffix (filter, "pem");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_unref (filter);
  g_object_set_data_full (G_OBJECT (chooser), "cachet-widget", g_object_ref (widget), g_object_unref);
  g_object_set_data_full (G_OBJECT (chooser), "cachet-certificate", g_object_ref (certificate),
                          g_object_unref);
  g_signal_connect (chooser, "response", G_CALLBACK (export_response), NULL);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
export_clicked (CachetCertificateDialog *self)
{
  /* The overlay, not the dialog: the toast that reports the export is shown in the nearest
   * overlay at or above the widget, and the dialog's own overlay is inside it. */
  cachet_certificate_export (GTK_WIDGET (self->toast_overlay),
                             g_ptr_array_index (self->chain, self->shown));
}

/* Rows */

static GtkWidget *
property_row_new (const char *title,
                  const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value ? value : "");
  gtk_widget_add_css_class (row, "cachet-property");
  gtk_widget_add_css_class (row, "property");
  return row;
}

static GtkWidget *
group_new (GtkBox     *box,
           const char *title,
           const char *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  gtk_box_append (box, group);
  return group;
}

static void
add_row (GtkWidget  *group,
         const char *title,
         const char *value)
{
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), property_row_new (title, value));
}

static char *
format_date (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup ("?");
  local = g_date_time_to_local (time);
  /* Translators: a date and time, see g_date_time_format(): "3 May 2024, 14:05" */
  return g_date_time_format (local, _("%-d %B %Y, %H:%M"));
}

static char *
describe_validity (CachetCertificate *certificate)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) not_before = cachet_certificate_get_not_before (certificate);
  int days = cachet_certificate_get_days_left (certificate, now);

  if (not_before && g_date_time_compare (now, not_before) < 0)
    return g_strdup (_("Not valid yet"));
  if (days < 0)
    return g_strdup_printf (ngettext ("Expired: it ran out %d day ago",
                                      "Expired: it ran out %d days ago", -days), -days);
  if (days == 0)
    return g_strdup (_("Valid, but it expires today"));
  return g_strdup_printf (ngettext ("Valid: %d day left", "Valid: %d days left", days), days);
}

static char *
format_serial (CachetCertificate *certificate)
{
  g_autoptr(GBytes) serial = cachet_certificate_get_serial (certificate);
  const guint8 *data;
  gsize size = 0;
  GString *out;

  if (serial == NULL)
    return NULL;
  data = g_bytes_get_data (serial, &size);
  out = g_string_new (NULL);
  for (gsize i = 0; i < size; i++)
    g_string_append_printf (out, i ? ":%02X" : "%02X", data[i]);
  return g_string_free (out, FALSE);
}

static char *
join_or (char       **words,
         const char  *otherwise)
{
  if (words == NULL || words[0] == NULL)
    return g_strdup (otherwise);
  return g_strjoinv (", ", words);
}

/* What the certificate is good for in S/MIME, in the words people use. */
static char *
describe_email_use (CachetCertificate *certificate)
{
  CachetKeyUsage usage = cachet_certificate_get_key_usage (certificate);
  gnutls_pk_algorithm_t algorithm = cachet_certificate_get_key_algorithm (certificate, NULL);
  GPtrArray *words;
  char *text;

  if (cachet_certificate_is_ca (certificate))
    return g_strdup (_("Issue certificates (a certificate authority)"));
  if (!cachet_certificate_allows_email (certificate))
    return g_strdup (_("Not for email"));

  words = g_ptr_array_new ();
  if (usage & CACHET_KEY_USAGE_SIGN)
    g_ptr_array_add (words, (gpointer) _("Sign email"));
  if ((usage & CACHET_KEY_USAGE_ENCRYPT) && algorithm == GNUTLS_PK_RSA)
    g_ptr_array_add (words, (gpointer) _("Encrypt email"));
  g_ptr_array_add (words, NULL);
  text = words->len > 1 ? g_strjoinv (", ", (char **) words->pdata)
                        : g_strdup (_("Neither signing nor encrypting email"));
  g_ptr_array_free (words, TRUE);
  return text;
}

static const char *
chain_role (CachetCertificateDialog *self,
            guint                    index)
{
  CachetCertificate *certificate = g_ptr_array_index (self->chain, index);

  if (cachet_certificate_is_self_signed (certificate))
    return index == 0 ? _("Self-signed certificate") : _("Root authority");
  if (index == 0)
    return _("This certificate");
  return _("Intermediate authority");
}

static void show_index (CachetCertificateDialog *self, guint index);

typedef struct {
  CachetCertificateDialog *dialog;
  guint                    index;
} ShowLater;

static gboolean
show_later (gpointer data)
{
  ShowLater *later = data;

  if (later->dialog->chain != NULL && later->index < later->dialog->chain->len)
    show_index (later->dialog, later->index);
  g_object_unref (later->dialog);
  g_free (later);
  return G_SOURCE_REMOVE;
}

/* The rows are rebuilt when another certificate is shown: not while the list that holds them
 * is still handling the activation. */
static void
chain_row_activated (GtkListBox              *list,
                     GtkListBoxRow           *row,
                     CachetCertificateDialog *self)
{
  gpointer index = g_object_get_data (G_OBJECT (row), "cachet-index");
  ShowLater *later;

  if (index == NULL)
    return;
  later = g_new0 (ShowLater, 1);
  later->dialog = g_object_ref (self);
  later->index = GPOINTER_TO_UINT (index) - 1;
  g_idle_add (show_later, later);
}

static void
add_chain_group (CachetCertificateDialog *self)
{
  CachetCertificate *top = g_ptr_array_index (self->chain, self->chain->len - 1);
  GtkWidget *group;
  GtkWidget *list;

  group = group_new (self->content_box, _("Certification Path"),
                     _("From this certificate up to the authority that vouches for it. Select one to see its details."));
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Certification path"), -1);
  g_signal_connect (list, "row-activated", G_CALLBACK (chain_row_activated), self);

  g_ptr_array_set_size (self->chain_rows, 0);
  for (guint i = 0; i < self->chain->len; i++)
    {
      CachetCertificate *certificate = g_ptr_array_index (self->chain, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon;

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cachet_certificate_get_name (certificate));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), chain_role (self, i));
      icon = gtk_image_new_from_icon_name (i == self->shown ? "object-select-symbolic"
                                                            : "go-next-symbolic");
      if (i == self->shown)
        {
          gtk_widget_set_tooltip_text (icon, _("Shown"));
          gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          _("Shown"), -1);
        }
      else
        gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _("Show this certificate"), -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
      /* Indent each level a little: the path reads as a ladder. */
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 g_object_new (GTK_TYPE_BOX, "width-request", 12 * i, NULL));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name (i == 0 && !cachet_certificate_is_ca (certificate)
                                                               ? "avatar-default-symbolic"
                                                               : "channel-secure-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), i != self->shown);
      g_object_set_data (G_OBJECT (row), "cachet-index", GUINT_TO_POINTER (i + 1));
      gtk_list_box_append (GTK_LIST_BOX (list), row);
      g_ptr_array_add (self->chain_rows, row);
    }
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), list);

  if (!cachet_certificate_is_self_signed (top))
    {
      g_autofree char *text = NULL;

      /* Translators: %s names an authority */
      text = g_strdup_printf (_("Issued by “%s”, whose certificate Cachet does not have here."),
                              cachet_certificate_get_issuer_name (top));
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), text);
    }
}

static void
rebuild (CachetCertificateDialog *self)
{
  CachetCertificate *certificate = g_ptr_array_index (self->chain, self->shown);
  const char * const *addresses = cachet_certificate_get_addresses (certificate);
  g_autoptr(GDateTime) not_before = cachet_certificate_get_not_before (certificate);
  g_autoptr(GDateTime) not_after = cachet_certificate_get_not_after (certificate);
  g_autofree char *organization = cachet_certificate_get_organization (certificate);
  g_autofree char *from = format_date (not_before);
  g_autofree char *until = format_date (not_after);
  g_autofree char *state = describe_validity (certificate);
  g_autofree char *key = cachet_certificate_describe_key (certificate);
  g_autofree char *serial = format_serial (certificate);
  g_autofree char *email_use = describe_email_use (certificate);
  g_autofree char *sha1 = cachet_certificate_get_sha1_fingerprint (certificate);
  g_autofree char *sha1_text = _cachet_format_fingerprint (sha1);
  g_autofree char *sha256_text = _cachet_format_fingerprint (cachet_certificate_get_fingerprint (certificate));
  g_auto(GStrv) usage = cachet_certificate_describe_key_usage (certificate);
  g_auto(GStrv) extended = cachet_certificate_describe_extended_key_usage (certificate);
  g_autofree char *usage_text = join_or (usage, _("Any (not restricted)"));
  g_autofree char *extended_text = join_or (extended, _("Any (not restricted)"));
  GtkWidget *child;
  GtkWidget *group;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->content_box))) != NULL)
    gtk_box_remove (self->content_box, child);

  adw_window_title_set_title (self->window_title, cachet_certificate_get_name (certificate));
  adw_window_title_set_subtitle (self->window_title, chain_role (self, self->shown));
  gtk_window_set_title (GTK_WINDOW (self), cachet_certificate_get_name (certificate));

  group = group_new (self->content_box, _("Issued To"), NULL);
  add_row (group, _("Name"), cachet_certificate_get_name (certificate));
  if (addresses && addresses[0])
    {
      g_autofree char *joined = g_strjoinv ("\n", (char **) addresses);
      add_row (group, g_strv_length ((char **) addresses) > 1 ? _("Email addresses") : _("Email address"),
               joined);
    }
  else
    add_row (group, _("Email address"), _("None in the certificate"));
  if (organization)
    add_row (group, _("Organisation"), organization);
  add_row (group, _("Full subject"), cachet_certificate_get_subject (certificate));

  group = group_new (self->content_box, _("Issued By"), NULL);
  add_row (group, _("Authority"), cachet_certificate_get_issuer_name (certificate));
  add_row (group, _("Full issuer"), cachet_certificate_get_issuer (certificate));
  add_row (group, _("Serial number"), serial);

  group = group_new (self->content_box, _("Validity"), NULL);
  add_row (group, _("State"), state);
  add_row (group, _("Valid from"), from);
  add_row (group, _("Valid until"), until);

  add_chain_group (self);

  group = group_new (self->content_box, _("Use"), NULL);
  add_row (group, _("For email"), email_use);
  add_row (group, _("Key usage"), usage_text);
  add_row (group, _("Extended key usage"), extended_text);
  add_row (group, _("Key"), key);
  if (cachet_certificate_get_signature_algorithm (certificate))
    add_row (group, _("Signature algorithm"), cachet_certificate_get_signature_algorithm (certificate));

  group = group_new (self->content_box, _("Fingerprints"),
                     _("Compare these with the owner’s copy, for example over the phone."));
  {
    GtkWidget *row = property_row_new (_("SHA-256"), sha256_text);

    gtk_widget_add_css_class (row, "cachet-fingerprint");
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    row = property_row_new (_("SHA-1"), sha1_text);
    gtk_widget_add_css_class (row, "cachet-fingerprint");
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  }

  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
}

static void
show_index (CachetCertificateDialog *self,
            guint                    index)
{
  g_return_if_fail (index < self->chain->len);
  self->shown = index;
  rebuild (self);
}

/* The certificate, then each next one that issued the previous one (by name and signature:
 * a renewed authority often keeps its name with a new key). */
static void
build_chain (CachetCertificateDialog *self,
             CachetCertificate       *certificate,
             GPtrArray               *pool)
{
  g_ptr_array_add (self->chain, g_object_ref (certificate));

  while (self->chain->len < MAX_CHAIN)
    {
      CachetCertificate *last = g_ptr_array_index (self->chain, self->chain->len - 1);
      CachetCertificate *next = NULL;

      if (cachet_certificate_is_self_signed (last))
        break;
      for (guint i = 0; pool && i < pool->len && next == NULL; i++)
        {
          CachetCertificate *candidate = g_ptr_array_index (pool, i);
          gboolean used = FALSE;

          for (guint c = 0; c < self->chain->len && !used; c++)
            used = cachet_certificate_equal (candidate, g_ptr_array_index (self->chain, c));
          if (!used && cachet_certificate_is_issued_by (last, candidate))
            next = candidate;
        }
      if (next == NULL)
        break;
      g_ptr_array_add (self->chain, g_object_ref (next));
    }
}

CachetCertificateDialog *
cachet_certificate_dialog_new (GtkWindow         *parent,
                               CachetCertificate *certificate,
                               GPtrArray         *chain,
                               CachetStore       *store)
{
  CachetCertificateDialog *self;
  g_autoptr(GPtrArray) pool = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (CACHET_IS_CERTIFICATE (certificate), NULL);

  self = g_object_new (CACHET_TYPE_CERTIFICATE_DIALOG,
                       "transient-for", parent,
                       NULL);
  for (guint i = 0; chain && i < chain->len; i++)
    g_ptr_array_add (pool, g_object_ref (g_ptr_array_index (chain, i)));
  if (store)
    {
      g_autoptr(GPtrArray) anchors = cachet_store_get_anchors (store);

      for (guint i = 0; anchors && i < anchors->len; i++)
        g_ptr_array_add (pool, g_object_ref (g_ptr_array_index (anchors, i)));
    }
  /* the roots Mozilla trusts for email end most real chains (read once, about 10 ms) */
  {
    g_autoptr(GPtrArray) roots = cachet_nss_email_roots_load (NULL);

    for (guint i = 0; roots && i < roots->len; i++)
      g_ptr_array_add (pool, g_object_ref (g_ptr_array_index (roots, i)));
  }
  build_chain (self, certificate, pool);
  show_index (self, 0);
  return self;
}

void
cachet_certificate_dialog_show (GtkWidget         *widget,
                                CachetCertificate *certificate,
                                GPtrArray         *chain,
                                CachetStore       *store)
{
  CachetCertificateDialog *dialog;

  dialog = cachet_certificate_dialog_new (cachet_ui_get_window (widget),
                                          certificate, chain, store);
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
_cachet_certificate_dialog_export_to (CachetCertificateDialog *self,
                                      GFile                   *file,
                                      GError                 **error)
{
  g_return_val_if_fail (CACHET_IS_CERTIFICATE_DIALOG (self), FALSE);
  return _cachet_certificate_export_to (g_ptr_array_index (self->chain, self->shown), file, error);
}

CachetCertificate *
_cachet_certificate_dialog_get_shown (CachetCertificateDialog *self)
{
  g_return_val_if_fail (CACHET_IS_CERTIFICATE_DIALOG (self), NULL);
  return g_ptr_array_index (self->chain, self->shown);
}

guint
_cachet_certificate_dialog_get_n_chain (CachetCertificateDialog *self)
{
  g_return_val_if_fail (CACHET_IS_CERTIFICATE_DIALOG (self), 0);
  return self->chain->len;
}

GtkWidget *
_cachet_certificate_dialog_get_chain_row (CachetCertificateDialog *self,
                                          guint                    index)
{
  g_return_val_if_fail (CACHET_IS_CERTIFICATE_DIALOG (self), NULL);
  g_return_val_if_fail (index < self->chain_rows->len, NULL);
  return g_ptr_array_index (self->chain_rows, index);
}

static void
cachet_certificate_dialog_dispose (GObject *object)
{
  CachetCertificateDialog *self = CACHET_CERTIFICATE_DIALOG (object);

  g_clear_pointer (&self->chain_rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CACHET_TYPE_CERTIFICATE_DIALOG);
  g_clear_pointer (&self->chain, g_ptr_array_unref);

  G_OBJECT_CLASS (cachet_certificate_dialog_parent_class)->dispose (object);
}

static void
cachet_certificate_dialog_class_init (CachetCertificateDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cachet_certificate_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/cachet-certificate-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetCertificateDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CachetCertificateDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, CachetCertificateDialog, scroller);
  gtk_widget_class_bind_template_child (widget_class, CachetCertificateDialog, content_box);
  gtk_widget_class_bind_template_callback (widget_class, export_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cachet_certificate_dialog_init (CachetCertificateDialog *self)
{
  g_type_ensure (ADW_TYPE_WINDOW_TITLE);
  gtk_widget_init_template (GTK_WIDGET (self));
  self->chain = g_ptr_array_new_with_free_func (g_object_unref);
  self->chain_rows = g_ptr_array_new ();
}
