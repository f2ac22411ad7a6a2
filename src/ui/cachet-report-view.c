/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-report-view.c: the verification report (see cachet-report-view.h).
 *
 * Everything that comes from the message (names, subjects, bodies, file names) is shown as
 * plain text: rows have markup turned off, the body is a read-only GtkTextView, HTML is shown
 * as its source and never rendered. Only the banner, drawn from the verdict, speaks for Cachet.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cachet-certificate-dialog.h"
#include "cachet-error.h"
#include "cachet-output.h"
#include "cachet-report-view.h"
#include "cachet-ui-util.h"

/* Bodies larger than this are cut when shown; the attachment Save buttons give the whole. Some
 * twenty pages: the text view, in the report's scrolling column, is laid out whole on the main
 * thread to know its height (512K characters held the window still for about 250 ms). */
#define MAX_BODY_CHARS (64 * 1024)

struct _CachetReportView
{
  GtkWidget      parent_instance;

  GtkWidget     *banner;
  GtkImage      *status_icon;
  GtkLabel      *status_label;
  GtkLabel      *summary_label;
  GtkLabel      *file_label;
  GtkScrolledWindow *scroller;
  GtkBox        *details_box;

  GtkTextView   *body_view;     /* owned by details_box; NULL when there is no body */
  GtkBox        *content_box;   /* owned by details_box: the body and attachments, when read */
  GtkWidget     *save_copy_button;  /* owned by details_box, insensitive while reading */
  GCancellable  *content_cancellable;  /* the content thread's, while it runs */
  CachetVerdict *verdict;
  GFile         *file;
  CachetStore   *store;
};

G_DEFINE_FINAL_TYPE (CachetReportView, cachet_report_view, GTK_TYPE_WIDGET)

static const char * const status_classes[] = {
  "good", "bad", "error", "untrusted", "unsigned",
};

static const char *
status_icon_name (CachetStatus status)
{
  switch (status)
    {
    case CACHET_STATUS_GOOD:      return "security-high-symbolic";
    case CACHET_STATUS_BAD:       return "dialog-error-symbolic";
    case CACHET_STATUS_UNTRUSTED: return "dialog-warning-symbolic";
    case CACHET_STATUS_UNSIGNED:  return "security-low-symbolic";
    case CACHET_STATUS_ERROR:
    default:                      return "dialog-error-symbolic";
    }
}

/* A row with a field name and a value from outside Cachet: never markup, wraps freely. */
static GtkWidget *
property_row_new (const char *title,
                  const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value ? value : "");
  gtk_widget_add_css_class (row, "cachet-property");
  return row;
}

/* A property row ending in a text button (MNEMONIC), which activating the row presses too. */
static GtkWidget *
button_row_new (const char  *title,
                const char  *value,
                const char  *mnemonic,
                GtkWidget  **button)
{
  GtkWidget *row = property_row_new (title, value);

  *button = gtk_button_new_with_mnemonic (mnemonic);
  gtk_widget_set_valign (*button, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), *button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), *button);
  return row;
}

static GtkWidget *
group_new (const char *title,
           const char *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  return group;
}

static void
group_add (GtkWidget *group,
           GtkWidget *row)
{
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
}

static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return NULL;
  local = g_date_time_to_local (time);
  /* Translators: a signing time, see g_date_time_format(): "3 May 2024, 14:05 (UTC+02)" */
  return g_date_time_format (local, _("%-d %B %Y, %H:%M (UTC%:::z)"));
}

static const char *
anchor_source_describe (const char *source)
{
  if (source == NULL)
    return _("Not trusted: Cachet could not link this certificate to an authority you trust");
  if (g_str_equal (source, "system"))
    return _("Trusted through the certificate authorities of this computer");
  if (g_str_equal (source, "mozilla-email"))
    return _("Trusted through the email authorities that Mozilla vets");
  if (g_str_equal (source, "user"))
    return _("Trusted through a certificate authority you added");
  if (g_str_equal (source, "command-line"))
    return _("Trusted through a certificate authority given for this check");
  return source;
}

static void
clear_details (CachetReportView *self)
{
  GtkWidget *child;

  if (self->content_cancellable)
    g_cancellable_cancel (self->content_cancellable);
  g_clear_object (&self->content_cancellable);
  self->body_view = NULL;
  self->content_box = NULL;
  self->save_copy_button = NULL;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->details_box))) != NULL)
    gtk_box_remove (self->details_box, child);
}

static void
set_banner (CachetReportView *self,
            CachetStatus      status,
            const char       *summary)
{
  for (guint i = 0; i < G_N_ELEMENTS (status_classes); i++)
    gtk_widget_remove_css_class (self->banner, status_classes[i]);
  gtk_widget_add_css_class (self->banner, cachet_status_to_string (status));

  gtk_image_set_from_icon_name (self->status_icon, status_icon_name (status));
  gtk_label_set_text (self->status_label, cachet_status_describe (status));
  gtk_label_set_text (self->summary_label, summary ? summary : "");
  gtk_widget_set_visible (GTK_WIDGET (self->summary_label), summary && *summary);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->banner),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  cachet_status_describe (status), -1);
}

