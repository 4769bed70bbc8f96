/* watch.c — threat detection. The rules are data (data/security-rules.json, embedded; the file
 * TRONDOI_SECURITY_RULES names replaces it): each watches one kind of event as it happens — a
 * staff read of a citizen's data (from the usage log's writer), a failed sign-in — keeping
 * in memory what its window needs, and flags a pattern once per window: a row of
 * security_alerts (key: rule, subject, window) and a line in the log. */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "db/embedded.h"
#include "security/security.h"

#define MAX_RULES 16
#define MAX_SUBJECTS 512 /* subjects watched at once per rule; the oldest make room */
#define MAX_SEEN 256     /* events remembered per subject */
#define MIN_US 60000000LL

enum kind { READS_OUTSIDE_CASES, READS_AT_HOURS, FAILED_LOGINS_ACCOUNT, FAILED_LOGINS_ADDRESS, EXCHANGE_OUTSIDE_GRANT };

struct rule {
	char id[48], severity[16];
	enum kind kind;
	int64_t window_us;
	int threshold, from_hour, to_hour;
};

/* What a rule remembers of one subject (an officer, an account, an address) in its window. */
struct subject {
	char name[72];
	int64_t last_at, flagged; /* flagged: the last window (+1) it was flagged in */
	int n;
	struct {
		char what[16]; /* a citizen read, or "" for a failed sign-in */
		int64_t at;
	} seen[MAX_SEEN];
};

static struct {
	pthread_once_t once;
	pthread_mutex_t mu;
	struct rule rules[MAX_RULES];
	int nrules;
	struct subject *subjects[MAX_RULES]; /* MAX_SUBJECTS each */
} w = {PTHREAD_ONCE_INIT, PTHREAD_MUTEX_INITIALIZER};

static const struct {
	const char *name;
	enum kind kind;
} kinds[] = {
	{"reads_outside_cases", READS_OUTSIDE_CASES},
	{"reads_at_hours", READS_AT_HOURS},
	{"failed_logins/account", FAILED_LOGINS_ACCOUNT},
	{"failed_logins/address", FAILED_LOGINS_ADDRESS},
	{"exchange_outside_grant", EXCHANGE_OUTSIDE_GRANT},
};

static json_t *rules_doc(void)
{
	const char *path = getenv("TRONDOI_SECURITY_RULES");
	if (path && path[0])
		return json_load_file(path, 0, NULL);
	const struct embedded_file *f = embedded_find(embedded_docs, "security-rules.json");
	return f ? json_loadb((const char *)f->data, f->len, 0, NULL) : NULL;
}

static const char *text(const json_t *o, const char *key, const char *otherwise)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : otherwise;
}

static void load(void)
{
	json_t *doc = rules_doc(), *r;
	size_t i;
	json_array_foreach(json_object_get(doc, "rules"), i, r) {
		if (w.nrules == MAX_RULES)
			break;
		char kind[64];
		const char *per = json_string_value(json_object_get(r, "per"));
		snprintf(kind, sizeof kind, "%s%s%s", text(r, "kind", ""), per ? "/" : "", per ? per : "");
		for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
			if (!strcmp(kinds[k].name, kind)) {
				struct rule *x = &w.rules[w.nrules];
				snprintf(x->id, sizeof x->id, "%s", text(r, "id", ""));
				snprintf(x->severity, sizeof x->severity, "%s", text(r, "severity", "medium"));
				x->kind = kinds[k].kind;
				x->window_us = json_integer_value(json_object_get(r, "window_minutes")) * MIN_US;
				x->threshold = (int)json_integer_value(json_object_get(r, "threshold"));
				x->from_hour = (int)json_integer_value(json_object_get(r, "from_hour"));
				x->to_hour = (int)json_integer_value(json_object_get(r, "to_hour"));
				w.subjects[w.nrules] = calloc(MAX_SUBJECTS, sizeof **w.subjects);
				if (w.subjects[w.nrules])
					w.nrules++;
			}
	}
	if (!w.nrules && doc)
		log_error("security", "no threat-detection rule could be read");
	json_decref(doc);
}

/* The subject's memory in rule r: looked up among a few slots its name hashes to (so an event
 * costs a handful of comparisons); a newcomer takes the one of them seen least recently. */
#define PROBES 8
static struct subject *subject_of(int r, const char *name)
{
	unsigned h = 2166136261u;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	struct subject *all = w.subjects[r], *oldest = NULL;
	for (int i = 0; i < PROBES; i++) {
		struct subject *s = &all[(h + (unsigned)i) % MAX_SUBJECTS];
		if (!strcmp(s->name, name))
			return s;
		if (!oldest || s->last_at < oldest->last_at)
			oldest = s;
	}
	memset(oldest, 0, sizeof *oldest);
	snprintf(oldest->name, sizeof oldest->name, "%s", name);
	return oldest;
}

/* Adds an event (what: "" counts each; else distinct values) and says how many the window holds. */
static int remember(struct subject *s, const char *what, int64_t at, int64_t window_us)
{
	int kept = 0;
	bool dup = false;
	for (int i = 0; i < s->n; i++)
		if (s->seen[i].at > at - window_us) { /* forget what fell out of the window */
			s->seen[kept++] = s->seen[i];
			dup = dup || (what[0] && !strcmp(s->seen[i].what, what));
		}
	s->n = kept;
	if (!dup && s->n < MAX_SEEN) {
		snprintf(s->seen[s->n].what, sizeof s->seen[s->n].what, "%s", what);
		s->seen[s->n++].at = at;
	}
	s->last_at = at;
	return s->n;
}

