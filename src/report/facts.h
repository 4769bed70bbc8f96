/* facts.h — what the index counts of each dossier, kept up to date as dossiers change.
 * A dossier's change marks it (dossier_mark_changed, in the transaction of the change); a sync
 * reads each marked dossier again, and moves its counts in report_counts from what it was to what
 * it is. A new dossier is counted at once, in the transaction that files it (facts_count_new).
 * The counts are kept per unit, procedure and half-month, the grain of both period cuts. */
#ifndef TD_REPORT_FACTS_H
#define TD_REPORT_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "dossier/dossier.h"

/* What a dossier is, for the counters. */
enum fact_flag {
	FACT_ONLINE = 1 << 0,    /* received online */
	FACT_DIRECT = 1 << 1,    /* received at the desk */
	FACT_SYNCED = 1 << 2,    /* every status change acknowledged by the national portal */
	FACT_E_RESULT = 1 << 3,  /* result issued electronically (kept in the holder's store) */
	FACT_DOCS = 1 << 4,      /* has documents */
	FACT_DIGITISED = 1 << 5, /* papers scanned at the desk */
	FACT_REUSED = 1 << 6,    /* a document attached by reference from the store */
	FACT_FINISHED = 1 << 7,  /* finished (status 9 or 10) */
	FACT_ON_TIME = 1 << 8,   /* finished by the due time with at most one supplement request */
	FACT_CONTENT = 1 << 9,   /* not rated 1-2 stars */
	FACT_FEE = 1 << 10,      /* its procedure bears a fee */
	FACT_PAID = 1 << 11,     /* the fee is paid */
};

struct fact {
	char code[48], procedure[32], unit[8];
	int status;
	int64_t received_at, finished_at, due_at; /* finished_at 0 unless FACT_FINISHED */
	unsigned flags;
};

/* The columns of report_counts: each counts the dossiers received (or finished) in a half-month
 * whose flags hold all of `all`. */
enum fact_basis { ON_RECEIVED, ON_FINISHED };
struct fact_column {
	const char *name;
	enum fact_basis basis;
	unsigned all;
};
extern const struct fact_column fact_columns[];
#define FACT_COLUMNS 14
int fact_column_index(const char *name);
bool fact_counts(const struct fact *f, int column);

/* The columns of report_facts that fact_row reads, in its order. */
#define FACT_COLUMNS_SQL "code, procedure_code, unit, status, received_at, finished_at, flags, due_at"
void fact_row(struct db_stmt *st, struct fact *f);
void fact_names(struct fact *f, const char *code, const char *procedure, const char *unit);

/* A half-month: (year * 12 + month - 1) * 2, plus 1 from the 15th on (Vietnam time). */
int64_t fact_half(int64_t us);
/* The half's first day, YYYY-MM-DD. */
void fact_half_day(int64_t half, char *out, size_t len);

/* Counts a dossier just filed (dossier_insert, in its transaction) as fact_read would find it,
 * without marking it for a sync to read back: its facts stored, and counted at once, or, given
 * defer, copied there and counted later in the same transaction by facts_count_many (a
 * group-commit batch's tail: one write a unit, procedure and half-month for all). 0, or -1. */
int facts_count_new(const struct dossiers *d, struct db *db, const struct dossier_new *n, const char *code, int64_t at,
		    struct fact *defer);
/* Counts new dossiers' facts (deferred by facts_count_new) as received. 0, or -1. */
int facts_count_many(struct db *db, const struct fact *const *facts, size_t n);

/* Reads the changed dossiers again and moves their counts, 500 a transaction; with all, until
 * none is left, else one such transaction. 0, or -1 (a database error). */
int facts_sync(const struct dossiers *d, struct db *db, bool all);
/* The same, every marked dossier, in the caller's write transaction (which keeps others from
 * marking meanwhile). */
int facts_sync_within(const struct dossiers *d, struct db *db);
/* The group-commit writer's idle work (batch_on_idle; arg: the dossiers): one transaction of up
 * to 100 marked dossiers; whether more may remain. Submissions come first, and the counters
 * catch up between them on the writer's own connection, so no submission waits for a lock. */
bool facts_idle(struct db *db, void *arg);

#endif
