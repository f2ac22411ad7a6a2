/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-revocation.c: CRL store, CRL download and OCSP (see cachet-revocation.h).
 *
 * GnuTLS checks the signatures (CRL and OCSP) and builds the OCSP request; a CRL itself is read
 * here with a small one-pass DER walker, because GnuTLS's CRL import is quadratic in the number
 * of entries (seconds for a big authority's list) and does not expose the entries' reason
 * codes. HTTP is a minimal HTTP/1.0 exchange over GSocketClient with a short timeout (libsoup
 * is not among Cachet's dependencies): only http: URLs, as RFC 5280 and RFC 6960 expect,
 * since the answers are signed anyway.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/ocsp.h>
#include <gnutls/x509.h>

#include "cachet-error.h"
#include "cachet-nss-roots.h"
#include "cachet-revocation.h"
#include "cachet-store.h"

/* Seconds to wait for a responder or a distribution point. */
#define NETWORK_TIMEOUT 5
/* CRLs of big authorities reach a few megabytes; more is not a CRL we want. */
#define MAX_DOWNLOAD (32 * 1024 * 1024)
/* Tolerated clock difference to a responder. */
#define CLOCK_SKEW (G_TIME_SPAN_MINUTE * 5)
/* How long an answer without nextUpdate counts as fresh. */
#define MAX_AGE_WITHOUT_NEXT_UPDATE G_TIME_SPAN_DAY

/* --- small helpers --- */

static GDateTime *
date_time_from_unix (time_t t)
{
  return g_date_time_new_from_unix_utc ((gint64) t);
}

static char *
format_time (GDateTime *time)
{
  return g_date_time_format (time, "%Y-%m-%d %H:%M UTC");
}

static const char *
describe_reason (int reason)
{
  switch (reason)
    {
    case GNUTLS_X509_CRLREASON_KEYCOMPROMISE: return _("key compromise");
    case GNUTLS_X509_CRLREASON_CACOMPROMISE: return _("compromise of the certificate authority");
    case GNUTLS_X509_CRLREASON_AFFILIATIONCHANGED: return _("affiliation changed");
    case GNUTLS_X509_CRLREASON_SUPERSEDED: return _("superseded");
    case GNUTLS_X509_CRLREASON_CESSATIONOFOPERATION: return _("cessation of operation");
    case GNUTLS_X509_CRLREASON_CERTIFICATEHOLD: return _("certificate on hold");
    case GNUTLS_X509_CRLREASON_PRIVILEGEWITHDRAWN: return _("privilege withdrawn");
    case GNUTLS_X509_CRLREASON_AACOMPROMISE: return _("compromise of the attribute authority");
    default: return NULL;   /* unspecified or absent */
    }
}

static gboolean
is_http_url (const char *url)
{
  return g_ascii_strncasecmp (url, "http://", 7) == 0;
}

static gboolean
serials_equal (const guint8 *a, gsize a_size,
               const guint8 *b, gsize b_size)
{
  /* DER integers may carry a leading zero byte that one side dropped */
  while (a_size > 1 && a[0] == 0)
    a++, a_size--;
  while (b_size > 1 && b[0] == 0)
    b++, b_size--;
  return a_size == b_size && memcmp (a, b, a_size) == 0;
}

/* --- a minimal DER walker for the CRL's entries --- */

typedef struct {
  guint8        tag;
  const guint8 *content;
  gsize         length;
} DerElement;

static gboolean
der_next (const guint8 **cursor,
          const guint8  *end,
          DerElement    *element)
{
  const guint8 *p = *cursor;
  gsize length;

  if (p >= end || end - p < 2 || (p[0] & 0x1f) == 0x1f)
    return FALSE;
  element->tag = *p++;
  if (*p < 0x80)
    length = *p++;
  else
    {
      guint bytes = *p++ & 0x7f;

      if (bytes == 0 || bytes > 4 || (gsize) (end - p) < bytes)
        return FALSE;
      length = 0;
      while (bytes--)
        length = (length << 8) | *p++;
    }
  if ((gsize) (end - p) < length)
    return FALSE;
  element->content = p;
  element->length = length;
  *cursor = p + length;
  return TRUE;
}

static GDateTime *
der_time (const DerElement *element)
{
  char text[16];
  int year, month, day, hour, minute, second;
  const char *p = text;

  if (element->length >= sizeof text)
    return NULL;
  memcpy (text, element->content, element->length);
  text[element->length] = '\0';

  if (element->tag == 0x17 && element->length == 13)        /* UTCTime YYMMDDHHMMSSZ */
    {
      year = (p[0] - '0') * 10 + (p[1] - '0');
      year += year < 50 ? 2000 : 1900;
      p += 2;
    }
  else if (element->tag == 0x18 && element->length == 15)   /* GeneralizedTime */
    {
      year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
      p += 4;
    }
  else
    return NULL;
  if (text[element->length - 1] != 'Z')
    return NULL;
  for (const char *c = text; c < text + element->length - 1; c++)
    if (!g_ascii_isdigit (*c))
      return NULL;
  month = (p[0] - '0') * 10 + (p[1] - '0');
  day = (p[2] - '0') * 10 + (p[3] - '0');
  hour = (p[4] - '0') * 10 + (p[5] - '0');
  minute = (p[6] - '0') * 10 + (p[7] - '0');
  second = (p[8] - '0') * 10 + (p[9] - '0');
  return g_date_time_new_utc (year, month, day, hour, minute, second);
}

/* The reason of an entry's crlEntryExtensions, -1 when absent. */
static int
entry_reason (const DerElement *extensions)
{
  static const guint8 reason_code_oid[] = { 0x55, 0x1d, 0x15 };   /* 2.5.29.21 */
  const guint8 *cursor = extensions->content;
  const guint8 *end = cursor + extensions->length;
  DerElement extension;

  while (der_next (&cursor, end, &extension))
    {
      const guint8 *inner = extension.content;
      const guint8 *inner_end = inner + extension.length;
      DerElement oid, value;

      if (extension.tag != 0x30 || !der_next (&inner, inner_end, &oid) || oid.tag != 0x06)
        continue;
      if (!der_next (&inner, inner_end, &value))
        continue;
      if (value.tag == 0x01 && !der_next (&inner, inner_end, &value))   /* critical */
        continue;
      if (oid.length == sizeof reason_code_oid &&
          memcmp (oid.content, reason_code_oid, sizeof reason_code_oid) == 0 &&
          value.tag == 0x04 && value.length == 3 &&
          value.content[0] == 0x0a && value.content[1] == 0x01)
        return value.content[2];
    }
  return -1;
}

/* --- CRLs --- */

/* A CRL as Cachet reads it: GnuTLS's own CRL import decodes every entry through libtasn1,
 * which takes seconds for the multi-megabyte lists big authorities publish (10 s for 50,000
 * entries on this machine), so the structure is walked here in one pass and GnuTLS only checks
 * the signature. Everything points into DER. */
typedef struct {
  GBytes       *der;
  const guint8 *tbs;              /* the signed part, tag and length included */
  gsize         tbs_length;
  const guint8 *issuer_raw;       /* the issuer Name's TLV */
  gsize         issuer_raw_length;
  char         *signature_oid;
  DerElement    signature;        /* BIT STRING content, without the unused-bits byte */
  GDateTime    *this_update;
  GDateTime    *next_update;      /* NULL when the list states none */
  DerElement    revoked;          /* SEQUENCE OF entries; length 0 when none */
  gboolean      complete;         /* not a delta CRL, no unknown critical extension */
  DerElement    scope;            /* issuingDistributionPoint (the SEQUENCE's TLV), length 0 when absent */
} Crl;

static void
crl_free (Crl *crl)
{
  if (crl == NULL)
    return;
  g_clear_pointer (&crl->der, g_bytes_unref);
  g_clear_pointer (&crl->this_update, g_date_time_unref);
  g_clear_pointer (&crl->next_update, g_date_time_unref);
  g_free (crl->signature_oid);
  g_free (crl);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Crl, crl_free)

/* "1.2.840.113549.1.1.11" from the content of a DER OBJECT IDENTIFIER. */
static char *
der_oid_to_string (const DerElement *oid)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint64 value = 0;
  gboolean first = TRUE;

  if (oid->tag != 0x06 || oid->length == 0 || (oid->content[oid->length - 1] & 0x80))
    return NULL;
  for (gsize i = 0; i < oid->length; i++)
    {
      if (value > (G_MAXUINT64 >> 7))
        return NULL;
      value = (value << 7) | (oid->content[i] & 0x7f);
      if (oid->content[i] & 0x80)
        continue;
      if (first)
        {
          guint arc = value < 80 ? value / 40 : 2;

          g_string_append_printf (text, "%u.%" G_GUINT64_FORMAT, arc, value - arc * 40);
          first = FALSE;
        }
      else
        g_string_append_printf (text, ".%" G_GUINT64_FORMAT, value);
      value = 0;
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Reads crlExtensions ([0] EXPLICIT Extensions): is this a complete list? Keeps the
 * issuingDistributionPoint in CRL->scope. */
static gboolean
crl_extensions_complete (Crl              *crl,
                         const DerElement *wrapper)
{
  static const guint8 crl_number[] = { 0x55, 0x1d, 0x14 };           /* 2.5.29.20 */
  static const guint8 authority_key_id[] = { 0x55, 0x1d, 0x23 };     /* 2.5.29.35 */
  static const guint8 delta_indicator[] = { 0x55, 0x1d, 0x1b };      /* 2.5.29.27 */
  static const guint8 issuing_point[] = { 0x55, 0x1d, 0x1c };        /* 2.5.29.28 */
  const guint8 *cursor = wrapper->content;
  const guint8 *end = cursor + wrapper->length;
  DerElement extensions, extension;

  if (!der_next (&cursor, end, &extensions) || extensions.tag != 0x30)
    return FALSE;
  cursor = extensions.content;
  end = extensions.content + extensions.length;
  while (cursor < end)
    {
      const guint8 *inner, *inner_end;
      DerElement oid, value;
      gboolean critical = FALSE;

      if (!der_next (&cursor, end, &extension) || extension.tag != 0x30)
        return FALSE;
      inner = extension.content;
      inner_end = extension.content + extension.length;
      if (!der_next (&inner, inner_end, &oid) || oid.tag != 0x06 ||
          !der_next (&inner, inner_end, &value))
        return FALSE;
      if (value.tag == 0x01)
        {
          critical = value.length == 1 && value.content[0] != 0;
          if (!der_next (&inner, inner_end, &value))
            return FALSE;
        }
      if (value.tag != 0x04)
        return FALSE;

#define IS(o) (oid.length == sizeof o && memcmp (oid.content, o, sizeof o) == 0)
      if (IS (delta_indicator))
        return FALSE;
      if (IS (issuing_point))
        {
          crl->scope = value;   /* judged per certificate: crl_covers() */
          continue;
        }
      if (critical && !IS (crl_number) && !IS (authority_key_id) && !IS (issuing_point))
        return FALSE;
#undef IS
    }
  return TRUE;
}

/* DATA in PEM or DER. Reads the structure; the signature is checked by crl_issued_by(). */
static Crl *
crl_parse (GBytes  *data,
           GError **error)
{
  g_autoptr(Crl) crl = g_new0 (Crl, 1);
  const guint8 *bytes = g_bytes_get_data (data, NULL);
  gsize size = g_bytes_get_size (data);
  const guint8 *cursor, *end, *tbs_start;
  DerElement list, tbs, algorithm, inner_algorithm, oid, bits, element;
  guint index = 0;

  if (g_strstr_len ((const char *) bytes, MIN (size, 4096), "-----BEGIN X509 CRL-----") != NULL)
    {
      gnutls_datum_t pem = { (guint8 *) bytes, size };
      gnutls_datum_t der = { NULL, 0 };

      if (gnutls_pem_base64_decode2 ("X509 CRL", &pem, &der) < 0)
        goto malformed;
      crl->der = g_bytes_new (der.data, der.size);
      gnutls_free (der.data);
    }
  else
    crl->der = g_bytes_ref (data);

  cursor = g_bytes_get_data (crl->der, &size);
  end = cursor + size;
  if (!der_next (&cursor, end, &list) || list.tag != 0x30 || cursor != end)
    goto malformed;

  /* CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue } */
  cursor = list.content;
  end = list.content + list.length;
  tbs_start = cursor;
  if (!der_next (&cursor, end, &tbs) || tbs.tag != 0x30)
    goto malformed;
  crl->tbs = tbs_start;
  crl->tbs_length = cursor - tbs_start;
  if (!der_next (&cursor, end, &algorithm) || algorithm.tag != 0x30 ||
      !der_next (&cursor, end, &bits) || bits.tag != 0x03 || bits.length < 2 ||
      bits.content[0] != 0 || cursor != end)
    goto malformed;
  crl->signature.tag = 0x03;
  crl->signature.content = bits.content + 1;
  crl->signature.length = bits.length - 1;
  {
    const guint8 *inner = algorithm.content;

    if (!der_next (&inner, algorithm.content + algorithm.length, &oid) ||
        (crl->signature_oid = der_oid_to_string (&oid)) == NULL)
      goto malformed;
  }

  /* TBSCertList: version? signature issuer thisUpdate nextUpdate? revokedCertificates?
   * [0] crlExtensions? */
  crl->complete = TRUE;
  cursor = tbs.content;
  end = tbs.content + tbs.length;
  while (cursor < end)
    {
      const guint8 *element_start = cursor;

      if (!der_next (&cursor, end, &element))
        goto malformed;
      if (index == 0 && element.tag == 0x02)
        continue;   /* version */
      switch (index++)
        {
        case 0:     /* signature: must name the same algorithm as the outer one */
          inner_algorithm = element;
          if (element.tag != 0x30 || inner_algorithm.length != algorithm.length ||
              memcmp (inner_algorithm.content, algorithm.content, algorithm.length) != 0)
            goto malformed;
          break;
        case 1:
          if (element.tag != 0x30)
            goto malformed;
          crl->issuer_raw = element_start;
          crl->issuer_raw_length = cursor - element_start;
          break;
        case 2:
          if ((crl->this_update = der_time (&element)) == NULL)
            goto malformed;
          break;
        default:
          if ((element.tag == 0x17 || element.tag == 0x18) && index == 4)
            {
              if ((crl->next_update = der_time (&element)) == NULL)
                goto malformed;
            }
          else if (element.tag == 0x30 && crl->revoked.content == NULL)
            crl->revoked = element;
          else if (element.tag == 0xa0)
            crl->complete = crl_extensions_complete (crl, &element);
          else
            goto malformed;
          break;
        }
    }
  if (index < 3)
    goto malformed;

  return g_steal_pointer (&crl);

malformed:
  g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
               _("The file is not a certificate revocation list (CRL). Give a CRL in PEM or DER form."));
  return NULL;
}

/* The issuer's name for people. */
static char *
crl_issuer_name (Crl *crl)
{
  gnutls_datum_t raw = { (guint8 *) crl->issuer_raw, crl->issuer_raw_length };
  gnutls_datum_t text = { NULL, 0 };
  char *name;

  if (gnutls_x509_rdn_get2 (&raw, &text, 0) < 0)
    return g_strdup ("?");
  name = g_strndup ((const char *) text.data, text.size);
  gnutls_free (text.data);
  return name;
}

static gboolean
crl_names_issuer (Crl               *crl,
                  CachetCertificate *issuer)
{
  gnutls_datum_t subject = { NULL, 0 };
  gboolean same;

  if (gnutls_x509_crt_get_raw_dn (cachet_certificate_get_gnutls (issuer), &subject) < 0)
    return FALSE;
  same = subject.size == crl->issuer_raw_length &&
         memcmp (subject.data, crl->issuer_raw, subject.size) == 0;
  gnutls_free (subject.data);
  return same;
}

/* Was CRL issued and signed by ISSUER, an authority allowed to sign CRLs? */
static gboolean
crl_issued_by (Crl               *crl,
               CachetCertificate *issuer)
{
  gnutls_x509_crt_t ca = cachet_certificate_get_gnutls (issuer);
  gnutls_pubkey_t key = NULL;
  gnutls_sign_algorithm_t algorithm;
  gnutls_datum_t data = { (guint8 *) crl->tbs, crl->tbs_length };
  gnutls_datum_t signature = { (guint8 *) crl->signature.content, crl->signature.length };
  unsigned int usage = 0;
  int rc;

  if (!crl_names_issuer (crl, issuer) || !cachet_certificate_is_ca (issuer))
    return FALSE;
  rc = gnutls_x509_crt_get_key_usage (ca, &usage, NULL);
  if (rc >= 0 && !(usage & GNUTLS_KEY_CRL_SIGN))
    return FALSE;

  algorithm = gnutls_oid_to_sign (crl->signature_oid);
  if (algorithm == GNUTLS_SIGN_UNKNOWN)
    return FALSE;   /* RSA-PSS (parameters) and anything unknown */
  key = cachet_certificate_get_public_key (issuer, NULL);
  if (key == NULL)
    return FALSE;
  rc = gnutls_pubkey_verify_data2 (key, algorithm, 0, &data, &signature);
  gnutls_pubkey_deinit (key);
  return rc >= 0;
}

/* Looks SERIAL up among CRL's entries. FALSE when they cannot be read; *FOUND says whether the
 * serial is listed (not counting removeFromCRL entries), with its date and reason. */
static gboolean
crl_find_entry (Crl           *crl,
                const guint8  *serial,
                gsize          serial_size,
                gboolean      *found,
                GDateTime    **revoked_at,
                int           *reason)
{
  const guint8 *cursor = crl->revoked.content;
  const guint8 *end = cursor + crl->revoked.length;

  *found = FALSE;
  while (cursor && cursor < end)
    {
      DerElement entry, number, date, extensions;
      const guint8 *inner;
      const guint8 *inner_end;

      if (!der_next (&cursor, end, &entry) || entry.tag != 0x30)
        return FALSE;
      inner = entry.content;
      inner_end = entry.content + entry.length;
      if (!der_next (&inner, inner_end, &number) || number.tag != 0x02 ||
          !der_next (&inner, inner_end, &date))
        return FALSE;
      if (!serials_equal (number.content, number.length, serial, serial_size))
        continue;

      *reason = -1;
      if (der_next (&inner, inner_end, &extensions) && extensions.tag == 0x30)
        *reason = entry_reason (&extensions);
      if (*reason == GNUTLS_X509_CRLREASON_REMOVEFROMCRL)
        continue;
      *revoked_at = der_time (&date);
      if (*revoked_at == NULL)
        return FALSE;
      *found = TRUE;
      return TRUE;
    }
  return TRUE;
}

static gboolean
crl_is_complete (Crl *crl)
{
  return crl->complete;
}

static GPtrArray *crl_urls (CachetCertificate *certificate);

/* RFC 5280 6.3.3 (b): does a list with an issuingDistributionPoint cover CERTIFICATE? Only
 * then can its silence mean "not revoked". Indirect lists and lists for some reasons only are
 * not used for that; a named distribution point must be one the certificate names. */
static gboolean
crl_covers (Crl               *crl,
            CachetCertificate *certificate)
{
  gboolean is_ca = cachet_certificate_is_ca (certificate);
  gboolean names_match = TRUE;   /* no distributionPoint: the authority's whole scope */
  const guint8 *cursor, *end;
  DerElement scope, field;

  if (crl->scope.content == NULL)
    return TRUE;
  cursor = crl->scope.content;
  end = cursor + crl->scope.length;
  if (!der_next (&cursor, end, &scope) || scope.tag != 0x30)
    return FALSE;
  cursor = scope.content;
  end = scope.content + scope.length;
  while (cursor < end)
    {
      gboolean set;

      if (!der_next (&cursor, end, &field))
        return FALSE;
      set = field.length == 1 && field.content[0] != 0;
      switch (field.tag)
        {
        case 0xa0:   /* distributionPoint: only fullName ([0] GeneralNames) is understood */
          {
            const guint8 *p = field.content;
            const guint8 *p_end = field.content + field.length;
            g_autoptr(GPtrArray) urls = crl_urls (certificate);
            DerElement name, general;

            if (!der_next (&p, p_end, &name) || name.tag != 0xa0)
              return FALSE;
            names_match = FALSE;
            p = name.content;
            p_end = name.content + name.length;
            while (p < p_end)
              {
                if (!der_next (&p, p_end, &general))
                  return FALSE;
                if (general.tag != 0x86)   /* uniformResourceIdentifier */
                  continue;
                for (guint i = 0; i < urls->len; i++)
                  if (strlen (urls->pdata[i]) == general.length &&
                      memcmp (urls->pdata[i], general.content, general.length) == 0)
                    names_match = TRUE;
              }
          }
          break;
        case 0x81:   /* onlyContainsUserCerts */
          if (set && is_ca)
            return FALSE;
          break;
        case 0x82:   /* onlyContainsCACerts */
          if (set && !is_ca)
            return FALSE;
          break;
        case 0x84:   /* indirectCRL */
        case 0x85:   /* onlyContainsAttributeCerts */
          if (set)
            return FALSE;
          break;
        case 0x83:   /* onlySomeReasons */
        default:
          return FALSE;
        }
    }
  return names_match;
}

/* An indirect list names certificates of other authorities too: its serials alone prove
 * nothing about this one's. */
static gboolean
crl_is_indirect (Crl *crl)
{
  const guint8 *cursor = crl->scope.content;
  const guint8 *end = cursor + crl->scope.length;
  DerElement scope, field;

  if (cursor == NULL || !der_next (&cursor, end, &scope) || scope.tag != 0x30)
    return FALSE;
  cursor = scope.content;
  end = scope.content + scope.length;
  while (der_next (&cursor, end, &field))
    if (field.tag == 0x84 && field.length == 1 && field.content[0] != 0)
      return TRUE;
  return FALSE;
}

static GDateTime *
crl_this_update (Crl *crl)
{
  return g_date_time_ref (crl->this_update);
}

static GDateTime *
crl_next_update (Crl *crl)
{
  return crl->next_update ? g_date_time_ref (crl->next_update) : NULL;
}

static gboolean
crl_is_fresh (Crl       *crl,
              GDateTime *now)
{
  g_autoptr(GDateTime) this_update = crl_this_update (crl);
  g_autoptr(GDateTime) next_update = crl_next_update (crl);

  if (g_date_time_difference (this_update, now) > CLOCK_SKEW)
    return FALSE;   /* issued in the future: a wrong clock somewhere; do not rely on it */
  if (next_update == NULL)
    return g_date_time_difference (now, this_update) < MAX_AGE_WITHOUT_NEXT_UPDATE;
  return g_date_time_compare (now, next_update) <= 0;
}

/* The file a CRL from ISSUER is kept in: one per authority (name and key). */
static char *
crl_file_name (const char        *crl_dir,
               CachetCertificate *issuer)
{
  gnutls_x509_crt_t ca = cachet_certificate_get_gnutls (issuer);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *name = NULL;
  gnutls_datum_t subject = { NULL, 0 };
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;

  if (gnutls_x509_crt_get_raw_dn (ca, &subject) == 0)
    {
      g_checksum_update (checksum, subject.data, subject.size);
      gnutls_free (subject.data);
    }
  if (gnutls_x509_crt_get_key_id (ca, GNUTLS_KEYID_USE_SHA256, key_id, &key_id_size) == 0)
    g_checksum_update (checksum, key_id, key_id_size);
  name = g_strconcat (g_checksum_get_string (checksum), ".crl", NULL);
  return g_build_filename (crl_dir, name, NULL);
}

/* The stored CRL of ISSUER, checked against it; NULL when there is none or it does not verify. */
static Crl *
crl_load_stored (const char        *crl_dir,
                 CachetCertificate *issuer)
{
  g_autofree char *path = crl_file_name (crl_dir, issuer);
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(Crl) crl = NULL;
  gsize size = 0;

  if (!g_file_get_contents (path, &contents, &size, NULL))
    return NULL;
  data = g_bytes_new_take (g_steal_pointer (&contents), size);
  crl = crl_parse (data, NULL);
  if (crl == NULL || !crl_issued_by (crl, issuer))
    {
      g_debug ("The stored revocation list %s does not verify against “%s”; ignored.",
               path, cachet_certificate_get_name (issuer));
      return NULL;
    }
  return g_steal_pointer (&crl);
}

/* Keeps CRL (issued by ISSUER) in CRL_DIR unless a newer one is there already. */
static gboolean
crl_store (const char        *crl_dir,
           Crl               *crl,
           CachetCertificate *issuer,
           GError           **error)
{
  g_autofree char *path = crl_file_name (crl_dir, issuer);
  g_autoptr(Crl) stored = NULL;

  if (g_mkdir_with_parents (crl_dir, 0700) < 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                   _("Could not create the folder %s for revocation lists. Check its permissions."), crl_dir);
      return FALSE;
    }

  stored = crl_load_stored (crl_dir, issuer);
  if (stored != NULL && g_date_time_compare (stored->this_update, crl->this_update) > 0)
    {
      g_debug ("A newer revocation list of “%s” is already stored.", cachet_certificate_get_name (issuer));
      return TRUE;
    }

  if (!g_file_set_contents_full (path, g_bytes_get_data (crl->der, NULL), g_bytes_get_size (crl->der),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                   _("Could not save the revocation list in %s. Check that the folder is writable."), crl_dir);
      return FALSE;
    }
  return TRUE;
}

/* What CRL (verified, from ISSUER) says about CERTIFICATE. *WHY explains UNKNOWN. */
static CachetRevocationStatus
crl_judge (Crl                *crl,
           CachetCertificate  *certificate,
           CachetCertificate  *issuer,
           GDateTime          *now,
           GDateTime         **time,
           char              **reason,
           char              **why)
{
  g_autoptr(GBytes) serial = cachet_certificate_get_serial (certificate);
  g_autoptr(GDateTime) revoked_at = NULL;
  gboolean found = FALSE;
  int reason_code = -1;

  if (!crl_find_entry (crl, g_bytes_get_data (serial, NULL), g_bytes_get_size (serial),
                       &found, &revoked_at, &reason_code))
    {
      *why = g_strdup_printf (_("The revocation list of “%s” cannot be read."),
                              cachet_certificate_get_name (issuer));
      return CACHET_REVOCATION_UNKNOWN;
    }

  /* A revocation stays true even in an outdated or partial list. */
  if (found && !crl_is_indirect (crl))
    {
      *time = g_steal_pointer (&revoked_at);
      *reason = g_strdup (describe_reason (reason_code));
      return CACHET_REVOCATION_REVOKED;
    }

  if (!crl_is_complete (crl) || crl_is_indirect (crl) || !crl_covers (crl, certificate))
    {
      *why = g_strdup_printf (_("The revocation list of “%s” covers only part of its certificates."),
                              cachet_certificate_get_name (issuer));
      return CACHET_REVOCATION_UNKNOWN;
    }
  if (!crl_is_fresh (crl, now))
    {
      g_autoptr(GDateTime) next_update = crl_next_update (crl);
      g_autofree char *next = next_update ? format_time (next_update) : NULL;

      if (next)
        *why = g_strdup_printf (_("The revocation list of “%s” is out of date (it was due to be replaced on %s). "
                                  "Import a current one, or turn on online checking."),
                                cachet_certificate_get_name (issuer), next);
      else
        *why = g_strdup_printf (_("The revocation list of “%s” is out of date. "
                                  "Import a current one, or turn on online checking."),
                                cachet_certificate_get_name (issuer));
      return CACHET_REVOCATION_UNKNOWN;
    }

  *time = crl_this_update (crl);
  return CACHET_REVOCATION_GOOD;
}

/* --- HTTP/1.0 over GIO --- */

/* GET URL, or POST BODY to it. Returns the body of a 200 answer. */
static GBytes *
http_exchange (const char    *url,
               GBytes        *body,
               const char    *content_type,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnectable) address = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  g_autoptr(GString) request = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *status_line = NULL;
  const char *host, *path, *query;
  const guint8 *header_end = NULL;
  GOutputStream *output;
  GInputStream *input;
  int port, code = 0;

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL || g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0 ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_UNSUPPORTED,
                   _("The address %s is not a plain http: address; Cachet asks only those."), url);
      return NULL;
    }
  host = g_uri_get_host (uri);
  port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 80;
  path = *g_uri_get_path (uri) ? g_uri_get_path (uri) : "/";
  query = g_uri_get_query (uri);

  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, NETWORK_TIMEOUT);
  address = g_network_address_new (host, port);
  connection = g_socket_client_connect (client, address, cancellable, &local_error);
  if (connection == NULL)
    goto network_error;

  g_string_append_printf (request, "%s %s%s%s HTTP/1.0\r\n", body ? "POST" : "GET", path,
                          query ? "?" : "", query ? query : "");
  if (port == 80)
    g_string_append_printf (request, "Host: %s\r\n", host);
  else
    g_string_append_printf (request, "Host: %s:%d\r\n", host, port);
  g_string_append (request, "User-Agent: Cachet/" PACKAGE_VERSION "\r\nConnection: close\r\n");
  if (body)
    g_string_append_printf (request, "Content-Type: %s\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n",
                            content_type, g_bytes_get_size (body));
  g_string_append (request, "\r\n");

  output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  if (!g_output_stream_write_all (output, request->str, request->len, NULL, cancellable, &local_error) ||
      (body && !g_output_stream_write_all (output, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                           NULL, cancellable, &local_error)))
    goto network_error;

  input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  for (;;)
    {
      guint8 buffer[16384];
      gssize got = g_input_stream_read (input, buffer, sizeof buffer, cancellable, &local_error);

      if (got < 0)
        goto network_error;
      if (got == 0)
        break;
      if (answer->len + got > MAX_DOWNLOAD)
        {
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_TOO_LARGE,
                       _("The answer from %s is too large to be a revocation answer."), url);
          return NULL;
        }
      g_byte_array_append (answer, buffer, got);
    }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  for (guint i = 0; i + 3 < answer->len && header_end == NULL; i++)
    if (memcmp (answer->data + i, "\r\n\r\n", 4) == 0)
      header_end = answer->data + i + 4;
  if (header_end != NULL)
    {
      const char *line_end = memchr (answer->data, '\r', header_end - answer->data);

      status_line = g_strndup ((const char *) answer->data, line_end - (const char *) answer->data);
      if (sscanf (status_line, "HTTP/%*d.%*d %d", &code) != 1)
        code = 0;
    }
  if (header_end == NULL || code != 200)
    {
      if (code != 0)
        g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
                     _("The server at %s answered “%s” instead of sending revocation data."), url,
                     status_line + strcspn (status_line, " ") + 1);
      else
        g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
                     _("The server at %s did not answer in HTTP."), url);
      return NULL;
    }

  return g_bytes_new (header_end, answer->data + answer->len - header_end);

