/* SPDX-License-Identifier: GPL-3.0-or-later
 * test-ui.c: the window, driven the way a person drives it (suite 'ui', run under Xvfb).
 *
 * Messages are made by openssl with a test PKI, opened through cachet_window_open_files() (the
 * function the drop target, the Open dialog and the command line all use) or dropped as a
 * GdkFileList on the window's drop target, and the test then reads what the report shows.
 */
#include "config.h"

#include <adwaita.h>

#include "cachet-application.h"
#include "cachet-report-view.h"
#include "cachet-test-util.h"
#include "cachet-window.h"

#define SIGNER_NAME "Alice Liddell"
#define SIGNER_EMAIL "alice@example.org"
#define BODY_TEXT "Hello Bob, the meeting moves to Thursday."

/* Made once for the whole program: the PKI and the messages. */
static struct {
  CachetTestPki *pki;
  char          *dir;
  char          *alice;      /* DIR/Alice Liddell (no extension) */
  char          *signed_eml;
  char          *tampered_eml;
  char          *unsigned_eml;
  char          *encrypted_eml;
  char          *garbage;
} fx;

static char *
write_file (const char *name,
            const char *contents)
{
  char *path = g_build_filename (fx.dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static void
ensure_fixtures (void)
{
  g_autofree char *entity = NULL;
  g_autofree char *tampered = NULL;
  g_autofree char *contents = NULL;
  int status;

  if (fx.pki != NULL)
    return;

  fx.pki = cachet_test_pki_new ();
  fx.dir = cachet_test_tmpdir ();
  fx.alice = cachet_test_pki_issue (fx.pki, SIGNER_NAME, SIGNER_EMAIL, "rsa2048", NULL);

  entity = write_file ("entity.txt",
                       "Content-Type: text/plain; charset=utf-8\n"
                       "Content-Transfer-Encoding: 7bit\n"
                       "\n"
                       BODY_TEXT "\n");

  fx.signed_eml = g_build_filename (fx.dir, "signed.eml", NULL);
  status = cachet_test_shell (NULL,
                              "openssl cms -sign -in '%s' -signer '%s.crt' -inkey '%s.key' "
                              "-certfile '%s' -from '" SIGNER_NAME " <" SIGNER_EMAIL ">' "
                              "-to 'Bob <bob@example.org>' -subject 'Meeting' -out '%s'",
                              entity, fx.alice, fx.alice, fx.pki->inter_cert, fx.signed_eml);
  g_assert_cmpint (status, ==, 0);

  /* Change one word of the signed body: the signature must no longer hold. */
  g_assert_true (g_file_get_contents (fx.signed_eml, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "Thursday"));
  tampered = g_strdup (contents);
  memcpy (strstr (tampered, "Thursday"), "Saturday", strlen ("Saturday"));
  fx.tampered_eml = write_file ("tampered.eml", tampered);

  fx.unsigned_eml = cachet_test_write_message (fx.dir, "unsigned.eml",
                                               SIGNER_NAME " <" SIGNER_EMAIL ">",
                                               "Bob <bob@example.org>", "Plain",
                                               BODY_TEXT "\n");

  fx.encrypted_eml = g_build_filename (fx.dir, "encrypted.eml", NULL);
  status = cachet_test_shell (NULL,
                              "openssl cms -encrypt -aes-256-cbc -in '%s' "
                              "-from 'Bob <bob@example.org>' -to '" SIGNER_NAME " <" SIGNER_EMAIL ">' "
                              "-subject 'Secret' -out '%s' '%s.crt'",
                              entity, fx.encrypted_eml, fx.alice);
  g_assert_cmpint (status, ==, 0);

  fx.garbage = write_file ("garbage.eml", "\x01\x02\x03 this is not a message \xff\xfe");
}

static CachetWindow *
window_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) roots = NULL;
  g_autofree char *cert = g_strconcat (fx.alice, ".crt", NULL);
  g_autofree char *key = g_strconcat (fx.alice, ".key", NULL);
  g_autoptr(CachetCredentials) credentials = NULL;
  CachetWindow *window = cachet_window_new (NULL);

  roots = cachet_certificate_list_from_file (fx.pki->root_cert, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (roots->len, >=, 1);
  _cachet_window_add_trust_anchor (window, g_ptr_array_index (roots, 0));

  credentials = cachet_credentials_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  _cachet_window_add_credentials (window, credentials);

  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
wait_until_idle (CachetWindow *window)
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
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
open_path (CachetWindow *window,
           const char   *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  cachet_window_open_files (window, &file, 1);
  g_assert_true (_cachet_window_get_busy (window));
  wait_until_idle (window);
}

/* Is there a label showing exactly TEXT under WIDGET? */
static gboolean
shows_label (GtkWidget  *widget,
             const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget)
      && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_label (child, text))
      return TRUE;
  return FALSE;
}

