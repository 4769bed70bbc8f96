/* seal.c — the data keys and sealing with them (see seal.h). The key file is text, mode 0600:
 *   index <base64 32 bytes>     the citizen-ID index key (kept across rotations)
 *   key <id> <base64 32 bytes>  data keys, oldest first; the last one seals
 * A server notices a rotated file within a few seconds (it checks the file's time and size), so
 * `trondoi keys rotate` needs no restart. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/json.h"
#include "security/seal.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define KEY_B64 sodium_base64_VARIANT_ORIGINAL
#define NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
#define KEYLEN crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define FILE_MAGIC "TDSEAL1\n"
#define FILE_HEAD (8 + 4 + NONCE)
#define REFRESH_S 2
#define CHECK_CONTEXT "meta.data_keys"
#define CHECK_PLAIN "trondoi data key check"

struct data_key {
	int id;
	unsigned char k[KEYLEN];
};

/* What the key file holds, and which version of it (its time and size). */
struct keyset {
	bool has_index;
	unsigned char index[crypto_generichash_KEYBYTES];
	struct data_key keys[SEAL_KEYS_MAX];
	int n;
	struct timespec mtime;
	off_t size;
};

static struct ring {
	pthread_rwlock_t lock;
	char path[1100];
	bool loaded;
	time_t checked;
	struct keyset k;
} ring = {.lock = PTHREAD_RWLOCK_INITIALIZER};

int seal_key_path(const char *db_url, char *out, size_t n)
{
	return db_beside(db_url, "TRONDOI_DATA_KEY", "data-key", out, n);
}

/* --- the key file --- */

static int parse_key(const char *b64, unsigned char *out, size_t len)
{
	size_t n = 0;
	return sodium_base642bin(out, len, b64, strlen(b64), NULL, &n, NULL, KEY_B64) || n != len ? -1 : 0;
}

/* Parses the file's text into r (keys, index); -1 when malformed. */
static int parse_keys(char *text, struct keyset *r)
{
	r->n = 0;
	r->has_index = false;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "\r")] = 0;
		char word[8], b64[64];
		int id;
		if (line[0] == '#' || !line[0])
			continue;
		if (sscanf(line, "index %63s", b64) == 1) {
			if (parse_key(b64, r->index, sizeof r->index))
				return -1;
			r->has_index = true;
		} else if (sscanf(line, "%7s %d %63s", word, &id, b64) == 3 && !strcmp(word, "key") && id > 0 &&
			   r->n < SEAL_KEYS_MAX && (r->n == 0 || id > r->keys[r->n - 1].id)) {
			if (parse_key(b64, r->keys[r->n].k, KEYLEN))
				return -1;
			r->keys[r->n++].id = id;
		} else
			return -1;
		sodium_memzero(b64, sizeof b64);
	}
	return r->has_index && r->n > 0 ? 0 : -1;
}

/* Reads path into r; -1 with errno (ENOENT when absent, EINVAL when malformed). */
static int read_keys(const char *path, struct keyset *r)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	char text[4096];
	ssize_t len = fstat(fd, &st) == 0 && st.st_size < (off_t)sizeof text ? read(fd, text, sizeof text - 1) : -1;
	close(fd);
	if (len < 0) {
		errno = EINVAL;
		return -1;
	}
	text[len] = 0;
	int rc = parse_keys(text, r);
	sodium_memzero(text, sizeof text);
	r->mtime = st.st_mtim;
	r->size = st.st_size;
	if (rc)
		errno = EINVAL;
	return rc;
}

/* Writes r's keys to path through a new file renamed over it (or, with exclusive, linked where
 * no file is yet). */
