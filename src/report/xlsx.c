/* xlsx.c — the reports as spreadsheets (libxlsxwriter): the service index with a summary sheet
 * (the total, each group, the units below ranked by their totals) and one sheet per group, and
 * the targets scorecard on one sheet. Figures are numbers, headers bold, names in Vietnamese and
 * English. libxlsxwriter writes to a file: a temporary one under $TMPDIR (or /tmp), read back
 * into memory and removed. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "report/report.h"

#define XLSX_MAX (16 * 1024 * 1024) /* far above any report: 2048 units below make ~100 KiB */

/* A workbook being written, with the formats its sheets share. err is set by any failed write. */
struct book {
	lxw_workbook *wb;
	lxw_format *bold, *dec; /* dec: two decimals (rates, points) */
	char path[PATH_MAX], tmpdir[PATH_MAX];
	int fd;
	bool err;
};

static const char *tmp_dir(void)
{
	const char *t = getenv("TMPDIR");
	return t && t[0] ? t : "/tmp";
}

static int book_open(struct book *b, struct err *e)
{
	memset(b, 0, sizeof *b);
	snprintf(b->tmpdir, sizeof b->tmpdir, "%s", tmp_dir());
	snprintf(b->path, sizeof b->path, "%s/trondoi-report-XXXXXX", b->tmpdir);
	b->fd = mkstemp(b->path);
	if (b->fd < 0)
		return err_set(e, 500, "export_failed", "cannot create a temporary file in %s: %s",
			       "không tạo được tệp tạm trong %s: %s", b->tmpdir, strerror(errno));
	lxw_workbook_options o = {.tmpdir = b->tmpdir};
	b->wb = workbook_new_opt(b->path, &o);
	if (!b->wb) {
		unlink(b->path);
		close(b->fd);
		return err_set(e, 500, "export_failed", "cannot start the spreadsheet", "không tạo được bảng tính");
	}
	b->bold = workbook_add_format(b->wb);
	format_set_bold(b->bold);
	b->dec = workbook_add_format(b->wb);
	format_set_num_format(b->dec, "0.00");
	return 0;
}

/* workbook_close stamps the document with gmtime(), whose result is shared by the process: one
 * workbook closes at a time. */
static pthread_mutex_t closing = PTHREAD_MUTEX_INITIALIZER;

/* Finishes the workbook and reads it into out (data malloc'd); removes the file either way. */
static int book_close(struct book *b, struct report_file *out, struct err *e)
{
	pthread_mutex_lock(&closing);
	lxw_error rc = workbook_close(b->wb);
	pthread_mutex_unlock(&closing);
	struct stat st;
	char *data = NULL;
	bool ok = rc == LXW_NO_ERROR && !b->err && !fstat(b->fd, &st) && st.st_size > 0 && st.st_size <= XLSX_MAX &&
		  (data = malloc((size_t)st.st_size)) && pread(b->fd, data, (size_t)st.st_size, 0) == st.st_size;
	unlink(b->path);
	close(b->fd);
	if (!ok) {
		free(data);
		return err_set(e, 500, "export_failed", "cannot write the spreadsheet: %s", "không ghi được bảng tính: %s",
			       rc != LXW_NO_ERROR ? lxw_strerror(rc) : b->err ? "a cell or sheet was refused" : "cannot read it back");
	}
	out->data = data;
	out->len = (size_t)st.st_size;
	return 0;
}

static lxw_worksheet *sheet(struct book *b, const char *name)
{
	lxw_worksheet *ws = name && workbook_validate_sheet_name(b->wb, name) == LXW_NO_ERROR ? workbook_add_worksheet(b->wb, name) : NULL;
	b->err |= !ws;
	return ws;
}

static void text(struct book *b, lxw_worksheet *ws, int row, int col, const char *s, lxw_format *f)
{
	if (ws && s)
		b->err |= worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, s, f) != LXW_NO_ERROR;
}

/* A JSON number as a number (with f), a boolean as a boolean; null leaves the cell empty. */
static void value(struct book *b, lxw_worksheet *ws, int row, int col, const json_t *v, lxw_format *f)
{
	if (!ws)
		return;
	if (json_is_number(v))
		b->err |= worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)col, json_number_value(v), f) != LXW_NO_ERROR;
	else if (json_is_boolean(v))
		b->err |= worksheet_write_boolean(ws, (lxw_row_t)row, (lxw_col_t)col, json_is_true(v), f) != LXW_NO_ERROR;
}

/* A header row in bold, with each column's width. */
struct column {
	const char *head;
	double width;
};

