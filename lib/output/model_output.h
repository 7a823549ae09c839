/* SPDX-License-Identifier: MIT */
/*
 * Shared formatting for the model writers (messages_writer.c,
 * chains_writer.c): times, latencies, process/thread descriptions, evidence
 * strings, stack frames, CSV quoting and json-c helpers. Field names and
 * meanings: docs/output-schema.md.
 */
#ifndef ALPCSCOPE_OUTPUT_MODEL_OUTPUT_H
#define ALPCSCOPE_OUTPUT_MODEL_OUTPUT_H

#include <alpcscope/model.h>
#include <alpcscope/symbols.h>

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "util/strbuf.h"

#define MO_TIME_SIZE 40
/* One formatted stack frame: module!function+0xoff (template names can be long). */
#define MO_FRAME_SIZE 2048
#define MO_LABEL_SIZE 256

/* ISO-8601 UTC with 100 ns digits, or "-" for 0. */
const char *mo_time(char out[MO_TIME_SIZE], int64_t filetime_100ns);

/* Who took part in one message event. */
struct mo_party {
	uint32_t process; /* process index or NONE */
	uint32_t pid, tid;
	const char *image;
	char label[MO_LABEL_SIZE]; /* "svchost.exe (Winmgmt)" */
};

void mo_party(const struct alpcscope_model *m, const struct alpcscope_message_event *e,
	      struct mo_party *out);

/*
 * Client and server of a message: for a request the sender and receiver,
 * for a reply the receiver (the original requester) and the sender.
 */
void mo_client_server(const struct alpcscope_model *m, const struct alpcscope_message *msg,
		      struct mo_party *client, struct mo_party *server);

/* First time of a message (its Send, else its Receive). */
/*
 * Check the arguments every model writer takes: NULL model or stream, or an
 * unknown options version, is ALPCSCOPE_E_INVALID_ARG; NULL *o becomes the defaults.
 */
enum alpcscope_status mo_check_write_args(const struct alpcscope_model *m,
					  const struct alpcscope_write_options **o, FILE *out,
					  struct alpcscope_error *err);

/*
 * End a model writer's output: report out of memory or a failed row write,
 * close the JSON document, flush. Returns the writer's final status.
 */
enum alpcscope_status mo_finish_write(const struct alpcscope_write_options *o, FILE *out, bool ok,
				      bool oom, struct alpcscope_error *err);

int64_t mo_message_time(const struct alpcscope_message *msg);

/* How many of indices 0..n-1 @p keep accepts (message or chain filter): "N of M match". */
uint32_t mo_count_kept(const struct alpcscope_model *m, uint32_t n,
		       alpcscope_message_filter_fn keep, void *ctx);

/* How `chains --caused-process` answers for one process (alpcscope_write_options). */
enum mo_caused {
	MO_CAUSED_SKIP = 0,     /* not selected, or its chain is filtered out */
	MO_CAUSED_CHAIN,        /* created inside a call chain: explain the path */
	MO_CAUSED_DIRECT,       /* created by a thread serving no ALPC request */
	MO_CAUSED_BEFORE_TRACE, /* already running at the trace start */
};
enum mo_caused mo_caused_kind(const struct alpcscope_model *m,
			      const struct alpcscope_write_options *o, uint32_t process);
/* "chain", "direct", "before-trace" */
const char *mo_caused_name(enum mo_caused kind);
/*
 * Creator of a process from its Start event: process index (or NONE), PID
 * and TID (ALPCSCOPE_ID_UNKNOWN when the trace does not say).
 */
void mo_creator(const struct alpcscope_model *m, const struct alpcscope_process_instance *p,
		uint32_t *process, uint32_t *pid, uint32_t *tid);

/*
 * Latency in 100 ns units: request with reply -> round trip (reply Receive
 * minus request Send); otherwise delivery (Receive minus Send); -1 when
 * one side is missing.
 */
int64_t mo_latency(const struct alpcscope_model *m, const struct alpcscope_message *msg);
/* "12.000 ms" style, or "-" for -1. */
const char *mo_latency_str(char *out, size_t size, int64_t latency_100ns);

/*
 * Evidence shown for a message: its own bits, and for a request with a
 * reply also the reply's pairing convention (same-id / new-id).
 */
uint16_t mo_shown_evidence(const struct alpcscope_model *m, const struct alpcscope_message *msg);

/*
 * The text header line on loss and the pairing's repairs ("# loss: ...",
 * newline included) into @p sb; nothing when the trace lost nothing and no
 * pairing needed a repair. Keys: docs/output-schema.md §Loss.
 */