static CachetReportView *
assert_report (CachetWindow *window,
               CachetStatus  expected)
{
  CachetReportView *report = _cachet_window_get_report_view (window);
  GtkLabel *status_label = _cachet_report_view_get_status_label (report);
  GtkWidget *banner = _cachet_report_view_get_banner (report);
  CachetVerdict *verdict = cachet_report_view_get_verdict (report);

  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "report");
  g_assert_nonnull (verdict);
  if (cachet_verdict_get_status (verdict) != expected)
    {
      g_autofree char *text = cachet_verdict_to_text (verdict);
      g_error ("status %s, expected %s:\n%s", cachet_status_to_string (cachet_verdict_get_status (verdict)),
               cachet_status_to_string (expected), text);
    }
  g_assert_cmpstr (gtk_label_get_text (status_label), ==, cachet_status_describe (expected));
  g_assert_true (gtk_widget_has_css_class (banner, cachet_status_to_string (expected)));
  for (CachetStatus other = CACHET_STATUS_GOOD; other <= CACHET_STATUS_UNSIGNED; other++)
    if (other != expected)
      g_assert_false (gtk_widget_has_css_class (banner, cachet_status_to_string (other)));
  return report;
}

static void
assert_body (CachetReportView *report)
{
  g_autofree char *body = _cachet_report_view_get_body_text (report);

  g_assert_nonnull (strstr (body, BODY_TEXT));
}

