/* crypto.h — thin helpers over libsodium: random ids, SHA-256 in hex, hex encoding. */
#ifndef TD_CRYPTO_H
#define TD_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

int crypto_init(void);
/* nbytes random bytes as lower-case hex into out (2*nbytes+1 bytes). */
void crypto_random_hex(char *out, size_t nbytes);
/* SHA-256 of data as 64 hex chars + NUL into out[65]. */
void crypto_sha256_hex(const void *data, size_t len, char out[65]);
uint32_t crypto_random_u32(uint32_t upper);

#endif
