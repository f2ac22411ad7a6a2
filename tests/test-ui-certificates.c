/* SPDX-License-Identifier: GPL-3.0-or-later
 * test-ui-certificates.c: certificate details and chain, contact export, the Contacts pane
 * with an empty store, "Trust this CA" from a report, and a long body read off the main
 * thread (suite 'ui', run under Xvfb).
 *
 * The PKI is made by openssl at run time; fingerprints and exported files are checked with
 * openssl too.
 */
#include "config.h"

#include <fcntl.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "cachet-certificate-dialog.h"
#include "cachet-contacts-view.h"
#include "cachet-identities-view.h"
#include "cachet-report-view.h"
#include "cachet-test-ui.h"
#include "cachet-test-util.h"
#include "cachet-window.h"

#define SIGNER_NAME "Alice Liddell"
#define SIGNER_EMAIL "alice@example.org"
#define ROOT_NAME "Cachet Test Root CA"
#define INTER_NAME "Cachet Test Intermediate CA"
/* cachet-report-view.c's MAX_BODY_CHARS */
#define BODY_LIMIT (64 * 1024)

static struct {
  CachetTestPki *pki;
  char          *dir;
  char          *alice;        /* DIR/Alice Liddell (no extension) */
  char          *bundle;       /* intermediate + root, PEM */
  char          *signed_eml;   /* sent with the intermediate and the root */
  char          *no_root_eml;  /* sent with the intermediate only */
  char          *long_eml;     /* unsigned, a text body of several megabytes */
} fx;

static void
ensure_fixtures (void)
{
  g_autofree char *entity = NULL;
  g_autofree char *inter = NULL;
  g_autofree char *root = NULL;
  g_autofree char *bundle = NULL;
  GString *body;
  int status;

  if (fx.pki != NULL)
    return;

  fx.pki = cachet_test_pki_new ();
  fx.dir = cachet_test_tmpdir ();
  fx.alice = cachet_test_pki_issue (fx.pki, SIGNER_NAME, SIGNER_EMAIL, "rsa2048", NULL);

  g_assert_true (g_file_get_contents (fx.pki->inter_cert, &inter, NULL, NULL));
  g_assert_true (g_file_get_contents (fx.pki->root_cert, &root, NULL, NULL));
  bundle = g_strconcat (inter, root, NULL);
  fx.bundle = g_build_filename (fx.dir, "bundle.pem", NULL);
  g_assert_true (g_file_set_contents (fx.bundle, bundle, -1, NULL));

  entity = g_build_filename (fx.dir, "entity.txt", NULL);
  g_assert_true (g_file_set_contents (entity,
                                      "Content-Type: text/plain; charset=utf-8\n"
                                      "\n"
                                      "Signed under a root this computer does not know.\n", -1, NULL));
  fx.signed_eml = g_build_filename (fx.dir, "signed.eml", NULL);
  status = cachet_test_shell (NULL,
                              "openssl cms -sign -in '%s' -signer '%s.crt' -inkey '%s.key' "
                              "-certfile '%s' -from '" SIGNER_NAME " <" SIGNER_EMAIL ">' "
                              "-to 'Bob <bob@example.org>' -subject 'Hello' -out '%s'",
                              entity, fx.alice, fx.alice, fx.bundle, fx.signed_eml);
  g_assert_cmpint (status, ==, 0);
  fx.no_root_eml = g_build_filename (fx.dir, "no-root.eml", NULL);
  status = cachet_test_shell (NULL,
                              "openssl cms -sign -in '%s' -signer '%s.crt' -inkey '%s.key' "
                              "-certfile '%s' -from '" SIGNER_NAME " <" SIGNER_EMAIL ">' "
                              "-to 'Bob <bob@example.org>' -subject 'Hello' -out '%s'",
                              entity, fx.alice, fx.alice, fx.pki->inter_cert, fx.no_root_eml);
  g_assert_cmpint (status, ==, 0);

  /* About 6 MB of text: more than ten times what the report shows. */
  body = g_string_new (NULL);
  for (guint i = 0; body->len < 6 * 1024 * 1024; i++)
    g_string_append_printf (body, "Line %07u of a very long message, to be cut where the report stops.\n", i);
  fx.long_eml = cachet_test_write_message (fx.dir, "long.eml", "Bob <bob@example.org>",
                                           SIGNER_NAME " <" SIGNER_EMAIL ">", "Long", body->str);
  g_string_free (body, TRUE);
}

static CachetCertificate *
load_certificate (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = cachet_certificate_list_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, >=, 1);
  return g_object_ref (g_ptr_array_index (list, 0));
}

static CachetStore *
store_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = cachet_test_tmpdir ();
  CachetStore *store = cachet_store_new (data_dir, &error);

  g_assert_no_error (error);
  return store;
}

