/* SPDX-License-Identifier: GPL-3.0-or-later
 * test-streaming.c: the streamed paths give the same bytes as the plain ones, and big inputs
 * interoperate with OpenSSL in flat memory: the fast line-end filters against GMime's own
 * loop, the fast base64 steps against GMime's, CachetFileStream against GMimeStreamFs, a streamed SignedData read back by GnuTLS's
 * in-memory pkcs7 reader, 50 MB file and message round trips both ways with openssl cms, and
 * peak memory (max RSS) that does not grow with the input, and the progress count (bytes_done)
 * of every job, polled from another thread. No timings are asserted.
 * CACHET_TEST_LARGE=1 adds a 1 GB file round trip.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs7.h>

#include "cachet-encryption.h"
#include "cachet-file-stream.h"
#include "cachet-newline.h"
#include "cachet-signed-data.h"
#include "cachet-signing.h"
#include "cachet-test-util.h"

static CachetTestPki *pki;
static char *alice;
static char *dir;

static char *
path_in (const char *name)
{
  return g_build_filename (dir, name, NULL);
}

/* GMime 3.2's own convert() loops (gmime-filter-unix2dos.c, gmime-filter-dos2unix.c), the
 * reference the replacements must match byte for byte. */
static GByteArray *
reference_unix2dos (const guint8 *data,
                    gsize         size,
                    gboolean      ensure_newline)
{
  GByteArray *out = g_byte_array_new ();
  char pc = '\0';

  for (gsize i = 0; i < size; i++)
    {
      char c = data[i];

      if (c == '\n' && pc != '\r')
        g_byte_array_append (out, (const guint8 *) "\r", 1);
      g_byte_array_append (out, (const guint8 *) &c, 1);
      pc = c;
    }
  /* (GMimeStreamFilter does not complete its filters when nothing was written) */
  if (ensure_newline && size > 0 && pc != '\n')
    {
      if (pc != '\r')
        g_byte_array_append (out, (const guint8 *) "\r", 1);
      g_byte_array_append (out, (const guint8 *) "\n", 1);
    }
  return out;
}

static GByteArray *
reference_dos2unix (const guint8 *data,
                    gsize         size,
                    gboolean      ensure_newline)
{
  GByteArray *out = g_byte_array_new ();
  char pc = '\0';

  for (gsize i = 0; i < size; i++)
    {
      char c = data[i];

      if (c == '\n')
        g_byte_array_append (out, (const guint8 *) &c, 1);
      else
        {
          if (pc == '\r')
            g_byte_array_append (out, (const guint8 *) &pc, 1);
          if (c != '\r')
            g_byte_array_append (out, (const guint8 *) &c, 1);
        }
      pc = c;
    }
  if (ensure_newline && size > 0 && pc != '\n')
    g_byte_array_append (out, (const guint8 *) "\n", 1);
  return out;
}

/* Writes DATA through FILTER in pieces of random size and returns what came out. */
static GByteArray *
run_filter (GMimeFilter  *filter,
            const guint8 *data,
            gsize         size,
            GRand        *rand)
{
  g_autoptr(GMimeStream) sink = g_mime_stream_mem_new ();
  g_autoptr(GMimeStream) filtered = g_mime_stream_filter_new (sink);
  GByteArray *result = g_byte_array_new ();
  gsize done = 0;

  g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), filter);
  while (done < size)
    {
      gsize random = g_rand_int_range (rand, 0, 9000);   /* not inside MIN: evaluated twice */
      gsize piece = MIN (size - done, random);

      g_assert_cmpint (g_mime_stream_write (filtered, (const char *) data + done, piece), ==, (gssize) piece);
      done += piece;
    }
  g_assert_cmpint (g_mime_stream_flush (filtered), ==, 0);
  g_byte_array_append (result, g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (sink))->data,
                       g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (sink))->len);
  return result;
}

/* Reads DATA through FILTER (the other direction GMime uses filters in), in pieces of random
 * size. */
static GByteArray *
run_filter_reading (GMimeFilter  *filter,
                    const guint8 *data,
                    gsize         size,
                    GRand        *rand)
{
  g_autoptr(GMimeStream) source = g_mime_stream_mem_new_with_buffer ((const char *) data, size);
  g_autoptr(GMimeStream) filtered = g_mime_stream_filter_new (source);
  GByteArray *result = g_byte_array_new ();
  char buffer[9000];

  g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), filter);
  for (;;)
    {
      gssize n = g_mime_stream_read (filtered, buffer, g_rand_int_range (rand, 1, sizeof buffer));

      g_assert_cmpint (n, >=, 0);
      if (n == 0 && g_mime_stream_eos (filtered))
        break;
      g_byte_array_append (result, (guint8 *) buffer, n);
    }
  return result;
}

static void
assert_same_bytes (GByteArray *a,
                   GByteArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  g_assert_true (a->len == 0 || memcmp (a->data, b->data, a->len) == 0);
}

static void
test_newline_filters (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (8);
  static const char alphabet[] = "\r\n\r\nab \r\r\n\n";

  cachet_newline_speed_up ();

  for (guint round = 0; round < 200; round++)
    {
      gsize size = g_rand_int_range (rand, 0, round < 100 ? 64 : 40000);
      g_autofree guint8 *data = g_malloc (size + 1);
      gboolean sparse = round % 3 == 0;   /* long runs without line ends: the pass-through path */

      for (gsize i = 0; i < size; i++)
        data[i] = sparse && g_rand_int_range (rand, 0, 200) != 0
                    ? 'x' : alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];

      for (int ensure = 0; ensure <= 1; ensure++)
        {
          g_autoptr(GByteArray) expected_u2d = reference_unix2dos (data, size, ensure);
          g_autoptr(GByteArray) expected_d2u = reference_dos2unix (data, size, ensure);
          g_autoptr(GMimeFilter) u2d = g_mime_filter_unix2dos_new (ensure);
          g_autoptr(GMimeFilter) d2u = g_mime_filter_dos2unix_new (ensure);
          g_autoptr(GByteArray) got_u2d = run_filter (u2d, data, size, rand);
          g_autoptr(GByteArray) got_d2u = run_filter (d2u, data, size, rand);

          assert_same_bytes (got_u2d, expected_u2d);
          assert_same_bytes (got_d2u, expected_d2u);

          if (!ensure)
            {
              g_autoptr(GMimeFilter) u2d_read = g_mime_filter_unix2dos_new (FALSE);
              g_autoptr(GMimeFilter) d2u_read = g_mime_filter_dos2unix_new (FALSE);
              g_autoptr(GByteArray) read_u2d = run_filter_reading (u2d_read, data, size, rand);
              g_autoptr(GByteArray) read_d2u = run_filter_reading (d2u_read, data, size, rand);

              assert_same_bytes (read_u2d, expected_u2d);
              assert_same_bytes (read_d2u, expected_d2u);
            }
        }
    }
}

