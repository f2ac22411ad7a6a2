/* SPDX-License-Identifier: GPL-3.0-or-later
 * test-ui-protect.c: the Sign / Encrypt panel, driven as a person drives it (suite 'ui', run
 * under Xvfb): a plain file or a message is opened through cachet_window_open_files(), the
 * panel's switches and recipients are set, the save step goes through a test hook instead of a
 * native dialog, and openssl checks what was written.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "cachet-protect-view.h"
#include "cachet-revocation.h"
#include "cachet-test-ui.h"
#include "cachet-test-util.h"
#include "cachet-window.h"

#define SECRET_TEXT "The new office opens on 1 March; keep it between us.\n"

/* Made once for the whole program. */
static struct {
  CachetTestPki *pki;
  char          *dir;
  char          *alice;      /* you (an identity, for signing) */
  char          *bob;        /* a trusted contact who can receive encrypted files */
  char          *carol;      /* expired */
  char          *dave;       /* signing-only */
  char          *erin;       /* revoked (in the intermediate's CRL) */
  char          *alice_work; /* Alice's second identity */
  char          *crl;
} fx;

static void
ensure_fixtures (void)
{
  if (fx.pki != NULL)
    return;

  fx.pki = cachet_test_pki_new ();
  fx.dir = cachet_test_tmpdir ();
  fx.alice = cachet_test_pki_issue (fx.pki, "Alice Liddell", "alice@example.org", "rsa2048", NULL);
  fx.bob = cachet_test_pki_issue (fx.pki, "Bob Dodgson", "bob@example.org", "rsa2048", NULL);
  fx.carol = cachet_test_pki_issue (fx.pki, "Carol Expired", "carol@example.org", "rsa2048", "expired");
  fx.dave = cachet_test_pki_issue (fx.pki, "Dave Signonly", "dave@example.org", "rsa2048", "sign-only");
  fx.erin = cachet_test_pki_issue (fx.pki, "Erin Revoked", "erin@example.org", "rsa2048", NULL);
  fx.alice_work = cachet_test_pki_issue (fx.pki, "Alice at Work", "alice@work.example", "rsa2048", NULL);
  fx.crl = g_build_filename (fx.pki->dir, "inter.crl", NULL);
  g_assert_cmpint (cachet_test_shell (NULL,
                                      "cd '%s' && openssl ca -batch -config ca.cnf -cert inter.crt -keyfile inter.key "
                                      "  -revoke '%s.crt' -crl_reason keyCompromise 2>/dev/null && "
                                      "openssl ca -batch -config ca.cnf -cert inter.crt -keyfile inter.key -gencrl "
                                      "  -crldays 30 -out inter.crl 2>/dev/null",
                                      fx.pki->dir, fx.erin), ==, 0);
}

/* A store in a new folder that trusts the test root and holds the intermediate's revocation list,
 * with Bob, Carol, Dave and Erin as contacts. */
static CachetStore *
store_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = cachet_test_tmpdir ();
  g_autoptr(GPtrArray) roots = NULL;
  CachetStore *store = cachet_store_new (data_dir, &error);
  const char *people[] = { fx.bob, fx.carol, fx.dave, fx.erin };

  g_assert_no_error (error);
  roots = cachet_certificate_list_from_file (fx.pki->root_cert, &error);
  g_assert_no_error (error);
  g_assert_true (cachet_store_add_anchor (store, roots->pdata[0], &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (people); i++)
    {
      g_autofree char *chain = g_strconcat (people[i], "-chain.pem", NULL);
      g_autoptr(GPtrArray) contacts = cachet_store_import_contacts (store, chain, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (contacts->len, ==, 1);
    }
  g_assert_true (cachet_revocation_import_crl (store, fx.crl, NULL, &error));
  g_assert_no_error (error);
  return store;
}

static CachetWindow *
window_new (CachetStore *store)
{
  CachetWindow *window = cachet_window_new (NULL);

  _cachet_window_set_store (window, store);
  gtk_window_present (GTK_WINDOW (window));
  cachet_test_ui_flush ();
  return window;
}

static CachetProtectView *
open_for_protection (CachetWindow *window,
                     const char   *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  cachet_window_open_files (window, &file, 1);
  cachet_test_ui_wait_until_idle (window);
  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "protect");
  return _cachet_window_get_protect_view (window);
}

