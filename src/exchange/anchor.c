/* anchor.c — anchoring the chains. An anchor is the head of the audit trail and of the exchange's
 * message log at a moment, signed by the node's key: given to an outside party (the province's
 * records office, a notary, a newspaper), it lets anyone prove later that no entry up to those
 * heads was rewritten — the chains must still hold those hashes at those places, and every
 * later entry must chain from them. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "exchange/exchange.h"

#define B64 sodium_base64_VARIANT_ORIGINAL

/* A chain's head: its last place and hash. */
int xanchor_head(struct db *db, const char *which, int64_t *seq, char hash[65])
{
	struct db_stmt *st = !strcmp(which, "audit") ? db_prepare(db, "SELECT seq, hash FROM audit_head WHERE id = 1")
						       : db_prepare(db, "SELECT seq, hash FROM exchange_head WHERE id = 1");
	if (!st || db_step(st) != DB_ROW)
		return -1;
	*seq = db_col_int(st, 0);
	snprintf(hash, 65, "%s", db_col_text(st, 1));
	db_reset(st);
	return 0;
}

/* The hash a chain holds at seq ("" when it has no such place). */
int xanchor_hash_at(struct db *db, const char *which, int64_t seq, char hash[65])
{
	hash[0] = '\0';
	if (seq == 0) { /* the empty chain's head */
		memset(hash, '0', 64);
		hash[64] = '\0';
		return 0;
	}
	struct db_stmt *st = !strcmp(which, "audit") ? db_prepare(db, "SELECT hash FROM audit_log WHERE seq = ?")
						       : db_prepare(db, "SELECT hash FROM exchange_log WHERE seq = ?");
	if (!st || db_bind(st, "i", seq))
		return -1;
	enum db_rc rc = db_step(st);
	if (rc == DB_ROW)
		snprintf(hash, 65, "%s", db_col_text(st, 0));
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

void xanchor_text(const char *node, const char *at, int64_t aseq, const char *ahash, int64_t xseq, const char *xhash, char *out,
			size_t n)
{
	snprintf(out, n, "trondoi-anchor-v1\nnode %s\nat %s\naudit %lld %s\nexchange %lld %s\n", node, at, (long long)aseq, ahash,
		 (long long)xseq, xhash);
}

int xanchor_make(const struct exchange *x, struct db *db, json_t **out, struct err *e)
{
	if (!x->has_key)
		return err_set(e, 409, "no_node_key", "the node's key file is missing or does not match: nothing can be signed",
			       "thiếu tệp khóa của nút hoặc khóa không khớp: không ký được");
	int64_t aseq, xseq;
	char ahash[65], xhash[65], at[40], text[512], sig_b64[128];
	if (xanchor_head(db, "audit", &aseq, ahash) || xanchor_head(db, "exchange", &xseq, xhash))
		return err_set(e, 500, "db_error", "cannot read the chains' heads", "không đọc được đầu chuỗi");
	clock_iso(clock_now_us(), at, sizeof at);
	xanchor_text(x->node_id, at, aseq, ahash, xseq, xhash, text, sizeof text);
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, (const unsigned char *)text, strlen(text), x->sk);
	sodium_bin2base64(sig_b64, sizeof sig_b64, sig, sizeof sig, B64);
	*out = json_pack("{s:s,s:s,s:s,s:{s:I,s:s},s:{s:I,s:s},s:s}", "node", x->node_id, "public_key", x->public_key, "at", at, "audit",
			 "seq", (json_int_t)aseq, "hash", ahash, "exchange_log", "seq", (json_int_t)xseq, "hash", xhash, "signature", sig_b64);
	return 0;
}

/* One chain still holds the anchored hash at its place. */
static int chain_holds(struct db *db, const char *which, const json_t *part, char *why, size_t whylen)
{
	json_int_t seq = json_integer_value(json_object_get(part, "seq"));
	const char *want = json_string_value(json_object_get(part, "hash"));
	char have[65];
	if (xanchor_hash_at(db, which, seq, have))
		return -1;
	if (!want || strcmp(have, want)) {
		snprintf(why, whylen, "the %s chain no longer holds the anchored hash at entry %lld%s", which, (long long)seq,
			 have[0] ? " (rewritten)" : " (gone)");
		return 1;
	}
	return 0;
}

int xanchor_verify(struct db *db, const json_t *anchor, const char *public_key, char *why, size_t whylen)
{
	const json_t *a = json_object_get(anchor, "audit"), *x = json_object_get(anchor, "exchange_log");
	const char *node = json_string_value(json_object_get(anchor, "node")), *at = json_string_value(json_object_get(anchor, "at"));
	const char *sig_b64 = json_string_value(json_object_get(anchor, "signature"));
	const char *ahash = json_string_value(json_object_get(a, "hash")), *xhash = json_string_value(json_object_get(x, "hash"));
	if (!node || !at || !sig_b64 || !ahash || !xhash) {
		snprintf(why, whylen, "not an anchor (node, at, audit, exchange_log and signature are needed)");
		return 1;
	}
	char text[512];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
	size_t npk = 0, nsig = 0;
	xanchor_text(node, at, json_integer_value(json_object_get(a, "seq")), ahash, json_integer_value(json_object_get(x, "seq")), xhash, text,
		    sizeof text);
	if (sodium_base642bin(pk, sizeof pk, public_key, strlen(public_key), NULL, &npk, NULL, B64) || npk != sizeof pk ||
	    sodium_base642bin(sig, sizeof sig, sig_b64, strlen(sig_b64), NULL, &nsig, NULL, B64) || nsig != sizeof sig ||
	    crypto_sign_verify_detached(sig, (const unsigned char *)text, strlen(text), pk)) {
		snprintf(why, whylen, "the anchor's signature is not the node's");
		return 1;
	}
	int rc = chain_holds(db, "audit", a, why, whylen);
	if (!rc)
		rc = chain_holds(db, "exchange", x, why, whylen);
	return rc ? rc : xanchor_chains_whole(db, public_key, why, whylen); /* what follows must chain from it too */
}

int xanchor_chains_whole(struct db *db, const char *public_key, char *why, size_t whylen)
{
	int64_t count, bad;
	char chain_why[200];
	int vr = audit_verify(db, &count, &bad, chain_why, sizeof chain_why);
	if (vr) {
		snprintf(why, whylen, "the audit trail is broken at entry %lld: %s", (long long)bad, vr > 0 ? chain_why : "cannot read it");
		return 1;
	}
	vr = xlog_verify(db, public_key, &count, &bad, chain_why, sizeof chain_why);
	if (vr) {
		snprintf(why, whylen, "the exchange log is broken at entry %lld: %s", (long long)bad, vr > 0 ? chain_why : "cannot read it");
		return 1;
	}
	return 0;
}
