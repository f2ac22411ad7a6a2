/* SPDX-License-Identifier: GPL-3.0-or-later
 * test-ui.c: the window, driven the way a person drives it (suite 'ui', run under Xvfb).
 *
 * Messages are made by openssl with a test PKI, opened through cachet_window_open_files() (the
 * function the drop target, the Open dialog and the command line all use) or dropped as a
 * GdkFileList on the window's drop target, and the test then reads what the report shows.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "cachet-contacts-view.h"
#include "cachet-identities-view.h"
#include "cachet-report-view.h"
#include "cachet-test-ui.h"
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

  entity = cachet_test_write_file (fx.dir, "entity.txt",
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
  fx.tampered_eml = cachet_test_write_file (fx.dir, "tampered.eml", tampered);

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

  fx.garbage = cachet_test_write_file (fx.dir, "garbage.eml",
                                       "\x01\x02\x03 this is not a message \xff\xfe");
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
open_path (CachetWindow *window,
           const char   *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  cachet_window_open_files (window, &file, 1);
  g_assert_true (_cachet_window_get_busy (window));
  cachet_test_ui_wait_until_idle (window);
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
  g_autofree char *body = NULL;

  cachet_test_ui_wait_for_body (report);
  body = _cachet_report_view_get_body_text (report);

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
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (report), SIGNER_NAME));
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (report), SIGNER_EMAIL));
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (report), "Meeting"));
  /* the authority by its name, not as a distinguished name */
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (report), "Cachet Test Intermediate CA"));
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
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (report),
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
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (report), "Plain"));
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
  /* A decrypted message can be kept as a readable copy. */
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (report), "Save a decrypted copy"));
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

/* A file that is not a message is offered for signing, not called an error. */
static void
test_plain_file (void)
{
  CachetWindow *window;
  g_autofree char *notes = NULL;

  ensure_fixtures ();
  notes = cachet_test_write_file (fx.dir, "notes.bin", "\x89PNG\r\n\x1a\n not really a picture");
  window = window_new ();
  open_path (window, notes);
  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "protect");
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (window), "“notes.bin” is not signed"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL));
  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "drop");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Sign… on a plain file (the Sign / Encrypt panel, Sign on by default): the key comes from the
 * keyring, the .p7s checks out with openssl. */
static void
test_sign_plain_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *notes = NULL;
  g_autofree char *signature = NULL;
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(CachetIdentity) identity = NULL;
  g_autoptr(GFile) output = NULL;
  g_autofree char *openssl_out = NULL;
  CachetWindow *window;
  int status;

  ensure_fixtures ();
  data_dir = cachet_test_tmpdir ();
  store = cachet_store_new (data_dir, &error);
  g_assert_no_error (error);
  identity = cachet_test_ui_import_identity (store, fx.alice);
  if (identity == NULL)
    return;

  notes = cachet_test_write_file (fx.dir, "notes.txt", "Shopping list: tea, milk, bread.\n");
  window = window_new ();
  _cachet_window_set_store (window, store);
  open_path (window, notes);
  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "protect");

  signature = g_build_filename (fx.dir, "notes.txt.p7s", NULL);
  output = g_file_new_for_path (signature);
  _cachet_protect_view_set_output (_cachet_window_get_protect_view (window), output);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (_cachet_window_get_protect_view (window)),
                                             "protect.run", NULL));
  g_assert_true (_cachet_window_get_busy (window));
  cachet_test_ui_wait_until_idle (window);
  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "protect");
  g_assert_true (g_file_test (signature, G_FILE_TEST_IS_REGULAR));

  status = cachet_test_shell (&openssl_out,
                              "openssl cms -verify -binary -inform DER -in '%s' -content '%s' "
                              "-CAfile '%s' -purpose smimesign -out /dev/null 2>&1",
                              signature, notes, fx.pki->root_cert);
  if (status != 0)
    g_error ("openssl cms -verify exit %d: %s", status, openssl_out);
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
  cachet_test_ui_wait_until_idle (window);
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
  cachet_test_ui_wait_until_idle (window);

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
  cachet_test_ui_flush ();

  g_assert_cmpint (cachet_verdict_get_status (verdict), ==, CACHET_STATUS_UNSIGNED);
  g_assert_true (gtk_widget_has_css_class (_cachet_report_view_get_banner (report), "unsigned"));
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (report),
                                             "<span foreground=\"green\">Signature valid</span>"));
  cachet_test_ui_wait_for_body (report);
  shown = _cachet_report_view_get_body_text (report);
  g_assert_cmpstr (shown, ==, html);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (body);
  g_object_unref (message);
}

