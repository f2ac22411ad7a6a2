/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-ui-util.h: small helpers the window's panes and dialogs share.
 */
#pragma once

#include <adwaita.h>

#include "cachet-store.h"

G_BEGIN_DECLS

/* The window WIDGET is in, or NULL (not in one yet, or WIDGET NULL): a dialog's parent. */
GtkWindow *cachet_ui_get_window    (GtkWidget        *widget);
/* An AdwMessageDialog asking to confirm something that cannot be taken back: Cancel (also
 * what closing it answers) and RESPONSE, shown as LABEL in the destructive style. */
GtkWidget *cachet_ui_confirm_dialog_new (GtkWindow  *parent,
                                         const char *heading,
                                         const char *body,
                                         const char *response,
                                         const char *label);
/* Shows MESSAGE as a toast in the nearest AdwToastOverlay at or above WIDGET; logs it with
 * g_message() when there is none (a pane outside the window, as in the tests). */
void     cachet_ui_show_toast      (GtkWidget        *widget,
                                    const char       *message);
/* AdwMessageDialog can answer twice (a response, then its close response while it closes):
 * TRUE the first time it is called for DIALOG, FALSE after, so a handler acts on the first
 * answer only. */
gboolean cachet_ui_first_response  (AdwMessageDialog *dialog);
/* Whether CONTACT's name or one of its addresses contains QUERY, case ignored (casefolded).
 * An empty or NULL QUERY matches every contact. */
gboolean cachet_ui_contact_matches (CachetContact    *contact,
                                    const char       *query);

G_END_DECLS
