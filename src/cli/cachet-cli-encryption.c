/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cachet-cli-common.h"

int cachet_cli_encrypt (int argc, char **argv) { return cachet_cli_fail ("encrypt: not built yet"); }
int cachet_cli_decrypt (int argc, char **argv) { return cachet_cli_fail ("decrypt: not built yet"); }