/* The panes show what the store holds; the contacts search narrows the list as you type. */
static void
test_store_panes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *cert_path = NULL;
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(CachetContact) contact = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *contacts = g_object_new (CACHET_TYPE_CONTACTS_VIEW, "hexpand", TRUE, NULL);
  GtkWidget *identities = g_object_new (CACHET_TYPE_IDENTITIES_VIEW, "hexpand", TRUE, NULL);
  GtkWidget *search;

  ensure_fixtures ();
  data_dir = cachet_test_tmpdir ();
  store = cachet_store_new (data_dir, &error);
  g_assert_no_error (error);

  gtk_box_append (GTK_BOX (box), identities);
  gtk_box_append (GTK_BOX (box), contacts);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 700);
  cachet_identities_view_set_store (CACHET_IDENTITIES_VIEW (identities), store);
  cachet_contacts_view_set_store (CACHET_CONTACTS_VIEW (contacts), store);
  gtk_window_present (GTK_WINDOW (window));
  cachet_test_ui_iterate ();

  /* Empty store: both panes explain themselves. */
  g_assert_true (cachet_test_ui_shows_label (identities, "No Identities Yet"));
  g_assert_true (cachet_test_ui_shows_label (contacts, "No Contacts Yet"));
  g_assert_false (cachet_test_ui_shows_label (contacts, SIGNER_NAME));

  cert_path = g_strconcat (fx.alice, ".crt", NULL);
  certificates = cachet_certificate_list_from_file (cert_path, &error);
  g_assert_no_error (error);
  contact = cachet_store_add_contact (store, g_ptr_array_index (certificates, 0), NULL,
                                      CACHET_CONTACT_IMPORTED, &error);
  g_assert_no_error (error);
  cachet_test_ui_iterate ();
  g_assert_true (cachet_test_ui_shows_label (contacts, SIGNER_NAME));

  search = cachet_test_ui_find_widget (contacts, GTK_TYPE_SEARCH_ENTRY);
  g_assert_nonnull (search);
  gtk_editable_set_text (GTK_EDITABLE (search), "nobody-matches-this");
  g_signal_emit_by_name (search, "search-changed");
  cachet_test_ui_iterate ();
  g_assert_false (cachet_test_ui_shows_label (contacts, SIGNER_NAME));
  gtk_editable_set_text (GTK_EDITABLE (search), "ALICE@");
  g_signal_emit_by_name (search, "search-changed");
  cachet_test_ui_iterate ();
  g_assert_true (cachet_test_ui_shows_label (contacts, SIGNER_NAME));

  /* The revocation switch is the setting every check reads (off by default). */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);
    GtkWidget *online = cachet_test_ui_find_widget (contacts, GTK_TYPE_SWITCH);

    g_assert_nonnull (online);
    g_assert_true (cachet_test_ui_shows_label (contacts, "Check Revocation Online"));
    g_assert_false (gtk_switch_get_active (GTK_SWITCH (online)));
    gtk_switch_set_active (GTK_SWITCH (online), TRUE);
    g_assert_true (g_settings_get_boolean (settings, "online-revocation"));
    gtk_switch_set_active (GTK_SWITCH (online), FALSE);
    g_assert_false (g_settings_get_boolean (settings, "online-revocation"));
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The file is there, not empty, and no longer growing (it is written while we wait). */
static gboolean
file_written (gpointer data)
{
  static goffset last_size = -1;
  GStatBuf st;
  gboolean settled;

  if (g_stat (data, &st) != 0 || st.st_size == 0)
    {
      last_size = -1;
      return FALSE;
    }
  settled = st.st_size == last_size;
  last_size = st.st_size;
  if (!settled)
    g_usleep (100000);
  return settled;
}

