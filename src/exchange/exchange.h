/* exchange.h — the X-Road-style data exchange (docs/exchange.md): this node's Ed25519 identity,
 * members with their subsystems and services, grants naming the purposes they allow, signed
 * calls between members, the sample national databases this node plays, and the signed,
 * hash-chained message log that the citizen reads their part of. No HTTP here: http/ hands in
 * the request's pieces and sends back what the exchange answers. */
#ifndef TD_EXCHANGE_H
#define TD_EXCHANGE_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar/calendar.h"
#include "core/err.h"
#include "db/db.h"
#include "registry/registry.h"

#define XR_ID_MAX 128      /* a client or service identifier */
#define XR_FIELD_MAX 128   /* X-Road-Id, X-Road-UserId, X-Road-Issue */
#define XR_CLOCK_SKEW_S 300 /* how far X-Road-Date may be from our clock */
#define XR_SUBJECTS_MAX 1000

/* The node as a running process knows it. */
struct exchange {
	char node_id[XR_ID_MAX];   /* VN/GOV/36 */
	char public_key[64];       /* base64 */
	unsigned char sk[64];      /* the secret key, from the key file */
	_Atomic bool has_key;      /* the key file was read and matches the public key; set once sk
				    * is in place (xnode_key_reload may set it while requests run) */
	json_t *providers;         /* data/exchange-providers.json as init stored it */
	json_t *prefill;           /* data/exchange-prefill.json as init stored it */
	const struct registry *registry;
	const struct calendar *calendar; /* the working-day clock of objections' deadlines */
	struct batch *writer;      /* the group-commit writer (NULL: logs directly) */
};

/* --- anchors (anchor.c): the heads of the audit trail and the message log, signed --- */
/* `trondoi audit anchor`: {node, public_key, at, audit:{seq,hash}, exchange_log:{seq,hash},
 * signature}. 409 without the node's key. */
int xanchor_make(const struct exchange *x, struct db *db, json_t **out, struct err *e);
/* `trondoi audit verify-anchor`: the signature is the node's (public_key, base64), both chains
 * still hold the anchored hashes, and both verify from there on. 0 holds, 1 not (why), -1 error. */
int xanchor_verify(struct db *db, const json_t *anchor, const char *public_key, char *why, size_t whylen);
/* Both chains, the audit trail and the message log, verify whole: 0, or 1 saying where not. */
int xanchor_chains_whole(struct db *db, const char *public_key, char *why, size_t whylen);
/* The text the node signs: "trondoi-anchor-v1", then node, at, audit SEQ HASH, exchange SEQ HASH,
 * one a line. */
void xanchor_text(const char *node, const char *at, int64_t aseq, const char *ahash, int64_t xseq, const char *xhash, char *out,
		  size_t n);
/* A chain's head ("audit" or "exchange"): its last place and hash. 0 or -1. */
int xanchor_head(struct db *db, const char *which, int64_t *seq, char hash[65]);
/* The hash a chain holds at seq into hash ("" when it has no such place; 64 zeros at 0). 0 or -1. */
int xanchor_hash_at(struct db *db, const char *which, int64_t seq, char hash[65]);

/* --- anchors stamped by a time source (stamp.c; docs/exchange.md, "Time source") --- */
/* One stamp asked for: the heads, and the hash of their text that the time source signs. */
struct xstamp {
	int64_t audit_seq, exchange_seq;
	char audit_hash[65], exchange_hash[65];
	char hash[65];
};
/* When an anchor is due: the heads moved since the last one, and every_us passed since it or
 * messages entries were logged after it. */
struct xstamp_policy {
	int64_t every_us, messages;
};
/* The text the time source signs: "trondoi-timestamp-v1", the hash, the time, one a line. */
void xstamp_text(const char *hash, const char *time, char *out, size_t n);
/* The hash of the heads' text for node: "trondoi-heads-v1", node, audit SEQ HASH, exchange SEQ
 * HASH, one a line; SHA-256, hex. */
void xstamp_hash(const char *node, const struct xstamp *s, char out[65]);
/* 1 with s and *body (the JSON to POST, malloc'd) when an anchor is due at now; 0 when not; -1 on
 * a database error. */