/* Flags rule r for s once per window (an hour for an hours rule): remembered, so the database
 * hears of it once. */
static void flag(struct db *db, const struct rule *r, struct subject *s, int64_t at, const char *detail)
{
	int64_t bucket = at / (r->window_us > 0 ? r->window_us : 60 * MIN_US);
	if (s->flagged == bucket + 1)
		return;
	char key[200], id[33];
	snprintf(key, sizeof key, "%s|%s|%lld", r->id, s->name, (long long)bucket);
	crypto_random_hex(id, 16);
	if (db_run(db, "INSERT INTO security_alerts (id, alert_key, rule, severity, subject, at, detail) VALUES (?, ?, ?, ?, ?, ?, ?) "
		       "ON CONFLICT (alert_key) DO NOTHING",
		   "tttttit", id, key, r->id, r->severity, s->name, at, detail) != DB_DONE)
		return;
	s->flagged = bucket + 1;
	if (db_changes(db) == 1)
		log_error("security_alert", "%s (%s): %s — %s", r->id, r->severity, s->name, detail);
}

static int vn_hour(int64_t us)
{
	return (int)(((us / 1000000 + 7 * 3600) % 86400) / 3600);
}

void security_observe_read(struct db *db, const char *actor, const char *action, const char *purpose, const char *citizen,
			   int64_t at)
{
	pthread_once(&w.once, load);
	bool outside_case = !strcmp(action, "read") && !strcmp(purpose, "official duty");
	pthread_mutex_lock(&w.mu);
	for (int i = 0; i < w.nrules; i++) {
		const struct rule *r = &w.rules[i];
		char detail[160];
		if (r->kind == READS_OUTSIDE_CASES && outside_case && r->threshold > 0) {
			struct subject *s = subject_of(i, actor);
			int n = remember(s, citizen, at, r->window_us);
			if (n >= r->threshold) {
				snprintf(detail, sizeof detail, "%d citizens read outside any dossier within %lld minutes", n,
					 (long long)(r->window_us / MIN_US));
				flag(db, r, s, at, detail);
			}
		} else if (r->kind == READS_AT_HOURS) {
			int h = vn_hour(at);
			bool odd = r->from_hour <= r->to_hour ? h >= r->from_hour && h < r->to_hour : h >= r->from_hour || h < r->to_hour;
			if (odd) {
				snprintf(detail, sizeof detail, "read a citizen's data (%s) at %02d:00 Vietnam time", action, h);
				flag(db, r, subject_of(i, actor), at, detail);
			}
		}
	}
	pthread_mutex_unlock(&w.mu);
}

void security_observe_failed_login(struct db *db, const char *username, const char *address, int64_t at)
{
	pthread_once(&w.once, load);
	pthread_mutex_lock(&w.mu);
	for (int i = 0; i < w.nrules; i++) {
		const struct rule *r = &w.rules[i];
		const char *subject = r->kind == FAILED_LOGINS_ACCOUNT ? username : r->kind == FAILED_LOGINS_ADDRESS ? address : NULL;
		if (!subject || r->threshold <= 0)
			continue;
		struct subject *s = subject_of(i, subject);
		int n = remember(s, "", at, r->window_us);
		if (n >= r->threshold) {
			char detail[160];
			snprintf(detail, sizeof detail, "%d failed sign-ins within %lld minutes", n, (long long)(r->window_us / MIN_US));
			flag(db, r, s, at, detail);
		}
	}
	pthread_mutex_unlock(&w.mu);
}

void security_observe_exchange_refused(struct db *db, const char *client, const char *service, const char *why, int64_t at)
{
	pthread_once(&w.once, load);
	pthread_mutex_lock(&w.mu);
	for (int i = 0; i < w.nrules; i++) {
		const struct rule *r = &w.rules[i];
		if (r->kind != EXCHANGE_OUTSIDE_GRANT)
			continue;
		struct subject *s = subject_of(i, client);
		int n = remember(s, "", at, r->window_us);
		if (n >= (r->threshold > 0 ? r->threshold : 1)) {
			char detail[300];
			snprintf(detail, sizeof detail, "%d call(s) outside a grant within %lld minutes, the last to %s (%s)", n,
				 (long long)(r->window_us / MIN_US), service, why);
			flag(db, r, s, at, detail);
		}
	}
	pthread_mutex_unlock(&w.mu);
}

int security_alerts(struct db *db, long limit, json_t **out, struct err *e)
{
	pthread_once(&w.once, load);
	struct db_stmt *st = db_prepare(db, "SELECT id, rule, severity, subject, at, detail FROM security_alerts ORDER BY at DESC, id LIMIT ?");
	if (!st || db_bind(st, "i", (int64_t)limit))
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	json_t *list = json_array();
	while (db_step(st) == DB_ROW)
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:o,s:s}", "id", db_col_text(st, 0), "rule", db_col_text(st, 1), "severity",
						      db_col_text(st, 2), "subject", db_col_text(st, 3), "at", json_time(db_col_int(st, 4), true),
						      "detail", db_col_text(st, 5)));
	json_t *rules = rules_doc();
	*out = json_pack("{s:o,s:o}", "alerts", list, "rules", rules ? json_incref(json_object_get(rules, "rules")) : json_array());
	json_decref(rules);
	return 0;
}