/* "sha256 Fingerprint=AB:CD:..." -> "abcd..." ; "AB12 CD34" -> "ab12cd34" */
static char *
normalise_hex (const char *text)
{
  const char *start = strchr (text, '=');
  GString *out = g_string_new (NULL);

  for (const char *p = start ? start + 1 : text; *p; p++)
    if (g_ascii_isxdigit (*p))
      g_string_append_c (out, g_ascii_tolower (*p));
  return g_string_free (out, FALSE);
}

/* Every label text under WIDGET that looks like a fingerprint of LENGTH hex digits, normalised. */
static gboolean
shows_fingerprint (GtkWidget  *widget,
                   const char *expected)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget))
    {
      g_autofree char *hex = normalise_hex (gtk_label_get_text (GTK_LABEL (widget)));
      const char *text = gtk_label_get_text (GTK_LABEL (widget));

      /* Grouped in fours, as people read them aloud. */
      if (g_str_equal (hex, expected) && strchr (text, ' ') && text[4] == ' ')
        return TRUE;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_fingerprint (child, expected))
      return TRUE;
  return FALSE;
}

static char *
openssl_fingerprint (const char *path,
                     const char *digest)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (cachet_test_shell (&out, "openssl x509 -noout -fingerprint -%s -in '%s'",
                                      digest, path), ==, 0);
  return normalise_hex (out);
}

typedef struct {
  CachetCertificateDialog *dialog;
  CachetCertificate       *certificate;
} ShownWait;

static gboolean
shows_certificate (gpointer data)
{
  ShownWait *wait = data;

  return cachet_certificate_equal (_cachet_certificate_dialog_get_shown (wait->dialog),
                                   wait->certificate);
}

/* The details dialog shows what people and admins look for, and walks the chain. */
static void
test_details_dialog (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *sha1 = NULL;
  g_autofree char *exported = NULL;
  g_autofree char *subject = NULL;
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(CachetCertificate) alice = NULL;
  g_autoptr(CachetCertificate) inter = NULL;
  g_autoptr(CachetCertificate) root = NULL;
  g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GFile) file = NULL;
  CachetCertificateDialog *dialog;
  GtkWidget *row;

  ensure_fixtures ();
  cert_path = g_strconcat (fx.alice, ".crt", NULL);
  alice = load_certificate (cert_path);
  inter = load_certificate (fx.pki->inter_cert);
  root = load_certificate (fx.pki->root_cert);
  /* The intermediate comes with the certificate, the root from the store's anchors. */
  store = store_new ();
  g_assert_true (cachet_store_add_anchor (store, root, &error));
  g_assert_no_error (error);
  g_ptr_array_add (chain, g_object_ref (inter));

  dialog = cachet_certificate_dialog_new (NULL, alice, chain, store);
  gtk_window_present (GTK_WINDOW (dialog));
  cachet_test_ui_iterate ();

  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (dialog), SIGNER_NAME));
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (dialog), SIGNER_EMAIL));
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (dialog), INTER_NAME));   /* issuer */
  sha256 = openssl_fingerprint (cert_path, "sha256");
  sha1 = openssl_fingerprint (cert_path, "sha1");
  g_assert_cmpuint (strlen (sha256), ==, 64);
  g_assert_true (shows_fingerprint (GTK_WIDGET (dialog), sha256));
  g_assert_true (shows_fingerprint (GTK_WIDGET (dialog), sha1));
  /* Key usage in words (the test PKI: digitalSignature, nonRepudiation, keyEncipherment;
   * extendedKeyUsage emailProtection). */
  g_assert_true (cachet_test_ui_shows_text (GTK_WIDGET (dialog), "Sign email", TRUE));
  g_assert_true (cachet_test_ui_shows_text (GTK_WIDGET (dialog), "Encrypt email", TRUE));
  g_assert_true (cachet_test_ui_shows_text (GTK_WIDGET (dialog), "Digital signature", TRUE));
  g_assert_true (cachet_test_ui_shows_text (GTK_WIDGET (dialog), "Key encipherment", TRUE));
  g_assert_true (cachet_test_ui_shows_text (GTK_WIDGET (dialog), "Email protection", TRUE));
  g_assert_true (cachet_test_ui_shows_text (GTK_WIDGET (dialog), "RSA", TRUE));
  g_assert_true (cachet_test_ui_shows_text (GTK_WIDGET (dialog), "days left", TRUE));

  /* The chain: Alice, the intermediate, the root. */
  g_assert_cmpuint (_cachet_certificate_dialog_get_n_chain (dialog), ==, 3);
  g_assert_true (_cachet_certificate_dialog_get_shown (dialog) == alice);
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (dialog), ROOT_NAME));
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (dialog), "Root authority"));

  /* Activating the intermediate shows the intermediate. */
  row = _cachet_certificate_dialog_get_chain_row (dialog, 1);
  g_assert_true (gtk_widget_activate (row));
  {
    ShownWait wait = { dialog, inter };
    cachet_test_ui_wait_for (shows_certificate, &wait, "the intermediate to be shown");
  }
  cachet_test_ui_iterate ();
  {
    g_autofree char *inter_sha256 = openssl_fingerprint (fx.pki->inter_cert, "sha256");

    g_assert_true (shows_fingerprint (GTK_WIDGET (dialog), inter_sha256));
    g_assert_false (shows_fingerprint (GTK_WIDGET (dialog), sha256));
    g_assert_true (cachet_test_ui_shows_text (GTK_WIDGET (dialog), "Signing certificates", TRUE));
    g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (dialog), "Cachet Tests"));   /* organisation */
    g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (dialog), "Intermediate authority"));
  }

  /* Export writes what is shown, as PEM that openssl reads. */
  exported = g_build_filename (fx.dir, "exported-inter.crt", NULL);
  file = g_file_new_for_path (exported);
  g_assert_true (_cachet_certificate_dialog_export_to (dialog, file, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cachet_test_shell (&subject, "openssl x509 -noout -subject -in '%s'", exported), ==, 0);
  g_assert_nonnull (strstr (subject, INTER_NAME));

  gtk_window_destroy (GTK_WINDOW (dialog));
  cachet_test_ui_iterate ();
}

