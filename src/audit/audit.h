/* audit.h — the append-only, hash-chained audit trail. Each entry's hash is SHA-256 over the
 * previous entry's hash and this entry's fields (each length-prefixed), so rewriting or removing
 * any entry breaks every hash after it. */
#ifndef TD_AUDIT_H
#define TD_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

struct audit_entry {
	int64_t seq;
	int64_t at;
	const char *actor, *action, *object, *detail; /* detail is JSON text */
};

/* Appends one entry. Must run inside the caller's write transaction (db_begin), so the entry
 * commits or rolls back with the change it records. Returns 0 or -1. */
int audit_append(struct db *db, const char *actor, const char *action, const char *object, const char *detail);

/* hash of one entry chained on prev (64 hex) into out[65]. */
void audit_hash(const char *prev, const struct audit_entry *x, char out[65]);

/* Recomputes the chain. Returns 0 when intact (*count entries), 1 when broken (*bad = first
 * broken seq, why says what), -1 on a database error. */
int audit_verify(struct db *db, int64_t *count, int64_t *bad, char *why, size_t whylen);
/* The end of a chain check, shared by the audit trail and the exchange's message log: the head
 * (the row id 1 of table, "audit_head" or "exchange_head") agrees with the count walked and the
 * last hash, or entries were cut from the end. 0, 1 (with *bad and why, "WHAT after N are
 * missing"), -1. */
int chain_head_agrees(struct db *db, const char *table, int64_t count, const char *last, const char *what, int64_t *bad,
		      char *why, size_t whylen);
/* An append to a chain whose head is the row id 1 of table ("audit_head", "exchange_head"),
 * inside a write transaction (db_begin: writers run one at a time on either engine). First the
 * new entry's number and the last entry's hash; then, with the entry written, the head moved to
 * it: refused (-1) if the head no longer stood just before seq, so two appends that met anyway
 * fail instead of forking the chain. 0, or -1. */
int chain_head_next(struct db *db, const char *table, int64_t *seq, char prev[65]);
int chain_head_set(struct db *db, const char *table, int64_t seq, const char *hash);

#endif