static char *
signer_display_name (CachetSigner *signer)
{
  const char *name = cachet_signer_get_name (signer);
  const char * const *addresses = cachet_signer_get_addresses (signer);

  if (name == NULL)
    return g_strdup (_("an unknown signer"));
  if (addresses && addresses[0] && g_strcmp0 (name, addresses[0]) != 0)
    return g_strdup_printf ("%s <%s>", name, addresses[0]);
  return g_strdup (name);
}

static char *
build_summary (CachetVerdict *verdict)
{
  GListModel *signers = cachet_verdict_get_signers (verdict);
  guint n_signers = signers ? g_list_model_get_n_items (signers) : 0;
  g_autoptr(GString) summary = g_string_new (NULL);

  if (cachet_verdict_get_status (verdict) == CACHET_STATUS_ERROR
      && cachet_verdict_get_error_message (verdict) != NULL)
    return g_strdup (cachet_verdict_get_error_message (verdict));

  if (cachet_verdict_get_encrypted (verdict))
    {
      const char *cipher = cachet_verdict_get_cipher (verdict);

      if (cipher)
        /* Translators: %s is a cipher name such as aes-256-gcm */
        g_string_append_printf (summary, _("Decrypted (it was encrypted with %s)."), cipher);
      else
        g_string_append (summary, _("Decrypted."));
    }

  if (n_signers > 0)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < n_signers; i++)
        {
          g_autoptr(CachetSigner) signer = g_list_model_get_item (signers, i);
          g_autofree char *name = signer_display_name (signer);

          if (i > 0)
            g_string_append (names, i + 1 == n_signers ? _(" and ") : ", ");
          g_string_append (names, name);
        }
      if (summary->len > 0)
        g_string_append_c (summary, ' ');
      /* Translators: %s is one or more signer names */
      g_string_append_printf (summary, _("Signed by %s."), names->str);

      if (cachet_verdict_get_coverage (verdict) == CACHET_COVERAGE_PARTIAL)
        g_string_append_printf (summary, " %s", _("Only part of the message is signed."));
    }
  else if (!cachet_verdict_get_signed (verdict))
    {
      if (summary->len > 0)
        g_string_append_c (summary, ' ');
      g_string_append (summary, _("Nothing shows who wrote this or that it was not changed on the way."));
    }

  return g_string_free (g_steal_pointer (&summary), FALSE);
}

static void
add_overview_group (CachetReportView *self,
                    CachetVerdict    *verdict)
{
  GtkWidget *group = group_new (_("Protection"), NULL);
  const char *coverage;

  switch (cachet_verdict_get_coverage (verdict))
    {
    case CACHET_COVERAGE_WHOLE:
      coverage = _("The whole message");
      break;
    case CACHET_COVERAGE_PARTIAL:
      coverage = cachet_verdict_get_covered_part (verdict);
      if (coverage == NULL)
        coverage = _("Only a part of the message; the rest is not signed");
      break;
    case CACHET_COVERAGE_NONE:
    default:
      coverage = _("Nothing: no signature covers this message");
      break;
    }
  group_add (group, property_row_new (_("Signature covers"), coverage));

  if (cachet_verdict_get_encrypted (verdict))
    {
      const char *cipher = cachet_verdict_get_cipher (verdict);
      g_autofree char *text = NULL;

      /* Translators: %s is a cipher name such as aes-256-gcm */
      text = cipher ? g_strdup_printf (_("Yes, with %s"), cipher) : g_strdup (_("Yes"));
      group_add (group, property_row_new (_("Encrypted"), text));
    }
  else
    group_add (group, property_row_new (_("Encrypted"), _("No")));

  gtk_box_append (self->details_box, group);
}

static void
add_contact_clicked (GtkButton        *button,
                     CachetReportView *self)
{
  CachetSigner *signer = g_object_get_data (G_OBJECT (button), "cachet-signer");
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetContact) contact = NULL;

  if (self->store == NULL)
    return;
  contact = cachet_store_add_contact (self->store, cachet_signer_get_certificate (signer),
                                      cachet_signer_get_chain (signer), CACHET_CONTACT_IMPORTED,
                                      &error);
  if (contact == NULL)
    {
      cachet_ui_show_toast (GTK_WIDGET (self), error->message);
      return;
    }
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  gtk_button_set_label (button, _("Added"));
  cachet_ui_show_toast (GTK_WIDGET (self), _("Added to your contacts"));
}

static void
details_clicked (GtkButton        *button,
                 CachetReportView *self)
{
  CachetSigner *signer = g_object_get_data (G_OBJECT (button), "cachet-signer");

  cachet_certificate_dialog_show (GTK_WIDGET (self), cachet_signer_get_certificate (signer),
                                  cachet_signer_get_chain (signer), self->store);
}

