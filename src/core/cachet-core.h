/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-core.h: the one header front ends include, and process-wide start-up.
 */
#pragma once

#include "cachet-error.h"
#include "cachet-certificate.h"
#include "cachet-credentials.h"
#include "cachet-options.h"
#include "cachet-output.h"
#include "cachet-verdict.h"

G_BEGIN_DECLS

/* Initialises GMime, GnuTLS and gettext, and registers Cachet's crypto context for the pkcs7
 * protocols. Call once from main() before anything else. */
void cachet_core_init (void);

G_END_DECLS