/* Answers the file chooser the window opened (GtkFileChooserNative falls back to a
 * GtkFileChooserDialog outside a sandbox) with PATH. */
static void
answer_file_chooser (const char *path,
                     gboolean    save)
{
  GtkWindow *chooser;
  g_autoptr(GFile) file = g_file_new_for_path (path);

  chooser = cachet_test_ui_wait_for_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG, "a file chooser");
  if (save)
    /* Typed as a person can: a whole path in the name entry. */
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), path);
  else
    g_assert_true (gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), file, NULL));
  cachet_test_ui_accept_file (GTK_FILE_CHOOSER (chooser), file);
  cachet_test_ui_iterate ();
}

typedef struct {
  GListModel         *identities;
  guint               n;
  CachetIdentityState state;
} IdentityWait;

static gboolean
identities_are (gpointer data)
{
  IdentityWait *wait = data;
  g_autoptr(CachetIdentity) first = NULL;

  if (g_list_model_get_n_items (wait->identities) != wait->n)
    return FALSE;
  if (wait->n == 0)
    return TRUE;
  first = g_list_model_get_item (wait->identities, 0);
  return cachet_identity_get_state (first) == wait->state;
}

static gboolean
key_made_or_failed (gpointer data)
{
  return gtk_widget_get_sensitive (data);
}

/* An untrusted signer can be kept as a contact from the report, on request only. */
static void
test_add_untrusted_contact (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = cachet_test_tmpdir ();
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GFile) file = NULL;
  CachetWindow *window;
  GtkWidget *button;

  ensure_fixtures ();
  store = cachet_store_new (data_dir, &error);
  g_assert_no_error (error);
  window = cachet_window_new (NULL);   /* no anchor: the test CA is unknown here */
  _cachet_window_set_store (window, store);
  gtk_window_present (GTK_WINDOW (window));

  file = g_file_new_for_path (fx.signed_eml);
  cachet_window_open_files (window, &file, 1);
  cachet_test_ui_wait_until_idle (window);
  assert_report (window, CACHET_STATUS_UNTRUSTED);
  contacts = cachet_store_find_contacts (store, SIGNER_EMAIL);
  g_assert_cmpuint (contacts->len, ==, 0);   /* not collected by itself */
  g_clear_pointer (&contacts, g_ptr_array_unref);

  button = cachet_test_ui_find_button (GTK_WIDGET (window), "_Add");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  cachet_test_ui_iterate ();
  contacts = cachet_store_find_contacts (store, SIGNER_EMAIL);
  g_assert_cmpuint (contacts->len, ==, 1);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A detached signature opened alone: the window asks for the file it signs, then reports. */