/* The base64 steps against GMime's own, fed the same random chunks: same bytes out, same
 * state and save after every step; then through GMimeFilterBasic both ways. */
static void
test_base64_steps (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (64);
  static const char noise[] = "ABCxyz019+/=\r\n \t-*=";

  cachet_newline_speed_up ();

  for (guint round = 0; round < 400; round++)
    {
      gsize size = g_rand_int_range (rand, 0, round < 200 ? 80 : 30000);
      g_autofree guint8 *data = g_malloc (size + 1);
      g_autofree guint8 *ours = g_malloc (size * 2 + 64);
      g_autofree guint8 *theirs = g_malloc (size * 2 + 64);
      gboolean decode = round % 2 == 1;
      int state_ours = 0, state_theirs = 0;
      guint32 save_ours = 0, save_theirs = 0;
      gsize done = 0;

      for (gsize i = 0; i < size; i++)
        {
          if (!decode)
            data[i] = g_rand_int_range (rand, 0, 256);
          else if (round % 4 == 1)   /* clean base64 lines, the fast path */
            data[i] = (i % 77 == 76) ? '\n' : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[g_rand_int_range (rand, 0, 64)];
          else   /* anything: padding, line ends, characters to skip */
            data[i] = g_rand_int_range (rand, 0, 4) == 0 ? g_rand_int_range (rand, 0, 256)
                                                         : noise[g_rand_int_range (rand, 0, sizeof noise - 1)];
        }

      while (done < size || done == 0)
        {
          gsize random = g_rand_int_range (rand, 0, 300);   /* not inside MIN: evaluated twice */
          gsize chunk = MIN (size - done, random);
          size_t n_ours, n_theirs;

          if (decode)
            {
              n_ours = _cachet_base64_decode_step (data + done, chunk, ours, &state_ours, &save_ours);
              n_theirs = g_mime_encoding_base64_decode_step (data + done, chunk, theirs, &state_theirs, &save_theirs);
            }
          else
            {
              n_ours = _cachet_base64_encode_step (data + done, chunk, ours, &state_ours, &save_ours);
              n_theirs = g_mime_encoding_base64_encode_step (data + done, chunk, theirs, &state_theirs, &save_theirs);
            }
          g_assert_cmpuint (n_ours, ==, n_theirs);
          g_assert_true (n_ours == 0 || memcmp (ours, theirs, n_ours) == 0);
          g_assert_cmpint (state_ours, ==, state_theirs);
          /* once the data ended ('=', state -1) GMime's save means nothing and depends on
           * how the input was cut */
          if (!decode || state_theirs >= 0)
            g_assert_cmphex (save_ours, ==, save_theirs);
          done += chunk;
          if (size == 0)
            break;
        }

      /* through the filter (the replaced class function) and back */
      if (!decode)
        {
          g_autoptr(GMimeFilter) encoder = g_mime_filter_basic_new (GMIME_CONTENT_ENCODING_BASE64, TRUE);
          g_autoptr(GMimeFilter) decoder = g_mime_filter_basic_new (GMIME_CONTENT_ENCODING_BASE64, FALSE);
          g_autoptr(GByteArray) encoded = run_filter (encoder, data, size, rand);
          g_autoptr(GByteArray) decoded = run_filter (decoder, encoded->data, encoded->len, rand);
          g_autofree guint8 *reference = g_malloc (size * 2 + 64);
          int state = 0;
          guint32 save = 0;
          size_t n = g_mime_encoding_base64_encode_close (data, size, reference, &state, &save);

          g_assert_cmpuint (encoded->len, ==, n);
          g_assert_true (n == 0 || memcmp (encoded->data, reference, n) == 0);
          g_assert_cmpuint (decoded->len, ==, size);
          g_assert_true (size == 0 || memcmp (decoded->data, data, size) == 0);
        }
    }
}

/* The same random sequence of writes, reads, seeks and substreams on a GMimeStreamFs and on a
 * CachetFileStream over two files must give the same results and the same files. */
