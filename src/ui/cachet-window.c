/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-window.c: the main window (see cachet-window.h).
 *
 * Opening runs as a little pipeline per file, all off the main thread: detect what the file is
 * (thread), then verify or decrypt it (the core's _async calls), then show the verdict. A newer
 * open or Cancel bumps the generation number, so late answers from an older run are dropped.
 * Any other file goes to the Sign / Encrypt panel (cachet-protect-view.c), which runs its own
 * jobs; the busy page with its progress bar serves both.
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cachet-encryption.h"
#include "cachet-error.h"
#include "cachet-signing.h"
#include "cachet-contacts-view.h"
#include "cachet-identities-view.h"
#include "cachet-protect-view.h"
#include "cachet-window.h"

typedef struct {
  GFile         *file;
  CachetVerdict *verdict;   /* NULL until checked */
  gboolean       plain;     /* neither a message nor S/MIME: offer to sign or encrypt it */
  gboolean       message;   /* an email that is not encrypted: can be signed or encrypted */
} OpenResult;

struct _CachetWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  AdwToastOverlay      *toast_overlay;
  GtkWidget            *back_button;
  AdwViewStack         *view_stack;
  GtkStack             *messages_stack;
  GtkWidget            *drop_zone;
  AdwStatusPage        *busy_page;
  GtkProgressBar       *progress_bar;
  GtkLabel             *progress_label;
  CachetReportView     *report_view;
  GtkWidget            *report_actions;
  GtkListBox           *results_list;
  CachetProtectView    *protect_view;
  CachetIdentitiesView *identities_view;
  CachetContactsView   *contacts_view;

  GtkDropTarget        *drop_target;
  CachetStore          *store;          /* NULL without an application, or when it failed */
  GSettings            *settings;       /* NULL when the schema is not installed */
  GtkFileChooserNative *open_dialog;
  GPtrArray            *anchors;        /* CachetCertificate */
  GPtrArray            *credentials;    /* CachetCredentials */
  GPtrArray            *results;        /* OpenResult */
  GCancellable         *cancellable;
  GFile                *report_file;    /* the file the report shows */
  gboolean              report_message; /* ... is a message one can sign or encrypt */
  gboolean              protect_from_report;
  gboolean              protect_running;  /* the busy page shows the panel's job */
  gboolean              reverify_pending; /* authorities changed while another pane was shown */
  CachetOptions        *progress_options; /* the running check's options: its byte counts */
  guint                 progress_source;
  guint                 generation;
  gboolean              busy;
};

G_DEFINE_FINAL_TYPE (CachetWindow, cachet_window, ADW_TYPE_APPLICATION_WINDOW)

static void
open_result_free (OpenResult *result)
{
  g_clear_object (&result->file);
  g_clear_object (&result->verdict);
  g_free (result);
}

/* Pages and the header's Back button. */

static void
update_back_button (CachetWindow *self)
{
  const char *pane = adw_view_stack_get_visible_child_name (self->view_stack);
  const char *page = gtk_stack_get_visible_child_name (self->messages_stack);
  gboolean can_go_back = g_strcmp0 (pane, "messages") == 0
                         && (g_strcmp0 (page, "report") == 0 || g_strcmp0 (page, "results") == 0
                             || g_strcmp0 (page, "protect") == 0);

  gtk_widget_set_visible (self->back_button, can_go_back);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", can_go_back);
}

static void
show_messages_page (CachetWindow *self,
                    const char   *page)
{
  adw_view_stack_set_visible_child_name (self->view_stack, "messages");
  gtk_stack_set_visible_child_name (self->messages_stack, page);
  update_back_button (self);
}

/* The progress bar: the running job's count of input bytes read against what it will read in
 * all, polled every 100 ms; it pulses while the count says nothing (not counted, or not started). */
static gboolean
update_progress (gpointer user_data)
{
  CachetWindow *self = user_data;
  guint64 done = 0, total = 0;

  if (cachet_protect_view_get_busy (self->protect_view))
    cachet_protect_view_get_progress (self->protect_view, &done, &total);
  else if (self->progress_options)
    {
      done = cachet_options_get_bytes_done (self->progress_options);
      total = cachet_options_get_bytes_total (self->progress_options);
    }

  if (done > 0 && total > 0)
    {
      g_autofree char *done_text = g_format_size (MIN (done, total));
      g_autofree char *total_text = g_format_size (total);
      /* Translators: progress, "12.3 MB of 200.0 MB" */
      g_autofree char *text = g_strdup_printf (_("%s of %s"), done_text, total_text);

      gtk_progress_bar_set_fraction (self->progress_bar, MIN (1.0, (double) done / (double) total));
      gtk_label_set_text (self->progress_label, text);
    }
  else
    {
      gtk_progress_bar_pulse (self->progress_bar);
      gtk_label_set_text (self->progress_label, "");
    }
  return G_SOURCE_CONTINUE;
}