static gboolean
file_is_there (gpointer data)
{
  GStatBuf st;

  return g_stat (data, &st) == 0 && st.st_size > 0;
}

/* The contacts pane: details and export of a contact, through the buttons a person clicks. */
static void
test_contact_export (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *exported = NULL;
  g_autofree char *subject = NULL;
  g_autoptr(CachetStore) store = store_new ();
  g_autoptr(CachetCertificate) alice = NULL;
  g_autoptr(CachetCertificate) inter = NULL;
  g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(CachetContact) contact = NULL;
  g_autoptr(GFile) file = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *overlay = adw_toast_overlay_new ();
  GtkWidget *contacts = g_object_new (CACHET_TYPE_CONTACTS_VIEW, NULL);
  GtkWidget *button;
  GtkWindow *chooser;
  GtkWindow *details;

  ensure_fixtures ();
  cert_path = g_strconcat (fx.alice, ".crt", NULL);
  alice = load_certificate (cert_path);
  inter = load_certificate (fx.pki->inter_cert);
  g_ptr_array_add (chain, g_object_ref (inter));
  contact = cachet_store_add_contact (store, alice, chain, CACHET_CONTACT_IMPORTED, &error);
  g_assert_no_error (error);

  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), contacts);
  gtk_window_set_child (GTK_WINDOW (window), overlay);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  cachet_contacts_view_set_store (CACHET_CONTACTS_VIEW (contacts), store);
  gtk_window_present (GTK_WINDOW (window));
  cachet_test_ui_iterate ();

  g_assert_true (cachet_test_ui_shows_label (contacts, SIGNER_NAME));
  /* Where it came from, and when. */
  g_assert_true (cachet_test_ui_shows_text (contacts, "imported on", TRUE));

  /* Details: the dialog with the contact's chain. */
  button = cachet_test_ui_find_button (contacts, "Details of “" SIGNER_NAME "”");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  details = cachet_test_ui_wait_for_toplevel (CACHET_TYPE_CERTIFICATE_DIALOG, "the details dialog");
  g_assert_true (gtk_window_get_modal (details));
  g_assert_true (gtk_window_get_transient_for (details) == GTK_WINDOW (window));
  g_assert_true (_cachet_certificate_dialog_get_shown (CACHET_CERTIFICATE_DIALOG (details)) == alice);
  g_assert_cmpuint (_cachet_certificate_dialog_get_n_chain (CACHET_CERTIFICATE_DIALOG (details)), ==, 2);
  gtk_window_destroy (details);
  cachet_test_ui_iterate ();

  /* Export: the Save dialog suggests NAME.crt; the file is PEM with the right subject. */
  button = cachet_test_ui_find_button (contacts, "Export the certificate of “" SIGNER_NAME "”…");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  chooser = cachet_test_ui_wait_for_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG, "the save dialog");
  {
    g_autofree char *name = gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (chooser));
    g_assert_cmpstr (name, ==, SIGNER_NAME ".crt");
  }
  exported = g_build_filename (fx.dir, "exported-alice.crt", NULL);
  file = g_file_new_for_path (exported);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), exported);
  cachet_test_ui_accept_file (GTK_FILE_CHOOSER (chooser), file);
  cachet_test_ui_wait_for (file_is_there, exported, "the exported file");
  g_assert_cmpint (cachet_test_shell (&subject, "openssl x509 -noout -subject -nameopt RFC2253 -in '%s'",
                                      exported), ==, 0);
  g_assert_nonnull (strstr (subject, "CN=" SIGNER_NAME));
  cachet_test_ui_iterate ();

  gtk_window_destroy (GTK_WINDOW (window));
  cachet_test_ui_iterate ();
}

