/* index.c — dataset 4, the Decision 766 service index: for each of the last OD_MONTHS calendar
 * months that has dossiers, the total and each group's points of the publishing province and of
 * every unit below it on the month's map, with dossiers or not (report_766's children, and theirs).
 * Published figures never change silently: a unit whose month is closed (a version published
 * for the month, cut calendar: report/versions.c) shows its latest published version — its own
 * figures and its children's as that version froze them — and the dataset's modified date is
 * that version's time. An open or unclosed month is computed when asked, as report_766 computes
 * it for an admin: the same figures /api/v1/reports/766 shows staff for the same unit, month and
 * cut=calendar. Each record says which (state, version).
 * A unit and its children are scored in one pass over the month's dossiers
 * (report_766_with_children): one pass a month after the 2025 reform (province → communes), one
 * more per district before it; hence the OD_MONTHS limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "opendata/dataset.h"

#define MAX_DEPTH 3 /* province, district, commune */

static const struct od_field fields[] = {
	{"month", "text", "Tháng", "the calendar month, YYYY-MM, Vietnam time"},
	{"cut", "text", "Cách tính kỳ", "calendar: the month runs from its 1st to its last day (not the Decree 09 cut)"},
	{"unit", "text", "Mã đơn vị", "the unit's code on the month's map"},
	{"unit_name", "text", "Tên đơn vị", "the unit's name"},
	{"level", "text", "Cấp", "province, district or commune"},
	{"parent", "text", "Đơn vị cấp trên", "the unit it is counted under here (empty for the province)"},
	{"total", "numeric", "Tổng điểm", "the index, out of 100"},
	{"state", "text", "Trạng thái số liệu",
	 "published: the figures of a closed month as its latest published version froze them; live: computed from the dossiers now"},
	{"version", "int", "Phiên bản", "the published version the figures come from (empty when live)"},
};
#define NFIELDS (sizeof fields / sizeof *fields)

/* The fields above, then one a group of data/indicators/766.json: its points. */
static json_t *index_fields(const struct opendata *o)
{
	json_t *list = od_fields_json(fields, NFIELDS);
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(o->d->indicators, "groups"), i, g) {
		char notes[96];
		snprintf(notes, sizeof notes, "the points of the group, out of %lld",
			 (long long)json_integer_value(json_object_get(g, "max")));
		json_array_append_new(list, json_pack("{s:O,s:s,s:{s:O,s:s}}", "id", json_object_get(g, "id"), "type", "numeric", "info",
						      "label", json_object_get(json_object_get(g, "name"), "vi"), "notes", notes));
	}
	return list;
}

/* The caller report_766 answers: the system, as an admin. Staff routes keep their own checks. */
static const struct principal publisher = {.user_id = "system", .username = "opendata", .role = ROLE_ADMIN};

struct walk {
	const struct opendata *o;
	struct db *db;
	const char *month;
	const struct period *p;
	struct od_page *pg;
	struct err *e;
};

/* A record from a report (or a report's child entry: unit, name, total, groups); from is the
 * report whose figures they are (its state and version). A group the entry lacks is empty. */
static json_t *record(const struct walk *w, const json_t *x, const char *parent, const json_t *from)
{
	const char *unit = json_string_value(json_object_get(x, "unit"));
	const struct unit *u = units_find(w->o->d->registry->units, unit ? unit : "", w->p->last_day);
	json_t *r = json_pack("{s:s,s:s,s:O,s:O,s:s,s:O,s:O,s:O}", "month", w->month, "cut", w->p->cut, "unit", json_object_get(x, "unit"),
			      "unit_name", json_object_get(x, "name"), "level", u ? units_level_name(u->level) : "", "total",
			      json_object_get(x, "total"), "state", json_object_get(from, "state"), "version",
			      json_object_get(from, "version"));
	json_object_set_new(r, "parent", parent ? json_string(parent) : json_null());
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(w->o->d->indicators, "groups"), i, g) {
		const char *id = json_string_value(json_object_get(g, "id"));
		const json_t *mine = json_find(json_object_get(x, "groups"), "id", id);
		json_object_set(r, id, mine ? json_object_get(mine, "points") : json_null());
	}
	return r;
}

static int by_unit(const void *a, const void *b)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "unit")),
		      json_string_value(json_object_get(*(json_t *const *)b, "unit")));
}

/* The figures of unit for the month with its children's groups: its latest published version
 * when the month is closed for it, else computed now; "state" and "version" say which. A 4xx
 * (the published province is not on the month's map) is ours to fix, so a 500. */