/* The recipient row whose title is NAME, or NULL when the list does not show it. */
static AdwActionRow *
find_row (CachetProtectView *view,
          const char        *name)
{
  GtkListBox *list = _cachet_protect_view_get_recipient_list (view);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (list)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (ADW_IS_ACTION_ROW (child)
        && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)), name) == 0)
      return ADW_ACTION_ROW (child);
  return NULL;
}

static guint
count_rows (CachetProtectView *view)
{
  GtkListBox *list = _cachet_protect_view_get_recipient_list (view);
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (list)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += ADW_IS_ACTION_ROW (child);
  return n;
}

static GtkCheckButton *
find_check (GtkWidget *widget)
{
  return GTK_CHECK_BUTTON (cachet_test_ui_find_widget (widget, GTK_TYPE_CHECK_BUTTON));
}

static void
choose (CachetProtectView *view,
        const char        *name)
{
  AdwActionRow *row = find_row (view, name);
  GtkCheckButton *check;

  g_assert_nonnull (row);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (row)));
  check = find_check (GTK_WIDGET (row));
  g_assert_nonnull (check);
  /* As a click on the row does: the row activates its check button. */
  g_assert_true (gtk_widget_activate (GTK_WIDGET (row)));
  g_assert_true (gtk_check_button_get_active (check));
}

static void
run_to (CachetWindow      *window,
        CachetProtectView *view,
        const char        *output)
{
  g_autoptr(GFile) file = g_file_new_for_path (output);

  _cachet_protect_view_set_output (view, file);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "protect.run", NULL));
  g_assert_true (_cachet_window_get_busy (window));
  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "busy");
  cachet_test_ui_wait_until_idle (window);
  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "protect");
}

static void
assert_same_file (const char *a,
                  const char *b)
{
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;
  gsize one_length, two_length;

  g_assert_true (g_file_get_contents (a, &one, &one_length, NULL));
  g_assert_true (g_file_get_contents (b, &two, &two_length, NULL));
  g_assert_cmpmem (one, one_length, two, two_length);
}

/* Decrypts P7M (DER) with PERSON's key (PERSON.crt, PERSON.key) into OUTPUT (may be "/dev/null").
 * Returns openssl's exit status; its messages go to *MESSAGES when given. */
static int
openssl_decrypt (const char  *p7m,
                 const char  *person,
                 const char  *output,
                 char       **messages)
{
  return cachet_test_shell (messages,
                            "openssl cms -decrypt -binary -inform DER -in '%s' -recip '%s.crt' "
                            "-inkey '%s.key' -out '%s' 2>&1",
                            p7m, person, person, output);
}

/* Encrypt a plain file for Bob: openssl with Bob's key gives back the exact bytes. */
static void
test_encrypt_file (void)
{
  g_autoptr(CachetStore) store = NULL;
  g_autofree char *input = NULL;
  g_autofree char *output = NULL;
  g_autofree char *decrypted = NULL;
  g_autofree char *openssl_out = NULL;
  g_autoptr(GFile) written = NULL;
  CachetProtectView *view;
  CachetWindow *window;
  int status;

  ensure_fixtures ();
  store = store_new ();
  window = window_new (store);
  input = cachet_test_write_file (fx.dir, "plan.odt",
                                  "PK\x03\x04 not really a document, but bytes: \x01\x02\xff\n" SECRET_TEXT);
  view = open_for_protection (window, input);

  /* Sign alone is the default; without an identity, the panel says how to get one. */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (view), "protect.run", NULL) &&
                  _cachet_window_get_busy (window));

  cachet_protect_view_set_choices (view, FALSE, TRUE);
  cachet_test_ui_flush ();
  g_assert_cmpuint (count_rows (view), ==, 4);
  choose (view, "Bob Dodgson");

  output = g_build_filename (fx.dir, "plan.odt.p7m", NULL);
  run_to (window, view, output);
  g_assert_true (g_file_test (output, G_FILE_TEST_IS_REGULAR));
  written = g_file_new_for_path (output);
  g_assert_true (g_file_equal (_cachet_protect_view_get_written (view), written));

  decrypted = g_build_filename (fx.dir, "plan.odt.decrypted", NULL);
  status = openssl_decrypt (output, fx.bob, decrypted, &openssl_out);
  if (status != 0)
    g_error ("openssl cms -decrypt exit %d: %s", status, openssl_out);
  assert_same_file (input, decrypted);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The result row can be dragged out: its content is the written file. */