/* With nothing in the store, the revocation settings and Add Authority are still there. */
static void
test_empty_store (void)
{
  g_autoptr(CachetStore) store = store_new ();
  g_autoptr(CachetCertificate) root = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GPtrArray) anchors = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *contacts = g_object_new (CACHET_TYPE_CONTACTS_VIEW, NULL);
  GtkWidget *online;
  AdwMessageDialog *dialog;

  ensure_fixtures ();
  gtk_window_set_child (GTK_WINDOW (window), contacts);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 900);
  cachet_contacts_view_set_store (CACHET_CONTACTS_VIEW (contacts), store);
  gtk_window_present (GTK_WINDOW (window));
  cachet_test_ui_iterate ();

  g_assert_true (cachet_test_ui_shows_label (contacts, "No Contacts Yet"));
  online = cachet_test_ui_find_widget (contacts, GTK_TYPE_SWITCH);
  g_assert_nonnull (online);
  g_assert_true (gtk_widget_get_mapped (online));
  g_assert_true (gtk_widget_is_sensitive (online));
  g_assert_nonnull (cachet_test_ui_find_button (contacts, "_Add Authority…"));
  g_assert_nonnull (cachet_test_ui_find_button (contacts, "_Import Certificates…"));

  /* Add Authority asks first (cancel: nothing), then trusts the root. */
  file = g_file_new_for_path (fx.pki->root_cert);
  cachet_contacts_view_add_authority_file (CACHET_CONTACTS_VIEW (contacts), file);
  dialog = cachet_test_ui_wait_for_message_dialog ();
  g_assert_true (adw_message_dialog_has_response (dialog, CACHET_TRUST_RESPONSE));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, CACHET_TRUST_RESPONSE), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  cachet_test_ui_respond (dialog, "cancel");
  anchors = cachet_store_get_anchors (store);
  g_assert_cmpuint (anchors->len, ==, 0);
  g_clear_pointer (&anchors, g_ptr_array_unref);

  cachet_contacts_view_add_authority_file (CACHET_CONTACTS_VIEW (contacts), file);
  cachet_test_ui_respond (cachet_test_ui_wait_for_message_dialog (), CACHET_TRUST_RESPONSE);
  anchors = cachet_store_get_anchors (store);
  g_assert_cmpuint (anchors->len, ==, 1);
  cachet_test_ui_iterate ();
  g_assert_true (cachet_test_ui_shows_label (contacts, ROOT_NAME));
  /* Still no contact: the empty state stays, the authorities beside it. */
  g_assert_true (gtk_widget_get_mapped (online));

  /* And trust can be taken back, after a confirmation. */
  {
    GtkWidget *remove = cachet_test_ui_find_button (contacts, "Stop trusting “" ROOT_NAME "”…");

    g_assert_nonnull (remove);
    g_signal_emit_by_name (remove, "clicked");
    cachet_test_ui_respond (cachet_test_ui_wait_for_message_dialog (), "cancel");
    g_clear_pointer (&anchors, g_ptr_array_unref);
    anchors = cachet_store_get_anchors (store);
    g_assert_cmpuint (anchors->len, ==, 1);
    g_signal_emit_by_name (remove, "clicked");
    cachet_test_ui_respond (cachet_test_ui_wait_for_message_dialog (), "remove");
    g_clear_pointer (&anchors, g_ptr_array_unref);
    anchors = cachet_store_get_anchors (store);
    g_assert_cmpuint (anchors->len, ==, 0);
    cachet_test_ui_iterate ();
    g_assert_false (cachet_test_ui_shows_label (contacts, ROOT_NAME));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  cachet_test_ui_iterate ();
}

static CachetVerdict *
open_and_wait (CachetWindow *window,
               const char   *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  cachet_window_open_files (window, &file, 1);
  cachet_test_ui_wait_until_idle (window);
  cachet_test_ui_iterate ();
  return cachet_report_view_get_verdict (_cachet_window_get_report_view (window));
}

typedef struct {
  CachetWindow  *window;
  CachetVerdict *old;
} ReverifyWait;

static gboolean
verdict_replaced (gpointer data)
{
  ReverifyWait *wait = data;
  CachetVerdict *now = cachet_report_view_get_verdict (_cachet_window_get_report_view (wait->window));

  return now != NULL && now != wait->old && !_cachet_window_get_busy (wait->window);
}