/* The root the signer's chain ends at when that root is what is missing: the chain was not
 * trusted, and it ends at a self-signed authority (so trusting it is what would help). */
static CachetCertificate *
untrusted_root (CachetReportView *self,
                CachetSigner     *signer)
{
  GPtrArray *chain = cachet_signer_get_chain (signer);
  CachetCertificate *top;

  if (self->store == NULL || cachet_signer_get_certificate (signer) == NULL
      || !cachet_signer_get_signature_valid (signer)
      || !cachet_signer_has_problem (signer, CACHET_PROBLEM_UNTRUSTED_ISSUER)
      || chain == NULL || chain->len == 0)
    return NULL;
  top = g_ptr_array_index (chain, chain->len - 1);
  if (!cachet_certificate_is_self_signed (top) || !cachet_certificate_is_ca (top))
    return NULL;
  return top;
}

static void
trust_response (AdwMessageDialog *dialog,
                const char       *response,
                CachetReportView *self)
{
  CachetCertificate *root = g_object_get_data (G_OBJECT (dialog), "cachet-root");
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!cachet_ui_first_response (dialog))
    return;
  if (g_strcmp0 (response, CACHET_TRUST_RESPONSE) != 0 || self->store == NULL)
    return;
  if (!cachet_store_add_anchor (self->store, root, &error))
    {
      cachet_ui_show_toast (GTK_WIDGET (self), error->message);
      return;
    }
  /* Translators: %s names a certificate authority */
  message = g_strdup_printf (_("“%s” is now trusted for email on this computer"),
                             cachet_certificate_get_name (root));
  cachet_ui_show_toast (GTK_WIDGET (self), message);
  /* The window checks the message again with the new anchor (it owns the checking). */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.reverify", NULL);
}