int xstamp_due(struct db *db, const char *node, const struct xstamp_policy *p, int64_t now, struct xstamp *s, char **body);
/* The time source's answer read: 0 with its time (ISO 8601, shorter than XSTAMP_TIME_MAX) and
 * its signature (base64 text, shorter than 128), or 1 with why. Checks no signature. */
#define XSTAMP_TIME_MAX 40
int xstamp_read_answer(const char *answer, size_t len, char time[XSTAMP_TIME_MAX], char sig[128], char *why, size_t whylen);
/* Checks the time source's answer ({"time","signature"}) against ts_key (base64) and stores the
 * anchor signed by the node: 0 stored, 1 refused (why says why), -1 database error. */
int xstamp_accept(const struct exchange *x, struct db *db, const struct xstamp *s, const char *ts_key, const char *answer,
		  size_t len, char *why, size_t whylen);
/* Every stored anchor: the time source's signature (by ts_key when not NULL, else by the key
 * stored with it), the node's (public_key), the heads still in both chains, and both chains
 * intact. 0 all hold (*count), 1 not (*bad: the anchor, 0 for a chain; why), -1 error. */
int xstamp_verify_all(struct db *db, const char *public_key, const char *ts_key, int64_t *count, int64_t *bad, char *why,
		      size_t whylen);
/* Message-log entries no anchor covers yet. */
#define XSTAMP_WAITING_SQL                                                                                             \
	"SELECT (SELECT seq FROM exchange_head WHERE id = 1) - COALESCE((SELECT MAX(exchange_seq) FROM exchange_anchors), 0)"

/* --- the node's identity (node.c) --- */
/* The key file of a database URL: TRONDOI_NODE_KEY, else the database file's path + ".node-key";
 * -1 for PostgreSQL without TRONDOI_NODE_KEY (there is no database file to keep it beside). */
int xnode_key_path(const char *db_url, char *out, size_t n);
/* init: creates the node key pair (key file mode 0600, public key in the database) unless it
 * exists, and sets the node's id (node_id NULL: keep it, or the data's default). Inside no
 * transaction. Prints what it did. */
int xnode_init(struct db *db, const char *db_url, const char *node_id, const char *default_id, struct err *e);
/* Loads the node's id and keys into x (node_id, when given, overrides the stored id). A missing
 * or mismatched key file leaves has_key false. */
int xnode_load(struct exchange *x, struct db *db, const char *db_url, const char *node_id, struct err *e);
void xnode_release(struct exchange *x);
/* While the node has no key: reads the key file again, and when it is back and matches, puts it
 * in x and only then sets has_key, so requests running meanwhile sign from then on. True when it
 * came back now. One thread only (serve's delivery thread); others just read has_key. */
bool xnode_key_reload(struct exchange *x, const char *db_url);

/* --- identifiers (ids.c) --- */
/* "VN/GOV/BCA" (parts 3), "VN/GOV/BCA/CSDLQGDC" (4), "VN/GOV/BCA/CSDLQGDC/person/v1" (6): true
 * when s has that many well-formed parts (class GOV or COM). */
bool xid_valid(const char *s, int parts);
/* The first parts of id into out ("VN/GOV/BCA" of a client). */
void xid_prefix(const char *id, int parts, char *out, size_t n);

/* --- members, subsystems, services, grants, purposes (members.c) --- */
int xmember_add(struct db *db, const char *id, const char *name, const char *public_key, const char *subsystem,
		struct err *e);
/* The same inside the caller's transaction (no audit entry). */
int xmember_write(struct db *db, const char *id, const char *name, const char *public_key, const char *subsystem,
		  struct err *e);
int xservice_add(struct db *db, const char *id, const char *handler, const char *name, struct err *e);
/* purposes: comma-separated codes, each known. hide_days > 0: an investigation grant, whose
 * calls the citizen sees only once that many days have passed. */
int xgrant_add(struct db *db, const char *client, const char *service, const char *purposes, int hide_days,
	       const char *actor, struct err *e);