static void
test_detached_signature (void)
{
  g_autofree char *data = NULL;
  g_autofree char *signature = NULL;
  g_autoptr(GFile) file = NULL;
  CachetWindow *window;
  int status;

  ensure_fixtures ();
  data = cachet_test_write_file (fx.dir, "report-data.bin", "\x01\x02 figures for the third quarter \xff");
  signature = g_build_filename (fx.dir, "elsewhere.p7s", NULL);
  status = cachet_test_shell (NULL,
                              "openssl cms -sign -binary -outform DER -in '%s' -signer '%s.crt' "
                              "-inkey '%s.key' -certfile '%s' -out '%s'",
                              data, fx.alice, fx.alice, fx.pki->inter_cert, signature);
  g_assert_cmpint (status, ==, 0);

  window = window_new ();
  file = g_file_new_for_path (signature);
  cachet_window_open_files (window, &file, 1);
  answer_file_chooser (data, FALSE);
  cachet_test_ui_wait_until_idle (window);
  assert_report (window, CACHET_STATUS_GOOD);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The CA round trip in the Identities pane, with the keyring: New Identity (key and request),
 * the authority (openssl) answers, Install Certificate, Export Backup (checked by openssl),
 * Delete, and Import Backup of what was exported. */
static void
test_identity_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *work = NULL;
  g_autofree char *csr = NULL;
  g_autofree char *crt = NULL;
  g_autofree char *p12 = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *ca_out = NULL;
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(CachetIdentity) identity = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = g_object_new (CACHET_TYPE_IDENTITIES_VIEW, NULL);
  AdwMessageDialog *dialog;
  IdentityWait wait;
  GtkWidget *button;
  int status;

  ensure_fixtures ();
  data_dir = cachet_test_tmpdir ();
  work = cachet_test_tmpdir ();
  store = cachet_store_new (data_dir, &error);
  g_assert_no_error (error);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  cachet_identities_view_set_store (CACHET_IDENTITIES_VIEW (view), store);
  gtk_window_present (GTK_WINDOW (window));
  cachet_test_ui_iterate ();
  wait.identities = cachet_store_get_identities (store);

  /* Step 1: who you are. */
  g_assert_true (gtk_widget_activate_action (view, "identity.new", NULL));
  dialog = cachet_test_ui_wait_for_message_dialog ();
  gtk_editable_set_text (g_object_get_data (G_OBJECT (dialog), "cachet-name"), "Carol Example");
  gtk_editable_set_text (g_object_get_data (G_OBJECT (dialog), "cachet-email"), "carol@example.org");
  adw_combo_row_set_selected (g_object_get_data (G_OBJECT (dialog), "cachet-key"), 2);  /* RSA 2048: quick */
  cachet_test_ui_respond (dialog, "create");

  /* The key is made (the pane waits meanwhile); without a keyring the store says so with a
   * toast and the test cannot go on. */
  cachet_test_ui_wait_for (key_made_or_failed, view, "the new key");
  if (g_list_model_get_n_items (wait.identities) == 0)
    {
      gtk_window_destroy (GTK_WINDOW (window));
      g_test_skip ("No identity was made: no Secret Service (gnome-keyring-daemon) answers here.");
      return;
    }
  wait.n = 1;
  wait.state = CACHET_IDENTITY_WAITING;
  cachet_test_ui_wait_for (identities_are, &wait, "a waiting identity");
  identity = g_list_model_get_item (wait.identities, 0);
  key_id = g_strdup (cachet_identity_get_key_id (identity));
  g_clear_object (&identity);

  /* Step 2: save the request (offered right away) and let the authority sign it. */
  csr = g_build_filename (work, "carol.csr", NULL);
  answer_file_chooser (csr, TRUE);
  cachet_test_ui_wait_for (file_written, csr, "the request file");
  crt = g_build_filename (work, "carol.crt", NULL);
  status = cachet_test_shell (&ca_out,
                              "cd '%s' && printf 'keyUsage = critical, digitalSignature, keyEncipherment\\n"
                              "extendedKeyUsage = emailProtection\\nsubjectAltName = email:carol@example.org\\n' > leaf.ext && "
                              "openssl x509 -req -in '%s' -CA '%s' -CAkey '%s' -CAcreateserial "
                              "-days 30 -extfile leaf.ext -out carol-leaf.crt 2>&1 && "
                              "cat carol-leaf.crt '%s' > '%s'",
                              work, csr, fx.pki->inter_cert, fx.pki->inter_key, fx.pki->inter_cert, crt);
  if (status != 0)
    {
      g_autofree char *request_text = NULL;
      g_file_get_contents (csr, &request_text, NULL, NULL);
      g_error ("the test authority could not sign the request: %s\nrequest: %s", ca_out, request_text);
    }

  /* Step 3: install what the authority sent. */
  g_assert_true (gtk_widget_activate_action (view, "identity.install", "s", key_id));
  answer_file_chooser (crt, FALSE);
  wait.state = CACHET_IDENTITY_CURRENT;
  cachet_test_ui_wait_for (identities_are, &wait, "the installed identity");
  g_assert_true (cachet_test_ui_shows_label (view, "Carol Example"));

  /* Export a backup; openssl reads it with the password. */
  g_assert_true (gtk_widget_activate_action (view, "identity.export", "s", key_id));
  dialog = cachet_test_ui_wait_for_message_dialog ();
  gtk_editable_set_text (g_object_get_data (G_OBJECT (dialog), "cachet-password"), "correct horse");
  gtk_editable_set_text (g_object_get_data (G_OBJECT (dialog), "cachet-again"), "correct horse");
  cachet_test_ui_respond (dialog, "export");
  p12 = g_build_filename (work, "carol.p12", NULL);
  answer_file_chooser (p12, TRUE);
  cachet_test_ui_wait_for (file_written, p12, "the backup file");
  status = cachet_test_shell (NULL, "openssl pkcs12 -in '%s' -passin 'pass:correct horse' -noout", p12);
  g_assert_cmpint (status, ==, 0);

  /* Delete it, after the confirmation. */
  g_assert_true (gtk_widget_activate_action (view, "identity.delete", "s", key_id));
  dialog = cachet_test_ui_wait_for_message_dialog ();
  cachet_test_ui_respond (dialog, "delete");
  wait.n = 0;
  cachet_test_ui_wait_for (identities_are, &wait, "the deletion");
  cachet_test_ui_iterate ();
  g_assert_true (cachet_test_ui_shows_label (view, "No Identities Yet"));

  /* Import the backup again: file, then password. */
  button = cachet_test_ui_find_button (view, "_Import Backup…");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  answer_file_chooser (p12, FALSE);
  dialog = cachet_test_ui_wait_for_message_dialog ();
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "correct horse");
  cachet_test_ui_respond (dialog, "import");
  wait.n = 1;
  wait.state = CACHET_IDENTITY_CURRENT;
  cachet_test_ui_wait_for (identities_are, &wait, "the imported identity");
  cachet_test_ui_iterate ();
  g_assert_true (cachet_test_ui_shows_label (view, "Carol Example"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* From the file manager, a certificate opens the contact import (and a PKCS#12 file the identity
 * import) instead of the report. */
static void
test_open_certificate (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = cachet_test_tmpdir ();
  g_autofree char *cert = NULL;
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(GFile) file = NULL;
  CachetWindow *window;

  ensure_fixtures ();
  store = cachet_store_new (data_dir, &error);
  g_assert_no_error (error);
  window = window_new ();
  _cachet_window_set_store (window, store);
  cachet_test_ui_iterate ();
  g_assert_cmpuint (g_list_model_get_n_items (cachet_store_get_contacts (store)), ==, 0);

  cert = g_strconcat (fx.alice, ".crt", NULL);
  file = g_file_new_for_path (cert);
  cachet_window_open_files (window, &file, 1);
  cachet_test_ui_iterate ();

  g_assert_false (_cachet_window_get_busy (window));
  g_assert_cmpuint (g_list_model_get_n_items (cachet_store_get_contacts (store)), ==, 1);
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (window), SIGNER_NAME));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  cachet_test_ui_init (&argc, &argv);

  g_test_add_func ("/cachet/ui/report-view/inert", test_report_view_inert);
  g_test_add_func ("/cachet/ui/report/good", test_report_good);
  g_test_add_func ("/cachet/ui/report/tampered", test_report_tampered);
  g_test_add_func ("/cachet/ui/report/unsigned", test_report_unsigned);
  g_test_add_func ("/cachet/ui/report/encrypted", test_report_encrypted);
  g_test_add_func ("/cachet/ui/report/error", test_report_error);
  g_test_add_func ("/cachet/ui/plain-file", test_plain_file);
  g_test_add_func ("/cachet/ui/plain-file/sign", test_sign_plain_file);
  g_test_add_func ("/cachet/ui/drop/one", test_drop_one);
  g_test_add_func ("/cachet/ui/drop/several", test_drop_several);
  g_test_add_func ("/cachet/ui/panes/store", test_store_panes);
  g_test_add_func ("/cachet/ui/open/certificate", test_open_certificate);
  g_test_add_func ("/cachet/ui/identities/round-trip", test_identity_round_trip);
  g_test_add_func ("/cachet/ui/report/detached", test_detached_signature);
  g_test_add_func ("/cachet/ui/report/add-contact", test_add_untrusted_contact);

  return g_test_run ();
}
