/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cachet-cli-common.h"

int cachet_cli_verify (int argc, char **argv) { return cachet_cli_fail ("verify: not built yet"); }
int cachet_cli_sign (int argc, char **argv) { return cachet_cli_fail ("sign: not built yet"); }
