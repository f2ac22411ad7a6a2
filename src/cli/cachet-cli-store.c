/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cachet-cli-common.h"

int cachet_cli_identity (int argc, char **argv) { return cachet_cli_fail ("identity: not built yet"); }
int cachet_cli_contact (int argc, char **argv) { return cachet_cli_fail ("contact: not built yet"); }
int cachet_cli_trust (int argc, char **argv) { return cachet_cli_fail ("trust: not built yet"); }
