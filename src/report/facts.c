/* facts.c — what the index counts of each dossier, kept up to date as dossiers change (see
 * facts.h): the changed dossiers are read again and their counts moved, in one transaction, so a
 * period's figures are always the sum of report_counts over its half-months. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/utf8.h"
#include "report/facts.h"

#define SYNC_ROUND 500
#define IDLE_ROUND 100 /* dossiers a transaction in the writer's idle time: a job waits for no more */

/* In the order of report_counts' columns (migration 014) and of the SQL below. */
const struct fact_column fact_columns[FACT_COLUMNS] = {
	{"received", ON_RECEIVED, 0},
	{"received_synced", ON_RECEIVED, FACT_SYNCED},
	{"received_online", ON_RECEIVED, FACT_ONLINE},
	{"direct", ON_RECEIVED, FACT_DIRECT},
	{"direct_digitised", ON_RECEIVED, FACT_DIRECT | FACT_DIGITISED},
	{"received_with_documents", ON_RECEIVED, FACT_DOCS},
	{"received_reuse", ON_RECEIVED, FACT_REUSED},
	{"finished", ON_FINISHED, FACT_FINISHED},
	{"finished_on_time", ON_FINISHED, FACT_FINISHED | FACT_ON_TIME},
	{"finished_e_result", ON_FINISHED, FACT_FINISHED | FACT_E_RESULT},
	{"finished_satisfied", ON_FINISHED, FACT_FINISHED | FACT_ON_TIME | FACT_CONTENT},
	{"finished_fully_online", ON_FINISHED, FACT_FINISHED | FACT_ONLINE | FACT_E_RESULT},
	{"fee_due", ON_FINISHED, FACT_FINISHED | FACT_FEE},
	{"fee_paid", ON_FINISHED, FACT_FINISHED | FACT_FEE | FACT_PAID},
};

int fact_column_index(const char *name)
{
	for (int i = 0; name && i < FACT_COLUMNS; i++)
		if (!strcmp(fact_columns[i].name, name))
			return i;
	return -1;
}

bool fact_counts(const struct fact *f, int column)
{
	return (f->flags & fact_columns[column].all) == fact_columns[column].all;
}

int64_t fact_half(int64_t us)
{
	char day[11];
	clock_date_vn(us, day, sizeof day);
	int y = atoi(day), m = atoi(day + 5), d = atoi(day + 8);
	return ((int64_t)y * 12 + m - 1) * 2 + (d >= 15);
}

void fact_half_day(int64_t half, char *out, size_t len)
{
	int64_t month = half / 2;
	snprintf(out, len, "%04d-%02d-%s", (int)(month / 12), (int)(month % 12) + 1, half % 2 ? "15" : "01");
}

/* ---- reading a dossier ---- */

static bool fee_of(const struct dossiers *d, const char *procedure)
{
	return json_integer_value(json_object_get(catalog_procedure(d->registry->catalog, procedure), "fee")) > 0;
}

/* What a dossier's flags are made of: its row and what hangs on it. */
struct fact_parts {
	int channel, supplements, score;
	bool has_finished, paid;
	int64_t unsynced, issued, documents, digitised, reused, petitions;
};

/* f's finish and flags from its parts (f's names, status, received and due times set). */
static void fact_complete(const struct dossiers *d, struct fact *f, const struct fact_parts *p, int64_t finished_at)
{
	bool finished = p->has_finished && (f->status == 9 || f->status == 10);
	f->finished_at = finished ? finished_at : 0;
	struct {
		bool on;
		unsigned flag;
	} flags[] = {
		{p->channel == 2, FACT_ONLINE},
		{p->channel == 1, FACT_DIRECT},
		{p->unsynced == 0, FACT_SYNCED},
		{p->issued > 0, FACT_E_RESULT},
		{p->documents > 0, FACT_DOCS},
		{p->digitised > 0, FACT_DIGITISED},
		{p->reused > 0, FACT_REUSED},
		{finished, FACT_FINISHED},
		{finished && f->due_at && f->finished_at <= f->due_at && p->supplements <= 1, FACT_ON_TIME},
		{(p->score == 0 || p->score >= 3) && p->petitions == 0, FACT_CONTENT}, /* no dislike, no petition about it */
		{fee_of(d, f->procedure), FACT_FEE},
		{p->paid, FACT_PAID},
	};
	f->flags = 0;
	for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
		if (flags[i].on)
			f->flags |= flags[i].flag;
}

