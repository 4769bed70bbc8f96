/* keys.c — each unit's Ed25519 signing key, created the first time the unit issues a result.
 * The public half is published (GET /api/v1/keys) so that anyone can check a result offline.
 * The secret half is sealed under the data key (security/seal.h), so a copy of the database
 * alone cannot sign. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "security/seal.h"
#include "store/store.h"

#define B64 sodium_base64_VARIANT_ORIGINAL

static int load(struct db *db, const char *unit, unsigned char *sk, char public_b64[64])
{
	struct db_stmt *st = db_prepare(db, "SELECT public_key, secret_key FROM unit_keys WHERE unit = ?");
	if (!st || db_bind(st, "t", unit) || db_step(st) != DB_ROW)
		return -1;
	snprintf(public_b64, 64, "%s", db_col_text(st, 0));
	size_t n = 0;
	char *s = sk ? unseal_text("unit_keys.secret_key", unit, db_col_text(st, 1)) : NULL;
	int rc = sk ? !s || sodium_base642bin(sk, 64, s, strlen(s), NULL, &n, NULL, B64) || n != 64 : 0;
	if (s)
		sodium_memzero(s, strlen(s));
	free(s);
	db_reset(st);
	return rc ? -1 : 0;
}

int unit_public_key(struct db *db, const char *unit, char public_b64[64])
{
	return load(db, unit, NULL, public_b64);
}

int unit_key(struct db *db, const char *unit, unsigned char sk[64], char public_b64[64])
{
	if (!load(db, unit, sk, public_b64))
		return 0;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	char secret_b64[128];
	crypto_sign_keypair(pk, sk);
	sodium_bin2base64(public_b64, 64, pk, sizeof pk, B64);
	sodium_bin2base64(secret_b64, sizeof secret_b64, sk, 64, B64);
	char *sealed = seal_text("unit_keys.secret_key", unit, secret_b64);
	int rc = sealed && db_run(db, "INSERT INTO unit_keys (unit, public_key, secret_key, created_at) VALUES (?, ?, ?, ?)", "ttti",
				  unit, public_b64, sealed, clock_now_us()) == DB_DONE ? 0 : -1;
	sodium_memzero(secret_b64, sizeof secret_b64);
	free(sealed);
	return rc;
}

int keys_list(const struct dossiers *d, struct db *db, json_t **out, struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT unit, public_key, created_at FROM unit_keys ORDER BY unit");
	if (!st)
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	char today[11];
	clock_today_vn(today, sizeof today);
	json_t *list = json_array();
	while (db_step(st) == DB_ROW) {
		char at[40];
		clock_iso(db_col_int(st, 2), at, sizeof at);
		const struct unit *u = units_find(d->registry->units, db_col_text(st, 0), today);
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:s}", "unit", db_col_text(st, 0), "name", u ? u->name : "",
						      "algorithm", "Ed25519", "public_key", db_col_text(st, 1), "created_at", at));
	}
	*out = json_pack("{s:o}", "keys", list);
	return 0;
}
