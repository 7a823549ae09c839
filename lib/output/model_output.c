/* SPDX-License-Identifier: MIT */
/* Shared formatting helpers of the model writers: see model_output.h. */
#include "output/model_output.h"

#include <alpcscope/reader.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/error.h"
#include "util/utf8.h"

const char *
mo_time(char out[MO_TIME_SIZE], int64_t filetime_100ns)
{
	if (!filetime_100ns)
		snprintf(out, MO_TIME_SIZE, "-");
	else
		alpcscope_filetime_format(out, MO_TIME_SIZE, filetime_100ns);
	return out;
}

const char *
mo_process_label(const struct alpcscope_model *m, uint32_t process, char *out, size_t size)
{
	if (process == ALPCSCOPE_NONE) {
		snprintf(out, size, "?");
		return out;
	}
	return alpcscope_model_process_label(m, process, out, size);
}

void
mo_party(const struct alpcscope_model *m, const struct alpcscope_message_event *e,
	 struct mo_party *out)
{
	const struct alpcscope_thread_instance *t = alpcscope_model_thread_at(m, e->thread);

	out->process = ALPCSCOPE_NONE;
	out->pid = ALPCSCOPE_ID_UNKNOWN;
	out->tid = ALPCSCOPE_ID_UNKNOWN;
	out->image = NULL;
	snprintf(out->label, sizeof(out->label), "?");
	if (!t)
		return;
	out->tid = t->tid;
	out->process = t->process;
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, t->process);

	if (p) {
		out->pid = p->pid;
		out->image = p->image_name;
		alpcscope_model_process_label(m, t->process, out->label, sizeof(out->label));
	}
}

void
mo_client_server(const struct alpcscope_model *m, const struct alpcscope_message *msg,
		 struct mo_party *client, struct mo_party *server)
{
	if (msg->role == ALPCSCOPE_ROLE_REPLY) {
		mo_party(m, &msg->receive, client);
		mo_party(m, &msg->send, server);
	} else {
		mo_party(m, &msg->send, client);
		mo_party(m, &msg->receive, server);
	}
}

int64_t
mo_message_time(const struct alpcscope_message *msg)
{
	return msg->send.thread != ALPCSCOPE_NONE ? msg->send.filetime_100ns
						  : msg->receive.filetime_100ns;
}

int64_t
mo_latency(const struct alpcscope_model *m, const struct alpcscope_message *msg)
{
	if (msg->role != ALPCSCOPE_ROLE_REPLY && msg->related != ALPCSCOPE_NONE) {
		const struct alpcscope_message *r = alpcscope_model_message_at(m, msg->related);

		if (r && r->receive.thread != ALPCSCOPE_NONE && msg->send.thread != ALPCSCOPE_NONE)
			return r->receive.filetime_100ns - msg->send.filetime_100ns;
	}
	if (msg->send.thread == ALPCSCOPE_NONE || msg->receive.thread == ALPCSCOPE_NONE)
		return -1;
	return msg->receive.filetime_100ns - msg->send.filetime_100ns;
}

const char *
mo_latency_str(char *out, size_t size, int64_t l)
{
	if (l < 0)
		snprintf(out, size, "-");
	else
		snprintf(out, size, "%" PRId64 ".%04" PRId64 " ms", l / 10000, l % 10000);
	return out;
}

uint16_t
mo_shown_evidence(const struct alpcscope_model *m, const struct alpcscope_message *msg)
{
	uint16_t e = msg->evidence;

	if (msg->role != ALPCSCOPE_ROLE_REPLY && msg->related != ALPCSCOPE_NONE) {
		const struct alpcscope_message *r = alpcscope_model_message_at(m, msg->related);

		if (r)
			e |= r->evidence & (ALPCSCOPE_EVIDENCE_SAME_ID | ALPCSCOPE_EVIDENCE_NEW_ID |
					    ALPCSCOPE_EVIDENCE_HANDOFF);
	}
	return e;
}

void
mo_loss_line(const struct alpcscope_model *m, struct strbuf *sb)
{
	const struct alpcscope_model_stats *st = alpcscope_model_stats(m);

	if (!(st->events_lost | st->buffers_lost | st->sequence_gaps | st->sends_superseded |
	      st->sends_sender_moved_on | st->pairings_repaired | st->replies_handoff))
		return;
	strbuf_printf(
	    sb,
	    "# loss: trace lost %" PRIu64 " events and %" PRIu64 " buffers (%" PRIu64
	    " buffer sequence numbers missing, %" PRIu64 " loss windows located), %" PRIu64
	    " messages near loss; unmatched sends superseded %" PRIu64 ", sender moved on %" PRIu64
	    "; pairings repaired %" PRIu64 "; hand-off replies %" PRIu64 "\n",
	    st->events_lost, st->buffers_lost, st->sequence_gaps, st->loss_windows,
	    st->messages_near_loss, st->sends_superseded, st->sends_sender_moved_on,
	    st->pairings_repaired, st->replies_handoff);
}