static void
trust_clicked (GtkButton        *button,
               CachetReportView *self)
{
  CachetCertificate *root = g_object_get_data (G_OBJECT (button), "cachet-root");
  GtkWidget *dialog;

  dialog = _cachet_trust_dialog_new (cachet_ui_get_window (GTK_WIDGET (self)), root);
  g_object_set_data_full (G_OBJECT (dialog), "cachet-root", g_object_ref (root), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (trust_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_signer_group (CachetReportView *self,
                  CachetSigner     *signer,
                  guint             index,
                  guint             n_signers)
{
  g_autofree char *title = NULL;
  g_autofree char *time = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *addresses = NULL;
  const char * const *address_list = cachet_signer_get_addresses (signer);
  CachetStatus status = cachet_signer_get_status (signer);
  CachetCertificate *root;
  GtkWidget *group;
  GtkWidget *row;
  GtkWidget *icon;

  if (n_signers > 1)
    /* Translators: "Signer 1 of 2" */
    title = g_strdup_printf (_("Signer %u of %u"), index + 1, n_signers);
  else
    title = g_strdup (_("Signer"));
  group = group_new (title, NULL);

  addresses = address_list ? g_strjoinv (", ", (char **) address_list) : NULL;
  row = property_row_new (cachet_signer_get_name (signer) ? cachet_signer_get_name (signer)
                                                          : _("Unknown signer"),
                          addresses && *addresses ? addresses
                                                  : _("No email address in the certificate"));
  gtk_widget_remove_css_class (row, "cachet-property");
  gtk_widget_add_css_class (row, "cachet-signer-name");
  icon = gtk_image_new_from_icon_name (status_icon_name (status));
  gtk_widget_add_css_class (icon, "cachet-status-icon");
  gtk_widget_add_css_class (icon, cachet_status_to_string (status));
  gtk_widget_set_tooltip_text (icon, cachet_status_describe (status));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  cachet_status_describe (status), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  if (cachet_signer_get_certificate (signer))
    {
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Details"));
      g_autofree char *label = NULL;

      /* Translators: %s is a person's name */
      label = g_strdup_printf (_("Certificate details of “%s”"),
                               cachet_signer_get_name (signer) ? cachet_signer_get_name (signer) : "");
      gtk_widget_set_tooltip_text (button, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      label, -1);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (button), "cachet-signer", g_object_ref (signer), g_object_unref);
      g_signal_connect (button, "clicked", G_CALLBACK (details_clicked), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  group_add (group, row);

  /* the authority's name; its whole distinguished name is in the certificate's details */
  if (cachet_signer_get_certificate (signer))
    group_add (group, property_row_new (_("Certificate issued by"),
                                        cachet_certificate_get_issuer_name (cachet_signer_get_certificate (signer))));

  time = format_time (cachet_signer_get_signing_time (signer));
  group_add (group, property_row_new (_("Signed on"),
                                      time ? time : _("Not stated in the signature")));

  group_add (group, property_row_new (_("Trust"),
                                      anchor_source_describe (cachet_signer_get_anchor_source (signer))));

  if (cachet_signer_get_certificate (signer) == NULL)
    group_add (group, property_row_new (_("Certificate"),
                                        _("Not included in the message and not among your contacts")));

  /* A good signer became a contact by itself; others only when the person says so. */
  if (self->store && cachet_signer_get_certificate (signer)
      && status == CACHET_STATUS_UNTRUSTED && cachet_signer_get_signature_valid (signer))
    {
      g_autoptr(GPtrArray) known = cachet_store_find_contacts (self->store,
                                                              cachet_signer_get_fingerprint (signer));

      if (known->len == 0)
        {
          GtkWidget *button;

          row = button_row_new (_("Add to contacts"),
                                _("Keep this certificate to recognise the sender next time. Cachet still will not encrypt to it on its own while its authority is not trusted."),
                                _("_Add"), &button);
          g_object_set_data_full (G_OBJECT (button), "cachet-signer", g_object_ref (signer), g_object_unref);
          g_signal_connect (button, "clicked", G_CALLBACK (add_contact_clicked), self);
          group_add (group, row);
        }
    }

  root = untrusted_root (self, signer);
  if (root)
    {
      GtkWidget *button;
      g_autofree char *subtitle = NULL;

      /* Translators: %s names a certificate authority */
      subtitle = g_strdup_printf (_("The certificate comes from “%s”, an authority this computer does not trust. If it is one you know, such as your company’s, you can trust it."),
                                  cachet_certificate_get_name (root));
      row = button_row_new (_("Unknown authority"), subtitle, _("_Trust This CA…"), &button);
      g_object_set_data_full (G_OBJECT (button), "cachet-root", g_object_ref (root), g_object_unref);
      g_signal_connect (button, "clicked", G_CALLBACK (trust_clicked), self);
      group_add (group, row);
    }
  else if (self->store && cachet_signer_get_certificate (signer) && cachet_signer_get_signature_valid (signer)
           && cachet_signer_has_problem (signer, CACHET_PROBLEM_UNTRUSTED_ISSUER))
    {
      /* the message does not carry the root: the person may have it as a file */
      GtkWidget *button;
      g_autofree char *subtitle = NULL;

      /* Translators: %s names a certificate authority */
      subtitle = g_strdup_printf (_("The certificate comes from “%s”, an authority this computer does not trust. If you have the root certificate of an authority you know, such as your company’s, you can add it."),
                                  cachet_certificate_get_issuer_name (cachet_signer_get_certificate (signer)));
      row = button_row_new (_("Unknown authority"), subtitle, _("_Add Authority…"), &button);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.add-authority");
      group_add (group, row);
    }

  fingerprint = _cachet_format_fingerprint (cachet_signer_get_fingerprint (signer));
  if (fingerprint)
    {
      row = property_row_new (_("Certificate fingerprint (SHA-256)"), fingerprint);
      gtk_widget_add_css_class (row, "cachet-fingerprint");
      group_add (group, row);
    }

  gtk_box_append (self->details_box, group);
}

static void
add_problems_group (CachetReportView *self,
                    CachetVerdict    *verdict)
{
  guint n = cachet_verdict_get_n_problems (verdict);
  GtkWidget *group;

  if (n == 0)
    return;

  group = group_new (n == 1 ? _("What is wrong") : _("What is wrong, point by point"), NULL);
  for (guint i = 0; i < n; i++)
    {
      const char *detail = NULL;
      CachetProblem problem = cachet_verdict_get_problem (verdict, i, &detail);
      CachetStatus status = cachet_problem_get_status (problem);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name (status_icon_name (status));

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cachet_problem_describe (problem));
      if (detail)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), detail);
      gtk_widget_add_css_class (row, "cachet-problem");
      gtk_widget_add_css_class (icon, "cachet-status-icon");
      gtk_widget_add_css_class (icon, cachet_status_to_string (status));
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      cachet_status_describe (status), -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      group_add (group, row);
    }
  gtk_box_append (self->details_box, group);
}

/* The message's content: the body to show and the parts to offer for saving. */
typedef struct {
  GMimeObject *body;         /* borrowed */
  GPtrArray   *attachments;  /* borrowed GMimeObject */
  gboolean     has_protected_part;
} MessageParts;

static gboolean
is_text_type (GMimeObject *object,
              const char  *subtype)
{
  GMimeContentType *type = g_mime_object_get_content_type (object);

  return g_mime_content_type_is_type (type, "text", subtype);
}

static void
collect_parts (GMimeObject  *object,
               MessageParts *parts,
               guint         depth)
{
  if (object == NULL || depth > 32)
    return;

  if (GMIME_IS_MULTIPART_SIGNED (object))
    {
      /* The signature part is Cachet's business (the banner), not an attachment. */
      collect_parts (g_mime_multipart_get_part (GMIME_MULTIPART (object),
                                                GMIME_MULTIPART_SIGNED_CONTENT),
                     parts, depth + 1);
    }
  else if (GMIME_IS_MULTIPART_ENCRYPTED (object) || GMIME_IS_APPLICATION_PKCS7_MIME (object))
    {
      parts->has_protected_part = TRUE;
    }
  else if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int n = g_mime_multipart_get_count (multipart);

      if (g_mime_content_type_is_type (g_mime_object_get_content_type (object),
                                       "multipart", "alternative"))
        {
          GMimeObject *chosen = NULL;

          /* Plain text first; HTML only when there is nothing else, and then as source. */
          for (int i = 0; i < n && chosen == NULL; i++)
            if (is_text_type (g_mime_multipart_get_part (multipart, i), "plain"))
              chosen = g_mime_multipart_get_part (multipart, i);
          for (int i = 0; i < n && chosen == NULL; i++)
            if (!GMIME_IS_MULTIPART (g_mime_multipart_get_part (multipart, i)))
              chosen = g_mime_multipart_get_part (multipart, i);
          if (chosen == NULL && n > 0)
            chosen = g_mime_multipart_get_part (multipart, 0);
          collect_parts (chosen, parts, depth + 1);
          return;
        }

      for (int i = 0; i < n; i++)
        collect_parts (g_mime_multipart_get_part (multipart, i), parts, depth + 1);
    }
  else if (GMIME_IS_MESSAGE_PART (object))
    {
      g_ptr_array_add (parts->attachments, object);
    }
  else if (GMIME_IS_TEXT_PART (object)
           && !g_mime_part_is_attachment (GMIME_PART (object))
           && parts->body == NULL)
    {
      parts->body = object;
    }
  else if (GMIME_IS_PART (object))
    {
      g_ptr_array_add (parts->attachments, object);
    }
}

