/* SPDX-License-Identifier: MIT */
/* The dump filter: parsing of `key[!]=a|b` terms and matching against events. */
#include "event_filter.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum key { K_PID, K_TID, K_CPU, K_GROUP, K_OPCODE, K_ID, K_VERSION, K_PROVIDER, K_EVENT, K_KIND };

static const char *const key_names[] = {"pid", "tid",     "cpu",      "group", "opcode",
					"id",  "version", "provider", "event", "kind"};

static bool
parse_number(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || !(isdigit((unsigned char)s[0])))
		return false;
	*out = strtoull(s, &end, 0);
	return *end == '\0';
}

bool
event_filter_add(struct event_filter *f, const char *expr, char *why, size_t whylen)
{
	char buf[1024];
	char *save = NULL;

	if (strlen(expr) >= sizeof(buf)) {
		snprintf(why, whylen, "filter too long");
		return false;
	}
	memcpy(buf, expr, strlen(expr) + 1);
	for (char *term = strtok_r(buf, ",", &save); term; term = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(term, '=');
		struct event_filter_term *t;
		int key = -1;

		if (!eq || eq == term) {
			snprintf(why, whylen, "term '%s' is not key=value", term);
			return false;
		}
		if (f->nterms >= EVENT_FILTER_MAX_TERMS) {
			snprintf(why, whylen, "more than %d filter terms", EVENT_FILTER_MAX_TERMS);
			return false;
		}
		t = &f->terms[f->nterms];
		memset(t, 0, sizeof(*t));
		if (eq[-1] == '!') {
			t->negate = true;
			eq[-1] = '\0';
		}
		*eq = '\0';
		for (int k = 0; k < (int)(sizeof(key_names) / sizeof(key_names[0])); k++)
			if (strcasecmp(term, key_names[k]) == 0)
				key = k;
		if (key < 0) {
			snprintf(
			    why, whylen,
			    "unknown filter key '%s' (pid, tid, cpu, group, opcode, id, version, "
			    "provider, event, kind)",
			    term);
			return false;
		}
		t->key = key;
		char *save2 = NULL;
		for (char *alt = strtok_r(eq + 1, "|", &save2); alt;
		     alt = strtok_r(NULL, "|", &save2)) {
			if (t->nalts >= EVENT_FILTER_MAX_ALTS) {
				snprintf(why, whylen, "more than %d alternatives",
					 EVENT_FILTER_MAX_ALTS);
				return false;
			}
			size_t n = strlen(alt);
			if (n >= sizeof(t->alts[0].text)) {
				snprintf(why, whylen, "filter value too long");
				return false;
			}
			memcpy(t->alts[t->nalts].text, alt, n + 1);
			if (n && alt[n - 1] == '*') {
				t->alts[t->nalts].prefix = true;
				t->alts[t->nalts].text[n - 1] = '\0';
			}
			t->alts[t->nalts].is_num = parse_number(alt, &t->alts[t->nalts].num);
			t->alts[t->nalts].is_guid =
			    alpcscope_guid_parse(&t->alts[t->nalts].guid, alt);
			if ((key == K_PID || key == K_TID || key == K_CPU || key == K_OPCODE ||
			     key == K_ID || key == K_VERSION) &&
			    !t->alts[t->nalts].is_num) {
				snprintf(why, whylen, "'%s' needs a number, got '%s'",
					 key_names[key], alt);
				return false;
			}
			t->nalts++;
		}
		if (t->nalts == 0) {
			snprintf(why, whylen, "empty value for '%s'", key_names[key]);
			return false;
		}
		f->nterms++;
	}
	return true;
}

static bool
text_match(const char *have, const char *want, bool prefix)
{
	if (!have)
		return false;
	return prefix ? strncasecmp(have, want, strlen(want)) == 0 : strcasecmp(have, want) == 0;
}

static bool
alt_match(int key, const struct alpcscope_event *ev, const struct alpcscope_decoded *d,
	  const struct event_filter_alt *a)
{
	switch (key) {
	case K_PID: return ev->process_id == a->num;
	case K_TID: return ev->thread_id == a->num;
	case K_CPU: return ev->processor == a->num;
	case K_OPCODE: return ev->opcode == a->num;
	case K_ID: return ev->event_id == a->num;
	case K_VERSION: return ev->version == a->num;
	case K_GROUP:
		if (!ev->is_kernel)
			return false;
		if (a->is_num)
			return ev->group == a->num;
		return text_match(alpcscope_kernel_group_name(ev->group), a->text, a->prefix);
	case K_PROVIDER:
		if (!ev->has_provider)
			return false;
		if (a->is_guid)
			return alpcscope_guid_equal(&ev->provider, &a->guid);
		return text_match(ev->is_kernel ? alpcscope_kernel_group_name(ev->group)
						: alpcscope_provider_name(&ev->provider),
				  a->text, a->prefix);
	case K_EVENT: {
		const char *name = d && d->name ? d->name
				   : ev->is_kernel
				       ? alpcscope_kernel_opcode_name(ev->group, ev->opcode)
				       : NULL;
		return text_match(name, a->text, a->prefix);
	}
	case K_KIND: return text_match(alpcscope_record_kind_name(ev->kind), a->text, a->prefix);
	}
	return false;
}

bool
event_filter_match(const struct event_filter *f, const struct alpcscope_event *ev,
		   const struct alpcscope_decoded *d)
{
	if (f->from.text && ev->filetime_100ns < f->from_ft)
		return false;
	if (f->to.text && ev->filetime_100ns > f->to_ft)
		return false;
	for (int i = 0; i < f->nterms; i++) {
		const struct event_filter_term *t = &f->terms[i];
		bool any = false;

		for (int j = 0; j < t->nalts && !any; j++)
			any = alt_match(t->key, ev, d, &t->alts[j]);
		if (any == t->negate)
			return false;
	}
	return true;
}

/* A relative bound counts from the trace start. */
static int64_t
bound(const struct cli_time *t, int64_t start)
{
	return t->relative ? start + (int64_t)(t->seconds * 1e7) : t->filetime;
}

void
event_filter_bind(struct event_filter *f, int64_t start)
{
	if (f->from.text)
		f->from_ft = bound(&f->from, start);
	if (f->to.text)
		f->to_ft = bound(&f->to, start);
}
