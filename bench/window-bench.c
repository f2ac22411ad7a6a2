/* SPDX-License-Identifier: GPL-3.0-or-later
 * window-bench.c: how the window behaves while a big job runs (issue 8). Not a test: run by
 * bench/window.sh under Xvfb, which makes the inputs with openssl.
 *
 *   window-bench ROOT.crt ME.crt ME.key SMALL.eml BIG.p7m BIG-SIGNED.p7m BIG.bin LONG.eml
 *
 * Measures, with a tick callback on the window (it keeps the frame clock running at the
 * display's rate, so a gap between two ticks is time the main loop could not draw):
 * - the time from the window being mapped to the report of SMALL.eml being painted, the file
 *   passed at start as the application does for a file opened from the file manager;
 * - for each big job (decrypt BIG.p7m and verify BIG-SIGNED.p7m through
 *   cachet_window_open_files, as a drop does; encrypt BIG.bin to ME.crt, a contact of the
 *   window's store, through the Messages pane's Encrypt panel (CachetProtectView), and with
 *   cachet_encrypt_file_async from the window's main loop): frames, longest gap between frames, wall time, peak RSS of the
 *   process during the job (VmHWM, reset before) and its growth over the RSS before the job;
 * - the same jobs cancelled a quarter into their time (win.cancel, the Cancel button's action): time from Cancel to the window no longer busy, and
 *   to the job's threads using no more CPU (the worker gave up; /proc/self/task schedstat);
 * - opening LONG.eml, a message with a text body of megabytes: the frames until its text is
 *   shown and laid out (the body is read off the main thread; GTK lays the text view out on it).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "cachet-application.h"
#include "cachet-core.h"
#include "cachet-encryption.h"
#include "cachet-protect-view.h"
#include "cachet-store.h"
#include "cachet-window.h"

typedef struct {
  GArray *ticks;          /* gint64 µs, one per frame */
  gint64  mapped;
  gint64  painted_after;  /* set when a paint follows a wanted state */
  gboolean want_paint;
} Frames;

static Frames frames;

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  gint64 t = now_us ();

  g_array_append_val (frames.ticks, t);
  return G_SOURCE_CONTINUE;
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       data)
{
  if (frames.want_paint && frames.painted_after == 0)
    frames.painted_after = now_us ();
}

static void
on_map (GtkWidget *widget,
        gpointer   data)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  frames.mapped = now_us ();
  if (clock != NULL)
    g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
}

/* kB from /proc/self/status: "VmRSS" or "VmHWM" */
static guint64
status_kb (const char *field)
{
  g_autofree char *text = NULL;
  const char *line;
  g_autofree char *key = g_strconcat ("\n", field, ":", NULL);

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL) || !(line = strstr (text, key)))
    return 0;
  return g_ascii_strtoull (line + strlen (key), NULL, 10);
}

static void
reset_peak (void)
{
  /* "5" resets VmHWM to the current RSS (Linux 4.0+) */
  FILE *clear = fopen ("/proc/self/clear_refs", "w");

  if (clear == NULL || fputs ("5", clear) < 0 || fclose (clear) != 0)
    g_printerr ("window-bench: cannot reset the peak RSS; the peak covers the whole run\n");
}

static void
iterate (void)
{
  g_main_context_iteration (NULL, TRUE);
}

/* Runs the main loop for about MS milliseconds. */
static void
spin (guint ms)
{
  gint64 until = now_us () + ms * 1000;

  while (now_us () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
}

/* CPU time (ns) of the job's threads: GLib's pool threads (GTask) and Cachet's own helpers,
 * from /proc/self/task/N/schedstat; the main thread and the renderer's threads are left out. */
static guint64
worker_cpu_ns (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  guint64 total = 0;

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm_path = g_strdup_printf ("/proc/self/task/%s/comm", tid);
      g_autofree char *stat_path = g_strdup_printf ("/proc/self/task/%s/schedstat", tid);
      g_autofree char *comm = NULL, *stat = NULL;

      if (!g_file_get_contents (comm_path, &comm, NULL, NULL) ||
          (!g_str_has_prefix (comm, "pool") && !g_str_has_prefix (comm, "cachet")))
        continue;
      if (g_file_get_contents (stat_path, &stat, NULL, NULL))
        total += g_ascii_strtoull (stat, NULL, 10);
    }
  return total;
}

