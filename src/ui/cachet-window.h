/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-window.h: the main window: Messages, Identities and Contacts panes.
 */
#pragma once

#include <adwaita.h>

#include "cachet-application.h"
#include "cachet-certificate.h"
#include "cachet-credentials.h"
#include "cachet-contacts-view.h"
#include "cachet-protect-view.h"
#include "cachet-report-view.h"
#include "cachet-store.h"

G_BEGIN_DECLS

#define CACHET_TYPE_WINDOW (cachet_window_get_type ())
G_DECLARE_FINAL_TYPE (CachetWindow, cachet_window, CACHET, WINDOW, AdwApplicationWindow)

CachetWindow *cachet_window_new              (CachetApplication *application);

/* The one way files get into the window (command line, GApplication open, Open…, drop):
 * checks each file off the main thread (verify, or decrypt for encrypted input) and shows the
 * report (any other file: the Sign / Encrypt panel), or a list of results for several files.
 * Cancels whatever was running before. */
void          cachet_window_open_files       (CachetWindow      *self,
                                              GFile            **files,
                                              guint              n_files);
void          cachet_window_show_open_dialog (CachetWindow      *self);
/* Shows a pane: "messages", "identities" or "contacts" (others are ignored). */
void          cachet_window_show_pane        (CachetWindow      *self,
                                              const char        *name);
/* Opens the New Identity dialog of the Identities pane. */
void          cachet_window_new_identity     (CachetWindow      *self);
/* A short message at the bottom of the window. */
void          cachet_window_show_toast       (CachetWindow      *self,
                                              const char        *message);

/* App-internal, for tests and for actions that grow out of the report. */
gboolean          _cachet_window_get_busy          (CachetWindow      *self);
/* "drop", "busy", "report", "protect" or "results": what the Messages pane shows. */
const char       *_cachet_window_get_messages_page (CachetWindow      *self);
GtkDropTarget    *_cachet_window_get_drop_target   (CachetWindow      *self);
CachetReportView *_cachet_window_get_report_view   (CachetWindow      *self);
/* The Sign / Encrypt panel (page "protect"). */
CachetProtectView *_cachet_window_get_protect_view (CachetWindow      *self);
CachetContactsView *_cachet_window_get_contacts_view (CachetWindow     *self);
/* Trusts ANCHOR for the checks this window runs (besides the system's and the store's). */
void              _cachet_window_add_trust_anchor  (CachetWindow      *self,
                                                    CachetCertificate *anchor);
/* Uses CREDENTIALS to decrypt (besides the store's identities). */
void              _cachet_window_add_credentials   (CachetWindow      *self,
                                                    CachetCredentials *credentials);
/* Uses STORE (normally the application's) for checks and in the panes. */
void              _cachet_window_set_store         (CachetWindow      *self,
                                                    CachetStore       *store);
/* The verdicts of the last cachet_window_open_files(), in order (CachetVerdict). */
GPtrArray        *_cachet_window_get_verdicts      (CachetWindow      *self);
/* Shows the report of result INDEX of the last open (as clicking it in the list does). */
void              _cachet_window_show_result       (CachetWindow      *self,
                                                    guint              index);

G_END_DECLS