json_object *
mo_loss_json(const struct alpcscope_model *m)
{
	const struct alpcscope_model_stats *st = alpcscope_model_stats(m);
	json_object *j = json_object_new_object();

	json_object_object_add(j, "events_lost", mo_ju64(st->events_lost));
	json_object_object_add(j, "buffers_lost", mo_ju64(st->buffers_lost));
	json_object_object_add(j, "sequence_gaps", mo_ju64(st->sequence_gaps));
	json_object_object_add(j, "loss_windows", mo_ju64(st->loss_windows));
	json_object_object_add(j, "messages_near_loss", mo_ju64(st->messages_near_loss));
	json_object_object_add(j, "sends_superseded", mo_ju64(st->sends_superseded));
	json_object_object_add(j, "sends_sender_moved_on", mo_ju64(st->sends_sender_moved_on));
	json_object_object_add(j, "pairings_repaired", mo_ju64(st->pairings_repaired));
	json_object_object_add(j, "replies_handoff", mo_ju64(st->replies_handoff));
	return j;
}

const char *
mo_evidence(char *out, size_t size, uint16_t evidence)
{
	size_t n = 0;

	out[0] = '\0';
	for (uint32_t i = 0; i < ALPCSCOPE_EVIDENCE_BITS; i++) {
		if (!(evidence & (1u << i)))
			continue;
		int w = snprintf(out + n, size - n, "%s%s", n ? "+" : "",
				 alpcscope_evidence_name(1u << i));

		if (w < 0 || (size_t)w >= size - n)
			break;
		n += (size_t)w;
	}
	if (!n)
		snprintf(out, size, "-");
	return out;
}

json_object *
mo_jstr(const char *s)
{
	return s ? mo_jstr_valid(s) : NULL;
}

json_object *
mo_jstr_valid(const char *s)
{
	size_t n = strlen(s);
	struct strbuf v = {0};
	json_object *o;

	/* json-c copies bytes as they are: invalid UTF-8 would make the document invalid */
	if (utf8_valid(s, n))
		return json_object_new_string_len(s, (int)(n > INT32_MAX ? INT32_MAX : n));
	utf8_add_valid(&v, s, n);
	o = v.oom ? NULL : json_object_new_string(v.data ? v.data : "");
	strbuf_free(&v);
	return o;
}

json_object *
mo_ju64(uint64_t v)
{
	return json_object_new_uint64(v);
}

const char *
alpcscope_model_format_frame(const struct alpcscope_model *m, const struct alpcscope_stack *s,
			     uint32_t frame, char *out, size_t size)
{
	if (!out || !size)
		return out;
	if (!s || frame >= s->frame_count) {
		snprintf(out, size, "?");
		return out;
	}
	uint64_t addr = s->frames[frame], off = 0;
	uint32_t im = alpcscope_model_resolve_address(m, s->process, addr, s->filetime_100ns, &off);
	const struct alpcscope_image_entry *e = alpcscope_model_image_at(m, im);

	if (e)
		snprintf(out, size, "%s!+0x%" PRIx64, e->module, off);
	else
		snprintf(out, size, "0x%" PRIx64, addr);
	utf8_trim_partial(out); /* snprintf may have cut a long module name mid-sequence */
	return out;
}

bool
mo_json_write(FILE *out, json_object *obj)
{
	const char *s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
								JSON_C_TO_STRING_NOSLASHESCAPE);

	return fputs(s, out) >= 0;
}

void
mo_json_open_trace(FILE *out, const char *trace_path)
{
	fputs("{\"trace\":", out);
	if (trace_path) {
		json_object *p = json_object_new_string(trace_path);

		mo_json_write(out, p);
		json_object_put(p);
	} else {
		fputs("null", out);
	}
}

/* ---- streaming row formatting ---- */