static void
test_file_stream (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autofree char *path_a = path_in ("fs-a.bin");
  g_autofree char *path_b = path_in ("fs-b.bin");
  int fd_a = g_open (path_a, O_RDWR | O_CREAT | O_TRUNC, 0600);
  int fd_b = g_open (path_b, O_RDWR | O_CREAT | O_TRUNC, 0600);
  g_autoptr(GMimeStream) a = NULL, b = NULL;
  g_autofree guint8 *data = g_malloc (1024 * 1024);
  g_autofree char *buffer_a = g_malloc (600 * 1024);
  g_autofree char *buffer_b = g_malloc (600 * 1024);
  g_autofree char *contents_a = NULL, *contents_b = NULL;
  gsize size_a, size_b;

  g_assert_cmpint (fd_a, >=, 0);
  g_assert_cmpint (fd_b, >=, 0);
  a = g_mime_stream_fs_new (fd_a);
  b = cachet_file_stream_new (fd_b);
  for (gsize i = 0; i < 1024 * 1024; i++)
    data[i] = g_rand_int (rand);

  for (guint step = 0; step < 3000; step++)
    {
      int op = g_rand_int_range (rand, 0, 10);
      /* never 0: GMimeStreamFs takes an empty read for the end of the stream */
      gsize length = g_rand_boolean (rand) ? g_rand_int_range (rand, 1, 5000)
                                           : g_rand_int_range (rand, 1, 600 * 1024);

      if (op < 3)
        {
          gsize offset = g_rand_int_range (rand, 0, 400 * 1024);

          g_assert_cmpint (g_mime_stream_write (a, (char *) data + offset, length), ==,
                           g_mime_stream_write (b, (char *) data + offset, length));
        }
      else if (op < 6)
        {
          gssize n_a = g_mime_stream_read (a, buffer_a, length);
          gssize n_b = g_mime_stream_read (b, buffer_b, length);

          g_assert_cmpint (n_a, ==, n_b);
          if (n_a > 0)
            g_assert_true (memcmp (buffer_a, buffer_b, n_a) == 0);
          g_assert_cmpint (g_mime_stream_eos (a), ==, g_mime_stream_eos (b));
        }
      else if (op < 8)
        {
          gint64 length_a = g_mime_stream_length (a);
          gint64 offset;

          g_assert_cmpint (length_a, ==, g_mime_stream_length (b));
          offset = length_a > 0 ? g_rand_int_range (rand, 0, length_a + 1) : 0;
          g_assert_cmpint (g_mime_stream_seek (a, offset, GMIME_STREAM_SEEK_SET), ==,
                           g_mime_stream_seek (b, offset, GMIME_STREAM_SEEK_SET));
          g_assert_cmpint (g_mime_stream_tell (a), ==, g_mime_stream_tell (b));
        }
      else if (op == 8)
        {
          gint64 length_a = g_mime_stream_length (a);
          gint64 start = length_a > 0 ? g_rand_int_range (rand, 0, length_a) : 0;
          gint64 end = start + g_rand_int_range (rand, 0, 300 * 1024);
          g_autoptr(GMimeStream) sub_a = g_mime_stream_substream (a, start, end);
          g_autoptr(GMimeStream) sub_b = g_mime_stream_substream (b, start, end);
          g_autoptr(GByteArray) all_a = g_byte_array_new ();
          g_autoptr(GByteArray) all_b = g_byte_array_new ();
          g_autoptr(GMimeStream) mem_a = g_mime_stream_mem_new_with_byte_array (all_a);
          g_autoptr(GMimeStream) mem_b = g_mime_stream_mem_new_with_byte_array (all_b);

          g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (mem_a), FALSE);
          g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (mem_b), FALSE);
          g_assert_cmpint (g_mime_stream_length (sub_a), ==, g_mime_stream_length (sub_b));
          g_assert_cmpint (g_mime_stream_write_to_stream (sub_a, mem_a), ==,
                           g_mime_stream_write_to_stream (sub_b, mem_b));
          assert_same_bytes (all_a, all_b);
        }
      else
        {
          g_assert_cmpint (g_mime_stream_reset (a), ==, g_mime_stream_reset (b));
          g_assert_cmpint (g_mime_stream_tell (a), ==, g_mime_stream_tell (b));
        }
    }

  g_assert_cmpint (g_mime_stream_flush (b), ==, 0);
  g_assert_true (g_file_get_contents (path_a, &contents_a, &size_a, NULL));
  g_assert_true (g_file_get_contents (path_b, &contents_b, &size_b, NULL));
  g_assert_cmpuint (size_a, ==, size_b);
  g_assert_true (memcmp (contents_a, contents_b, size_a) == 0);
}

/* An opaque SignedData that Cachet streams out is read by GnuTLS's in-memory pkcs7 code: the
 * same content comes back and the signature holds; and Cachet's streaming reader takes a
 * SignedData GnuTLS made in memory. */
static void
test_signed_data_vs_gnutls (void)
{
  g_autofree char *chain = g_strconcat (alice, "-chain.pem", NULL);
  g_autofree char *key = g_strconcat (alice, ".key", NULL);
  g_autofree char *cert_path = g_strconcat (alice, ".crt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCredentials) credentials = cachet_credentials_new_from_files (chain, key, &error);
  g_autofree char *content_path = path_in ("small-content.bin");
  g_autofree char *signed_path = path_in ("small-content.p7m");
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint8 content[100000];
  gnutls_pkcs7_t pkcs7;
  gnutls_x509_crt_t crt;
  gnutls_datum_t der = { NULL, 0 }, embedded = { NULL, 0 }, pem = { NULL, 0 };
  g_autofree char *contents = NULL;
  gsize size;

  g_assert_no_error (error);
  for (gsize i = 0; i < sizeof content; i++)
    content[i] = g_rand_int (rand);
  g_assert_true (g_file_set_contents (content_path, (char *) content, sizeof content, NULL));

  {
    int in = g_open (content_path, O_RDONLY, 0);
    int out = g_open (signed_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    g_autoptr(GMimeStream) input = cachet_file_stream_new (in);
    g_autoptr(GMimeStream) output = cachet_file_stream_new (out);

    g_assert_true (_cachet_signed_data_sign_stream (credentials, GNUTLS_DIG_SHA256, input, TRUE,
                                                    output, NULL, &error));
    g_assert_no_error (error);
  }

  g_assert_true (g_file_get_contents (signed_path, &contents, &size, NULL));
  der.data = (unsigned char *) contents;
  der.size = size;
  g_assert_cmpint (gnutls_pkcs7_init (&pkcs7), ==, 0);
  g_assert_cmpint (gnutls_pkcs7_import (pkcs7, &der, GNUTLS_X509_FMT_DER), ==, 0);
  g_assert_cmpint (gnutls_pkcs7_get_embedded_data (pkcs7, 0, &embedded), ==, 0);
  g_assert_cmpuint (embedded.size, ==, sizeof content);
  g_assert_true (memcmp (embedded.data, content, sizeof content) == 0);

  g_assert_true (gnutls_load_file (cert_path, &pem) == 0);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &pem, GNUTLS_X509_FMT_PEM), ==, 0);
  g_assert_cmpint (gnutls_pkcs7_verify_direct (pkcs7, crt, 0, NULL, 0), ==, 0);

  gnutls_free (embedded.data);
  gnutls_free (pem.data);
  gnutls_x509_crt_deinit (crt);
  gnutls_pkcs7_deinit (pkcs7);

  /* the streaming reader, over a file stream, gets the content GnuTLS embedded */
  {
    g_autoptr(GMimeStream) input = NULL;
    g_autoptr(GMimeStream) sink = g_mime_stream_mem_new ();
    g_autoptr(CachetSignedData) signed_data = NULL;
    GByteArray *got;

    input = cachet_file_stream_new (g_open (signed_path, O_RDONLY, 0));
    signed_data = _cachet_signed_data_read (input, sink, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (_cachet_signed_data_has_content (signed_data));
    g_assert_cmpuint (_cachet_signed_data_get_n_signers (signed_data), ==, 1);
    got = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (sink));
    g_assert_cmpuint (got->len, ==, sizeof content);
    g_assert_true (memcmp (got->data, content, sizeof content) == 0);
  }
}