static int write_keys(const char *path, const struct keyset *r, bool exclusive, struct err *e)
{
	char text[4096], b64[64], tmp[1200], rnd[17];
	size_t len = (size_t)snprintf(text, sizeof text, "# trondoi data keys: keep this file secret (mode 0600) and back it up "
							 "apart from the database.\n# Without it no personal data in the database "
							 "can be read. The last key seals; every key opens.\n");
	sodium_bin2base64(b64, sizeof b64, r->index, sizeof r->index, KEY_B64);
	len += (size_t)snprintf(text + len, sizeof text - len, "index %s\n", b64);
	for (int i = 0; i < r->n; i++) {
		sodium_bin2base64(b64, sizeof b64, r->keys[i].k, KEYLEN, KEY_B64);
		len += (size_t)snprintf(text + len, sizeof text - len, "key %d %s\n", r->keys[i].id, b64);
	}
	crypto_random_hex(rnd, 8);
	snprintf(tmp, sizeof tmp, "%s.%s.tmp", path, rnd);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int rc = fd >= 0 && write(fd, text, len) == (ssize_t)len && fsync(fd) == 0 ? 0 : -1;
	if (fd >= 0 && close(fd))
		rc = -1;
	if (!rc)
		rc = exclusive ? link(tmp, path) : rename(tmp, path);
	int saved = errno;
	unlink(tmp);
	sodium_memzero(text, sizeof text);
	sodium_memzero(b64, sizeof b64);
	if (rc)
		return err_set(e, 500, "data_key_write", "cannot write the data key file %s: %s",
			       "không ghi được tệp khóa dữ liệu %s: %s", path, strerror(saved));
	return 0;
}

/* Rereads the file when it changed (another process rotated the keys); at most every REFRESH_S
 * seconds unless forced. */
static void refresh(bool force)
{
	time_t now = time(NULL);
	pthread_rwlock_rdlock(&ring.lock);
	bool due = ring.loaded && (force || now - ring.checked >= REFRESH_S);
	pthread_rwlock_unlock(&ring.lock);
	if (!due)
		return;
	struct stat st;
	pthread_rwlock_wrlock(&ring.lock);
	ring.checked = now;
	if (!stat(ring.path, &st) && (st.st_mtim.tv_sec != ring.k.mtime.tv_sec || st.st_mtim.tv_nsec != ring.k.mtime.tv_nsec ||
				      st.st_size != ring.k.size)) {
		struct keyset fresh = {0};
		if (!read_keys(ring.path, &fresh))
			ring.k = fresh;
		sodium_memzero(&fresh, sizeof fresh);
	}
	pthread_rwlock_unlock(&ring.lock);
}

/* --- the database's check --- */

static json_t *meta_keys(struct db *db)
{
	struct db_stmt *st = db_prepare(db, "SELECT value FROM meta WHERE key = 'data_keys'");
	json_t *v = NULL;
	if (st && db_step(st) == DB_ROW) {
		v = json_loads(db_col_text(st, 0), 0, NULL);
		db_reset(st);
	}
	return v;
}

static int fail_open(struct err *e, const char *path)
{
	return err_set(e, 409, "data_key_mismatch",
		       "the data key file %s does not hold the keys this database was sealed with; put the right file back",
		       "tệp khóa dữ liệu %s không chứa khóa đã niêm phong cơ sở dữ liệu này; hãy đặt lại đúng tệp", path);
}

/* Every check the database keeps for a key in the file must open, and the index key match. */
static int check_ring(const json_t *meta, struct err *e)
{
	char ix[SEAL_INDEX_LEN + 1];
	const char *want = json_string_value(json_object_get(meta, "index_check"));
	if (seal_index(CHECK_PLAIN, ix) || !want || strcmp(want, ix))
		return fail_open(e, ring.path);
	const char *kid;
	json_t *v;
	json_object_foreach((json_t *)json_object_get(meta, "checks"), kid, v) {
		int id = atoi(kid);
		bool known = false;
		for (int i = 0; i < ring.k.n; i++)
			known |= ring.k.keys[i].id == id;
		char *plain = known ? unseal_text(CHECK_CONTEXT, kid, json_string_value(v)) : NULL;
		bool ok = !known || (plain && !strcmp(plain, CHECK_PLAIN));
		free(plain);
		if (!ok)
			return fail_open(e, ring.path);
	}
	return 0;
}