network_error:
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                 _("Could not reach %s (%s). Check the network, or turn online revocation checking off."),
                 url, local_error->message);
  return NULL;
}

/* --- URLs in the certificate --- */

static GPtrArray *
ocsp_urls (CachetCertificate *certificate)
{
  GPtrArray *urls = g_ptr_array_new_with_free_func (g_free);
  gnutls_x509_crt_t crt = cachet_certificate_get_gnutls (certificate);

  for (guint seq = 0; seq < 16; seq++)
    {
      gnutls_datum_t data = { NULL, 0 };
      int rc = gnutls_x509_crt_get_authority_info_access (crt, seq, GNUTLS_IA_OCSP_URI, &data, NULL);

      if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        break;
      if (rc < 0)
        continue;   /* a caIssuers entry, or another kind of name */
      g_ptr_array_add (urls, g_strndup ((const char *) data.data, data.size));
      gnutls_free (data.data);
    }
  return urls;
}

static GPtrArray *
crl_urls (CachetCertificate *certificate)
{
  GPtrArray *urls = g_ptr_array_new_with_free_func (g_free);
  gnutls_x509_crt_t crt = cachet_certificate_get_gnutls (certificate);

  for (guint seq = 0; seq < 16; seq++)
    {
      char buffer[2048];
      size_t size = sizeof buffer - 1;
      unsigned int reasons = 0, critical = 0;
      int rc = gnutls_x509_crt_get_crl_dist_points (crt, seq, buffer, &size, &reasons, &critical);

      if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        break;
      if (rc != GNUTLS_SAN_URI)
        continue;
      g_ptr_array_add (urls, g_strndup (buffer, size));
    }
  return urls;
}

