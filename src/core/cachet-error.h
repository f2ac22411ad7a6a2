/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-error.h: the one error domain of libcachet-core.
 *
 * Messages in a CachetError are sentences a person can act on ("The file is not an S/MIME
 * message. Open a .eml, .p7m or .p7s file."); they never contain library error numbers alone
 * and never secret bytes.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CACHET_ERROR (cachet_error_quark ())

typedef enum {
  CACHET_ERROR_FAILED,          /* anything not covered below */
  CACHET_ERROR_MALFORMED,       /* input cannot be read as a message, CMS or certificate */
  CACHET_ERROR_UNSUPPORTED,     /* understood but not supported (algorithm, recipient kind) */
  CACHET_ERROR_TOO_LARGE,       /* past a hardening bound (depth, parts, sizes) */
  CACHET_ERROR_NO_KEY,          /* no key or certificate for the job */
  CACHET_ERROR_BAD_PASSWORD,    /* wrong password or passphrase */
  CACHET_ERROR_DECRYPT_FAILED,  /* tag or padding check failed; nothing released */
  CACHET_ERROR_NOT_USABLE,      /* a certificate cannot be used for this (expired, untrusted, usage) */
  CACHET_ERROR_NOT_FOUND,       /* no such identity, contact, anchor or file */
  CACHET_ERROR_KEYRING,         /* no Secret Service answers, or it is locked */
  CACHET_ERROR_IO,              /* reading or writing a file failed */
  CACHET_ERROR_CANCELLED_UNUSED /* cancellation uses G_IO_ERROR_CANCELLED */
} CachetErrorCode;

GQuark cachet_error_quark (void);

/* Sets CACHET_ERROR_IO for a failed write of a job's output or of its private temporary copy,
 * from errno, and returns FALSE. A full disk gets a sentence that says what to do. */
gboolean _cachet_error_set_write_failed (GError **error);

G_END_DECLS
