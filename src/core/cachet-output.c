/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-output.c: all-or-nothing output files (see cachet-output.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cachet-error.h"
#include "cachet-file-stream.h"
#include "cachet-output.h"

struct _CachetOutput
{
  char        *path;       /* NULL for standard output */
  char        *temp_path;
  GMimeStream *stream;
  gboolean     keep_private;
  gboolean     committed;
};

/* The private temporary file next to the destination (or in the runtime folder for standard
 * output) that becomes the output on commit. */
static gboolean
open_temporary (CachetOutput  *output,
                GError       **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *template = NULL;
  int fd;

  if (output->path == NULL)
    dir = g_build_filename (g_get_user_runtime_dir (), NULL);
  else
    dir = g_path_get_dirname (output->path);

  template = g_build_filename (dir, ".cachet-XXXXXX", NULL);
  fd = g_mkstemp_full (template, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && output->path == NULL)
    {
      /* no usable runtime folder: fall back to the temporary folder */
      g_free (template);
      template = g_build_filename (g_get_tmp_dir (), ".cachet-XXXXXX", NULL);
      fd = g_mkstemp_full (template, O_RDWR | O_CLOEXEC, 0600);
    }
  if (fd < 0)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (dir);

      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                   _("Cannot write in “%s”: %s. Choose another place to save."),
                   display, g_strerror (saved));
      return FALSE;
    }

  output->temp_path = g_steal_pointer (&template);
  output->stream = cachet_file_stream_new (fd);
  /* committing fsyncs: let the disk work while the output is being made */
  cachet_file_stream_set_early_writeback (CACHET_FILE_STREAM (output->stream), TRUE);
  return TRUE;
}

CachetOutput *
cachet_output_new (const char  *path,
                   GError     **error)
{
  g_autoptr(CachetOutput) output = g_new0 (CachetOutput, 1);

  g_return_val_if_fail (path != NULL, NULL);

  if (g_strcmp0 (path, "-") != 0)
    output->path = g_strdup (path);
  if (!open_temporary (output, error))
    return NULL;
  return g_steal_pointer (&output);
}

void
cachet_output_keep_private (CachetOutput *output)
{
  output->keep_private = TRUE;
}

gboolean
cachet_output_restart (CachetOutput  *output,
                       GError       **error)
{
  g_return_val_if_fail (!output->committed, FALSE);

  g_clear_object (&output->stream);
  g_unlink (output->temp_path);
  g_clear_pointer (&output->temp_path, g_free);
  return open_temporary (output, error);
}

GMimeStream *
cachet_output_get_stream (CachetOutput *output)
{
  return output->stream;
}

static gboolean
copy_to_stdout (CachetOutput  *output,
                GError       **error)
{
  g_autoptr(GMimeStream) out = g_mime_stream_pipe_new (STDOUT_FILENO);

  g_mime_stream_pipe_set_owner (GMIME_STREAM_PIPE (out), FALSE);
  if (g_mime_stream_reset (output->stream) < 0 ||
      g_mime_stream_write_to_stream (output->stream, out) < 0 ||
      g_mime_stream_flush (out) < 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                   _("Writing to standard output failed: %s"), g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
cachet_output_commit (CachetOutput  *output,
                      GError       **error)
{
  g_return_val_if_fail (!output->committed, FALSE);

  if (!cachet_file_stream_sync (CACHET_FILE_STREAM (output->stream)))
    return _cachet_error_set_write_failed (error);

  if (output->path == NULL)
    {
      if (!copy_to_stdout (output, error))
        return FALSE;
      output->committed = TRUE;
      return TRUE;   /* the temporary file is removed by cachet_output_free */
    }

  /* give the result the usual permissions, not the private 0600 of the temporary file */
  if (!output->keep_private)
    {
      mode_t mask = umask (0);

      umask (mask);
      g_chmod (output->temp_path, 0666 & ~mask);
    }

  if (g_rename (output->temp_path, output->path) < 0)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (output->path);

      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                   _("Could not save “%s”: %s"), display, g_strerror (saved));
      return FALSE;
    }

  g_clear_pointer (&output->temp_path, g_free);
  output->committed = TRUE;
  return TRUE;
}

void
cachet_output_free (CachetOutput *output)
{
  if (output == NULL)
    return;

  g_clear_object (&output->stream);
  if (output->temp_path)
    g_unlink (output->temp_path);
  g_free (output->temp_path);
  g_free (output->path);
  g_free (output);
}

gboolean
cachet_output_write_file (const char  *path,
                          const void  *data,
                          gsize        size,
                          GError     **error)
{
  g_autoptr(CachetOutput) output = cachet_output_new (path, error);

  if (output == NULL)
    return FALSE;
  if (g_mime_stream_write (output->stream, data, size) != (gssize) size)
    {
      g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_IO,
                           _("The file could not be written. Check that the folder is writable and has free space."));
      return FALSE;
    }
  return cachet_output_commit (output, error);
}
