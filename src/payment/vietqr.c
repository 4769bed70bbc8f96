/* vietqr.c — building VietQR payloads: each field is ID (2 digits) + length (2 digits) + value;
 * tag 63 carries the CRC of everything before it, including "6304". */
#include "payment/vietqr.h"

#include <qrencode.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

uint16_t vietqr_crc16(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint16_t crc = 0xFFFF;
	for (size_t i = 0; i < len; i++) {
		crc ^= (uint16_t)(p[i] << 8);
		for (int b = 0; b < 8; b++)
			crc = crc & 0x8000 ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
	}
	return crc;
}

/* Appends one field; -1 when the value is empty or longer than 99 bytes. */
static int field(struct buf *b, const char *id, const char *value)
{
	size_t n = strlen(value);
	if (n == 0 || n > 99)
		return -1;
	return buf_addf(b, "%s%02zu%s", id, n, value);
}

static bool digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int vietqr_payload(const char *bank_bin, const char *account, int64_t amount, const char *purpose, char *out, size_t n)
{
	if (!digits(bank_bin, 6, 6) || !digits(account, 1, 19) || amount < 1 || amount > 9999999999999LL)
		return -1;
	struct buf beneficiary, merchant, extra, all;
	buf_init(&beneficiary, 256);
	buf_init(&merchant, 256);
	buf_init(&extra, 256);
	buf_init(&all, 1024);
	char amt[24];
	snprintf(amt, sizeof amt, "%lld", (long long)amount);
	int rc = field(&beneficiary, "00", bank_bin) || field(&beneficiary, "01", account) ||
		 field(&merchant, "00", "A000000727") || field(&merchant, "01", buf_cstr(&beneficiary)) ||
		 field(&merchant, "02", "QRIBFTTA") || field(&extra, "08", purpose) || field(&all, "00", "01") ||
		 field(&all, "01", "12") || field(&all, "38", buf_cstr(&merchant)) || field(&all, "53", "704") ||
		 field(&all, "54", amt) || field(&all, "58", "VN") || field(&all, "62", buf_cstr(&extra)) ||
		 buf_adds(&all, "6304");
	if (!rc) {
		uint16_t crc = vietqr_crc16(all.data, all.len);
		rc = buf_addf(&all, "%04X", crc) || all.len + 1 > n;
	}
	if (!rc)
		snprintf(out, n, "%s", all.data);
	buf_release(&beneficiary);
	buf_release(&merchant);
	buf_release(&extra);
	buf_release(&all);
	return rc ? -1 : 0;
}

char *vietqr_svg(const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return NULL;
	int w = qr->width, quiet = 4;
	struct buf b;
	buf_init(&b, (size_t)1 << 20);
	int rc = buf_addf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
			      "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
			  w + 2 * quiet, w + 2 * quiet);
	for (int y = 0; !rc && y < w; y++)
		for (int x = 0; !rc && x < w; x++)
			if (qr->data[y * w + x] & 1)
				rc = buf_addf(&b, "M%d %dh1v1h-1z", x + quiet, y + quiet);
	rc = rc || buf_adds(&b, "\"/></svg>");
	QRcode_free(qr);
	if (rc) {
		buf_release(&b);
		return NULL;
	}
	return b.data;
}