static void
test_drag_out (void)
{
  g_autoptr(CachetStore) store = NULL;
  g_autofree char *input = NULL;
  g_autofree char *output = NULL;
  g_autoptr(GFile) written = NULL;
  g_autoptr(GError) error = NULL;
  GValue value = G_VALUE_INIT;
  GdkContentProvider *content;
  GtkDragSource *source;
  CachetProtectView *view;
  CachetWindow *window;
  GSList *files;

  ensure_fixtures ();
  store = store_new ();
  window = window_new (store);
  input = cachet_test_write_file (fx.dir, "drag-me.txt", SECRET_TEXT);
  view = open_for_protection (window, input);
  source = _cachet_protect_view_get_drag_source (view);
  g_assert_nonnull (source);
  g_assert_null (gtk_drag_source_get_content (source));
  g_assert_cmpint (gtk_drag_source_get_actions (source), ==, GDK_ACTION_COPY);

  cachet_protect_view_set_choices (view, FALSE, TRUE);
  cachet_test_ui_flush ();
  choose (view, "Bob Dodgson");
  output = g_build_filename (fx.dir, "drag-me.txt.p7m", NULL);
  run_to (window, view, output);
  written = g_file_new_for_path (output);

  content = gtk_drag_source_get_content (source);
  g_assert_nonnull (content);

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_assert_true (gdk_content_provider_get_value (content, &value, &error));
  g_assert_no_error (error);
  files = gdk_file_list_get_files (g_value_get_boxed (&value));
  g_assert_cmpuint (g_slist_length (files), ==, 1);
  g_assert_true (g_file_equal (files->data, written));
  g_slist_free (files);
  g_value_unset (&value);

  g_value_init (&value, G_TYPE_FILE);
  g_assert_true (gdk_content_provider_get_value (content, &value, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_equal (g_value_get_object (&value), written));
  g_value_unset (&value);

  gtk_window_destroy (GTK_WINDOW (window));
}

#ifdef GDK_WINDOWING_X11
static gboolean
on_test_drop (GtkDropTarget *target,
              const GValue  *value,
              double         x,
              double         y,
              GFile        **dropped)
{
  GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));

  if (files)
    g_set_object (dropped, files->data);
  g_slist_free (files);
  return *dropped != NULL;
}

static void
xdotool_exited (GPid     pid,
                int      status,
                gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  g_spawn_close_pid (pid);
}

/* Where (root coordinates) the centre of WIDGET is. */
static void
screen_point (GtkWidget *widget,
              int       *x,
              int       *y)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GdkSurface *surface = gtk_native_get_surface (native);
  g_autofree char *out = NULL;
  graphene_point_t in = GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.0,
                                             gtk_widget_get_height (widget) / 2.0);
  graphene_point_t point;
  double surface_x, surface_y;
  int origin_x = 0, origin_y = 0;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native), &in, &point));
  gtk_native_get_surface_transform (native, &surface_x, &surface_y);
  g_assert_cmpint (cachet_test_shell (&out, "xdotool getwindowgeometry --shell %lu",
                                      (unsigned long) gdk_x11_surface_get_xid (surface)), ==, 0);
  g_assert_nonnull (strstr (out, "X="));
  origin_x = atoi (strstr (out, "X=") + 2);
  origin_y = atoi (strstr (out, "Y=") + 2);
  *x = origin_x + (int) (surface_x + point.x);
  *y = origin_y + (int) (surface_y + point.y);
}

/* A real drag and drop (XDND, through the X server): the result row dragged onto another
 * window, pointer driven by xdotool, gives that window the written file. */
