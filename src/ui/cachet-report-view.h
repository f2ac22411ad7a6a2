/* SPDX-License-Identifier: GPL-3.0-or-later
 * cachet-report-view.h: the verification report of one message or file.
 *
 * A status banner that Cachet draws outside the message (words, colour, icon), the signers,
 * what the signature covers, each problem as a sentence, then the message itself as inert
 * text with its attachments.
 */
#pragma once

#include <gtk/gtk.h>

#include "cachet-store.h"
#include "cachet-verdict.h"

G_BEGIN_DECLS

#define CACHET_TYPE_REPORT_VIEW (cachet_report_view_get_type ())
G_DECLARE_FINAL_TYPE (CachetReportView, cachet_report_view, CACHET, REPORT_VIEW, GtkWidget)

GtkWidget     *cachet_report_view_new         (void);
/* Shows VERDICT about FILE (FILE may be NULL; it names the report). */
void           cachet_report_view_set_verdict (CachetReportView *self,
                                               CachetVerdict    *verdict,
                                               GFile            *file);
CachetVerdict *cachet_report_view_get_verdict (CachetReportView *self);
/* The key store, for "Add to Contacts" (may be NULL). Takes effect at the next verdict. */
void           cachet_report_view_set_store   (CachetReportView *self,
                                               CachetStore      *store);

/* For tests: the banner's headline label; the banner carries the status name
 * ("good", "bad", "error", "untrusted", "unsigned") as a style class. */
GtkLabel      *_cachet_report_view_get_status_label (CachetReportView *self);
GtkWidget     *_cachet_report_view_get_banner       (CachetReportView *self);
/* For tests: the text shown as the message body ("" when none). */
char          *_cachet_report_view_get_body_text    (CachetReportView *self);
/* For tests: TRUE while the body is still being read (in a thread; a spinner shows). */
gboolean       _cachet_report_view_get_body_pending (CachetReportView *self);

G_END_DECLS