const uint64_t mo_pow10[20] = {
    1ull,
    10ull,
    100ull,
    1000ull,
    10000ull,
    100000ull,
    1000000ull,
    10000000ull,
    100000000ull,
    1000000000ull,
    10000000000ull,
    100000000000ull,
    1000000000000ull,
    10000000000000ull,
    100000000000000ull,
    1000000000000000ull,
    10000000000000000ull,
    100000000000000000ull,
    1000000000000000000ull,
    10000000000000000000ull,
};

const char mo_digit_pairs[201] = "00010203040506070809"
				 "10111213141516171819"
				 "20212223242526272829"
				 "30313233343536373839"
				 "40414243444546474849"
				 "50515253545556575859"
				 "60616263646566676869"
				 "70717273747576777879"
				 "80818283848586878889"
				 "90919293949596979899";

bool
mo_csv_raw(const struct alpcscope_write_options *o)
{
	return o->version >= 3 && o->csv_raw; /* versions 1 and 2 have no csv_raw field */
}

void
mo_cache_init(struct mo_cache *c, const struct alpcscope_model *m)
{
	memset(c, 0, sizeof(*c));
	c->m = m;
	c->time_sec = -1;
	for (int i = 0; i < MO_PORT_SLOTS; i++)
		c->ports[i].port = ALPCSCOPE_NONE;
	c->nlabels = alpcscope_model_process_count(m);
	c->labels = c->nlabels ? calloc(c->nlabels, sizeof(*c->labels)) : NULL;
	c->jlabels = c->nlabels ? calloc(c->nlabels, sizeof(*c->jlabels)) : NULL;
	if (!c->labels || !c->jlabels) {
		free(c->labels);
		free(c->jlabels);
		c->labels = c->jlabels = NULL;
		c->nlabels = 0; /* no cache: labels are formatted into tmp each time */
	}
}

void
mo_cache_free(struct mo_cache *c)
{
	for (uint32_t i = 0; i < c->nlabels; i++) {
		free(c->labels[i]);
		free(c->jlabels[i]);
	}
	free(c->labels);
	free(c->jlabels);
	for (uint32_t i = 0; i < c->nthreads; i++)
		free(c->party_json[i].json);
	free(c->party_json);
	for (int i = 0; i < MO_PORT_SLOTS; i++)
		free(c->ports[i].json);
	strbuf_free(&c->tmp);
	strbuf_free(&c->line);
	memset(c, 0, sizeof(*c));
}

const char *
mo_port_json(struct mo_cache *c, uint32_t port, size_t *len)
{
	const char *name = alpcscope_model_port_name(c->m, port);
	struct mo_port_json *e = &c->ports[port % MO_PORT_SLOTS];

	if (!name)
		return NULL;
	if (e->port != port || !e->json) {
		struct strbuf j = {0};

		mo_sb_jstr(&j, name);
		if (j.oom || !j.data) {
			strbuf_free(&j);
			return NULL;
		}
		free(e->json);
		e->json = j.data;
		e->len = (uint32_t)j.len;
		e->port = port;
	}
	*len = e->len;
	return e->json;
}

void
mo_sb_party_text(struct strbuf *sb, const struct mo_fparty *p)
{
	if (p->process == ALPCSCOPE_NONE && p->tid == ALPCSCOPE_ID_UNKNOWN) {
		mo_putc(sb, '?');
		return;
	}
	mo_sb_text(sb, p->label);
	mo_putc(sb, ' ');
	mo_sb_u64(sb, p->pid);
	mo_putc(sb, '/');
	mo_sb_u64(sb, p->tid);
}

const struct mo_party_json *
mo_party_json(struct mo_cache *c, const struct mo_fparty *p)
{
	if (p->thread == ALPCSCOPE_NONE)
		return NULL;
	if (!c->party_json) {
		uint32_t n = alpcscope_model_thread_count(c->m);

		if (!n || !(c->party_json = calloc(n, sizeof(*c->party_json))))
			return NULL;
		c->nthreads = n;
	}
	if (p->thread >= c->nthreads)
		return NULL;
	struct mo_party_json *e = &c->party_json[p->thread];

	if (!e->json) {
		struct strbuf text = {0}, json = {0};

		mo_sb_party_text(&text, p);
		if (!text.oom && text.data) {
			mo_sb_jstr_body(&json, text.data, text.len);
			if (!json.oom && json.data) {
				e->json = json.data;
				e->json_len = (uint32_t)json.len;
				e->text_len = (uint32_t)text.len;
			} else {
				strbuf_free(&json);
			}
		}
		strbuf_free(&text);
	}
	return e->json ? e : NULL;
}

