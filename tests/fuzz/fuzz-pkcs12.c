/* SPDX-License-Identifier: GPL-3.0-or-later
 * fuzz-pkcs12.c: PKCS#12 import (DER or PEM-armoured) from arbitrary bytes.
 */
#include "config.h"

#include <stdint.h>

#include "cachet-core.h"
#include "cachet-pkcs12.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(CachetCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;

  cachet_core_init ();
  credentials = cachet_pkcs12_import (bytes, "fuzz", &error);
  g_assert ((credentials == NULL) == (error != NULL));
  return 0;
}