/* --- OCSP --- */

static CachetRevocationStatus
ocsp_ask (CachetCertificate  *certificate,
          CachetCertificate  *issuer,
          const char         *url,
          GDateTime          *now,
          GDateTime         **time,
          char              **reason,
          GCancellable       *cancellable,
          GError            **error)
{
  gnutls_ocsp_req_t request = NULL;
  gnutls_ocsp_resp_t response = NULL;
  gnutls_datum_t request_der = { NULL, 0 }, request_nonce = { NULL, 0 }, response_nonce = { NULL, 0 };
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) answer = NULL;
  CachetRevocationStatus result = CACHET_REVOCATION_UNKNOWN;
  unsigned int verify = 0, critical = 0;
  gboolean matched = FALSE;
  int rc;

  if (gnutls_ocsp_req_init (&request) < 0 || gnutls_ocsp_resp_init (&response) < 0 ||
      gnutls_ocsp_req_add_cert (request, GNUTLS_DIG_SHA1, cachet_certificate_get_gnutls (issuer),
                                cachet_certificate_get_gnutls (certificate)) < 0 ||
      gnutls_ocsp_req_randomize_nonce (request) < 0 ||
      gnutls_ocsp_req_get_nonce (request, &critical, &request_nonce) < 0 ||
      gnutls_ocsp_req_export (request, &request_der) < 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
                   _("Could not build an OCSP request for “%s”."), cachet_certificate_get_name (certificate));
      goto out;
    }

  body = g_bytes_new (request_der.data, request_der.size);
  answer = http_exchange (url, body, "application/ocsp-request", cancellable, error);
  if (answer == NULL)
    goto out;

  {
    gnutls_datum_t datum = { (guint8 *) g_bytes_get_data (answer, NULL), g_bytes_get_size (answer) };

    if (gnutls_ocsp_resp_import (response, &datum) < 0)
      {
        g_set_error (error, CACHET_ERROR, CACHET_ERROR_MALFORMED,
                     _("The OCSP responder at %s sent something that is not an OCSP response."), url);
        goto out;
      }
  }
  if (gnutls_ocsp_resp_get_status (response) != GNUTLS_OCSP_RESP_SUCCESSFUL)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_FAILED,
                   _("The OCSP responder at %s refused to answer (status %d)."), url,
                   gnutls_ocsp_resp_get_status (response));
      goto out;
    }

  /* Signed by the issuer itself, or by a responder the issuer certified for OCSP signing. */
  rc = gnutls_ocsp_resp_verify_direct (response, cachet_certificate_get_gnutls (issuer), &verify, 0);
  if (rc < 0 || verify != 0)
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                   _("The OCSP response from %s is not signed by “%s” or a responder it authorised; it was refused."),
                   url, cachet_certificate_get_name (issuer));
      goto out;
    }

  /* A responder that answers the nonce must answer ours: otherwise it is a replay. */
  rc = gnutls_ocsp_resp_get_nonce (response, &critical, &response_nonce);
  if (rc == 0 && (response_nonce.size != request_nonce.size ||
                  memcmp (response_nonce.data, request_nonce.data, request_nonce.size) != 0))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                   _("The OCSP response from %s answers a different request (nonce mismatch); it was refused."), url);
      goto out;
    }

  for (guint index = 0; !matched; index++)
    {
      gnutls_datum_t serial = { NULL, 0 };
      unsigned int cert_status = 0;
      time_t this_update = 0, next_update = 0, revocation_time = 0;
      unsigned int revocation_reason = 0;
      g_autoptr(GDateTime) this_time = NULL;

      rc = gnutls_ocsp_resp_get_single (response, index, NULL, NULL, NULL, &serial, &cert_status,
                                        &this_update, &next_update, &revocation_time,
                                        &revocation_reason);
      if (rc < 0)
        break;
      gnutls_free (serial.data);
      if (gnutls_ocsp_resp_check_crt (response, index, cachet_certificate_get_gnutls (certificate)) < 0)
        continue;
      matched = TRUE;

      this_time = date_time_from_unix (this_update);
      if (g_date_time_difference (this_time, now) > CLOCK_SKEW ||
          (next_update != (time_t) -1 && next_update + CLOCK_SKEW / G_TIME_SPAN_SECOND < g_date_time_to_unix (now)) ||
          (next_update == (time_t) -1 && g_date_time_difference (now, this_time) > MAX_AGE_WITHOUT_NEXT_UPDATE))
        {
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                       _("The OCSP response from %s is out of date; it was refused."), url);
          break;
        }

      switch (cert_status)
        {
        case GNUTLS_OCSP_CERT_GOOD:
          *time = g_steal_pointer (&this_time);
          result = CACHET_REVOCATION_GOOD;
          break;
        case GNUTLS_OCSP_CERT_REVOKED:
          *time = date_time_from_unix (revocation_time);
          *reason = g_strdup (describe_reason (revocation_reason));
          result = CACHET_REVOCATION_REVOKED;
          break;
        default:
          g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                       _("The OCSP responder at %s does not know the certificate."), url);
          break;
        }
    }
  if (!matched)
    g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                 _("The OCSP response from %s is not about this certificate; it was refused."), url);

