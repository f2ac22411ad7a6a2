/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-core.c: process-wide start-up of the core.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include "cachet-gmime.h"

#include "cachet-core.h"
#include "cachet-crypto-context.h"

void
cachet_core_init (void)
{
  static gsize initialised;

  if (!g_once_init_enter (&initialised))
    return;

  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  gnutls_global_init ();
  g_mime_init ();
  _cachet_crypto_context_register ();

  g_once_init_leave (&initialised, 1);
}
