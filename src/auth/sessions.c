/* sessions.c — login, bearer tokens and the slow-down of failed attempts. Tokens are 32 random
 * bytes shown once to the client; the database keeps only their SHA-256. */
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/clock.h"
#include "core/crypto.h"

/* A hash to verify against when the user does not exist, so timing does not tell. */
static char dummy_hash[crypto_pwhash_STRBYTES];

static const char *dummy(void)
{
	if (!dummy_hash[0] && crypto_pwhash_str(dummy_hash, "not-a-password", 14, crypto_pwhash_OPSLIMIT_INTERACTIVE,
						crypto_pwhash_MEMLIMIT_INTERACTIVE))
		dummy_hash[0] = 0;
	return dummy_hash;
}

/* Seconds the account must wait, or 0. */
static int locked_for(struct db *db, const char *username, int64_t now)
{
	struct db_stmt *st = db_prepare(db, "SELECT locked_until FROM login_failures WHERE username = ?");
	if (!st || db_bind(st, "t", username) || db_step(st) != DB_ROW)
		return 0;
	int64_t until = db_col_int(st, 0);
	db_reset(st);
	return until > now ? (int)((until - now + 999999) / 1000000) : 0;
}

/* Records a failure: after LOGIN_FREE_FAILURES the wait doubles each time, up to 15 minutes. */
static void record_failure(struct db *db, const char *username, int64_t now)
{
	int64_t failures = 0;
	struct db_stmt *st = db_prepare(db, "SELECT failures, last_at FROM login_failures WHERE username = ?");
	if (st && !db_bind(st, "t", username) && db_step(st) == DB_ROW) {
		/* a quiet quarter of an hour forgives earlier failures */
		failures = now - db_col_int(st, 1) > 15 * 60 * 1000000LL ? 0 : db_col_int(st, 0);
		db_reset(st);
	}
	failures++;
	int64_t wait = 0;
	if (failures >= LOGIN_FREE_FAILURES) {
		int shift = (int)(failures - LOGIN_FREE_FAILURES);
		wait = shift > 10 ? 900 : (1LL << shift);
		if (wait > 900)
			wait = 900;
	}
	db_run(db, "DELETE FROM login_failures WHERE username = ?", "t", username);
	/* forgotten failures go, so guessing many usernames cannot grow the table without bound */
	db_run(db, "DELETE FROM login_failures WHERE last_at < ? AND locked_until < ?", "ii", now - 15 * 60 * 1000000LL, now);
	db_run(db, "INSERT INTO login_failures (username, failures, last_at, locked_until) VALUES (?, ?, ?, ?)", "tiii",
	       username, failures, now, now + wait * 1000000);
}

static void fill_principal(struct db_stmt *st, int col, struct principal *who)
{
	snprintf(who->user_id, sizeof who->user_id, "%s", db_col_text(st, col));
	snprintf(who->username, sizeof who->username, "%s", db_col_text(st, col + 1));
	role_parse(db_col_text(st, col + 2), &who->role);
	snprintf(who->unit, sizeof who->unit, "%s", db_col_text(st, col + 3));
	snprintf(who->agency, sizeof who->agency, "%s", db_col_text(st, col + 4));
	snprintf(who->citizen_id, sizeof who->citizen_id, "%s", db_col_text(st, col + 5));
}

/* A new session of user_id: a random 32-byte token (64 hex) whose SHA-256 is stored, with its
 * expiry. In the caller's transaction. */
static int session_new(struct db *db, const char *user_id, int64_t now, int64_t ttl_us, char token[65], int64_t *expires_at)
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(token, 65, raw, sizeof raw);
	char th[65];
	crypto_sha256_hex(token, 64, th);
	*expires_at = now + ttl_us;
	return db_run(db, "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)", "ttii", th, user_id, now,
		      *expires_at) == DB_DONE
		       ? 0
		       : -1;
}

int auth_login(struct db *db, const char *username, const char *password, int64_t ttl_us, char token[65],
	       int64_t *expires_at, struct principal *who, int *retry_after, struct err *e)
{
	int64_t now = clock_now_us();
	*retry_after = locked_for(db, username, now);
	if (*retry_after)
		return err_set(e, 429, "too_many_attempts",
			       "too many failed sign-ins for this account; try again in %d s",
			       "đăng nhập sai quá nhiều lần; hãy thử lại sau %d giây", *retry_after);
	char hash[crypto_pwhash_STRBYTES] = "";
	memset(who, 0, sizeof *who);
	struct db_stmt *st = db_prepare(db, "SELECT password_hash, id, username, role, unit, agency, citizen_id "
					    "FROM users WHERE username = ? AND disabled = 0");
	if (st && !db_bind(st, "t", username) && db_step(st) == DB_ROW) {
		snprintf(hash, sizeof hash, "%s", db_col_text(st, 0));
		fill_principal(st, 1, who);
		db_reset(st);
	}
	bool ok = crypto_pwhash_str_verify(hash[0] ? hash : dummy(), password, strlen(password)) == 0 && hash[0];
	if (!ok) {
		if (db_begin(db) == 0) {
			record_failure(db, username, now);
			db_commit(db);
		}
		return err_set(e, 401, "bad_credentials", "wrong username or password",
			       "sai tên đăng nhập hoặc mật khẩu");
	}
	if (db_begin(db))
		return err_set(e, 503, "db_busy", "database busy, try again", "cơ sở dữ liệu bận, hãy thử lại");
	int rc = session_new(db, who->user_id, now, ttl_us, token, expires_at) ||
			 db_run(db, "DELETE FROM login_failures WHERE username = ?", "t", username) != DB_DONE ||
			 db_run(db, "DELETE FROM sessions WHERE expires_at < ?", "i", now) != DB_DONE
		 ? -1
		 : db_commit(db);
	if (rc) {
		db_rollback(db);
		return err_set(e, 500, "db_error", "cannot store the session", "không lưu được phiên đăng nhập");
	}
	return 0;
}

