/* forms.c — a dossier's forms as PDF (receipt, supplement request, refusal, apology, stop
 * notice, result), composed from a table (data/dossier/forms.json): each form's title, the
 * lines it shows and when it exists. Values come from the dossier through the getters below;
 * every form carries a QR code that opens the public lookup (the result's opens /verify). */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "dossier/dossier.h"
#include "security/seal.h"
#include "forms/pdf.h"
#include "store/store.h"

#define FORM_LINES 12

struct form_ctx {
	const struct dossiers *d;
	struct db *db;
	const struct dossier_row *r;
	const json_t *procedure;
	const struct form_extra *x;
};

/* The latest note of the move into status `to`. */
static void note_of(const struct form_ctx *c, int to, char *out, size_t n)
{
	struct db_stmt *st = db_prepare(c->db, "SELECT note FROM dossier_events WHERE code = ? AND to_status = ? ORDER BY seq DESC "
					       "LIMIT 1");
	out[0] = 0;
	if (st && !db_bind(st, "ti", c->r->code, (int64_t)to) && db_step(st) == DB_ROW) {
		char *note = unseal_col(st, 0, "dossier_events.note", c->r->code);
		snprintf(out, n, "%s", note ? note : "");
		free(note);
		db_reset(st);
	}
}

static void local_time(int64_t us, bool present, char *out, size_t n)
{
	if (!present) {
		snprintf(out, n, "—");
		return;
	}
	time_t t = (time_t)(us / 1000000) + 7 * 3600;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, n, "%H:%M ngày %d/%m/%Y", &tm);
}

static void field(const struct form_ctx *c, const char *name, char *out, size_t n)
{
	const char *v = json_string_value(json_object_get(c->r->fields, name));
	snprintf(out, n, "%s", v ? v : "—");
}

static void get_code(const struct form_ctx *c, char *out, size_t n) { snprintf(out, n, "%s", c->r->code); }
static void get_procedure(const struct form_ctx *c, char *out, size_t n)
{
	snprintf(out, n, "%s (%s)", json_string_value(json_object_get(json_object_get(c->procedure, "name"), "vi")), c->r->procedure);
}
static void get_name(const struct form_ctx *c, char *out, size_t n) { field(c, "applicant_full_name", out, n); }
static void get_id(const struct form_ctx *c, char *out, size_t n) { snprintf(out, n, "%s", c->r->applicant); }
static void get_channel(const struct form_ctx *c, char *out, size_t n)
{
	static const char *names[] = {"", "Trực tiếp / In person", "Trực tuyến / Online", "Qua bưu chính / By post"};
	snprintf(out, n, "%s", c->r->channel >= 1 && c->r->channel <= 3 ? names[c->r->channel] : "—");
}
static void get_received(const struct form_ctx *c, char *out, size_t n) { local_time(c->r->received_at, true, out, n); }
static void get_accepted(const struct form_ctx *c, char *out, size_t n) { local_time(c->r->accepted_at, c->r->has_accepted, out, n); }
static void get_due(const struct form_ctx *c, char *out, size_t n) { local_time(c->r->due_at, c->r->has_due, out, n); }
static void get_supplement(const struct form_ctx *c, char *out, size_t n) { note_of(c, 5, out, n); }
static void get_refusal(const struct form_ctx *c, char *out, size_t n) { note_of(c, 3, out, n); }
static void get_stop(const struct form_ctx *c, char *out, size_t n) { note_of(c, 8, out, n); }
static void get_reason(const struct form_ctx *c, char *out, size_t n)
{
	snprintf(out, n, "%s", json_string_value(json_object_get(c->r->apology, "reason")) ?: "—");
}
static void get_appointment(const struct form_ctx *c, char *out, size_t n)
{
	const char *d = json_string_value(json_object_get(c->r->apology, "new_appointment"));
	if (d && strlen(d) == 10)
		snprintf(out, n, "%.2s/%.2s/%.4s", d + 8, d + 5, d);
	else
		snprintf(out, n, "—");
}
static void get_document(const struct form_ctx *c, char *out, size_t n) { snprintf(out, n, "%s", c->x ? c->x->document_id : "—"); }
static void get_issued(const struct form_ctx *c, char *out, size_t n) { local_time(c->x ? c->x->issued_at : 0, c->x, out, n); }
static void get_issuer(const struct form_ctx *c, char *out, size_t n);

static const struct {
	const char *key;
	void (*get)(const struct form_ctx *c, char *out, size_t n);
} getters[] = {
	{"code", get_code},		{"procedure", get_procedure},	  {"applicant_name", get_name},
	{"applicant_id", get_id},	{"channel", get_channel},	  {"received_at", get_received},
	{"accepted_at", get_accepted},	{"due_at", get_due},		  {"supplement_note", get_supplement},
	{"refusal_note", get_refusal},	{"stop_note", get_stop},	  {"apology_reason", get_reason},
	{"new_appointment", get_appointment}, {"document_id", get_document}, {"issued_at", get_issued},
	{"issuer", get_issuer},
};

/* "UỶ BAN NHÂN DÂN" and the unit's name, upper case, for the heading. */
static void issuer_name(const struct form_ctx *c, char *out, size_t n)
{
	char today[11];
	clock_today_vn(today, sizeof today);
	const struct unit *u = units_find(c->d->registry->units, c->r->unit, today);
	const json_t *agency = catalog_agency(c->d->registry->catalog, c->r->agency);
	const char *kind = json_string_value(json_object_get(json_object_get(agency, "name"), "vi"));
	snprintf(out, n, "%s %s", kind ? kind : "", u ? u->name : c->r->unit);
}

