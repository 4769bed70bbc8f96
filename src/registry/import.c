/* import.c — bulk import of citizens from CSV. Valid rows become new records (version 1) or,
 * where a value differs from the stored one, a new version of that attribute; identical rows
 * change nothing, so importing the same file twice is harmless. Bad rows go to a rejects file
 * with the reason and do not stop the import. Rows commit in batches, each with an audit entry. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/json.h"
#include "core/utf8.h"
#include "registry/record.h"
#include "registry/registry.h"

#define BATCH_ROWS 250000 /* fewer commits: each rewrites the ID index pages the batch touched */

/* Where each known column sits in the file (-1 = absent) and which attribute it feeds. */
struct layout {
	int col[32];
	int ncols;
	const struct attr_def *plain_def[16]; /* resolved once: rows take millions of lookups */
	const struct attr_def *addr_def[2];
};

enum { C_ID, C_NAME, C_DOB, C_SEX, C_POB, C_HOME, C_ETH, C_REL, C_NAT, C_PUNIT, C_PSTREET, C_CUNIT, C_CSTREET,
       C_MARITAL, C_PHONE, C_EMAIL, C_COUNT };

/* attribute fed by a plain column (addresses are assembled from two columns) */
static const struct {
	int col;
	const char *attr;
} plain[] = {{C_NAME, "full_name"},	 {C_DOB, "date_of_birth"}, {C_SEX, "sex"},
	     {C_POB, "place_of_birth"},	 {C_HOME, "hometown"},	   {C_ETH, "ethnicity"},
	     {C_REL, "religion"},	 {C_NAT, "nationality"},   {C_MARITAL, "marital_status"},
	     {C_PHONE, "phone"},	 {C_EMAIL, "email"}};
static const struct {
	int unit, street;
	const char *attr;
} addresses[] = {{C_PUNIT, C_PSTREET, "permanent_address"}, {C_CUNIT, C_CSTREET, "current_address"}};

struct importer {
	const struct registry *r;
	struct db *db;
	const char *source, *actor, *path, *rejects_path;
	FILE *rejects;
	struct layout lay;
	struct import_stats *st;
	int64_t now;
	char today[11]; /* the map date of addresses in the file */
	struct err *e;
};

static int read_header(struct importer *im, char *line)
{
	char *f[CSV_MAX_FIELDS];
	int n = csv_split(line, f, CSV_MAX_FIELDS);
	for (int k = 0; k < C_COUNT; k++)
		im->lay.col[k] = -1;
	im->lay.ncols = n;
	for (int i = 0; i < n; i++) {
		int k = 0;
		while (registry_csv_columns[k] && strcmp(registry_csv_columns[k], f[i]))
			k++;
		if (!registry_csv_columns[k])
			return err_set(im->e, 422, "bad_header", "%s: unknown column '%s' in the header line",
				       "%s: cột lạ '%s' ở dòng tiêu đề", im->path, f[i]);
		im->lay.col[k] = i;
	}
	for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
		im->lay.plain_def[i] = catalog_attr(im->r->catalog, plain[i].attr);
	for (size_t i = 0; i < sizeof addresses / sizeof *addresses; i++)
		im->lay.addr_def[i] = catalog_attr(im->r->catalog, addresses[i].attr);
	if (n < 0 || im->lay.col[C_ID] < 0 || im->lay.col[C_NAME] < 0 || im->lay.col[C_DOB] < 0 || im->lay.col[C_SEX] < 0)
		return err_set(im->e, 422, "bad_header", "%s: the header must name at least id, full_name, date_of_birth, sex",
			       "%s: dòng tiêu đề phải có ít nhất id, full_name, date_of_birth, sex", im->path);
	return 0;
}

static void reject(struct importer *im, long lineno, const char *reason, const char *raw)
{
	im->st->rejected++;
	if (!im->rejects) {
		im->rejects = fopen(im->rejects_path, "w");
		if (!im->rejects)
			return;
		fputs("line,reason,row\n", im->rejects);
	}
	fprintf(im->rejects, "%ld,", lineno);
	csv_write_field(im->rejects, reason);
	fputc(',', im->rejects);
	csv_write_field(im->rejects, raw);
	fputc('\n', im->rejects);
}

static const char *cell(struct importer *im, char **f, int k)
{
	int i = im->lay.col[k];
	return i >= 0 && f[i][0] ? f[i] : NULL;
}