static void
test_drag_out_xdnd (void)
{
  g_autoptr(CachetStore) store = NULL;
  g_autofree char *input = NULL;
  g_autofree char *output = NULL;
  g_autoptr(GFile) written = NULL;
  g_autoptr(GFile) dropped = NULL;
  g_autoptr(GError) error = NULL;
  GtkDropTarget *target;
  GtkWidget *other;
  GtkWidget *label;
  CachetProtectView *view;
  CachetWindow *window;
  gboolean exited = FALSE;
  gint64 deadline;
  int from_x, from_y, to_x, to_y;

  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()) || !cachet_test_have_program ("xdotool"))
    {
      g_test_skip ("needs an X server and xdotool");
      return;
    }

  ensure_fixtures ();
  store = store_new ();
  window = window_new (store);
  input = cachet_test_write_file (fx.dir, "xdnd.txt", SECRET_TEXT);
  view = open_for_protection (window, input);
  cachet_protect_view_set_choices (view, FALSE, TRUE);
  cachet_test_ui_flush ();
  choose (view, "Bob Dodgson");
  output = g_build_filename (fx.dir, "xdnd.txt.p7m", NULL);
  run_to (window, view, output);
  written = g_file_new_for_path (output);

  /* Another client's window (another toplevel, so the drop goes through XDND like any). */
  other = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (other), "Drop Here");
  gtk_window_set_default_size (GTK_WINDOW (other), 300, 300);
  label = gtk_label_new ("Drop here");
  gtk_window_set_child (GTK_WINDOW (other), label);
  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (on_test_drop), &dropped);
  gtk_widget_add_controller (label, GTK_EVENT_CONTROLLER (target));
  gtk_window_present (GTK_WINDOW (other));
  cachet_test_ui_flush ();
  g_usleep (200000);
  cachet_test_ui_flush ();

  /* No window manager: place them side by side ourselves. */
  g_assert_cmpint (cachet_test_shell (NULL, "xdotool windowmove %lu 0 0 && xdotool windowmove %lu 950 100",
                                      (unsigned long) gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window))),
                                      (unsigned long) gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (other)))), ==, 0);
  deadline = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  while (g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);

  /* From the row that carries the drag source (the result row), to the other window. */
  screen_point (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (_cachet_protect_view_get_drag_source (view))),
                &from_x, &from_y);
  screen_point (label, &to_x, &to_y);
  g_test_message ("dragging from %d,%d to %d,%d", from_x, from_y, to_x, to_y);

  /* The X server, xdotool and this main loop share two busy CPUs: a drag that a loaded
   * machine loses is tried once more (the drop itself must then arrive). */
  for (guint attempt = 0; attempt < 2 && dropped == NULL; attempt++)
    {
      g_autofree char *command = NULL;
      g_auto(GStrv) argv = NULL;
      GPid pid;

      if (attempt > 0)
        g_test_message ("the first drag did not arrive; dragging again");
      command = g_strdup_printf ("xdotool mousemove %d %d sleep 0.3 mousedown 1 sleep 0.3 "
                                 "mousemove %d %d sleep 0.3 mousemove %d %d sleep 0.3 "
                                 "mousemove %d %d sleep 0.5 mousemove %d %d sleep 0.5 mouseup 1",
                                 from_x, from_y, from_x + 20, from_y, (from_x + to_x) / 2, to_y,
                                 to_x - 5, to_y, to_x, to_y);
      g_assert_true (g_shell_parse_argv (command, NULL, &argv, &error));
      g_assert_true (g_spawn_async (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                    NULL, NULL, &pid, &error));
      g_assert_no_error (error);
      exited = FALSE;
      g_child_watch_add (pid, xdotool_exited, &exited);

      deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
      while ((!exited || dropped == NULL) && g_get_monotonic_time () < deadline)
        if (!g_main_context_iteration (NULL, FALSE))
          g_usleep (2000);
      cachet_test_ui_flush ();
    }

  g_assert_true (exited);
  g_assert_nonnull (dropped);
  g_assert_true (g_file_equal (dropped, written));

  gtk_window_destroy (GTK_WINDOW (other));
  gtk_window_destroy (GTK_WINDOW (window));
}
#endif

