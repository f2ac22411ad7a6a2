/* SPDX-License-Identifier: GPL-3.0-or-later
 * fuzz-enveloped.c: the EnvelopedData / AuthEnvelopedData decoder.
 *
 * The first byte chooses a mode. Even: the rest is decrypted as it is (structure fuzzing; it
 * usually stops at "not for your key"). Odd: the rest is split into plaintext and damage; the
 * plaintext is encrypted to this process's own key with the cipher the second byte picks, the
 * damage bytes (offset, xor) pairs are applied to the ciphertext, and the result is decrypted:
 * undamaged ciphertext must give the plaintext back; damaged GCM ciphertext must fail cleanly or
 * (when the damage missed everything that matters) give the plaintext back, never something else.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "cachet-enveloped-data.h"
#include "fuzz-target-key.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static GByteArray *
stream_bytes (GMimeStream *stream)
{
  return g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) credentials = g_ptr_array_new ();
  g_autoptr(GMimeStream) output = NULL;
  g_autoptr(CachetEnvelopedInfo) info = NULL;

  cachet_core_init ();
  g_ptr_array_add (credentials, fuzz_target_credentials ());

  if (size < 2)
    return 0;

  output = g_mime_stream_mem_new ();

  if ((data[0] & 1) == 0)
    {
      g_autoptr(GMimeStream) input = g_mime_stream_mem_new_with_buffer ((const char *) data + 1, size - 1);
      info = cachet_enveloped_data_decrypt (input, credentials, NULL, output, NULL, NULL);
      return 0;
    }
  else
    {
      static const CachetCipher ciphers[] = {
        CACHET_CIPHER_AES_256_GCM, CACHET_CIPHER_AES_128_GCM,
        CACHET_CIPHER_AES_256_CBC, CACHET_CIPHER_AES_128_CBC,
      };
      gsize plain_size = (size - 2) / 2;
      const guint8 *plain = data + 2;
      const guint8 *damage = data + 2 + plain_size;
      gsize damage_size = size - 2 - plain_size;
      g_autoptr(GMimeStream) content = g_mime_stream_mem_new_with_buffer ((const char *) plain, plain_size);
      g_autoptr(GMimeStream) encrypted = g_mime_stream_mem_new ();
      g_autoptr(GPtrArray) recipients = g_ptr_array_new ();
      GByteArray *ciphertext;
      gboolean damaged = FALSE;

      g_ptr_array_add (recipients, cachet_credentials_get_certificate (fuzz_target_credentials ()));
      if (!cachet_enveloped_data_encrypt (content, plain_size, recipients, ciphers[data[1] % 4],
                                          encrypted, NULL, NULL))
        g_error ("encrypting %zu bytes failed", (size_t) plain_size);

      ciphertext = stream_bytes (encrypted);
      for (gsize i = 0; i + 2 < damage_size && ciphertext->len > 0; i += 3)
        {
          gsize offset = ((damage[i] << 8) | damage[i + 1]) % ciphertext->len;
          if (damage[i + 2] != 0)
            {
              ciphertext->data[offset] ^= damage[i + 2];
              damaged = TRUE;
            }
        }

      g_mime_stream_reset (encrypted);
      info = cachet_enveloped_data_decrypt (encrypted, credentials, NULL, output, NULL, NULL);

      if (info == NULL && !damaged)
        g_error ("undamaged ciphertext did not decrypt");
      /* CBC has no integrity of its own: damage may give other plaintext with valid padding
       * (that is what unauthenticated-encryption warns about). GCM must never. */
      if (info != NULL && (!damaged || info->authenticated))
        {
          GByteArray *result = stream_bytes (output);

          if (result->len != plain_size ||
              (plain_size > 0 && memcmp (result->data, plain, plain_size) != 0))
            g_error ("decryption succeeded with content other than what was encrypted");
        }
    }

  return 0;
}
