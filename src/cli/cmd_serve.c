/* cmd_serve.c — `trondoi serve`: the HTTP server. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/opts.h"
#include "http/server.h"
#include "report/report.h"

#define PEM_MAX (64 * 1024)

/* The certificate and key files, read whole; warns when the key can be read by others. */
static int tls_read(const char *cert_path, const char *key_path, char **cert, char **key)
{
	size_t n1, n2;
	*cert = cli_read_file(cert_path, PEM_MAX, &n1);
	*key = cli_read_file(key_path, PEM_MAX, &n2);
	if (!*cert || !*key || n1 > PEM_MAX || n2 > PEM_MAX || !n1 || !n2) {
		free(*cert);
		free(*key);
		*cert = *key = NULL;
		return -1;
	}
	struct stat st;
	if (!stat(key_path, &st) && (st.st_mode & 077))
		fprintf(stderr, "trondoi serve: warning: %s can be read by other users (chmod 600)\n", key_path);
	return 0;
}

/* While the node key file is away (docs/exchange.md, "When the key is away"): the delivery thread
 * looks for it every KEY_CHECK_US; once it is back the node signs again, and the messages logged
 * meanwhile are signed, twice over so that a call in flight at that moment is caught too. */
#define KEY_CHECK_US 2000000
struct key_watch {
	struct exchange *x;
	const char *db_url;
	int64_t next_at;
	int passes; /* sign-pending passes still to make */
};

static void key_watch_round(struct db *db, CURL *curl, void *arg)
{
	(void)curl;
	struct key_watch *w = arg;
	int64_t now = clock_now_us(), n = 0;
	if (now < w->next_at)
		return;
	w->next_at = now + KEY_CHECK_US;
	if (xnode_key_reload(w->x, w->db_url)) {
		log_info("serve", "the exchange node key file is back: messages are signed again");
		w->passes = 2;
	}
	if (!w->passes)
		return;
	if (xlog_sign_pending(db, w->x->sk, &n)) {
		log_error("serve", "cannot sign the exchange messages logged without the key: %s", db_errmsg(db));
		return;
	}
	w->passes--;
	if (n)
		log_info("serve", "signed %lld exchange messages logged while the node key was unavailable", (long long)n);
}

/* Anchoring on a schedule (docs/exchange.md, "Time source"): when an anchor is due, the delivery
 * thread posts the heads' hash to the time source and stores the anchor it stamps. While the time
 * source is unreachable or answers badly, calls go on; the anchor is asked again after a back-off
 * no longer than the interval, and then covers every entry logged meanwhile. */
struct stamp_watch {
	struct exchange *x;
	const char *url, *key;
	struct xstamp_policy policy;
	int64_t next_at;
	int attempts;
};

static void stamp_failed(struct stamp_watch *w, struct db *db, int64_t now, const char *why)
{
	int64_t wait = sender_backoff_us(w->attempts++), waiting = 0;
	w->next_at = now + (wait < w->policy.every_us ? wait : w->policy.every_us);
	struct db_stmt *st = db_prepare(db, XSTAMP_WAITING_SQL);
	if (st && db_step(st) == DB_ROW)
		waiting = db_col_int(st, 0);
	if (st)
		db_reset(st);
	log_error("anchor", "%s: %s; calls go on, %lld messages wait for an anchor (attempt %d)", w->url, why, (long long)waiting,
		  w->attempts);
}

static void stamp_round(struct db *db, CURL *curl, void *arg)
{
	struct stamp_watch *w = arg;
	int64_t now = clock_now_us();
	struct xstamp s;
	char *body = NULL, why[300] = "";
	if (now < w->next_at || !w->x->has_key || xstamp_due(db, w->x->node_id, &w->policy, now, &s, &body) != 1)
		return;
	struct sender_reply reply;
	int rc = sender_post(curl, w->url, NULL, body, &reply, why, sizeof why);
	free(body);
	if (!rc)
		rc = xstamp_accept(w->x, db, &s, w->key, reply.body, reply.len, why, sizeof why);
	if (rc < 0)
		snprintf(why, sizeof why, "cannot store the anchor: %s", db_errmsg(db));
	if (rc) {
		stamp_failed(w, db, now, why);
		return;
	}
	w->attempts = 0;
	log_info("anchor", "%s", why);
}