/* Waits until WINDOW's report no longer shows OLD (WHAT says what for, on a timeout), and
 * returns the verdict it shows now. */
static CachetVerdict *
wait_for_recheck (CachetWindow  *window,
                  CachetVerdict *old,
                  const char    *what)
{
  ReverifyWait wait = { window, old };

  cachet_test_ui_wait_for (verdict_replaced, &wait, what);
  return cachet_report_view_get_verdict (_cachet_window_get_report_view (window));
}

/* "Trust this CA" on a message signed under an unknown root: cancel changes nothing;
 * confirming trusts the root, and the report checked again is good. */
static void
test_trust_ca (void)
{
  g_autoptr(CachetStore) store = store_new ();
  g_autoptr(GPtrArray) anchors = NULL;
  g_autoptr(CachetCertificate) root = NULL;
  CachetWindow *window;
  CachetVerdict *verdict;
  GtkWidget *button;
  AdwMessageDialog *dialog;
  const char *body;

  ensure_fixtures ();
  root = load_certificate (fx.pki->root_cert);
  window = cachet_window_new (NULL);   /* no anchor: the test root is unknown here */
  _cachet_window_set_store (window, store);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 900);
  gtk_window_present (GTK_WINDOW (window));

  verdict = open_and_wait (window, fx.signed_eml);
  g_assert_cmpint (cachet_verdict_get_status (verdict), ==, CACHET_STATUS_UNTRUSTED);
  g_assert_true (cachet_verdict_has_problem (verdict, CACHET_PROBLEM_UNTRUSTED_ISSUER));

  /* The signer's Details: the dialog with the chain the message came with, up to its root. */
  button = cachet_test_ui_find_button (GTK_WIDGET (window), "_Details");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  {
    GtkWindow *details = cachet_test_ui_wait_for_toplevel (CACHET_TYPE_CERTIFICATE_DIALOG,
                                                           "the details dialog");
    CachetCertificateDialog *dialog = CACHET_CERTIFICATE_DIALOG (details);

    g_assert_true (gtk_window_get_transient_for (details) == GTK_WINDOW (window));
    g_assert_cmpstr (cachet_certificate_get_name (_cachet_certificate_dialog_get_shown (dialog)), ==,
                     SIGNER_NAME);
    g_assert_cmpuint (_cachet_certificate_dialog_get_n_chain (dialog), ==, 3);
    gtk_window_destroy (details);
    cachet_test_ui_iterate ();
  }

  button = cachet_test_ui_find_button (GTK_WIDGET (window), "_Trust This CA…");
  g_assert_nonnull (button);

  /* Cancel: nothing changes. */
  g_signal_emit_by_name (button, "clicked");
  dialog = cachet_test_ui_wait_for_message_dialog ();
  body = adw_message_dialog_get_body (dialog);
  g_assert_nonnull (strstr (body, ROOT_NAME));
  {
    g_autofree char *fingerprint = _cachet_format_fingerprint (cachet_certificate_get_fingerprint (root));
    g_assert_nonnull (strstr (body, fingerprint));
  }
  g_assert_nonnull (strstr (body, "Every certificate this authority issues"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, CACHET_TRUST_RESPONSE), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "cancel");
  cachet_test_ui_respond (dialog, "cancel");
  anchors = cachet_store_get_anchors (store);
  g_assert_cmpuint (anchors->len, ==, 0);
  g_clear_pointer (&anchors, g_ptr_array_unref);
  g_assert_true (cachet_report_view_get_verdict (_cachet_window_get_report_view (window)) == verdict);

  /* Confirm: the root becomes an anchor and the message is checked again. */
  g_signal_emit_by_name (button, "clicked");
  dialog = cachet_test_ui_wait_for_message_dialog ();
  cachet_test_ui_respond (dialog, CACHET_TRUST_RESPONSE);
  anchors = cachet_store_get_anchors (store);
  g_assert_cmpuint (anchors->len, ==, 1);
  g_assert_true (cachet_certificate_equal (g_ptr_array_index (anchors, 0), root));
  verdict = wait_for_recheck (window, verdict, "the report to be checked again");
  if (cachet_verdict_get_status (verdict) != CACHET_STATUS_GOOD)
    {
      g_autofree char *text = cachet_verdict_to_text (verdict);
      g_error ("after trusting the root: %s", text);
    }
  cachet_test_ui_iterate ();
  /* The Contacts pane lists the new authority. */
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (window), ROOT_NAME));

  gtk_window_destroy (GTK_WINDOW (window));
  cachet_test_ui_iterate ();
}

/* An authority renewed with a new key often keeps its name. Given the renewed intermediate first
 * and the one that really issued Alice's certificate second, the chain shows the second: the
 * dialog checks signatures, not names alone. */
