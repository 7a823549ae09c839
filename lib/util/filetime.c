/* SPDX-License-Identifier: MIT */
/* FILETIME (100 ns since 1601-01-01 UTC) to and from ISO-8601 text, without libc time zones. */
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

/* Days from 1970-01-01 to y-m-d (Howard Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

/* @p n decimal digits at *p, exactly. */
static bool
digits(const char **p, unsigned n, unsigned *out)
{
	unsigned v = 0;

	for (unsigned i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return false;
		v = v * 10 + (unsigned)((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

bool
alpcscope_filetime_parse(const char *t, int64_t *out)
{
	unsigned y, mo, d, h, mi, se, frac = 0, oh = 0, om = 0;
	int sign = 0;

	if (!t)
		return false;
	while (*t == ' ')
		t++;
	if (!digits(&t, 4, &y) || *t++ != '-' || !digits(&t, 2, &mo) || *t++ != '-' ||
	    !digits(&t, 2, &d) || (*t != 'T' && *t != ' '))
		return false;
	t++;
	if (!digits(&t, 2, &h) || *t++ != ':' || !digits(&t, 2, &mi) || *t++ != ':' ||
	    !digits(&t, 2, &se))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || y < 1601)
		return false;
	if (*t == '.' || *t == ',') {
		unsigned n = 0;

		t++;
		if (*t < '0' || *t > '9')
			return false; /* a separator needs at least one digit */
		while (*t >= '0' && *t <= '9') {
			if (n < 7) {
				frac = frac * 10 + (unsigned)(*t - '0');
				n++;
			}
			t++;
		}
		while (n++ < 7)
			frac *= 10;
	}
	if (*t == 'Z') {
		t++;
	} else if (*t == '+' || *t == '-') {
		sign = *t == '+' ? 1 : -1;
		t++;
		if (!digits(&t, 2, &oh))
			return false;
		if (*t == ':')
			t++;
		if (!digits(&t, 2, &om) || oh > 23 || om > 59)
			return false;
	}
	while (*t == ' ')
		t++;
	if (*t)
		return false;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + mi * 60 + se;

	secs -= sign * ((int64_t)oh * 3600 + (int64_t)om * 60);
	*out = (secs + INT64_C(11644473600)) * 10000000 + frac;
	return true;
}