void mo_loss_line(const struct alpcscope_model *m, struct strbuf *sb);
/* The same counters as a JSON object (docs/output-schema.md §Loss). */
json_object *mo_loss_json(const struct alpcscope_model *m);

/* Evidence bits joined with '+', "-" when none. */
const char *mo_evidence(char *out, size_t size, uint16_t evidence);

/* Process label for an index, "?" for NONE. */
const char *mo_process_label(const struct alpcscope_model *m, uint32_t process, char *out,
			     size_t size);

/* json-c helpers; a NULL string becomes JSON null. */
json_object *mo_jstr(const char *s);
/* A json-c string of @p s (not NULL) with invalid UTF-8 replaced by U+FFFD. */
json_object *mo_jstr_valid(const char *s);
json_object *mo_ju64(uint64_t v);
/* Write @p obj as one compact line (no newline). Returns false on a write error. */
bool mo_json_write(FILE *out, json_object *obj);
/* The start of a report's JSON document: {"trace":"PATH" (null without a path). */
void mo_json_open_trace(FILE *out, const char *trace_path);

/*
 * ---- streaming row formatting ----
 * The row writers build each row in one reusable strbuf and fwrite it: no
 * json-c tree and no printf per field. Every helper produces exactly the
 * bytes the json-c / printf based formatting above produces (golden files).
 */

#define MO_PORT_SLOTS 64

/* Per-write cache: process labels (the model is immutable) and the last second's time prefix. */
struct mo_cache {
	const struct alpcscope_model *m;
	struct alpcscope_symbolizer *sym; /* NULL: frames stay module!+0xoff */
	char **labels;                    /* lazily filled, one per process index */
	char **jlabels;                   /* the same as JSON string literals */
	uint32_t nlabels;
	int64_t time_sec; /* second of time_prefix, -1 when none */
	char time_prefix[24];
	struct strbuf tmp;
	bool csv_raw;       /* options->csv_raw: no formula neutralisation */
	struct strbuf line; /* a stack joined for one CSV cell */
	/* per thread index, lazily: mo_sb_party_text() JSON-escaped (no quotes), and its length */
	struct mo_party_json {
		char *json;
		uint32_t json_len, text_len;
	} * party_json;
	uint32_t nthreads;
	/* port names as JSON strings (quotes included), direct-mapped by port index */
	struct mo_port_json {
		uint32_t port; /* ALPCSCOPE_NONE: empty */
		uint32_t len;
		char *json;
	} ports[MO_PORT_SLOTS];
};

void mo_cache_init(struct mo_cache *c, const struct alpcscope_model *m);
/* options->csv_raw, false for a version 1 caller. */
bool mo_csv_raw(const struct alpcscope_write_options *o);
void mo_cache_free(struct mo_cache *c);
/* Label of a process index, "?" for NONE or an unknown index (as mo_process_label()). */
const char *mo_label(struct mo_cache *c, uint32_t process);

/* mo_label() as a JSON string (mo_sb_jstr()), from the cache. */
void mo_sb_jlabel(struct mo_cache *c, struct strbuf *sb, uint32_t process);

/* Inline appends for the row writers' hot paths (strbuf_add() semantics). */
static inline void
mo_put(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->len + n + 1 > sb->cap && !strbuf_reserve(sb, n))
		return;
	memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

static inline void
mo_putc(struct strbuf *sb, char ch)
{
	if (sb->len + 2 > sb->cap && !strbuf_reserve(sb, 1))
		return;
	sb->data[sb->len++] = ch;
	sb->data[sb->len] = '\0';
}

static inline void
mo_puts(struct strbuf *sb, const char *s)
{
	mo_put(sb, s, strlen(s));
}

/* Append a string literal (length known at compile time). */
#define MO_LIT(sb, lit) mo_put((sb), "" lit, sizeof(lit) - 1)

/* mo_party() without copying the label. */
struct mo_fparty {
	uint32_t thread; /* thread index or NONE */
	uint32_t process, pid, tid;
	const char *label;
};
void mo_fparty(struct mo_cache *c, const struct alpcscope_message_event *e, struct mo_fparty *out);
void mo_fclient_server(struct mo_cache *c, const struct alpcscope_message *msg,
		       struct mo_fparty *client, struct mo_fparty *server);

/* "00".."99": two decimal digits per entry; 10^0..10^19. */
extern const char mo_digit_pairs[201];
extern const uint64_t mo_pow10[20];

