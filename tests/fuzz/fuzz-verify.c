/* SPDX-License-Identifier: GPL-3.0-or-later
 * fuzz-verify.c: the whole verdict path: arbitrary bytes as a file dropped on Cachet (message,
 * opaque or detached SignedData), through detection, MIME parsing, CMS and the verdict.
 */
#include "config.h"

#include <stdint.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "cachet-core.h"
#include "cachet-signing.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static char *path;
  static CachetOptions *options;
  g_autoptr(CachetVerdict) verdict = NULL;
  g_autoptr(GError) error = NULL;

  cachet_core_init ();
  if (path == NULL)
    {
      int fd = g_file_open_tmp ("cachet-fuzz-XXXXXX.eml", &path, NULL);
      g_assert (fd >= 0);
      close (fd);
      options = cachet_options_new ();
      cachet_options_set_system_trust (options, FALSE);
    }

  g_assert (g_file_set_contents (path, (const char *) data, size, NULL));
  verdict = cachet_verify_file (options, path, NULL, NULL, &error);

  if (verdict)
    {
      g_autofree char *json = cachet_verdict_to_json (verdict);
      g_autofree char *text = cachet_verdict_to_text (verdict);

      /* whatever the bytes, they can never make a good verdict: no anchor is trusted */
      if (cachet_verdict_get_status (verdict) == CACHET_STATUS_GOOD)
        g_error ("arbitrary input was judged good");
    }
  else
    g_assert (error != NULL);

  return 0;
}
