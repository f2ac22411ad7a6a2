/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-application.h: the Cachet application: one instance, windows, app-wide actions.
 */
#pragma once

#include <adwaita.h>

#include "cachet-store.h"

G_BEGIN_DECLS

#define CACHET_TYPE_APPLICATION (cachet_application_get_type ())
G_DECLARE_FINAL_TYPE (CachetApplication, cachet_application, CACHET, APPLICATION, AdwApplication)

CachetApplication *cachet_application_new       (void);
/* The key store shared by the windows, opened on first use; NULL (with ERROR set to why,
 * when given) if it cannot be opened. */
CachetStore       *cachet_application_get_store (CachetApplication  *self,
                                                 const char        **error_message);

/* Registers the window's GResource (templates, style, shortcuts); safe to call more than once.
 * The application does it at start-up; tests that build widgets without it call it first. */
void               _cachet_ui_register_resources (void);

G_END_DECLS
