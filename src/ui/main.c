/* SPDX-License-Identifier: GPL-3.0-or-later
 * main.c: starts the Cachet window.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cachet-application.h"
#include "cachet-core.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CachetApplication) app = NULL;

  cachet_core_init ();
  /* The core binds the text domain; the window's own strings use the default domain. */
  textdomain (GETTEXT_PACKAGE);

  app = cachet_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
