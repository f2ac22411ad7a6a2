/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-protect-view.h: the panel that signs and/or encrypts one file or message.
 *
 * Sign and Encrypt switches, the identity to sign with, recipients chosen from the contacts
 * (search as you type; those whose certificate cannot be used are shown greyed with the
 * reason), then a save dialog and the core's _async call with progress and Cancel. The result
 * names what was written where and can be dragged out of the window.
 */
#pragma once

#include <adwaita.h>

#include "cachet-store.h"

G_BEGIN_DECLS

#define CACHET_TYPE_PROTECT_VIEW (cachet_protect_view_get_type ())
G_DECLARE_FINAL_TYPE (CachetProtectView, cachet_protect_view, CACHET, PROTECT_VIEW, GtkWidget)

GtkWidget *cachet_protect_view_new          (void);
/* The key store: identities to sign with, contacts to encrypt to (may be NULL). */
void       cachet_protect_view_set_store    (CachetProtectView *self,
                                             CachetStore       *store);
/* Settings to remember the folder and the Encrypt choice in (NULL: remember nothing). */
void       cachet_protect_view_set_settings (CachetProtectView *self,
                                             GSettings         *settings);
/* Offers FILE for protection; MESSAGE: it is an email (.eml), which gives an .eml back. */
void       cachet_protect_view_set_file     (CachetProtectView *self,
                                             GFile             *file,
                                             gboolean           message);
GFile     *cachet_protect_view_get_file     (CachetProtectView *self);
/* Turns the Sign and Encrypt switches on or off (Sign alone is the default). */
void       cachet_protect_view_set_choices  (CachetProtectView *self,
                                             gboolean           sign,
                                             gboolean           encrypt);
/* TRUE while a job runs (property "busy"). */
gboolean   cachet_protect_view_get_busy     (CachetProtectView *self);
/* "Encrypting “notes.txt”…": what the running job does. */
const char *cachet_protect_view_get_busy_title (CachetProtectView *self);
/* Bytes of input read so far and the input's size (0 when unknown), for a progress bar. */
void       cachet_protect_view_get_progress (CachetProtectView *self,
                                             guint64           *done,
                                             guint64           *total);
/* Stops the running job; "busy" turns FALSE once the core has given up (nothing written). */
void       cachet_protect_view_cancel       (CachetProtectView *self);

/* For tests. The next run writes to OUTPUT instead of asking with a save dialog. */
void           _cachet_protect_view_set_output         (CachetProtectView *self,
                                                        GFile             *output);
/* The file the last run wrote, or NULL. */
GFile         *_cachet_protect_view_get_written        (CachetProtectView *self);
/* The recipients list: one AdwActionRow per contact, with a GtkCheckButton as its prefix. */
GtkListBox    *_cachet_protect_view_get_recipient_list (CachetProtectView *self);
GtkSearchEntry *_cachet_protect_view_get_search_entry  (CachetProtectView *self);
/* The result row's drag source (its content is the written file). */
GtkDragSource *_cachet_protect_view_get_drag_source    (CachetProtectView *self);

G_END_DECLS
