/* metrics.c — GET /metrics in Prometheus's text format: requests by route and status, a latency
 * histogram, dossiers by status, the queues' lengths, the database connections and, with a read
 * replica, the reads each server ran. Counting is
 * a few atomic additions a request; the database figures are read when scraped. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "http/api.h"
#include "http/metrics.h"

#define MAX_ROUTES 160
static const int statuses[] = {200, 201, 204, 206, 304, 400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 429, 500, 502, 503, 504};
#define NSTATUS (sizeof statuses / sizeof *statuses)
static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}; /* seconds */
#define NBOUNDS (sizeof bounds / sizeof *bounds)

static _Atomic uint64_t requests[MAX_ROUTES + 1][NSTATUS + 1]; /* [route or the last: no route][status or the last: other] */
static _Atomic uint64_t histogram[NBOUNDS + 1];
static _Atomic uint64_t total_us, count;

void metrics_observe(int route, int status, int64_t us)
{
	size_t r = route >= 0 && route < MAX_ROUTES && (size_t)route < routes_count ? (size_t)route : MAX_ROUTES, s = NSTATUS;
	for (size_t i = 0; i < NSTATUS; i++)
		if (statuses[i] == status)
			s = i;
	atomic_fetch_add_explicit(&requests[r][s], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < NBOUNDS && (double)us / 1e6 > bounds[b])
		b++;
	atomic_fetch_add_explicit(&histogram[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&total_us, (uint64_t)(us > 0 ? us : 0), memory_order_relaxed);
	atomic_fetch_add_explicit(&count, 1, memory_order_relaxed);
}

static int add_requests(struct buf *b)
{
	int rc = buf_adds(b, "# HELP trondoi_requests_total Requests answered, by route and status.\n"
			     "# TYPE trondoi_requests_total counter\n");
	for (size_t r = 0; !rc && r <= MAX_ROUTES; r++)
		for (size_t s = 0; !rc && s <= NSTATUS; s++) {
			uint64_t n = atomic_load_explicit(&requests[r][s], memory_order_relaxed);
			if (!n)
				continue;
			char status[8];
			snprintf(status, sizeof status, s < NSTATUS ? "%d" : "other", s < NSTATUS ? statuses[s] : 0);
			rc = buf_addf(b, "trondoi_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %llu\n",
				      r < MAX_ROUTES ? routes[r].method : "", r < MAX_ROUTES ? routes[r].pattern : "other", status,
				      (unsigned long long)n);
		}
	return rc;
}

static int add_latency(struct buf *b)
{
	int rc = buf_adds(b, "# HELP trondoi_request_duration_seconds From the request's arrival to its answer's end.\n"
			     "# TYPE trondoi_request_duration_seconds histogram\n");
	uint64_t cumulative = 0;
	for (size_t i = 0; !rc && i <= NBOUNDS; i++) {
		cumulative += atomic_load_explicit(&histogram[i], memory_order_relaxed);
		rc = i < NBOUNDS ? buf_addf(b, "trondoi_request_duration_seconds_bucket{le=\"%g\"} %llu\n", bounds[i], (unsigned long long)cumulative)
				 : buf_addf(b, "trondoi_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cumulative);
	}
	return rc || buf_addf(b, "trondoi_request_duration_seconds_sum %.6f\ntrondoi_request_duration_seconds_count %llu\n",
			      (double)atomic_load(&total_us) / 1e6, (unsigned long long)atomic_load(&count));
}

static int add_dossiers(struct buf *b, struct db *db)
{
	struct db_stmt *st = db_prepare(db, "SELECT status, COUNT(*) FROM dossiers GROUP BY status ORDER BY status");
	int rc = !st || buf_adds(b, "# HELP trondoi_dossiers Dossiers by status (data/dossier/statuses.json).\n# TYPE trondoi_dossiers gauge\n");
	while (!rc && db_step(st) == DB_ROW)
		rc = buf_addf(b, "trondoi_dossiers{status=\"%lld\"} %lld\n", (long long)db_col_int(st, 0), (long long)db_col_int(st, 1));
	return rc;
}

/* What waits to be done: each a table of the work still queued. */
static const struct queue {
	const char *name, *help;
	const char *sql;
} queues[] = {
	{"portal_outbox", "status changes not yet acknowledged by the national portal",
	 "SELECT (SELECT COUNT(*) FROM dossier_events WHERE id > COALESCE((SELECT last FROM delivery_cursors "
	 "WHERE channel = 'portal'), 0)) + (SELECT COUNT(*) FROM outbox WHERE acked_at IS NULL)"},
	{"report_counters", "changed dossiers the index's counters have not taken in yet", "SELECT COUNT(*) FROM report_dirty"},
	{"report_sends", "published versions not yet accepted by the Government reporting system",
	 "SELECT COUNT(*) FROM report_sends WHERE sent_at IS NULL"},
	{"staff_messages", "reminders to officers not yet sent", "SELECT COUNT(*) FROM staff_messages WHERE sent_at IS NULL"},
	{"exchange_anchor", "message-log entries no time-source anchor covers yet", XSTAMP_WAITING_SQL},
};

static int add_queues(struct buf *b, struct db *db, const struct batch_stats *writer)
{
	int rc = buf_adds(b, "# HELP trondoi_queue_length Work queued, by queue.\n# TYPE trondoi_queue_length gauge\n");
	for (size_t i = 0; !rc && i < sizeof queues / sizeof *queues; i++) {
		struct db_stmt *st = db_prepare(db, queues[i].sql);
		if (st && db_step(st) == DB_ROW)
			rc = buf_addf(b, "trondoi_queue_length{queue=\"%s\"} %lld\n", queues[i].name, (long long)db_col_int(st, 0));
		if (st)
			db_reset(st);
	}
	return rc || buf_addf(b, "trondoi_queue_length{queue=\"group_commit\"} %zu\n", writer->waiting);
}

/* The group-commit writer: jobs over batches is the average batch. */
static int add_group_commit(struct buf *b, const struct batch_stats *w)
{
	return buf_addf(b,
			"# HELP trondoi_group_commit_batches_total Batches the group-commit writer ran, each one transaction.\n"
			"# TYPE trondoi_group_commit_batches_total counter\ntrondoi_group_commit_batches_total %llu\n"
			"# HELP trondoi_group_commit_jobs_total Writes (submissions, data-usage entries ...) in them.\n"
			"# TYPE trondoi_group_commit_jobs_total counter\ntrondoi_group_commit_jobs_total %llu\n",
			(unsigned long long)w->batches, (unsigned long long)w->jobs);
}

/* With a read replica (serve --db-replica): the reads each server ran, and the reads that could
 * have gone to the replica but went to the primary, by why. */
static int add_replica(struct buf *b)
{
	struct db_replica_stats r;
	if (!db_replica_stats(&r))
		return 0;
	return buf_addf(b, "# HELP trondoi_db_reads_total SELECT statements run, by server (primary or read replica).\n"
			   "# TYPE trondoi_db_reads_total counter\n"
			   "trondoi_db_reads_total{server=\"primary\"} %llu\ntrondoi_db_reads_total{server=\"replica\"} %llu\n"
			   "# HELP trondoi_db_replica_fallbacks_total Reads allowed on the replica that the primary ran, by reason.\n"
			   "# TYPE trondoi_db_replica_fallbacks_total counter\n"
			   "trondoi_db_replica_fallbacks_total{reason=\"behind\"} %llu\n"
			   "trondoi_db_replica_fallbacks_total{reason=\"unavailable\"} %llu\n"
			   "trondoi_db_replica_fallbacks_total{reason=\"failed\"} %llu\n"
			   "# HELP trondoi_db_replica_connections Connections open to the read replica.\n"
			   "# TYPE trondoi_db_replica_connections gauge\ntrondoi_db_replica_connections %d\n",
			(unsigned long long)r.primary_reads, (unsigned long long)r.replica_reads, (unsigned long long)r.behind,
			(unsigned long long)r.unavailable, (unsigned long long)r.failed, r.connections);
}

char *metrics_render(struct db *db, const struct batch_stats *writer, int db_connections, int threads)
{
	static const struct batch_stats none;
	if (!writer)
		writer = &none;
	struct buf b;
	buf_init(&b, 1 << 20);
	int rc = add_requests(&b) || add_latency(&b) || add_dossiers(&b, db) || add_queues(&b, db, writer) ||
		 add_group_commit(&b, writer) ||
		 buf_addf(&b, "# HELP trondoi_db_connections Database connections open (one a worker thread).\n"
			      "# TYPE trondoi_db_connections gauge\ntrondoi_db_connections %d\n"
			      "# HELP trondoi_threads Worker threads.\n# TYPE trondoi_threads gauge\ntrondoi_threads %d\n",
			  db_connections, threads) ||
		 add_replica(&b);
	if (rc) {
		buf_release(&b);
		return NULL;
	}
	return b.data;
}
