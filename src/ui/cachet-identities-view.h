/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-identities-view.h: the Identities pane: your certificates and keys.
 */
#pragma once

#include <gtk/gtk.h>

#include "cachet-store.h"

G_BEGIN_DECLS

#define CACHET_TYPE_IDENTITIES_VIEW (cachet_identities_view_get_type ())
G_DECLARE_FINAL_TYPE (CachetIdentitiesView, cachet_identities_view, CACHET, IDENTITIES_VIEW, GtkWidget)

/* STORE may be NULL (no store could be opened): the pane then says so. */
void cachet_identities_view_import_file (CachetIdentitiesView *self,
                                         GFile                *file);
void cachet_identities_view_set_store (CachetIdentitiesView *self,
                                       CachetStore          *store);

G_END_DECLS