/* Runs a shell command line; fails the test with its output unless it exits 0. */
static void
shell_ok (const char *format,
          ...) G_GNUC_PRINTF (1, 2);

static void
shell_ok (const char *format,
          ...)
{
  g_autofree char *command = NULL;
  g_autofree char *out = NULL;
  va_list args;
  int status;

  va_start (args, format);
  command = g_strdup_vprintf (format, args);
  va_end (args);
  status = cachet_test_shell (&out, "{ %s ; } 2>&1", command);
  if (status != 0)
    g_error ("exit %d: %s\n%s", status, command, out ? out : "");
}

/* Runs cachet-cli under /usr/bin/time and returns its peak RSS in KB; asserts the exit code. */
static guint64
cli_peak_kb (int         expected_exit,
             const char *arguments)
{
  g_autofree char *out = NULL;
  g_autofree char *rss_path = path_in ("rss.txt");
  g_autofree char *rss = NULL;
  const char *cli = g_getenv ("CACHET_CLI");
  int status;

  g_assert_nonnull (cli);
  if (!g_file_test ("/usr/bin/time", G_FILE_TEST_IS_EXECUTABLE))
    {
      /* without the time package: the run is still checked, its memory is not measured */
      status = cachet_test_shell (&out, "cd '%s' && '%s' %s 2>&1", dir, cli, arguments);
      if (status != expected_exit)
        g_error ("cachet-cli %s: exit %d, expected %d\n%s", arguments, status, expected_exit, out);
      return 0;
    }
  status = cachet_test_shell (&out, "cd '%s' && /usr/bin/time -f %%M -o '%s' '%s' %s 2>&1",
                              dir, rss_path, cli, arguments);
  if (status != expected_exit)
    g_error ("cachet-cli %s: exit %d, expected %d\n%s", arguments, status, expected_exit, out);
  g_assert_true (g_file_get_contents (rss_path, &rss, NULL, NULL));
  /* /usr/bin/time writes "Command exited with non-zero status N" first when N != 0 */
  return g_ascii_strtoull (strrchr (g_strstrip (rss), '\n') ? strrchr (rss, '\n') + 1 : rss, NULL, 10);
}

static void
make_random_file (const char *name,
                  guint       megabytes)
{
  shell_ok ("head -c %u /dev/urandom > '%s/%s'",
            megabytes * 1024 * 1024, dir, name);
}

/* A message of about MEGABYTES with a text part and one base64 attachment. */
static void
make_message (const char *name,
              guint       megabytes)
{
  shell_ok ("cd '%s' && { printf 'From: Alice <alice@example.com>\\nTo: alice@example.com\\nSubject: big\\nMIME-Version: 1.0\\n"
            "Content-Type: multipart/mixed; boundary=\"b\"\\n\\n--b\\nContent-Type: text/plain\\n\\nsee attachment\\n--b\\n"
            "Content-Type: application/octet-stream\\nContent-Transfer-Encoding: base64\\n"
            "Content-Disposition: attachment; filename=\"a.bin\"\\n\\n'; "
            "head -c %u /dev/urandom | base64 -w 76; printf -- '--b--\\n'; } > '%s'",
            dir, megabytes * 1024 * 1024 * 3 / 4, name);
}

static void
test_file_interop_50mb (void)
{
  g_autofree char *chain = g_strconcat (alice, "-chain.pem", NULL);
  g_autofree char *cert = g_strconcat (alice, ".crt", NULL);
  g_autofree char *key = g_strconcat (alice, ".key", NULL);
  g_autofree char *args = NULL;

  make_random_file ("file50.bin", 50);

  /* cachet signs, openssl verifies; openssl signs, cachet verifies */
  args = g_strdup_printf ("sign --cert '%s' --key '%s' -o file50.bin.p7s file50.bin", chain, key);
  cli_peak_kb (0, args);
  shell_ok ("cd '%s' && openssl cms -verify -binary -inform DER -in file50.bin.p7s -content file50.bin "
            "-CAfile '%s' -purpose smimesign -out /dev/null", dir, pki->root_cert);
  shell_ok ("cd '%s' && openssl cms -sign -binary -in file50.bin -signer '%s' -inkey '%s' -certfile '%s' "
            "-outform DER -out file50-openssl.p7s", dir, cert, key, pki->inter_cert);
  g_clear_pointer (&args, g_free);
  args = g_strdup_printf ("verify --no-system-trust --trust '%s' file50-openssl.p7s --content file50.bin",
                          pki->root_cert);
  cli_peak_kb (0, args);

  /* a changed byte at the end is seen (flipped, so it differs whatever the random byte was) */
  shell_ok ("cd '%s' && cp file50.bin changed.bin && "
            "python3 -c \"f = open('changed.bin', 'r+b'); f.seek(52428700); b = f.read(1); "
            "f.seek(52428700); f.write(bytes([b[0] ^ 1]))\"",
            dir);
  g_clear_pointer (&args, g_free);
  args = g_strdup_printf ("verify --no-system-trust --trust '%s' file50-openssl.p7s --content changed.bin",
                          pki->root_cert);
  cli_peak_kb (1, args);

  /* cachet encrypts, openssl decrypts (CBC and GCM); openssl encrypts (BER, -stream), cachet decrypts */
  for (guint i = 0; i < 2; i++)
    {
      const char *cipher = i == 0 ? "aes-256-cbc" : "aes-256-gcm";

      g_clear_pointer (&args, g_free);
      args = g_strdup_printf ("encrypt --no-system-trust --trust '%s' --certs '%s' --to-cert '%s' --no-self --cipher %s "
                              "-o file50.bin.p7m file50.bin", pki->root_cert, pki->inter_cert, cert, cipher);
      cli_peak_kb (0, args);
      shell_ok ("cd '%s' && openssl cms -decrypt -binary -inform DER -in file50.bin.p7m -recip '%s' -inkey '%s' "
                "-out file50.openssl-out && cmp file50.bin file50.openssl-out", dir, cert, key);
    }
  shell_ok ("cd '%s' && openssl cms -encrypt -binary -aes256 -stream -in file50.bin -outform DER "
            "-out file50-openssl.p7m '%s'", dir, cert);
  g_clear_pointer (&args, g_free);
  args = g_strdup_printf ("decrypt --no-system-trust --cert '%s' --key '%s' -o file50.cachet-out file50-openssl.p7m",
                          cert, key);
  cli_peak_kb (4, args);
  shell_ok ("cd '%s' && cmp file50.bin file50.cachet-out", dir);

  /* the streamed decryption of 50 MB and of a small file agree with the content, byte for byte */
  shell_ok ("cd '%s' && head -c 1000 file50.bin > small.bin", dir);
  g_clear_pointer (&args, g_free);
  args = g_strdup_printf ("encrypt --no-system-trust --trust '%s' --certs '%s' --to-cert '%s' --no-self -o small.bin.p7m small.bin",
                          pki->root_cert, pki->inter_cert, cert);
  cli_peak_kb (0, args);
  g_clear_pointer (&args, g_free);
  args = g_strdup_printf ("decrypt --no-system-trust --cert '%s' --key '%s' -o small.out small.bin.p7m", cert, key);
  cli_peak_kb (4, args);
  shell_ok ("cd '%s' && cmp small.bin small.out && "
            "head -c 1000 file50.cachet-out | cmp - small.out", dir);

  shell_ok ("cd '%s' && rm -f file50* changed.bin", dir);
}