static void
set_busy (CachetWindow *self,
          gboolean      busy)
{
  self->busy = busy;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", busy);
  if (busy && self->progress_source == 0)
    {
      gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
      gtk_label_set_text (self->progress_label, "");
      self->progress_source = g_timeout_add (100, update_progress, self);
    }
  else if (!busy)
    {
      g_clear_handle_id (&self->progress_source, g_source_remove);
      g_clear_object (&self->progress_options);
    }
}

void
cachet_window_show_pane (CachetWindow *self,
                         const char   *name)
{
  g_return_if_fail (CACHET_IS_WINDOW (self));

  if (g_strcmp0 (name, "messages") == 0 || g_strcmp0 (name, "identities") == 0
      || g_strcmp0 (name, "contacts") == 0)
    adw_view_stack_set_visible_child_name (self->view_stack, name);
}

void
cachet_window_new_identity (CachetWindow *self)
{
  g_return_if_fail (CACHET_IS_WINDOW (self));

  cachet_window_show_pane (self, "identities");
  gtk_widget_activate_action (GTK_WIDGET (self->identities_view), "identity.new", NULL);
}

void
cachet_window_show_toast (CachetWindow *self,
                          const char   *message)
{
  g_return_if_fail (CACHET_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/* Results */

static const char *
status_icon_name (CachetStatus status)
{
  switch (status)
    {
    case CACHET_STATUS_GOOD:      return "security-high-symbolic";
    case CACHET_STATUS_UNTRUSTED: return "dialog-warning-symbolic";
    case CACHET_STATUS_UNSIGNED:  return "security-low-symbolic";
    case CACHET_STATUS_BAD:
    case CACHET_STATUS_ERROR:
    default:                      return "dialog-error-symbolic";
    }
}

void
_cachet_window_show_result (CachetWindow *self,
                            guint         index)
{
  OpenResult *result;

  g_return_if_fail (CACHET_IS_WINDOW (self));
  g_return_if_fail (self->results != NULL && index < self->results->len);

  result = g_ptr_array_index (self->results, index);
  if (result->plain)
    {
      cachet_protect_view_set_file (self->protect_view, result->file, FALSE);
      self->protect_from_report = FALSE;
      show_messages_page (self, "protect");
      return;
    }
  if (result->verdict == NULL)
    return;
  cachet_report_view_set_verdict (self->report_view, result->verdict, result->file);
  g_set_object (&self->report_file, result->file);
  self->report_message = result->message;
  gtk_widget_set_visible (self->report_actions, result->message);
  show_messages_page (self, "report");
}

static void
result_row_activated (AdwActionRow *row,
                      CachetWindow *self)
{
  _cachet_window_show_result (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "cachet-index")));
}

static void
fill_results_list (CachetWindow *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->results_list))) != NULL)
    gtk_list_box_remove (self->results_list, child);

  for (guint i = 0; i < self->results->len; i++)
    {
      OpenResult *result = g_ptr_array_index (self->results, i);
      CachetStatus status = cachet_verdict_get_status (result->verdict);
      g_autofree char *name = g_file_get_basename (result->file);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name (status_icon_name (status));
      const char *subtitle = cachet_status_describe (status);

      if (status == CACHET_STATUS_ERROR && cachet_verdict_get_error_message (result->verdict))
        subtitle = cachet_verdict_get_error_message (result->verdict);
      if (result->plain)
        {
          subtitle = _("Not a message: you can sign or encrypt it");
          gtk_image_set_from_icon_name (GTK_IMAGE (icon), "text-x-generic-symbolic");
        }

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_add_css_class (icon, "cachet-status-icon");
      gtk_widget_add_css_class (icon, cachet_status_to_string (status));
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      cachet_status_describe (status), -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "cachet-index", GUINT_TO_POINTER (i));
      g_signal_connect (row, "activated", G_CALLBACK (result_row_activated), self);
      gtk_list_box_append (self->results_list, row);
    }
}

