/* fees.c — a dossier's fee by VietQR, the bank's signed notification that it was paid (applied
 * exactly once), and the applicant's rating of the service. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "dossier/dossier.h"
#include "security/seal.h"
#include "payment/vietqr.h"

#define COMMENT_MAX 1000

/* The dossier's procedure fee, its applicant, unit, agency and status. */
struct fee_info {
	char applicant[13], unit[8], agency[24], procedure[32];
	int status;
	int64_t fee;
	bool paid;
	int64_t paid_at;
};

static int fee_info(const struct dossiers *d, struct db *db, const char *code, struct fee_info *f, struct err *e)
{
	struct dossier_row r;
	memset(f, 0, sizeof *f);
	if (dossier_load(db, code, &r, e))
		return -1;
	memcpy(f->applicant, r.applicant, sizeof f->applicant);
	memcpy(f->unit, r.unit, sizeof f->unit);
	memcpy(f->agency, r.agency, sizeof f->agency);
	memcpy(f->procedure, r.procedure, sizeof f->procedure);
	f->status = r.status;
	f->paid = r.has_paid;
	f->paid_at = r.paid_at;
	dossier_row_release(&r);
	f->fee = json_integer_value(json_object_get(catalog_procedure(d->registry->catalog, f->procedure), "fee"));
	return 0;
}

static bool may_see(const struct principal *who, const struct fee_info *f)
{
	return dossier_applicant_is(who, f->applicant) || dossier_desk_of(who, f->unit, f->agency);
}

int dossier_payment(const struct dossiers *d, struct db *db, const struct principal *who, const char *code,
		    const json_t *payee, json_t **out, struct err *e)
{
	struct fee_info f;
	if (fee_info(d, db, code, &f, e))
		return -1;
	if (!may_see(who, &f))
		return err_set(e, 403, "forbidden", "dossier %s belongs to another applicant and another desk",
			       "hồ sơ %s thuộc người nộp khác và bộ phận khác", code);
	if (f.fee <= 0)
		return err_set(e, 409, "no_fee", "procedure %s charges no fee", "thủ tục %s không thu phí, lệ phí", f.procedure);
	char payload[512];
	const char *bin = json_string_value(json_object_get(payee, "bank_bin"));
	const char *account = json_string_value(json_object_get(payee, "account"));
	if (!bin || !account || vietqr_payload(bin, account, f.fee, code, payload, sizeof payload))
		return err_set(e, 503, "payments_not_configured", "no valid receiving account is configured (data/payment.json)",
			       "chưa cấu hình tài khoản nhận hợp lệ (data/payment.json)");
	char *svg = vietqr_svg(payload);
	if (!svg)
		return err_set(e, 500, "out_of_memory", "out of memory", "hết bộ nhớ");
	char at[40];
	clock_iso(f.paid_at, at, sizeof at);
	*out = json_pack("{s:I,s:s,s:s,s:s,s:O,s:b}", "amount", (json_int_t)f.fee, "currency", "VND", "vietqr", payload,
			 "qr_svg", svg, "account_name", json_object_get(payee, "account_name"), "paid", f.paid);
	json_object_set_new(*out, "paid_at", f.paid ? json_string(at) : json_null());
	free(svg);
	return 0;
}

/* HMAC-SHA256 of body under secret, compared in constant time with the hex signature. */
static bool signed_by(const char *secret, const char *body, size_t len, const char *signature)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES], given[crypto_auth_hmacsha256_BYTES];
	size_t n = 0;
	if (!signature || strlen(signature) != 2 * sizeof given ||
	    sodium_hex2bin(given, sizeof given, signature, strlen(signature), NULL, &n, NULL) || n != sizeof given)
		return false;
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	return sodium_memcmp(mac, given, sizeof mac) == 0;
}

