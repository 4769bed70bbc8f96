/* auth.h — accounts (argon2id passwords), sessions (expiring bearer tokens, stored hashed) and
 * the slow-down of repeated failed logins. */
#ifndef TD_AUTH_H
#define TD_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

/* ROLE_DPO: the data-protection officer (Decree 13/2023/NĐ-CP), who answers citizens' objections
 * to uses of their data; the admin, who reads no personal data, does not. */
enum role { ROLE_CITIZEN = 1, ROLE_OFFICER = 2, ROLE_LEADER = 4, ROLE_ADMIN = 8, ROLE_DPO = 16 };
#define ROLE_ANY (ROLE_CITIZEN | ROLE_OFFICER | ROLE_LEADER | ROLE_ADMIN | ROLE_DPO)
#define ROLE_COUNT 5
#define ROLE_STAFF (ROLE_OFFICER | ROLE_LEADER)

struct principal {
	char user_id[33];
	char username[65];
	enum role role;
	char unit[8];       /* officer, leader: administrative unit code on today's map */
	char agency[24];    /* officer, leader: agency kind (ubnd, congan, ...) */
	char citizen_id[13]; /* citizen: their personal ID */
};

struct user_spec {
	const char *username, *password, *role, *unit, *agency, *citizen_id;
	const char *email; /* staff: a work address for reminders (NULL: none) */
};
/* The minimum password policy (users.c): 0, or 422 weak_password saying why. */
int auth_check_password(const char *username, const char *password, struct err *e);
/* A plain e-mail address: local@domain, printable ASCII without spaces, 3-254 characters. */
bool auth_valid_email(const char *s);

int role_parse(const char *s, enum role *out);
const char *role_name(enum role r);
bool auth_valid_username(const char *s);

/* Creates an account; the caller has checked unit, agency and citizen against the catalogs.
 * Writes an audit entry. 409 when the username is taken. */
int user_add(struct db *db, const struct user_spec *u, const char *actor, struct err *e);

#define LOGIN_FREE_FAILURES 5
#define PASSWORD_MIN 8
#define PASSWORD_MAX 256

/* Checks the pair; on success stores a new session and returns its token (64 hex) and expiry.
 * 401 on a bad pair, 429 (with *retry_after seconds) while failures are being slowed down. */
int auth_login(struct db *db, const char *username, const char *password, int64_t ttl_us, char token[65],
	       int64_t *expires_at, struct principal *who, int *retry_after, struct err *e);
/* Resolves a bearer token to its principal. Returns 0, or -1 when unknown or expired. */
int auth_session(struct db *db, const char *token, struct principal *who);
int auth_logout(struct db *db, const char *token);
/* Rotates a session: the token ends and a new one (fresh, 64 hex) takes its place with a new
 * expiry. 401 when the token had ended already. */
int auth_refresh(struct db *db, const struct principal *who, const char *token, int64_t ttl_us, char fresh[65], int64_t *expires_at,
		 struct err *e);
/* Ends every session of who's account (signed in elsewhere too). */
int auth_logout_all(struct db *db, const struct principal *who);
/* Forgets the sessions worker threads remember (after a logout, a disabled account ...). */
void auth_sessions_changed(void);

#endif
