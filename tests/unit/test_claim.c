/* test_claim.c — the signed claim in a result's QR: what a verifier checks offline with the
 * issuer's public key alone. */
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "store/store.h"

static unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
static char pub[64];

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	crypto_sign_keypair(pk, sk);
	sodium_bin2base64(pub, sizeof pub, pk, sizeof pk, sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

static void signed_token(char *token, size_t n)
{
	json_t *c = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s}", "v", 1, "id", "KQ0123456789abcdef", "t", "1.004873", "iss", "14038", "d",
			      "2026-11-25", "h", "b6193b505c2f6b5309d06eb405da4e970bcd60e1663e86aedcc04f1fede9107d");
	assert_int_equal(claim_sign(c, sk, token, n), 0);
	json_decref(c);
}

static void a_signed_claim_verifies_and_reads_back(void **state)
{
	(void)state;
	char token[CLAIM_MAX * 2];
	signed_token(token, sizeof token);
	assert_non_null(strchr(token, '.'));
	assert_null(strpbrk(token, "+/=")); /* URL-safe, fits a QR link */
	json_t *claim;
	struct err e = {0};
	assert_int_equal(claim_verify(token, pub, &claim, &e), 0);
	assert_string_equal(json_string_value(json_object_get(claim, "id")), "KQ0123456789abcdef");
	assert_string_equal(json_string_value(json_object_get(claim, "iss")), "14038");
	json_decref(claim);
}

static void assert_refused(const char *token, const char *key, const char *why)
{
	json_t *claim = NULL;
	struct err e = {0};
	assert_int_equal(claim_verify(token, key, &claim, &e), -1);
	assert_null(claim);
	assert_string_equal(e.code, "invalid_claim");
	if (!strstr(e.msg, why) || !e.msg_vi[0])
		fail_msg("'%s' should say '%s'", e.msg, why);
}

static void tampering_is_caught(void **state)
{
	(void)state;
	char token[CLAIM_MAX * 2], changed[CLAIM_MAX * 2];
	signed_token(token, sizeof token);
	/* another claim body under the same signature: re-encode with one character of the date changed */
	strcpy(changed, token);
	changed[5] = changed[5] == 'A' ? 'B' : 'A';
	assert_refused(changed, pub, "signature does not match");
	strcpy(changed, token);
	size_t n = strlen(changed);
	changed[n - 2] = changed[n - 2] == 'A' ? 'B' : 'A';
	assert_refused(changed, pub, "");
	/* another unit's key */
	unsigned char pk2[crypto_sign_PUBLICKEYBYTES], sk2[crypto_sign_SECRETKEYBYTES];
	char pub2[64];
	crypto_sign_keypair(pk2, sk2);
	sodium_bin2base64(pub2, sizeof pub2, pk2, sizeof pk2, sodium_base64_VARIANT_ORIGINAL);
	assert_refused(token, pub2, "signature does not match");
}

static void malformed_input_is_refused(void **state)
{
	(void)state;
	char token[CLAIM_MAX * 2];
	signed_token(token, sizeof token);
	assert_refused("no-dot-here", pub, "not a claim token");
	assert_refused(NULL, pub, "not a claim token");
	assert_refused(token, "not a key", "public key");
	assert_refused(token, NULL, "public key");
	assert_refused("***.***", pub, "base64url");
	/* a genuine signature over something that is not a JSON object */
	char t2[256];
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, (const unsigned char *)"[1]", 3, sk);
	size_t a = sodium_base64_encoded_len(3, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_bin2base64(t2, a, (const unsigned char *)"[1]", 3, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	t2[a - 1] = '.';
	sodium_bin2base64(t2 + a, sizeof t2 - a, sig, sizeof sig, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_refused(t2, pub, "not a claim");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_signed_claim_verifies_and_reads_back),
		cmocka_unit_test(tampering_is_caught),
		cmocka_unit_test(malformed_input_is_refused),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