/* Sign and encrypt: openssl decrypts with Bob's key, then verifies Alice's signature. */
static void
test_sign_and_encrypt (void)
{
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(CachetIdentity) identity = NULL;
  g_autofree char *input = NULL;
  g_autofree char *output = NULL;
  g_autofree char *inner = NULL;
  g_autofree char *content = NULL;
  g_autofree char *openssl_out = NULL;
  CachetProtectView *view;
  CachetWindow *window;
  int status;

  ensure_fixtures ();
  store = store_new ();
  /* Alice as an identity (her key in the test keyring); the test is skipped without one. */
  identity = cachet_test_ui_import_identity (store, fx.alice);
  if (identity == NULL)
    return;
  window = window_new (store);
  input = cachet_test_write_file (fx.dir, "budget.csv", "item,amount\r\noffice,1200\r\n" SECRET_TEXT);
  view = open_for_protection (window, input);

  cachet_protect_view_set_choices (view, TRUE, TRUE);
  cachet_test_ui_flush ();
  choose (view, "Bob Dodgson");
  output = g_build_filename (fx.dir, "budget.csv.p7m", NULL);
  run_to (window, view, output);
  g_assert_true (g_file_test (output, G_FILE_TEST_IS_REGULAR));

  inner = g_build_filename (fx.dir, "budget.csv.inner", NULL);
  status = openssl_decrypt (output, fx.bob, inner, &openssl_out);
  if (status != 0)
    g_error ("openssl cms -decrypt exit %d: %s", status, openssl_out);
  g_clear_pointer (&openssl_out, g_free);

  content = g_build_filename (fx.dir, "budget.csv.content", NULL);
  status = cachet_test_shell (&openssl_out,
                              "openssl cms -verify -binary -inform DER -in '%s' -CAfile '%s' "
                              "-purpose smimesign -out '%s' 2>&1",
                              inner, fx.pki->root_cert, content);
  if (status != 0)
    g_error ("openssl cms -verify exit %d: %s", status, openssl_out);
  assert_same_file (input, content);

  /* Encrypted to herself too (the default): Alice's key opens it as well. */
  g_clear_pointer (&openssl_out, g_free);
  status = openssl_decrypt (output, fx.alice, "/dev/null", &openssl_out);
  if (status != 0)
    g_error ("Alice cannot decrypt her own file: exit %d: %s", status, openssl_out);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Encrypting without signing, "Encrypt to Myself Too" means the identity chosen in the panel
 * (shown for that), not whichever the store lists first: with two identities and the second
 * chosen, the second's key opens the file and the first's does not. An identity that cannot
 * receive encrypted files gets a warning, and the recipients still get the file. */
static void
test_encrypt_to_chosen_self (void)
{
  g_autoptr(CachetStore) store = NULL;
  g_autoptr(CachetIdentity) home = NULL;
  g_autoptr(CachetIdentity) work = NULL;
  g_autofree char *input = NULL;
  g_autofree char *output = NULL;
  g_autofree char *openssl_out = NULL;
  g_autofree char *chosen = NULL;
  CachetProtectView *view;
  CachetWindow *window;
  AdwComboRow *identity_row;
  GtkWidget *group;
  const char *mine, *other;
  int status;

  ensure_fixtures ();
  store = store_new ();
  if ((home = cachet_test_ui_import_identity (store, fx.alice)) == NULL ||
      (work = cachet_test_ui_import_identity (store, fx.alice_work)) == NULL)
    return;
  window = window_new (store);
  input = cachet_test_write_file (fx.dir, "plans.txt", SECRET_TEXT);
  view = open_for_protection (window, input);

  cachet_protect_view_set_choices (view, FALSE, TRUE);
  cachet_test_ui_flush ();
  identity_row = ADW_COMBO_ROW (cachet_test_ui_find_widget (GTK_WIDGET (view), ADW_TYPE_COMBO_ROW));
  g_assert_nonnull (identity_row);
  group = gtk_widget_get_ancestor (GTK_WIDGET (identity_row), ADW_TYPE_PREFERENCES_GROUP);
  g_assert_true (gtk_widget_get_visible (group));
  g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (group)), ==, "Encrypt to Yourself As");
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (identity_row)), ==, 2);

  /* the second in the list, whichever of the two that is */
  adw_combo_row_set_selected (identity_row, 1);
  chosen = g_strdup (gtk_string_object_get_string (GTK_STRING_OBJECT (adw_combo_row_get_selected_item (identity_row))));
  g_test_message ("chosen: %s", chosen);
  g_assert_true (strstr (chosen, "Alice at Work") != NULL || strstr (chosen, "Alice Liddell") != NULL);
  mine = strstr (chosen, "Alice at Work") ? fx.alice_work : fx.alice;
  other = mine == fx.alice ? fx.alice_work : fx.alice;

  choose (view, "Bob Dodgson");
  output = g_build_filename (fx.dir, "plans.txt.p7m", NULL);
  run_to (window, view, output);
  g_assert_true (g_file_test (output, G_FILE_TEST_IS_REGULAR));

  status = openssl_decrypt (output, mine, "/dev/null", &openssl_out);
  if (status != 0)
    g_error ("the chosen identity cannot decrypt: exit %d: %s", status, openssl_out);
  g_assert_cmpint (openssl_decrypt (output, other, "/dev/null", NULL), !=, 0);

  /* An identity that cannot receive encrypted files (Dave's certificate is for signing only):
   * the panel says the file will not open for you, and still lets the recipients have it. */
  {
    g_autoptr(CachetIdentity) dave = cachet_test_ui_import_identity (store, fx.dave);
    GListModel *names;
    guint n;

    guint dave_index = G_MAXUINT;

    g_assert_nonnull (dave);
    cachet_test_ui_flush ();
    names = adw_combo_row_get_model (identity_row);
    n = g_list_model_get_n_items (names);
    g_assert_cmpuint (n, ==, 3);
    for (guint i = 0; i < n; i++)
      if (strstr (gtk_string_list_get_string (GTK_STRING_LIST (names), i), "Dave") != NULL)
        dave_index = i;
    g_assert_cmpuint (dave_index, <, n);
    adw_combo_row_set_selected (identity_row, (dave_index + 1) % n);
    cachet_test_ui_flush ();
    g_assert_false (cachet_test_ui_shows_text (GTK_WIDGET (view), "cannot receive encrypted files", TRUE));
    adw_combo_row_set_selected (identity_row, dave_index);
    cachet_test_ui_flush ();
    g_assert_true (cachet_test_ui_shows_text (GTK_WIDGET (view), "cannot receive encrypted files", TRUE));
    g_clear_pointer (&output, g_free);
    output = g_build_filename (fx.dir, "plans-dave.txt.p7m", NULL);
    run_to (window, view, output);
    g_assert_cmpint (openssl_decrypt (output, fx.bob, "/dev/null", NULL), ==, 0);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Expired, signing-only and revoked contacts are listed, greyed, with the reason, and cannot be chosen. */
static void
test_unusable_recipients (void)
{
  g_autoptr(CachetStore) store = NULL;
  g_autofree char *input = NULL;
  CachetProtectView *view;
  CachetWindow *window;
  struct {
    const char *name;
    const char *reason;
  } unusable[] = {
    { "Carol Expired", "expired on 2021-01-01" },
    { "Dave Signonly", "can only sign" },
    { "Erin Revoked", "revoked" },
  };

  ensure_fixtures ();
  store = store_new ();
  window = window_new (store);
  input = cachet_test_write_file (fx.dir, "list.txt", SECRET_TEXT);
  view = open_for_protection (window, input);
  cachet_protect_view_set_choices (view, FALSE, TRUE);
  cachet_test_ui_flush ();

  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (find_row (view, "Bob Dodgson"))));
  g_assert_cmpstr (adw_action_row_get_subtitle (find_row (view, "Bob Dodgson")), ==, "bob@example.org");

  for (guint i = 0; i < G_N_ELEMENTS (unusable); i++)
    {
      AdwActionRow *row = find_row (view, unusable[i].name);
      GtkCheckButton *check;
      const char *subtitle;

      g_assert_nonnull (row);
      subtitle = adw_action_row_get_subtitle (row);
      if (strstr (subtitle, unusable[i].reason) == NULL)
        g_error ("%s: the reason “%s” does not say “%s”", unusable[i].name, subtitle, unusable[i].reason);
      g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (row)));
      check = find_check (GTK_WIDGET (row));
      g_assert_nonnull (check);
      g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (check)));
      /* Neither the row nor its check button lets it be chosen. */
      gtk_widget_activate (GTK_WIDGET (row));
      gtk_widget_activate (GTK_WIDGET (check));
      cachet_test_ui_flush ();
      g_assert_false (gtk_check_button_get_active (check));
    }

  /* Nobody chosen: Encrypt cannot run. */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (view), "protect.run", NULL) &&
                  _cachet_window_get_busy (window));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The search entry filters contacts by name and address as you type. */
