/* usage.c — the data-usage log: who read or changed a citizen's data, when and why. Reads by
 * staff must leave a durable entry before the data is shown; to keep that fast, the entries go
 * through the group-commit writer (db/batch.c), which commits many requests' entries at once and
 * reports each once it is on disk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "db/batch.h"
#include "registry/registry.h"
#include "security/security.h"

#define USAGE_LIST_MAX 500

struct usage_job {
	struct batch_job job; /* first: the batch hands this back */
	char *citizen_id, *actor, *actor_unit, *action, *purpose, *attributes;
	int64_t at;
	struct usage_wait wait; /* fn set: report through it */
};

static void job_free(struct usage_job *u)
{
	free(u->citizen_id);
	free(u->actor);
	free(u->actor_unit);
	free(u->action);
	free(u->purpose);
	free(u->attributes);
	free(u);
}

static int insert_row(struct db *db, const char *citizen, const char *actor, const char *unit, const char *action,
		      const char *attrs, const char *purpose, int64_t at)
{
	char id[33];
	crypto_time_id(at, id);
	return db_run(db, "INSERT INTO data_usage (id, citizen_id, at, actor, actor_unit, action, attributes, purpose) "
			  "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "ttittttt", id, citizen, at, actor, unit, action, attrs, purpose) == DB_DONE
		       ? 0
		       : -1;
}

int usage_insert(struct db *db, const struct usage_entry *x, int64_t at)
{
	char *attrs = json_to_str(x->attributes);
	int rc = attrs ? insert_row(db, x->citizen_id, x->actor, x->actor_unit, x->action, attrs, x->purpose, at) : -1;
	free(attrs);
	return rc;
}

static int apply(struct db *db, struct batch_job *j)
{
	struct usage_job *u = (struct usage_job *)j;
	int rc = insert_row(db, u->citizen_id, u->actor, u->actor_unit, u->action, u->attributes, u->purpose, u->at);
	if (!rc && u->actor_unit && u->actor_unit[0]) /* a staff use of a citizen's data: the threat rules watch it */
		security_observe_read(db, u->actor, u->action, u->purpose, u->citizen_id, u->at);
	return rc;
}

static void done(struct batch_job *j, int rc)
{
	struct usage_job *u = (struct usage_job *)j;
	if (rc)
		log_error("usage_log", "a data-usage entry for %s was not written", u->citizen_id);
	if (u->wait.fn)
		u->wait.fn(u->wait.arg, rc);
	job_free(u);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static struct usage_job *job_new(const struct usage_entry *x)
{
	struct usage_job *u = calloc(1, sizeof *u);
	if (!u)
		return NULL;
	u->job.apply = apply;
	u->job.done = done;
	u->citizen_id = strdup(x->citizen_id);
	u->actor = strdup(x->actor);
	u->actor_unit = dup_or_null(x->actor_unit);
	u->action = strdup(x->action);
	u->purpose = strdup(x->purpose);
	u->attributes = json_to_str(x->attributes);
	u->at = clock_now_us();
	if (!u->citizen_id || !u->actor || !u->action || !u->purpose || !u->attributes) {
		job_free(u);
		return NULL;
	}
	return u;
}

int usage_record(const struct registry *r, struct db *db, const struct usage_entry *x, bool durable,
		 const struct usage_wait *w)
{
	struct usage_job *u = job_new(x);
	if (!u)
		return -1;
	if (!r->writer || (durable && !w)) { /* wait for it here */
		int rc = batch_run(r->writer, db, &u->job);
		job_free(u);
		return rc;
	}
	if (durable)
		u->wait = *w;
	if (batch_submit(r->writer, &u->job)) { /* shutting down: nothing more is written */
		job_free(u);
		return -1;
	}
	return durable ? USAGE_PENDING : 0;
}

int usage_list(struct db *db, const struct principal *who, const char *before, int limit, json_t **out, struct err *e)
{
	int64_t cursor = INT64_MAX;
	if (before && clock_parse_iso(before, &cursor))
		return err_set(e, 400, "invalid_query", "before must be an ISO 8601 time", "before phải là thời điểm ISO 8601");
	if (limit <= 0 || limit > USAGE_LIST_MAX)
		limit = 100;
	struct db_stmt *st = db_prepare(db, "SELECT at, actor, actor_unit, action, attributes, purpose FROM data_usage "
					    "WHERE citizen_id = ? AND actor <> ? AND at < ? ORDER BY at DESC LIMIT ?");
	if (!st || db_bind(st, "ttii", who->citizen_id, who->username, cursor, (int64_t)limit + 1))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	json_t *list = json_array();
	enum db_rc rc;
	int n = 0;
	char at[40];
	bool more = false;
	while ((rc = db_step(st)) == DB_ROW) {
		clock_iso(db_col_int(st, 0), at, sizeof at);
		if (++n > limit) { /* one more than asked: there is a next page */
			more = true;
			db_reset(st);
			rc = DB_DONE;
			break;
		}
		json_t *attrs = json_loads(db_col_text(st, 4), 0, NULL);
		json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:s}", "at", at, "actor", db_col_text(st, 1), "action",
				      db_col_text(st, 3), "attributes", attrs ? attrs : json_array(), "purpose", db_col_text(st, 5));
		json_object_set_new(o, "actor_unit", db_col_null(st, 2) ? json_null() : json_string(db_col_text(st, 2)));
		json_array_append_new(list, o);
	}
	if (rc != DB_DONE) {
		json_decref(list);
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	}
	*out = json_pack("{s:o}", "entries", list);
	if (more) {
		/* the last entry shown is the cursor: entries strictly older come next */
		json_t *last = json_array_get(list, json_array_size(list) - 1);
		json_object_set_new(*out, "next_before", json_string(json_string_value(json_object_get(last, "at"))));
	}
	return 0;
}
