/* node.c — the node's Ed25519 identity. The public key is in the database (exchange_node); the
 * secret key is in a key file beside it (mode 0600), so a copy of the database alone cannot sign
 * messages. The file holds the 64-byte libsodium secret key in base64 and a newline. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "exchange/exchange.h"

#define B64 sodium_base64_VARIANT_ORIGINAL

int xnode_key_path(const char *db_url, char *out, size_t n)
{
	return db_beside(db_url, "TRONDOI_NODE_KEY", "node-key", out, n);
}

/* Reads the key file: 0 with sk, -1 when absent or unreadable (errno kept). */
static int read_key(const char *path, unsigned char sk[64])
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char text[200] = "";
	size_t len = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[len] = 0;
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = 0;
	size_t n = 0;
	int rc = sodium_base642bin(sk, 64, text, len, NULL, &n, NULL, B64) || n != 64 ? -1 : 0;
	sodium_memzero(text, sizeof text);
	if (rc)
		errno = EINVAL;
	return rc;
}

/* Creates the key file with a new key pair (refusing to overwrite one). */
static int write_key(const char *path, unsigned char sk[64], char public_b64[64], struct err *e)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	crypto_sign_keypair(pk, sk);
	sodium_bin2base64(public_b64, 64, pk, sizeof pk, B64);
	char text[128];
	sodium_bin2base64(text, sizeof text, sk, 64, B64);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	size_t len = strlen(text);
	text[len++] = '\n';
	int rc = fd >= 0 && write(fd, text, len) == (ssize_t)len && fsync(fd) == 0 ? 0 : -1;
	int saved = errno;
	if (fd >= 0)
		close(fd);
	sodium_memzero(text, sizeof text);
	if (rc)
		return err_set(e, 500, "node_key_write", "cannot create the node key file %s: %s",
			       "không tạo được tệp khóa của nút %s: %s", path, strerror(saved));
	return 0;
}

static void public_of(const unsigned char sk[64], char public_b64[64])
{
	sodium_bin2base64(public_b64, 64, sk + 32, 32, B64); /* libsodium keeps the public key in the upper half */
}

int xnode_init(struct db *db, const char *db_url, const char *node_id, const char *default_id, struct err *e)
{
	if (node_id && !xid_valid(node_id, 3))
		return err_set(e, 400, "invalid_node", "--node %s: write it as VN/GOV/37 (country, class GOV or COM, member)",
			       "--node %s: hãy viết dạng VN/GOV/37 (quốc gia, nhóm GOV hoặc COM, thành viên)", node_id);
	char path[1100], stored[64] = "", pub[64];
	if (xnode_key_path(db_url, path, sizeof path))
		return err_set(e, 400, "node_key_path", "with PostgreSQL, say where the node's key file lives: TRONDOI_NODE_KEY=FILE",
			       "với PostgreSQL, hãy chỉ nơi đặt tệp khóa của nút: TRONDOI_NODE_KEY=TỆP");
	struct db_stmt *st = db_prepare(db, "SELECT public_key FROM exchange_node WHERE id = 1");
	if (!st)
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	if (db_step(st) == DB_ROW)
		snprintf(stored, sizeof stored, "%s", db_col_text(st, 0));
	db_reset(st);
	unsigned char sk[64];
	int rc = 0;
	if (read_key(path, sk) == 0) {
		public_of(sk, pub);
		if (stored[0] && strcmp(stored, pub))
			rc = err_set(e, 409, "node_key_mismatch",
				     "the key file %s does not hold the node key this database knows (%s); put the right file back",
				     "tệp khóa %s không chứa khóa của nút mà cơ sở dữ liệu này biết (%s); hãy đặt lại đúng tệp", path,
				     stored);
	} else if (errno != ENOENT)
		rc = err_set(e, 500, "node_key_read", "cannot read the node key file %s: %s", "không đọc được tệp khóa %s: %s",
			     path, strerror(errno));
	else if (stored[0]) {
		fprintf(stderr, "trondoi init: warning: the node key file %s is missing; exchange messages cannot be\n"
				"  signed until it is put back (the database knows the public key %s)\n", path, stored);
		snprintf(pub, sizeof pub, "%s", stored);
	} else if (!(rc = write_key(path, sk, pub, e)))
		printf("node key created: %s (mode 0600; keep it with the database, back it up apart)\n", path);
	sodium_memzero(sk, sizeof sk);
	if (rc)
		return rc;
	const char *id = node_id ? node_id : default_id;
	if (db_run(db, "INSERT INTO exchange_node (id, node_id, public_key, created_at) VALUES (1, ?, ?, ?) "
		       "ON CONFLICT (id) DO NOTHING", "tti", id, pub, clock_now_us()) != DB_DONE ||
	    (node_id && db_run(db, "UPDATE exchange_node SET node_id = ? WHERE id = 1", "t", node_id) != DB_DONE))
		return err_set(e, 500, "db_error", "cannot store the node's identity: %s", "không lưu được danh tính của nút: %s",
			       db_errmsg(db));
	return 0;
}

int xnode_load(struct exchange *x, struct db *db, const char *db_url, const char *node_id, struct err *e)
{
	struct db_stmt *st = db_prepare(db, "SELECT node_id, public_key FROM exchange_node WHERE id = 1");
	if (!st)
		return err_set(e, 500, "db_error", "database error", "lỗi cơ sở dữ liệu");
	if (db_step(st) != DB_ROW)
		return err_set(e, 500, "no_node", "this database has no exchange node yet: run trondoi init",
			       "cơ sở dữ liệu chưa có nút trao đổi: hãy chạy trondoi init");
	snprintf(x->node_id, sizeof x->node_id, "%s", node_id ? node_id : db_col_text(st, 0));
	snprintf(x->public_key, sizeof x->public_key, "%s", db_col_text(st, 1));
	db_reset(st);
	char path[1100], pub[64];
	x->has_key = false;
	if (!xnode_key_path(db_url, path, sizeof path) && read_key(path, x->sk) == 0) {
		public_of(x->sk, pub);
		x->has_key = !strcmp(pub, x->public_key);
	}
	if (!x->has_key)
		sodium_memzero(x->sk, sizeof x->sk);
	return 0;
}

void xnode_release(struct exchange *x)
{
	sodium_memzero(x->sk, sizeof x->sk);
	x->has_key = false;
	json_decref(x->providers);
	x->providers = NULL;
	json_decref(x->prefill);
	x->prefill = NULL;
}

bool xnode_key_reload(struct exchange *x, const char *db_url)
{
	if (x->has_key)
		return false;
	char path[1100], pub[64];
	unsigned char sk[64];
	bool back = !xnode_key_path(db_url, path, sizeof path) && read_key(path, sk) == 0;
	if (back) {
		public_of(sk, pub);
		back = !strcmp(pub, x->public_key);
	}
	if (back) {
		memcpy(x->sk, sk, sizeof sk);
		x->has_key = true; /* an atomic store: whoever reads it true finds sk written */
	}
	sodium_memzero(sk, sizeof sk);
	return back;
}