static void
test_search (void)
{
  g_autoptr(CachetStore) store = NULL;
  g_autofree char *input = NULL;
  CachetProtectView *view;
  CachetWindow *window;
  GtkSearchEntry *search;

  ensure_fixtures ();
  store = store_new ();
  window = window_new (store);
  input = cachet_test_write_file (fx.dir, "search.txt", SECRET_TEXT);
  view = open_for_protection (window, input);
  cachet_protect_view_set_choices (view, FALSE, TRUE);
  cachet_test_ui_flush ();
  search = _cachet_protect_view_get_search_entry (view);
  g_assert_cmpuint (count_rows (view), ==, 4);

  gtk_editable_set_text (GTK_EDITABLE (search), "dodg");
  g_signal_emit_by_name (search, "search-changed");
  cachet_test_ui_flush ();
  g_assert_cmpuint (count_rows (view), ==, 1);
  g_assert_nonnull (find_row (view, "Bob Dodgson"));

  /* By address, whatever the case. */
  gtk_editable_set_text (GTK_EDITABLE (search), "CAROL@");
  g_signal_emit_by_name (search, "search-changed");
  cachet_test_ui_flush ();
  g_assert_cmpuint (count_rows (view), ==, 1);
  g_assert_nonnull (find_row (view, "Carol Expired"));

  gtk_editable_set_text (GTK_EDITABLE (search), "nobody-like-this");
  g_signal_emit_by_name (search, "search-changed");
  cachet_test_ui_flush ();
  g_assert_cmpuint (count_rows (view), ==, 0);

  /* A choice made before searching survives the filter. */
  gtk_editable_set_text (GTK_EDITABLE (search), "");
  g_signal_emit_by_name (search, "search-changed");
  cachet_test_ui_flush ();
  choose (view, "Bob Dodgson");
  gtk_editable_set_text (GTK_EDITABLE (search), "dave");
  g_signal_emit_by_name (search, "search-changed");
  cachet_test_ui_flush ();
  gtk_editable_set_text (GTK_EDITABLE (search), "");
  g_signal_emit_by_name (search, "search-changed");
  cachet_test_ui_flush ();
  g_assert_true (gtk_check_button_get_active (find_check (GTK_WIDGET (find_row (view, "Bob Dodgson")))));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Cancel while a big file is being encrypted: nothing is left behind, not even a temporary. */
static void
test_cancel (void)
{
  g_autoptr(CachetStore) store = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *input = NULL;
  g_autofree char *output = NULL;
  g_autoptr(GFile) output_file = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  CachetProtectView *view;
  CachetWindow *window;
  GtkProgressBar *bar;
  gint64 deadline;
  guint64 done = 0, total = 0;

  ensure_fixtures ();
  store = store_new ();
  window = window_new (store);
  folder = cachet_test_tmpdir ();
  input = g_build_filename (folder, "big.bin", NULL);
  g_assert_cmpint (cachet_test_shell (NULL, "head -c 1048576 /dev/urandom > '%s' && truncate -s 1G '%s'",
                                      input, input), ==, 0);
  view = open_for_protection (window, input);
  cachet_protect_view_set_choices (view, FALSE, TRUE);
  cachet_test_ui_flush ();
  choose (view, "Bob Dodgson");

  output = g_build_filename (folder, "big.bin.p7m", NULL);
  output_file = g_file_new_for_path (output);
  _cachet_protect_view_set_output (view, output_file);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "protect.run", NULL));
  g_assert_true (_cachet_window_get_busy (window));

  /* Let it get going: the core counts what it read, the busy page's bar follows (polled every
   * 100 ms). Then Cancel (Escape on the busy page). */
  bar = GTK_PROGRESS_BAR (cachet_test_ui_find_widget (GTK_WIDGET (window), GTK_TYPE_PROGRESS_BAR));
  g_assert_nonnull (bar);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (gtk_progress_bar_get_fraction (bar) <= 0.0 && _cachet_window_get_busy (window)
         && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
  g_assert_true (_cachet_window_get_busy (window));
  cachet_protect_view_get_progress (view, &done, &total);
  g_test_message ("cancelling after %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes", done, total);
  g_assert_cmpuint (total, ==, 1024 * 1024 * 1024);   /* the core's, once it opened the file */
  g_assert_cmpuint (done, >, 0);
  g_assert_cmpuint (done, <, total);
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (bar), >, 0.0);
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (bar), <, 1.0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL));
  cachet_test_ui_wait_until_idle (window);

  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "protect");
  g_assert_null (_cachet_protect_view_get_written (view));
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
  dir = g_dir_open (folder, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_strcmp0 (name, "big.bin") != 0)
      g_error ("cancelling left “%s” behind", name);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Checking a big file shows its progress on the same busy page: a detached signature of a
 * 1 GB (sparse) file, whose bytes the core counts as it hashes them. */