/* The time source's settings: an option of serve, else its environment setting. */
static int stamp_settings(const char **url, const char **key, const char *every, const char *count, struct xstamp_policy *p)
{
	const struct {
		const char **value, *env;
	} from_env[] = {{url, "TRONDOI_TIME_SOURCE"}, {key, "TRONDOI_TIME_SOURCE_KEY"}, {&every, "TRONDOI_ANCHOR_EVERY"},
			{&count, "TRONDOI_ANCHOR_MESSAGES"}};
	for (size_t i = 0; i < sizeof from_env / sizeof *from_env; i++)
		if (!*from_env[i].value && getenv(from_env[i].env) && getenv(from_env[i].env)[0])
			*from_env[i].value = getenv(from_env[i].env);
	char *end1 = "", *end2 = "";
	long secs = every ? strtol(every, &end1, 10) : 600, n = count ? strtol(count, &end2, 10) : 1000;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	size_t npk = 0;
	if (*end1 || *end2 || secs < 1 || secs > 86400 || n < 1 || n > 1000000 ||
	    (*url && **url && (!*key || sodium_base642bin(pk, sizeof pk, *key, strlen(*key), NULL, &npk, NULL, sodium_base64_VARIANT_ORIGINAL) ||
		      npk != sizeof pk))) {
		fprintf(stderr, "trondoi serve: --anchor-every is 1-86400 seconds, --anchor-messages 1-1000000, and --time-source needs\n"
				"  --time-source-key, the time source's Ed25519 public key (32 bytes, base64)\n"
				"  (--time-source cần --time-source-key: khóa công khai Ed25519 của nguồn thời gian, 32 byte base64)\n");
		return -1;
	}
	p->every_us = secs * 1000000LL;
	p->messages = n;
	return 0;
}

#define DEFAULT_CONFIG "/etc/trondoi/trondoi.conf"
static char *settings; /* the configuration's text: the options point into it while the server runs */