static char *
address_list_to_text (InternetAddressList *list)
{
  if (list == NULL || internet_address_list_length (list) == 0)
    return NULL;
  return internet_address_list_to_string (list, NULL, FALSE);
}

static void
add_message_group (CachetReportView *self,
                   GMimeMessage     *message)
{
  GtkWidget *group = group_new (_("Message"), NULL);
  g_autofree char *from = address_list_to_text (g_mime_message_get_from (message));
  g_autofree char *to = address_list_to_text (g_mime_message_get_to (message));
  g_autofree char *cc = address_list_to_text (g_mime_message_get_cc (message));
  g_autofree char *date = format_time (g_mime_message_get_date (message));
  const char *subject = g_mime_message_get_subject (message);

  group_add (group, property_row_new (_("From"), from ? from : _("(nobody)")));
  group_add (group, property_row_new (_("To"), to ? to : _("(nobody)")));
  if (cc)
    group_add (group, property_row_new (_("Cc"), cc));
  group_add (group, property_row_new (_("Date"), date ? date : _("(no date)")));
  group_add (group, property_row_new (_("Subject"), subject ? subject : _("(no subject)")));
  gtk_box_append (self->details_box, group);
}

/* The message's content as the thread prepared it: the parts and the body text. */
typedef struct {
  GMimeObject *content;      /* the message or entity to show */
  GMimeObject *body;         /* the text part shown, NULL when none */
  GPtrArray   *attachments;  /* GMimeObject */
  gboolean     has_protected_part;
  gboolean     is_html;
  gboolean     cut;          /* the text is longer than MAX_BODY_CHARS */
  char        *text;         /* valid UTF-8, at most MAX_BODY_CHARS characters; NULL when none */
} ContentJob;

static void
content_job_free (ContentJob *job)
{
  g_clear_object (&job->content);
  g_clear_object (&job->body);
  g_clear_pointer (&job->attachments, g_ptr_array_unref);
  g_free (job->text);
  g_free (job);
}

/* In a thread: walking the parts and decoding the text (base64, quoted-printable, charsets)
 * takes seconds for a body of tens of megabytes; the window must not wait for it. Only this
 * thread touches the content until it returns. */
static void
content_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ContentJob *job = task_data;
  MessageParts parts = { NULL, g_ptr_array_new (), FALSE };
  GMimeObject *root = job->content;

  if (GMIME_IS_MESSAGE (root))
    root = g_mime_message_get_mime_part (GMIME_MESSAGE (root));
  collect_parts (root, &parts, 0);

  job->attachments = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < parts.attachments->len; i++)
    g_ptr_array_add (job->attachments, g_object_ref (g_ptr_array_index (parts.attachments, i)));
  g_ptr_array_unref (parts.attachments);
  job->has_protected_part = parts.has_protected_part;

  if (parts.body != NULL && !g_cancellable_is_cancelled (cancellable))
    {
      g_autofree char *text = g_mime_text_part_get_text (GMIME_TEXT_PART (parts.body));

      job->body = g_object_ref (parts.body);
      job->is_html = is_text_type (parts.body, "html");
      if (text != NULL)
        {
          gsize length = strlen (text);
          const char *end;
          glong n = 0;

          /* A character takes at most 4 bytes (an invalid byte becomes one character), so
           * the characters shown all lie in the first 4 * MAX_BODY_CHARS bytes. */
          if (length > 4 * MAX_BODY_CHARS)
            {
              job->cut = TRUE;
              length = 4 * MAX_BODY_CHARS;
            }
          job->text = g_utf8_make_valid (text, length);
          g_clear_pointer (&text, g_free);
          /* Walk at most MAX_BODY_CHARS characters instead of counting them all. */
          end = job->text;
          while (*end != '\0' && n < MAX_BODY_CHARS)
            {
              end = g_utf8_next_char (end);
              n++;
            }
          if (*end != '\0')
            {
              job->cut = TRUE;
              job->text[end - job->text] = '\0';
            }
        }
    }

  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_boolean (task, TRUE);
}