static void header(struct book *b, lxw_worksheet *ws, int row, const struct column *cols, size_t n)
{
	for (size_t i = 0; ws && i < n; i++) {
		text(b, ws, row, (int)i, cols[i].head, b->bold);
		worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, cols[i].width, NULL);
	}
}

static const char *name_in(const json_t *x, const char *lang) { return json_string_value(json_object_get(json_object_get(x, "name"), lang)); }
static const char *str(const json_t *x, const char *key) { return json_string_value(json_object_get(x, key)); }

/* ---- the service index ---- */

static const struct column indicator_cols[] = {
	{"Mã / ID", 8},
	{"Chỉ tiêu", 60},
	{"Indicator", 50},
	{"Đo được / Measured", 12},
	{"Tử số / Numerator", 12},
	{"Mẫu số / Denominator", 12},
	{"Tỷ lệ (%) / Rate (%)", 12},
	{"Mục tiêu (%) / Target (%)", 12},
	{"Điểm / Points", 10},
	{"Tối đa / Max", 10},
};
#define N_INDICATOR_COLS (sizeof indicator_cols / sizeof *indicator_cols)

/* A group's sheet: one row per indicator, then the group's points. */
static void group_sheet(struct book *b, const json_t *g)
{
	lxw_worksheet *ws = sheet(b, str(g, "id"));
	header(b, ws, 0, indicator_cols, N_INDICATOR_COLS);
	if (ws)
		worksheet_freeze_panes(ws, 1, 0);
	size_t i;
	json_t *x;
	int row = 1;
	json_array_foreach(json_object_get(g, "indicators"), i, x) {
		text(b, ws, row, 0, str(x, "id"), NULL);
		text(b, ws, row, 1, name_in(x, "vi"), NULL);
		text(b, ws, row, 2, name_in(x, "en"), NULL);
		value(b, ws, row, 3, json_object_get(x, "measured"), NULL);
		value(b, ws, row, 4, json_object_get(x, "numerator"), NULL);
		value(b, ws, row, 5, json_object_get(x, "denominator"), NULL);
		value(b, ws, row, 6, json_object_get(x, "rate"), b->dec);
		value(b, ws, row, 7, json_object_get(x, "target"), NULL);
		value(b, ws, row, 8, json_object_get(x, "points"), b->dec);
		value(b, ws, row, 9, json_object_get(x, "max"), NULL);
		row++;
	}
	text(b, ws, row, 1, name_in(g, "vi"), b->bold);
	text(b, ws, row, 2, name_in(g, "en"), b->bold);
	value(b, ws, row, 8, json_object_get(g, "points"), b->dec);
	value(b, ws, row, 9, json_object_get(g, "max"), NULL);
}

static const struct column group_cols[] = {
	{"Nhóm / Group", 14}, {"Tên nhóm", 32}, {"Group", 32}, {"Điểm / Points", 12}, {"Tối đa / Max", 12},
};
static const struct column rank_cols[] = {
	{"Xếp hạng / Rank", 14}, {"Mã đơn vị / Unit", 32}, {"Tên đơn vị / Name", 32}, {"Tổng điểm / Total", 12},
};

static int by_total(const void *pa, const void *pb)
{
	const json_t *a = *(const json_t *const *)pa, *b = *(const json_t *const *)pb;
	double ta = json_number_value(json_object_get(a, "total")), tb = json_number_value(json_object_get(b, "total"));
	return ta > tb ? -1 : ta < tb ? 1 : strcmp(str(a, "unit"), str(b, "unit"));
}

/* The units below ranked by their totals (equal totals share a rank), from row on. */
static void ranking(struct book *b, lxw_worksheet *ws, int row, const json_t *children)
{
	size_t n = json_array_size(children);
	const json_t **sorted = n ? malloc(n * sizeof *sorted) : NULL;
	b->err |= n && !sorted;
	if (!sorted)
		return;
	for (size_t i = 0; i < n; i++)
		sorted[i] = json_array_get(children, i);
	qsort(sorted, n, sizeof *sorted, by_total);
	header(b, ws, row++, rank_cols, sizeof rank_cols / sizeof *rank_cols);
	size_t rank = 1;
	for (size_t i = 0; i < n; i++, row++) {
		if (i && json_number_value(json_object_get(sorted[i], "total")) < json_number_value(json_object_get(sorted[i - 1], "total")))
			rank = i + 1;
		if (ws)
			b->err |= worksheet_write_number(ws, (lxw_row_t)row, 0, (double)rank, NULL) != LXW_NO_ERROR;
		text(b, ws, row, 1, str(sorted[i], "unit"), NULL);
		text(b, ws, row, 2, str(sorted[i], "name"), NULL);
		value(b, ws, row, 3, json_object_get(sorted[i], "total"), b->dec);
	}
	free(sorted);
}