static void
all_done (CachetWindow *self)
{
  set_busy (self, FALSE);

  if (self->results->len == 1)
    _cachet_window_show_result (self, 0);
  else
    {
      fill_results_list (self);
      show_messages_page (self, "results");
    }
}

/* The per-file pipeline */

typedef struct {
  CachetWindow    *window;        /* strong */
  guint            generation;
  guint            index;
  char            *path;
  char            *content_path;  /* the file a detached .p7s signs, when found */
  CachetInputKind  kind;
  gboolean         encrypted_message;
} OpenJob;

static void
open_job_free (OpenJob *job)
{
  g_clear_object (&job->window);
  g_free (job->path);
  g_free (job->content_path);
  g_free (job);
}

static void start_job (CachetWindow *self, guint index);

static gboolean
job_is_current (OpenJob *job)
{
  return job->generation == job->window->generation;
}

static void
finish_job (OpenJob       *job,
            CachetVerdict *verdict)
{
  CachetWindow *self = job->window;
  OpenResult *result = g_ptr_array_index (self->results, job->index);

  g_set_object (&result->verdict, verdict);
  if (job->index + 1 < self->results->len)
    start_job (self, job->index + 1);
  else
    all_done (self);
}

static void
finish_job_with_error (OpenJob      *job,
                       const GError *error)
{
  g_autoptr(CachetVerdict) verdict = cachet_verdict_new_for_error (error);

  finish_job (job, verdict);
}

/* Is this .eml an encrypted S/MIME message? cachet_detect_input() says "message" for every
 * RFC 5322 message, so look at its top-level content type (runs in the detection thread). */
static gboolean
message_is_encrypted (const char *path)
{
  GMimeStream *stream;
  GMimeParser *parser;
  GMimeMessage *message;
  GMimeObject *part;
  gboolean encrypted = FALSE;

  stream = g_mime_stream_fs_open (path, O_RDONLY, 0, NULL);
  if (stream == NULL)
    return FALSE;
  parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_persist_stream (parser, TRUE);
  message = g_mime_parser_construct_message (parser, NULL);
  part = message ? g_mime_message_get_mime_part (message) : NULL;

  if (part && GMIME_IS_APPLICATION_PKCS7_MIME (part))
    {
      GMimeApplicationPkcs7Mime *pkcs7 = GMIME_APPLICATION_PKCS7_MIME (part);
      const char *smime_type = g_mime_object_get_content_type_parameter (part, "smime-type");

      switch (g_mime_application_pkcs7_mime_get_smime_type (pkcs7))
        {
        case GMIME_SECURE_MIME_TYPE_ENVELOPED_DATA:
          encrypted = TRUE;
          break;
        case GMIME_SECURE_MIME_TYPE_UNKNOWN:
          /* GMime 3.2 does not know authEnveloped-data (AES-GCM). */
          encrypted = smime_type && g_ascii_strcasecmp (smime_type, "authEnveloped-data") == 0;
          break;
        default:
          break;
        }
    }

  g_clear_object (&message);
  g_object_unref (parser);
  g_object_unref (stream);
  return encrypted;
}

static void
detect_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  OpenJob *job = task_data;
  GError *error = NULL;

  job->kind = cachet_detect_input (job->path, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (job->kind == CACHET_INPUT_MESSAGE)
    job->encrypted_message = message_is_encrypted (job->path);

  /* TODO: inside a Flatpak the portal hands over the dropped file only; ask for the signed file
   * with a file chooser when the neighbour cannot be read. */
  if (job->kind == CACHET_INPUT_CMS_SIGNED && g_str_has_suffix (job->path, ".p7s"))
    {
      g_autofree char *content = g_strndup (job->path, strlen (job->path) - strlen (".p7s"));

      if (g_file_test (content, G_FILE_TEST_IS_REGULAR))
        job->content_path = g_steal_pointer (&content);
    }

  g_task_return_boolean (task, TRUE);
}

static void
verify_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  OpenJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetVerdict) verdict = cachet_verify_file_finish (result, &error);

  if (job_is_current (job))
    {
      if (verdict != NULL)
        finish_job (job, verdict);
      else
        finish_job_with_error (job, error);
    }
  open_job_free (job);
}

static void
decrypt_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  OpenJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetVerdict) verdict = cachet_decrypt_file_finish (result, &error);

  if (job_is_current (job))
    {
      if (verdict != NULL)
        finish_job (job, verdict);
      else
        finish_job_with_error (job, error);
    }
  open_job_free (job);
}

