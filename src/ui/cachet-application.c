/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-application.c: the Cachet application (see cachet-application.h).
 *
 * Every way of opening a file (command line, the file manager through GApplication "open",
 * Open…, a drop) ends in cachet_window_open_files(); this file only routes files to a window.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cachet-application.h"
#include "cachet-window.h"

/* From glib-compile-resources --manual-register (cachet-resources.c). */
extern void cachet_register_resource (void);

struct _CachetApplication
{
  AdwApplication  parent_instance;

  CachetStore    *store;
  char           *store_error;
  gboolean        store_tried;
};

G_DEFINE_FINAL_TYPE (CachetApplication, cachet_application, ADW_TYPE_APPLICATION)

void
_cachet_ui_register_resources (void)
{
  static gsize registered;

  if (g_once_init_enter (&registered))
    {
      cachet_register_resource ();
      g_once_init_leave (&registered, 1);
    }
}

CachetStore *
cachet_application_get_store (CachetApplication  *self,
                              const char        **error_message)
{
  g_return_val_if_fail (CACHET_IS_APPLICATION (self), NULL);

  if (!self->store_tried)
    {
      g_autoptr(GError) error = NULL;

      self->store_tried = TRUE;
      self->store = cachet_store_new (NULL, &error);
      if (self->store == NULL)
        self->store_error = g_strdup (error->message);
    }
  if (error_message)
    *error_message = self->store_error;
  return self->store;
}

static CachetWindow *
get_or_create_window (CachetApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (CACHET_IS_WINDOW (window))
    return CACHET_WINDOW (window);

  return cachet_window_new (self);
}

static void
cachet_application_activate (GApplication *application)
{
  CachetWindow *window = get_or_create_window (CACHET_APPLICATION (application));

  gtk_window_present (GTK_WINDOW (window));
}

static void
cachet_application_open (GApplication  *application,
                         GFile        **files,
                         int            n_files,
                         const char    *hint)
{
  CachetWindow *window = get_or_create_window (CACHET_APPLICATION (application));

  cachet_window_open_files (window, files, (guint) n_files);
  gtk_window_present (GTK_WINDOW (window));
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (app);

  /* Closing the windows lets each save its size and cancel its work before the app quits. */
  while (windows != NULL)
    {
      GList *next = windows->next;
      gtk_window_destroy (GTK_WINDOW (windows->data));
      windows = next;
    }
  g_application_quit (G_APPLICATION (app));
}

static void
open_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  CachetWindow *window = get_or_create_window (CACHET_APPLICATION (user_data));

  gtk_window_present (GTK_WINDOW (window));
  cachet_window_show_open_dialog (window);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The Cachet authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "modal", TRUE,
                        "application-name", _("Cachet"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "comments", _("Sign, verify, encrypt and decrypt email and files with S/MIME certificates."),
                        "developer-name", _("The Cachet authors"),
                        "developers", developers,
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

/* app.show-pane('identities'): also reachable from outside (desktop actions, gapplication). */
static void
show_pane_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  CachetWindow *window = get_or_create_window (CACHET_APPLICATION (user_data));

  cachet_window_show_pane (window, g_variant_get_string (parameter, NULL));
  gtk_window_present (GTK_WINDOW (window));
}

/* app.new-identity: the Identities pane with the New Identity dialog open. */
static void
new_identity_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  CachetWindow *window = get_or_create_window (CACHET_APPLICATION (user_data));

  gtk_window_present (GTK_WINDOW (window));
  cachet_window_show_pane (window, "identities");
  cachet_window_new_identity (window);
}

static const GActionEntry app_actions[] = {
  { .name = "new-identity", .activate = new_identity_activated },
  { .name = "show-pane", .activate = show_pane_activated, .parameter_type = "s" },
  { .name = "quit", .activate = quit_activated },
  { .name = "open", .activate = open_activated },
  { .name = "about", .activate = about_activated },
};

static void
cachet_application_startup (GApplication *application)
{
  GtkApplication *app = GTK_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *open_accels[] = { "<Control>o", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *help_accels[] = { "F1", "<Control>question", NULL };

  G_APPLICATION_CLASS (cachet_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (app, "app.quit", quit_accels);
  gtk_application_set_accels_for_action (app, "app.open", open_accels);
  gtk_application_set_accels_for_action (app, "window.close", close_accels);
  gtk_application_set_accels_for_action (app, "win.show-help-overlay", help_accels);

  gtk_window_set_default_icon_name (APP_ID);
}

static void
cachet_application_finalize (GObject *object)
{
  CachetApplication *self = CACHET_APPLICATION (object);

  g_clear_object (&self->store);
  g_free (self->store_error);

  G_OBJECT_CLASS (cachet_application_parent_class)->finalize (object);
}

static void
cachet_application_class_init (CachetApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = cachet_application_finalize;

  app_class->startup = cachet_application_startup;
  app_class->activate = cachet_application_activate;
  app_class->open = cachet_application_open;
}

static void
cachet_application_init (CachetApplication *self)
{
  /* Before startup: GtkApplication looks for gtk/help-overlay.ui and AdwApplication for
   * style.css under the resource base path while starting up. */
  _cachet_ui_register_resources ();
}

CachetApplication *
cachet_application_new (void)
{
  return g_object_new (CACHET_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", APP_PATH,
                       NULL);
}
