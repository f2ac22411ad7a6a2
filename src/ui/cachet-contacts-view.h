/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-contacts-view.h: the Contacts pane: other people's certificates and the authorities
 * you trust.
 */
#pragma once

#include <gtk/gtk.h>

#include "cachet-store.h"

G_BEGIN_DECLS

#define CACHET_TYPE_CONTACTS_VIEW (cachet_contacts_view_get_type ())
G_DECLARE_FINAL_TYPE (CachetContactsView, cachet_contacts_view, CACHET, CONTACTS_VIEW, GtkWidget)

/* STORE may be NULL (no store could be opened): the pane then says so. */
void cachet_contacts_view_import_files (CachetContactsView  *self,
                                        GFile              **files,
                                        guint                n_files);
/* Add Authority…: an Open dialog for a certificate file, then cachet_contacts_view_add_authority_file.
 * Each authority trusted emits "trust-changed", as do one no longer trusted and an imported
 * revocation list. */
void cachet_contacts_view_choose_authority   (CachetContactsView *self);
/* Asks, authority by authority (with the trust warning), whether to trust the CA
 * certificates in FILE (what Add Authority… does after its Open dialog). */
void cachet_contacts_view_add_authority_file (CachetContactsView *self,
                                              GFile              *file);
/* Imports the revocation list in FILE (what Revocation Lists' Import… does after its Open
 * dialog); emits "trust-changed" when it was imported. */
void cachet_contacts_view_import_crl_file    (CachetContactsView *self,
                                              GFile              *file);
void cachet_contacts_view_set_store (CachetContactsView *self,
                                     CachetStore        *store);

G_END_DECLS
