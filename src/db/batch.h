/* batch.h — group commit: one writer thread with its own connection runs the writes of many
 * requests in one transaction and reports each job's outcome once the transaction committed. A
 * failing job is undone alone: the batch is then run again with a savepoint per job, so a job's
 * apply must be safe to run twice (it sees its first run rolled back). One durable commit serves a
 * whole batch, so durable writes go many times faster than a commit each (see
 * ../shared/docs/performance.md). */
#ifndef TD_BATCH_H
#define TD_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

struct batch_job {
	/* runs on the writer, inside the batch's transaction: 0, or -1 to undo this job's writes */
	int (*apply)(struct db *db, struct batch_job *j);
	/* runs on the writer after the commit: rc 0 (durable) or -1 (not written). NULL for
	 * batch_run, whose caller waits instead. May free the job. */
	void (*done)(struct batch_job *j, int rc);
	/* optional: once a batch, inside its transaction after every job applied, given those of
	 * the batch's jobs that applied and share this tail (what they leave for it, e.g. counts to
	 * add up in one write for all); 0, or -1 to fail the whole batch */
	int (*tail)(struct db *db, struct batch_job *const *jobs, size_t n);
	/* the batch's own */
	struct batch_job *next;
	int rc;
	bool finished;
};

struct batch;
/* Work for the writer's idle time: does a little (one short transaction) on the writer's own
 * connection and says whether more may remain. */
typedef bool (*batch_idle_fn)(struct db *db, void *arg);
struct batch *batch_start(const char *db_url, struct err *e);
/* Writes what is queued, then refuses new jobs; batch_free once nothing can submit any more. */
void batch_stop(struct batch *b);
void batch_free(struct batch *b);
/* Gives the writer fn to call while no job waits, a call at a time, between batches (and every
 * 0.5 s while idle). */
void batch_on_idle(struct batch *b, batch_idle_fn fn, void *arg);
/* What the writer has done since it started, and what waits for it. */
struct batch_stats {
	uint64_t batches; /* batches it ran (a transaction each, failed ones too) */
	uint64_t jobs;    /* the jobs in them */
	size_t waiting;   /* jobs queued and not yet taken */
};
void batch_stats(struct batch *b, struct batch_stats *out);
/* Queues j; its done reports the outcome. -1 when stopping (done is not called). */
int batch_submit(struct batch *b, struct batch_job *j);
/* Queues j and waits for its outcome (0 or -1). Without a batch (b NULL), runs j at once in a
 * transaction of its own on db. */
int batch_run(struct batch *b, struct db *db, struct batch_job *j);

#endif
