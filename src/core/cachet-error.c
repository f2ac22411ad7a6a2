/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>

#include "cachet-error.h"

G_DEFINE_QUARK (cachet-error-quark, cachet_error)

gboolean
_cachet_error_set_write_failed (GError **error)
{
  int saved = errno;

  if (saved == ENOSPC || saved == EDQUOT)
    g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_IO,
                         _("The disk is full. Free some space where the result goes and in the "
                           "temporary folder, then try again."));
  else
    g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                 _("Writing the output failed: %s"), g_strerror (saved));
  return FALSE;
}