static void
test_message_interop_50mb (void)
{
  g_autofree char *chain = g_strconcat (alice, "-chain.pem", NULL);
  g_autofree char *cert = g_strconcat (alice, ".crt", NULL);
  g_autofree char *key = g_strconcat (alice, ".key", NULL);
  g_autofree char *args = NULL;

  make_message ("msg50.eml", 50);
  /* what a MIME peer signs or encrypts: the body entity, without the mail headers */
  shell_ok ("cd '%s' && sed -n '/^Content-Type: multipart/,$p' msg50.eml > msg50-entity.txt",
            dir);

  /* cachet signs, openssl verifies and gives back the entity with CRLF line ends */
  args = g_strdup_printf ("sign --cert '%s' --key '%s' -o msg50-signed.eml msg50.eml", chain, key);
  cli_peak_kb (0, args);
  shell_ok ("cd '%s' && openssl cms -verify -in msg50-signed.eml -CAfile '%s' -purpose smimesign "
            "-out msg50-verified.txt && tr -d '\\r' < msg50-verified.txt | cmp - msg50-entity.txt",
            dir, pki->root_cert);
  g_clear_pointer (&args, g_free);
  args = g_strdup_printf ("verify --no-system-trust --trust '%s' msg50-signed.eml", pki->root_cert);
  cli_peak_kb (0, args);

  /* openssl signs, cachet verifies */
  shell_ok ("cd '%s' && openssl cms -sign -in msg50-entity.txt -signer '%s' -inkey '%s' -certfile '%s' "
            "-from alice@example.com -to alice@example.com -subject big -out msg50-openssl-signed.eml",
            dir, cert, key, pki->inter_cert);
  g_clear_pointer (&args, g_free);
  args = g_strdup_printf ("verify --no-system-trust --trust '%s' msg50-openssl-signed.eml", pki->root_cert);
  cli_peak_kb (0, args);

  /* cachet encrypts, openssl decrypts to the same entity */
  g_clear_pointer (&args, g_free);
  args = g_strdup_printf ("encrypt --no-system-trust --trust '%s' --certs '%s' --to-cert '%s' --no-self --cipher aes-256-cbc "
                          "-o msg50-enc.eml msg50.eml", pki->root_cert, pki->inter_cert, cert);
  cli_peak_kb (0, args);
  shell_ok ("cd '%s' && openssl cms -decrypt -in msg50-enc.eml -recip '%s' -inkey '%s' -out msg50-dec.txt && "
            "tr -d '\\r' < msg50-dec.txt | cmp - msg50-entity.txt", dir, cert, key);

  /* cachet decrypts its own message back to the original, byte for byte */
  g_clear_pointer (&args, g_free);
  args = g_strdup_printf ("decrypt --no-system-trust --cert '%s' --key '%s' -o msg50-back.eml msg50-enc.eml", cert, key);
  cli_peak_kb (4, args);
  shell_ok ("cd '%s' && cmp msg50.eml msg50-back.eml", dir);

  /* openssl encrypts (streamed BER), cachet decrypts to the entity */
  shell_ok ("cd '%s' && openssl cms -encrypt -aes256 -stream -in msg50-entity.txt -out msg50-openssl-enc.eml '%s'",
            dir, cert);
  g_clear_pointer (&args, g_free);
  args = g_strdup_printf ("decrypt --no-system-trust --cert '%s' --key '%s' -o msg50-openssl-back.eml msg50-openssl-enc.eml",
                          cert, key);
  cli_peak_kb (4, args);
  shell_ok ("cd '%s' && sed -n '/^Content-Type: multipart/,$p' msg50-openssl-back.eml | cmp - msg50-entity.txt", dir);

  shell_ok ("cd '%s' && rm -f msg50*", dir);
}

/* Plaintext goes to private temporary files in the runtime folder, which is a tmpfs of a tenth
 * of the memory on most systems. A job bigger than that must go on on disk, not fail: here the
 * runtime folder is a real 1 MB tmpfs (a private mount in a user namespace). */