out:
  gnutls_free (request_der.data);
  gnutls_free (request_nonce.data);
  gnutls_free (response_nonce.data);
  if (request)
    gnutls_ocsp_req_deinit (request);
  if (response)
    gnutls_ocsp_resp_deinit (response);
  return result;
}

/* --- the check --- */

char *
cachet_revocation_get_crl_dir (CachetStore *store)
{
  g_return_val_if_fail (CACHET_IS_STORE (store), NULL);

  return g_build_filename (cachet_store_get_data_dir (store), "crls", NULL);
}

static CachetRevocationStatus
check (CachetOptions      *options,
       gboolean            online,
       CachetCertificate  *certificate,
       CachetCertificate  *issuer,
       char              **source,
       GDateTime         **time,
       char              **reason,
       GCancellable       *cancellable,
       GError            **error)
{
  CachetStore *store = options ? cachet_options_get_store (options) : NULL;
  g_autofree char *crl_dir = store ? cachet_revocation_get_crl_dir (store) : NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *why = NULL;
  gboolean asked = FALSE;
  CachetRevocationStatus status;

  *source = NULL;
  *time = NULL;
  *reason = NULL;

  /* 1. A stored list: no network, and the CA learns nothing. */
  if (crl_dir != NULL)
    {
      g_autoptr(Crl) crl = crl_load_stored (crl_dir, issuer);

      if (crl != NULL)
        {
          asked = TRUE;
          status = crl_judge (crl, certificate, issuer, now, time, reason, &why);
          if (status != CACHET_REVOCATION_UNKNOWN)
            {
              *source = g_strdup ("crl");
              return status;
            }
        }
    }

  if (online)
    {
      g_autoptr(GPtrArray) responders = ocsp_urls (certificate);
      g_autoptr(GPtrArray) lists = crl_urls (certificate);

      /* 2. OCSP: the freshest answer, and small. */
      for (guint i = 0; i < responders->len; i++)
        {
          g_autoptr(GError) local_error = NULL;

          if (!is_http_url (responders->pdata[i]))
            continue;
          asked = TRUE;
          status = ocsp_ask (certificate, issuer, responders->pdata[i], now, time, reason,
                             cancellable, &local_error);
          if (status != CACHET_REVOCATION_UNKNOWN)
            {
              *source = g_strdup ("ocsp");
              return status;
            }
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return CACHET_REVOCATION_UNKNOWN;
            }
          g_free (why);
          why = g_strdup (local_error->message);
        }

      /* 3. The CRL distribution point, kept for next time. */
      for (guint i = 0; i < lists->len; i++)
        {
          g_autoptr(GError) local_error = NULL;
          g_autoptr(GBytes) data = NULL;
          g_autoptr(Crl) crl = NULL;

          if (!is_http_url (lists->pdata[i]))
            continue;
          asked = TRUE;
          data = http_exchange (lists->pdata[i], NULL, NULL, cancellable, &local_error);
          if (data != NULL)
            crl = crl_parse (data, &local_error);
          if (crl != NULL && !crl_issued_by (crl, issuer))
            {
              g_set_error (&local_error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                           _("The revocation list at %s is not signed by “%s”; it was refused."),
                           (char *) lists->pdata[i], cachet_certificate_get_name (issuer));
              g_clear_pointer (&crl, crl_free);
            }
          if (crl == NULL)
            {
              if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                {
                  g_propagate_error (error, g_steal_pointer (&local_error));
                  return CACHET_REVOCATION_UNKNOWN;
                }
              g_free (why);
              why = g_strdup (local_error->message);
              continue;
            }

          if (crl_dir != NULL && !crl_store (crl_dir, crl, issuer, &local_error))
            g_debug ("%s", local_error->message);

          g_clear_pointer (&why, g_free);
          g_clear_pointer (time, g_date_time_unref);
          g_clear_pointer (reason, g_free);
          status = crl_judge (crl, certificate, issuer, now, time, reason, &why);
          if (status != CACHET_REVOCATION_UNKNOWN)
            {
              *source = g_strdup ("crl");
              return status;
            }
        }

      if (!asked)
        {
          asked = TRUE;
          why = g_strdup (_("The certificate names no OCSP responder or revocation list that Cachet can ask."));
        }
    }

  if (!asked)
    return CACHET_REVOCATION_NOT_CHECKED;

  g_clear_pointer (time, g_date_time_unref);
  g_clear_pointer (reason, g_free);
  if (why == NULL)
    why = g_strdup (_("No usable revocation information was found."));
  *reason = g_strdup (why);
  g_set_error_literal (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE, why);
  return CACHET_REVOCATION_UNKNOWN;
}