static CachetOptions *
make_options (CachetWindow *self)
{
  CachetOptions *options = cachet_options_new ();

  for (guint i = 0; i < self->anchors->len; i++)
    cachet_options_add_anchor (options, g_ptr_array_index (self->anchors, i));
  for (guint i = 0; i < self->credentials->len; i++)
    cachet_options_add_credentials (options, g_ptr_array_index (self->credentials, i));
  /* The user's anchors, identities (decryption) and contacts take part; a good signer
   * becomes a contact. */
  if (self->store)
    cachet_options_set_store (options, self->store);
  return options;
}

static gboolean
has_suffix_nocase (const char *path,
                   const char *suffix)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  return g_str_has_suffix (lower, suffix);
}

static void
signed_file_chosen (GtkNativeDialog *dialog,
                    int              response,
                    OpenJob         *job)
{
  CachetWindow *self = job->window;

  if (job_is_current (job))
    {
      g_autoptr(GFile) file = response == GTK_RESPONSE_ACCEPT
                              ? gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog)) : NULL;
      g_autofree char *content = file ? g_file_get_path (file) : NULL;

      if (content == NULL)
        {
          g_autofree char *name = g_path_get_basename (job->path);
          g_autoptr(GError) error = g_error_new (CACHET_ERROR, CACHET_ERROR_NOT_FOUND,
                                                 _("“%s” is a signature kept apart from the file it signs. Open it again and choose that file to check it."),
                                                 name);
          finish_job_with_error (job, error);
          open_job_free (job);
        }
      else
        {
          g_autoptr(CachetOptions) options = make_options (self);

          job->content_path = g_steal_pointer (&content);
          g_set_object (&self->progress_options, options);
          cachet_verify_file_async (options, job->path, job->content_path, self->cancellable,
                                    verify_done, job);
        }
    }
  else
    open_job_free (job);

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
ask_for_signed_file (OpenJob *job)
{
  g_autofree char *name = g_path_get_basename (job->path);
  /* Translators: %s is the name of a signature file */
  g_autofree char *title = g_strdup_printf (_("Choose the File “%s” Signs"), name);
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (job->window),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Check"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (signed_file_chosen), job);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static gboolean
has_smime_name (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  return g_str_has_suffix (lower, ".eml") || g_str_has_suffix (lower, ".p7m")
         || g_str_has_suffix (lower, ".p7s");
}

static void
detect_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  OpenJob *job = user_data;
  CachetWindow *self = job->window;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetOptions) options = NULL;
  g_autofree char *name = NULL;

  if (!job_is_current (job))
    {
      open_job_free (job);
      return;
    }

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      finish_job_with_error (job, error);
      open_job_free (job);
      return;
    }

  options = make_options (self);
  g_set_object (&self->progress_options, options);
  switch (job->kind)
    {
    case CACHET_INPUT_MESSAGE:
      ((OpenResult *) g_ptr_array_index (self->results, job->index))->message = !job->encrypted_message;
      if (job->encrypted_message)
        {
          cachet_decrypt_file_async (options, job->path, NULL, self->cancellable, decrypt_done, job);
          return;
        }
      cachet_verify_file_async (options, job->path, NULL, self->cancellable, verify_done, job);
      return;

    case CACHET_INPUT_CMS_SIGNED:
      if (job->content_path == NULL && has_suffix_nocase (job->path, ".p7s"))
        {
          /* A detached signature: the portal (or the user) gave us the signature only. */
          ask_for_signed_file (job);
          return;
        }
      cachet_verify_file_async (options, job->path, job->content_path, self->cancellable,
                                verify_done, job);
      return;

    case CACHET_INPUT_CMS_ENVELOPED:
      cachet_decrypt_file_async (options, job->path, NULL, self->cancellable, decrypt_done, job);
      return;

    case CACHET_INPUT_UNKNOWN:
    default:
      if (has_smime_name (job->path))
        {
          /* Named like a message or S/MIME file but not one: damaged, say so. */
          name = g_path_get_basename (job->path);
          error = g_error_new (CACHET_ERROR, CACHET_ERROR_MALFORMED,
                               _("“%s” is damaged or is not an email message or S/MIME file. Ask the sender to send it again."),
                               name);
          finish_job_with_error (job, error);
          open_job_free (job);
          return;
        }
      {
        /* Not a verdict's business: the "file" page offers to sign it. The verdict (unsigned,
         * nothing covered) keeps the results list uniform. */
        g_autoptr(CachetVerdict) verdict = cachet_verdict_new ();
        OpenResult *open_result = g_ptr_array_index (self->results, job->index);

        open_result->plain = TRUE;
        finish_job (job, verdict);
        open_job_free (job);
      }
      return;
    }
}