/* A checked row: its values as strings pointing into the split line. */
struct row {
	const char *plain[sizeof plain / sizeof *plain];
	const char *unit[2], *street[2];
};

/* Checks each value of the row against the attribute catalog; 0, or -1 with im->e set. */
static int row_check(struct importer *im, char **f, struct row *rw)
{
	for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) {
		const char *s = rw->plain[i] = cell(im, f, plain[i].col);
		if (!s)
			continue;
		size_t n = strlen(s);
		if (!utf8_valid(s, n))
			return err_set(im->e, 422, "invalid_attribute", "%s is not valid UTF-8", "%s không phải UTF-8 hợp lệ",
				       plain[i].attr);
		if (attr_check_text(im->r, im->lay.plain_def[i], s, n, im->e))
			return -1;
	}
	for (size_t i = 0; i < sizeof addresses / sizeof *addresses; i++) {
		rw->unit[i] = cell(im, f, addresses[i].unit);
		rw->street[i] = cell(im, f, addresses[i].street);
		if (!rw->unit[i] && !rw->street[i])
			continue;
		if ((rw->street[i] && !utf8_valid(rw->street[i], strlen(rw->street[i]))) ||
		    attr_check_address(im->r, im->lay.addr_def[i], rw->unit[i], rw->street[i], im->today, im->e))
			return im->e->status ? -1
					     : err_set(im->e, 422, "invalid_attribute", "%s is not valid UTF-8",
						       "%s không phải UTF-8 hợp lệ", addresses[i].attr);
	}
	return 0;
}

/* The row's values as {"attr": json value}, for comparing with a stored record. */
static json_t *row_json(const struct row *rw)
{
	json_t *vals = json_object();
	for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
		if (rw->plain[i])
			json_object_set_new(vals, plain[i].attr, json_string(rw->plain[i]));
	for (size_t i = 0; i < sizeof addresses / sizeof *addresses; i++)
		if (rw->unit[i])
			json_object_set_new(vals, addresses[i].attr,
					    json_pack("{s:s,s:s}", "unit", rw->unit[i], "street", rw->street[i]));
	return vals;
}

/* What an imported value's verified flag is: the source vouches for what it holds, except for
 * what people declare themselves (phone, e-mail, current address), which it only passes on. */
static bool import_verified(const struct attr_def *d)
{
	return d && !d->self_declared;
}

/* Applies the values that differ as new versions; the old ones go to attribute_history. */
static int update_existing(struct importer *im, const char *id, json_t *doc, int64_t rev, json_t *vals)
{
	json_t *changed = json_array();
	const char *k;
	json_t *v;
	int rc = 0;
	json_object_foreach(vals, k, v) {
		struct stored cur;
		bool has = record_get(doc, k, &cur);
		bool verified = import_verified(catalog_attr(im->r->catalog, k));
		if (has && json_equal(cur.value, v) && !strcmp(cur.source, im->source) && cur.verified == verified)
			continue;
		if (has)
			rc |= record_save_version(im->db, id, k, &cur, im->now);
		struct stored next = {v, im->source, verified, im->now, has ? cur.version + 1 : 1, im->actor};
		rc |= record_set(doc, k, &next);
		json_array_append_new(changed, json_string(k));
	}
	if (!rc && json_array_size(changed)) {
		struct usage_entry ux = {id, im->actor, NULL, "update", "bulk import", changed};
		bool raced;
		rc = record_update(im->db, id, doc, rev, im->now, &raced) || raced || usage_insert(im->db, &ux, im->now);
		im->st->updated++;
	} else if (!rc)
		im->st->unchanged++;
	json_decref(changed);
	return rc ? -1 : 0;
}

/* A parsed and checked row, ready for the database: the reading thread makes these while the
 * database thread applies the previous ones (the two halves cost about the same). */
struct prepared {
	long lineno;
	bool ok;
	char id[13];
	char ix[SEAL_INDEX_LEN + 1]; /* the ID's keyed hash: the row's key */
	char unit[8];      /* permanent commune, "" if none */
	size_t text, raw;  /* offsets in the chunk's arena: the record (ok) or the reason; the line */
};

#define CHUNK_ROWS 2048
#define BATCH_CHUNKS (BATCH_ROWS / CHUNK_ROWS + 8) /* chunks the database thread holds for a batch */
/* The reading thread may run a whole batch ahead: the database thread takes a batch's chunks
 * before it applies any (below), so a shorter queue would leave one thread idle while the other
 * works. Two batches in memory, ~250 MB each for 250,000 sealed rows. */
