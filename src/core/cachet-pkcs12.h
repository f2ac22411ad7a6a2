/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-pkcs12.h: PKCS#12 (.p12, .pfx) files in and out.
 *
 * Import reads OpenSSL 3 (PBES2 AES-256, SHA-256 MAC), OpenSSL -legacy (RC2-40 / 3DES, SHA-1
 * MAC), Windows and macOS exports, PEM-armoured files and empty passwords. Export writes the
 * modern form by default, or the legacy one (3DES, SHA-1 MAC) that macOS Keychain, older Windows
 * and gpgsm 2.2 read. Both take about half a second (600,000 iterations): use the _async forms
 * from a main loop.
 */
#pragma once

#include <gio/gio.h>

#include "cachet-credentials.h"

G_BEGIN_DECLS

/* The key, its certificate and the chain in DATA. Wrong password: CACHET_ERROR_BAD_PASSWORD;
 * anything that is not a readable PKCS#12: CACHET_ERROR_MALFORMED or _UNSUPPORTED. */
CachetCredentials *cachet_pkcs12_import        (GBytes             *data,
                                                const char         *password,
                                                GError            **error);
void               cachet_pkcs12_import_async  (GBytes             *data,
                                                const char         *password,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
CachetCredentials *cachet_pkcs12_import_finish (GAsyncResult       *result,
                                                GError            **error);

/* DER PKCS#12 with the key, certificate and chain of CREDENTIALS, protected by PASSWORD. */
GBytes            *cachet_pkcs12_export        (CachetCredentials  *credentials,
                                                const char         *password,
                                                gboolean            legacy,
                                                GError            **error);
void               cachet_pkcs12_export_async  (CachetCredentials  *credentials,
                                                const char         *password,
                                                gboolean            legacy,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
GBytes            *cachet_pkcs12_export_finish (GAsyncResult       *result,
                                                GError            **error);

/* For tests: would GnuPG 2.2 derive a wrong key for a 3DES key bag in DATA (DER)? Cachet's own
 * legacy exports never do; see key_trips_gnupg(). */
gboolean           _cachet_pkcs12_trips_gnupg  (GBytes             *data,
                                                const char         *password);

G_END_DECLS