static void
start_job (CachetWindow *self,
           guint         index)
{
  OpenResult *result = g_ptr_array_index (self->results, index);
  g_autofree char *path = g_file_get_path (result->file);
  g_autofree char *name = g_file_get_basename (result->file);
  g_autofree char *title = NULL;
  g_autoptr(GTask) task = NULL;
  OpenJob *job;

  if (self->results->len > 1)
    /* Translators: "Checking “a.eml” (2 of 5)…" */
    title = g_strdup_printf (_("Checking “%s” (%u of %u)…"), name, index + 1, self->results->len);
  else
    /* Translators: "Checking “a.eml”…" */
    title = g_strdup_printf (_("Checking “%s”…"), name);
  adw_status_page_set_title (self->busy_page, title);

  job = g_new0 (OpenJob, 1);
  job->window = g_object_ref (self);
  job->generation = self->generation;
  job->index = index;

  if (path == NULL)
    {
      g_autoptr(GError) error = g_error_new (CACHET_ERROR, CACHET_ERROR_IO,
                                             _("“%s” is not a file on this computer. Save it to a folder first, then open it."),
                                             name);
      finish_job_with_error (job, error);
      open_job_free (job);
      return;
    }

  job->path = g_steal_pointer (&path);
  task = g_task_new (NULL, self->cancellable, detect_done, job);
  g_task_set_task_data (task, job, NULL);
  g_task_run_in_thread (task, detect_thread);
}

void
cachet_window_open_files (CachetWindow  *self,
                          GFile        **files,
                          guint          n_files)
{
  g_return_if_fail (CACHET_IS_WINDOW (self));
  g_return_if_fail (files != NULL || n_files == 0);

  if (n_files == 0)
    return;

  /* A PKCS#12 file opens the identity import, a certificate the contact import; the rest
   * (messages, signatures, encrypted and plain files) goes to the report. */
  {
    g_autoptr(GPtrArray) reports = g_ptr_array_new ();

    for (guint i = 0; i < n_files; i++)
      {
        g_autofree char *name = g_file_get_basename (files[i]);
        g_autofree char *lower = name ? g_ascii_strdown (name, -1) : g_strdup ("");

        if (g_str_has_suffix (lower, ".p12") || g_str_has_suffix (lower, ".pfx"))
          {
            cachet_window_show_pane (self, "identities");
            cachet_identities_view_import_file (self->identities_view, files[i]);
          }
        else if (g_str_has_suffix (lower, ".crt") || g_str_has_suffix (lower, ".cer") ||
                 g_str_has_suffix (lower, ".pem") || g_str_has_suffix (lower, ".der"))
          {
            cachet_window_show_pane (self, "contacts");
            cachet_contacts_view_import_files (self->contacts_view, &files[i], 1);
          }
        else
          g_ptr_array_add (reports, files[i]);
      }

    if (reports->len == 0)
      return;
    if (reports->len < n_files)
      {
        cachet_window_open_files (self, (GFile **) reports->pdata, reports->len);
        return;
      }
  }

  /* A new open replaces whatever was still being checked, signed or encrypted. */
  if (self->protect_running)
    {
      self->protect_running = FALSE;
      cachet_protect_view_cancel (self->protect_view);
    }
  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  g_ptr_array_set_size (self->results, 0);
  for (guint i = 0; i < n_files; i++)
    {
      OpenResult *result = g_new0 (OpenResult, 1);
      result->file = g_object_ref (files[i]);
      g_ptr_array_add (self->results, result);
    }

  set_busy (self, TRUE);
  show_messages_page (self, "busy");
  start_job (self, 0);
}

/* Open dialog */

static void
open_response (GtkNativeDialog *dialog,
               int              response,
               CachetWindow    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) list = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      guint n = g_list_model_get_n_items (list);
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (files, g_list_model_get_item (list, i));

      if (n > 0 && self->settings)
        {
          g_autoptr(GFile) folder = g_file_get_parent (g_ptr_array_index (files, 0));
          g_autofree char *folder_path = folder ? g_file_get_path (folder) : NULL;

          if (folder_path)
            g_settings_set_string (self->settings, "last-folder", folder_path);
        }

      cachet_window_open_files (self, (GFile **) files->pdata, files->len);
    }
  g_clear_object (&self->open_dialog);
}