int cmd_serve(int argc, char **argv)
{
	const char *files = NULL, *node = NULL, *tls_cert = NULL, *tls_key = NULL, *config = NULL;
	const char *db_url = NULL, *listen = NULL, *port = NULL, *threads = NULL, *web = NULL, *ttl = NULL;
	const char *replica = NULL, *replica_lag = NULL;
	const char *ts_url = NULL, *ts_key = NULL, *anchor_every = NULL, *anchor_messages = NULL;
	const struct opt opts[] = {
		{"config", "FILE", "settings (name = value lines; default: /etc/trondoi/trondoi.conf when it exists)", &config, NULL, false},
		{"db", "PATH", "database made by trondoi init: a SQLite file or postgresql://… (required here or in the configuration)", &db_url,
		 NULL, false},
		{"db-replica", "URL", "a streaming replica of the PostgreSQL database (postgresql://…): GET routes read from it (docs/postgresql.md)",
		 &replica, NULL, false},
		{"db-replica-lag", "SECONDS", "how stale a replica read may be for writes made by other processes (default 1; 0-3600)",
		 &replica_lag, NULL, false},
		{"listen", "ADDR", "IPv4 address to listen on (default 127.0.0.1)", &listen, NULL, false},
		{"port", "N", "TCP port (default 8080)", &port, NULL, false},
		{"threads", "N", "event threads, each with its own database connection (default: one per CPU core)", &threads,
		 NULL, false},
		{"web", "DIR", "folder of the web pages (default: the web/ beside the program)", &web, NULL, false},
		{"token-ttl", "MINUTES", "how long a sign-in lasts (default 480)", &ttl, NULL, false},
		{"files", "DIR", "where uploaded documents are stored (default: DB.files beside a SQLite database; required with PostgreSQL)", &files, NULL, false},
		{"tls-cert", "FILE", "serve HTTPS only: the certificate chain (PEM); with --tls-key", &tls_cert, NULL, false},
		{"tls-key", "FILE", "the certificate's private key (PEM, readable by this user only)", &tls_key, NULL, false},
		{"node", "ID", "this node's exchange identity, e.g. VN/GOV/37 (default: the one init stored)", &node, NULL, false},
		{"time-source", "URL", "the time source that stamps the chains' heads (docs/exchange.md; or TRONDOI_TIME_SOURCE)", &ts_url,
		 NULL, false},
		{"time-source-key", "BASE64", "its Ed25519 public key (or TRONDOI_TIME_SOURCE_KEY)", &ts_key, NULL, false},
		{"anchor-every", "SECONDS", "anchor the heads when they moved and this long passed (default 600)", &anchor_every, NULL,
		 false},
		{"anchor-messages", "N", "or when this many messages were logged since the last anchor (default 1000)", &anchor_messages,
		 NULL, false},
		{0}};
	const char *pos[1];
	int npos;
	int r = opts_parse(argc, argv, opts, "serve --db PATH [--listen 127.0.0.1] [--port 8080] [--config FILE]",
			   "Serve the API and the web pages until SIGTERM or SIGINT.", pos, 0, &npos);
	if (r)
		return r < 0 ? 2 : 0;
	if (!config && !access(DEFAULT_CONFIG, R_OK))
		config = DEFAULT_CONFIG;
	if (config && opts_config("serve", config, opts, &settings))
		return 2;
	listen = listen ? listen : "127.0.0.1";
	port = port ? port : "8080";
	ttl = ttl ? ttl : "480";
	if (!db_url) {
		fprintf(stderr, "trondoi serve: option --db is required (see --help)\n");
		return 2;
	}
	char *end;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	long p = strtol(port, &end, 10), m = strtol(ttl, &end, 10);
	long t = threads ? strtol(threads, &end, 10) : cores < 2 ? 2 : cores;
	long lag = replica_lag ? strtol(replica_lag, &end, 10) : 1;
	if (p < 1 || p > 65535 || t < 1 || t > 64 || m < 1 || m > 7 * 24 * 60 || lag < 0 || lag > 3600 ||
	    (replica_lag && (!replica_lag[0] || *end))) {
		fprintf(stderr, "trondoi serve: --port is 1-65535, --threads 1-64, --token-ttl 1-10080 minutes, --db-replica-lag 0-3600 seconds\n");
		return 2;
	}
	struct err e = {0};
	if (replica && db_use_replica(db_url, replica, (int)lag, &e)) {
		cli_fail("serve", &e);
		return 2; /* a usage error, as the checks above */
	}
	if (!files && db_is_pgsql(db_url)) {
		fprintf(stderr, "trondoi serve: --files DIR is required with PostgreSQL (there is no database file to keep them beside)\n");
		return 2;
	}
	struct stamp_watch stamps = {0};
	if (stamp_settings(&ts_url, &ts_key, anchor_every, anchor_messages, &stamps.policy))
		return 2;
	char *cert = NULL, *key = NULL;
	if (!tls_cert != !tls_key || (tls_cert && tls_read(tls_cert, tls_key, &cert, &key))) {
		fprintf(stderr, "trondoi serve: HTTPS needs --tls-cert and --tls-key, both readable PEM files (at most 64 KiB)\n"
				"  (HTTPS cần cả --tls-cert và --tls-key, là tệp PEM đọc được, tối đa 64 KiB)\n");
		return 2;
	}
	struct app a;
	struct db *db;
	if (app_open(&a, db_url, &db, &e)) {
		free(cert);
		free(key);
		return cli_fail("serve", &e);
	}
	if (node && !xid_valid(node, 3)) {
		app_close(&a);
		db_close(db);
		free(cert);
		free(key);
		fprintf(stderr, "trondoi serve: --node %s: write it as VN/GOV/37\n", node);
		return 2;
	}
	if (node)
		snprintf(a.exchange.node_id, sizeof a.exchange.node_id, "%s", node);
	int64_t signed_now = 0;
	if (a.exchange.node_id[0] && !a.exchange.has_key)
		log_error("serve", "the exchange node key file is missing or does not match; messages are logged unsigned "
				   "until it is back (then serve, or trondoi exchange sign-pending, signs them)");
	else if (a.exchange.has_key && xlog_sign_pending(db, a.exchange.sk, &signed_now))
		log_error("serve", "cannot sign the exchange messages logged without the key: %s", db_errmsg(db));
	else if (signed_now)
		log_info("serve", "signed %lld exchange messages logged while the node key was unavailable", (long long)signed_now);
	db_close(db); /* each worker thread opens its own */
	char webdir[1024];
	snprintf(webdir, sizeof webdir, "%s/web", app_home());
	a.web_dir = web ? web : webdir;
	a.token_ttl_us = m * 60 * 1000000LL;
	char files_dir[1100];
	cli_files_dir(db_url, files, files_dir, sizeof files_dir);
	a.dossiers.files_dir = files_dir;
	struct server_opts so = {listen, (int)p, (int)t, cert, key};
	/* deliveries: status changes to the national portal, messages to applicants by e-mail and SMS,
	 * published figures to the Government reporting system */
	char *portal = getenv("TRONDOI_PORTAL_URL");
	const char *smtp = getenv("TRONDOI_SMTP_URL"), *from = getenv("TRONDOI_SMTP_FROM");
	const char *sms = getenv("TRONDOI_SMS_URL");
	struct notify_config notes = {.smtp_url = smtp,
				      .from = from && from[0] ? from : "no-reply@trondoi.local",
				      .dossiers = &a.dossiers,
				      .sms_url = sms,
				      .sms_token = getenv("TRONDOI_SMS_TOKEN")};
	struct reporting_config reporting = {getenv("TRONDOI_REPORTING_URL"), getenv("TRONDOI_REPORTING_TOKEN"), &a.exchange};
	struct sender_task tasks[8];
	size_t ntasks = 0;
	if (portal && portal[0])
		tasks[ntasks++] = (struct sender_task){outbox_round, portal};
	struct report_reminders reminders = {&notes, 0};
	if (smtp && smtp[0]) { /* to applicants; and reminders of report forms to officers with a work address */
		tasks[ntasks++] = (struct sender_task){notify_round, &notes};
		tasks[ntasks++] = (struct sender_task){report_remind_round, &reminders};
	}
	if (sms && sms[0])
		tasks[ntasks++] = (struct sender_task){notify_sms_round, &notes};
	if (reporting.url && reporting.url[0]) /* published figures up to the Government reporting system */
		tasks[ntasks++] = (struct sender_task){report_send_round, &reporting};
	struct key_watch watch = {&a.exchange, db_url, 0, 0};
	if (a.exchange.node_id[0] && !a.exchange.has_key) /* the node key file may come back meanwhile */
		tasks[ntasks++] = (struct sender_task){key_watch_round, &watch};
	stamps = (struct stamp_watch){&a.exchange, ts_url, ts_key, stamps.policy, 0, 0};
	if (ts_url && ts_url[0] && a.exchange.node_id[0]) /* anchors stamped by the time source */
		tasks[ntasks++] = (struct sender_task){stamp_round, &stamps};
	struct sender *sender = ntasks ? sender_start(db_url, tasks, ntasks, &e) : NULL;
	curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread: exchange calls to other nodes */
	int rc = ntasks && !sender ? -1 : server_run(&a, &so, &e);
	curl_global_cleanup();
	sender_stop(sender);
	app_close(&a);
	if (key)
		sodium_memzero(key, strlen(key)); /* the private key leaves no copy in freed memory */
	free(cert);
	free(key);
	return rc ? cli_fail("serve", &e) : 0;
}