const char *
mo_label(struct mo_cache *c, uint32_t process)
{
	char buf[MO_LABEL_SIZE];

	if (process >= alpcscope_model_process_count(c->m))
		return "?";
	if (process < c->nlabels && c->labels[process])
		return c->labels[process];
	mo_process_label(c->m, process, buf, sizeof(buf));
	if (process < c->nlabels && (c->labels[process] = strdup(buf)))
		return c->labels[process];
	strbuf_reset(&c->tmp);
	mo_puts(&c->tmp, buf);
	return c->tmp.data ? c->tmp.data : "?";
}

void
mo_sb_jlabel(struct mo_cache *c, struct strbuf *sb, uint32_t process)
{
	if (process >= c->nlabels) {
		mo_sb_jstr(sb, mo_label(c, process));
		return;
	}
	if (!c->jlabels[process]) {
		struct strbuf j = {0};

		mo_sb_jstr(&j, mo_label(c, process));
		if (j.oom || !j.data) {
			strbuf_free(&j);
			mo_sb_jstr(sb, mo_label(c, process));
			return;
		}
		c->jlabels[process] = j.data;
	}
	mo_puts(sb, c->jlabels[process]);
}

void
mo_fparty(struct mo_cache *c, const struct alpcscope_message_event *e, struct mo_fparty *out)
{
	const struct alpcscope_thread_instance *t = alpcscope_model_thread_at(c->m, e->thread);

	out->thread = t ? e->thread : ALPCSCOPE_NONE;
	out->process = ALPCSCOPE_NONE;
	out->pid = ALPCSCOPE_ID_UNKNOWN;
	out->tid = ALPCSCOPE_ID_UNKNOWN;
	out->label = "?";
	if (!t)
		return;
	out->tid = t->tid;
	out->process = t->process;
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(c->m, t->process);

	if (p) {
		out->pid = p->pid;
		out->label = mo_label(c, t->process);
	}
}

void
mo_fclient_server(struct mo_cache *c, const struct alpcscope_message *msg, struct mo_fparty *client,
		  struct mo_fparty *server)
{
	if (msg->role == ALPCSCOPE_ROLE_REPLY) {
		mo_fparty(c, &msg->receive, client);
		mo_fparty(c, &msg->send, server);
	} else {
		mo_fparty(c, &msg->send, client);
		mo_fparty(c, &msg->receive, server);
	}
}

void
mo_sb_u64(struct strbuf *sb, uint64_t v)
{
	if (sb->len + 21 > sb->cap && !strbuf_reserve(sb, 20))
		return;
	sb->len = (size_t)(mo_fmt_u64(sb->data + sb->len, v) - sb->data);
	sb->data[sb->len] = '\0';
}

void
mo_sb_i64(struct strbuf *sb, int64_t v)
{
	if (v < 0) {
		mo_putc(sb, '-');
		mo_sb_u64(sb, (uint64_t)0 - (uint64_t)v);
	} else {
		mo_sb_u64(sb, (uint64_t)v);
	}
}

void
mo_sb_hex64(struct strbuf *sb, uint64_t v)
{
	if (sb->len + 19 > sb->cap && !strbuf_reserve(sb, 18))
		return;
	sb->len = (size_t)(mo_fmt_hex64(sb->data + sb->len, v) - sb->data);
	sb->data[sb->len] = '\0';
}

void
mo_sb_hex32(struct strbuf *sb, uint32_t v)
{
	mo_sb_hex64(sb, v);
}

void
mo_sb_pad(struct strbuf *sb, const char *s, size_t width)
{
	size_t n = strlen(s);

	mo_put(sb, s, n);
	if (n < width && strbuf_reserve(sb, width - n)) {
		memset(sb->data + sb->len, ' ', width - n);
		sb->len += width - n;
		sb->data[sb->len] = '\0';
	}
}

void
mo_sb_cut(struct strbuf *sb, size_t start, size_t max)
{
	if (sb->len > start + max) {
		/* never inside a UTF-8 sequence: the cut text must stay valid */
		sb->len = start + utf8_cut(sb->data + start, sb->len - start, max);
		sb->data[sb->len] = '\0';
	}
}

void
mo_sb_text(struct strbuf *sb, const char *s)
{
	size_t n;

	if (!s)
		return;
	n = strlen(s);
	if (utf8_is_safe_text(s, n))
		mo_put(sb, s, n);
	else
		utf8_add_safe_text(sb, s, n);
}

