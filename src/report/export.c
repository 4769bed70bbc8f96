/* export.c — the reports as files for people: which kinds of report there are, which formats
 * they are written in (JSON, CSV, XLSX), and the targets scorecard as CSV. The API and the
 * `trondoi report` command both go through here, so they write the same figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "report/report.h"

static const struct report_kind kinds[] = {
	{"766", report_766_view, report_766_csv, report_766_xlsx},
	{"targets", report_targets, report_targets_csv, report_targets_xlsx},
};

const struct report_kind *report_kind_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof kinds / sizeof *kinds; i++)
		if (!strcmp(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}

static char *as_json(const json_t *report)
{
	char *s = json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	size_t n = s ? strlen(s) : 0;
	char *t = s ? realloc(s, n + 2) : NULL;
	if (!t) {
		free(s);
		return NULL;
	}
	memcpy(t + n, "\n", 2);
	return t;
}

static int write_text(char *text, struct report_file *out, struct err *e)
{
	if (!text)
		return err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	out->data = text;
	out->len = strlen(text);
	return 0;
}

static int write_json(const struct report_kind *k, const json_t *r, struct report_file *out, struct err *e)
{
	(void)k;
	return write_text(as_json(r), out, e);
}

static int write_csv(const struct report_kind *k, const json_t *r, struct report_file *out, struct err *e)
{
	return write_text(k->csv(r), out, e);
}

static int write_xlsx(const struct report_kind *k, const json_t *r, struct report_file *out, struct err *e)
{
	return k->xlsx(r, out, e);
}

static const struct format {
	const char *name, *type;
	int (*write)(const struct report_kind *k, const json_t *r, struct report_file *out, struct err *e);
} formats[] = {
	{"json", "application/json", write_json},
	{"csv", "text/csv; charset=utf-8", write_csv},
	{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write_xlsx},
};

static const struct format *format_find(const char *name)
{
	for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
		if (!strcmp(formats[i].name, name ? name : "json"))
			return &formats[i];
	return NULL;
}

int report_format_check(const char *format, struct err *e)
{
	return format_find(format) ? 0 : err_set(e, 400, "invalid_query", "format must be json, csv or xlsx", "format phải là json, csv hoặc xlsx");
}

int report_export(const struct report_kind *kind, const json_t *report, const char *format, struct report_file *out,
		  struct err *e)
{
	const struct format *f = format_find(format);
	memset(out, 0, sizeof *out);
	if (!f)
		return report_format_check(format, e);
	if (f->write(kind, report, out, e))
		return -1;
	out->type = f->type;
	snprintf(out->name, sizeof out->name, "%s-%s-%s.%s", kind->name, json_string_value(json_object_get(report, "unit")),
		 json_string_value(json_object_get(report, "period")), f->name);
	return 0;
}

/* A number cell: integers as such, others with two decimals; null empty. */
static int number(struct buf *b, const json_t *v)
{
	if (json_is_integer(v))
		return buf_addf(b, ",%lld", (long long)json_integer_value(v));
	return json_is_number(v) ? buf_addf(b, ",%.2f", json_number_value(v)) : buf_adds(b, ",");
}

char *report_targets_csv(const json_t *report)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	int rc = buf_adds(&b, "unit,period,id,name,measured,numerator,denominator,value,target,met\r\n");
	const char *unit = json_string_value(json_object_get(report, "unit")), *period = json_string_value(json_object_get(report, "period"));
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(report, "targets"), i, x) {
		const json_t *met = json_object_get(x, "met");
		rc = rc || buf_addf(&b, "%s,%s,%s,", unit, period, json_string_value(json_object_get(x, "id"))) ||
		     buf_add_quoted(&b, json_string_value(json_object_get(json_object_get(x, "name"), "vi"))) ||
		     buf_adds(&b, json_is_true(json_object_get(x, "measured")) ? ",true" : ",false") ||
		     number(&b, json_object_get(x, "numerator")) || number(&b, json_object_get(x, "denominator")) ||
		     number(&b, json_object_get(x, "value")) || number(&b, json_object_get(x, "target")) ||
		     buf_adds(&b, json_is_boolean(met) ? json_is_true(met) ? ",true\r\n" : ",false\r\n" : ",\r\n");
	}
	if (rc) {
		buf_release(&b);
		return NULL;
	}
	return b.data;
}