static void
test_renewed_intermediate (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *renewed_path = NULL;
  g_autofree char *inter_sha256 = NULL;
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(CachetCertificate) alice = NULL;
  g_autoptr(CachetCertificate) inter = NULL;
  g_autoptr(CachetCertificate) renewed = NULL;
  g_autoptr(CachetCertificate) root = NULL;
  g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func (g_object_unref);
  CachetCertificateDialog *dialog;

  ensure_fixtures ();
  renewed_path = g_build_filename (fx.dir, "renewed-inter.crt", NULL);
  g_assert_cmpint (cachet_test_shell (NULL,
                                      "cd '%s' && openssl genpkey -algorithm RSA -out renewed.key 2>/dev/null && "
                                      "openssl x509 -x509toreq -in inter.crt -signkey renewed.key -out renewed.csr 2>/dev/null && "
                                      "openssl ca -batch -config ca.cnf -cert root.crt -keyfile root.key -preserveDN -notext "
                                      "  -extensions v3_ca -in renewed.csr -out '%s' 2>/dev/null",
                                      fx.pki->dir, renewed_path), ==, 0);
  cert_path = g_strconcat (fx.alice, ".crt", NULL);
  alice = load_certificate (cert_path);
  inter = load_certificate (fx.pki->inter_cert);
  renewed = load_certificate (renewed_path);
  root = load_certificate (fx.pki->root_cert);
  g_assert_cmpstr (cachet_certificate_get_subject (renewed), ==, cachet_certificate_get_subject (inter));
  g_assert_false (cachet_certificate_equal (renewed, inter));

  store = store_new ();
  g_assert_true (cachet_store_add_anchor (store, root, &error));
  g_assert_no_error (error);
  g_ptr_array_add (chain, g_object_ref (renewed));
  g_ptr_array_add (chain, g_object_ref (inter));

  dialog = cachet_certificate_dialog_new (NULL, alice, chain, store);
  gtk_window_present (GTK_WINDOW (dialog));
  cachet_test_ui_iterate ();
  g_assert_cmpuint (_cachet_certificate_dialog_get_n_chain (dialog), ==, 3);
  g_assert_true (gtk_widget_activate (_cachet_certificate_dialog_get_chain_row (dialog, 1)));
  {
    ShownWait wait = { dialog, inter };
    cachet_test_ui_wait_for (shows_certificate, &wait, "the real intermediate to be shown");
  }
  cachet_test_ui_iterate ();
  inter_sha256 = openssl_fingerprint (fx.pki->inter_cert, "sha256");
  g_assert_true (shows_fingerprint (GTK_WIDGET (dialog), inter_sha256));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* A message that does not carry its root: the report offers Add Authority… (the Contacts pane's
 * Open dialog, here given the root's file directly), and once the root is trusted the report
 * is checked again and holds; no longer trusted, it no longer does. */
static void
test_add_authority_from_report (void)
{
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(GPtrArray) anchors = NULL;
  g_autoptr(GFile) root_file = NULL;
  CachetWindow *window;
  CachetVerdict *verdict;
  GtkWidget *button;

  ensure_fixtures ();
  store = store_new ();
  root_file = g_file_new_for_path (fx.pki->root_cert);
  window = cachet_window_new (NULL);
  _cachet_window_set_store (window, store);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 900);
  gtk_window_present (GTK_WINDOW (window));

  verdict = open_and_wait (window, fx.no_root_eml);
  g_assert_cmpint (cachet_verdict_get_status (verdict), ==, CACHET_STATUS_UNTRUSTED);
  g_assert_null (cachet_test_ui_find_button (GTK_WIDGET (window), "_Trust This CA…"));
  button = cachet_test_ui_find_button (GTK_WIDGET (window), "_Add Authority…");
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "win.add-authority");
  g_assert_true (cachet_test_ui_shows_text (GTK_WIDGET (window), INTER_NAME, TRUE));

  /* what the Open dialog hands over: the root's file; then the warning, confirmed */
  cachet_contacts_view_add_authority_file (_cachet_window_get_contacts_view (window), root_file);
  cachet_test_ui_respond (cachet_test_ui_wait_for_message_dialog (), CACHET_TRUST_RESPONSE);
  anchors = cachet_store_get_anchors (store);
  g_assert_cmpuint (anchors->len, ==, 1);
  verdict = wait_for_recheck (window, verdict, "the report to be checked again");
  g_assert_cmpint (cachet_verdict_get_status (verdict), ==, CACHET_STATUS_GOOD);
  g_assert_null (cachet_test_ui_find_button (GTK_WIDGET (window), "_Add Authority…"));

  /* Stop trusting it from the Contacts pane: the report is not checked behind the person's
   * back, but as soon as they come back to it, and then it no longer holds. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-pane", "s", "contacts"));
  cachet_test_ui_flush ();
  button = cachet_test_ui_find_button (GTK_WIDGET (window), "Stop trusting “" ROOT_NAME "”…");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  cachet_test_ui_respond (cachet_test_ui_wait_for_message_dialog (), "remove");
  g_clear_pointer (&anchors, g_ptr_array_unref);
  anchors = cachet_store_get_anchors (store);
  g_assert_cmpuint (anchors->len, ==, 0);
  cachet_test_ui_iterate ();
  g_assert_true (cachet_report_view_get_verdict (_cachet_window_get_report_view (window)) == verdict);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-pane", "s", "messages"));
  verdict = wait_for_recheck (window, verdict, "the report to be checked again on return");
  g_assert_cmpint (cachet_verdict_get_status (verdict), ==, CACHET_STATUS_UNTRUSTED);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Importing a revocation list that names the signer's certificate, from the Contacts pane while
 * the report is on show, checks the message again: it is revoked now. (Run last: it revokes
 * Alice's certificate in the test PKI.) */
static void
test_crl_import_rechecks (void)
{
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCertificate) root = NULL;
  g_autofree char *crl = NULL;
  g_autoptr(GFile) crl_file = NULL;
  CachetWindow *window;
  CachetVerdict *verdict;

  ensure_fixtures ();
  store = store_new ();
  root = load_certificate (fx.pki->root_cert);
  g_assert_true (cachet_store_add_anchor (store, root, &error));
  g_assert_no_error (error);
  window = cachet_window_new (NULL);
  _cachet_window_set_store (window, store);
  gtk_window_present (GTK_WINDOW (window));
  verdict = open_and_wait (window, fx.signed_eml);
  g_assert_cmpint (cachet_verdict_get_status (verdict), ==, CACHET_STATUS_GOOD);

  crl = g_build_filename (fx.dir, "alice-revoked.crl", NULL);
  g_assert_cmpint (cachet_test_shell (NULL,
                                      "cd '%s' && openssl ca -batch -config ca.cnf -cert inter.crt -keyfile inter.key "
                                      "  -revoke '%s.crt' -crl_reason keyCompromise 2>/dev/null && "
                                      "openssl ca -batch -config ca.cnf -cert inter.crt -keyfile inter.key -gencrl "
                                      "  -crldays 30 -out '%s' 2>/dev/null",
                                      fx.pki->dir, fx.alice, crl), ==, 0);
  crl_file = g_file_new_for_path (crl);
  cachet_contacts_view_import_crl_file (_cachet_window_get_contacts_view (window), crl_file);
  verdict = wait_for_recheck (window, verdict, "the report to be checked again");
  g_assert_cmpint (cachet_verdict_get_status (verdict), !=, CACHET_STATUS_GOOD);
  g_assert_true (cachet_verdict_has_problem (verdict, CACHET_PROBLEM_REVOKED));
  gtk_window_destroy (GTK_WINDOW (window));
  cachet_test_ui_iterate ();
}

