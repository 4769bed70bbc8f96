/* users.c — accounts and roles. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "core/crypto.h"

static const char *const role_names[ROLE_COUNT] = {"citizen", "officer", "leader", "admin", "dpo"};

int role_parse(const char *s, enum role *out)
{
	for (int i = 0; s && i < ROLE_COUNT; i++)
		if (!strcmp(s, role_names[i])) {
			*out = (enum role)(1 << i);
			return 0;
		}
	return -1;
}

const char *role_name(enum role r)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (r == (enum role)(1 << i))
			return role_names[i];
	return "unknown";
}

bool auth_valid_username(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || strchr("._-", s[i])))
			return false;
	return true;
}

bool auth_valid_email(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	const char *at = s ? strchr(s, '@') : NULL;
	if (n < 3 || n > 254 || !at || at == s || !at[1] || strchr(at + 1, '@') || !strchr(at + 1, '.'))
		return false;
	for (const char *c = s; *c; c++) /* nothing that could end a mail header or address */
		if (*c <= ' ' || *c > '~' || strchr("<>()[]\\,;:\"", *c))
			return false;
	return true;
}

/* Passwords anyone would try first (an account's own name is refused too). */
static const char *const common_passwords[] = {
	"password", "password1", "password123", "12345678", "123456789", "1234567890", "11111111", "00000000", "87654321",
	"qwerty123", "qwertyuiop", "abc12345", "abcd1234", "iloveyou", "matkhau", "matkhau1", "matkhau123", "12345678a",
	"admin123", "administrator", "trondoi", "trondoi123", "vietnam", "vietnam123", "hanoi123", "ninhbinh",
};

static bool contains_folded(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; n && *p; p++)
		if (!strncasecmp(p, needle, n))
			return true;
	return false;
}

/* The minimum policy: PASSWORD_MIN to PASSWORD_MAX characters, not a common password, not
 * holding the username. */
int auth_check_password(const char *username, const char *password, struct err *e)
{
	size_t plen = strlen(password);
	if (plen < PASSWORD_MIN || plen > PASSWORD_MAX)
		return err_set(e, 422, "weak_password", "password must be %d to %d characters long",
			       "mật khẩu phải dài từ %d đến %d ký tự", PASSWORD_MIN, PASSWORD_MAX);
	for (size_t i = 0; i < sizeof common_passwords / sizeof *common_passwords; i++)
		if (!strcasecmp(password, common_passwords[i]))
			return err_set(e, 422, "weak_password", "that password is among the first anyone would try: choose another",
				       "mật khẩu này quá dễ đoán: hãy chọn mật khẩu khác");
	if (username && contains_folded(password, username))
		return err_set(e, 422, "weak_password", "the password must not contain the username",
			       "mật khẩu không được chứa tên đăng nhập");
	return 0;
}

int user_add(struct db *db, const struct user_spec *u, const char *actor, struct err *e)
{
	if (u->email && !auth_valid_email(u->email))
		return err_set(e, 422, "invalid_email", "the e-mail address is not a plain address (name@domain)",
			       "địa chỉ thư điện tử không hợp lệ (ten@mien)");
	if (!auth_valid_username(u->username))
		return err_set(e, 422, "invalid_username", "username must be 3-64 characters: a-z, 0-9, '.', '_' or '-'",
			       "tên đăng nhập gồm 3-64 ký tự: a-z, 0-9, '.', '_' hoặc '-'");
	if (auth_check_password(u->username, u->password, e))
		return -1;
	size_t plen = strlen(u->password);
	char hash[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str(hash, u->password, plen, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return err_set(e, 500, "out_of_memory", "cannot hash the password (out of memory)",
			       "không băm được mật khẩu (hết bộ nhớ)");
	char id[33], detail[512];
	crypto_random_hex(id, 16);
	snprintf(detail, sizeof detail, "{\"role\":\"%s\",\"unit\":\"%s\",\"agency\":\"%s\"}", u->role,
		 u->unit ? u->unit : "", u->agency ? u->agency : "");
	if (db_begin(db))
		return err_set(e, 503, "db_busy", "database busy: %s", "cơ sở dữ liệu bận: %s", db_errmsg(db));
	enum db_rc rc = db_run(db,
			       "INSERT INTO users (id, username, role, unit, agency, citizen_id, password_hash, created_at, email) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			       "tttttttit", id, u->username, u->role, u->unit, u->agency, u->citizen_id, hash,
			       clock_now_us(), u->email);
	if (rc == DB_DONE && audit_append(db, actor, "user.add", u->username, detail) == 0 && db_commit(db) == 0)
		return 0;
	db_rollback(db);
	if (rc == DB_CONSTRAINT)
		return err_set(e, 409, "username_taken", "username '%s' is already taken",
			       "tên đăng nhập '%s' đã có người dùng", u->username);
	return err_set(e, 500, "db_error", "cannot save the account: %s", "không lưu được tài khoản: %s", db_errmsg(db));
}
