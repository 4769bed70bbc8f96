/* store.h — the citizen's document store (kho dữ liệu điện tử, Decree 45/2020 and 107/2021):
 * results issued electronically when a dossier is finished, signed with the issuing unit's
 * Ed25519 key; a compact signed claim in the result's QR that anyone checks offline with the
 * unit's published key; the public verification; and reuse of stored documents by reference. */
#ifndef TD_STORE_H
#define TD_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "dossier/dossier.h"

/* --- claims (claim.c): no database, so a verifier can run them offline --- */
#define CLAIM_MAX 1024
/* token = base64url(claim JSON) "." base64url(Ed25519 signature of those JSON bytes). */
int claim_sign(const json_t *claim, const unsigned char sk[64], char *token, size_t n);
/* Checks token against the base64 public key; *claim (caller decrefs) is the decoded claim.
 * 0 when genuine; -1 with e saying what is wrong. */
int claim_verify(const char *token, const char *public_key_b64, json_t **claim, struct err *e);

/* --- unit keys (keys.c) --- */
/* The unit's signing key, created on first use inside the caller's transaction. */
int unit_key(struct db *db, const char *unit, unsigned char sk[64], char public_b64[64]);
/* The unit's public key (base64), or -1 when it has none. */
int unit_public_key(struct db *db, const char *unit, char public_b64[64]);
/* GET /keys: every unit's published key. */
int keys_list(const struct dossiers *d, struct db *db, json_t **out, struct err *e);

/* --- issued results (issued.c) --- */
/* In the transaction of the move to 9: issues the dossier's result, signs it and stores its PDF. */
int result_issue(const struct dossiers *d, struct db *db, const struct dossier_row *r, const char *actor, int64_t now);
/* The stored result PDF of a dossier (bytes malloc'd). */
int result_pdf(const struct dossiers *d, struct db *db, const struct dossier_row *r, char **pdf, size_t *len, struct err *e);
/* GET /me/documents: issued results and the files attached to the citizen's dossiers. */
int store_list(const struct dossiers *d, struct db *db, const struct principal *who, json_t **out, struct err *e);
/* PUT /me/documents/{id}/share {"fields":[…]}: what the verification page may show. */
int store_share(const struct dossiers *d, struct db *db, const struct principal *who, const char *id, const json_t *body,
		json_t **out, struct err *e);
/* GET /verify/{id}[?claim=]: public; genuine or not, type, issuer, date, what the holder shares. */
int store_verify(const struct dossiers *d, struct db *db, const char *id, const char *claim, json_t **out, struct err *e);
/* A stored document of the citizen by id (an issued result's id or a file's SHA-256): its file. */
struct stored_file {
	char sha256[65], type[48], name[256];
	int64_t size;
};
int store_find(struct db *db, const char *citizen, const char *id, struct stored_file *f, struct err *e);

#endif