#define QUEUE_CHUNKS BATCH_CHUNKS

struct chunk {
	struct prepared rows[CHUNK_ROWS];
	int n;
	struct buf arena;
	long pos;   /* file offset after the chunk, for progress */
	bool last;  /* no chunk follows */
	bool failed; /* out of memory while preparing */
	struct chunk *next;
};

/* Writes the record's stored form (record.h) for a new citizen into b. */
static int record_text(const struct importer *im, const struct row *rw, struct buf *b)
{
	int rc = buf_adds(b, "{\"d\":{\"s\":") || jw_str(b, im->source) ||
		 buf_addf(b, ",\"f\":true,\"t\":%lld,\"n\":1,\"a\":", (long long)im->now) || jw_str(b, im->actor) ||
		 buf_adds(b, "},\"v\":{");
	bool first = true;
	for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) {
		if (!rw->plain[i])
			continue;
		rc = rc || (!first && buf_adds(b, ",")) || jw_str(b, plain[i].attr) || buf_adds(b, ":") ||
		     jw_str(b, rw->plain[i]);
		first = false;
	}
	for (size_t i = 0; i < sizeof addresses / sizeof *addresses; i++) {
		if (!rw->unit[i])
			continue;
		rc = rc || (!first && buf_adds(b, ",")) || jw_str(b, addresses[i].attr) || buf_adds(b, ":{\"unit\":") ||
		     jw_str(b, rw->unit[i]) || buf_adds(b, ",\"street\":") || jw_str(b, rw->street[i]) ||
		     buf_adds(b, "}");
		first = false;
	}
	rc = rc || buf_adds(b, "},\"x\":[");
	first = true;
	for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
		if (rw->plain[i] && !import_verified(im->lay.plain_def[i])) {
			rc = rc || (!first && buf_adds(b, ",")) || jw_str(b, plain[i].attr);
			first = false;
		}
	for (size_t i = 0; i < sizeof addresses / sizeof *addresses; i++)
		if (rw->unit[i] && !import_verified(im->lay.addr_def[i])) {
			rc = rc || (!first && buf_adds(b, ",")) || jw_str(b, addresses[i].attr);
			first = false;
		}
	return rc || buf_adds(b, "],\"o\":{}}") || buf_add(b, "", 1) ? -1 : 0; /* ends with its NUL in the arena */
}

/* The reading thread's buffers for a record in clear and sealed, reused from row to row. */
struct scratch {
	struct buf clear;
	char *sealed;
	size_t cap;
};

/* The record sealed for its row (reading thread: the database thread only writes it). */
static int sealed_text(const struct importer *im, const struct row *rw, struct prepared *p, struct buf *arena,
		       struct scratch *s)
{
	buf_reset(&s->clear);
	int rc = record_text(im, rw, &s->clear) || seal_index(p->id, p->ix) ? -1 : 0;
	size_t len = rc ? 0 : s->clear.len - 1, need = seal_text_len(len); /* clear.len counts its NUL */
	if (!rc && need > s->cap) {
		char *grown = realloc(s->sealed, need);
		rc = grown ? 0 : -1;
		if (grown) {
			s->sealed = grown;
			s->cap = need;
		}
	}
	rc = rc || seal_text_to(RECORD_CONTEXT, p->ix, s->clear.data, len, s->sealed) ||
			     buf_add(arena, s->sealed, strlen(s->sealed) + 1)
		     ? -1
		     : 0;
	if (s->clear.data)
		sodium_memzero(s->clear.data, s->clear.len);
	return rc;
}