static void
test_verify_progress (void)
{
  g_autoptr(CachetStore) store = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *content = NULL;
  g_autofree char *signature = NULL;
  g_autoptr(GFile) file = NULL;
  CachetWindow *window;
  GtkProgressBar *bar;
  double highest = 0.0;
  gint64 deadline;

  ensure_fixtures ();
  store = store_new ();
  window = window_new (store);
  folder = cachet_test_tmpdir ();
  content = g_build_filename (folder, "big.iso", NULL);
  signature = g_build_filename (folder, "big.iso.p7s", NULL);
  g_assert_cmpint (cachet_test_shell (NULL,
                                      "head -c 1048576 /dev/urandom > '%s' && truncate -s 1G '%s' && "
                                      "openssl cms -sign -binary -outform DER -in '%s' -signer '%s.crt' "
                                      "-inkey '%s.key' -certfile '%s' -out '%s'",
                                      content, content, content, fx.bob, fx.bob, fx.pki->inter_cert,
                                      signature), ==, 0);

  bar = GTK_PROGRESS_BAR (cachet_test_ui_find_widget (GTK_WIDGET (window), GTK_TYPE_PROGRESS_BAR));
  g_assert_nonnull (bar);
  file = g_file_new_for_path (signature);
  cachet_window_open_files (window, &file, 1);
  g_assert_true (_cachet_window_get_busy (window));
  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "busy");

  deadline = g_get_monotonic_time () + 45 * G_USEC_PER_SEC;
  while (_cachet_window_get_busy (window) && g_get_monotonic_time () < deadline)
    {
      highest = MAX (highest, gtk_progress_bar_get_fraction (bar));
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
  g_assert_false (_cachet_window_get_busy (window));
  g_test_message ("the bar reached %.2f", highest);
  g_assert_cmpfloat (highest, >, 0.0);
  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "report");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A message from the report: "Sign or Encrypt This Message…" gives NAME-encrypted.eml, which
 * openssl decrypts (S/MIME) to the original body. */
