/* SPDX-License-Identifier: GPL-3.0-or-later
 * fuzz-certificate.c: certificate import (PEM, DER, PKCS#7 bundles) from arbitrary bytes.
 */
#include "config.h"

#include <stdint.h>

#include "cachet-core.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GPtrArray) list = NULL;

  cachet_core_init ();
  list = cachet_certificate_list_from_data (bytes, NULL);

  /* touch every field a person would see */
  for (guint i = 0; list && i < list->len; i++)
    {
      CachetCertificate *cert = list->pdata[i];
      g_autofree char *key = cachet_certificate_describe_key (cert);
      g_autofree char *pem = cachet_certificate_to_pem (cert);

      (void) cachet_certificate_get_addresses (cert);
      (void) cachet_certificate_allows_email (cert);
      (void) cachet_certificate_get_key_usage (cert);
    }

  return 0;
}