int payment_notify(const struct dossiers *d, struct db *db, const char *secret, const char *raw, size_t len,
		   const char *signature, json_t **out, struct err *e)
{
	if (!secret || !secret[0])
		return err_set(e, 503, "payments_not_configured", "payment notifications are not configured (TRONDOI_PAYMENT_SECRET)",
			       "chưa cấu hình nhận thông báo thanh toán (TRONDOI_PAYMENT_SECRET)");
	if (!raw || !signed_by(secret, raw, len, signature))
		return err_set(e, 401, "bad_signature", "the notification's X-Signature is not the HMAC-SHA256 of its body",
			       "X-Signature không phải HMAC-SHA256 của nội dung thông báo");
	json_t *body = json_parse_object(raw, len, 64 * 1024, e);
	if (!body)
		return -1;
	const char *tx, *code, *paid;
	json_t *amount = json_object_get(body, "amount");
	int rc = json_get_str(body, "transaction_id", true, 64, &tx, e) || json_get_str(body, "reference", true, 48, &code, e) ||
		 json_get_str(body, "paid_at", true, 40, &paid, e) ? -1 : 0;
	struct fee_info f;
	if (!rc && !json_is_integer(amount))
		rc = err_set(e, 422, "invalid_field", "amount must be a whole number of VND", "amount phải là số nguyên VND");
	if (!rc)
		rc = fee_info(d, db, code, &f, e);
	if (!rc && json_integer_value(amount) != f.fee)
		rc = err_set(e, 422, "amount_mismatch", "dossier %s owes %lld VND, not %lld", "hồ sơ %s phải nộp %lld VND, không phải %lld",
			     code, (long long)f.fee, (long long)json_integer_value(amount));
	int64_t now = clock_now_us();
	if (!rc && db_begin(db))
		rc = err_set(e, 503, "db_busy", "database busy, try again", "cơ sở dữ liệu bận, hãy thử lại");
	bool duplicate = false;
	if (!rc) {
		rc = db_run(db, "INSERT INTO payments (transaction_id, code, amount, paid_at, received_at) VALUES (?, ?, ?, ?, ?) "
				"ON CONFLICT (transaction_id) DO NOTHING", "ttiti", tx, code, (int64_t)f.fee, paid, now) == DB_DONE ? 0 : -1;
		duplicate = !rc && db_changes(db) == 0;
		if (!rc && !duplicate) /* the first notice marks the fee paid; a dossier waiting for it goes on */
			rc = db_run(db, "UPDATE dossiers SET paid_at = ?, status = CASE WHEN status = 6 THEN 4 ELSE status END, "
					"rev = rev + 1, updated_at = ? WHERE code = ? AND paid_at IS NULL", "iit", now, now, code) != DB_DONE ||
			     (f.status == 6 && dossier_event_add(db, code, "payment", 6, 4, tx, now)) || dossier_mark_changed(db, code) ||
			     audit_append(db, "payment", "dossier.paid", code, "{}");
		rc = rc || db_commit(db) ? -1 : 0;
		if (rc) {
			db_rollback(db);
			err_set(e, 500, "db_error", "the payment was not recorded", "chưa ghi nhận được thanh toán");
		}
	}
	if (!rc)
		*out = json_pack("{s:s,s:s}", "status", duplicate ? "duplicate" : "recorded", "reference", code);
	json_decref(body);
	return rc;
}

int dossier_rate(const struct dossiers *d, struct db *db, const struct principal *who, const char *code,
		 const json_t *body, json_t **out, struct err *e)
{
	struct fee_info f;
	if (fee_info(d, db, code, &f, e))
		return -1;
	if (!dossier_applicant_is(who, f.applicant))
		return err_set(e, 403, "forbidden", "only the applicant rates dossier %s", "chỉ người nộp được đánh giá hồ sơ %s", code);
	if (f.status != 10)
		return err_set(e, 409, "not_returned", "dossier %s can be rated once its result is returned (status 10)",
			       "hồ sơ %s chỉ được đánh giá sau khi đã trả kết quả (trạng thái 10)", code);
	json_t *score = json_object_get(body, "score");
	const char *comment = NULL;
	if (!json_is_integer(score) || json_integer_value(score) < 1 || json_integer_value(score) > 5)
		return err_set(e, 422, "invalid_field", "score must be a whole number from 1 to 5", "score phải là số nguyên 1-5");
	if (json_get_str(body, "comment", false, COMMENT_MAX, &comment, e))
		return -1;
	int64_t now = clock_now_us();
	if (db_begin(db))
		return err_set(e, 503, "db_busy", "database busy, try again", "cơ sở dữ liệu bận, hãy thử lại");
	char *sealed = seal_text("ratings.comment", code, comment ? comment : "");
	enum db_rc rc = sealed ? db_run(db, "INSERT INTO ratings (code, score, comment, at) VALUES (?, ?, ?, ?)", "titi", code,
					(int64_t)json_integer_value(score), sealed, now)
			       : DB_ERROR;
	free(sealed);
	if (rc == DB_DONE && !dossier_mark_changed(db, code) && !audit_append(db, who->username, "dossier.rate", code, "{}") &&
	    !db_commit(db)) {
		*out = json_pack("{s:s,s:I,s:s}", "code", code, "score", json_integer_value(score), "comment", comment ? comment : "");
		return 0;
	}
	db_rollback(db);
	if (rc == DB_CONSTRAINT)
		return err_set(e, 409, "already_rated", "dossier %s has been rated already", "hồ sơ %s đã được đánh giá", code);
	return err_set(e, 500, "db_error", "the rating was not saved", "chưa lưu được đánh giá");
}