/* Parses and checks one line into p (reading thread). Returns -1 only when memory runs out. */
static int prepare_row(const struct importer *im, char *line, long lineno, struct prepared *p, struct buf *arena,
		       struct scratch *s)
{
	memset(p, 0, sizeof *p);
	p->lineno = lineno;
	line[strcspn(line, "\r\n")] = 0;
	p->raw = arena->len;
	if (buf_add(arena, line, strlen(line) + 1))
		return -1;
	char *f[CSV_MAX_FIELDS];
	int n = csv_split(line, f, CSV_MAX_FIELDS);
	struct err e = {0};
	struct importer scratch = *im; /* cell() and row_check() read the layout; errors land in e */
	scratch.e = &e;
	struct row rw;
	const char *id = n == im->lay.ncols ? cell(&scratch, f, C_ID) : NULL;
	if (n != im->lay.ncols)
		err_set(&e, 422, "bad_row", n < 0 ? "bad CSV quoting" : "wrong number of columns", "dòng CSV sai");
	else if (!id)
		err_set(&e, 422, "missing_field", "id is empty", "id trống");
	else if (!cell(&scratch, f, C_DOB) || !cell(&scratch, f, C_SEX))
		err_set(&e, 422, "missing_field", "date_of_birth and sex are required", "cần date_of_birth và sex");
	else if (!citizen_id_check(id, cell(&scratch, f, C_DOB), cell(&scratch, f, C_SEX), im->r->units, &e) &&
		 !row_check(&scratch, f, &rw) && !rw.plain[0])
		err_set(&e, 422, "missing_field", "full_name is empty", "full_name trống");
	p->text = arena->len;
	if (e.status)
		return buf_add(arena, e.msg, strlen(e.msg) + 1);
	p->ok = true;
	snprintf(p->id, sizeof p->id, "%s", id);
	snprintf(p->unit, sizeof p->unit, "%s", rw.unit[0] ? rw.unit[0] : "");
	return sealed_text(im, &rw, p, arena, s);
}

/* Applies one prepared row (database thread). Returns -1 only on a database failure. */
static int apply_row(struct importer *im, const struct prepared *p, const struct buf *arena)
{
	const char *raw = arena->data + p->raw, *text = arena->data + p->text;
	if (!p->ok) {
		reject(im, p->lineno, text, raw);
		return 0;
	}
	if (db_run(im->db, "INSERT INTO citizens (id, doc, perm_unit, rev, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?) "
			   "ON CONFLICT (id) DO NOTHING", "tttii", p->ix, text, p->unit[0] ? p->unit : NULL, im->now, im->now) != DB_DONE)
		return -1;
	if (db_changes(im->db)) {
		im->st->imported++;
		return 0;
	}
	/* the ID exists: compare, and make new versions of what changed */
	char line[CSV_MAX_LINE + 1], *f[CSV_MAX_FIELDS];
	snprintf(line, sizeof line, "%s", raw);
	csv_split(line, f, CSV_MAX_FIELDS);
	struct row rw;
	struct err e;
	struct importer scratch = *im;
	scratch.e = &e;
	row_check(&scratch, f, &rw);
	json_t *doc = NULL, *vals = row_json(&rw);
	int64_t rev = 0;
	int rc = citizen_load(im->db, p->id, &doc, &rev, &e) ? -1 : update_existing(im, p->id, doc, rev, vals);
	json_decref(doc);
	json_decref(vals);
	return rc;
}

struct pipeline {
	pthread_mutex_t mu;
	pthread_cond_t changed;
	struct chunk *head, *tail, *spare;
	int queued;
	bool stop;
	FILE *in;
	long lineno;
	const struct importer *im;
};

static struct chunk *chunk_get(struct pipeline *pl)
{
	pthread_mutex_lock(&pl->mu);
	struct chunk *c = pl->spare;
	if (c)
		pl->spare = c->next;
	pthread_mutex_unlock(&pl->mu);
	if (!c) {
		c = calloc(1, sizeof *c);
		if (!c)
			return NULL;
		buf_init(&c->arena, (size_t)64 << 20);
	}
	c->n = 0;
	c->last = c->failed = false;
	c->next = NULL;
	buf_reset(&c->arena);
	return c;
}

/* Hands a chunk to the database thread; waits while the queue is full. false when stopped. */
static bool chunk_put(struct pipeline *pl, struct chunk *c)
{
	pthread_mutex_lock(&pl->mu);
	while (pl->queued >= QUEUE_CHUNKS && !pl->stop)
		pthread_cond_wait(&pl->changed, &pl->mu);
	bool ok = !pl->stop;
	if (ok) {
		if (pl->tail)
			pl->tail->next = c;
		else
			pl->head = c;
		pl->tail = c;
		pl->queued++;
		pthread_cond_broadcast(&pl->changed);
	}
	pthread_mutex_unlock(&pl->mu);
	return ok;
}