static void
test_full_runtime_folder (void)
{
  g_autofree char *cert = g_strconcat (alice, ".crt", NULL);
  g_autofree char *key = g_strconcat (alice, ".key", NULL);
  const char *cli = g_getenv ("CACHET_CLI");

  g_assert_nonnull (cli);
  if (cachet_test_shell (NULL, "unshare -Urm sh -c 'mount -t tmpfs -o size=1m tmpfs \"$1\"' sh '%s'", dir) != 0)
    {
      g_test_skip ("cannot mount a private tmpfs here (unshare -Urm is not allowed)");
      return;
    }

  make_message ("rt.eml", 4);
  make_random_file ("rt.bin", 4);
  shell_ok ("cd '%s' && sed -n '/^Content-Type: multipart/,$p' rt.eml > rt-entity.txt && "
            "openssl cms -encrypt -aes256 -stream -in rt-entity.txt -out rt-enc.eml '%s'", dir, cert);
  shell_ok ("cd '%s' && openssl cms -sign -nodetach -binary -in rt.bin -signer '%s' -inkey '%s' -certfile '%s' "
            "-outform DER | openssl cms -encrypt -aes256 -binary -inform DER -outform DER -out rt.bin.p7m '%s'",
            dir, cert, key, pki->inter_cert, cert);

  /* the runtime folder is 1 MB: the 4 MB plaintext and the signed content inside must move;
   * the message is not signed inside (exit 4), the file is (exit 0) */
  shell_ok ("cd '%s' && mkdir -p rt-runtime rt-tmp && unshare -Urm sh -c '"
            "mount -t tmpfs -o size=1m,mode=0700 tmpfs rt-runtime && export XDG_RUNTIME_DIR=$PWD/rt-runtime TMPDIR=$PWD/rt-tmp && "
            "{ \"$1\" decrypt --no-system-trust --cert \"$2\" --key \"$3\" -o rt-back.eml rt-enc.eml; test $? -eq 4; } && "
            "\"$1\" decrypt --no-system-trust --trust \"$4\" --cert \"$2\" --key \"$3\" -o rt-back.bin rt.bin.p7m && "
            "test -z \"$(find rt-runtime rt-tmp -mindepth 1)\"' sh '%s' '%s' '%s' '%s'",
            dir, cli, cert, key, pki->root_cert);
  shell_ok ("cd '%s' && sed -n '/^Content-Type: multipart/,$p' rt-back.eml | cmp - rt-entity.txt && "
            "cmp rt-back.bin rt.bin", dir);

  /* the temporary folder full as well: one sentence that says what to do, and no output */
  shell_ok ("cd '%s' && unshare -Urm sh -c '"
            "mount -t tmpfs -o size=1m,mode=0700 tmpfs rt-runtime && mount -t tmpfs -o size=1m tmpfs rt-tmp && "
            "export XDG_RUNTIME_DIR=$PWD/rt-runtime TMPDIR=$PWD/rt-tmp && "
            "{ \"$1\" decrypt --no-system-trust --cert \"$2\" --key \"$3\" -o rt-full.eml rt-enc.eml 2> rt-full.txt; "
            "test $? -eq 2; } && grep -q \"The disk is full\" rt-full.txt && test ! -e rt-full.eml' sh '%s' '%s' '%s'",
            dir, cli, cert, key);
  shell_ok ("cd '%s' && rm -rf rt*", dir);
}

/* Peak memory of each operation on 10 MB and 50 MB inputs: the second may not be much more
 * than the first (a ratio, not a time). */
static void
test_flat_memory (void)
{
  g_autofree char *chain = g_strconcat (alice, "-chain.pem", NULL);
  g_autofree char *cert = g_strconcat (alice, ".crt", NULL);
  g_autofree char *key = g_strconcat (alice, ".key", NULL);
  static const guint sizes[] = { 10, 50 };
  guint64 peak[2][8];

  if (!g_file_test ("/usr/bin/time", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("/usr/bin/time (package time) is needed to measure peak memory");
      return;
    }

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autofree char *file = g_strdup_printf ("mem%u.bin", sizes[s]);
      g_autofree char *msg = g_strdup_printf ("mem%u.eml", sizes[s]);
      g_autofree char *a = NULL;
      guint i = 0;

      make_random_file (file, sizes[s]);
      make_message (msg, sizes[s]);

#define RUN(code, ...) G_STMT_START { g_free (a); a = g_strdup_printf (__VA_ARGS__); peak[s][i++] = cli_peak_kb (code, a); } G_STMT_END
      RUN (0, "sign --cert '%s' --key '%s' -o %s.p7s %s", chain, key, file, file);
      RUN (0, "verify --no-system-trust --trust '%s' %s.p7s --content %s", pki->root_cert, file, file);
      RUN (0, "encrypt --no-system-trust --trust '%s' --certs '%s' --to-cert '%s' --no-self -o %s.p7m %s", pki->root_cert, pki->inter_cert, cert, file, file);
      RUN (4, "decrypt --no-system-trust --cert '%s' --key '%s' -o %s.out %s.p7m", cert, key, file, file);
      RUN (0, "sign --cert '%s' --key '%s' -o signed-%s %s", chain, key, msg, msg);
      RUN (0, "verify --no-system-trust --trust '%s' signed-%s", pki->root_cert, msg);
      RUN (0, "encrypt --no-system-trust --trust '%s' --certs '%s' --to-cert '%s' --no-self -o enc-%s %s", pki->root_cert, pki->inter_cert, cert, msg, msg);
      RUN (4, "decrypt --no-system-trust --cert '%s' --key '%s' -o dec-%s enc-%s", cert, key, msg, msg);
#undef RUN
      shell_ok ("cd '%s' && rm -f mem%u* *-mem%u.eml", dir, sizes[s], sizes[s]);
    }

  for (guint i = 0; i < 8; i++)
    {
      g_test_message ("operation %u: peak %" G_GUINT64_FORMAT " KB at 10 MB, %" G_GUINT64_FORMAT " KB at 50 MB",
                      i, peak[0][i], peak[1][i]);
      g_assert_cmpuint (peak[1][i], <, peak[0][i] * 3 / 2 + 4096);
      g_assert_cmpuint (peak[1][i], <, 64 * 1024);
    }
}

/* Progress: a job run in a thread while this one polls cachet_options_get_bytes_done. */
typedef enum { JOB_SIGN, JOB_VERIFY, JOB_ENCRYPT, JOB_SIGN_ENCRYPT, JOB_DECRYPT } JobKind;

typedef struct {
  JobKind        kind;
  CachetOptions *options;
  const char    *input;
  const char    *content;   /* detached verify */
  const char    *output;
  gboolean       ok;
  gint           finished;
} ProgressJob;

static gpointer
progress_job_thread (gpointer data)
{
  ProgressJob *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetOutput) output = NULL;
  g_autoptr(CachetVerdict) verdict = NULL;

  if (job->output != NULL && !(output = cachet_output_new (job->output, &error)))
    g_error ("output %s: %s", job->output, error->message);
  switch (job->kind)
    {
    case JOB_SIGN:
      job->ok = cachet_sign_file (job->options, job->input, output, NULL, &error);
      break;
    case JOB_VERIFY:
      verdict = cachet_verify_file (job->options, job->input, job->content, NULL, &error);
      job->ok = verdict != NULL && cachet_verdict_get_status (verdict) == CACHET_STATUS_GOOD;
      break;
    case JOB_ENCRYPT:
      job->ok = cachet_encrypt_file (job->options, job->input, output, NULL, &error);
      break;
    case JOB_SIGN_ENCRYPT:
      cachet_options_set_sign (job->options, TRUE);
      job->ok = cachet_encrypt_file (job->options, job->input, output, NULL, &error);
      break;
    case JOB_DECRYPT:
      verdict = cachet_decrypt_file (job->options, job->input, output, NULL, &error);
      job->ok = verdict != NULL;
      break;
    }
  if (error != NULL)
    g_test_message ("job %d on %s: %s", job->kind, job->input, error->message);
  g_atomic_int_set (&job->finished, 1);
  return NULL;
}