int auth_refresh(struct db *db, const struct principal *who, const char *token, int64_t ttl_us, char fresh[65], int64_t *expires_at,
		 struct err *e)
{
	char th[65];
	crypto_sha256_hex(token, strlen(token), th);
	int64_t now = clock_now_us();
	if (db_begin(db))
		return err_set(e, 503, "db_busy", "database busy, try again", "cơ sở dữ liệu bận, hãy thử lại");
	int rc = db_run(db, "DELETE FROM sessions WHERE token_hash = ? AND expires_at > ?", "ti", th, now) != DB_DONE || db_changes(db) != 1;
	if (rc) {
		db_rollback(db);
		return err_set(e, 401, "unauthenticated", "the session has ended: sign in again", "phiên đã kết thúc: hãy đăng nhập lại");
	}
	if (session_new(db, who->user_id, now, ttl_us, fresh, expires_at) || db_commit(db)) {
		db_rollback(db);
		return err_set(e, 500, "db_error", "cannot store the session", "không lưu được phiên đăng nhập");
	}
	auth_sessions_changed();
	return 0;
}

int auth_logout_all(struct db *db, const struct principal *who)
{
	int rc = db_run(db, "DELETE FROM sessions WHERE user_id = ?", "t", who->user_id) == DB_DONE ? 0 : -1;
	auth_sessions_changed();
	return rc;
}

/* Each worker thread remembers the sessions it resolved for a few seconds, so a request needs no
 * query to know who calls. Ending any session (or anything else that changes who a token is)
 * bumps the generation, which forgets every remembered session at once in this process; other
 * processes on the same database notice within CACHE_TTL_US. */
#define CACHE_SLOTS 256
#define CACHE_TTL_US (5 * 1000000LL)

struct cached {
	char th[65];
	unsigned gen;
	int64_t expires_at, cached_at;
	struct principal who;
};

static _Thread_local struct cached cache[CACHE_SLOTS];
static atomic_uint generation = 1;

void auth_sessions_changed(void)
{
	atomic_fetch_add(&generation, 1);
}

static struct cached *slot_of(const char *th)
{
	unsigned h = 0;
	for (int i = 0; i < 8; i++)
		h = h * 16 + (unsigned)(th[i] <= '9' ? th[i] - '0' : th[i] - 'a' + 10);
	return &cache[h % CACHE_SLOTS];
}

int auth_session(struct db *db, const char *token, struct principal *who)
{
	if (strlen(token) != 64)
		return -1;
	char th[65];
	crypto_sha256_hex(token, 64, th);
	int64_t now = clock_now_us();
	struct cached *c = slot_of(th);
	if (c->gen == atomic_load(&generation) && !strcmp(c->th, th) && now - c->cached_at < CACHE_TTL_US &&
	    c->expires_at > now) {
		*who = c->who;
		return 0;
	}
	unsigned gen = atomic_load(&generation);
	struct db_stmt *st = db_prepare(db, "SELECT s.expires_at, u.id, u.username, u.role, u.unit, u.agency, "
					    "u.citizen_id FROM sessions s JOIN users u ON u.id = s.user_id "
					    "WHERE s.token_hash = ? AND u.disabled = 0");
	if (!st || db_bind(st, "t", th) || db_step(st) != DB_ROW)
		return -1;
	int rc = -1;
	if (db_col_int(st, 0) > now) {
		memset(who, 0, sizeof *who);
		fill_principal(st, 1, who);
		*c = (struct cached){.gen = gen, .expires_at = db_col_int(st, 0), .cached_at = now, .who = *who};
		memcpy(c->th, th, sizeof th);
		rc = 0;
	}
	db_reset(st);
	return rc;
}

int auth_logout(struct db *db, const char *token)
{
	char th[65];
	crypto_sha256_hex(token, strlen(token), th);
	int rc = db_run(db, "DELETE FROM sessions WHERE token_hash = ?", "t", th) == DB_DONE ? 0 : -1;
	auth_sessions_changed();
	return rc;
}