static json_t *report_of(const struct walk *w, const char *unit)
{
	json_t *rep = NULL;
	long version = 0;
	int64_t at;
	int closed = report_published(w->db, unit, w->p, &rep, &version, &at);
	if (closed < 0) {
		err_set(w->e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
		return NULL;
	}
	if (!closed && report_766_with_children(w->o->d, w->db, &publisher, unit, w->p, &rep, w->e)) {
		if (w->e->status < 500)
			w->e->status = 500;
		return NULL;
	}
	json_object_set_new(rep, "state", json_string(closed ? "published" : "live"));
	json_object_set_new(rep, "version", closed ? json_integer(version) : json_null());
	return rep;
}

/* The records of rep's children in code order, each followed by its own children's (a unit
 * that is not a commune is reported on in turn). */
static int walk_children(const struct walk *w, const json_t *rep, int depth)
{
	json_t *children = json_object_get(rep, "children");
	size_t n = json_array_size(children);
	if (!n || depth >= MAX_DEPTH)
		return 0;
	json_t **list = calloc(n, sizeof *list);
	if (!list)
		return err_set(w->e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	for (size_t i = 0; i < n; i++)
		list[i] = json_array_get(children, i);
	qsort(list, n, sizeof *list, by_unit);
	const char *parent = json_string_value(json_object_get(rep, "unit"));
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		const char *unit = json_string_value(json_object_get(list[i], "unit"));
		if (od_page_wants(w->pg))
			od_page_add(w->pg, record(w, list[i], parent, rep));
		const struct unit *u = units_find(w->o->d->registry->units, unit, w->p->last_day);
		if (!u || u->level == UNIT_COMMUNE)
			continue;
		json_t *sub = report_of(w, unit);
		rc = sub ? walk_children(w, sub, depth + 1) : -1;
		json_decref(sub);
	}
	free(list);
	return rc;
}

/* A month: the province's record, then its children's. */
static int walk_month(const struct walk *w, const char *province)
{
	json_t *rep = report_of(w, province);
	if (!rep)
		return -1;
	if (od_page_wants(w->pg))
		od_page_add(w->pg, record(w, rep, NULL, rep));
	int rc = walk_children(w, rep, 1);
	json_decref(rep);
	return rc;
}

static const char *province(const struct opendata *o)
{
	return json_string_value(json_object_get(json_object_get(o->meta, "publisher"), "unit"));
}

/* The months covered: those of the last OD_MONTHS that have dossiers. */
static int months_covered(struct db *db, char (*months)[8], size_t *n)
{
	char now[8], since[8];
	od_month_of(clock_now_us(), now);
	od_month_add(now, -(OD_MONTHS - 1), since);
	return od_months_with_dossiers(db, since, months, OD_MONTHS, n);
}

static int index_records(const struct opendata *o, struct db *db, struct od_page *pg, struct err *e)
{
	char months[OD_MONTHS][8];
	size_t n;
	if (months_covered(db, months, &n))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	for (size_t i = 0; i < n; i++) {
		struct period p;
		if (od_month_period(months[i], &p))
			return err_set(e, 500, "bad_month", "cannot read month %s", "không đọc được tháng %s", months[i]);
		struct walk w = {o, db, months[i], &p, pg, e};
		if (walk_month(&w, province(o)))
			return -1;
	}
	return 0;
}

/* The last change to anything the index counts: dossiers received or finished (the counters'
 * facts, indexed by both times), the portal's acknowledgements, documents, ratings, feedback, the
 * catalog. */
static int last_change(struct db *db, int64_t *out)
{
	struct db_stmt *st = db_prepare(db, "SELECT (SELECT MAX(received_at) FROM report_facts), (SELECT MAX(acked_at) FROM outbox), "
					    "(SELECT MAX(at) FROM documents), (SELECT MAX(at) FROM ratings), "
					    "(SELECT MAX(created_at) FROM feedback), (SELECT MAX(answered_at) FROM feedback), "
					    "(SELECT MAX(rated_at) FROM feedback), (SELECT MAX(loaded_at) FROM procedures), "
					    "(SELECT MAX(finished_at) FROM report_facts)");
	if (!st || db_step(st) != DB_ROW)
		return -1;
	*out = 0;
	for (int i = 0; i < 9; i++)
		if (db_col_int(st, i) > *out)
			*out = db_col_int(st, i);
	db_reset(st);
	return 0;
}

/* When a month's figures last changed: the time of the province's published version when the
 * month is closed, else the last change to anything counted (live). */
static int month_modified(const struct opendata *o, struct db *db, const char *month, int64_t live, int64_t *out)
{
	struct period p;
	json_t *rep = NULL;
	long version;
	int64_t at = live;
	if (od_month_period(month, &p) || report_published(db, province(o), &p, &rep, &version, &at) < 0)
		return -1;
	json_decref(rep);
	*out = rep ? at : live;
	return 0;
}

/* From the first covered month's 1st to today; modified: the latest of the months' changes. */
static int index_coverage(const struct opendata *o, struct db *db, struct od_coverage *cv, struct err *e)
{
	char months[OD_MONTHS][8];
	size_t n;
	int64_t live;
	if (months_covered(db, months, &n) || last_change(db, &live))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	cv->months_max = OD_MONTHS;
	cv->modified_us = n ? 0 : live;
	for (size_t i = 0; i < n; i++) {
		int64_t m;
		if (month_modified(o, db, months[i], live, &m))
			return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
		if (m > cv->modified_us)
			cv->modified_us = m;
	}
	if (!n)
		return 0;
	snprintf(cv->from, sizeof cv->from, "%s-01", months[0]);
	clock_today_vn(cv->until, sizeof cv->until);
	return 0;
}

const struct od_dataset od_index = {"service-index-766", index_fields, index_records, index_coverage};