CachetRevocationStatus
cachet_revocation_check (CachetOptions      *options,
                         CachetCertificate  *certificate,
                         CachetCertificate  *issuer,
                         GDateTime          *when,
                         char              **source,
                         GDateTime         **revoked_at,
                         char              **reason,
                         GCancellable       *cancellable,
                         GError            **error)
{
  g_autofree char *local_source = NULL;
  g_autoptr(GDateTime) local_time = NULL;
  g_autofree char *local_reason = NULL;
  CachetRevocationStatus status;

  g_return_val_if_fail (options == NULL || CACHET_IS_OPTIONS (options), CACHET_REVOCATION_NOT_CHECKED);
  g_return_val_if_fail (CACHET_IS_CERTIFICATE (certificate), CACHET_REVOCATION_NOT_CHECKED);
  g_return_val_if_fail (CACHET_IS_CERTIFICATE (issuer), CACHET_REVOCATION_NOT_CHECKED);

  /* WHEN does not change the answer: revocation is reported with its date, and the caller
   * decides whether it came before the moment that matters. */
  (void) when;

  status = check (options, options && cachet_options_get_online_revocation (options),
                  certificate, issuer, &local_source, &local_time, &local_reason, cancellable, error);

  if (source)
    *source = g_steal_pointer (&local_source);
  if (revoked_at)
    *revoked_at = g_steal_pointer (&local_time);
  if (reason)
    *reason = g_steal_pointer (&local_reason);
  return status;
}

