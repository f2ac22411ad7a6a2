/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-asn1.h: access to Cachet's CMS ASN.1 module (cachet-cms.asn) and small helpers
 * over libtasn1 used by the SignedData and EnvelopedData code.
 */
#pragma once

#include <glib.h>
#include <libtasn1.h>

G_BEGIN_DECLS

/* Well-known object identifiers, dotted. */
#define CACHET_OID_DATA                "1.2.840.113549.1.7.1"
#define CACHET_OID_SIGNED_DATA         "1.2.840.113549.1.7.2"
#define CACHET_OID_ENVELOPED_DATA      "1.2.840.113549.1.7.3"
#define CACHET_OID_AUTH_ENVELOPED_DATA "1.2.840.113549.1.9.16.1.23"
#define CACHET_OID_CONTENT_TYPE        "1.2.840.113549.1.9.3"
#define CACHET_OID_MESSAGE_DIGEST      "1.2.840.113549.1.9.4"
#define CACHET_OID_SIGNING_TIME        "1.2.840.113549.1.9.5"
#define CACHET_OID_SMIME_CAPABILITIES  "1.2.840.113549.1.9.15"
#define CACHET_OID_ENCRYPTION_KEY_PREF "1.2.840.113549.1.9.16.2.11"
#define CACHET_OID_RSA_ENCRYPTION      "1.2.840.113549.1.1.1"
#define CACHET_OID_RSAES_OAEP          "1.2.840.113549.1.1.7"
#define CACHET_OID_AES128_CBC          "2.16.840.1.101.3.4.1.2"
#define CACHET_OID_AES256_CBC          "2.16.840.1.101.3.4.1.42"
#define CACHET_OID_AES128_GCM          "2.16.840.1.101.3.4.1.6"
#define CACHET_OID_AES256_GCM          "2.16.840.1.101.3.4.1.46"
#define CACHET_OID_DES_EDE3_CBC        "1.2.840.113549.3.7"
#define CACHET_OID_SHA1                "1.3.14.3.2.26"
#define CACHET_OID_SHA256              "2.16.840.1.101.3.4.2.1"
#define CACHET_OID_SHA384              "2.16.840.1.101.3.4.2.2"
#define CACHET_OID_SHA512              "2.16.840.1.101.3.4.2.3"
#define CACHET_OID_MD5                 "1.2.840.113549.2.5"

/* The parsed definitions, loaded once per process (thread-safe). */
asn1_node  _cachet_asn1_definitions (void);

/* Creates an empty element of TYPE ("CachetCMS.SignerInfo"). */
asn1_node  _cachet_asn1_create (const char *type);

/* Decodes DER/BER DATA as TYPE. Returns NULL and sets a CACHET_ERROR_MALFORMED error
 * whose message starts with WHAT ("The signature", "The encrypted message"). */
asn1_node  _cachet_asn1_decode (const char   *type,
                                const guint8 *data,
                                gsize         size,
                                const char   *what,
                                GError      **error);

/* Encodes NODE (or its sub-element NAME, "" for the root) as DER. */
GBytes    *_cachet_asn1_encode (asn1_node    node,
                                const char  *name,
                                GError     **error);

/* Reads the value of NAME as a newly allocated buffer; NULL when absent. */
GBytes    *_cachet_asn1_read_bytes (asn1_node   node,
                                    const char *name);

/* Reads an OBJECT IDENTIFIER (dotted) or NULL when absent. */
char      *_cachet_asn1_read_oid (asn1_node   node,
                                  const char *name);

/* Reads a small INTEGER; FALSE when absent or out of range. */
gboolean   _cachet_asn1_read_int (asn1_node   node,
                                  const char *name,
                                  long       *value);

/* The raw DER bytes (tag, length, value) of sub-element NAME inside DATA, the buffer NODE was
 * decoded from; NULL when absent. */
GBytes    *_cachet_asn1_raw_element (asn1_node     node,
                                     const guint8 *data,
                                     gsize         size,
                                     const char   *name);

static inline void
_cachet_asn1_free (asn1_node node)
{
  asn1_delete_structure (&node);
}

/* g_auto (asn1_node) node = NULL; */
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (asn1_node, _cachet_asn1_free, NULL)

G_END_DECLS
