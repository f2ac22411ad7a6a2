/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-ui-util.c: small helpers the window's panes and dialogs share (see cachet-ui-util.h).
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cachet-ui-util.h"

GtkWindow *
cachet_ui_get_window (GtkWidget *widget)
{
  GtkRoot *root = widget ? gtk_widget_get_root (widget) : NULL;

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

GtkWidget *
cachet_ui_confirm_dialog_new (GtkWindow  *parent,
                              const char *heading,
                              const char *body,
                              const char *response,
                              const char *label)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, heading, body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), response, label, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), response,
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  return dialog;
}

void
cachet_ui_show_toast (GtkWidget  *widget,
                      const char *message)
{
  GtkWidget *overlay;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (message != NULL);

  overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  if (overlay)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
  else
    g_message ("%s", message);
}

gboolean
cachet_ui_first_response (AdwMessageDialog *dialog)
{
  g_return_val_if_fail (ADW_IS_MESSAGE_DIALOG (dialog), FALSE);

  if (g_object_get_data (G_OBJECT (dialog), "cachet-answered"))
    return FALSE;
  g_object_set_data (G_OBJECT (dialog), "cachet-answered", GINT_TO_POINTER (1));
  return TRUE;
}

gboolean
cachet_ui_contact_matches (CachetContact *contact,
                           const char    *query)
{
  CachetCertificate *certificate;
  g_autofree char *needle = NULL;
  g_autofree char *name = NULL;
  const char * const *addresses;

  g_return_val_if_fail (CACHET_IS_CONTACT (contact), FALSE);

  if (query == NULL || *query == '\0')
    return TRUE;
  certificate = cachet_contact_get_certificate (contact);
  needle = g_utf8_casefold (query, -1);
  name = g_utf8_casefold (cachet_certificate_get_name (certificate), -1);
  if (strstr (name, needle))
    return TRUE;
  addresses = cachet_certificate_get_addresses (certificate);
  for (guint i = 0; addresses && addresses[i]; i++)
    {
      g_autofree char *address = g_utf8_casefold (addresses[i], -1);

      if (strstr (address, needle))
        return TRUE;
    }
  return FALSE;
}
