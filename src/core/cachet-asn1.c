/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-asn1.c: Cachet's CMS ASN.1 module, loaded once, and libtasn1 helpers.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cachet-asn1.h"
#include "cachet-error.h"

extern const asn1_static_node cachet_cms_asn1_tab[];

asn1_node
_cachet_asn1_definitions (void)
{
  static gsize definitions;

  if (g_once_init_enter (&definitions))
    {
      asn1_node loaded = NULL;
      char message[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
      int rc = asn1_array2tree (cachet_cms_asn1_tab, &loaded, message);

      if (rc != ASN1_SUCCESS)
        g_error ("Cachet's ASN.1 module does not load: %s", message);
      g_once_init_leave (&definitions, (gsize) loaded);
    }

  return (asn1_node) definitions;
}

asn1_node
_cachet_asn1_create (const char *type)
{
  asn1_node node = NULL;
  int rc = asn1_create_element (_cachet_asn1_definitions (), type, &node);

  g_assert (rc == ASN1_SUCCESS);
  return node;
}

asn1_node
_cachet_asn1_decode (const char   *type,
                     const guint8 *data,
                     gsize         size,
                     const char   *what,
                     GError      **error)
{
  asn1_node node = _cachet_asn1_create (type);
  int consumed = (int) MIN (size, G_MAXINT);
  int rc;

  if (size > G_MAXINT)
    rc = ASN1_DER_ERROR;
  else
    rc = asn1_der_decoding2 (&node, data, &consumed, 0, NULL);

  if (rc != ASN1_SUCCESS)
    {
      asn1_delete_structure (&node);
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                   /* Translators: %s is "The signature", "The encrypted message", ... */
                   _("%s is damaged or not in a format Cachet understands."), what);
      return NULL;
    }

  return node;
}

GBytes *
_cachet_asn1_encode (asn1_node    node,
                     const char  *name,
                     GError     **error)
{
  char message[ASN1_MAX_ERROR_DESCRIPTION_SIZE] = "";
  int size = 0;
  guint8 *buffer;
  int rc;

  rc = asn1_der_coding (node, name, NULL, &size, message);
  if (rc != ASN1_MEM_ERROR)
    goto failed;

  buffer = g_malloc (size);
  rc = asn1_der_coding (node, name, buffer, &size, message);
  if (rc != ASN1_SUCCESS)
    {
      g_free (buffer);
      goto failed;
    }

  return g_bytes_new_take (buffer, size);

failed:
  g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
               "Internal error while encoding a CMS structure (%s: %s).",
               name, message);
  return NULL;
}

GBytes *
_cachet_asn1_read_bytes (asn1_node   node,
                         const char *name)
{
  int size = 0;
  guint8 *buffer;
  int rc;

  rc = asn1_read_value (node, name, NULL, &size);
  if (rc == ASN1_SUCCESS && size == 0)
    return g_bytes_new (NULL, 0);
  if (rc != ASN1_MEM_ERROR)
    return NULL;

  buffer = g_malloc (size);
  if (asn1_read_value (node, name, buffer, &size) != ASN1_SUCCESS)
    {
      g_free (buffer);
      return NULL;
    }

  return g_bytes_new_take (buffer, size);
}

char *
_cachet_asn1_read_oid (asn1_node   node,
                       const char *name)
{
  char oid[ASN1_MAX_NAME_SIZE * 4] = "";
  int size = sizeof oid;

  if (asn1_read_value (node, name, oid, &size) != ASN1_SUCCESS)
    return NULL;

  return g_strdup (oid);
}

gboolean
_cachet_asn1_read_int (asn1_node   node,
                       const char *name,
                       long       *value)
{
  guint8 bytes[8];
  int size = sizeof bytes;
  long result;

  if (asn1_read_value (node, name, bytes, &size) != ASN1_SUCCESS || size < 1 || size > 4)
    return FALSE;

  /* two's complement, sign-extended; shifted as unsigned (a negative left shift is undefined) */
  {
    gulong bits = (bytes[0] & 0x80) ? G_MAXULONG : 0;

    for (int i = 0; i < size; i++)
      bits = (bits << 8) | bytes[i];
    result = (long) bits;
  }

  *value = result;
  return TRUE;
}

GBytes *
_cachet_asn1_raw_element (asn1_node     node,
                          const guint8 *data,
                          gsize         size,
                          const char   *name)
{
  int start = 0, end = 0;

  if (asn1_der_decoding_startEnd (node, data, (int) size, name, &start, &end) != ASN1_SUCCESS)
    return NULL;
  if (start < 0 || end < start || (gsize) end >= size)
    return NULL;

  return g_bytes_new (data + start, end - start + 1);
}
