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
/* A row id that sorts by time: the instant (16 hex) then 8 random bytes (16 hex), into
 * out[33]. New rows land at the end of the key's index instead of anywhere in it. */
void crypto_time_id(int64_t at_us, char out[33]);

#endif