/* Identities: Show Details opens the dialog with the identity's chain (needs the keyring). */
static void
test_identity_details (void)
{
  g_autoptr(CachetStore) store = store_new ();
  g_autoptr(CachetIdentity) identity = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *identities = g_object_new (CACHET_TYPE_IDENTITIES_VIEW, NULL);
  CachetCertificateDialog *dialog;

  ensure_fixtures ();
  identity = cachet_test_ui_import_identity (store, fx.alice);
  if (identity == NULL)
    {
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }

  gtk_window_set_child (GTK_WINDOW (window), identities);
  cachet_identities_view_set_store (CACHET_IDENTITIES_VIEW (identities), store);
  gtk_window_present (GTK_WINDOW (window));
  cachet_test_ui_iterate ();
  g_assert_true (cachet_test_ui_shows_label (identities, SIGNER_NAME));

  /* What the row's menu item "Show Details" activates. */
  g_assert_true (gtk_widget_activate_action (identities, "identity.details", "s",
                                             cachet_identity_get_key_id (identity)));
  dialog = CACHET_CERTIFICATE_DIALOG (cachet_test_ui_wait_for_toplevel (CACHET_TYPE_CERTIFICATE_DIALOG,
                                                                         "the details dialog"));
  g_assert_cmpstr (cachet_certificate_get_name (_cachet_certificate_dialog_get_shown (dialog)), ==,
                   SIGNER_NAME);
  /* Alice and the intermediate she signs with (the root is not among this store's anchors). */
  g_assert_cmpuint (_cachet_certificate_dialog_get_n_chain (dialog), ==, 2);
  g_assert_true (cachet_test_ui_shows_text (GTK_WIDGET (dialog), "Cachet does not have here", TRUE));
  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
  cachet_test_ui_iterate ();
}

