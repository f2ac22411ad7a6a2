/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cachet-error.h"

G_DEFINE_QUARK (cachet-error-quark, cachet_error)