static void
add_body (CachetReportView *self,
          GtkBox           *box,
          ContentJob       *job)
{
  GtkWidget *group;
  GtkWidget *frame;
  GtkTextBuffer *buffer;
  const char *description = NULL;

  if (job->body != NULL)
    {
      if (job->is_html)
        description = _("This part is HTML. Cachet shows its source text and never loads or runs it.");
    }
  else if (job->has_protected_part)
    description = _("The content is still signed or encrypted and cannot be shown.");

  if (job->text == NULL && description == NULL)
    return;

  group = group_new (_("Text"), description);
  if (job->text != NULL)
    {
      if (job->cut)
        adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                               _("The text is long; only its beginning is shown."));

      self->body_view = GTK_TEXT_VIEW (gtk_text_view_new ());
      gtk_text_view_set_editable (self->body_view, FALSE);
      gtk_text_view_set_cursor_visible (self->body_view, FALSE);
      gtk_text_view_set_wrap_mode (self->body_view, GTK_WRAP_WORD_CHAR);
      gtk_text_view_set_left_margin (self->body_view, 12);
      gtk_text_view_set_right_margin (self->body_view, 12);
      gtk_text_view_set_top_margin (self->body_view, 12);
      gtk_text_view_set_bottom_margin (self->body_view, 12);
      gtk_widget_add_css_class (GTK_WIDGET (self->body_view), "cachet-body");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->body_view),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Message text"), -1);
      buffer = gtk_text_view_get_buffer (self->body_view);
      gtk_text_buffer_set_text (buffer, job->text, -1);

      frame = gtk_frame_new (NULL);
      gtk_widget_add_css_class (frame, "view");
      gtk_frame_set_child (GTK_FRAME (frame), GTK_WIDGET (self->body_view));
      group_add (group, frame);
    }
  gtk_box_append (box, group);
}

/* Saving an attachment. */

typedef struct {
  GMimeObject *part;
  char        *path;
} SaveJob;