/* The dossier as it is now: 1 found, 0 gone, -1 error. */
static int fact_read(const struct dossiers *d, struct db *db, const char *code, struct fact *f)
{
	struct db_stmt *st = db_prepare(db,
		"SELECT d.procedure_code, d.unit, d.channel, d.status, d.received_at, d.finished_at, d.due_at, d.supplements, "
		"d.paid_at, (SELECT COUNT(*) FROM dossier_events e WHERE e.code = d.code AND NOT EXISTS "
		"(SELECT 1 FROM outbox o WHERE o.event_id = e.id AND o.acked_at IS NOT NULL)), "
		"(SELECT COUNT(*) FROM issued i WHERE i.code = d.code), (SELECT COUNT(*) FROM documents x WHERE x.code = d.code), "
		"(SELECT COUNT(*) FROM documents x WHERE x.code = d.code AND x.digitised = 1), "
		"(SELECT COUNT(*) FROM documents x WHERE x.code = d.code AND x.reused_from IS NOT NULL), "
		"COALESCE((SELECT score FROM ratings r WHERE r.code = d.code), 0), "
		"(SELECT COUNT(*) FROM feedback f WHERE f.code = d.code) FROM dossiers d WHERE d.code = ?");
	if (!st || db_bind(st, "t", code))
		return -1;
	enum db_rc rc = db_step(st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? 0 : -1;
	memset(f, 0, sizeof *f);
	fact_names(f, code, db_col_text(st, 0), db_col_text(st, 1));
	f->status = (int)db_col_int(st, 3);
	f->received_at = db_col_int(st, 4);
	f->due_at = db_col_null(st, 6) ? 0 : db_col_int(st, 6);
	struct fact_parts p = {.channel = (int)db_col_int(st, 2), .supplements = (int)db_col_int(st, 7),
			       .score = (int)db_col_int(st, 14), .has_finished = !db_col_null(st, 5), .paid = !db_col_null(st, 8),
			       .unsynced = db_col_int(st, 9), .issued = db_col_int(st, 10), .documents = db_col_int(st, 11),
			       .digitised = db_col_int(st, 12), .reused = db_col_int(st, 13), .petitions = db_col_int(st, 15)};
	fact_complete(d, f, &p, db_col_int(st, 5));
	db_reset(st);
	return 1;
}

void fact_names(struct fact *f, const char *code, const char *procedure, const char *unit)
{
	utf8_copy(f->code, sizeof f->code, code);
	utf8_copy(f->procedure, sizeof f->procedure, procedure);
	utf8_copy(f->unit, sizeof f->unit, unit);
}

void fact_row(struct db_stmt *st, struct fact *f)
{
	memset(f, 0, sizeof *f);
	fact_names(f, db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2));
	f->status = (int)db_col_int(st, 3);
	f->received_at = db_col_int(st, 4);
	f->finished_at = db_col_null(st, 5) ? 0 : db_col_int(st, 5);
	f->flags = (unsigned)db_col_int(st, 6);
	f->due_at = db_col_null(st, 7) ? 0 : db_col_int(st, 7);
}

