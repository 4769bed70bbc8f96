/* claim.c — the compact signed claim a result's QR carries: base64url of the claim's JSON, a
 * dot, base64url of its Ed25519 signature. Checking needs only the token and the issuer's
 * published public key, no database and no network. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

int claim_sign(const json_t *claim, const unsigned char sk[64], char *token, size_t n)
{
	char *text = json_dumps(claim, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		return -1;
	size_t len = strlen(text);
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, (const unsigned char *)text, len, sk);
	size_t a = sodium_base64_encoded_len(len, B64), b = sodium_base64_encoded_len(sizeof sig, B64);
	int rc = -1;
	if (a + b <= n) {
		sodium_bin2base64(token, a, (const unsigned char *)text, len, B64);
		token[a - 1] = '.';
		sodium_bin2base64(token + a, b, sig, sizeof sig, B64);
		rc = 0;
	}
	free(text);
	return rc;
}

static int bad(struct err *e, const char *why_en, const char *why_vi)
{
	err_set(e, 422, "invalid_claim", "the claim is not genuine: %s", "%s", why_en);
	snprintf(e->msg_vi, sizeof e->msg_vi, "mã xác thực không hợp lệ: %s", why_vi);
	return -1;
}

int claim_verify(const char *token, const char *public_key_b64, json_t **claim, struct err *e)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES], body[CLAIM_MAX];
	size_t pk_len = 0, sig_len = 0, body_len = 0;
	*claim = NULL;
	const char *dot = token ? strchr(token, '.') : NULL;
	if (!dot || strlen(token) > 2 * CLAIM_MAX)
		return bad(e, "not a claim token", "không phải mã xác thực");
	if (!public_key_b64 || sodium_base642bin(pk, sizeof pk, public_key_b64, strlen(public_key_b64), NULL, &pk_len, NULL,
						 sodium_base64_VARIANT_ORIGINAL) || pk_len != sizeof pk)
		return bad(e, "the public key is not a base64 Ed25519 key", "khoá công khai không hợp lệ");
	if (sodium_base642bin(body, sizeof body, token, (size_t)(dot - token), NULL, &body_len, NULL, B64) ||
	    sodium_base642bin(sig, sizeof sig, dot + 1, strlen(dot + 1), NULL, &sig_len, NULL, B64) || sig_len != sizeof sig)
		return bad(e, "the token is not base64url", "mã không đúng định dạng base64url");
	if (crypto_sign_verify_detached(sig, body, body_len, pk))
		return bad(e, "the signature does not match the issuer's key", "chữ ký không khớp với khoá của cơ quan cấp");
	*claim = json_loadb((const char *)body, body_len, 0, NULL);
	if (!json_is_object(*claim)) {
		json_decref(*claim);
		*claim = NULL;
		return bad(e, "the signed content is not a claim", "nội dung đã ký không phải mã xác thực");
	}
	return 0;
}