void
mo_sb_time_slow(struct mo_cache *c, struct strbuf *sb, int64_t ft)
{
	char t[MO_TIME_SIZE];

	if (ft <= 0) {
		mo_puts(sb, mo_time(t, ft));
		return;
	}
	int64_t sec = ft / 10000000;

	if (sec != c->time_sec) {
		mo_time(t, ft);
		/* "YYYY-MM-DDTHH:MM:SS.fffffffZ": keep up to the '.'; other shapes are not cached
		 */
		if (strlen(t) != 28 || t[19] != '.') {
			c->time_sec = -1;
			mo_puts(sb, t);
			return;
		}
		memcpy(c->time_prefix, t, 20);
		c->time_sec = sec;
	}
	mo_sb_time(c, sb, ft); /* now from the cache */
}

void
mo_sb_latency(struct strbuf *sb, int64_t l)
{
	if (l < 0) {
		mo_putc(sb, '-');
		return;
	}
	int64_t frac = l % 10000;

	mo_sb_u64(sb, (uint64_t)(l / 10000));
	char tmp[8] = {'.',
		       (char)('0' + frac / 1000),
		       (char)('0' + frac / 100 % 10),
		       (char)('0' + frac / 10 % 10),
		       (char)('0' + frac % 10),
		       ' ',
		       'm',
		       's'};

	mo_put(sb, tmp, sizeof(tmp));
}

void
mo_sb_evidence(struct strbuf *sb, uint16_t evidence)
{
	bool any = false;

	for (uint32_t i = 0; i < ALPCSCOPE_EVIDENCE_BITS; i++) {
		if (!(evidence & (1u << i)))
			continue;
		if (any)
			mo_putc(sb, '+');
		mo_puts(sb, alpcscope_evidence_name(1u << i));
		any = true;
	}
	if (!any)
		mo_putc(sb, '-');
}

void
mo_sb_csv(const struct mo_cache *c, struct strbuf *sb, const char *s)
{
	if (s)
		strbuf_add_csv_field(sb, s, c->csv_raw);
}

void
mo_sb_jstr(struct strbuf *sb, const char *s)
{
	if (!s) {
		MO_LIT(sb, "null");
		return;
	}
	size_t n = strlen(s);

	if (!strbuf_reserve(sb, n + 2))
		return;
	mo_putc(sb, '"');
	mo_sb_jstr_body(sb, s, n);
	mo_putc(sb, '"');
}

void
mo_sb_jstr_body(struct strbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0, i = 0;

	while (i < n) {
		if (i + 8 <= n) { /* 8 plain bytes at a time */
			uint64_t w;

			memcpy(&w, s + i, sizeof(w));
			if (!mo_needs_escape8(w)) {
				i += 8;
				continue;
			}
		}
		unsigned char ch = (unsigned char)s[i];
		char esc[6];
		size_t len = 2;

		if (ch >= 0x80) {
			uint32_t cp;
			size_t ulen = utf8_decode((const unsigned char *)s + i, n - i, &cp);

			if (ulen) {
				i += ulen;
				continue;
			}
			/* invalid UTF-8: U+FFFD (as mo_jstr_valid()), so the JSON stays valid */
			mo_put(sb, s + run, i - run);
			run = ++i;
			MO_LIT(sb, "\xEF\xBF\xBD");
			continue;
		}
		if (ch >= 0x20 && ch != '"' && ch != '\\') {
			i++;
			continue;
		}
		mo_put(sb, s + run, i - run);
		run = ++i;
		esc[0] = '\\';
		switch (ch) {
		case '\b': esc[1] = 'b'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\f': esc[1] = 'f'; break;
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[ch >> 4];
			esc[5] = hex[ch & 15];
			len = 6;
			break;
		}
		mo_put(sb, esc, len);
	}
	mo_put(sb, s + run, n - run);
}

void
mo_sb_key(struct strbuf *sb, const char *key)
{
	size_t n = strlen(key);

	if (!strbuf_reserve(sb, n + 3))
		return;
	char *p = sb->data + sb->len;

	p[0] = '"';
	memcpy(p + 1, key, n);
	p[n + 1] = '"';
	p[n + 2] = ':';
	sb->len += n + 3;
	sb->data[sb->len] = '\0';
}

void
mo_sb_jid(struct strbuf *sb, uint32_t v)
{
	if (v == ALPCSCOPE_ID_UNKNOWN)
		mo_put(sb, "null", 4);
	else
		mo_sb_u64(sb, v);
}

