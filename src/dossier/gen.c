/* gen.c — synthetic dossiers for benchmarks and demos (`trondoi gen dossiers`): spread over a
 * province's communes and a reporting year (15 December before to 14 December), on the catalog's
 * procedures, with realistic shares of online receipt, finished, on time, paid and rated. They
 * have no timeline or audit entries (no one handled them); each is marked changed, so the
 * reports' counters take them in as they would any dossier. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar/calendar.h"
#include "core/clock.h"
#include "dossier/dossier.h"
#include "security/seal.h"

#define GEN_BATCH 20000
#define MAX_GEN_UNITS 4096
#define DAY_US 86400000000LL

struct gen {
	uint64_t rng;
	const char *units[MAX_GEN_UNITS];
	size_t nunits;
	const json_t *procs[256];
	size_t nprocs;
	json_t *seq; /* "unit-YYMMDD" → the day's last number */
	int64_t from_us, span_us;
};

static uint64_t next(struct gen *g)
{
	g->rng ^= g->rng << 13; /* xorshift64 */
	g->rng ^= g->rng >> 7;
	g->rng ^= g->rng << 17;
	return g->rng;
}

static bool chance(struct gen *g, int percent) { return (int)(next(g) % 100) < percent; }

/* The province's communes in force on day, and the commune-level procedures. */
static int gen_scope(const struct dossiers *d, struct gen *g, const char *province, const char *day, struct err *e)
{
	const struct units *u = d->registry->units;
	for (size_t i = 0; i < units_count(u) && g->nunits < MAX_GEN_UNITS; i++) {
		const struct unit *x = units_at(u, i);
		if (x->level == UNIT_COMMUNE && units_find(u, x->code, day) == x && units_within(u, x->code, day, province, day))
			g->units[g->nunits++] = x->code;
	}
	size_t i;
	json_t *p;
	json_array_foreach(d->registry->catalog->procedures, i, p) {
		const char *level = json_string_value(json_object_get(p, "level"));
		if (level && !strcmp(level, "commune") && g->nprocs < sizeof g->procs / sizeof *g->procs)
			g->procs[g->nprocs++] = p;
	}
	if (!g->nunits || !g->nprocs)
		return err_set(e, 400, "no_units", "province %s has no communes on %s", "tỉnh %s không có xã nào vào ngày %s", province, day);
	return 0;
}

/* A code {unit}-{YYMMDD}-{NNNN}, numbered after the day's last. */
static void gen_code(struct gen *g, const char *unit, int64_t at, char *code, size_t len)
{
	char day[11], key[24];
	clock_date_vn(at, day, sizeof day);
	snprintf(key, sizeof key, "%s-%.2s%.2s%.2s", unit, day + 2, day + 5, day + 8);
	json_int_t n = json_integer_value(json_object_get(g->seq, key)) + 1;
	json_object_set_new(g->seq, key, json_integer(n));
	snprintf(code, len, "%s-%04lld", key, (long long)n);
}

/* One dossier: received in the year; 80 % finished within 1-12 days against a due of 10. */
static int gen_one(struct db *db, struct gen *g)
{
	const char *unit = g->units[next(g) % g->nunits];
	const json_t *p = g->procs[next(g) % g->nprocs];
	int64_t received = g->from_us + (int64_t)(next(g) % (uint64_t)g->span_us), due = received + 10 * DAY_US;
	bool online = chance(g, 70), finished = chance(g, 80), fee = json_integer_value(json_object_get(p, "fee")) > 0;
	int64_t done = received + (int64_t)(1 + next(g) % 12) * DAY_US - (int64_t)(next(g) % 3600) * 1000000;
	int status = finished ? (chance(g, 70) ? 10 : 9) : (int)(2 + next(g) % 3);
	char code[48], applicant[13];
	gen_code(g, unit, received, code, sizeof code);
	snprintf(applicant, sizeof applicant, "0%02d%09llu", 37, (unsigned long long)(next(g) % 1000000000ULL));
	char *fields = seal_text("dossiers.fields", code, "{}");
	struct db_stmt *st = db_prepare(db, "INSERT INTO dossiers (code, procedure_code, unit, agency, applicant_id, submitted_by, channel, "
					    "status, fields, received_at, accepted_at, due_at, finished_at, supplements, rev, updated_at, "
					    "paid_at) VALUES (?, ?, ?, ?, ?, 'gen', ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)");
	int rc = !st || !fields || db_bind(st, "tttttiit", code, json_string_value(json_object_get(p, "code")), unit,
					   json_string_value(json_object_get(p, "agency")), applicant, (int64_t)(online ? 2 : 1),
					   (int64_t)status, fields) ||
		 db_bind_at(st, 9, "iii", received, received, due) || (finished ? db_bind_at(st, 12, "i", done) : db_bind_at(st, 12, "n")) ||
		 db_bind_at(st, 13, "ii", (int64_t)(chance(g, 5) ? 1 : 0), finished ? done : received) ||
		 (fee && finished && chance(g, 90) ? db_bind_at(st, 15, "i", done) : db_bind_at(st, 15, "n")) || db_step(st) != DB_DONE;
	free(fields);
	if (!rc && status == 10 && chance(g, 30))
		rc = db_run(db, "INSERT INTO ratings (code, score, comment, at) VALUES (?, ?, '', ?)", "tii", code, (int64_t)(1 + next(g) % 5),
			    done) != DB_DONE;
	return rc || dossier_mark_changed(db, code) ? -1 : 0;
}

/* Keeps the real code sequence past the generated numbers. */
static int gen_sequences(struct db *db, struct gen *g)
{
	const char *key;
	json_t *v;
	json_object_foreach(g->seq, key, v) {
		char unit[8], day[8];
		if (sscanf(key, "%7[^-]-%6s", unit, day) != 2 ||
		    db_run(db, "INSERT INTO dossier_seq (unit, day, last) VALUES (?, ?, ?) ON CONFLICT (unit, day) DO UPDATE SET "
			       "last = CASE WHEN dossier_seq.last > excluded.last THEN dossier_seq.last ELSE excluded.last END",
			   "tti", unit, day, (int64_t)json_integer_value(v)) != DB_DONE)
			return -1;
	}
	return 0;
}

int dossier_gen(const struct dossiers *d, struct db *db, const char *province, int year, long count, unsigned long seed,
		struct err *e)
{
	struct gen g = {.rng = seed ? seed : 88172645463325252ULL, .seq = json_object()};
	char last[11];
	snprintf(last, sizeof last, "%04d-12-14", year);
	g.from_us = cal_local_us(cal_jd(year - 1, 12, 15), 0);
	g.span_us = cal_local_us(cal_jd(year, 12, 15), 0) - g.from_us;
	int rc = gen_scope(d, &g, province, last, e);
	db_bulk_mode(db, true);
	for (long done = 0; !rc && done < count;) {
		rc = db_begin(db) ? err_set(e, 500, "db_error", "database busy", "cơ sở dữ liệu bận") : 0;
		for (long i = 0; !rc && i < GEN_BATCH && done < count; i++, done++)
			rc = gen_one(db, &g);
		rc = rc || (done == count && gen_sequences(db, &g)) || db_commit(db);
		if (rc) {
			db_rollback(db);
			err_set(e, 500, "db_error", "the dossiers were not written: %s", "chưa ghi được hồ sơ: %s", db_errmsg(db));
		}
	}
	db_bulk_mode(db, false);
	json_decref(g.seq);
	return rc ? -1 : 0;
}
