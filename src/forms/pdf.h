/* pdf.h — one-page A4 administrative forms as PDF: the national heading, the issuer, a title,
 * labelled lines, paragraphs and a QR code. Cairo draws, Pango shapes the Vietnamese text (its
 * stacked diacritics need a real shaper), libqrencode makes the QR. No knowledge of dossiers. */
#ifndef TD_PDF_H
#define TD_PDF_H

#include <stddef.h>

#include "core/err.h"

struct pdf_line {
	const char *label; /* "Mã hồ sơ / Dossier code" */
	const char *value;
};

struct pdf_form {
	const char *issuer;   /* left heading, upper case: "UỶ BAN NHÂN DÂN XÃ …" */
	const char *form_no;  /* "Mẫu số 01" */
	const char *title;    /* centred, bold */
	const char *subtitle; /* the English title, italic */
	const struct pdf_line *lines;
	size_t nlines;
	const char *text;       /* paragraphs after the lines, may be NULL */
	const char *qr;         /* what the QR encodes (a URL), may be NULL */
	const char *qr_caption; /* under the QR */
	const char *signature;  /* the signer's block, bottom right, may be NULL */
	const char *doc_title;  /* the PDF's metadata title */
};

/* Renders f to a PDF in *out (malloc'd, *len bytes). 0, or -1 with e. */
int pdf_render(const struct pdf_form *f, char **out, size_t *len, struct err *e);

#endif