void
cachet_window_show_open_dialog (CachetWindow *self)
{
  GtkFileFilter *filter;

  g_return_if_fail (CACHET_IS_WINDOW (self));

  if (self->open_dialog != NULL)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->open_dialog));
      return;
    }

  self->open_dialog = gtk_file_chooser_native_new (_("Open a Message or File"), GTK_WINDOW (self),
                                                   GTK_FILE_CHOOSER_ACTION_OPEN,
                                                   _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->open_dialog), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->open_dialog), TRUE);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Messages and S/MIME files"));
  gtk_file_filter_add_mime_type (filter, "message/rfc822");
  gtk_file_filter_add_mime_type (filter, "application/pkcs7-mime");
  gtk_file_filter_add_mime_type (filter, "application/pkcs7-signature");
  gtk_file_filter_add_suffix (filter, "eml");
  gtk_file_filter_add_suffix (filter, "p7m");
  gtk_file_filter_add_suffix (filter, "p7s");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->open_dialog), filter);
  g_object_unref (filter);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("All files"));
  gtk_file_filter_add_pattern (filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->open_dialog), filter);
  g_object_unref (filter);

  if (self->settings)
    {
      g_autofree char *last = g_settings_get_string (self->settings, "last-folder");

      if (last && *last && g_file_test (last, G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GFile) folder = g_file_new_for_path (last);
          gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->open_dialog), folder, NULL);
        }
    }

  g_signal_connect (self->open_dialog, "response", G_CALLBACK (open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->open_dialog));
}

/* Drag and drop: a thin wrapper over cachet_window_open_files(). */

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         CachetWindow  *self)
{
  GSList *list;
  g_autoptr(GPtrArray) files = NULL;

  gtk_widget_remove_css_class (self->drop_zone, "drop-active");

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) || g_value_get_boxed (value) == NULL)
    return FALSE;

  files = g_ptr_array_new ();
  list = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  g_slist_free (list);

  if (files->len == 0)
    return FALSE;

  cachet_window_open_files (self, (GFile **) files->pdata, files->len);
  return TRUE;
}

static GdkDragAction
on_drop_enter (GtkDropTarget *target,
               double         x,
               double         y,
               CachetWindow  *self)
{
  gtk_widget_add_css_class (self->drop_zone, "drop-active");
  return GDK_ACTION_COPY;
}

static void
on_drop_leave (GtkDropTarget *target,
               CachetWindow  *self)
{
  gtk_widget_remove_css_class (self->drop_zone, "drop-active");
}

/* Window actions */

static void
back_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CachetWindow *self = CACHET_WINDOW (widget);
  const char *page = gtk_stack_get_visible_child_name (self->messages_stack);

  if (g_strcmp0 (page, "protect") == 0 && self->protect_from_report)
    show_messages_page (self, "report");
  else if ((g_strcmp0 (page, "report") == 0 || g_strcmp0 (page, "protect") == 0) && self->results->len > 1)
    show_messages_page (self, "results");
  else if (g_strcmp0 (page, "report") == 0 || g_strcmp0 (page, "results") == 0
           || g_strcmp0 (page, "protect") == 0)
    show_messages_page (self, "drop");
}

static void
cancel_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CachetWindow *self = CACHET_WINDOW (widget);

  if (!self->busy)
    return;
  if (cachet_protect_view_get_busy (self->protect_view))
    {
      /* The panel says so (and goes back to its form) once the core has stopped. */
      cachet_protect_view_cancel (self->protect_view);
      return;
    }
  self->generation++;
  g_cancellable_cancel (self->cancellable);
  set_busy (self, FALSE);
  show_messages_page (self, "drop");
  cachet_window_show_toast (self, _("Stopped. Nothing was changed."));
}

static void
show_pane_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  cachet_window_show_pane (CACHET_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

/* "Sign or Encrypt This Message…" on the report of a message. */
static void
protect_message_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  CachetWindow *self = CACHET_WINDOW (widget);

  if (self->report_file == NULL || !self->report_message)
    return;
  cachet_protect_view_set_file (self->protect_view, self->report_file, TRUE);
  self->protect_from_report = TRUE;
  show_messages_page (self, "protect");
}

