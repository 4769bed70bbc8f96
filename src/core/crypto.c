/* crypto.c — libsodium helpers. */
#include "core/crypto.h"

#include <sodium.h>
#include <stdio.h>

int crypto_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void crypto_random_hex(char *out, size_t nbytes)
{
	unsigned char raw[64];
	if (nbytes > sizeof raw)
		nbytes = sizeof raw;
	randombytes_buf(raw, nbytes);
	sodium_bin2hex(out, nbytes * 2 + 1, raw, nbytes);
}

void crypto_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, 65, h, sizeof h);
}

void crypto_time_id(int64_t at_us, char out[33])
{
	char rnd[17];
	crypto_random_hex(rnd, 8);
	snprintf(out, 33, "%016llx%s", (unsigned long long)at_us, rnd);
}

uint32_t crypto_random_u32(uint32_t upper)
{
	return randombytes_uniform(upper);
}
