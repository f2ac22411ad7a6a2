/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-nss-roots.h: the roots Mozilla trusts for email, read from NSS's built-in module.
 *
 * Debian's /etc/ssl/certs bundle only holds roots trusted for TLS, so roots trusted only for
 * email (HARICA Client RSA Root CA 2021, ...) are missing there. NSS's libnssckbi.so (package
 * libnss3) carries Mozilla's list with its per-root email-protection trust: Cachet loads it with
 * p11-kit and keeps the roots whose email trust is "trusted delegator".
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The email-trusted roots (CachetCertificate), read once per process; a new array holding
 * references. Fails with CACHET_ERROR_NOT_FOUND when libnssckbi.so is not installed. */
GPtrArray *cachet_nss_email_roots_load (GError **error);

G_END_DECLS
