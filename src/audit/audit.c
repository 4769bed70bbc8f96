/* audit.c — appending to and verifying the hash-chained audit trail. */
#include "audit/audit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/text.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* Feeds the decimal digits of v to the hash. */
static void hash_number(crypto_hash_sha256_state *h, long long v)
{
	char digits[TEXT_DECIMAL_MAX];
	crypto_hash_sha256_update(h, (const unsigned char *)digits, text_decimal(digits, v));
}

static void hash_text(crypto_hash_sha256_state *h, const char *s)
{
	crypto_hash_sha256_update(h, (const unsigned char *)s, strlen(s));
}

/* SHA-256 of "prev|seq|at" then "|len:part" for actor, action, object and detail, fed piece by
 * piece (no string is built: it runs for every change, on the group-commit writer). */
void audit_hash(const char *prev, const struct audit_entry *x, char out[65])
{
	crypto_hash_sha256_state h;
	unsigned char digest[crypto_hash_sha256_BYTES];
	const char *parts[] = {x->actor, x->action, x->object, x->detail};
	crypto_hash_sha256_init(&h);
	hash_text(&h, prev);
	hash_text(&h, "|");
	hash_number(&h, (long long)x->seq);
	hash_text(&h, "|");
	hash_number(&h, (long long)x->at);
	for (size_t i = 0; i < 4; i++) {
		hash_text(&h, "|");
		hash_number(&h, (long long)strlen(parts[i]));
		hash_text(&h, ":");
		hash_text(&h, parts[i]);
	}
	crypto_hash_sha256_final(&h, digest);
	sodium_bin2hex(out, 65, digest, sizeof digest);
}

int audit_append(struct db *db, const char *actor, const char *action, const char *object, const char *detail)
{
	struct audit_entry x = {.at = clock_now_us(), .actor = actor, .action = action, .object = object,
				.detail = detail ? detail : "{}"};
	char prev[65], h[65];
	if (chain_head_next(db, "audit_head", &x.seq, prev))
		return -1;
	audit_hash(prev, &x, h);
	if (db_run(db, "INSERT INTO audit_log (seq, at, actor, action, object, detail, prev_hash, hash) "
		       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "iitttttt", x.seq, x.at, x.actor, x.action, x.object,
		   x.detail, prev, h) != DB_DONE)
		return -1;
	return chain_head_set(db, "audit_head", x.seq, h);
}

int audit_verify(struct db *db, int64_t *count, int64_t *bad, char *why, size_t whylen)
{
	*count = 0;
	*bad = 0;
	char prev[65] = ZERO_HASH, h[65];
	int64_t expect = 1;
	struct db_stmt *st = db_prepare(db, "SELECT seq, at, actor, action, object, detail, prev_hash, hash "
					    "FROM audit_log ORDER BY seq");
	if (!st)
		return -1;
	enum db_rc rc;
	while ((rc = db_step(st)) == DB_ROW) {
		struct audit_entry x = {db_col_int(st, 0), db_col_int(st, 1), db_col_text(st, 2), db_col_text(st, 3),
					db_col_text(st, 4), db_col_text(st, 5)};
		const char *problem = NULL;
		if (x.seq != expect)
			problem = "sequence gap: an entry is missing";
		else if (strcmp(db_col_text(st, 6), prev))
			problem = "prev_hash does not match the previous entry";
		else {
			audit_hash(prev, &x, h);
			if (strcmp(h, db_col_text(st, 7)))
				problem = "hash does not match the entry's content";
		}
		if (problem) {
			*bad = x.seq != expect ? expect : x.seq;
			snprintf(why, whylen, "%s", problem);
			db_reset(st);
			return 1;
		}
		snprintf(prev, sizeof prev, "%s", h);
		expect++;
		(*count)++;
	}
	if (rc != DB_DONE)
		return -1;
	return chain_head_agrees(db, "audit_head", *count, prev, "entries", bad, why, whylen);
}

/* Each chain's head statements, as literals (statements are cached by their text's address).
 * The head moves once an append, to its number and hash together, only from where it stood. */
static const struct chain_head {
	const char *table, *read, *move;
} chain_heads[] = {
	{"audit_head", "SELECT seq, hash FROM audit_head WHERE id = 1",
	 "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ?"},
	{"exchange_head", "SELECT seq, hash FROM exchange_head WHERE id = 1",
	 "UPDATE exchange_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ?"},
};

static const struct chain_head *head_named(const char *table)
{
	for (size_t i = 0; i < sizeof chain_heads / sizeof *chain_heads; i++)
		if (!strcmp(chain_heads[i].table, table))
			return &chain_heads[i];
	return NULL;
}

/* The head's number and last hash. 0, or -1. */
static int head_read(struct db *db, const struct chain_head *h, int64_t *seq, char hash[65])
{
	struct db_stmt *st = db_prepare(db, h->read);
	if (!st || db_step(st) != DB_ROW)
		return -1;
	*seq = db_col_int(st, 0);
	snprintf(hash, 65, "%s", db_col_text(st, 1));
	db_reset(st);
	return 0;
}

int chain_head_next(struct db *db, const char *table, int64_t *seq, char prev[65])
{
	const struct chain_head *h = head_named(table);
	if (!h || head_read(db, h, seq, prev))
		return -1;
	++*seq;
	return 0;
}

int chain_head_set(struct db *db, const char *table, int64_t seq, const char *hash)
{
	const struct chain_head *h = head_named(table);
	return h && db_run(db, h->move, "iti", seq, hash, seq - 1) == DB_DONE && db_changes(db) == 1 ? 0 : -1;
}

int chain_head_agrees(struct db *db, const char *table, int64_t count, const char *last, const char *what, int64_t *bad,
		      char *why, size_t whylen)
{
	const struct chain_head *h = head_named(table);
	int64_t seq;
	char hash[65];
	if (!h || head_read(db, h, &seq, hash))
		return -1;
	if (seq == count && !strcmp(hash, last))
		return 0;
	*bad = count + 1;
	snprintf(why, whylen, "%s after %lld are missing (the head records more)", what, (long long)count);
	return 1;
}