/* Checks the files on show again, e.g. after "Trust This CA…" added an anchor. */
static void
reverify_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CachetWindow *self = CACHET_WINDOW (widget);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; self->results != NULL && i < self->results->len; i++)
    {
      OpenResult *result = g_ptr_array_index (self->results, i);

      g_ptr_array_add (files, g_object_ref (result->file));
    }
  if (files->len == 0 && self->report_file != NULL)
    g_ptr_array_add (files, g_object_ref (self->report_file));
  if (files->len > 0)
    cachet_window_open_files (self, (GFile **) files->pdata, files->len);
}

/* From a report: the Contacts pane's Add Authority… (an Open dialog, then the warning). */
static void
add_authority_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  cachet_contacts_view_choose_authority (CACHET_WINDOW (widget)->contacts_view);
}

/* What the checks rely on changed in the Contacts pane (an authority, a revocation list): the
 * reports on show are checked again now when the person sees them, else when they come back to
 * the Messages pane. */
static void
reverify_when_shown (CachetWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->messages_stack);

  if (g_strcmp0 (page, "report") != 0 && g_strcmp0 (page, "results") != 0)
    return;
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "messages") == 0)
    {
      self->reverify_pending = FALSE;
      gtk_widget_activate_action (GTK_WIDGET (self), "win.reverify", NULL);
    }
  else
    self->reverify_pending = TRUE;
}

static void
pane_changed (CachetWindow *self)
{
  if (self->reverify_pending)
    reverify_when_shown (self);
}

/* The panel runs its own jobs; the window shows them on the busy page. */
static void
protect_busy_changed (CachetWindow *self)
{
  if (cachet_protect_view_get_busy (self->protect_view))
    {
      /* A new run replaces a check still going on. */
      self->generation++;
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
      adw_status_page_set_title (self->busy_page, cachet_protect_view_get_busy_title (self->protect_view));
      self->protect_running = TRUE;
      set_busy (self, TRUE);
      show_messages_page (self, "busy");
    }
  else if (self->protect_running)
    {
      self->protect_running = FALSE;
      set_busy (self, FALSE);
      show_messages_page (self, "protect");
    }
}

/* Settings: only when the schema is installed (tests and uninstalled builds may lack it). */

static GSettings *
settings_new_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL
      || !g_settings_schema_has_key (schema, "window-width")
      || !g_settings_schema_has_key (schema, "window-height")
      || !g_settings_schema_has_key (schema, "window-maximized")
      || !g_settings_schema_has_key (schema, "last-folder"))
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

static gboolean
cachet_window_close_request (GtkWindow *window)
{
  CachetWindow *self = CACHET_WINDOW (window);

  if (self->settings)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
      if (!gtk_window_is_maximized (window))
        {
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
    }

  self->generation++;
  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (cachet_window_parent_class)->close_request (window);
}

/* Accessors */

gboolean
_cachet_window_get_busy (CachetWindow *self)
{
  return self->busy;
}

const char *
_cachet_window_get_messages_page (CachetWindow *self)
{
  return gtk_stack_get_visible_child_name (self->messages_stack);
}

GtkDropTarget *
_cachet_window_get_drop_target (CachetWindow *self)
{
  return self->drop_target;
}

CachetReportView *
_cachet_window_get_report_view (CachetWindow *self)
{
  return self->report_view;
}

CachetProtectView *
_cachet_window_get_protect_view (CachetWindow *self)
{
  return self->protect_view;
}

CachetContactsView *
_cachet_window_get_contacts_view (CachetWindow *self)
{
  return self->contacts_view;
}

void
_cachet_window_add_trust_anchor (CachetWindow      *self,
                                 CachetCertificate *anchor)
{
  g_return_if_fail (CACHET_IS_WINDOW (self));
  g_return_if_fail (CACHET_IS_CERTIFICATE (anchor));
  g_ptr_array_add (self->anchors, g_object_ref (anchor));
}

void
_cachet_window_set_store (CachetWindow *self,
                          CachetStore  *store)
{
  g_return_if_fail (CACHET_IS_WINDOW (self));

  g_set_object (&self->store, store);
  cachet_identities_view_set_store (self->identities_view, self->store);
  cachet_contacts_view_set_store (self->contacts_view, self->store);
  cachet_report_view_set_store (self->report_view, self->store);
  cachet_protect_view_set_store (self->protect_view, self->store);
}

void
_cachet_window_add_credentials (CachetWindow      *self,
                                CachetCredentials *credentials)
{
  g_return_if_fail (CACHET_IS_WINDOW (self));
  g_return_if_fail (CACHET_IS_CREDENTIALS (credentials));
  g_ptr_array_add (self->credentials, g_object_ref (credentials));
}