int seal_load(struct db *db, const char *db_url, bool create, struct err *e)
{
	seal_unload();
	char path[1100];
	if (seal_key_path(db_url, path, sizeof path))
		return err_set(e, 400, "data_key_path", "with PostgreSQL, say where the data key file lives: TRONDOI_DATA_KEY=FILE",
			       "với PostgreSQL, hãy chỉ nơi đặt tệp khóa dữ liệu: TRONDOI_DATA_KEY=TỆP");
	json_t *meta = meta_keys(db);
	struct keyset fresh = {0};
	int rc = 0;
	if (read_keys(path, &fresh) == 0)
		;
	else if (errno != ENOENT)
		rc = err_set(e, 500, "data_key_read", "cannot read the data key file %s: %s", "không đọc được tệp khóa dữ liệu %s: %s",
			     path, errno == EINVAL ? "not a trondoi data key file" : strerror(errno));
	else if (meta)
		rc = err_set(e, 409, "data_key_missing",
			     "the data key file %s is missing: without it no personal data in this database can be read; put it back",
			     "thiếu tệp khóa dữ liệu %s: không có nó thì không đọc được dữ liệu cá nhân nào; hãy đặt lại tệp", path);
	else if (!create)
		rc = err_set(e, 409, "not_sealed", "this database's personal data is not encrypted yet: run trondoi init",
			     "dữ liệu cá nhân của cơ sở dữ liệu này chưa được mã hóa: hãy chạy trondoi init");
	else {
		randombytes_buf(fresh.index, sizeof fresh.index);
		fresh.keys[0].id = 1;
		randombytes_buf(fresh.keys[0].k, KEYLEN);
		fresh.n = 1;
		fresh.has_index = true;
		if (!(rc = write_keys(path, &fresh, true, e))) {
			printf("data key created: %s (mode 0600; keep it apart from database copies, back it up)\n", path);
			rc = read_keys(path, &fresh) ? err_set(e, 500, "data_key_read", "cannot read the data key file %s back",
								"không đọc lại được tệp khóa dữ liệu %s", path)
						       : 0;
		}
	}
	if (!rc) {
		pthread_rwlock_wrlock(&ring.lock);
		ring.k = fresh;
		ring.checked = time(NULL);
		snprintf(ring.path, sizeof ring.path, "%s", path);
		ring.loaded = true;
		pthread_rwlock_unlock(&ring.lock);
		if (meta)
			rc = check_ring(meta, e);
		else if (!create)
			rc = err_set(e, 409, "not_sealed", "this database's personal data is not encrypted yet: run trondoi init",
				     "dữ liệu cá nhân của cơ sở dữ liệu này chưa được mã hóa: hãy chạy trondoi init");
	}
	sodium_memzero(&fresh, sizeof fresh);
	json_decref(meta);
	if (rc)
		seal_unload();
	return rc;
}

