/* SPDX-License-Identifier: MIT */
/* FILETIME (100 ns since 1601-01-01 UTC) to ISO-8601 text, without libc time zones. */
#include <alpcscope/reader.h>

#include <stdio.h>

/* Days from 1970-01-01 to y-m-d is the inverse of this (Howard Hinnant's civil_from_days). */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void
alpcscope_filetime_format(char *out, size_t out_size, int64_t ft)
{
	/* 1601-01-01 to 1970-01-01 is 134774 days; subtracting in days cannot overflow. */
	const int64_t per_day = 864000000000LL;
	int64_t days = ft / per_day - 134774;
	int64_t rem = ft % per_day;
	int64_t y;
	unsigned mo, d;

	if (rem < 0) {
		rem += per_day;
		days--;
	}
	civil_from_days(days, &y, &mo, &d);
	int64_t secs = rem / 10000000;
	snprintf(out, out_size, "%04lld-%02u-%02uT%02d:%02d:%02d.%07lldZ", (long long)y, mo, d,
		 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
		 (long long)(rem % 10000000));
}