GPtrArray *
_cachet_window_get_verdicts (CachetWindow *self)
{
  GPtrArray *verdicts = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->results->len; i++)
    {
      OpenResult *result = g_ptr_array_index (self->results, i);
      if (result->verdict)
        g_ptr_array_add (verdicts, g_object_ref (result->verdict));
    }
  return verdicts;
}

/* Life cycle */

static void
cachet_window_dispose (GObject *object)
{
  CachetWindow *self = CACHET_WINDOW (object);

  self->generation++;
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->open_dialog)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->open_dialog));
  g_clear_object (&self->open_dialog);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_object (&self->report_file);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  g_clear_object (&self->progress_options);
  g_clear_pointer (&self->anchors, g_ptr_array_unref);
  g_clear_pointer (&self->credentials, g_ptr_array_unref);
  g_clear_pointer (&self->results, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), CACHET_TYPE_WINDOW);

  G_OBJECT_CLASS (cachet_window_parent_class)->dispose (object);
}

/* The store comes from the application (one per process); it is not a construct property,
 * so it is set after g_object_new(). */
static void
use_store_of (CachetWindow      *self,
              CachetApplication *application)
{
  const char *error_message = NULL;

  if (application)
    {
      self->store = cachet_application_get_store (application, &error_message);
      if (self->store)
        g_object_ref (self->store);
      else if (error_message)
        cachet_window_show_toast (self, error_message);
    }
  cachet_identities_view_set_store (self->identities_view, self->store);
  cachet_contacts_view_set_store (self->contacts_view, self->store);
  cachet_report_view_set_store (self->report_view, self->store);
  cachet_protect_view_set_store (self->protect_view, self->store);
}

static void
cachet_window_class_init (CachetWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cachet_window_dispose;
  window_class->close_request = cachet_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/cachet-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, messages_stack);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, drop_zone);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, busy_page);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, report_view);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, report_actions);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, results_list);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, protect_view);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, identities_view);
  gtk_widget_class_bind_template_child (widget_class, CachetWindow, contacts_view);

  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_activated);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_activated);
  gtk_widget_class_install_action (widget_class, "win.show-pane", "s", show_pane_activated);
  gtk_widget_class_install_action (widget_class, "win.protect-message", NULL, protect_message_activated);
  gtk_widget_class_install_action (widget_class, "win.reverify", NULL, reverify_activated);
  gtk_widget_class_install_action (widget_class, "win.add-authority", NULL, add_authority_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
}

static void
cachet_window_init (CachetWindow *self)
{
  g_type_ensure (CACHET_TYPE_REPORT_VIEW);
  g_type_ensure (CACHET_TYPE_IDENTITIES_VIEW);
  g_type_ensure (CACHET_TYPE_CONTACTS_VIEW);
  g_type_ensure (CACHET_TYPE_PROTECT_VIEW);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->anchors = g_ptr_array_new_with_free_func (g_object_unref);
  self->credentials = g_ptr_array_new_with_free_func (g_object_unref);
  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify) open_result_free);
  self->cancellable = g_cancellable_new ();

  self->drop_target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (self->drop_target, "drop", G_CALLBACK (on_drop), self);
  g_signal_connect (self->drop_target, "enter", G_CALLBACK (on_drop_enter), self);
  g_signal_connect (self->drop_target, "leave", G_CALLBACK (on_drop_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (self->drop_target));

  g_signal_connect_swapped (self->view_stack, "notify::visible-child-name",
                            G_CALLBACK (update_back_button), self);
  g_signal_connect_swapped (self->messages_stack, "notify::visible-child-name",
                            G_CALLBACK (update_back_button), self);
  g_signal_connect_swapped (self->protect_view, "notify::busy",
                            G_CALLBACK (protect_busy_changed), self);
  g_signal_connect_swapped (self->contacts_view, "trust-changed",
                            G_CALLBACK (reverify_when_shown), self);
  g_signal_connect_swapped (self->view_stack, "notify::visible-child-name",
                            G_CALLBACK (pane_changed), self);
  set_busy (self, FALSE);
  update_back_button (self);

  self->settings = settings_new_if_installed ();
  if (self->settings)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
  cachet_protect_view_set_settings (self->protect_view, self->settings);
}

CachetWindow *
cachet_window_new (CachetApplication *application)
{
  CachetWindow *self = g_object_new (CACHET_TYPE_WINDOW, "application", application, NULL);

  use_store_of (self, application);
  return self;
}