static void *reader(void *arg)
{
	struct pipeline *pl = arg;
	char *line = malloc(CSV_MAX_LINE + 2);
	struct scratch s = {.sealed = NULL};
	buf_init(&s.clear, CSV_MAX_LINE * 4);
	bool eof = false;
	while (!eof) {
		struct chunk *c = chunk_get(pl);
		if (!c)
			break;
		while (c->n < CHUNK_ROWS) {
			if (!line || !fgets(line, CSV_MAX_LINE + 2, pl->in)) {
				eof = true;
				break;
			}
			pl->lineno++;
			size_t len = strlen(line);
			if (len > CSV_MAX_LINE || (len && line[len - 1] != '\n' && !feof(pl->in))) {
				int ch;
				while ((ch = fgetc(pl->in)) != EOF && ch != '\n')
					;
				line[0] = 0;
				struct prepared *p = &c->rows[c->n++];
				memset(p, 0, sizeof *p);
				p->lineno = pl->lineno;
				p->raw = c->arena.len;
				buf_add(&c->arena, "", 1);
				p->text = c->arena.len;
				buf_adds(&c->arena, "line longer than 8192 bytes");
				buf_add(&c->arena, "", 1);
				continue;
			}
			if (line[0] == '\n' || line[0] == '\r' || line[0] == 0)
				continue;
			if (prepare_row(pl->im, line, pl->lineno, &c->rows[c->n++], &c->arena, &s)) {
				c->failed = true;
				eof = true;
				break;
			}
		}
		c->last = eof;
		c->pos = ftell(pl->in);
		if (!chunk_put(pl, c)) {
			buf_release(&c->arena);
			free(c);
			break;
		}
	}
	free(line);
	buf_release(&s.clear); /* zeroed after each row */
	free(s.sealed);
	return NULL;
}

static struct chunk *chunk_take(struct pipeline *pl)
{
	pthread_mutex_lock(&pl->mu);
	while (!pl->head)
		pthread_cond_wait(&pl->changed, &pl->mu);
	struct chunk *c = pl->head;
	pl->head = c->next;
	if (!pl->head)
		pl->tail = NULL;
	pl->queued--;
	pthread_cond_broadcast(&pl->changed);
	pthread_mutex_unlock(&pl->mu);
	return c;
}

static void chunk_done(struct pipeline *pl, struct chunk *c)
{
	pthread_mutex_lock(&pl->mu);
	c->next = pl->spare;
	pl->spare = c;
	pthread_mutex_unlock(&pl->mu);
}

static void pipeline_free(struct pipeline *pl)
{
	struct chunk *lists[] = {pl->head, pl->spare};
	for (int i = 0; i < 2; i++)
		for (struct chunk *c = lists[i], *next; c; c = next) {
			next = c->next;
			buf_release(&c->arena);
			free(c);
		}
	pthread_mutex_destroy(&pl->mu);
	pthread_cond_destroy(&pl->changed);
}

/* A batch's valid rows are applied in the order of their keys, not the file's: the keys are
 * keyed hashes, so in the file's order each insert lands on a random page of the ID index
 * (a cache miss at every level of it), while sorted, the rows that share a leaf page go in
 * one after another along a path still in the processor's caches. Rows with the same ID keep
 * the file's order (the first one creates the record, the next ones update it); rejects are
 * written in the file's order as the chunks come. */
struct pending {
	const struct prepared *p;
	const struct buf *arena;
};

struct batch {
	struct pending rows[BATCH_ROWS];
	int n;
	struct chunk *held[BATCH_CHUNKS]; /* where the rows live until the batch is applied */
	int nheld;
};

static int pending_cmp(const void *a, const void *b)
{
	const struct prepared *x = ((const struct pending *)a)->p, *y = ((const struct pending *)b)->p;
	int c = strcmp(x->ix, y->ix);
	return c ? c : (x->lineno > y->lineno) - (x->lineno < y->lineno);
}

/* Applies the batch's rows (database thread); 0, or the line that failed. */
static long apply_batch(struct importer *im, struct batch *b)
{
	qsort(b->rows, (size_t)b->n, sizeof *b->rows, pending_cmp);
	for (int i = 0; i < b->n; i++)
		if (apply_row(im, b->rows[i].p, b->rows[i].arena))
			return b->rows[i].p->lineno;
	return 0;
}

static void batch_release(struct pipeline *pl, struct batch *b)
{
	for (int i = 0; i < b->nheld; i++)
		chunk_done(pl, b->held[i]);
	b->n = b->nheld = 0;
}