gboolean
_cachet_revocation_judge_signer (CachetOptions     *options,
                                 CachetSigner      *signer,
                                 CachetCertificate *certificate,
                                 CachetCertificate *issuer,
                                 GDateTime         *when,
                                 gboolean           online_allowed)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *date = NULL;
  g_autofree char *detail = NULL;
  CachetRevocationStatus status;

  if (issuer == NULL)
    {
      cachet_signer_set_revocation (signer, CACHET_REVOCATION_NOT_CHECKED, NULL, NULL, NULL);
      return FALSE;
    }

  status = check (options,
                  online_allowed && options && cachet_options_get_online_revocation (options),
                  certificate, issuer, &source, &time, &reason, NULL, &error);
  cachet_signer_set_revocation (signer, status, source, time, reason);
  if (status == CACHET_REVOCATION_UNKNOWN && error != NULL)
    g_debug ("Revocation of “%s” unknown: %s", cachet_certificate_get_name (certificate), error->message);
  if (status != CACHET_REVOCATION_REVOKED)
    return FALSE;

  if (when == NULL)
    when = now = g_date_time_new_now_utc ();
  if (time != NULL && g_date_time_compare (time, when) > 0)
    return FALSE;

  date = time ? format_time (time) : g_strdup (_("an unknown date"));
  if (reason)
    detail = g_strdup_printf (_("The certificate was revoked on %s (reason: %s)."), date, reason);
  else
    detail = g_strdup_printf (_("The certificate was revoked on %s."), date);
  cachet_signer_add_problem (signer, CACHET_PROBLEM_REVOKED, detail);
  return TRUE;
}