static void
test_report_good (void)
{
  CachetWindow *window;
  CachetReportView *report;

  ensure_fixtures ();
  window = window_new ();
  open_path (window, fx.signed_eml);
  report = assert_report (window, CACHET_STATUS_GOOD);
  g_assert_true (shows_label (GTK_WIDGET (report), SIGNER_NAME));
  g_assert_true (shows_label (GTK_WIDGET (report), SIGNER_EMAIL));
  g_assert_true (shows_label (GTK_WIDGET (report), "Meeting"));
  assert_body (report);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_report_tampered (void)
{
  CachetWindow *window;
  CachetReportView *report;

  ensure_fixtures ();
  window = window_new ();
  open_path (window, fx.tampered_eml);
  report = assert_report (window, CACHET_STATUS_BAD);
  g_assert_true (cachet_verdict_has_problem (cachet_report_view_get_verdict (report),
                                             CACHET_PROBLEM_CONTENT_ALTERED));
  /* The problem is explained in the report, in its own words. */
  g_assert_true (shows_label (GTK_WIDGET (report),
                              cachet_problem_describe (CACHET_PROBLEM_CONTENT_ALTERED)));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_report_unsigned (void)
{
  CachetWindow *window;
  CachetReportView *report;

  ensure_fixtures ();
  window = window_new ();
  open_path (window, fx.unsigned_eml);
  report = assert_report (window, CACHET_STATUS_UNSIGNED);
  g_assert_true (shows_label (GTK_WIDGET (report), "Plain"));
  assert_body (report);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_report_encrypted (void)
{
  CachetWindow *window;
  CachetReportView *report;

  ensure_fixtures ();
  window = window_new ();
  open_path (window, fx.encrypted_eml);
  report = assert_report (window, CACHET_STATUS_UNSIGNED);
  g_assert_true (cachet_verdict_get_encrypted (cachet_report_view_get_verdict (report)));
  assert_body (report);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_report_error (void)
{
  CachetWindow *window;
  CachetReportView *report;
  g_autofree char *missing = NULL;

  ensure_fixtures ();
  window = window_new ();
  open_path (window, fx.garbage);
  report = assert_report (window, CACHET_STATUS_ERROR);
  g_assert_cmpstr (gtk_label_get_text (_cachet_report_view_get_status_label (report)), !=, "");

  missing = g_build_filename (fx.dir, "no-such-file.eml", NULL);
  open_path (window, missing);
  assert_report (window, CACHET_STATUS_ERROR);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
emit_drop (CachetWindow *window,
           GFile       **files,
           guint         n_files)
{
  GtkDropTarget *target = _cachet_window_get_drop_target (window);
  GSList *list = NULL;
  GValue value = G_VALUE_INIT;
  gboolean handled = FALSE;

  for (guint i = n_files; i > 0; i--)
    list = g_slist_prepend (list, files[i - 1]);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (list));
  g_slist_free (list);

  g_assert_nonnull (target);
  g_signal_emit_by_name (target, "drop", &value, 20.0, 20.0, &handled);
  g_value_unset (&value);
  return handled;
}

static void
test_drop_one (void)
{
  CachetWindow *window;
  g_autoptr(GFile) file = NULL;

  ensure_fixtures ();
  window = window_new ();
  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "drop");

  file = g_file_new_for_path (fx.signed_eml);
  g_assert_true (emit_drop (window, &file, 1));
  g_assert_true (_cachet_window_get_busy (window));
  wait_until_idle (window);
  assert_report (window, CACHET_STATUS_GOOD);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_drop_several (void)
{
  CachetWindow *window;
  GFile *files[2];
  g_autoptr(GPtrArray) verdicts = NULL;

  ensure_fixtures ();
  window = window_new ();
  files[0] = g_file_new_for_path (fx.signed_eml);
  files[1] = g_file_new_for_path (fx.tampered_eml);
  g_assert_true (emit_drop (window, files, 2));
  wait_until_idle (window);

  /* Several files give a list of results, each opening its own report. */
  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "results");
  verdicts = _cachet_window_get_verdicts (window);
  g_assert_cmpuint (verdicts->len, ==, 2);
  g_assert_cmpint (cachet_verdict_get_status (verdicts->pdata[0]), ==, CACHET_STATUS_GOOD);
  g_assert_cmpint (cachet_verdict_get_status (verdicts->pdata[1]), ==, CACHET_STATUS_BAD);
  _cachet_window_show_result (window, 1);
  assert_report (window, CACHET_STATUS_BAD);

  /* Back goes to the list, then to the drop zone. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL));
  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "results");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL));
  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "drop");

  g_object_unref (files[0]);
  g_object_unref (files[1]);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The report shows what the message says as text: no markup, no HTML rendering. */
static void
test_report_view_inert (void)
{
  static const char html[] = "<p>Hi <b>there</b><img src=\"https://tracker.example/x.png\"></p>";
  g_autoptr(CachetVerdict) verdict = cachet_verdict_new ();
  GMimeMessage *message = g_mime_message_new (TRUE);
  GMimeTextPart *body = g_mime_text_part_new_with_subtype ("html");
  GtkWidget *window = gtk_window_new ();
  CachetReportView *report = CACHET_REPORT_VIEW (cachet_report_view_new ());
  g_autofree char *shown = NULL;

  g_mime_message_add_mailbox (message, GMIME_ADDRESS_TYPE_FROM, "Mallory <b>Admin</b>",
                              "mallory@example.org");
  g_mime_message_set_subject (message, "<span foreground=\"green\">Signature valid</span>", NULL);
  g_mime_text_part_set_text (body, html);
  g_mime_message_set_mime_part (message, GMIME_OBJECT (body));
  cachet_verdict_set_content (verdict, GMIME_OBJECT (message));

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (report));
  cachet_report_view_set_verdict (report, verdict, NULL);
  gtk_window_present (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_cmpint (cachet_verdict_get_status (verdict), ==, CACHET_STATUS_UNSIGNED);
  g_assert_true (gtk_widget_has_css_class (_cachet_report_view_get_banner (report), "unsigned"));
  g_assert_true (shows_label (GTK_WIDGET (report), "<span foreground=\"green\">Signature valid</span>"));
  shown = _cachet_report_view_get_body_text (report);
  g_assert_cmpstr (shown, ==, html);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (body);
  g_object_unref (message);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  cachet_core_init ();
  _cachet_ui_register_resources ();
  gtk_init ();
  adw_init ();

  g_test_add_func ("/cachet/ui/report-view/inert", test_report_view_inert);
  g_test_add_func ("/cachet/ui/report/good", test_report_good);
  g_test_add_func ("/cachet/ui/report/tampered", test_report_tampered);
  g_test_add_func ("/cachet/ui/report/unsigned", test_report_unsigned);
  g_test_add_func ("/cachet/ui/report/encrypted", test_report_encrypted);
  g_test_add_func ("/cachet/ui/report/error", test_report_error);
  g_test_add_func ("/cachet/ui/drop/one", test_drop_one);
  g_test_add_func ("/cachet/ui/drop/several", test_drop_several);

  return g_test_run ();
}