/* A body of several megabytes: the report is there at once, the body follows, cut. */
static void
test_long_body (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(CachetVerdict) verdict = cachet_verdict_new ();
  g_autofree char *shown = NULL;
  GtkWidget *window = gtk_window_new ();
  CachetReportView *report = CACHET_REPORT_VIEW (cachet_report_view_new ());
  gint64 start, elapsed;

  ensure_fixtures ();
  stream = g_mime_stream_fs_open (fx.long_eml, O_RDONLY, 0, &error);
  g_assert_no_error (error);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  g_assert_nonnull (message);
  cachet_verdict_set_content (verdict, GMIME_OBJECT (message));

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (report));
  gtk_window_present (GTK_WINDOW (window));
  cachet_test_ui_iterate ();

  start = g_get_monotonic_time ();
  cachet_report_view_set_verdict (report, verdict, NULL);
  elapsed = g_get_monotonic_time () - start;
  /* The report (banner, headers) is there, the body is still being read. */
  g_assert_true (_cachet_report_view_get_body_pending (report));
  shown = _cachet_report_view_get_body_text (report);
  g_assert_cmpstr (shown, ==, "");
  g_clear_pointer (&shown, g_free);
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (report), "Long"));
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (report), "Reading the message text…"));
  g_test_message ("set_verdict took %" G_GINT64_FORMAT " ms", elapsed / 1000);

  cachet_test_ui_wait_for_body (report);
  shown = _cachet_report_view_get_body_text (report);
  g_assert_cmpint (g_utf8_strlen (shown, -1), ==, BODY_LIMIT);
  g_assert_true (g_str_has_prefix (shown, "Line 0000000 of a very long message"));
  g_assert_true (cachet_test_ui_shows_label (GTK_WIDGET (report),
                                             "The text is long; only its beginning is shown."));
  g_assert_false (cachet_test_ui_shows_label (GTK_WIDGET (report), "Reading the message text…"));

  /* A new verdict while the body is read: the old read is dropped, the new one shown. */
  cachet_report_view_set_verdict (report, verdict, NULL);
  g_assert_true (_cachet_report_view_get_body_pending (report));
  {
    g_autoptr(CachetVerdict) empty = cachet_verdict_new ();

    cachet_report_view_set_verdict (report, empty, NULL);
    g_assert_false (_cachet_report_view_get_body_pending (report));
    cachet_test_ui_iterate ();
    g_clear_pointer (&shown, g_free);
    shown = _cachet_report_view_get_body_text (report);
    g_assert_cmpstr (shown, ==, "");
  }

  /* Closing the window while reading cancels the read. */
  cachet_report_view_set_verdict (report, verdict, NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  cachet_test_ui_iterate ();
}

/* The same through the window: the report page, then the body. */
static void
test_long_body_window (void)
{
  CachetWindow *window = cachet_window_new (NULL);
  CachetReportView *report;
  CachetVerdict *verdict;
  g_autofree char *shown = NULL;

  ensure_fixtures ();
  gtk_window_present (GTK_WINDOW (window));
  verdict = open_and_wait (window, fx.long_eml);
  g_assert_cmpint (cachet_verdict_get_status (verdict), ==, CACHET_STATUS_UNSIGNED);
  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "report");
  report = _cachet_window_get_report_view (window);
  cachet_test_ui_wait_for_body (report);
  shown = _cachet_report_view_get_body_text (report);
  g_assert_cmpint (g_utf8_strlen (shown, -1), ==, BODY_LIMIT);
  gtk_window_destroy (GTK_WINDOW (window));
  cachet_test_ui_iterate ();
}

int
main (int   argc,
      char *argv[])
{
  cachet_test_ui_init (&argc, &argv);

  g_test_add_func ("/cachet/ui/certificates/details", test_details_dialog);
  g_test_add_func ("/cachet/ui/certificates/renewed-intermediate", test_renewed_intermediate);
  g_test_add_func ("/cachet/ui/certificates/contact-export", test_contact_export);
  g_test_add_func ("/cachet/ui/certificates/empty-store", test_empty_store);
  g_test_add_func ("/cachet/ui/certificates/trust-ca", test_trust_ca);
  g_test_add_func ("/cachet/ui/certificates/add-authority-from-report", test_add_authority_from_report);
  g_test_add_func ("/cachet/ui/certificates/identity-details", test_identity_details);
  g_test_add_func ("/cachet/ui/certificates/long-body", test_long_body);
  g_test_add_func ("/cachet/ui/certificates/long-body-window", test_long_body_window);
  g_test_add_func ("/cachet/ui/certificates/crl-import-rechecks", test_crl_import_rechecks);

  return g_test_run ();
}