/* Spins until the job's threads used less than 1 ms of CPU in a 50 ms slice; returns when
 * that slice started. */
static gint64
wait_cpu_idle (void)
{
  gint64 deadline = now_us () + 60 * G_USEC_PER_SEC;

  while (now_us () < deadline)
    {
      gint64 start = now_us ();
      guint64 cpu = worker_cpu_ns ();

      spin (50);
      if (worker_cpu_ns () - cpu < 1000000)
        return start;
    }
  return -1;
}

typedef struct {
  const char *name;
  guint       n_frames;
  double      longest_gap_ms;
  double      wall_s;
  guint64     rss_before_kb;
  guint64     peak_kb;
  double      cancel_to_not_busy_ms;
  double      cancel_to_cpu_idle_ms;
  char       *result;
} Row;

static void
frames_stats (guint   from,
              guint  *n,
              double *longest_ms)
{
  gint64 longest = 0;

  *n = frames.ticks->len - from;
  for (guint i = from + 1; i < frames.ticks->len; i++)
    longest = MAX (longest, g_array_index (frames.ticks, gint64, i) - g_array_index (frames.ticks, gint64, i - 1));
  *longest_ms = longest / 1000.0;
}

/* --- jobs ----------------------------------------------------------------------------- */

typedef struct {
  gboolean done;
  gboolean ok;
  char    *message;
} EncryptJob;

static void
encrypt_done (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  EncryptJob *job = data;
  g_autoptr(GError) error = NULL;

  job->ok = cachet_encrypt_file_finish (result, &error);
  job->message = g_strdup (error ? error->message : "written");
  job->done = TRUE;
}

static CachetOptions *
encrypt_options (const char *root,
                 const char *cert)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) roots = cachet_certificate_list_from_file (root, &error);
  g_autoptr(GPtrArray) me = NULL;
  CachetOptions *options = cachet_options_new ();

  if (!roots || !(me = cachet_certificate_list_from_file (cert, &error)))
    g_error ("%s", error->message);
  cachet_options_set_system_trust (options, FALSE);
  cachet_options_add_anchor (options, g_ptr_array_index (roots, 0));
  cachet_options_add_recipient (options, g_ptr_array_index (me, 0));
  cachet_options_set_encrypt_to_self (options, FALSE);
  cachet_options_set_cipher (options, CACHET_CIPHER_AES_256_CBC);
  return options;
}

typedef enum {
  JOB_OPEN,      /* cachet_window_open_files: verify or decrypt, as a drop does */
  JOB_OPEN_TEXT, /* the same, then until the report's text is shown and laid out */
  JOB_CORE,      /* cachet_encrypt_file_async from the window's main loop */
  JOB_PROTECT,   /* the Messages pane's Encrypt panel (CachetProtectView), to a contact */
} JobMode;

/* The row of the recipients list whose title is NAME. */
static GtkWidget *
find_row (GtkWidget  *widget,
          const char *name)
{
  if (ADW_IS_ACTION_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = find_row (child, name);

      if (row != NULL)
        return row;
    }
  return NULL;
}

static GtkCheckButton *
find_check (GtkWidget *widget)
{
  if (GTK_IS_CHECK_BUTTON (widget))
    return GTK_CHECK_BUTTON (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkCheckButton *check = find_check (child);

      if (check != NULL)
        return check;
    }
  return NULL;
}