void
mo_sb_jnone(struct strbuf *sb, uint32_t v)
{
	mo_sb_jid(sb, v); /* ALPCSCOPE_NONE == ALPCSCOPE_ID_UNKNOWN */
}

/*
 * Microseconds with one decimal, exactly the 100 ns count: the shortest
 * decimal that reads back as latency / 10.0 ("363.8", not the
 * "363.80000000000001" of %.17g); whole values keep ".0" (a JSON double).
 */
void
mo_sb_jlatency_us(struct strbuf *sb, int64_t l)
{
	if (l < 0) {
		mo_put(sb, "null", 4);
		return;
	}
	mo_sb_u64(sb, (uint64_t)(l / 10));
	mo_putc(sb, '.');
	mo_putc(sb, (char)('0' + l % 10));
}

void
mo_sb_json(struct strbuf *sb, json_object *obj)
{
	if (!obj) {
		mo_put(sb, "null", 4);
		return;
	}
	mo_puts(sb, json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
}

bool
mo_sb_flush(struct strbuf *sb, FILE *out)
{
	bool ok = !sb->oom && (!sb->len || fwrite(sb->data, 1, sb->len, out) == sb->len);

	strbuf_reset(sb);
	sb->oom = false;
	return ok;
}

enum alpcscope_status
mo_check_write_args(const struct alpcscope_model *m, const struct alpcscope_write_options **o,
		    FILE *out, struct alpcscope_error *err)
{
	static const struct alpcscope_write_options defaults = ALPCSCOPE_WRITE_OPTIONS_INIT;

	if (!m || !out)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument");
	if (!*o)
		*o = &defaults;
	if ((*o)->version < 1 || (*o)->version > ALPCSCOPE_WRITE_OPTIONS_VERSION)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "unknown write options version");
	return ALPCSCOPE_OK;
}

uint32_t
mo_count_kept(const struct alpcscope_model *m, uint32_t n, alpcscope_message_filter_fn keep,
	      void *ctx)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < n; i++)
		k += keep(ctx, m, i);
	return k;
}

enum mo_caused
mo_caused_kind(const struct alpcscope_model *m, const struct alpcscope_write_options *o,
	       uint32_t process)
{
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, process);
	bool selected;

	if (!p)
		return MO_CAUSED_SKIP;
	if (o->version >= 2 && o->process_filter) /* version 1 has no process_filter */
		selected = o->process_filter(o->filter_ctx, m, process);
	else if (o->node_filter)
		selected = p->chain_node != ALPCSCOPE_NONE &&
			   o->node_filter(o->filter_ctx, m, p->chain_node);
	else
		selected = p->started_in_trace;
	if (!selected)
		return MO_CAUSED_SKIP;
	if (p->chain_node != ALPCSCOPE_NONE) {
		const struct alpcscope_chain_node *n =
		    alpcscope_model_chain_node_at(m, p->chain_node);

		if (o->chain_filter && !o->chain_filter(o->filter_ctx, m, n->chain))
			return MO_CAUSED_SKIP;
		return MO_CAUSED_CHAIN;
	}
	return p->started_in_trace ? MO_CAUSED_DIRECT : MO_CAUSED_BEFORE_TRACE;
}

const char *
mo_caused_name(enum mo_caused kind)
{
	switch (kind) {
	case MO_CAUSED_CHAIN: return "chain";
	case MO_CAUSED_DIRECT: return "direct";
	case MO_CAUSED_BEFORE_TRACE: return "before-trace";
	default: return "none";
	}
}

void
mo_creator(const struct alpcscope_model *m, const struct alpcscope_process_instance *p,
	   uint32_t *process, uint32_t *pid, uint32_t *tid)
{
	const struct alpcscope_thread_instance *t = alpcscope_model_thread_at(m, p->creator_thread);
	const struct alpcscope_process_instance *cp =
	    t ? alpcscope_model_process_at(m, t->process) : NULL;

	*process = cp ? t->process : ALPCSCOPE_NONE;
	*pid = cp ? cp->pid : ALPCSCOPE_ID_UNKNOWN;
	*tid = p->creator_tid;
}

enum alpcscope_status
mo_finish_write(const struct alpcscope_write_options *o, FILE *out, bool ok, bool oom,
		struct alpcscope_error *err)
{
	if (oom)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	if (!ok)
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "write error");
	if (o->format == ALPCSCOPE_OUTPUT_JSON)
		fputs("\n]}\n", out);
	if (fflush(out) != 0 || ferror(out))
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "write error");
	return ALPCSCOPE_OK;
}
