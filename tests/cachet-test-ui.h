/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-test-ui.h: what the window tests share: running the main loop, waiting for the window
 * or a condition, finding widgets and toplevels, answering dialogs.
 */
#pragma once

#include <adwaita.h>

#include "cachet-report-view.h"
#include "cachet-store.h"
#include "cachet-window.h"

G_BEGIN_DECLS

/* g_test_init(), then the core, the window's resources, GTK and libadwaita. */
void              cachet_test_ui_init                    (int         *argc,
                                                          char      ***argv);
/* Imports PERSON (DIR/NAME from cachet_test_pki_issue(): its -chain.pem and .key) into STORE as
 * an identity, its key in the keyring. Without a keyring the test is skipped and NULL returned. */
CachetIdentity   *cachet_test_ui_import_identity         (CachetStore *store,
                                                          const char  *person);

/* Runs the main loop for 200 ms (long enough for a layout or a toast). */
void              cachet_test_ui_iterate                 (void);
/* Runs the main loop until nothing is pending. */
void              cachet_test_ui_flush                   (void);
/* Runs the main loop until CONDITION (DATA) holds; fails the test after 60 s, naming WHAT. */
void              cachet_test_ui_wait_for                (gboolean   (*condition) (gpointer data),
                                                          gpointer     data,
                                                          const char  *what);
/* Runs the main loop until WINDOW is no longer busy (fails the test after 45 s), then until
 * nothing is pending. */
void              cachet_test_ui_wait_until_idle         (CachetWindow *window);
/* Runs the main loop until REPORT has read its message body in its thread. */
void              cachet_test_ui_wait_for_body           (CachetReportView *report);

/* Is there a visible label under WIDGET whose text is TEXT (or contains it, if PARTIAL)? */
gboolean          cachet_test_ui_shows_text              (GtkWidget   *widget,
                                                          const char  *text,
                                                          gboolean     partial);
/* Is there a visible label under WIDGET showing exactly TEXT? */
gboolean          cachet_test_ui_shows_label             (GtkWidget   *widget,
                                                          const char  *text);
/* The first widget of TYPE at or under WIDGET (depth first), or NULL. */
GtkWidget        *cachet_test_ui_find_widget             (GtkWidget   *widget,
                                                          GType        type);
/* A mapped button at or under WIDGET whose label or tooltip is TEXT, or NULL. */
GtkWidget        *cachet_test_ui_find_button             (GtkWidget   *widget,
                                                          const char  *text);
/* Waits for a visible toplevel window of TYPE (WHAT names it should it not come) and returns it. */
GtkWindow        *cachet_test_ui_wait_for_toplevel       (GType        type,
                                                          const char  *what);

/* Waits for a message dialog and returns it. */
AdwMessageDialog *cachet_test_ui_wait_for_message_dialog (void);
/* As a click on a response button: responds, then the dialog closes. */
void              cachet_test_ui_respond                 (AdwMessageDialog *dialog,
                                                          const char       *response);
/* Waits until CHOOSER (it loads its folder asynchronously) answers with FILE, then accepts. */
void              cachet_test_ui_accept_file             (GtkFileChooser   *chooser,
                                                          GFile            *file);

G_END_DECLS