int seal_mark(struct db *db, struct err *e)
{
	char ix[SEAL_INDEX_LEN + 1], kid[16];
	json_t *meta = meta_keys(db);
	if (!meta)
		meta = json_object();
	json_t *checks = json_object_get(meta, "checks");
	if (!json_is_object(checks))
		json_object_set_new(meta, "checks", checks = json_object());
	int ids[SEAL_KEYS_MAX], n = seal_key_ids(ids);
	int rc = seal_index(CHECK_PLAIN, ix) || json_object_set_new(meta, "index_check", json_string(ix));
	for (int i = 0; i < n && !rc; i++) {
		snprintf(kid, sizeof kid, "%d", ids[i]);
		if (json_object_get(checks, kid))
			continue;
		char *sealed = seal_text(CHECK_CONTEXT, kid, CHECK_PLAIN);
		rc = !sealed || json_object_set_new(checks, kid, json_string(sealed));
		free(sealed);
	}
	char *text = rc ? NULL : json_dumps(meta, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(meta);
	rc = !text || db_run(db, "INSERT INTO meta (key, value) VALUES ('data_keys', ?) ON CONFLICT (key) DO UPDATE SET value = "
				 "excluded.value",
			     "t", text) != DB_DONE;
	free(text);
	return rc ? err_set(e, 500, "db_error", "cannot record the data keys' check: %s", "không ghi được phép thử khóa dữ liệu: %s",
			    db_errmsg(db))
		  : 0;
}

void seal_unload(void)
{
	pthread_rwlock_wrlock(&ring.lock);
	sodium_memzero(&ring.k, sizeof ring.k);
	ring.loaded = false;
	pthread_rwlock_unlock(&ring.lock);
}

int seal_key_ids(int ids[SEAL_KEYS_MAX])
{
	pthread_rwlock_rdlock(&ring.lock);
	int n = ring.k.n;
	for (int i = 0; i < n; i++)
		ids[i] = ring.k.keys[i].id;
	pthread_rwlock_unlock(&ring.lock);
	return n;
}

int seal_active(void)
{
	refresh(false);
	pthread_rwlock_rdlock(&ring.lock);
	int id = ring.k.n ? ring.k.keys[ring.k.n - 1].id : 0;
	pthread_rwlock_unlock(&ring.lock);
	return id;
}

/* Replaces the key file with next and takes it (under the write lock). */
static int replace_keys(struct keyset *next, struct err *e)
{
	int rc = write_keys(ring.path, next, false, e);
	if (!rc && read_keys(ring.path, next))
		rc = err_set(e, 500, "data_key_read", "cannot read the data key file %s back", "không đọc lại được tệp khóa dữ liệu %s",
			     ring.path);
	if (!rc)
		ring.k = *next;
	return rc;
}

int seal_add_key(struct err *e)
{
	refresh(true);
	pthread_rwlock_wrlock(&ring.lock);
	struct keyset next = ring.k;
	int rc = !ring.loaded || next.n >= SEAL_KEYS_MAX
			 ? err_set(e, 409, "too_many_keys", "the data key file holds %d keys: finish the last rotation first",
				   "tệp khóa dữ liệu đã có %d khóa: hãy hoàn tất lần đổi khóa trước", next.n)
			 : 0;
	if (!rc) {
		next.keys[next.n].id = next.keys[next.n - 1].id + 1;
		randombytes_buf(next.keys[next.n].k, KEYLEN);
		next.n++;
		rc = replace_keys(&next, e);
	}
	sodium_memzero(&next, sizeof next);
	pthread_rwlock_unlock(&ring.lock);
	return rc;
}

int seal_drop_keys(const int *keep, int nkeep, struct err *e)
{
	pthread_rwlock_wrlock(&ring.lock);
	struct keyset next = ring.k;
	next.n = 0;
	for (int i = 0; i < ring.k.n; i++) {
		bool kept = i == ring.k.n - 1;
		for (int j = 0; j < nkeep; j++)
			kept |= keep[j] == ring.k.keys[i].id;
		if (kept)
			next.keys[next.n++] = ring.k.keys[i];
	}
	int rc = next.n == ring.k.n ? 0 : replace_keys(&next, e);
	sodium_memzero(&next, sizeof next);
	pthread_rwlock_unlock(&ring.lock);
	return rc;
}

/* --- sealing --- */

/* The associated data: the column, a NUL, the row. */
static size_t aad_of(const char *context, const char *row, unsigned char *out, size_t n)
{
	size_t a = strlen(context), b = strlen(row);
	if (a + 1 + b > n)
		return 0;
	memcpy(out, context, a + 1);
	memcpy(out + a + 1, row, b);
	return a + 1 + b;
}

/* Copies the key with id (the active one when id is 0) into k; -1 when not loaded. */
static int key_by_id(int id, int *used, unsigned char k[KEYLEN])
{
	pthread_rwlock_rdlock(&ring.lock);
	int rc = -1;
	for (int i = ring.k.n - 1; i >= 0 && rc; i--)
		if (!id || ring.k.keys[i].id == id) {
			memcpy(k, ring.k.keys[i].k, KEYLEN);
			*used = ring.k.keys[i].id;
			rc = 0;
		}
	pthread_rwlock_unlock(&ring.lock);
	return rc;
}

/* A fresh nonce: this thread's random prefix (16 bytes, drawn once) and its counter (8 bytes).
 * XChaCha20's 192-bit nonce leaves room for both, so nonces stay unique without a getrandom
 * call per value (which cost the bulk import about as much as the encryption itself): two
 * threads share a prefix with probability 2^-128. A child of fork() would copy its parent's
 * prefix and counter, so the generation bumped in the child makes every thread draw anew. */
static unsigned fork_generation;

static void after_fork(void)
{
	fork_generation++;
}

static void watch_forks(void)
{
	pthread_atfork(NULL, NULL, after_fork);
}

static void next_nonce(unsigned char out[NONCE])
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	static _Thread_local struct {
		unsigned char prefix[NONCE - 8];
		uint64_t counter;
		unsigned generation;
		bool drawn;
	} t;
	pthread_once(&once, watch_forks);
	if (!t.drawn || t.generation != fork_generation) {
		randombytes_buf(t.prefix, sizeof t.prefix);
		t.counter = 0;
		t.generation = fork_generation;
		t.drawn = true;
	}
	memcpy(out, t.prefix, sizeof t.prefix);
	uint64_t c = t.counter++;
	for (int i = 0; i < 8; i++)
		out[sizeof t.prefix + i] = (unsigned char)(c >> (8 * i));
}