/* Decimal digits of @p v (1 for 0). */
static inline unsigned
mo_digits_u64(uint64_t v)
{
	unsigned t = ((64u - (unsigned)__builtin_clzll(v | 1)) * 1233u) >> 12;

	return t - ((v | 1) < mo_pow10[t]) + 1;
}

/* @p v in decimal at @p p (no NUL, at most 20 bytes); returns the end. */
static inline char *
mo_fmt_u64(char *p, uint64_t v)
{
	char *end = p + mo_digits_u64(v), *q = end;

	while (v > UINT32_MAX) { /* eight digits a 64-bit step, the rest in cheaper 32-bit steps */
		uint32_t r = (uint32_t)(v % 100000000), hi = r / 10000, lo = r % 10000;

		v /= 100000000;
		q -= 8;
		memcpy(q, mo_digit_pairs + 2 * (hi / 100), 2);
		memcpy(q + 2, mo_digit_pairs + 2 * (hi % 100), 2);
		memcpy(q + 4, mo_digit_pairs + 2 * (lo / 100), 2);
		memcpy(q + 6, mo_digit_pairs + 2 * (lo % 100), 2);
	}
	uint32_t w = (uint32_t)v;

	while (w >= 10000) {
		uint32_t r = w % 10000;

		w /= 10000;
		q -= 4;
		memcpy(q, mo_digit_pairs + 2 * (r / 100), 2);
		memcpy(q + 2, mo_digit_pairs + 2 * (r % 100), 2);
	}
	if (w >= 100) {
		q -= 2;
		memcpy(q, mo_digit_pairs + 2 * (w % 100), 2);
		w /= 100;
	}
	if (w >= 10)
		memcpy(q - 2, mo_digit_pairs + 2 * w, 2);
	else
		q[-1] = (char)('0' + w);
	return end;
}

/* "0x" and @p v in lower-case hex at @p p (at most 18 bytes); returns the end. */
static inline char *
mo_fmt_hex64(char *p, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	unsigned n = (67u - (unsigned)__builtin_clzll(v | 1)) / 4;

	p[0] = '0';
	p[1] = 'x';
	for (unsigned i = n; i > 0; i--) {
		p[1 + i] = digits[v & 15];
		v >>= 4;
	}
	return p + 2 + n;
}

/* "label pid/tid" as safe text, or "?" when neither process nor thread is known. */
void mo_sb_party_text(struct strbuf *sb, const struct mo_fparty *p);
/*
 * mo_sb_party_text() of @p p as the inside of a JSON string, cached per
 * thread; NULL when the party has no thread or memory ran out.
 */
const struct mo_party_json *mo_party_json(struct mo_cache *c, const struct mo_fparty *p);

/*
 * The name of port @p port as a JSON string (quotes included, cached), its
 * length in *len; NULL when the port has no name or memory ran out.
 */
const char *mo_port_json(struct mo_cache *c, uint32_t port, size_t *len);

/* Decimal (printf %u / PRIu64 / PRId64). */
void mo_sb_u64(struct strbuf *sb, uint64_t v);
void mo_sb_i64(struct strbuf *sb, int64_t v);
/* "0x%x" */
void mo_sb_hex32(struct strbuf *sb, uint32_t v);
/* "0x%" PRIx64 */
void mo_sb_hex64(struct strbuf *sb, uint64_t v);
/* @p s, then spaces up to @p width bytes (printf %-Ns). */
void mo_sb_pad(struct strbuf *sb, const char *s, size_t width);
/* Cut the text appended since @p start to at most @p max bytes (snprintf into a max+1 buffer). */
void mo_sb_cut(struct strbuf *sb, size_t start, size_t max);
/* mo_sb_time() when the second is not the cached one (or the time not positive). */
void mo_sb_time_slow(struct mo_cache *c, struct strbuf *sb, int64_t filetime_100ns);