static void get_issuer(const struct form_ctx *c, char *out, size_t n) { issuer_name(c, out, n); }

/* When each form exists. */
static bool needs(const struct form_ctx *c, const char *what)
{
	const struct dossier_row *r = c->r;
	const struct {
		const char *name;
		bool holds;
	} table[] = {
		{"accepted", r->has_accepted}, {"supplement", r->supplements > 0}, {"refused", r->status == 3},
		{"apology", r->apology != NULL}, {"stopped", r->status == 8},	   {"finished", r->status == 9 || r->status == 10},
	};
	for (size_t i = 0; what && i < sizeof table / sizeof *table; i++)
		if (!strcmp(table[i].name, what))
			return table[i].holds;
	return false;
}

static const json_t *form_def(const struct dossiers *d, const char *kind)
{
	return json_find(json_object_get(d->forms, "forms"), "kind", kind);
}

static int fill_lines(const struct form_ctx *c, const json_t *def, struct pdf_line *lines, char (*labels)[160],
		      char (*values)[600])
{
	int n = 0;
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(def, "lines"), i, k) {
		const char *key = json_string_value(k);
		const json_t *label = json_object_get(json_object_get(c->d->forms, "labels"), key ? key : "");
		for (size_t g = 0; key && n < FORM_LINES && g < sizeof getters / sizeof *getters; g++)
			if (!strcmp(getters[g].key, key)) {
				snprintf(labels[n], 160, "%s / %s", json_string_value(json_object_get(label, "vi")),
					 json_string_value(json_object_get(label, "en")));
				getters[g].get(c, values[n], 600);
				lines[n] = (struct pdf_line){labels[n], values[n]};
				n++;
			}
	}
	return n;
}

int form_render(const struct dossiers *d, struct db *db, const struct dossier_row *r, const char *kind,
		const struct form_extra *x, char **pdf, size_t *len, struct err *e)
{
	const json_t *def = form_def(d, kind);
	struct form_ctx c = {d, db, r, catalog_procedure(d->registry->catalog, r->procedure), x};
	if (!def)
		return err_set(e, 404, "unknown_form", "no form %s: receipt, supplement, refusal, apology, stop or result",
			       "không có biểu mẫu %s", kind);
	if (!needs(&c, json_string_value(json_object_get(def, "needs"))))
		return err_set(e, 409, "form_not_available", "dossier %s has no %s form in its present state",
			       "hồ sơ %s chưa có biểu mẫu %s ở trạng thái hiện tại", r->code, kind);
	struct pdf_line lines[FORM_LINES];
	char labels[FORM_LINES][160], values[FORM_LINES][600], issuer[200], text[1200], qr[1400], caption[1500];
	int n = fill_lines(&c, def, lines, labels, values);
	issuer_name(&c, issuer, sizeof issuer);
	char *upper = g_utf8_strup(issuer, -1);
	const json_t *title = json_object_get(def, "title"), *body = json_object_get(def, "text");
	snprintf(text, sizeof text, "%s\n%s", json_string_value(json_object_get(body, "vi")), json_string_value(json_object_get(body, "en")));
	if (x && x->qr)
		snprintf(qr, sizeof qr, "%s", x->qr);
	else
		snprintf(qr, sizeof qr, "%s/lookup.html?code=%s", d->public_url, r->code);
	snprintf(caption, sizeof caption, "%s", qr);
	struct pdf_form f = {upper,
			     json_string_value(json_object_get(def, "form_no")),
			     json_string_value(json_object_get(title, "vi")),
			     json_string_value(json_object_get(title, "en")),
			     lines,
			     (size_t)n,
			     text,
			     qr,
			     caption,
			     x ? "CƠ QUAN CẤP / ISSUED BY\n(đã ký số / signed electronically)" : "NGƯỜI TIẾP NHẬN / RECEIVED BY",
			     json_string_value(json_object_get(title, "vi"))};
	int rc = pdf_render(&f, pdf, len, e);
	g_free(upper);
	return rc;
}

int form_pdf(const struct dossiers *d, struct db *db, const struct principal *who, const char *code, const char *kind,
	     const struct usage_wait *w, char **pdf, size_t *len, struct err *e)
{
	struct dossier_row r;
	if (dossier_load(db, code, &r, e))
		return -1;
	bool staff = dossier_desk_of(who, r.unit, r.agency);
	int rc = 0;
	if (!staff && !dossier_applicant_is(who, r.applicant))
		rc = err_set(e, 403, "forbidden", "dossier %s belongs to another applicant and another desk",
			     "hồ sơ %s thuộc người nộp khác và bộ phận khác", code);
	else if (!strcmp(kind, "result"))
		rc = result_pdf(d, db, &r, pdf, len, e);
	else
		rc = form_render(d, db, &r, kind, NULL, pdf, len, e);
	if (!rc && staff) { /* a form shows the applicant's data: a staff read is a use of it */
		json_t *names = json_pack("[s]", "dossier");
		struct usage_entry ux = {r.applicant, who->username, who->unit, "read_form", code, names};
		rc = usage_record(d->registry, db, &ux, true, w);
		json_decref(names);
		if (rc < 0) {
			free(*pdf);
			*pdf = NULL;
			err_set(e, 503, "usage_log_unavailable", "the read could not be logged, so no data is shown; try again",
				"không ghi được nhật ký sử dụng nên không hiển thị dữ liệu; hãy thử lại");
		}
	}
	dossier_row_release(&r);
	return rc;
}
