/* vietqr.h — VietQR payment payloads (EMVCo merchant-presented QR as NAPAS specifies it) and
 * the QR code image as SVG. Pure computation. */
#ifndef TD_VIETQR_H
#define TD_VIETQR_H

#include <stddef.h>
#include <stdint.h>

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of len bytes. */
uint16_t vietqr_crc16(const void *data, size_t len);
/* The payload for a transfer of amount VND to account at the bank with this BIN, the purpose
 * (e.g. the dossier code) in tag 62-08. 0, or -1 when a value does not fit (fields are at most
 * 99 bytes; BIN 6 digits; amount 1..9999999999999). */
int vietqr_payload(const char *bank_bin, const char *account, int64_t amount, const char *purpose, char *out, size_t n);
/* The QR code of text as an SVG document (caller frees), or NULL. */
char *vietqr_svg(const char *text);

#endif