/* Is CANDIDATE the issuer of CERTIFICATE, signature and all? */
static gboolean
issued (CachetCertificate *certificate,
        CachetCertificate *candidate)
{
  gnutls_x509_crt_t crt = cachet_certificate_get_gnutls (certificate);
  gnutls_x509_crt_t ca = cachet_certificate_get_gnutls (candidate);
  unsigned int status = 0;

  return !gnutls_x509_crt_equals (crt, ca) &&
         gnutls_x509_crt_check_issuer (crt, ca) &&
         gnutls_x509_crt_verify (crt, &ca, 1,
                                 GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
                                 GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
                                 GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1, &status) == 0 &&
         status == 0;
}

static CachetCertificate *
find_issuer (CachetCertificate *certificate,
             GPtrArray         *candidates)
{
  for (guint i = 0; candidates && i < candidates->len; i++)
    if (issued (certificate, candidates->pdata[i]))
      return candidates->pdata[i];
  return NULL;
}

gboolean
_cachet_revocation_check_recipient (CachetOptions      *options,
                                    CachetCertificate  *certificate,
                                    GPtrArray          *pool,
                                    GError            **error)
{
  CachetStore *store = cachet_options_get_store (options);
  g_autoptr(GPtrArray) store_anchors = store ? cachet_store_get_anchors (store) : NULL;
  g_autofree char *source = NULL;
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *date = NULL;
  CachetCertificate *issuer;
  const char * const *addresses;
  const char *name;

  issuer = find_issuer (certificate, pool);
  if (issuer == NULL)
    issuer = find_issuer (certificate, cachet_options_get_anchors (options));
  if (issuer == NULL)
    issuer = find_issuer (certificate, store_anchors);
  if (issuer == NULL)
    return TRUE;

  if (check (options, cachet_options_get_online_revocation (options), certificate, issuer,
             &source, &time, &reason, NULL, NULL) != CACHET_REVOCATION_REVOKED)
    return TRUE;

  name = cachet_certificate_get_name (certificate);
  addresses = cachet_certificate_get_addresses (certificate);
  date = time ? format_time (time) : g_strdup (_("an unknown date"));
  if (addresses && addresses[0] && g_strcmp0 (name, addresses[0]) != 0)
    g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                 _("Cannot encrypt for %s <%s>: their certificate was revoked on %s. Ask them for a new one."),
                 name, addresses[0], date);
  else
    g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                 _("Cannot encrypt for %s: their certificate was revoked on %s. Ask them for a new one."),
                 name, date);
  return FALSE;
}