static guint64
size_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_size;
}

/* Runs JOB, polling its counts every 0.2 ms: the total is PASSES times the size of the
 * input(s), the count never goes down nor past it, is seen in between (not only 0 and the
 * total), and ends at the total. A job that reads its input twice (a message parsed, then
 * written or hashed) keeps counting in its second pass instead of standing at 100 %; that pass
 * need not read the headers and boundary lines again, which GMime keeps. PASSES 0: a message
 * decrypt, which reads its input once and then its plaintext twice (parsed, written out); the
 * total is known once the plaintext is, somewhere between one and three times the input. */
static void
run_progress_job (ProgressJob *job,
                  guint        passes,
                  guint64      size)
{
  GThread *thread;
  guint64 last = 0, seen_between = 0, seen_second_pass = 0, polls = 0, total, done;
  guint64 span = passes > 0 ? passes * size : 3 * size;   /* the total at most */

  g_assert_cmpuint (cachet_options_get_bytes_done (job->options), ==, 0);
  thread = g_thread_new ("progress-job", progress_job_thread, job);
  while (!g_atomic_int_get (&job->finished))
    {
      guint64 now = cachet_options_get_bytes_done (job->options);

      g_assert_cmpuint (now, >=, last);
      g_assert_cmpuint (now, <=, cachet_options_get_bytes_total (job->options));
      if (now > 0 && now < span && now != last)
        seen_between++;
      if (now > size && now < span && now != last)
        seen_second_pass++;
      last = now;
      polls++;
      g_usleep (200);
    }
  g_thread_join (thread);
  g_assert_true (job->ok);
  total = cachet_options_get_bytes_total (job->options);
  done = cachet_options_get_bytes_done (job->options);
  g_test_message ("job %d on %s: %" G_GUINT64_FORMAT " polls, %" G_GUINT64_FORMAT
                  " distinct counts in between (%" G_GUINT64_FORMAT " in the second pass), done %"
                  G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
                  job->kind, job->input, polls, seen_between, seen_second_pass, done, total);
  g_assert_cmpuint (seen_between, >=, 2);
  if (passes == 1)
    {
      g_assert_cmpuint (total, ==, size);
      g_assert_cmpuint (done, ==, total);
    }
  else if (passes == 0)
    {
      g_assert_cmpuint (total, >, size);
      g_assert_cmpuint (total, <, 3 * size);
      g_assert_cmpuint (done, <=, total);
      g_assert_cmpuint (done, >=, total - total / 1000);
      g_assert_cmpuint (seen_second_pass, >=, 2);
    }
  else
    {
      /* signing before encrypting: the second pass reads the signed form, a little longer */
      g_assert_cmpuint (total, >=, passes * size);
      g_assert_cmpuint (total, <, passes * size + 16 * 1024);
      g_assert_cmpuint (done, <=, total);
      g_assert_cmpuint (done, >=, total - total / 1000);
      g_assert_cmpuint (seen_second_pass, >=, 2);
    }
}

static CachetOptions *
progress_options (void)
{
  g_autofree char *chain = g_strconcat (alice, "-chain.pem", NULL);
  g_autofree char *cert = g_strconcat (alice, ".crt", NULL);
  g_autofree char *key = g_strconcat (alice, ".key", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCredentials) credentials = cachet_credentials_new_from_files (chain, key, &error);
  g_autoptr(GPtrArray) roots = cachet_certificate_list_from_file (pki->root_cert, &error);
  g_autoptr(GPtrArray) inter = NULL;
  g_autoptr(GPtrArray) me = NULL;
  CachetOptions *options = cachet_options_new ();

  g_assert_no_error (error);
  inter = cachet_certificate_list_from_file (pki->inter_cert, &error);
  g_assert_no_error (error);
  me = cachet_certificate_list_from_file (cert, &error);
  g_assert_no_error (error);
  cachet_options_set_system_trust (options, FALSE);
  cachet_options_add_anchor (options, g_ptr_array_index (roots, 0));
  cachet_options_add_certificate (options, g_ptr_array_index (inter, 0));
  cachet_options_add_credentials (options, credentials);
  cachet_options_add_recipient (options, g_ptr_array_index (me, 0));
  cachet_options_set_encrypt_to_self (options, FALSE);
  return options;
}

static void
test_progress (void)
{
  g_autofree char *file = path_in ("progress.bin");
  g_autofree char *msg = path_in ("progress.eml");
  g_autofree char *p7s = path_in ("progress.bin.p7s");
  g_autofree char *p7m = path_in ("progress.bin.p7m");
  g_autofree char *out = path_in ("progress.out");
  g_autofree char *signed_msg = path_in ("progress-signed.eml");
  g_autofree char *enc_msg = path_in ("progress-enc.eml");
  g_autofree char *dec_msg = path_in ("progress-dec.eml");
  g_autofree char *signed_p7m = path_in ("progress-signed.bin.p7m");
  struct {
    JobKind     kind;
    const char *input;
    const char *content;
    const char *output;
    guint       passes;
  } jobs[] = {
    { JOB_SIGN, file, NULL, p7s, 1 },
    { JOB_VERIFY, p7s, file, NULL, 1 },
    { JOB_ENCRYPT, file, NULL, p7m, 1 },
    { JOB_DECRYPT, p7m, NULL, out, 1 },
    { JOB_SIGN_ENCRYPT, file, NULL, signed_p7m, 2 },
    { JOB_SIGN, msg, NULL, signed_msg, 2 },
    { JOB_VERIFY, signed_msg, NULL, NULL, 2 },
    { JOB_ENCRYPT, msg, NULL, enc_msg, 2 },
    { JOB_DECRYPT, enc_msg, NULL, dec_msg, 0 },
  };

  make_random_file ("progress.bin", 50);
  make_message ("progress.eml", 50);

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      g_autoptr(CachetOptions) options = progress_options ();
      ProgressJob job = { jobs[i].kind, options, jobs[i].input, jobs[i].content, jobs[i].output, FALSE, 0 };
      guint64 size = size_of (jobs[i].input) + (jobs[i].content ? size_of (jobs[i].content) : 0);

      run_progress_job (&job, jobs[i].passes, size);
    }
  shell_ok ("cd '%s' && cmp progress.bin progress.out && cmp progress.eml progress-dec.eml && rm -f progress*", dir);
}

