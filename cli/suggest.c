/* SPDX-License-Identifier: MIT */
/* Close process names for a name that matched nothing (see suggest.h). */
#include "suggest.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <alpcscope/text.h>

#define SUGGEST_MAX      5
#define SUGGEST_NAME_MAX 64

/* Lower-case @p s without a trailing ".exe" into @p out; returns its length. */
static size_t
fold(const char *s, size_t n, char out[SUGGEST_NAME_MAX])
{
	if (n >= 4 && strncasecmp(s + n - 4, ".exe", 4) == 0)
		n -= 4;
	if (n >= SUGGEST_NAME_MAX)
		n = SUGGEST_NAME_MAX - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[n] = '\0';
	return n;
}

/* Levenshtein distance of two short strings (both < SUGGEST_NAME_MAX). */
static size_t
distance(const char *a, size_t na, const char *b, size_t nb)
{
	size_t row[SUGGEST_NAME_MAX + 1];

	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[nb];
}

struct candidate {
	const char *name; /* borrowed from the model */
	size_t len;
	size_t score;
};

/* Keep the best SUGGEST_MAX distinct names, lowest score first. */
static void
consider(struct candidate *best, size_t *nbest, const char *want, size_t nwant, const char *name,
	 size_t len)
{
	char f[SUGGEST_NAME_MAX];
	size_t nf, d, limit;

	if (!len)
		return;
	nf = fold(name, len, f);
	d = distance(want, nwant, f, nf);
	limit = nwant / 3 > 2 ? nwant / 3 : 2;
	if (d > limit && !(nwant >= 3 && (strstr(f, want) || strstr(want, f))))
		return;
	for (size_t i = 0; i < *nbest; i++)
		if (best[i].len == len && strncasecmp(best[i].name, name, len) == 0)
			return;
	size_t at = *nbest;

	while (at > 0 && best[at - 1].score > d)
		at--;
	if (at >= SUGGEST_MAX)
		return;
	if (*nbest < SUGGEST_MAX)
		(*nbest)++;
	memmove(&best[at + 1], &best[at], (*nbest - 1 - at) * sizeof(best[0]));
	best[at] = (struct candidate){name, len, d};
}

size_t
suggest_process_names(const struct alpcscope_model *m, const char *name, char *out, size_t size)
{
	struct candidate best[SUGGEST_MAX + 1];
	size_t nbest = 0, used = 0;
	char want[SUGGEST_NAME_MAX];
	size_t nwant = fold(name, strlen(name), want);
	uint32_t np = alpcscope_model_process_count(m);

	for (uint32_t i = 0; i < np; i++) {
		const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, i);

		consider(best, &nbest, want, nwant, p->image_name, strlen(p->image_name));
		for (const char *s = p->services; s && *s;) {
			size_t len = strcspn(s, ",");

			consider(best, &nbest, want, nwant, s, len);
			s += len;
			while (*s == ',' || *s == ' ')
				s++;
		}
	}
	if (size)
		out[0] = '\0';
	for (size_t i = 0; i < nbest; i++) {
		char raw[256], shown[512];
		size_t len = best[i].len < sizeof(raw) ? best[i].len : sizeof(raw) - 1;

		/* names come from the trace: shown as safe text (alpcscope/text.h) */
		memcpy(raw, best[i].name, len);
		raw[len] = '\0';
		alpcscope_safe_text(shown, sizeof(shown), raw);
		int w = snprintf(out + used, size - used, "%s%s", i ? ", " : "", shown);

		if (w < 0 || (size_t)w >= size - used) {
			out[used] = '\0'; /* never end on a cut name */
			return i;
		}
		used += (size_t)w;
	}
	return nbest;
}