/* Encrypts len bytes into out (nonce, ciphertext, tag): out has len + NONCE + TAG bytes. */
static int encrypt(int *kid, const unsigned char *ad, size_t adlen, const void *plain, size_t len, unsigned char *out)
{
	unsigned char k[KEYLEN];
	refresh(false);
	if (key_by_id(0, kid, k))
		return -1;
	next_nonce(out);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + NONCE, NULL, plain, len, ad, adlen, NULL, out, k);
	sodium_memzero(k, sizeof k);
	return 0;
}

/* Decrypts (nonce, ciphertext, tag) under key kid into out (len - NONCE - TAG bytes). */
static int decrypt(int kid, const unsigned char *ad, size_t adlen, const unsigned char *in, size_t len, unsigned char *out)
{
	unsigned char k[KEYLEN];
	int used;
	if (len < NONCE + TAG)
		return -1;
	if (key_by_id(kid, &used, k)) { /* sealed under a key added since: the file was rotated */
		refresh(true);
		if (key_by_id(kid, &used, k))
			return -1;
	}
	int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, in + NONCE, len - NONCE, ad, adlen, in, k);
	sodium_memzero(k, sizeof k);
	return rc;
}

/* base64url without padding, as sodium_bin2base64 / sodium_base642bin with B64 write and read
 * it, but by table: libsodium's codec is constant-time, made for secrets, and cost the bulk
 * import more than the encryption. What goes through here is nonce, ciphertext and tag, which
 * are public (they are what the database stores), so timing reveals nothing. */
static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Writes the encoding of len bytes and its NUL into out (sodium_base64_encoded_len bytes). */
static void b64_encode(char *out, const unsigned char *in, size_t len)
{
	size_t i = 0;
	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*out++ = b64_chars[v >> 18];
		*out++ = b64_chars[v >> 12 & 63];
		*out++ = b64_chars[v >> 6 & 63];
		*out++ = b64_chars[v & 63];
	}
	if (len - i == 1) {
		*out++ = b64_chars[in[i] >> 2];
		*out++ = b64_chars[(in[i] & 3) << 4];
	} else if (len - i == 2) {
		*out++ = b64_chars[in[i] >> 2];
		*out++ = b64_chars[(in[i] & 3) << 4 | in[i + 1] >> 4];
		*out++ = b64_chars[(in[i + 1] & 15) << 2];
	}
	*out = 0;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '-' ? 62 : c == '_' ? 63 : -1;
}

/* Decodes len characters into out (cap bytes); -1 on a character outside the alphabet, a
 * length no encoding has, or leftover bits that are not zero (as strict as libsodium). */
static int b64_decode(unsigned char *out, size_t cap, const char *in, size_t len, size_t *out_len)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value((unsigned char)in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= cap)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	if (bits > 4 || (acc & ((1u << bits) - 1)))
		return -1;
	*out_len = n;
	return 0;
}

size_t seal_text_len(size_t len)
{
	return 24 + sodium_base64_encoded_len(len + NONCE + TAG, B64);
}

int seal_text_to(const char *context, const char *row, const char *plain, size_t len, char *out)
{
	unsigned char ad[512], small[4096];
	size_t adlen = aad_of(context, row, ad, sizeof ad), raw_len = len + NONCE + TAG;
	/* most values fit the stack: no allocation per value in a bulk load */
	unsigned char *raw = raw_len <= sizeof small ? small : malloc(raw_len);
	int kid, rc = !adlen || !raw || encrypt(&kid, ad, adlen, plain, len, raw) ? -1 : 0;
	if (!rc) {
		int head = snprintf(out, 24, "enc1:%d:", kid);
		b64_encode(out + head, raw, raw_len);
	}
	if (raw != small)
		free(raw);
	return rc;
}

char *seal_text(const char *context, const char *row, const char *plain)
{
	if (!plain[0]) /* nothing to hide: stays empty */
		return seal_active() ? strdup("") : NULL;
	size_t len = strlen(plain);
	char *out = malloc(seal_text_len(len));
	if (out && seal_text_to(context, row, plain, len, out)) {
		free(out);
		out = NULL;
	}
	return out;
}

int seal_key_of(const char *sealed)
{
	int kid = 0, n = 0;
	return sealed && sscanf(sealed, "enc1:%d:%n", &kid, &n) == 1 && n > 0 ? kid : 0;
}