/* A message job cancelled before it starts: the signature (made while the message is written)
 * and the encryption (made in a helper thread) both give up with G_IO_ERROR_CANCELLED, and
 * no output appears. */
static void
test_cancelled_message_jobs (void)
{
  g_autofree char *msg = path_in ("cancel.eml");
  g_autofree char *out = path_in ("cancel-out.eml");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  make_message ("cancel.eml", 2);
  g_cancellable_cancel (cancellable);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(CachetOptions) options = progress_options ();
      g_autoptr(GError) error = NULL;
      CachetOutput *output = cachet_output_new (out, &error);
      gboolean ok;

      g_assert_no_error (error);
      if (i == 0)
        ok = cachet_sign_file (options, msg, output, cancellable, &error);
      else
        ok = cachet_encrypt_file (options, msg, output, cancellable, &error);
      g_assert_false (ok);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      cachet_output_free (output);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }

  /* and the same jobs without cancelling work (the pipe and the lazy signature) */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(CachetOptions) options = progress_options ();
      g_autoptr(GError) error = NULL;
      CachetOutput *output = cachet_output_new (out, &error);

      g_assert_no_error (error);
      if (i == 0)
        g_assert_true (cachet_sign_file (options, msg, output, NULL, &error));
      else
        g_assert_true (cachet_encrypt_file (options, msg, output, NULL, &error));
      g_assert_no_error (error);
      cachet_output_free (output);
      if (i == 0)
        shell_ok ("cd '%s' && openssl cms -verify -in cancel-out.eml -CAfile '%s' -purpose smimesign -out /dev/null",
                  dir, pki->root_cert);
      else
        shell_ok ("cd '%s' && openssl cms -decrypt -in cancel-out.eml -recip '%s.crt' -inkey '%s.key' -out /dev/null",
                  dir, alice, alice);
    }
  shell_ok ("cd '%s' && rm -f cancel*", dir);
}

/* CACHET_TEST_LARGE=1: a 1 GB file signed, verified, encrypted and decrypted, under 64 MB. */
static void
test_large_file (void)
{
  g_autofree char *chain = g_strconcat (alice, "-chain.pem", NULL);
  g_autofree char *cert = g_strconcat (alice, ".crt", NULL);
  g_autofree char *key = g_strconcat (alice, ".key", NULL);
  g_autofree char *a = NULL;

  if (g_strcmp0 (g_getenv ("CACHET_TEST_LARGE"), "1") != 0)
    {
      g_test_skip ("set CACHET_TEST_LARGE=1 for the 1 GB round trip");
      return;
    }

  make_random_file ("large.bin", 1024);
  a = g_strdup_printf ("sign --cert '%s' --key '%s' -o large.bin.p7s large.bin", chain, key);
  g_assert_cmpuint (cli_peak_kb (0, a), <, 64 * 1024);
  g_free (a);
  a = g_strdup_printf ("verify --no-system-trust --trust '%s' large.bin.p7s --content large.bin", pki->root_cert);
  g_assert_cmpuint (cli_peak_kb (0, a), <, 64 * 1024);
  g_free (a);
  a = g_strdup_printf ("encrypt --no-system-trust --trust '%s' --certs '%s' --to-cert '%s' --no-self -o large.bin.p7m large.bin",
                       pki->root_cert, pki->inter_cert, cert);
  g_assert_cmpuint (cli_peak_kb (0, a), <, 64 * 1024);
  shell_ok ("cd '%s' && openssl cms -decrypt -binary -inform DER -in large.bin.p7m -recip '%s' -inkey '%s' "
            "-out large.openssl-out && cmp large.bin large.openssl-out && rm large.openssl-out", dir, cert, key);
  g_free (a);
  a = g_strdup_printf ("decrypt --no-system-trust --cert '%s' --key '%s' -o large.out large.bin.p7m", cert, key);
  g_assert_cmpuint (cli_peak_kb (4, a), <, 64 * 1024);
  shell_ok ("cd '%s' && cmp large.bin large.out && rm -f large*", dir);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  cachet_core_init ();

  if (!cachet_test_have_program ("openssl"))
    {
      g_printerr ("openssl is needed for the streaming interoperability tests\n");
      return 1;
    }

  dir = cachet_test_tmpdir ();
  {
    g_autofree char *data = g_build_filename (dir, "data", NULL);
    g_setenv ("XDG_DATA_HOME", data, TRUE);
  }
  pki = cachet_test_pki_new ();
  alice = cachet_test_pki_issue (pki, "alice", "alice@example.com", "rsa2048", NULL);

  g_test_add_func ("/cachet/streaming/newline-filters", test_newline_filters);
  g_test_add_func ("/cachet/streaming/base64", test_base64_steps);
  g_test_add_func ("/cachet/streaming/file-stream", test_file_stream);
  g_test_add_func ("/cachet/streaming/signed-data-vs-gnutls", test_signed_data_vs_gnutls);
  g_test_add_func ("/cachet/streaming/file-interop-50mb", test_file_interop_50mb);
  g_test_add_func ("/cachet/streaming/message-interop-50mb", test_message_interop_50mb);
  g_test_add_func ("/cachet/streaming/full-runtime-folder", test_full_runtime_folder);
  g_test_add_func ("/cachet/streaming/flat-memory", test_flat_memory);
  g_test_add_func ("/cachet/streaming/progress", test_progress);
  g_test_add_func ("/cachet/streaming/cancelled-message-jobs", test_cancelled_message_jobs);
  g_test_add_func ("/cachet/streaming/large-file", test_large_file);

  status = g_test_run ();

  cachet_test_pki_free (pki);
  g_free (alice);
  g_free (dir);
  return status;
}