static int commit_batch(struct importer *im, long first, long last)
{
	char detail[256];
	snprintf(detail, sizeof detail, "{\"lines\":[%ld,%ld],\"imported\":%ld,\"updated\":%ld,\"rejected\":%ld}", first, last,
		 im->st->imported, im->st->updated, im->st->rejected);
	if (audit_append(im->db, im->actor, "citizen.import", im->path, detail) || db_commit(im->db)) {
		db_rollback(im->db);
		return err_set(im->e, 500, "db_error", "import failed at line %ld: %s", "nhập dữ liệu lỗi tại dòng %ld: %s", last,
			       db_errmsg(im->db));
	}
	return 0;
}

int registry_import(const struct registry *r, struct db *db, const char *path, const char *rejects_path,
		    const char *source, const char *actor, void (*progress)(long done, long total_bytes, long pos),
		    struct import_stats *st, struct err *e)
{
	memset(st, 0, sizeof *st);
	FILE *in = fopen(path, "r");
	if (!in)
		return err_set(e, 400, "cannot_open", "cannot open %s", "không mở được %s", path);
	struct stat sb;
	long total = fstat(fileno(in), &sb) == 0 ? (long)sb.st_size : 0;
	struct importer im = {r, db, source, actor, path, rejects_path, NULL, {{0}, 0}, st, clock_now_us(), "", e};
	clock_today_vn(im.today, sizeof im.today);
	struct pipeline pl = {.in = in, .lineno = 1, .im = &im};
	pthread_mutex_init(&pl.mu, NULL);
	pthread_cond_init(&pl.changed, NULL);
	char header[CSV_MAX_LINE + 2];
	int rc = -1;
	bool started = false;
	pthread_t thread;
	long done = 0, first = 2, last = 1;
	struct batch *b = calloc(1, sizeof *b); /* 4 MB: not on the stack */
	if (!b) {
		err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
		goto out;
	}
	if (!fgets(header, sizeof header, in)) {
		err_set(e, 422, "empty_file", "%s is empty: expected a header line", "%s trống: cần dòng tiêu đề", path);
		goto out;
	}
	if (read_header(&im, header))
		goto out;
	db_bulk_mode(db, true);
	if (db_begin(db)) {
		err_set(e, 503, "db_busy", "database busy: %s", "cơ sở dữ liệu bận: %s", db_errmsg(db));
		goto out;
	}
	if (pthread_create(&thread, NULL, reader, &pl)) {
		db_rollback(db);
		err_set(e, 500, "thread_failed", "cannot start the reading thread", "không khởi động được luồng đọc");
		goto out;
	}
	started = true;
	for (bool more = true; more;) {
		struct chunk *c = chunk_take(&pl);
		more = !c->last;
		b->held[b->nheld++] = c;
		for (int i = 0; i < c->n; i++) {
			const struct prepared *p = &c->rows[i];
			last = p->lineno;
			done++;
			if (p->ok)
				b->rows[b->n++] = (struct pending){p, &c->arena};
			else /* in the file's order, as the rows come */
				reject(&im, p->lineno, c->arena.data + p->text, c->arena.data + p->raw);
		}
		if (c->failed) {
			db_rollback(db);
			err_set(e, 500, "out_of_memory", "out of memory at line %ld", "hết bộ nhớ tại dòng %ld", last);
			batch_release(&pl, b);
			goto out;
		}
		if (b->n + CHUNK_ROWS > BATCH_ROWS || b->nheld == BATCH_CHUNKS || !more) {
			long failed_at = apply_batch(&im, b);
			batch_release(&pl, b);
			if (failed_at) {
				db_rollback(db);
				err_set(e, 500, "db_error", "import failed at line %ld: %s", "nhập dữ liệu lỗi tại dòng %ld: %s", failed_at,
					db_errmsg(db));
				goto out;
			}
			if (more && (commit_batch(&im, first, last) || db_begin(db)))
				goto out;
			first = last + 1;
		}
		if (progress)
			progress(done, total, c->pos);
	}
	if (commit_batch(&im, first, last))
		goto out;
	rc = 0;
out:
	if (started) {
		pthread_mutex_lock(&pl.mu);
		pl.stop = true;
		pthread_cond_broadcast(&pl.changed);
		pthread_mutex_unlock(&pl.mu);
		pthread_join(thread, NULL);
	}
	pipeline_free(&pl);
	free(b);
	db_bulk_mode(db, false);
	if (im.rejects)
		fclose(im.rejects);
	else if (rc == 0)
		unlink(rejects_path); /* no rejects this time: none left over from an earlier run */
	fclose(in);
	return rc;
}