int xgrant_revoke(struct db *db, const char *client, const char *service, const char *actor, struct err *e);
/* init: the purposes (data/exchange-purposes.json) and the providers this node plays
 * (data/exchange-providers.json: members, subsystems, services, sample records). */
int xdata_load(struct db *db, const char *data_dir, const char *public_key, char default_node[XR_ID_MAX], struct err *e);
/* GET /exchange/services: the node, purposes, members with subsystems, services and grants. */
int xservices_list(const struct exchange *x, struct db *db, json_t **out, struct err *e);

/* --- the sample national databases (providers.c) --- */
/* Runs the service's handler on the request body: 0 with *out, or -1 with e (400, 404). */
int xprovider_run(const struct exchange *x, struct db *db, const char *handler, const json_t *body, json_t **out,
		  struct err *e);
bool xprovider_known(const char *handler);

/* --- one call (call.c) --- */
struct xrequest {
	const char *method, *path;
	const char *service_parts[5]; /* class, member, subsystem, service, version from the path */
	const char *client, *id, *user, *issue, *date, *signature; /* headers, NULL when absent */
	const char *body;
	size_t body_len;
};
struct xanswer {
	int status;
	char *text;              /* the answer (JSON text, owned) */
	char request_hash[48];   /* base64 of SHA-256 of the signed string; "" when not computed */
	char response_signature[96]; /* the node's signature of the answer (base64); "" without the key */
	struct xlog_job *job;    /* the message-log entry to write (owned until submitted) */
};
/* A message-log entry to write, with copies of e's strings; record_id spends e's message id
 * for its client. NULL when memory ran out. */
struct xlog_entry;
struct xlog_job *xlog_job_new(const struct exchange *x, const struct xlog_entry *e, bool record_id);
/* Queues j on the writer without waiting (a citizen's own request); frees j when written. */
void xlog_job_queue(const struct exchange *x, struct db *db, struct xlog_job *j);
/* Writes j and waits until it is on disk (0) or failed (-1); frees j. */
int xlog_job_write(const struct exchange *x, struct db *db, struct xlog_job *j);
/* Checks and serves one call; every outcome (served, refused, failed) comes with its log job.
 * Returns 0 (answer filled) or -1 when memory ran out. */
int xcall_handle(const struct exchange *x, struct db *db, const struct xrequest *rq, struct xanswer *out);
/* Appends every well-formed personal ID among v's strings to ids, once each (up to XR_SUBJECTS_MAX). */
void xcall_collect_subjects(const json_t *v, json_t *ids);
/* The string the answering node signs: "trondoi-xroad-1-response", the request hash, the status
 * and the response hash (SHA-256 of the answer's bytes, base64), one a line; malloc'd. */
char *xcall_response_string(const char *request_hash, int status, const char *response_hash);
/* The string a client signs (docs/exchange.md), into a new malloc'd string. */
char *xcall_signed_string(const struct xrequest *rq);
/* Writes the answer's log entry: through the writer, reporting through w (returns USAGE_PENDING),
 * or at once when there is no writer. Frees the job. */
int xcall_log(const struct exchange *x, struct db *db, struct xanswer *a, const struct usage_wait *w);
void xanswer_release(struct xanswer *a);

/* --- the message log (msglog.c) --- */
struct xlog_entry {
	int64_t seq, at;
	const char *client, *service, *purpose;
	int status;
	const char *message_id, *user_id, *issue, *outcome, *request_hash, *response_hash;
	const char *subjects; /* JSON array of citizen IDs */
	int64_t hide_until;
};
/* hash of the entry's private part into out[65]: what a citizen's proof carries instead of it. */
void xlog_detail_hash(const struct xlog_entry *x, char out[65]);
/* hash of the entry chained on prev, given its detail hash, into out[65]. */
void xlog_hash(const char *prev, const struct xlog_entry *x, const char *detail_hash, char out[65]);
/* Appends x (seq and at filled here) inside the caller's transaction, signed with sk (NULL:
 * unsigned). Also records x's subjects. 0 or -1. */