static void
test_encrypt_message (void)
{
  g_autoptr(CachetStore) store = NULL;
  g_autofree char *message = NULL;
  g_autofree char *output = NULL;
  g_autofree char *openssl_out = NULL;
  g_autoptr(GFile) file = NULL;
  CachetProtectView *view;
  CachetWindow *window;
  int status;

  ensure_fixtures ();
  store = store_new ();
  window = window_new (store);
  message = cachet_test_write_message (fx.dir, "minutes.eml", "Alice Liddell <alice@example.org>",
                                       "Bob Dodgson <bob@example.org>", "Minutes", SECRET_TEXT);
  file = g_file_new_for_path (message);
  cachet_window_open_files (window, &file, 1);
  cachet_test_ui_wait_until_idle (window);
  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "report");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.protect-message", NULL));
  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "protect");
  view = _cachet_window_get_protect_view (window);
  g_assert_true (g_file_equal (cachet_protect_view_get_file (view), file));

  cachet_protect_view_set_choices (view, FALSE, TRUE);
  cachet_test_ui_flush ();
  choose (view, "Bob Dodgson");
  output = g_build_filename (fx.dir, "minutes-encrypted.eml", NULL);
  run_to (window, view, output);

  status = cachet_test_shell (&openssl_out, "openssl cms -decrypt -in '%s' -recip '%s.crt' -inkey '%s.key' 2>&1",
                              output, fx.bob, fx.bob);
  if (status != 0)
    g_error ("openssl cms -decrypt exit %d: %s", status, openssl_out);
  g_assert_nonnull (strstr (openssl_out, "The new office opens on 1 March"));

  /* Back returns to the report the panel came from. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL));
  g_assert_cmpstr (_cachet_window_get_messages_page (window), ==, "report");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  cachet_test_ui_init (&argc, &argv);

  g_test_add_func ("/cachet/ui/protect/encrypt-file", test_encrypt_file);
  g_test_add_func ("/cachet/ui/protect/drag-out", test_drag_out);
#ifdef GDK_WINDOWING_X11
  g_test_add_func ("/cachet/ui/protect/drag-out/xdnd", test_drag_out_xdnd);
#endif
  g_test_add_func ("/cachet/ui/protect/sign-and-encrypt", test_sign_and_encrypt);
  g_test_add_func ("/cachet/ui/protect/encrypt-to-chosen-self", test_encrypt_to_chosen_self);
  g_test_add_func ("/cachet/ui/protect/unusable-recipients", test_unusable_recipients);
  g_test_add_func ("/cachet/ui/protect/search", test_search);
  g_test_add_func ("/cachet/ui/protect/cancel", test_cancel);
  g_test_add_func ("/cachet/ui/protect/encrypt-message", test_encrypt_message);
  g_test_add_func ("/cachet/ui/verify/progress", test_verify_progress);

  return g_test_run ();
}
