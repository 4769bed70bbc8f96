/* pdf.c — the form page: A4, 2 cm margins, a serif face with Vietnamese glyphs (DejaVu Serif,
 * installed with the package fonts-dejavu-core), text laid out by Pango, a QR drawn as squares.
 * The PDF is written to memory through a cairo stream. */
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "forms/pdf.h"

#define A4_W 595.28
#define A4_H 841.89
#define MARGIN 56.7 /* 2 cm */
#define FACE "DejaVu Serif"
#define PDF_MAX (4 * 1024 * 1024)
#define QR_SIZE 110.0

struct page {
	cairo_t *cr;
	double y; /* the next line's top */
};

static cairo_status_t to_buf(void *closure, const unsigned char *data, unsigned int len)
{
	return buf_add(closure, data, len) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* Lays out text in a box of width w at x; returns its height. */
static double text_at(struct page *p, const char *text, double x, double w, double size, bool bold, bool italic,
		      PangoAlignment align)
{
	PangoLayout *l = pango_cairo_create_layout(p->cr);
	PangoFontDescription *fd = pango_font_description_new();
	pango_font_description_set_family(fd, FACE);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_font_description_set_style(fd, italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
	pango_layout_set_font_description(l, fd);
	pango_layout_set_width(l, (int)(w * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, align);
	pango_layout_set_text(l, text, -1);
	int pw, ph;
	pango_layout_get_size(l, &pw, &ph);
	cairo_move_to(p->cr, x, p->y);
	pango_cairo_show_layout(p->cr, l);
	pango_font_description_free(fd);
	g_object_unref(l);
	return (double)ph / PANGO_SCALE;
}

static void heading(struct page *p, const struct pdf_form *f)
{
	double half = (A4_W - 2 * MARGIN) / 2, top = p->y;
	double left = text_at(p, f->issuer ? f->issuer : "", MARGIN, half - 10, 10.5, true, false, PANGO_ALIGN_CENTER);
	double right = text_at(p, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", MARGIN + half - 20, half + 20, 10, true, false, PANGO_ALIGN_CENTER);
	p->y += right;
	p->y += text_at(p, "Độc lập - Tự do - Hạnh phúc", MARGIN + half, half, 11, true, false, PANGO_ALIGN_CENTER);
	p->y = (top + left > p->y ? top + left : p->y) + 4;
	if (f->form_no)
		text_at(p, f->form_no, MARGIN, half - 10, 9.5, false, true, PANGO_ALIGN_CENTER);
	p->y += 36;
	p->y += text_at(p, f->title, MARGIN, A4_W - 2 * MARGIN, 14, true, false, PANGO_ALIGN_CENTER);
	if (f->subtitle)
		p->y += text_at(p, f->subtitle, MARGIN, A4_W - 2 * MARGIN, 10.5, false, true, PANGO_ALIGN_CENTER);
	p->y += 18;
}

static void lines(struct page *p, const struct pdf_form *f)
{
	double label_w = 190, x = MARGIN + label_w, w = A4_W - MARGIN - x;
	for (size_t i = 0; i < f->nlines; i++) {
		double a = text_at(p, f->lines[i].label, MARGIN, label_w - 8, 10.5, false, false, PANGO_ALIGN_LEFT);
		double b = text_at(p, f->lines[i].value ? f->lines[i].value : "", x, w, 10.5, true, false, PANGO_ALIGN_LEFT);
		p->y += (a > b ? a : b) + 5;
	}
	if (f->text) {
		p->y += 8;
		p->y += text_at(p, f->text, MARGIN, A4_W - 2 * MARGIN, 10.5, false, false, PANGO_ALIGN_LEFT) + 8;
	}
}

static int qr_at(struct page *p, const char *text, double x, double y)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return -1;
	int n = qr->width, quiet = 2;
	double m = QR_SIZE / (n + 2 * quiet);
	cairo_set_source_rgb(p->cr, 1, 1, 1);
	cairo_rectangle(p->cr, x, y, QR_SIZE, QR_SIZE);
	cairo_fill(p->cr);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	for (int r = 0; r < n; r++)
		for (int c = 0; c < n; c++)
			if (qr->data[r * n + c] & 1)
				cairo_rectangle(p->cr, x + (c + quiet) * m, y + (r + quiet) * m, m, m);
	cairo_fill(p->cr);
	QRcode_free(qr);
	return 0;
}

static int footer(struct page *p, const struct pdf_form *f)
{
	double half = (A4_W - 2 * MARGIN) / 2, top = p->y + 12;
	if (f->signature) {
		p->y = top;
		text_at(p, f->signature, MARGIN + half, half, 10.5, true, false, PANGO_ALIGN_CENTER);
	}
	if (!f->qr)
		return 0;
	double y = A4_H - MARGIN - QR_SIZE - 30;
	if (y < top)
		y = top;
	if (qr_at(p, f->qr, MARGIN, y))
		return -1;
	p->y = y + QR_SIZE + 2;
	text_at(p, f->qr_caption ? f->qr_caption : f->qr, MARGIN, A4_W - 2 * MARGIN, 8, false, true, PANGO_ALIGN_LEFT);
	return 0;
}

int pdf_render(const struct pdf_form *f, char **out, size_t *len, struct err *e)
{
	struct buf b;
	buf_init(&b, PDF_MAX);
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(to_buf, &b, A4_W, A4_H);
	if (f->doc_title)
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, f->doc_title);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "trondoi");
	struct page p = {cairo_create(s), MARGIN};
	cairo_set_source_rgb(p.cr, 0, 0, 0);
	heading(&p, f);
	lines(&p, f);
	int rc = footer(&p, f);
	cairo_show_page(p.cr);
	cairo_destroy(p.cr);
	cairo_surface_finish(s);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		rc = -1;
	cairo_surface_destroy(s);
	if (rc || !b.len) {
		buf_release(&b);
		return err_set(e, 500, "pdf_failed", "the form could not be drawn", "không tạo được biểu mẫu PDF");
	}
	*out = b.data;
	*len = b.len;
	return 0;
}