int xlog_append(struct db *db, struct xlog_entry *x, const unsigned char *sk);
/* Signs the entries logged while the key was unavailable (in one transaction of its own): 0 with
 * *signed_now, or -1. */
int xlog_sign_pending(struct db *db, const unsigned char *sk, int64_t *signed_now);
/* Recomputes the chain and every signature against public_key (base64). 0 intact (*count),
 * 1 broken (*bad, why), -1 database error. */
int xlog_verify(struct db *db, const char *public_key, int64_t *count, int64_t *bad, char *why, size_t whylen);
/* The citizen's exchanges (not those still hidden), newest first, each with its proof: at most
 * limit of them with an id (message number) below before (0: from the newest); *more when older
 * ones follow (the id of the last one listed is then the next page's before). */
int xlog_for_citizen(const struct exchange *x, struct db *db, const char *citizen_id, int64_t before, int limit, json_t **out,
		     bool *more, struct err *e);
/* Checks a proof (one entry of GET /me/data-usage's "exchanges") against the node's public key:
 * the entry's hash, its signature and the head's. 0 genuine, 1 not (why says what). */
int xlog_verify_entry(const json_t *entry, const char *public_key, char *why, size_t whylen);

/* --- federation (peers.c) --- */
#define XR_PEER_SUBSYSTEM "TRONDOI" /* the subsystem a node calls other nodes as: VN/GOV/37/TRONDOI */
/* Registers another node: where it answers, its public key; and it as a member of this node
 * (with subsystem TRONDOI) so that it may be granted services here. */
int xpeer_add(struct db *db, const char *node_id, const char *url, const char *public_key, struct err *e);
/* POST /exchange/fetch: an officer's call, signed by this node, to a service of another node,
 * for a dossier the officer handles, about its applicant only (403 not_your_dossier, 422
 * not_the_applicant); the answer is kept with the dossier (dossier_fetched_add).
 * body {"node","service","purpose","dossier","query"}. The time limit
 * (TRONDOI_EXCHANGE_TIMEOUT_MS, default 5000) counts from since_us, when the request arrived
 * (0: now), so time spent queued for a thread counts: it waits only what is left, 504 when the
 * limit passes (at once, sending nothing, when none is left); 502 when the node cannot be
 * reached or answers wrongly. The call is in this node's message log too. */
struct principal;
int xpeer_fetch(const struct exchange *x, struct db *db, const struct principal *who, const json_t *body, int64_t since_us,
		json_t **out, int *status, struct err *e);

/* --- forms prefilled through the exchange (prefill.c) --- */
/* True when data/exchange-prefill.json lists the procedure. */
bool xprefill_wanted(const struct exchange *x, const char *procedure);
/* Fills form's empty mapped fields (form: the registry's prefill answer, parsed) from the
 * service, with the provider as source. A service that fails leaves the form as it was. 0. */
struct principal;
int xprefill(const struct exchange *x, struct db *db, const struct principal *who, const char *procedure, json_t *form,
	     struct err *e);

/* --- objections (objections.c) --- */
/* POST /me/data-usage/{entry}/objection {"reason"}: opens a case for the data-protection officer
 * on an exchange the citizen can see; 201 answer in *out; 404 for entries not theirs or hidden. */
int xobjection_create(const struct exchange *x, struct db *db, const char *citizen, const char *entry, const json_t *body,
		      json_t **out, struct err *e);
/* GET /exchange/objections: every case, soonest deadline first, with its answer once given. */
int xobjections_list(struct db *db, json_t **out, struct err *e);
/* POST /exchange/objections/{id}/answer {"answer","upheld"}: the data-protection officer (actor)
 * answers and closes an open case (status "upheld" or "dismissed"), with an audit entry; 404
 * not_found, 409 already_answered, 422 invalid_answer. */
int xobjection_answer(struct db *db, const char *actor, const char *id, const json_t *body, json_t **out, struct err *e);
/* Adds a case's answer to o ("answer", "upheld", "answered_at") when row st has one: columns col..col+2
 * are answer (sealed), upheld and answered_at; id is the case's. */
void xobjection_answer_json(json_t *o, struct db_stmt *st, int col, const char *id);

#endif
