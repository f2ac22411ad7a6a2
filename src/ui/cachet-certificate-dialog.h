/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-certificate-dialog.h: every field of a certificate for a person or an admin, its
 * chain up to the authority (each one can be opened), and Export as PEM.
 */
#pragma once

#include <adwaita.h>

#include "cachet-certificate.h"
#include "cachet-store.h"

G_BEGIN_DECLS

#define CACHET_TYPE_CERTIFICATE_DIALOG (cachet_certificate_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CachetCertificateDialog, cachet_certificate_dialog, CACHET, CERTIFICATE_DIALOG, AdwWindow)

/* A modal window over PARENT (may be NULL) showing CERTIFICATE. CHAIN (CachetCertificate, any
 * order, may be NULL) holds the issuers known for it; STORE (may be NULL) lends its trust
 * anchors so the chain can reach the root. Call gtk_window_present() to show it. */
CachetCertificateDialog *cachet_certificate_dialog_new (GtkWindow         *parent,
                                                        CachetCertificate *certificate,
                                                        GPtrArray         *chain,
                                                        CachetStore       *store);
/* Convenience: a new dialog over WIDGET's window, presented. */
void      cachet_certificate_dialog_show    (GtkWidget         *widget,
                                             CachetCertificate *certificate,
                                             GPtrArray         *chain,
                                             CachetStore       *store);
/* Asks where to save CERTIFICATE as PEM (suggesting "NAME.crt") and saves it; a toast in the
 * nearest AdwToastOverlay at or above WIDGET says how it went. */
void      cachet_certificate_export         (GtkWidget         *widget,
                                             CachetCertificate *certificate);

/* The warning before trusting ROOT as an authority for email: what it means, its name and
 * SHA-256 fingerprint, Cancel and a destructive-styled confirm whose response id is
 * CACHET_TRUST_RESPONSE. The caller connects "response" and presents it. */
#define CACHET_TRUST_RESPONSE "trust"
GtkWidget *_cachet_trust_dialog_new         (GtkWindow         *parent,
                                             CachetCertificate *root);

/* "ab12cd..." -> "AB12 CD34 ..." so a person can compare it with another copy aloud. */
char     *_cachet_format_fingerprint        (const char        *hex);
/* Writes CERTIFICATE as PEM to FILE (what Export does after its Save dialog). */
gboolean  _cachet_certificate_export_to     (CachetCertificate *certificate,
                                             GFile             *file,
                                             GError           **error);

/* For tests: export the certificate shown; the certificate shown; the chain rows (the
 * certificate itself first, the root last). */
gboolean           _cachet_certificate_dialog_export_to     (CachetCertificateDialog *self,
                                                             GFile                   *file,
                                                             GError                 **error);
CachetCertificate *_cachet_certificate_dialog_get_shown     (CachetCertificateDialog *self);
guint              _cachet_certificate_dialog_get_n_chain   (CachetCertificateDialog *self);
GtkWidget         *_cachet_certificate_dialog_get_chain_row (CachetCertificateDialog *self,
                                                             guint                    index);

G_END_DECLS