static void
save_job_free (SaveJob *job)
{
  g_clear_object (&job->part);
  g_free (job->path);
  g_free (job);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveJob *job = task_data;
  g_autoptr(CachetOutput) output = NULL;
  GError *error = NULL;
  GMimeStream *stream;
  gboolean written;

  output = cachet_output_new (job->path, &error);
  if (output == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  stream = cachet_output_get_stream (output);

  if (!GMIME_IS_PART (job->part) && !GMIME_IS_MESSAGE_PART (job->part))
    {
      /* A whole message or entity: the decrypted message. */
      written = g_mime_object_write_to_stream (job->part, NULL, stream) >= 0;
    }
  else if (GMIME_IS_MESSAGE_PART (job->part))
    {
      GMimeMessage *message = g_mime_message_part_get_message (GMIME_MESSAGE_PART (job->part));
      written = message && g_mime_object_write_to_stream (GMIME_OBJECT (message), NULL, stream) >= 0;
    }
  else
    {
      GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (job->part));
      written = content && g_mime_data_wrapper_write_to_stream (content, stream) >= 0;
    }

  if (!written)
    {
      g_task_return_new_error (task, CACHET_ERROR, CACHET_ERROR_IO,
                               _("The attachment could not be written. Check that the folder is writable and has free space."));
      return;
    }
  if (!cachet_output_commit (output, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
save_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CachetReportView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    cachet_ui_show_toast (GTK_WIDGET (self), error->message);
  else
    cachet_ui_show_toast (GTK_WIDGET (self), _("Saved"));
}

static void
save_response (GtkNativeDialog *dialog,
               int              response,
               gpointer         user_data)
{
  CachetReportView *self = user_data;
  GMimeObject *part = g_object_get_data (G_OBJECT (dialog), "cachet-part");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path == NULL)
        cachet_ui_show_toast (GTK_WIDGET (self), _("Cachet can only save to a folder on this computer. Choose another place."));
      else
        {
          SaveJob *job = g_new0 (SaveJob, 1);
          g_autoptr(GTask) task = g_task_new (NULL, NULL, save_done, g_object_ref (self));

          job->part = g_object_ref (part);
          job->path = g_steal_pointer (&path);
          g_task_set_task_data (task, job, (GDestroyNotify) save_job_free);
          g_task_run_in_thread (task, save_thread);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static char *
part_file_name (GMimeObject *part)
{
  const char *name = NULL;

  if (GMIME_IS_PART (part))
    name = g_mime_part_get_filename (GMIME_PART (part));
  if (name && *name)
    {
      /* A name from the message must not pick the folder: keep its last component only. */
      g_autofree char *base = g_path_get_basename (name);
      if (!g_str_equal (base, ".") && !g_str_equal (base, "..") && !g_str_equal (base, G_DIR_SEPARATOR_S))
        return g_steal_pointer (&base);
    }
  if (GMIME_IS_MESSAGE_PART (part))
    return g_strdup (_("message.eml"));
  return g_strdup (_("attachment"));
}

static void
save_clicked (GtkButton *button,
              gpointer   user_data)
{
  CachetReportView *self = user_data;
  GMimeObject *part = g_object_get_data (G_OBJECT (button), "cachet-part");
  const char *suggested = g_object_get_data (G_OBJECT (button), "cachet-name");
  g_autofree char *name = suggested ? g_strdup (suggested) : part_file_name (part);
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (suggested ? _("Save Decrypted Message") : _("Save Attachment"),
                                        cachet_ui_get_window (GTK_WIDGET (self)),
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  /* Suggest the original's folder (never write beside it silently: inside a Flatpak the
   * portal grants the chosen file only). */
  if (self->file)
    {
      g_autoptr(GFile) folder = g_file_get_parent (self->file);
      if (folder)
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, NULL);
    }
  g_object_set_data_full (G_OBJECT (dialog), "cachet-part", g_object_ref (part), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
add_attachments_group (CachetReportView *self,
                       GtkBox           *box,
                       GPtrArray        *attachments)
{
  GtkWidget *group;

  if (attachments->len == 0)
    return;

  group = group_new (_("Attachments"), NULL);
  for (guint i = 0; i < attachments->len; i++)
    {
      GMimeObject *part = g_ptr_array_index (attachments, i);
      g_autofree char *name = part_file_name (part);
      g_autofree char *type = g_mime_content_type_get_mime_type (g_mime_object_get_content_type (part));
      g_autofree char *tooltip = NULL;
      GtkWidget *row = property_row_new (name, type);
      GtkWidget *button = gtk_button_new_from_icon_name ("document-save-symbolic");

      /* Translators: %s is a file name */
      tooltip = g_strdup_printf (_("Save “%s”…"), name);
      gtk_widget_set_tooltip_text (button, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      tooltip, -1);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      g_object_set_data_full (G_OBJECT (button), "cachet-part", g_object_ref (part), g_object_unref);
      g_signal_connect (button, "clicked", G_CALLBACK (save_clicked), self);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("mail-attachment-symbolic"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
      group_add (group, row);
    }
  gtk_box_append (box, group);
}

static void
content_ready (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  CachetReportView *self = CACHET_REPORT_VIEW (source);
  ContentJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  /* Cancelled: a newer verdict (or none, the view is going) replaced this one. */
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    return;

  g_clear_object (&self->content_cancellable);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->content_box))) != NULL)
    gtk_box_remove (self->content_box, child);
  add_body (self, self->content_box, job);
  add_attachments_group (self, self->content_box, job->attachments);
  gtk_widget_set_visible (GTK_WIDGET (self->content_box),
                          gtk_widget_get_first_child (GTK_WIDGET (self->content_box)) != NULL);
  if (self->save_copy_button)
    gtk_widget_set_sensitive (self->save_copy_button, TRUE);
}

/* The headers at once; the body and attachments when the thread has them, a spinner meanwhile. */
static void
add_content (CachetReportView *self,
             GMimeObject      *content)
{
  g_autoptr(GTask) task = NULL;
  ContentJob *job;
  GtkWidget *box;
  GtkWidget *spinner_row;
  GtkWidget *spinner;

  if (GMIME_IS_MESSAGE (content))
    add_message_group (self, GMIME_MESSAGE (content));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  self->content_box = GTK_BOX (box);
  spinner_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (spinner_row, GTK_ALIGN_CENTER);
  spinner = gtk_spinner_new ();
  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_box_append (GTK_BOX (spinner_row), spinner);
  gtk_box_append (GTK_BOX (spinner_row), gtk_label_new (_("Reading the message text…")));
  gtk_widget_add_css_class (spinner_row, "dim-label");
  gtk_box_append (GTK_BOX (box), spinner_row);
  gtk_box_append (self->details_box, box);

  job = g_new0 (ContentJob, 1);
  job->content = g_object_ref (content);
  self->content_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->content_cancellable, content_ready, NULL);
  g_task_set_source_tag (task, add_content);
  g_task_set_task_data (task, job, (GDestroyNotify) content_job_free);
  g_task_run_in_thread (task, content_thread);
}

/* What a person can do with what they see: for now, keep the decrypted message. */
static void
add_actions_group (CachetReportView *self,
                   CachetVerdict    *verdict)
{
  GMimeObject *content = cachet_verdict_get_content (verdict);
  g_autofree char *name = NULL;
  GtkWidget *group;
  GtkWidget *row;
  GtkWidget *button;

  if (!cachet_verdict_get_encrypted (verdict) || content == NULL)
    return;

  if (self->file)
    {
      g_autofree char *base = g_file_get_basename (self->file);
      char *dot = strrchr (base, '.');

      if (dot && dot != base)
        *dot = '\0';
      /* Translators: file name suggested for a decrypted copy; %s is the original's name */
      name = g_strdup_printf (_("%s (decrypted).eml"), base);
    }
  else
    name = g_strdup (_("decrypted.eml"));

  group = group_new (_("Decrypted Message"),
                     _("Keep a readable copy. Anyone who can open the copy can read it."));
  row = button_row_new (_("Save a decrypted copy"), name, _("_Save…"), &button);
  g_object_set_data_full (G_OBJECT (button), "cachet-part", g_object_ref (content), g_object_unref);
  g_object_set_data_full (G_OBJECT (button), "cachet-name", g_steal_pointer (&name), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (save_clicked), self);
  /* Writing the content while the reading thread walks it would share its streams. */
  if (self->content_cancellable)
    {
      gtk_widget_set_sensitive (button, FALSE);
      self->save_copy_button = button;
    }
  group_add (group, row);
  gtk_box_append (self->details_box, group);
}

void
cachet_report_view_set_verdict (CachetReportView *self,
                                CachetVerdict    *verdict,
                                GFile            *file)
{
  GListModel *signers;
  g_autofree char *summary = NULL;
  guint n_signers;

  g_return_if_fail (CACHET_IS_REPORT_VIEW (self));
  g_return_if_fail (CACHET_IS_VERDICT (verdict));

  g_set_object (&self->verdict, verdict);
  g_set_object (&self->file, file);
  clear_details (self);

  summary = build_summary (verdict);
  set_banner (self, cachet_verdict_get_status (verdict), summary);
  if (file)
    {
      g_autofree char *name = g_file_get_basename (file);
      gtk_label_set_text (self->file_label, name);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->file_label), file != NULL);

  add_problems_group (self, verdict);

  signers = cachet_verdict_get_signers (verdict);
  n_signers = signers ? g_list_model_get_n_items (signers) : 0;
  for (guint i = 0; i < n_signers; i++)
    {
      g_autoptr(CachetSigner) signer = g_list_model_get_item (signers, i);
      add_signer_group (self, signer, i, n_signers);
    }

  if (cachet_verdict_get_status (verdict) != CACHET_STATUS_ERROR)
    add_overview_group (self, verdict);

  if (cachet_verdict_get_content (verdict))
    add_content (self, cachet_verdict_get_content (verdict));

  add_actions_group (self, verdict);

  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
}