/* The dossier as last counted: 1 found, 0 never counted, -1 error. */
static int fact_stored(struct db *db, const char *code, struct fact *f)
{
	struct db_stmt *st = db_prepare(db, "SELECT " FACT_COLUMNS_SQL " FROM report_facts WHERE code = ?");
	if (!st || db_bind(st, "t", code))
		return -1;
	enum db_rc rc = db_step(st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? 0 : -1;
	fact_row(st, f);
	db_reset(st);
	return 1;
}

static bool same(const struct fact *a, const struct fact *b)
{
	return !strcmp(a->procedure, b->procedure) && !strcmp(a->unit, b->unit) && a->status == b->status &&
	       a->received_at == b->received_at && a->finished_at == b->finished_at && a->due_at == b->due_at && a->flags == b->flags;
}

/* ---- moving counts ---- */

/* What a fact moves in report_counts on one basis: its row's key and each column's change. */
struct count_delta {
	char unit[8], procedure[32];
	int64_t half, n[FACT_COLUMNS], seconds;
};

/* f's change of one basis, times sign, in the half-month of its time; false if it has none. */
static bool delta_of(const struct fact *f, enum fact_basis basis, int sign, struct count_delta *d)
{
	if (basis == ON_FINISHED && !(f->flags & FACT_FINISHED))
		return false;
	utf8_copy(d->unit, sizeof d->unit, f->unit);
	utf8_copy(d->procedure, sizeof d->procedure, f->procedure);
	d->half = fact_half(basis == ON_RECEIVED ? f->received_at : f->finished_at);
	for (int i = 0; i < FACT_COLUMNS; i++)
		d->n[i] = fact_columns[i].basis == basis && fact_counts(f, i) ? sign : 0;
	d->seconds = basis == ON_FINISHED ? sign * ((f->finished_at - f->received_at) / 1000000) : 0; /* receipt to result */
	return true;
}

static bool same_row(const struct count_delta *a, const struct count_delta *b)
{
	return a->half == b->half && !strcmp(a->unit, b->unit) && !strcmp(a->procedure, b->procedure);
}

static int add_counts(struct db *db, const struct count_delta *d)
{
	struct db_stmt *st = db_prepare(db,
		"INSERT INTO report_counts (unit, half, procedure_code, received, received_synced, received_online, direct, "
		"direct_digitised, received_with_documents, received_reuse, finished, finished_on_time, finished_e_result, "
		"finished_satisfied, finished_fully_online, fee_due, fee_paid, finished_seconds) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
		"ON CONFLICT (half, unit, procedure_code) DO UPDATE SET "
		"received = report_counts.received + excluded.received, "
		"received_synced = report_counts.received_synced + excluded.received_synced, "
		"received_online = report_counts.received_online + excluded.received_online, "
		"direct = report_counts.direct + excluded.direct, "
		"direct_digitised = report_counts.direct_digitised + excluded.direct_digitised, "
		"received_with_documents = report_counts.received_with_documents + excluded.received_with_documents, "
		"received_reuse = report_counts.received_reuse + excluded.received_reuse, "
		"finished = report_counts.finished + excluded.finished, "
		"finished_on_time = report_counts.finished_on_time + excluded.finished_on_time, "
		"finished_e_result = report_counts.finished_e_result + excluded.finished_e_result, "
		"finished_satisfied = report_counts.finished_satisfied + excluded.finished_satisfied, "
		"finished_fully_online = report_counts.finished_fully_online + excluded.finished_fully_online, "
		"fee_due = report_counts.fee_due + excluded.fee_due, fee_paid = report_counts.fee_paid + excluded.fee_paid, "
		"finished_seconds = report_counts.finished_seconds + excluded.finished_seconds");
	if (!st || db_bind(st, "tit", d->unit, d->half, d->procedure))
		return -1;
	for (int i = 0; i < FACT_COLUMNS; i++)
		if (db_bind_at(st, 4 + i, "i", d->n[i]))
			return -1;
	return db_bind_at(st, 4 + FACT_COLUMNS, "i", d->seconds) || db_step(st) != DB_DONE ? -1 : 0;
}

/* Adds sign to the counts of f's columns of one basis in the half-month of its time. */
static int count_basis(struct db *db, const struct fact *f, enum fact_basis basis, int sign)
{
	struct count_delta d;
	return delta_of(f, basis, sign, &d) ? add_counts(db, &d) : 0;
}

static int count_fact(struct db *db, const struct fact *f, int sign)
{
	return count_basis(db, f, ON_RECEIVED, sign) || count_basis(db, f, ON_FINISHED, sign) ? -1 : 0;
}

static int fact_save(struct db *db, const struct fact *f)
{
	struct db_stmt *st = db_prepare(db, "INSERT INTO report_facts (code, procedure_code, unit, status, received_at, finished_at, "
					    "due_at, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
					    "procedure_code = excluded.procedure_code, unit = excluded.unit, status = excluded.status, "
					    "received_at = excluded.received_at, finished_at = excluded.finished_at, "
					    "due_at = excluded.due_at, flags = excluded.flags");
	if (!st || db_bind(st, "tttii", f->code, f->procedure, f->unit, (int64_t)f->status, f->received_at))
		return -1;
	int rc = (f->finished_at ? db_bind_at(st, 6, "i", f->finished_at) : db_bind_at(st, 6, "n")) ||
		 (f->due_at ? db_bind_at(st, 7, "i", f->due_at) : db_bind_at(st, 7, "n")) ||
		 db_bind_at(st, 8, "i", (int64_t)f->flags);
	return rc || db_step(st) != DB_DONE ? -1 : 0;
}

/* Moves one dossier's counts from what they were to what they are. */
static int refresh(const struct dossiers *d, struct db *db, const char *code)
{
	struct fact now, was;
	int is = fact_read(d, db, code, &now), had = fact_stored(db, code, &was);
	if (is < 0 || had < 0)
		return -1;
	if (is && had && same(&now, &was))
		return 0;
	if (had && count_fact(db, &was, -1))
		return -1;
	if (!is)
		return db_run(db, "DELETE FROM report_facts WHERE code = ?", "t", code) == DB_DONE ? 0 : -1;
	return count_fact(db, &now, +1) || fact_save(db, &now) ? -1 : 0;
}

int facts_count_new(const struct dossiers *d, struct db *db, const struct dossier_new *n, const char *code, int64_t at,
		    struct fact *defer)
{
	/* what fact_read finds of a dossier just filed: status 1, nothing attached, its first
	 * change not yet acknowledged by the portal */
	struct fact f = {.status = 1, .received_at = at};
	fact_names(&f, code, n->procedure, n->unit);
	fact_complete(d, &f, &(struct fact_parts){.channel = n->channel, .unsynced = 1}, 0);
	if (defer)
		*defer = f;
	return (!defer && count_fact(db, &f, +1)) || fact_save(db, &f) ? -1 : 0;
}

int facts_count_many(struct db *db, const struct fact *const *facts, size_t n)
{
	struct count_delta *rows = malloc((n ? n : 1) * sizeof *rows), one;
	size_t m = 0;
	int rc = rows ? 0 : -1;
	for (size_t i = 0; !rc && i < n; i++) {
		if (!delta_of(facts[i], ON_RECEIVED, +1, &one)) /* new: received, not finished */
			continue;
		size_t k = 0;
		while (k < m && !same_row(&rows[k], &one))
			k++;
		if (k == m)
			rows[m++] = one;
		else {
			for (int c = 0; c < FACT_COLUMNS; c++)
				rows[k].n[c] += one.n[c];
			rows[k].seconds += one.seconds;
		}
	}
	for (size_t k = 0; !rc && k < m; k++)
		rc = add_counts(db, &rows[k]);
	free(rows);
	return rc;
}

/* Up to max (at most SYNC_ROUND) marked dossiers; *n says how many there were. */
static int sync_round(const struct dossiers *d, struct db *db, int max, int *n)
{
	char codes[SYNC_ROUND][48];
	*n = 0;
	struct db_stmt *st = db_prepare(db, "SELECT code FROM report_dirty LIMIT ?");
	if (!st || db_bind(st, "i", (int64_t)max))
		return -1;
	enum db_rc rc;
	while ((rc = db_step(st)) == DB_ROW && *n < max && *n < SYNC_ROUND)
		snprintf(codes[(*n)++], sizeof codes[0], "%s", db_col_text(st, 0));
	db_reset(st);
	if (rc == DB_ERROR || rc == DB_BUSY)
		return -1;
	for (int i = 0; i < *n; i++)
		if (refresh(d, db, codes[i]) || db_run(db, "DELETE FROM report_dirty WHERE code = ?", "t", codes[i]) != DB_DONE)
			return -1;
	return 0;
}

static bool any_marked(struct db *db)
{
	struct db_stmt *st = db_prepare(db, "SELECT 1 FROM report_dirty LIMIT 1");
	bool any = st && db_step(st) == DB_ROW;
	if (st)
		db_reset(st);
	return any;
}

int facts_sync(const struct dossiers *d, struct db *db, bool all)
{
	int n = SYNC_ROUND;
	for (bool first = true; n == SYNC_ROUND && (all || first) && any_marked(db); first = false) {
		if (db_begin(db))
			return -1;
		if (sync_round(d, db, SYNC_ROUND, &n) || db_commit(db)) {
			db_rollback(db);
			return -1;
		}
	}
	return 0;
}

int facts_sync_within(const struct dossiers *d, struct db *db)
{
	int n = SYNC_ROUND;
	while (n == SYNC_ROUND)
		if (sync_round(d, db, SYNC_ROUND, &n))
			return -1;
	return 0;
}

bool facts_idle(struct db *db, void *arg)
{
	int n = 0;
	if (!any_marked(db))
		return false;
	if (db_begin(db) || sync_round(arg, db, IDLE_ROUND, &n) || db_commit(db)) {
		db_rollback(db);
		log_error("report_facts", "the index counters were not brought up to date: %s", db_errmsg(db));
		return false;
	}
	return n == IDLE_ROUND;
}