/* --- import --- */

static void
add_cas (GPtrArray *known,
         GPtrArray *certificates)
{
  for (guint i = 0; certificates && i < certificates->len; i++)
    if (cachet_certificate_is_ca (certificates->pdata[i]))
      g_ptr_array_add (known, g_object_ref (certificates->pdata[i]));
}

gboolean
cachet_revocation_import_crl_data (const char  *crl_dir,
                                   GBytes      *data,
                                   GPtrArray   *known_cas,
                                   GError     **error)
{
  g_autoptr(Crl) crl = NULL;
  g_autofree char *issuer_name = NULL;
  CachetCertificate *issuer = NULL;

  g_return_val_if_fail (crl_dir != NULL, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);

  crl = crl_parse (data, error);
  if (crl == NULL)
    return FALSE;

  issuer_name = crl_issuer_name (crl);

  for (guint i = 0; known_cas && i < known_cas->len && issuer == NULL; i++)
    if (crl_issued_by (crl, known_cas->pdata[i]))
      issuer = known_cas->pdata[i];

  if (issuer == NULL)
    {
      gboolean name_known = FALSE;

      /* Say which of the two went wrong: a stranger's list, or a damaged or forged one. */
      for (guint i = 0; known_cas && i < known_cas->len && !name_known; i++)
        name_known = crl_names_issuer (crl, known_cas->pdata[i]);
      if (name_known)
        g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                     _("The revocation list’s signature does not verify with the certificate of "
                       "“%s”: it is damaged or forged, and was not imported."), issuer_name);
      else
        g_set_error (error, CACHET_ERROR, CACHET_ERROR_NOT_USABLE,
                     _("The revocation list was issued by “%s”, which is not an authority you "
                       "know; it was not imported. Add that authority first (“cachet-cli trust "
                       "add”), or name its certificate with --issuer."), issuer_name);
      return FALSE;
    }

  return crl_store (crl_dir, crl, issuer, error);
}

gboolean
cachet_revocation_import_crl (CachetStore  *store,
                              const char   *path,
                              GPtrArray    *issuers,
                              GError      **error)
{
  g_autoptr(GPtrArray) known = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) anchors = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GPtrArray) mozilla = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *crl_dir = NULL;
  GListModel *identities;
  gsize size = 0;

  g_return_val_if_fail (CACHET_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_file_get_contents (path, &contents, &size, &local_error))
    {
      g_set_error (error, CACHET_ERROR, CACHET_ERROR_IO,
                   _("Could not read %s: %s"), path, local_error->message);
      return FALSE;
    }
  data = g_bytes_new_take (g_steal_pointer (&contents), size);

  for (guint i = 0; issuers && i < issuers->len; i++)
    g_ptr_array_add (known, g_object_ref (issuers->pdata[i]));
  anchors = cachet_store_get_anchors (store);
  add_cas (known, anchors);
  contacts = cachet_store_get_contact_certificates (store);
  add_cas (known, contacts);
  identities = cachet_store_get_identities (store);
  for (guint i = 0; i < g_list_model_get_n_items (identities); i++)
    {
      g_autoptr(CachetIdentity) identity = g_list_model_get_item (identities, i);

      add_cas (known, cachet_identity_get_chain (identity));
    }
  /* the roots Mozilla trusts for email are anchors too (when they publish a list of their own) */
  mozilla = cachet_nss_email_roots_load (NULL);
  add_cas (known, mozilla);

  crl_dir = cachet_revocation_get_crl_dir (store);
  return cachet_revocation_import_crl_data (crl_dir, data, known, error);
}

/* --- the user's choice --- */

gboolean
cachet_revocation_get_online_default (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (source == NULL)
    return FALSE;
  schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "online-revocation"))
    return FALSE;
  settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_boolean (settings, "online-revocation");
}
