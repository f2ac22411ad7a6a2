/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-test-ui.c: main loop, widget and dialog helpers for the window tests (see
 * cachet-test-ui.h).
 */
#include "config.h"

#include <string.h>

#include "cachet-application.h"
#include "cachet-core.h"
#include "cachet-test-ui.h"

void
cachet_test_ui_init (int    *argc,
                     char ***argv)
{
  g_test_init (argc, argv, NULL);
  cachet_core_init ();
  _cachet_ui_register_resources ();
  gtk_init ();
  adw_init ();
}

CachetIdentity *
cachet_test_ui_import_identity (CachetStore *store,
                                const char  *person)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *chain = g_strconcat (person, "-chain.pem", NULL);
  g_autofree char *key = g_strconcat (person, ".key", NULL);
  g_autoptr(CachetCredentials) credentials = cachet_credentials_new_from_files (chain, key, &error);
  g_autoptr(CachetIdentity) identity = NULL;

  g_assert_no_error (error);
  identity = cachet_store_import_credentials (store, credentials, NULL, &error);
  if (g_error_matches (error, CACHET_ERROR, CACHET_ERROR_KEYRING))
    {
      g_test_skip (error->message);
      return NULL;
    }
  g_assert_no_error (error);
  return g_steal_pointer (&identity);
}

void
cachet_test_ui_iterate (void)
{
  gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 5;

  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

void
cachet_test_ui_flush (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

void
cachet_test_ui_wait_for (gboolean   (*condition) (gpointer data),
                         gpointer     data,
                         const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
}

void
cachet_test_ui_wait_until_idle (CachetWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + 45 * G_USEC_PER_SEC;

  while (_cachet_window_get_busy (window))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the window was still busy after 45 s (page %s)",
                 _cachet_window_get_messages_page (window));
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
  /* Let the stack and the report lay out. */
  cachet_test_ui_flush ();
}

static gboolean
body_arrived (gpointer data)
{
  return !_cachet_report_view_get_body_pending (data);
}

void
cachet_test_ui_wait_for_body (CachetReportView *report)
{
  cachet_test_ui_wait_for (body_arrived, report, "the message body");
}

gboolean
cachet_test_ui_shows_text (GtkWidget  *widget,
                           const char *text,
                           gboolean    partial)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget))
    {
      const char *label = gtk_label_get_text (GTK_LABEL (widget));

      if (partial ? strstr (label, text) != NULL : g_strcmp0 (label, text) == 0)
        return TRUE;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (cachet_test_ui_shows_text (child, text, partial))
      return TRUE;
  return FALSE;
}

gboolean
cachet_test_ui_shows_label (GtkWidget  *widget,
                            const char *text)
{
  return cachet_test_ui_shows_text (widget, text, FALSE);
}

GtkWidget *
cachet_test_ui_find_widget (GtkWidget *widget,
                            GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = cachet_test_ui_find_widget (child, type);
      if (found)
        return found;
    }
  return NULL;
}

GtkWidget *
cachet_test_ui_find_button (GtkWidget  *widget,
                            const char *text)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget)
      && (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), text) == 0
          || g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) == 0))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = cachet_test_ui_find_button (child, text);
      if (found)
        return found;
    }
  return NULL;
}

/* A visible toplevel window of TYPE, or NULL. */
static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static gboolean
has_toplevel (gpointer type)
{
  return find_toplevel (GPOINTER_TO_SIZE (type)) != NULL;
}

GtkWindow *
cachet_test_ui_wait_for_toplevel (GType       type,
                                  const char *what)
{
  cachet_test_ui_wait_for (has_toplevel, GSIZE_TO_POINTER (type), what);
  return find_toplevel (type);
}

AdwMessageDialog *
cachet_test_ui_wait_for_message_dialog (void)
{
  return ADW_MESSAGE_DIALOG (cachet_test_ui_wait_for_toplevel (ADW_TYPE_MESSAGE_DIALOG, "a dialog"));
}

void
cachet_test_ui_respond (AdwMessageDialog *dialog,
                        const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
  cachet_test_ui_iterate ();
}

typedef struct {
  GtkFileChooser *chooser;
  GFile          *file;
} ChooserWait;

static gboolean
chooser_has_file (gpointer data)
{
  ChooserWait *wait = data;
  g_autoptr(GFile) chosen = gtk_file_chooser_get_file (wait->chooser);

  return chosen != NULL && g_file_equal (chosen, wait->file);
}

void
cachet_test_ui_accept_file (GtkFileChooser *chooser,
                            GFile          *file)
{
  ChooserWait wait = { chooser, file };

  cachet_test_ui_wait_for (chooser_has_file, &wait, "the file chooser to take the file");
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
}
