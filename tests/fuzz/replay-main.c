/* SPDX-License-Identifier: GPL-3.0-or-later
 * replay-main.c: runs a fuzz target over files, without libFuzzer, so the test suite replays the
 * kept crashers and the seed corpus with the ordinary compiler. Prints TAP: one case per file.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GDir) dir = g_dir_open (argv[i], 0, NULL);
          const char *name;

          while (dir && (name = g_dir_read_name (dir)) != NULL)
            g_ptr_array_add (files, g_build_filename (argv[i], name, NULL));
        }
      else
        g_ptr_array_add (files, g_strdup (argv[i]));
    }

  printf ("1..%u\n", files->len);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *contents = NULL;
      gsize size = 0;

      if (!g_file_get_contents (files->pdata[i], &contents, &size, NULL))
        {
          printf ("not ok %u %s (unreadable)\n", i + 1, (char *) files->pdata[i]);
          continue;
        }
      /* a crash or sanitizer report ends the program: the test fails */
      LLVMFuzzerTestOneInput ((const uint8_t *) contents, size);
      printf ("ok %u %s\n", i + 1, (char *) files->pdata[i]);
    }

  return 0;
}