/* mo_time(): the second's "YYYY-MM-DDTHH:MM:SS." cached, the 100 ns digits by hand. */
static inline void
mo_sb_time(struct mo_cache *c, struct strbuf *sb, int64_t ft)
{
	if (ft <= 0 || ft / 10000000 != c->time_sec) {
		mo_sb_time_slow(c, sb, ft);
		return;
	}
	if (sb->len + 29 > sb->cap && !strbuf_reserve(sb, 28))
		return;
	char *p = sb->data + sb->len;
	uint32_t frac = (uint32_t)(ft % 10000000);

	memcpy(p, c->time_prefix, 20);
	p[26] = (char)('0' + frac % 10);
	frac /= 10;
	memcpy(p + 24, mo_digit_pairs + 2 * (frac % 100), 2);
	frac /= 100;
	memcpy(p + 22, mo_digit_pairs + 2 * (frac % 100), 2);
	memcpy(p + 20, mo_digit_pairs + 2 * (frac / 100), 2);
	p[27] = 'Z';
	sb->len += 28;
	sb->data[sb->len] = '\0';
}
/* mo_latency_str() */
void mo_sb_latency(struct strbuf *sb, int64_t latency_100ns);
/* mo_evidence() */
void mo_sb_evidence(struct strbuf *sb, uint16_t evidence);
/* Untrusted @p s as safe one-line text (utf8_add_safe_text()); NULL appends nothing. */
void mo_sb_text(struct strbuf *sb, const char *s);
/* One CSV cell from untrusted text (strbuf_add_csv_field() with c->csv_raw); NULL = empty. */
void mo_sb_csv(const struct mo_cache *c, struct strbuf *sb, const char *s);
/*
 * Nonzero when one of the 8 bytes of @p w is below 0x20, '"', '\\' or not
 * ASCII (no false negatives): those take the byte-by-byte path.
 */
static inline uint64_t
mo_needs_escape8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	return (w & high) | ((w - ones * 0x20) & ~w & high) | ((q - ones) & ~q & high) |
	       ((b - ones) & ~b & high);
}

/* JSON string as json-c writes it (JSON_C_TO_STRING_NOSLASHESCAPE); NULL -> null. */
void mo_sb_jstr(struct strbuf *sb, const char *s);
/* The same without the quotes, of @p n bytes. */
void mo_sb_jstr_body(struct strbuf *sb, const char *s, size_t n);
/* "\"key\":" (key needs no escaping) */
void mo_sb_key(struct strbuf *sb, const char *key);
/* mo_sb_jid(): a PID/TID, null for ALPCSCOPE_ID_UNKNOWN; mo_sb_jnone(): null for ALPCSCOPE_NONE */
void mo_sb_jid(struct strbuf *sb, uint32_t v);
void mo_sb_jnone(struct strbuf *sb, uint32_t v);
/* A latency as JSON microseconds: "1188.8", "12000.0" (exact, shortest round trip). */
void mo_sb_jlatency_us(struct strbuf *sb, int64_t latency_100ns);
/* A "send"/"receive" event object (time, ordinal, file offset, pid, tid, stack); a stack as a JSON
 * array. */
void mo_sb_jevent(struct mo_cache *c, struct strbuf *sb, const struct alpcscope_message_event *e,
		  bool stacks);
void mo_sb_jstack(struct mo_cache *c, struct strbuf *sb, uint32_t stack);
/* Frame @p i of @p s as text, symbolized when c->sym is set (details in *fs, may be NULL). */
const char *mo_frame(struct mo_cache *c, const struct alpcscope_stack *s, uint32_t i,
		     struct alpcscope_frame_symbol *fs, char *buf, size_t size);
/* The frames of @p stack as JSON objects (address, module, function, source, ...). */
void mo_sb_jframes(struct mo_cache *c, struct strbuf *sb, uint32_t stack);
/*
 * The call site of a message: the first user frame of its send stack outside
 * the ALPC/RPC/COM runtime modules, formatted into @p buf; NULL when none.
 */
const char *mo_call_site(struct mo_cache *c, const struct alpcscope_message *msg, char *buf,
			 size_t size);
/* mo_call_site() without a cache (XML writers). */
const char *mo_call_site_of(struct alpcscope_symbolizer *sym, const struct alpcscope_model *m,
			    const struct alpcscope_message *msg, char *buf, size_t size);
/* Frames of @p stack joined by " | " (CSV and XML cells). */
void mo_sb_stack_line(struct mo_cache *c, struct strbuf *sb, uint32_t stack);
/* CSV cells ",send_stack,receive_stack" (and ",call_site" when @p call_site) of @p msg (NULL =
 * empty). */
void mo_sb_csv_stacks(struct mo_cache *c, struct strbuf *sb, const struct alpcscope_message *msg,
		      bool stacks, bool call_site);
/* A json-c object serialized as mo_json_write() does; NULL -> null. */
void mo_sb_json(struct strbuf *sb, json_object *obj);
/* Write the buffer and empty it. Returns false on a write error. */
bool mo_sb_flush(struct strbuf *sb, FILE *out);

#endif