/* Opens PATH in the window and prepares the Encrypt panel: encrypt only, to RECIPIENT,
 * written to OUTPUT. */
static CachetProtectView *
prepare_protect (CachetWindow *window,
                 const char   *path,
                 const char   *recipient,
                 const char   *output)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) out = g_file_new_for_path (output);
  CachetProtectView *view;
  GtkCheckButton *check;
  GtkWidget *row;

  cachet_window_open_files (window, &file, 1);
  while (_cachet_window_get_busy (window))
    iterate ();
  if (g_strcmp0 (_cachet_window_get_messages_page (window), "protect") != 0)
    g_error ("opening %s showed page %s, not the Encrypt panel", path,
             _cachet_window_get_messages_page (window));
  view = _cachet_window_get_protect_view (window);
  cachet_protect_view_set_choices (view, FALSE, TRUE);
  spin (100);
  row = find_row (GTK_WIDGET (_cachet_protect_view_get_recipient_list (view)), recipient);
  if (row == NULL)
    g_error ("no recipient row “%s” in the Encrypt panel", recipient);
  /* chosen, whether or not the last run left it chosen (activating the row toggles it) */
  check = find_check (row);
  if (check == NULL)
    g_error ("the recipient row “%s” has no check button", recipient);
  if (!gtk_check_button_get_active (check))
    gtk_widget_activate (row);
  if (!gtk_check_button_get_active (check))
    g_error ("the recipient “%s” cannot be chosen", recipient);
  _cachet_protect_view_set_output (view, out);
  return view;
}

/* Runs one big job; CANCEL_AFTER_MS 0: to the end. */
static Row
run_job (CachetWindow *window,
         const char   *name,
         const char   *path,
         JobMode       mode,
         const char   *root,
         const char   *cert,
         const char   *output,
         guint         cancel_after_ms)
{
  Row row = { name };
  guint first, progress_steps = 0;
  guint64 last_done = 0, total = 0;
  gint64 start, cancelled = 0, text_shown = 0;
  EncryptJob job = { FALSE };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CachetOptions) options = NULL;
  CachetProtectView *view = NULL;

  if (mode == JOB_PROTECT)
    view = prepare_protect (window, path, "Bench User", output);
  wait_cpu_idle ();
  row.rss_before_kb = status_kb ("VmRSS");
  reset_peak ();
  first = frames.ticks->len;
  start = now_us ();

  switch (mode)
    {
    case JOB_CORE:
      options = encrypt_options (root, cert);
      cachet_encrypt_file_async (options, path, output, cancellable, encrypt_done, &job);
      break;
    case JOB_PROTECT:
      if (!gtk_widget_activate_action (GTK_WIDGET (view), "protect.run", NULL))
        g_error ("the Encrypt panel's protect.run action is not there");
      break;
    case JOB_OPEN:
    default:
      {
        g_autoptr(GFile) file = g_file_new_for_path (path);

        cachet_window_open_files (window, &file, 1);
      }
      break;
    }

  for (;;)
    {
      gboolean busy = mode == JOB_CORE ? !job.done : _cachet_window_get_busy (window);

      if (view != NULL && busy)
        {
          guint64 done = 0;

          cachet_protect_view_get_progress (view, &done, &total);
          if (done != last_done)
            progress_steps++;
          if (done < last_done)
            g_error ("the progress went back from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
                     last_done, done);
          last_done = done;
        }
      /* a report's text comes after the report, from its own thread */
      if (!busy && mode == JOB_OPEN_TEXT && text_shown == 0)
        {
          g_autofree char *text = _cachet_report_view_get_body_text (_cachet_window_get_report_view (window));

          if (*text != '\0')
            text_shown = now_us ();
        }
      if (!busy && (mode != JOB_OPEN_TEXT || (text_shown > 0 && now_us () - text_shown > 500000)))
        break;
      if (cancel_after_ms > 0 && cancelled == 0 && now_us () - start >= cancel_after_ms * 1000)
        {
          cancelled = now_us ();
          if (mode == JOB_CORE)
            g_cancellable_cancel (cancellable);
          else
            gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL);
        }
      iterate ();
    }
  row.wall_s = (now_us () - start) / 1e6;
  if (cancelled)
    {
      gint64 idle;

      row.cancel_to_not_busy_ms = (now_us () - cancelled) / 1000.0;
      idle = wait_cpu_idle ();
      row.cancel_to_cpu_idle_ms = idle < 0 ? -1 : MAX (0, idle - cancelled) / 1000.0;
    }
  frames_stats (first, &row.n_frames, &row.longest_gap_ms);
  row.peak_kb = status_kb ("VmHWM");
  switch (mode)
    {
    case JOB_CORE:
      row.result = g_strdup (job.message);
      break;
    case JOB_PROTECT:
      row.result = g_strdup_printf ("%s; progress seen %u times, last %.0f %%",
                                    _cachet_protect_view_get_written (view) ? "written" : "nothing written",
                                    progress_steps, total ? 100.0 * last_done / total : 0.0);
      break;
    case JOB_OPEN_TEXT:
      {
        g_autofree char *text = _cachet_report_view_get_body_text (_cachet_window_get_report_view (window));

        row.result = g_strdup_printf ("page %s; text shown 0.5 s: %ld characters",
                                      _cachet_window_get_messages_page (window), g_utf8_strlen (text, -1));
      }
      break;
    case JOB_OPEN:
    default:
      row.result = g_strdup_printf ("page %s", _cachet_window_get_messages_page (window));
      break;
    }
  g_free (job.message);
  return row;
}

