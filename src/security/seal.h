/* seal.h — personal data sealed at rest. Classified values (the registry's records and their
 * history, dossier and bundle forms, issued results, feedback, delivery addresses, the units'
 * signing keys) and stored files are encrypted with XChaCha20-Poly1305 under data keys kept in a
 * key file outside the database (TRONDOI_DATA_KEY, else PATH.data-key beside a SQLite file); a
 * copy of the database alone reveals no name, address or phone. Citizen IDs are looked up by a
 * keyed hash (the index key, also in the file), never stored in clear in the registry.
 *
 * A sealed text is "enc1:<key id>:<base64url(nonce | ciphertext | tag)>"; its associated data
 * names the column and the row, so a value moved to another row or column does not open. The key
 * file's last key seals; every key in it opens. `trondoi keys rotate` adds a key and re-seals
 * everything under it (reseal.c). */
#ifndef TD_SEAL_H
#define TD_SEAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "db/db.h"

#define SEAL_INDEX_LEN 36 /* "ix1:" and 32 hex digits */
#define SEAL_KEYS_MAX 16

/* The key file for a database: TRONDOI_DATA_KEY, else PATH.data-key beside a SQLite file.
 * -1 with PostgreSQL and no TRONDOI_DATA_KEY. */
int seal_key_path(const char *db_url, char *out, size_t n);
/* Loads the database's data keys and checks them against it (meta "data_keys"). create (init):
 * makes the key file when neither it nor the database's check exists; the database is marked
 * sealed once reseal_all has sealed what it held (seal_mark). Without create, a database that is
 * not sealed yet, a missing key file or keys that do not open the check are errors. */
int seal_load(struct db *db, const char *db_url, bool create, struct err *e);
/* Writes the database's check for the keys loaded (after reseal_all): from now on every reader
 * needs them. */
int seal_mark(struct db *db, struct err *e);
void seal_unload(void);
/* The active key's id, 0 when none is loaded. */
int seal_active(void);
/* Adds a new key to the key file and makes it the active one (keys rotate). */
int seal_add_key(struct err *e);
/* Rewrites the key file with only the keys in keep (ids), the active one always kept. */
int seal_drop_keys(const int *keep, int nkeep, struct err *e);
/* The ids of the keys loaded, oldest first; returns how many. */
int seal_key_ids(int ids[SEAL_KEYS_MAX]);

/* Seals plain for column context ("citizens.doc") and row (its key): a new string, NULL when no
 * key is loaded or memory runs out. An empty string stays empty (it hides nothing). */
char *seal_text(const char *context, const char *row, const char *plain);
/* The same into out, which has seal_text_len(len) bytes, for len (> 0) bytes of plain; 0, or -1
 * when no key is loaded. For bulk loads: no allocation per value. */
size_t seal_text_len(size_t len);
int seal_text_to(const char *context, const char *row, const char *plain, size_t len, char *out);
/* Opens a sealed text: a new string, NULL when it does not open (no such key, moved, changed). */
char *unseal_text(const char *context, const char *row, const char *sealed);
/* A sealed column of a row read (db_col_text) opened: "" for NULL; NULL when it does not open. */
char *unseal_col(struct db_stmt *st, int col, const char *context, const char *row);
/* seal_text of v as compact JSON. */
char *seal_json(const char *context, const char *row, const json_t *v);
/* unseal_text parsed as JSON (NULL when either fails). */
json_t *unseal_json(const char *context, const char *row, const char *sealed);
/* The key id a sealed text names, 0 when it is not one. */
int seal_key_of(const char *sealed);

/* Files: the same for bytes, bound to name (the file's content address). */
int seal_bytes(const char *name, const void *plain, size_t len, unsigned char **out, size_t *out_len);
int unseal_bytes(const char *name, const unsigned char *sealed, size_t len, unsigned char **out, size_t *out_len);
size_t seal_bytes_overhead(void);
int seal_bytes_key_of(const unsigned char *sealed, size_t len);

/* The keyed hash under which a citizen ID is stored and looked up: "ix1:" and 32 hex digits. */
int seal_index(const char *value, char out[SEAL_INDEX_LEN + 1]);
bool seal_is_index(const char *s);

#endif
