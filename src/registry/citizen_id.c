/* citizen_id.c — the 12-digit personal identification number: province of birth registration
 * (3 digits), century-and-sex digit, two digits of the birth year, six random digits. */
#include <stdio.h>
#include <string.h>

#include "registry/registry.h"

/* Century-and-sex digit -> first year of the century; sex is the digit's parity (even male). */
static const int century_base[10] = {1900, 1900, 2000, 2000, 2100, 2100, 2200, 2200, 1800, 1800};

int citizen_id_check(const char *id, const char *dob, const char *sex, const struct units *units, struct err *e)
{
	size_t n = strlen(id);
	bool digits = n == CITIZEN_ID_LEN;
	for (size_t i = 0; digits && i < n; i++)
		digits = id[i] >= '0' && id[i] <= '9';
	if (!digits)
		return err_set(e, 422, "invalid_id", "personal ID must be exactly 12 digits",
			       "số định danh cá nhân phải gồm đúng 12 chữ số");
	int province = (id[0] - '0') * 100 + (id[1] - '0') * 10 + (id[2] - '0');
	char pcode[8];
	snprintf(pcode, sizeof pcode, "%02d", province);
	const struct unit *p = units ? units_find(units, pcode, "2025-06-30") : NULL;
	if (province < 1 || province > 96 || (units && (!p || p->level != UNIT_PROVINCE)))
		return err_set(e, 422, "invalid_id", "personal ID %s: %03d is not a province code",
			       "số định danh %s: %03d không phải mã tỉnh", id, province);
	int c = id[3] - '0';
	int year = century_base[c] + (id[4] - '0') * 10 + (id[5] - '0');
	const char *id_sex = c % 2 ? "female" : "male";
	if (dob && strlen(dob) >= 4) {
		int dy = (dob[0] - '0') * 1000 + (dob[1] - '0') * 100 + (dob[2] - '0') * 10 + (dob[3] - '0');
		if (dy != year)
			return err_set(e, 422, "id_mismatch",
				       "personal ID %s is for someone born in %d, but the date of birth is %s",
				       "số định danh %s ứng với năm sinh %d, nhưng ngày sinh là %s", id, year, dob);
	}
	if (sex && strcmp(sex, id_sex))
		return err_set(e, 422, "id_mismatch", "personal ID %s is for a %s person, but sex is %s",
			       "số định danh %s ứng với giới tính %s, nhưng giới tính khai là %s", id, id_sex, sex);
	return 0;
}

int citizen_id_make(int province, const char *dob, const char *sex, unsigned serial, char out[13])
{
	int year = 0;
	if (!dob || sscanf(dob, "%4d", &year) != 1 || province < 1 || province > 96)
		return -1;
	int female = sex && !strcmp(sex, "female");
	int c = -1;
	for (int d = 0; d < 10; d++)
		if (century_base[d] <= year && year < century_base[d] + 100 && d % 2 == female)
			c = d;
	if (c < 0)
		return -1;
	snprintf(out, 13, "%03d%d%02d%06u", province, c, year % 100, serial % 1000000);
	return 0;
}
