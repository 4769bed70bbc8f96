/* attributes.c — checking attribute values against the attribute catalog's types and limits. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "registry/registry.h"

#define STREET_MAX 200

/* The attribute's label in a language, for messages people read. */
static const char *label(const struct attr_def *d, const char *lang)
{
	const char *s = json_string_value(json_object_get(json_object_get(d->doc, "label"), lang));
	return s ? s : d->name;
}

/* A 422 naming the attribute (its label, and its key for programs), with each language's own
 * explanation; the two formats take the same arguments. */
static int wrong(struct err *e, const struct attr_def *d, const char *fmt_en, const char *fmt_vi, ...)
	__attribute__((format(printf, 3, 5)));
static int wrong(struct err *e, const struct attr_def *d, const char *fmt_en, const char *fmt_vi, ...)
{
	char en[256], vi[256];
	va_list ap, ap2;
	va_start(ap, fmt_vi);
	va_copy(ap2, ap);
	vsnprintf(en, sizeof en, fmt_en, ap);
	vsnprintf(vi, sizeof vi, fmt_vi, ap2);
	va_end(ap2);
	va_end(ap);
	err_set(e, 422, "invalid_attribute", "%s ('%s'): %s", "%s", label(d, "en"), d->name, en);
	snprintf(e->msg_vi, sizeof e->msg_vi, "%s ('%s'): %s", label(d, "vi"), d->name, vi);
	return -1;
}

static bool valid_phone(const char *s)
{
	size_t n = strlen(s);
	const char *d = s;
	if (s[0] == '+') {
		if (strncmp(s, "+84", 3))
			return false;
		d = s + 3;
		n -= 3;
		if (n != 9)
			return false;
	} else if (n != 10 || s[0] != '0')
		return false;
	for (; *d; d++)
		if (!isdigit((unsigned char)*d))
			return false;
	return true;
}

static bool valid_email(const char *s)
{
	const char *at = strchr(s, '@');
	if (!at || at == s || strchr(at + 1, '@') || strlen(s) > 254)
		return false;
	const char *dot = strrchr(at, '.');
	if (!dot || dot == at + 1 || !dot[1])
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || strchr("<>()[],;:\\\"", *p))
			return false;
	return true;
}

static bool option_ok(const json_t *options, const char *s)
{
	size_t i;
	json_t *o;
	json_array_foreach(options, i, o) if (json_is_string(o) && !strcmp(json_string_value(o), s)) return true;
	return false;
}

int attr_check_address(const struct registry *r, const struct attr_def *d, const char *unit, const char *street,
		       const char *date, struct err *e)
{
	if (!unit || !street)
		return wrong(e, d, "needs unit (a commune code) and street", "cần unit (mã xã) và street");
	size_t n = strlen(street);
	if (n > STREET_MAX || !n)
		return wrong(e, d, "street must be 1-200 bytes", "street phải dài 1-200 byte");
	for (const char *p = street; *p; p++)
		if ((unsigned char)*p < ' ')
			return wrong(e, d, "street must not contain control characters", "street không được chứa ký tự điều khiển");
	const struct unit *u = units_valid_code(unit) ? units_find(r->units, unit, date) : NULL;
	if (!u || u->level != UNIT_COMMUNE)
		return wrong(e, d, "%s is not a commune on the map of %s", "%s không phải mã xã trên bản đồ ngày %s", unit, date);
	return 0;
}

static int check_address(const struct registry *r, const struct attr_def *d, const json_t *v, struct err *e)
{
	if (!json_is_object(v))
		return wrong(e, d, "must be an object {\"unit\":\"<commune code>\",\"street\":\"...\"}",
			      "phải là đối tượng {\"unit\":\"<mã xã>\",\"street\":\"...\"}");
	const char *key;
	json_t *x;
	json_object_foreach((json_t *)v, key, x) if (strcmp(key, "unit") && strcmp(key, "street") && strcmp(key, "as_of"))
		return wrong(e, d, "only unit, street and as_of are allowed", "chỉ cho phép unit, street và as_of");
	const char *as_of = json_string_value(json_object_get(v, "as_of"));
	if (json_object_get(v, "as_of") && (!as_of || !clock_valid_date(as_of)))
		return wrong(e, d, "as_of must be a date YYYY-MM-DD", "as_of phải là ngày YYYY-MM-DD");
	char date[11];
	if (as_of)
		snprintf(date, sizeof date, "%s", as_of);
	else
		clock_today_vn(date, sizeof date);
	return attr_check_address(r, d, json_string_value(json_object_get(v, "unit")),
				  json_string_value(json_object_get(v, "street")), date, e);
}

int attr_check_text(const struct registry *r, const struct attr_def *d, const char *s, size_t n, struct err *e)
{
	if (n == 0 || n > d->max_length || strlen(s) != n)
		return wrong(e, d, "the value must be 1-%zu bytes long", "giá trị phải dài 1-%zu byte", d->max_length);
	switch (d->type) {
	case ATTR_DATE:
		return clock_valid_date(s) ? 0 : wrong(e, d, "must be a date YYYY-MM-DD", "phải là ngày YYYY-MM-DD");
	case ATTR_SEX:
		return !strcmp(s, "male") || !strcmp(s, "female")
			       ? 0
			       : wrong(e, d, "must be male or female", "phải là male (nam) hoặc female (nữ)");
	case ATTR_PHONE:
		return valid_phone(s) ? 0
				      : wrong(e, d, "must be a Vietnamese phone number: 10 digits from 0, or +84 and 9 digits",
					       "phải là số điện thoại Việt Nam: 10 chữ số bắt đầu bằng 0, hoặc +84 và 9 chữ số");
	case ATTR_EMAIL:
		return valid_email(s) ? 0 : wrong(e, d, "must be an e-mail address", "phải là địa chỉ thư điện tử");
	case ATTR_ID:
		return citizen_id_check(s, NULL, NULL, r->units, e);
	case ATTR_SELECT:
		return option_ok(d->options, s) ? 0
						: wrong(e, d, "is not one of the allowed values", "không thuộc các giá trị cho phép");
	case ATTR_TEXT:
		for (const char *p = s; *p; p++)
			if ((unsigned char)*p < ' ')
				return wrong(e, d, "must not contain control characters", "không được chứa ký tự điều khiển");
		return 0;
	case ATTR_ADDRESS:
		return wrong(e, d, "must be an address object", "phải là đối tượng địa chỉ");
	}
	return 0;
}

int attr_validate(const struct registry *r, const struct attr_def *d, const json_t *v, struct err *e)
{
	if (d->type == ATTR_ADDRESS)
		return check_address(r, d, v, e);
	if (!json_is_string(v))
		return wrong(e, d, "value must be a string", "giá trị phải là chuỗi ký tự");
	return attr_check_text(r, d, json_string_value(v), json_string_length(v), e);
}

void attr_address_unit(const json_t *addr, int64_t recorded_at, char unit[8], char date[11])
{
	snprintf(unit, 8, "%s", json_string_value(json_object_get(addr, "unit")) ? json_string_value(json_object_get(addr, "unit")) : "");
	const char *as_of = json_string_value(json_object_get(addr, "as_of"));
	if (as_of) {
		snprintf(date, 11, "%s", as_of);
		return;
	}
	time_t s = (time_t)(recorded_at / 1000000) + 7 * 3600;
	struct tm tm;
	gmtime_r(&s, &tm);
	snprintf(date, 11, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