void
cachet_report_view_set_store (CachetReportView *self,
                              CachetStore      *store)
{
  g_return_if_fail (CACHET_IS_REPORT_VIEW (self));
  g_set_object (&self->store, store);
}

CachetVerdict *
cachet_report_view_get_verdict (CachetReportView *self)
{
  g_return_val_if_fail (CACHET_IS_REPORT_VIEW (self), NULL);
  return self->verdict;
}

GtkLabel *
_cachet_report_view_get_status_label (CachetReportView *self)
{
  return self->status_label;
}

GtkWidget *
_cachet_report_view_get_banner (CachetReportView *self)
{
  return self->banner;
}

char *
_cachet_report_view_get_body_text (CachetReportView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  if (self->body_view == NULL)
    return g_strdup ("");
  buffer = gtk_text_view_get_buffer (self->body_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

gboolean
_cachet_report_view_get_body_pending (CachetReportView *self)
{
  return self->content_cancellable != NULL;
}

static void
cachet_report_view_dispose (GObject *object)
{
  CachetReportView *self = CACHET_REPORT_VIEW (object);
  GtkWidget *child;

  if (self->content_cancellable)
    g_cancellable_cancel (self->content_cancellable);
  g_clear_object (&self->content_cancellable);
  self->body_view = NULL;
  self->content_box = NULL;
  self->save_copy_button = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), CACHET_TYPE_REPORT_VIEW);
  /* Children that are not bound template children (the layout's own boxes). */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->verdict);
  g_clear_object (&self->file);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cachet_report_view_parent_class)->dispose (object);
}

static void
cachet_report_view_class_init (CachetReportViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cachet_report_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/cachet-report-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetReportView, banner);
  gtk_widget_class_bind_template_child (widget_class, CachetReportView, status_icon);
  gtk_widget_class_bind_template_child (widget_class, CachetReportView, status_label);
  gtk_widget_class_bind_template_child (widget_class, CachetReportView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, CachetReportView, file_label);
  gtk_widget_class_bind_template_child (widget_class, CachetReportView, scroller);
  gtk_widget_class_bind_template_child (widget_class, CachetReportView, details_box);
  gtk_widget_class_set_css_name (widget_class, "cachet-report-view");
}

static void
cachet_report_view_init (CachetReportView *self)
{
  g_type_ensure (ADW_TYPE_CLAMP);
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cachet_report_view_new (void)
{
  return g_object_new (CACHET_TYPE_REPORT_VIEW, NULL);
}