/* The summary: which unit and period, each group's points, the total, the units below ranked. */
static void summary_sheet(struct book *b, const json_t *r)
{
	lxw_worksheet *ws = sheet(b, "summary");
	text(b, ws, 0, 0, "Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg) / Service index (Decision 766)", b->bold);
	text(b, ws, 1, 0, "Đơn vị / Unit", b->bold);
	text(b, ws, 1, 1, str(r, "unit"), NULL);
	text(b, ws, 1, 2, str(r, "name"), NULL);
	text(b, ws, 2, 0, "Kỳ / Period", b->bold);
	text(b, ws, 2, 1, str(r, "period"), NULL);
	text(b, ws, 2, 2, str(r, "cut"), NULL);
	text(b, ws, 3, 0, "Từ – đến / From – until", b->bold);
	text(b, ws, 3, 1, str(r, "from"), NULL);
	text(b, ws, 3, 2, str(r, "until"), NULL);
	int row = 5;
	header(b, ws, row++, group_cols, sizeof group_cols / sizeof *group_cols);
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(r, "groups"), i, g) {
		text(b, ws, row, 0, str(g, "id"), NULL);
		text(b, ws, row, 1, name_in(g, "vi"), NULL);
		text(b, ws, row, 2, name_in(g, "en"), NULL);
		value(b, ws, row, 3, json_object_get(g, "points"), b->dec);
		value(b, ws, row, 4, json_object_get(g, "max"), NULL);
		row++;
	}
	text(b, ws, row, 0, "total", b->bold);
	text(b, ws, row, 1, "Tổng điểm", b->bold);
	text(b, ws, row, 2, "Total", b->bold);
	value(b, ws, row, 3, json_object_get(r, "total"), b->dec);
	value(b, ws, row, 4, json_object_get(r, "max"), NULL);
	ranking(b, ws, row + 2, json_object_get(r, "children"));
}

int report_766_xlsx(const json_t *report, struct report_file *out, struct err *e)
{
	struct book b;
	if (book_open(&b, e))
		return -1;
	summary_sheet(&b, report);
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(report, "groups"), i, g) group_sheet(&b, g);
	return book_close(&b, out, e);
}

/* ---- the targets scorecard ---- */

static const struct column target_cols[] = {
	{"Mã / ID", 20},
	{"Mục tiêu", 60},
	{"Target", 50},
	{"Đo được / Measured", 12},
	{"Tử số / Numerator", 12},
	{"Mẫu số / Denominator", 12},
	{"Giá trị (%) / Value (%)", 12},
	{"Chỉ tiêu (%) / Target (%)", 12},
	{"Đạt / Met", 10},
};

int report_targets_xlsx(const json_t *report, struct report_file *out, struct err *e)
{
	struct book b;
	if (book_open(&b, e))
		return -1;
	lxw_worksheet *ws = sheet(&b, "targets");
	text(&b, ws, 0, 0, "Đơn vị / Unit", b.bold);
	text(&b, ws, 0, 1, str(report, "unit"), NULL);
	text(&b, ws, 0, 2, str(report, "level"), NULL);
	text(&b, ws, 1, 0, "Kỳ / Period", b.bold);
	text(&b, ws, 1, 1, str(report, "period"), NULL);
	text(&b, ws, 1, 2, str(report, "cut"), NULL);
	header(&b, ws, 3, target_cols, sizeof target_cols / sizeof *target_cols);
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(report, "targets"), i, x) {
		int row = 4 + (int)i;
		text(&b, ws, row, 0, str(x, "id"), NULL);
		text(&b, ws, row, 1, name_in(x, "vi"), NULL);
		text(&b, ws, row, 2, name_in(x, "en"), NULL);
		value(&b, ws, row, 3, json_object_get(x, "measured"), NULL);
		value(&b, ws, row, 4, json_object_get(x, "numerator"), NULL);
		value(&b, ws, row, 5, json_object_get(x, "denominator"), NULL);
		value(&b, ws, row, 6, json_object_get(x, "value"), b.dec);
		value(&b, ws, row, 7, json_object_get(x, "target"), NULL);
		value(&b, ws, row, 8, json_object_get(x, "met"), NULL);
	}
	return book_close(&b, out, e);
}