char *unseal_text(const char *context, const char *row, const char *sealed)
{
	if (sealed && !sealed[0])
		return strdup("");
	int kid = seal_key_of(sealed);
	if (!kid)
		return NULL;
	const char *b64 = strchr(sealed + 5, ':') + 1;
	size_t b64_len = strlen(b64), raw_len = 0, cap = b64_len * 3 / 4 + 3;
	unsigned char ad[512];
	size_t adlen = aad_of(context, row, ad, sizeof ad);
	unsigned char *raw = adlen ? malloc(cap) : NULL;
	char *out = NULL;
	if (raw && !b64_decode(raw, cap, b64, b64_len, &raw_len) && raw_len >= NONCE + TAG &&
	    (out = malloc(raw_len - NONCE - TAG + 1)) &&
	    decrypt(kid, ad, adlen, raw, raw_len, (unsigned char *)out) == 0)
		out[raw_len - NONCE - TAG] = 0;
	else {
		free(out);
		out = NULL;
	}
	free(raw);
	return out;
}

char *seal_json(const char *context, const char *row, const json_t *v)
{
	char *text = v ? json_to_str(v) : NULL;
	char *sealed = text ? seal_text(context, row, text) : NULL;
	if (text)
		sodium_memzero(text, strlen(text));
	free(text);
	return sealed;
}

json_t *unseal_json(const char *context, const char *row, const char *sealed)
{
	char *text = unseal_text(context, row, sealed);
	json_t *v = text ? json_loads(text, 0, NULL) : NULL;
	if (text)
		sodium_memzero(text, strlen(text));
	free(text);
	return v;
}

char *unseal_col(struct db_stmt *st, int col, const char *context, const char *row)
{
	return db_col_null(st, col) ? strdup("") : unseal_text(context, row, db_col_text(st, col));
}

/* --- files --- */

size_t seal_bytes_overhead(void)
{
	return FILE_HEAD + TAG;
}

int seal_bytes(const char *name, const void *plain, size_t len, unsigned char **out, size_t *out_len)
{
	unsigned char ad[512];
	size_t adlen = aad_of("file", name, ad, sizeof ad);
	unsigned char *o = adlen ? malloc(len + FILE_HEAD + TAG) : NULL;
	int kid;
	if (!o || encrypt(&kid, ad, adlen, plain, len, o + 12)) {
		free(o);
		return -1;
	}
	memcpy(o, FILE_MAGIC, 8);
	for (int i = 0; i < 4; i++)
		o[8 + i] = (unsigned char)((unsigned)kid >> (24 - 8 * i));
	*out = o;
	*out_len = len + FILE_HEAD + TAG;
	return 0;
}

int seal_bytes_key_of(const unsigned char *sealed, size_t len)
{
	if (len < FILE_HEAD + TAG || memcmp(sealed, FILE_MAGIC, 8))
		return 0;
	return (int)((unsigned)sealed[8] << 24 | (unsigned)sealed[9] << 16 | (unsigned)sealed[10] << 8 | sealed[11]);
}

int unseal_bytes(const char *name, const unsigned char *sealed, size_t len, unsigned char **out, size_t *out_len)
{
	unsigned char ad[512];
	size_t adlen = aad_of("file", name, ad, sizeof ad);
	int kid = seal_bytes_key_of(sealed, len);
	unsigned char *o = kid && adlen ? malloc(len - FILE_HEAD - TAG + 1) : NULL;
	if (!o || decrypt(kid, ad, adlen, sealed + 12, len - 12, o)) {
		free(o);
		return -1;
	}
	*out = o;
	*out_len = len - FILE_HEAD - TAG;
	return 0;
}

/* --- the index --- */

int seal_index(const char *value, char out[SEAL_INDEX_LEN + 1])
{
	unsigned char h[16], k[crypto_generichash_KEYBYTES];
	pthread_rwlock_rdlock(&ring.lock);
	bool ok = ring.loaded && ring.k.has_index;
	memcpy(k, ring.k.index, sizeof k);
	pthread_rwlock_unlock(&ring.lock);
	if (!ok) {
		out[0] = 0;
		return -1;
	}
	crypto_generichash(h, sizeof h, (const unsigned char *)value, strlen(value), k, sizeof k);
	sodium_memzero(k, sizeof k);
	memcpy(out, "ix1:", 4);
	sodium_bin2hex(out + 4, 33, h, sizeof h);
	return 0;
}

bool seal_is_index(const char *s)
{
	return s && strlen(s) == SEAL_INDEX_LEN && !strncmp(s, "ix1:", 4);
}