static void
print_row (const Row *row)
{
  printf ("| %s | %.2f s | %u (%.0f/s) | %.0f ms | %.1f MB (+%.1f MB) | ",
          row->name, row->wall_s, row->n_frames, row->n_frames / MAX (row->wall_s, 1e-6),
          row->longest_gap_ms, row->peak_kb / 1024.0,
          ((double) row->peak_kb - (double) row->rss_before_kb) / 1024.0);
  if (row->cancel_to_not_busy_ms > 0 || row->cancel_to_cpu_idle_ms != 0)
    printf ("%.0f ms / %.0f ms | ", row->cancel_to_not_busy_ms, row->cancel_to_cpu_idle_ms);
  else
    printf ("– | ");
  printf ("%s |\n", row->result);
  fflush (stdout);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) roots = NULL;
  g_autoptr(CachetCredentials) credentials = NULL;
  g_autoptr(GFile) small = NULL;
  g_autofree char *encrypted = NULL;
  g_autofree char *store_dir = g_build_filename (g_get_user_data_dir (), "cachet-window-bench", NULL);
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  CachetWindow *window;
  gint64 t0, shown, reported;
  Row rows[9];
  guint n_rows = 0;

  if (argc != 9)
    {
      g_printerr ("usage: %s ROOT.crt ME.crt ME.key SMALL.eml BIG.p7m BIG-SIGNED.p7m BIG.bin LONG.eml\n", argv[0]);
      return 2;
    }
  frames.ticks = g_array_new (FALSE, FALSE, sizeof (gint64));

  cachet_core_init ();
  _cachet_ui_register_resources ();
  gtk_init ();
  adw_init ();

  /* 1. a 50 KB .eml passed at start: window made, file opened, window presented (as
   * CachetApplication's open handler does); time to the report's first paint */
  t0 = now_us ();
  window = cachet_window_new (NULL);
  roots = cachet_certificate_list_from_file (argv[1], &error);
  if (roots == NULL || roots->len == 0)
    g_error ("%s: %s", argv[1], error ? error->message : "no certificate");
  _cachet_window_add_trust_anchor (window, g_ptr_array_index (roots, 0));
  if (!(credentials = cachet_credentials_new_from_files (argv[2], argv[3], &error)))
    g_error ("%s", error->message);
  _cachet_window_add_credentials (window, credentials);
  store = cachet_store_new (store_dir, &error);
  if (store == NULL || !cachet_store_add_anchor (store, g_ptr_array_index (roots, 0), &error) ||
      !(contacts = cachet_store_import_contacts (store, argv[2], &error)))
    g_error ("the bench's store: %s", error->message);
  _cachet_window_set_store (window, store);
  g_signal_connect (window, "map", G_CALLBACK (on_map), NULL);
  small = g_file_new_for_path (argv[4]);
  cachet_window_open_files (window, &small, 1);
  gtk_window_present (GTK_WINDOW (window));
  while (frames.mapped == 0 || _cachet_window_get_busy (window) ||
         g_strcmp0 (_cachet_window_get_messages_page (window), "report") != 0)
    {
      if (now_us () - t0 > 30 * G_USEC_PER_SEC)
        g_error ("no report after 30 s (page %s)", _cachet_window_get_messages_page (window));
      iterate ();
    }
  reported = now_us ();
  frames.want_paint = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (window));
  while (frames.painted_after == 0)
    iterate ();
  shown = frames.painted_after;

  printf ("\n50 KB .eml passed at start: report painted %.0f ms after the window was mapped "
          "(target 300 ms); window created → mapped %.0f ms, mapped → check done and report "
          "page set %.0f ms, → painted %.0f ms\n\n",
          (shown - frames.mapped) / 1000.0, (frames.mapped - t0) / 1000.0,
          (reported - frames.mapped) / 1000.0, (shown - reported) / 1000.0);

  gtk_widget_add_tick_callback (GTK_WIDGET (window), on_tick, NULL, NULL);
  spin (500);

  encrypted = g_strconcat (argv[7], ".bench.p7m", NULL);
  rows[n_rows++] = run_job (window, "decrypt 1 GB .p7m (drop)", argv[5], JOB_OPEN, NULL, NULL, NULL, 0);
  rows[n_rows++] = run_job (window, "verify 1 GB opaque .p7m (drop)", argv[6], JOB_OPEN, NULL, NULL, NULL, 0);
  rows[n_rows++] = run_job (window, "encrypt 1 GB file (Encrypt panel)", argv[7], JOB_PROTECT,
                            NULL, NULL, encrypted, 0);
  g_unlink (encrypted);
  rows[n_rows++] = run_job (window, "encrypt 1 GB file (core async call)", argv[7], JOB_CORE,
                            argv[1], argv[2], encrypted, 0);
  g_unlink (encrypted);
  /* Cancel a quarter into the time the whole job took */
  rows[n_rows++] = run_job (window, "decrypt, Cancel at 1/4", argv[5], JOB_OPEN, NULL, NULL, NULL,
                            MAX (1, rows[0].wall_s * 250));
  rows[n_rows++] = run_job (window, "verify, Cancel at 1/4", argv[6], JOB_OPEN, NULL, NULL, NULL,
                            MAX (1, rows[1].wall_s * 250));
  rows[n_rows++] = run_job (window, "encrypt (panel), Cancel at 1/4", argv[7], JOB_PROTECT,
                            NULL, NULL, encrypted, MAX (1, rows[2].wall_s * 250));
  g_unlink (encrypted);
  rows[n_rows++] = run_job (window, "open a message with a 6 MB text body", argv[8], JOB_OPEN_TEXT,
                            NULL, NULL, NULL, 0);

  printf ("| job | wall | frames (rate) | longest gap between frames | peak RSS (growth over before) "
          "| Cancel → not busy / → worker stopped | result |\n|---|---|---|---|---|---|---|\n");
  for (guint i = 0; i < n_rows; i++)
    {
      print_row (&rows[i]);
      g_free (rows[i].result);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  g_array_unref (frames.ticks);
  return 0;
}
