/* SPDX-License-Identifier: MIT */
/*
 * Scenario parser and emitter (scenario.h, docs/scenario-format.md).
 * Parsing turns every line into declarations (processes, threads, images,
 * services) and timed events; macros (`call`, `noise alpc`) expand into the
 * same low-level events a line could state one by one. Emission sorts the
 * events by (time, line order) and writes them through etl_writer, with the
 * process/thread/image rundown at trace start and end.
 */
#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS   48
#define MAX_FRAMES 192 /* Learn's StackWalk_Event declares up to 192 frames */
#define NONE_TIME  INT64_MAX

/* ---- parsed line ------------------------------------------------------ */

struct kv {
	char *key;
	char *val;
};

struct line_args {
	struct kv kv[MAX_ARGS];
	unsigned n;
	char *pos[8]; /* positional words after the keyword */
	unsigned npos;
};

enum ev_kind {
	EV_SEND,
	EV_RECEIVE,
	EV_WAIT_REPLY,
	EV_WAIT_NEW,
	EV_UNWAIT,
	EV_ALPC_RAW,
	EV_STACK,
	EV_STACKREF,
	EV_STACKDEF,
	EV_RPC,
	EV_WMI,
	EV_EVENT,
	EV_WPP,
	EV_SETNAME,
	EV_PROC_START,
	EV_PROC_END,
	EV_THREAD_START,
	EV_THREAD_END,
	EV_IMAGE_LOAD,
	EV_IMAGE_UNLOAD,
};

struct ev {
	int64_t ticks;
	uint64_t seq; /* tie-break: order of appearance */
	uint32_t cpu;
	uint8_t kind;
	uint8_t flag;
	uint32_t pid, tid;
	uint32_t a, b;            /* message id / status / opcode / ... */
	uint64_t key;             /* stack key */
	int64_t event_ticks;      /* stack walks: time of the event they belong to */
	uint32_t frames, nframes; /* slice of the frame pool */
	int32_t ref;              /* index into procs/threads/images/lines, -1 = none */
	const char *str;          /* port name, thread name (owned by the line pool) */
	const uint8_t *data;      /* raw payload bytes (owned by the blob pool) */
	uint32_t dlen;
};

struct proc {
	uint32_t pid, ppid, session, flags;
	char *image, *cmd, *sid, *pkg, *appid;
	bool rundown, has_end;
	int64_t start, end, created_ft;
	uint32_t by_pid, by_tid;
	uint64_t key;
	char *stack; /* frames of a StackWalk on the Process Start */
};

struct thr {
	uint32_t pid, tid, tag, cpu;
	bool rundown, has_end, has_cpu;
	int64_t start, end;
	char *name;
	int32_t proc;
};

struct img {
	uint32_t pid, checksum, stamp, age;
	uint64_t base, size;
	char *path, *pdb;
	struct etl_guid pdb_guid;
	bool rundown, has_unload, image_id;
	int64_t at, unload;
};

struct svc {
	uint32_t pid, state, tag;
	char *name, *display, *process, *group, *load_group;
};

/* `lose`: what a busy machine loses (events of one CPU in a window, or its buffers). */
struct loss {
	uint32_t cpu;
	int64_t from, to;
	bool buffers; /* whole buffers dropped (sequence gap) instead of events counted lost */
};

struct scenario {
	struct etl_writer_config cfg;
	struct loss losses[16];
	size_t nlosses;
	char *strings_logger, *strings_file;
	int64_t duration_ticks;
	bool dcend;
	struct proc *procs;
	size_t nprocs, cap_procs;
	struct thr *thrs;
	size_t nthrs, cap_thrs;
	struct img *imgs;
	size_t nimgs, cap_imgs;
	struct svc *svcs;
	size_t nsvcs, cap_svcs;
	struct ev *evs;
	size_t nevs, cap_evs;
	uint64_t *frames;
	size_t nframes, cap_frames;
	struct line_args **lines; /* kept argument lists of RPC/WMI/generic events */
	size_t nlines, cap_lines;
	char **pool; /* every allocated string/blob, freed together */
	size_t npool, cap_pool;
	uint64_t seq;
	bool saw_decl;
	/* parse state */
	const char *name;
	unsigned lineno;
	char *err;
	size_t errsz;
};

/* ---- utilities -------------------------------------------------------- */

static int
perr(struct scenario *sc, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(sc->err, sc->errsz, "%s:%u: %s", sc->name, sc->lineno, msg);
	return -1;
}

/* Grow @*arr (of @elem-byte items) so that one more fits. */
static bool
grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return true;
	size_t nc = *cap ? *cap * 2 : 16;
	if (nc > SIZE_MAX / elem)
		return false;
	void *p = realloc(*arr, nc * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = nc;
	return true;
}

static void *
pool_add(struct scenario *sc, void *p)
{
	if (!p || !grow((void **)&sc->pool, &sc->cap_pool, sc->npool, sizeof(char *))) {
		free(p);
		return NULL;
	}
	sc->pool[sc->npool++] = p;
	return p;
}

static char *
pool_strdup(struct scenario *sc, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return pool_add(sc, d);
}

static const char *
get(const struct line_args *a, const char *key)
{
	for (unsigned i = 0; i < a->n; i++)
		if (strcmp(a->kv[i].key, key) == 0)
			return a->kv[i].val;
	return NULL;
}

static bool
parse_uint(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	/* Size suffixes for buffer sizes: 64K, 1M. */
	if (*end == 'K' || *end == 'k') {
		if (v > UINT64_MAX / 1024)
			return false;
		v *= 1024, end++;
	} else if (*end == 'M' || *end == 'm') {
		if (v > UINT64_MAX / (1024 * 1024))
			return false;
		v *= 1024 * 1024, end++;
	}
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static int
get_u64(struct scenario *sc, const struct line_args *a, const char *key, uint64_t def,
	uint64_t *out)
{
	const char *v = get(a, key);
	if (!v) {
		*out = def;
		return 0;
	}
	if (!parse_uint(v, out))
		return perr(sc, "bad number for %s: '%s'", key, v);
	return 0;
}

static int
get_u32(struct scenario *sc, const struct line_args *a, const char *key, uint32_t def,
	uint32_t *out)
{
	uint64_t v;
	if (get_u64(sc, a, key, def, &v))
		return -1;
	if (v > UINT32_MAX)
		return perr(sc, "%s out of range", key);
	*out = (uint32_t)v;
	return 0;
}

static bool
parse_bool(const char *v, bool def)
{
	if (!v)
		return def;
	return strcmp(v, "yes") == 0 || strcmp(v, "1") == 0 || strcmp(v, "true") == 0 ||
	       strcmp(v, "on") == 0;
}

/* Seconds as decimal text ("1.000250", "-600") -> ticks relative to StartTime. */
static bool
parse_seconds(const char *s, int64_t freq, int64_t *out)
{
	bool neg = false;
	uint64_t whole = 0, frac_ns = 0;
	unsigned digits = 0;
	if (*s == '-')
		neg = true, s++;
	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s)) {
		if (whole > 100000000)
			return false;
		whole = whole * 10 + (uint64_t)(*s++ - '0');
	}
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s)) {
			if (digits < 9) {
				frac_ns = frac_ns * 10 + (uint64_t)(*s - '0');
				digits++;
			}
			s++;
		}
	}
	if (*s)
		return false;
	for (; digits < 9; digits++)
		frac_ns *= 10;
	int64_t t = (int64_t)whole * freq + (int64_t)frac_ns * freq / 1000000000;
	*out = neg ? -t : t;
	return true;
}

static int
get_time(struct scenario *sc, const struct line_args *a, const char *key, int64_t *out,
	 bool *present)
{
	const char *v = get(a, key);
	int64_t t;
	*present = v != NULL;
	if (!v)
		return 0;
	if (!parse_seconds(v, sc->cfg.perf_freq, &t))
		return perr(sc, "bad time for %s: '%s' (seconds after trace start)", key, v);
	*out = sc->cfg.start_ticks + t;
	return 0;
}

/* "2024-05-01T10:00:00Z" or with ".5" fraction -> FILETIME. */
static bool
parse_iso(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec, n = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
		return false;
	s += n;
	int64_t frac = 0;
	int digits = 0;
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s)) {
			if (digits < 7)
				frac = frac * 10 + (*s - '0'), digits++;
			s++;
		}
		for (; digits < 7; digits++)
			frac *= 10;
	}
	if (strcmp(s, "Z") != 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1601)
		return false;
	/* Days from civil (proleptic Gregorian), then shift the epoch to 1601. */
	int yy = mo <= 2 ? y - 1 : y;
	int era = yy / 400;
	int yoe = yy - era * 400;
	int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days_1970 = (int64_t)era * 146097 + doe - 719468;
	int64_t secs = (days_1970 + 134774) * 86400 + h * 3600 + mi * 60 + sec;
	*out = secs * 10000000 + frac;
	return true;
}

/* "1234/5678" -> pid, tid. */
static bool
parse_pt(const char *s, uint32_t *pid, uint32_t *tid)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	uint64_t p, t;
	if (!slash || (size_t)(slash - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = 0;
	if (!parse_uint(buf, &p) || !parse_uint(slash + 1, &t) || p > UINT32_MAX || t > UINT32_MAX)
		return false;
	*pid = (uint32_t)p;
	*tid = (uint32_t)t;
	return true;
}

static int
get_pt(struct scenario *sc, const struct line_args *a, const char *key, uint32_t *pid,
       uint32_t *tid, bool *present)
{
	const char *v = key ? get(a, key) : (a->npos ? a->pos[0] : NULL);
	*present = v != NULL;
	if (!v)
		return 0;
	if (!parse_pt(v, pid, tid))
		return perr(sc, "bad PID/TID '%s'", v);
	return 0;
}

static int
parse_frames(struct scenario *sc, const char *v, uint32_t *first, uint32_t *count)
{
	*first = (uint32_t)sc->nframes;
	*count = 0;
	while (*v) {
		char *end;
		errno = 0;
		unsigned long long f = strtoull(v, &end, 16);
		if (end == v || errno)
			return perr(sc, "bad frame address near '%s'", v);
		if (*count == MAX_FRAMES)
			return perr(sc, "more than %d frames", MAX_FRAMES);
		if (sc->cfg.pointer_size == 4 && f > UINT32_MAX)
			return perr(sc, "frame %llx does not fit a 32-bit trace", f);
		if (!grow((void **)&sc->frames, &sc->cap_frames, sc->nframes, sizeof(uint64_t)))
			return perr(sc, "out of memory");
		sc->frames[sc->nframes++] = f;
		(*count)++;
		v = end;
		if (*v == ',')
			v++;
		else if (*v)
			return perr(sc, "frames are comma-separated hex addresses");
	}
	return 0;
}

static int
parse_hex_blob(struct scenario *sc, const char *v, const uint8_t **out, uint32_t *len)
{
	size_t n = strlen(v);
	if (n % 2 || n / 2 > ETL_MAX_EVENT_SIZE)
		return perr(sc, "hex data must have an even number of digits (max 0xFFFF bytes)");
	uint8_t *d = pool_add(sc, malloc(n / 2 + 1));
	if (!d)
		return perr(sc, "out of memory");
	for (size_t i = 0; i < n / 2; i++) {
		int hi = isxdigit((unsigned char)v[2 * i]),
		    lo = isxdigit((unsigned char)v[2 * i + 1]);
		if (!hi || !lo)
			return perr(sc, "bad hex data");
		char tmp[3] = {v[2 * i], v[2 * i + 1], 0};
		d[i] = (uint8_t)strtoul(tmp, NULL, 16);
	}
	*out = d;
	*len = (uint32_t)(n / 2);
	return 0;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode a `...` value in place, *ps just after the opening backquote; on
 * return *ps is just after the closing one (which becomes the terminator).
 * Escapes: \n \r \t \e (ESC) \\ \` \xHH (one raw byte: invalid UTF-8 on
 * purpose), \uHHHH (a code point as UTF-8; D800-DFFF give the generalised
 * 3-byte form, which the UTF-16 writer turns into a lone surrogate). The
 * decoded text is never longer than the escaped text.
 */
static int
unescape_value(struct scenario *sc, char **ps)
{
	char *s = *ps, *d = s;

	for (;;) {
		char c = *s++;
		int v = 0;

		if (!c)
			return perr(sc, "unterminated `");
		if (c == '`')
			break;
		if (c != '\\') {
			*d++ = c;
			continue;
		}
		c = *s++;
		switch (c) {
		case 'n': *d++ = '\n'; break;
		case 'r': *d++ = '\r'; break;
		case 't': *d++ = '\t'; break;
		case 'e': *d++ = 0x1b; break;
		case '\\': *d++ = '\\'; break;
		case '`': *d++ = '`'; break;
		case 'x':
			for (int k = 0; k < 2; k++) {
				int h = hex_digit(*s++);
				if (h < 0)
					return perr(sc, "bad \\x escape");
				v = v * 16 + h;
			}
			if (!v)
				return perr(sc, "\\x00 is not allowed");
			*d++ = (char)v;
			break;
		case 'u':
			for (int k = 0; k < 4; k++) {
				int h = hex_digit(*s++);
				if (h < 0)
					return perr(sc, "bad \\u escape");
				v = v * 16 + h;
			}
			if (!v)
				return perr(sc, "\\u0000 is not allowed");
			if (v < 0x80) {
				*d++ = (char)v;
			} else if (v < 0x800) {
				*d++ = (char)(0xC0 | v >> 6);
				*d++ = (char)(0x80 | (v & 0x3F));
			} else {
				*d++ = (char)(0xE0 | v >> 12);
				*d++ = (char)(0x80 | (v >> 6 & 0x3F));
				*d++ = (char)(0x80 | (v & 0x3F));
			}
			break;
		default:
			return perr(sc, "unknown escape in `...` (\\n \\r \\t \\e \\\\ \\` "
					"\\xHH \\uHHHH)");
		}
	}
	*d = 0;
	*ps = s;
	return 0;
}

/* Split one line into keyword, positional words and key=value pairs (values may be "quoted"). */
static int
tokenize(struct scenario *sc, char *s, char **keyword, struct line_args *a)
{
	*keyword = NULL;
	a->n = a->npos = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			return 0;
		char *tok = s, *eq = NULL;
		while (*s && *s != ' ' && *s != '\t' && *s != '"' && *s != '\'' && *s != '`') {
			if (*s == '=' && !eq)
				eq = s;
			s++;
		}
		char *val = NULL;
		if (eq) {
			*eq = 0;
			val = eq + 1;
			if (*s == '`') {
				/* `...`: C-like escapes for hostile names (unescape_value()) */
				if (s != val)
					return perr(sc, "quote must start the value of %s", tok);
				val = ++s;
				if (unescape_value(sc, &s))
					return -1;
				if (*s && *s != ' ' && *s != '\t')
					return perr(sc, "text after closing quote");
			} else if (*s == '"' || *s == '\'') {
				/*
				 * Quoted: literal up to the same quote character, no escapes,
				 * so paths keep their backslashes; '...' may hold a ".
				 */
				char q = *s;
				if (s != val)
					return perr(sc, "quote must start the value of %s", tok);
				val = ++s;
				while (*s && *s != q)
					s++;
				if (!*s)
					return perr(sc, "unterminated quote");
				*s++ = 0;
				if (*s && *s != ' ' && *s != '\t')
					return perr(sc, "text after closing quote");
			} else if (*s) {
				*s++ = 0;
			}
			if (a->n == MAX_ARGS)
				return perr(sc, "too many arguments");
			a->kv[a->n].key = tok;
			a->kv[a->n].val = val;
			a->n++;
			continue;
		}
		if (*s == '"' || *s == '\'' || *s == '`')
			return perr(sc, "quoted text needs a key= before it");
		if (*s)
			*s++ = 0;
		if (!*keyword) {
			*keyword = tok;
		} else {
			if (a->npos == 8)
				return perr(sc, "too many positional words");
			a->pos[a->npos++] = tok;
		}
	}
}

static int
check_keys(struct scenario *sc, const struct line_args *a, const char *const *allowed)
{
	for (unsigned i = 0; i < a->n; i++) {
		bool ok = false;
		for (const char *const *k = allowed; *k && !ok; k++)
			ok = strcmp(*k, a->kv[i].key) == 0;
		if (!ok)
			return perr(sc, "unknown key '%s'", a->kv[i].key);
	}
	return 0;
}

static char *
opt_str(struct scenario *sc, const struct line_args *a, const char *key)
{
	const char *v = get(a, key);
	return v ? pool_strdup(sc, v) : NULL;
}

/* ---- declarations ---------------------------------------------------- */

static int
decl_trace(struct scenario *sc, const struct line_args *a)
{
	static const char *const keys[] = {"cpus",     "pointer", "buffer", "compress", "build",
					   "start",    "boot",    "freq",   "logger",   "file",
					   "duration", "dcend",   "mhz",    "mode",     NULL};
	struct etl_writer_config *c = &sc->cfg;
	uint64_t v;
	const char *s;

	if (sc->saw_decl)
		return perr(sc, "'trace' must come before every other line");
	if (check_keys(sc, a, keys))
		return -1;
	if (get_u32(sc, a, "cpus", c->cpus, &c->cpus) ||
	    get_u32(sc, a, "pointer", c->pointer_size, &c->pointer_size) ||
	    get_u32(sc, a, "buffer", c->buffer_size, &c->buffer_size) ||
	    get_u32(sc, a, "build", c->os_build, &c->os_build) ||
	    get_u32(sc, a, "mhz", c->cpu_mhz, &c->cpu_mhz) ||
	    get_u32(sc, a, "mode", c->log_file_mode, &c->log_file_mode))
		return -1;
	/* Checked here too so the message carries the line number. */
	if (c->cpus == 0 || c->cpus > ETL_MAX_CPUS)
		return perr(sc, "cpus must be 1..%u", ETL_MAX_CPUS);
	if (c->pointer_size != 4 && c->pointer_size != 8)
		return perr(sc, "pointer size must be 4 or 8");
	if (c->buffer_size < ETL_MIN_BUFFER_SIZE || c->buffer_size > ETL_MAX_BUFFER_SIZE ||
	    c->buffer_size % 8)
		return perr(sc, "buffer must be a multiple of 8 in 4K..16M");
	if (get_u64(sc, a, "freq", (uint64_t)c->perf_freq, &v))
		return -1;
	if (v == 0 || v > INT32_MAX)
		return perr(sc, "freq must be 1..2^31-1 Hz");
	c->perf_freq = (int64_t)v;
	c->compress = parse_bool(get(a, "compress"), false);
	sc->dcend = parse_bool(get(a, "dcend"), true);
	if ((s = get(a, "start")) && !parse_iso(s, &c->start_filetime))
		return perr(sc, "start must look like 2024-05-01T10:00:00Z");
	if ((s = get(a, "boot")) && !parse_iso(s, &c->boot_filetime))
		return perr(sc, "boot must look like 2024-05-01T08:00:00.5Z");
	if (c->boot_filetime > c->start_filetime)
		return perr(sc, "boot must not be after start");
	int64_t since_boot = c->start_filetime - c->boot_filetime;
	c->start_ticks = (since_boot / 10000000) * c->perf_freq +
			 (since_boot % 10000000) * c->perf_freq / 10000000;
	if ((s = get(a, "logger")))
		c->logger_name = sc->strings_logger = pool_strdup(sc, s);
	if ((s = get(a, "file")))
		c->log_file_name = sc->strings_file = pool_strdup(sc, s);
	if ((s = get(a, "duration"))) {
		if (!parse_seconds(s, c->perf_freq, &sc->duration_ticks) || sc->duration_ticks < 0)
			return perr(sc, "bad duration");
	}
	return 0;
}

static int
decl_process(struct scenario *sc, const struct line_args *a)
{
	static const char *const keys[] = {"pid",     "ppid",  "image", "cmd", "session", "sid",
					   "start",   "end",   "by",    "key", "created", "flags",
					   "package", "appid", "stack", NULL};
	struct proc p = {0};
	bool has_start, has_by;
	const char *st;

	if (check_keys(sc, a, keys) || get_u32(sc, a, "pid", 0, &p.pid) ||
	    get_u32(sc, a, "ppid", 0, &p.ppid) || get_u32(sc, a, "session", 0, &p.session) ||
	    get_u32(sc, a, "flags", 0, &p.flags) || get_u64(sc, a, "key", 0, &p.key))
		return -1;
	if (!get(a, "pid") || !get(a, "image"))
		return perr(sc, "process needs pid= and image=");
	p.image = opt_str(sc, a, "image");
	p.cmd = opt_str(sc, a, "cmd");
	p.sid = opt_str(sc, a, "sid");
	p.pkg = opt_str(sc, a, "package");
	p.appid = opt_str(sc, a, "appid");
	p.stack = opt_str(sc, a, "stack");
	st = get(a, "start");
	p.rundown = !st || strcmp(st, "rundown") == 0;
	p.start = sc->cfg.start_ticks;
	if (!p.rundown && get_time(sc, a, "start", &p.start, &has_start))
		return -1;
	if (get_time(sc, a, "end", &p.end, &p.has_end) ||
	    get_pt(sc, a, "by", &p.by_pid, &p.by_tid, &has_by))
		return -1;
	if (!p.rundown && !has_by)
		return perr(sc,
			    "a process started during the trace needs by=PID/TID (creator thread)");
	if (p.has_end && p.end < p.start)
		return perr(sc, "process ends before it starts");
	/* Creation time for WMI-Activity fields: its Start, or 10 min before the trace. */
	int64_t created = p.rundown ? sc->cfg.start_ticks - 600 * sc->cfg.perf_freq : p.start;
	bool has_created;
	if (get_time(sc, a, "created", &created, &has_created))
		return -1;
	p.created_ft =
	    sc->cfg.start_filetime + (created - sc->cfg.start_ticks) * 10000000 / sc->cfg.perf_freq;
	if (!p.key)
		p.key = (sc->cfg.pointer_size == 8 ? 0xFFFFA08C10000080ull : 0x86100080u) +
			0x1000u * (uint64_t)sc->nprocs;
	if (!grow((void **)&sc->procs, &sc->cap_procs, sc->nprocs, sizeof(p)))
		return perr(sc, "out of memory");
	sc->procs[sc->nprocs++] = p;
	return 0;
}

/* The process that owns @pid at @ticks (latest start not after it), or -1. */
static int32_t
find_proc(const struct scenario *sc, uint32_t pid, int64_t ticks)
{
	int32_t best = -1;
	for (size_t i = 0; i < sc->nprocs; i++) {
		const struct proc *p = &sc->procs[i];
		if (p->pid != pid || p->start > ticks)
			continue;
		if (best < 0 || p->start >= sc->procs[best].start)
			best = (int32_t)i;
	}
	return best;
}

static int
decl_thread(struct scenario *sc, const struct line_args *a)
{
	static const char *const keys[] = {"start", "end", "name", "tag", "cpu", NULL};
	struct thr t = {0};
	bool present;
	const char *st;

	if (check_keys(sc, a, keys) || get_pt(sc, a, NULL, &t.pid, &t.tid, &present))
		return -1;
	if (!present)
		return perr(sc, "thread needs PID/TID");
	if (get_u32(sc, a, "tag", 0, &t.tag) || get_u32(sc, a, "cpu", 0, &t.cpu))
		return -1;
	t.has_cpu = get(a, "cpu") != NULL;
	if (t.cpu >= sc->cfg.cpus)
		return perr(sc, "cpu %u out of range", t.cpu);
	t.name = opt_str(sc, a, "name");
	st = get(a, "start");
	t.rundown = !st || strcmp(st, "rundown") == 0;
	t.start = sc->cfg.start_ticks;
	if (!t.rundown && get_time(sc, a, "start", &t.start, &present))
		return -1;
	if (get_time(sc, a, "end", &t.end, &t.has_end))
		return -1;
	t.proc = find_proc(sc, t.pid, t.start);
	if (t.proc < 0)
		return perr(sc, "thread %u/%u: no process %u declared before it at that time",
			    t.pid, t.tid, t.pid);
	const struct proc *p = &sc->procs[t.proc];
	if (t.rundown && !p->rundown)
		t.rundown = false, t.start = p->start;
	if (!t.has_end && p->has_end)
		t.has_end = true, t.end = p->end;
	if (!grow((void **)&sc->thrs, &sc->cap_thrs, sc->nthrs, sizeof(t)))
		return perr(sc, "out of memory");
	sc->thrs[sc->nthrs++] = t;
	return 0;
}

static int
decl_image(struct scenario *sc, const struct line_args *a)
{
	static const char *const keys[] = {"pid",      "base",  "size", "path",    "at",  "unload",
					   "checksum", "stamp", "pdb",  "pdbguid", "age", NULL};
	struct img im = {0};
	const char *at, *g;
	bool present;

	if (check_keys(sc, a, keys) || get_u32(sc, a, "pid", 0, &im.pid) ||
	    get_u64(sc, a, "base", 0, &im.base) || get_u64(sc, a, "size", 0x1000, &im.size) ||
	    get_u32(sc, a, "checksum", 0, &im.checksum) ||
	    get_u32(sc, a, "stamp", 0x5F000000, &im.stamp) || get_u32(sc, a, "age", 1, &im.age))
		return -1;
	if (!get(a, "pid") || !get(a, "base") || !get(a, "path"))
		return perr(sc, "image needs pid=, base= and path=");
	im.path = opt_str(sc, a, "path");
	im.pdb = opt_str(sc, a, "pdb");
	im.image_id = im.pdb != NULL;
	if ((g = get(a, "pdbguid")) && !etl_guid_parse(&im.pdb_guid, g))
		return perr(sc, "bad pdbguid");
	at = get(a, "at");
	im.rundown = !at || strcmp(at, "rundown") == 0;
	im.at = sc->cfg.start_ticks;
	if (!im.rundown && get_time(sc, a, "at", &im.at, &present))
		return -1;
	if (get_time(sc, a, "unload", &im.unload, &im.has_unload))
		return -1;
	int32_t p = find_proc(sc, im.pid, im.at);
	if (im.pid != 0 && p < 0)
		return perr(sc, "image: no process %u declared at that time", im.pid);
	if (p >= 0 && im.rundown && !sc->procs[p].rundown)
		return perr(sc, "image of a process started during the trace needs at=TIME");
	if (!grow((void **)&sc->imgs, &sc->cap_imgs, sc->nimgs, sizeof(im)))
		return perr(sc, "out of memory");
	sc->imgs[sc->nimgs++] = im;
	return 0;
}

static int
decl_service(struct scenario *sc, const struct line_args *a)
{
	static const char *const keys[] = {"name",  "pid",   "display",   "process", "tag",
					   "state", "group", "loadgroup", NULL};
	struct svc s = {0};
	if (check_keys(sc, a, keys) || get_u32(sc, a, "pid", 0, &s.pid) ||
	    get_u32(sc, a, "tag", 0, &s.tag) || get_u32(sc, a, "state", 4, &s.state))
		return -1;
	if (!get(a, "name") || !get(a, "pid"))
		return perr(sc, "service needs name= and pid=");
	s.name = opt_str(sc, a, "name");
	s.display = opt_str(sc, a, "display");
	s.process = opt_str(sc, a, "process");
	s.group = opt_str(sc, a, "group");
	s.load_group = opt_str(sc, a, "loadgroup");
	if (!s.process)
		s.process = pool_strdup(sc, "svchost.exe");
	if (!grow((void **)&sc->svcs, &sc->cap_svcs, sc->nsvcs, sizeof(s)))
		return perr(sc, "out of memory");
	sc->svcs[sc->nsvcs++] = s;
	return 0;
}

/* ---- timed events ---------------------------------------------------- */

static uint32_t
default_cpu(const struct scenario *sc, uint32_t pid, uint32_t tid)
{
	for (size_t i = 0; i < sc->nthrs; i++)
		if (sc->thrs[i].pid == pid && sc->thrs[i].tid == tid && sc->thrs[i].has_cpu)
			return sc->thrs[i].cpu;
	return (tid / 4) % sc->cfg.cpus;
}

static struct ev *
add_ev(struct scenario *sc, uint8_t kind, int64_t ticks, uint32_t cpu, uint32_t pid, uint32_t tid)
{
	if (!grow((void **)&sc->evs, &sc->cap_evs, sc->nevs, sizeof(struct ev))) {
		perr(sc, "out of memory");
		return NULL;
	}
	struct ev *e = &sc->evs[sc->nevs++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->ticks = ticks;
	e->seq = sc->seq++;
	e->cpu = cpu;
	e->pid = pid;
	e->tid = tid;
	e->ref = -1;
	return e;
}

/* A `stack=` attribute adds a StackWalk right after its event, same cpu and time. */
static int
add_stack_for(struct scenario *sc, const struct ev *of, const char *frames)
{
	uint32_t first, n;
	struct ev copy = *of;
	if (parse_frames(sc, frames, &first, &n))
		return -1;
	struct ev *s = add_ev(sc, EV_STACK, copy.ticks, copy.cpu, copy.pid, copy.tid);
	if (!s)
		return -1;
	s->event_ticks = copy.ticks;
	s->frames = first;
	s->nframes = n;
	return 0;
}

static int
keep_line(struct scenario *sc, const struct line_args *a, int32_t *ref)
{
	struct line_args *c = pool_add(sc, malloc(sizeof(*c)));
	if (!c || !grow((void **)&sc->lines, &sc->cap_lines, sc->nlines, sizeof(*sc->lines)))
		return perr(sc, "out of memory");
	*c = *a;
	for (unsigned i = 0; i < a->n; i++) {
		c->kv[i].key = pool_strdup(sc, a->kv[i].key);
		c->kv[i].val = pool_strdup(sc, a->kv[i].val);
		if (!c->kv[i].key || !c->kv[i].val)
			return perr(sc, "out of memory");
	}
	c->npos = 0;
	*ref = (int32_t)sc->nlines;
	sc->lines[sc->nlines++] = c;
	return 0;
}

static int
timed_event(struct scenario *sc, const char *when, const struct line_args *a)
{
	int64_t t;
	uint32_t pid = 0, tid = 0, cpu;
	bool has_pt;
	const char *kind;
	struct ev *e;

	if (!parse_seconds(when, sc->cfg.perf_freq, &t) || t < 0)
		return perr(sc, "bad event time '%s' (seconds >= 0 after trace start)", when);
	t += sc->cfg.start_ticks;
	if (a->npos < 1)
		return perr(sc, "event time without an event kind");
	kind = a->pos[0];
	/* Shift positional words so pos[0] is PID/TID. */
	struct line_args b = *a;
	memmove(b.pos, b.pos + 1, (b.npos - 1) * sizeof(char *));
	b.npos--;
	if (get_pt(sc, &b, NULL, &pid, &tid, &has_pt))
		return -1;
	if (!has_pt && strcmp(kind, "stackdef") != 0)
		return perr(sc, "%s needs PID/TID", kind);
	cpu = default_cpu(sc, pid, tid);
	if (get_u32(sc, &b, "cpu", cpu, &cpu))
		return -1;
	if (cpu >= sc->cfg.cpus)
		return perr(sc, "cpu %u out of range", cpu);

	uint8_t k;
	if (strcmp(kind, "send") == 0)
		k = EV_SEND;
	else if (strcmp(kind, "receive") == 0)
		k = EV_RECEIVE;
	else if (strcmp(kind, "wait-reply") == 0)
		k = EV_WAIT_REPLY;
	else if (strcmp(kind, "wait-new") == 0)
		k = EV_WAIT_NEW;
	else if (strcmp(kind, "unwait") == 0)
		k = EV_UNWAIT;
	else if (strcmp(kind, "alpc-raw") == 0)
		k = EV_ALPC_RAW;
	else if (strcmp(kind, "stack") == 0)
		k = EV_STACK;
	else if (strcmp(kind, "stackref") == 0)
		k = EV_STACKREF;
	else if (strcmp(kind, "stackdef") == 0)
		k = EV_STACKDEF;
	else if (strncmp(kind, "rpc-", 4) == 0)
		k = EV_RPC;
	else if (strcmp(kind, "wmi") == 0)
		k = EV_WMI;
	else if (strcmp(kind, "event") == 0)
		k = EV_EVENT;
	else if (strcmp(kind, "wpp") == 0)
		k = EV_WPP;
	else if (strcmp(kind, "setname") == 0)
		k = EV_SETNAME;
	else
		return perr(sc, "unknown event kind '%s'", kind);

	static const char *const keys_by_kind[][32] = {
	    [EV_SEND] = {"cpu", "stack", "msg", NULL},
	    [EV_RECEIVE] = {"cpu", "stack", "msg", NULL},
	    [EV_WAIT_REPLY] = {"cpu", "stack", "msg", NULL},
	    [EV_WAIT_NEW] = {"cpu", "stack", "server", "port", "ansi", NULL},
	    [EV_UNWAIT] = {"cpu", "stack", "status", NULL},
	    [EV_ALPC_RAW] = {"cpu", "stack", "op", "data", NULL},
	    [EV_STACK] = {"cpu", "frames", "event", NULL},
	    [EV_STACKREF] = {"cpu", "key", "event", "user", NULL},
	    [EV_STACKDEF] = {"cpu", "key", "frames", "kind", NULL},
	    [EV_RPC] = {"cpu", "stack", "uuid", "opnum", "protocol", "endpoint", "netaddr",
			"options", "authn", "authsvc", "imp", "activity", "status", "call", NULL},
	    [EV_WMI] = {"cpu",          "stack",       "id",        "correlation",
			"group",        "op",          "operation", "machine",
			"fqdn",         "user",        "clientpid", "clientctime",
			"ns",           "local",       "hostid",    "provider",
			"providerguid", "path",        "result",    "class",
			"method",       "impl",        "cmd",       "createdpid",
			"createdctime", "hostprocess", "processid", "providerpath",
			"code",         NULL},
	    [EV_EVENT] = {"cpu", "provider", "id", "version", "channel", "level", "opcode", "task",
			  "keyword", "activity", "data", "stack", "stackkey", "width", NULL},
	    [EV_WPP] = {"cpu", "guid", "msg", "data", NULL},
	    [EV_SETNAME] = {"cpu", "name", NULL},
	};
	if (check_keys(sc, &b, keys_by_kind[k]))
		return -1;
	e = add_ev(sc, k, t, cpu, pid, tid);
	if (!e)
		return -1;
	size_t idx = sc->nevs - 1;
	switch (k) {
	case EV_SEND:
	case EV_RECEIVE:
	case EV_WAIT_REPLY:
		if (!get(&b, "msg"))
			return perr(sc, "%s needs msg=", kind);
		if (get_u32(sc, &b, "msg", 0, &sc->evs[idx].a))
			return -1;
		break;
	case EV_WAIT_NEW:
		if (get_u32(sc, &b, "server", 1, &sc->evs[idx].a))
			return -1;
		sc->evs[idx].str = opt_str(sc, &b, "port");
		sc->evs[idx].flag = parse_bool(get(&b, "ansi"), false);
		break;
	case EV_UNWAIT:
		if (get_u32(sc, &b, "status", 0, &sc->evs[idx].a))
			return -1;
		break;
	case EV_ALPC_RAW: {
		uint32_t op;
		if (get_u32(sc, &b, "op", 0, &op))
			return -1;
		if (op < 0x21 || op > 0xFF)
			return perr(sc, "alpc-raw op= must be an ALPC opcode (33..41 or above)");
		sc->evs[idx].a = op;
		if (get(&b, "data") &&
		    parse_hex_blob(sc, get(&b, "data"), &sc->evs[idx].data, &sc->evs[idx].dlen))
			return -1;
		break;
	}
	case EV_STACK: {
		int64_t et = t;
		bool present;
		if (!get(&b, "frames"))
			return perr(sc, "stack needs frames=");
		if (get_time(sc, &b, "event", &et, &present))
			return -1;
		sc->evs[idx].event_ticks = et;
		if (parse_frames(sc, get(&b, "frames"), &sc->evs[idx].frames,
				 &sc->evs[idx].nframes))
			return -1;
		return 0;
	}
	case EV_STACKREF: {
		int64_t et = t;
		bool present;
		if (get_u64(sc, &b, "key", 0, &sc->evs[idx].key) ||
		    get_time(sc, &b, "event", &et, &present))
			return -1;
		sc->evs[idx].event_ticks = et;
		sc->evs[idx].flag = parse_bool(get(&b, "user"), true);
		return 0;
	}
	case EV_STACKDEF: {
		const char *dk = get(&b, "kind");
		if (get_u64(sc, &b, "key", 0, &sc->evs[idx].key))
			return -1;
		sc->evs[idx].a = !dk || strcmp(dk, "rundown") == 0 ? ETL_HOOK_STACK_KEY_RUNDOWN
				 : strcmp(dk, "delete") == 0       ? ETL_HOOK_STACK_KEY_DELETE
				 : strcmp(dk, "create") == 0       ? ETL_HOOK_STACK_KEY_CREATE
								   : 0;
		if (!sc->evs[idx].a)
			return perr(sc, "stackdef kind= is create, delete or rundown");
		if (!get(&b, "frames"))
			return perr(sc, "stackdef needs frames=");
		return parse_frames(sc, get(&b, "frames"), &sc->evs[idx].frames,
				    &sc->evs[idx].nframes);
	}
	case EV_RPC: {
		static const char *const names[] = {"rpc-client-start", "rpc-server-start",
						    "rpc-client-stop", "rpc-server-stop"};
		uint32_t id = 0;
		for (uint32_t i = 0; i < 4; i++)
			if (strcmp(kind, names[i]) == 0)
				id = 5 + i;
		if (!id)
			return perr(sc, "rpc events: rpc-client-start, rpc-server-start, "
					"rpc-client-stop, rpc-server-stop");
		sc->evs[idx].a = id;
		break;
	}
	case EV_WMI: {
		uint32_t id;
		if (get_u32(sc, &b, "id", 0, &id))
			return -1;
		if (id != 11 && id != 12 && id != 13 && id != 22 && id != 23 && id != 5857)
			return perr(sc, "wmi id= must be 11, 12, 13, 22, 23 or 5857");
		sc->evs[idx].a = id;
		break;
	}
	case EV_EVENT:
		if (!get(&b, "provider") || !get(&b, "id"))
			return perr(sc, "event needs provider= and id=");
		break;
	case EV_WPP:
		if (!get(&b, "guid") || !get(&b, "msg"))
			return perr(sc, "wpp needs guid= and msg=");
		break;
	case EV_SETNAME: sc->evs[idx].str = opt_str(sc, &b, "name"); break;
	default: break;
	}
	if (k == EV_RPC || k == EV_WMI || k == EV_EVENT || k == EV_WPP) {
		int32_t ref = -1;
		if (keep_line(sc, &b, &ref))
			return -1;
		sc->evs[idx].ref = ref;
	}
	if (get(&b, "stack") && k != EV_EVENT)
		return add_stack_for(sc, &sc->evs[idx], get(&b, "stack"));
	return 0;
}

/* ---- macros ---------------------------------------------------------- */

/*
 * One synchronous request/reply (docs/event-layouts.md#alpc-call-sequence): client Send +
 * Wait-For-Reply; server Unwait + Receive; server reply Send +
 * Wait-For-New-Message; client Unwait + Receive.
 */
struct call_spec {
	uint32_t cpid, ctid, spid, stid, msg, ccpu, scpu;
	uint32_t reply;            /* reply message ID (= msg unless reply=) */
	uint32_t rpid, rtid, rcpu; /* thread that sends the reply (= server unless by=) */
	int64_t at, dur;
	const char *cstack, *sstack, *port;
	bool oneway, noreply;
};

static int
expand_call(struct scenario *sc, const struct call_spec *c)
{
	/* Wake-up latency: 10 us, but never more than a quarter of the call. */
	int64_t lat = sc->cfg.perf_freq / 100000;
	if (lat > c->dur / 4)
		lat = c->dur / 4;
	struct ev *e = add_ev(sc, EV_SEND, c->at, c->ccpu, c->cpid, c->ctid);
	if (!e)
		return -1;
	e->a = c->msg;
	if (c->cstack && add_stack_for(sc, e, c->cstack))
		return -1;
	if (!c->oneway) {
		if (!(e = add_ev(sc, EV_WAIT_REPLY, c->at, c->ccpu, c->cpid, c->ctid)))
			return -1;
		e->a = c->msg;
		if (!(e = add_ev(sc, EV_UNWAIT, c->at + lat, c->scpu, c->spid, c->stid)))
			return -1;
	}
	if (!(e = add_ev(sc, EV_RECEIVE, c->at + lat, c->scpu, c->spid, c->stid)))
		return -1;
	e->a = c->msg;
	if (c->oneway || c->noreply)
		return 0;
	if (c->rtid != c->stid || c->rpid != c->spid) {
		/* Hand-off: the receiving worker listens again; another one replies later. */
		if (!(e = add_ev(sc, EV_WAIT_NEW, c->at + lat, c->scpu, c->spid, c->stid)))
			return -1;
		e->a = 1;
		e->str = c->port;
	}
	if (!(e = add_ev(sc, EV_SEND, c->at + c->dur - lat, c->rcpu, c->rpid, c->rtid)))
		return -1;
	e->a = c->reply;
	if (c->sstack && add_stack_for(sc, e, c->sstack))
		return -1;
	if (!(e = add_ev(sc, EV_WAIT_NEW, c->at + c->dur - lat, c->rcpu, c->rpid, c->rtid)))
		return -1;
	e->a = 1;
	e->str = c->port;
	if (!add_ev(sc, EV_UNWAIT, c->at + c->dur, c->ccpu, c->cpid, c->ctid))
		return -1;
	if (!(e = add_ev(sc, EV_RECEIVE, c->at + c->dur, c->ccpu, c->cpid, c->ctid)))
		return -1;
	e->a = c->reply;
	return 0;
}

static int
macro_call(struct scenario *sc, const struct line_args *a)
{
	static const char *const keys[] = {"client", "server",  "msg",    "at",     "dur",
					   "cpu",    "scpu",    "cstack", "sstack", "port",
					   "oneway", "noreply", "reply",  "by",     NULL};
	struct call_spec c = {0};
	bool pc, ps, pa, pb;
	if (check_keys(sc, a, keys) || get_pt(sc, a, "client", &c.cpid, &c.ctid, &pc) ||
	    get_pt(sc, a, "server", &c.spid, &c.stid, &ps) || get_u32(sc, a, "msg", 0, &c.msg) ||
	    get_time(sc, a, "at", &c.at, &pa))
		return -1;
	if (!pc || !ps || !pa || !get(a, "msg"))
		return perr(sc, "call needs client=, server=, msg= and at=");
	const char *d = get(a, "dur");
	if (!d || !parse_seconds(d, sc->cfg.perf_freq, &c.dur) || c.dur <= 0)
		return perr(sc, "call needs dur= (seconds > 0)");
	c.ccpu = default_cpu(sc, c.cpid, c.ctid);
	c.scpu = default_cpu(sc, c.spid, c.stid);
	if (get_u32(sc, a, "cpu", c.ccpu, &c.ccpu) || get_u32(sc, a, "scpu", c.scpu, &c.scpu) ||
	    get_u32(sc, a, "reply", c.msg, &c.reply) || get_pt(sc, a, "by", &c.rpid, &c.rtid, &pb))
		return -1;
	if (!pb) {
		c.rpid = c.spid;
		c.rtid = c.stid;
	}
	c.rcpu = pb ? default_cpu(sc, c.rpid, c.rtid) : c.scpu;
	if (c.ccpu >= sc->cfg.cpus || c.scpu >= sc->cfg.cpus)
		return perr(sc, "cpu out of range");
	c.cstack = opt_str(sc, a, "cstack");
	c.sstack = opt_str(sc, a, "sstack");
	c.port = opt_str(sc, a, "port");
	c.oneway = parse_bool(get(a, "oneway"), false);
	c.noreply = parse_bool(get(a, "noreply"), false);
	return expand_call(sc, &c);
}

/* splitmix64: small, seedable, identical on every platform. */
static uint64_t
rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint64_t
rng_range(uint64_t *s, uint64_t n)
{
	return n ? rng_next(s) % n : 0;
}

static int
cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

/*
 * Background traffic: count request/reply calls (a share of them one-way)
 * between random threads of the listed processes, never overlapping on one
 * thread, message ids from msgbase upwards.
 */
static int
macro_noise(struct scenario *sc, const struct line_args *a)
{
	static const char *const keys[] = {"count",  "seed",   "between", "processes", "msgbase",
					   "oneway", "stacks", "maxdur",  NULL};
	uint32_t count, msgbase, oneway_pct;
	uint64_t seed;
	int64_t t0, t1, maxdur;
	char tmp[64];

	if (a->npos < 1 || strcmp(a->pos[0], "alpc") != 0)
		return perr(sc, "only 'noise alpc' exists");
	if (check_keys(sc, a, keys) || get_u32(sc, a, "count", 1000, &count) ||
	    get_u64(sc, a, "seed", 1, &seed) || get_u32(sc, a, "msgbase", 0x100000, &msgbase) ||
	    get_u32(sc, a, "oneway", 10, &oneway_pct))
		return -1;
	const char *btw = get(a, "between"), *dots;
	if (!btw || !(dots = strstr(btw, "..")) || (size_t)(dots - btw) >= sizeof(tmp))
		return perr(sc, "noise needs between=START..END (seconds)");
	memcpy(tmp, btw, (size_t)(dots - btw));
	tmp[dots - btw] = 0;
	if (!parse_seconds(tmp, sc->cfg.perf_freq, &t0) ||
	    !parse_seconds(dots + 2, sc->cfg.perf_freq, &t1) || t0 < 0 || t1 <= t0)
		return perr(sc, "bad between= range");
	const char *md = get(a, "maxdur");
	if (!parse_seconds(md ? md : "0.002", sc->cfg.perf_freq, &maxdur) || maxdur < 20)
		return perr(sc, "bad maxdur=");
	t0 += sc->cfg.start_ticks;
	t1 += sc->cfg.start_ticks;
	bool stacks = parse_bool(get(a, "stacks"), false);

	/* Candidate threads: declared threads of the listed processes. */
	const char *plist = get(a, "processes");
	if (!plist)
		return perr(sc, "noise needs processes=PID,PID,...");
	size_t ncand = 0;
	int32_t *cand = malloc(sc->nthrs * sizeof(*cand) + 1);
	int64_t *busy = calloc(sc->nthrs + 1, sizeof(*busy));
	int64_t *starts = malloc((size_t)count * sizeof(*starts) + 1);
	if (!cand || !busy || !starts) {
		free(cand), free(busy), free(starts);
		return perr(sc, "out of memory");
	}
	for (size_t i = 0; i < sc->nthrs; i++) {
		const char *p = plist;
		while (*p) {
			char *end;
			unsigned long v = strtoul(p, &end, 0);
			if (end == p)
				break;
			if (v == sc->thrs[i].pid)
				cand[ncand++] = (int32_t)i;
			p = *end == ',' ? end + 1 : end;
			if (*end && *end != ',')
				break;
		}
	}
	int rc = 0;
	if (ncand < 2) {
		rc = perr(sc, "noise needs at least two threads in the listed processes");
		goto out;
	}
	for (uint32_t i = 0; i < count; i++)
		starts[i] =
		    t0 + (int64_t)rng_range(
			     &seed, (uint64_t)(t1 - t0 - maxdur > 0 ? t1 - t0 - maxdur : 1));
	qsort(starts, count, sizeof(*starts), cmp_i64);
	char stackbuf[160];
	for (uint32_t i = 0; i < count && !rc; i++) {
		struct call_spec c = {0};
		int32_t ci = -1, si = -1;
		int64_t at = starts[i];
		/* Pick two idle threads of different processes; a few tries, then wait for one. */
		for (int tries = 0; tries < 16 && (ci < 0 || si < 0); tries++) {
			int32_t x = cand[rng_range(&seed, ncand)],
				y = cand[rng_range(&seed, ncand)];
			if (sc->thrs[x].pid == sc->thrs[y].pid)
				continue;
			ci = x, si = y;
			if (busy[x] <= at && busy[y] <= at)
				break;
		}
		if (ci < 0)
			continue;
		if (busy[ci] > at)
			at = busy[ci];
		if (busy[si] > at)
			at = busy[si];
		c.dur = 20 + (int64_t)rng_range(&seed, (uint64_t)(maxdur - 20));
		if (at + c.dur > t1)
			continue;
		c.at = at;
		c.cpid = sc->thrs[ci].pid, c.ctid = sc->thrs[ci].tid;
		c.spid = sc->thrs[si].pid, c.stid = sc->thrs[si].tid;
		c.ccpu = default_cpu(sc, c.cpid, c.ctid);
		c.scpu = default_cpu(sc, c.spid, c.stid);
		c.msg = c.reply = msgbase + i;
		c.rpid = c.spid, c.rtid = c.stid, c.rcpu = c.scpu;
		c.oneway = rng_range(&seed, 100) < oneway_pct;
		if (stacks) {
			snprintf(stackbuf, sizeof(stackbuf),
				 "fffff80312a4b%03x,fffff80312a4c010,7ffa1b2c%04x,7ffa1b2d0100,"
				 "7ff6e0001234",
				 (unsigned)(i % 4096), (unsigned)(rng_range(&seed, 65536)));
			c.cstack = stackbuf;
		}
		busy[ci] = busy[si] = at + c.dur + 1;
		rc = expand_call(sc, &c);
	}
out:
	free(cand);
	free(busy);
	free(starts);
	return rc;
}

/* ---- parse driver ---------------------------------------------------- */

static int
decl_lose(struct scenario *sc, const struct line_args *a)
{
	static const char *const keys[] = {"cpu", "from", "to", "buffers", NULL};
	struct loss l = {0};
	bool has_from, has_to;
	if (check_keys(sc, a, keys) || get_u32(sc, a, "cpu", 0, &l.cpu) ||
	    get_time(sc, a, "from", &l.from, &has_from) || get_time(sc, a, "to", &l.to, &has_to))
		return -1;
	if (!get(a, "cpu") || !has_from || !has_to || l.to <= l.from)
		return perr(sc, "lose needs cpu=, from= and to= (to after from)");
	if (l.cpu >= sc->cfg.cpus)
		return perr(sc, "cpu out of range");
	if (sc->nlosses == sizeof(sc->losses) / sizeof(sc->losses[0]))
		return perr(sc, "too many lose lines (at most 16)");
	l.buffers = parse_bool(get(a, "buffers"), false);
	sc->losses[sc->nlosses++] = l;
	return 0;
}

static int
parse_line(struct scenario *sc, char *line)
{
	char *kw;
	struct line_args a;
	if (tokenize(sc, line, &kw, &a))
		return -1;
	if (!kw)
		return 0;
	if (strcmp(kw, "trace") == 0)
		return decl_trace(sc, &a);
	sc->saw_decl = true;
	if (strcmp(kw, "process") == 0)
		return decl_process(sc, &a);
	if (strcmp(kw, "thread") == 0)
		return decl_thread(sc, &a);
	if (strcmp(kw, "image") == 0)
		return decl_image(sc, &a);
	if (strcmp(kw, "service") == 0)
		return decl_service(sc, &a);
	if (strcmp(kw, "call") == 0)
		return macro_call(sc, &a);
	if (strcmp(kw, "noise") == 0)
		return macro_noise(sc, &a);
	if (strcmp(kw, "lose") == 0)
		return decl_lose(sc, &a);
	if (isdigit((unsigned char)kw[0]))
		return timed_event(sc, kw, &a);
	return perr(sc, "unknown line kind '%s'", kw);
}

static int
cmp_ev(const void *x, const void *y)
{
	const struct ev *a = x, *b = y;
	if (a->ticks != b->ticks)
		return a->ticks < b->ticks ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Lifecycle events of declarations that happen during the trace. */
static int
add_lifecycle_events(struct scenario *sc)
{
	struct ev *e;
	for (size_t i = 0; i < sc->nprocs; i++) {
		const struct proc *p = &sc->procs[i];
		if (!p->rundown) {
			if (!(e = add_ev(sc, EV_PROC_START, p->start,
					 default_cpu(sc, p->by_pid, p->by_tid), p->by_pid,
					 p->by_tid)))
				return -1;
			e->ref = (int32_t)i;
			if (p->stack && add_stack_for(sc, e, p->stack))
				return -1;
		}
	}
	for (size_t i = 0; i < sc->nthrs; i++) {
		const struct thr *t = &sc->thrs[i];
		const struct proc *p = &sc->procs[t->proc];
		uint32_t cpu = default_cpu(sc, t->pid, t->tid);
		if (!t->rundown) {
			/* The first thread is created by the creator thread; later ones by
			 * themselves. */
			bool first = t->start == p->start && !p->rundown;
			if (!(e = add_ev(sc, EV_THREAD_START, t->start,
					 first ? default_cpu(sc, p->by_pid, p->by_tid) : cpu,
					 first ? p->by_pid : t->pid, first ? p->by_tid : t->tid)))
				return -1;
			e->ref = (int32_t)i;
		}
		if (t->has_end) {
			if (!(e = add_ev(sc, EV_THREAD_END, t->end, cpu, t->pid, t->tid)))
				return -1;
			e->ref = (int32_t)i;
		}
	}
	for (size_t i = 0; i < sc->nprocs; i++) {
		const struct proc *p = &sc->procs[i];
		if (p->has_end) {
			/* Logged by the exiting process's last thread; its first declared one here.
			 */
			uint32_t tid = 0;
			for (size_t k = 0; k < sc->nthrs; k++)
				if (sc->thrs[k].proc == (int32_t)i) {
					tid = sc->thrs[k].tid;
					break;
				}
			if (!(e = add_ev(sc, EV_PROC_END, p->end, default_cpu(sc, p->pid, tid),
					 p->pid, tid)))
				return -1;
			e->ref = (int32_t)i;
		}
	}
	for (size_t i = 0; i < sc->nimgs; i++) {
		const struct img *im = &sc->imgs[i];
		uint32_t tid = 0;
		for (size_t k = 0; k < sc->nthrs; k++)
			if (sc->thrs[k].pid == im->pid && sc->thrs[k].start <= im->at &&
			    (!sc->thrs[k].has_end || sc->thrs[k].end >= im->at)) {
				tid = sc->thrs[k].tid;
				break;
			}
		uint32_t cpu = default_cpu(sc, im->pid, tid);
		if (!im->rundown) {
			if (!(e = add_ev(sc, EV_IMAGE_LOAD, im->at, cpu, im->pid, tid)))
				return -1;
			e->ref = (int32_t)i;
		}
		if (im->has_unload) {
			if (!(e = add_ev(sc, EV_IMAGE_UNLOAD, im->unload, cpu, im->pid, tid)))
				return -1;
			e->ref = (int32_t)i;
		}
	}
	return 0;
}

int
scenario_parse(struct scenario **out, const char *name, const char *text, size_t len, char *err,
	       size_t errsz)
{
	struct scenario *sc = calloc(1, sizeof(*sc));
	*out = NULL;
	if (!sc) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	etl_writer_config_init(&sc->cfg);
	sc->dcend = true;
	sc->name = name;
	sc->err = err;
	sc->errsz = errsz;
	size_t pos = 0;
	char *line = malloc(len + 1);
	if (!line) {
		scenario_free(sc);
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	while (pos < len) {
		size_t e = pos;
		while (e < len && text[e] != '\n')
			e++;
		size_t n = e - pos;
		if (n && text[pos + n - 1] == '\r')
			n--;
		memcpy(line, text + pos, n);
		line[n] = 0;
		sc->lineno++;
		if (memchr(line, 0, n)) {
			perr(sc, "NUL byte in line");
			goto fail;
		}
		if (parse_line(sc, line))
			goto fail;
		pos = e + 1;
	}
	sc->lineno++;
	if (add_lifecycle_events(sc))
		goto fail;
	free(line);
	qsort(sc->evs, sc->nevs, sizeof(*sc->evs), cmp_ev);
	*out = sc;
	return 0;
fail:
	free(line);
	scenario_free(sc);
	return -1;
}

int
scenario_load_file(struct scenario **out, const char *path, char *err, size_t errsz)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	*out = NULL;
	if (!f) {
		snprintf(err, errsz, "%s: cannot open", path);
		return -1;
	}
	for (;;) {
		if (cap - len < 65536) {
			if (cap > (64u << 20)) {
				snprintf(err, errsz, "%s: larger than 64 MiB", path);
				goto fail;
			}
			char *nb = realloc(buf, cap + 65536 * 4);
			if (!nb) {
				snprintf(err, errsz, "out of memory");
				goto fail;
			}
			buf = nb;
			cap += 65536 * 4;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errsz, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	int rc = scenario_parse(out, path, buf ? buf : "", len, err, errsz);
	free(buf);
	return rc;
fail:
	fclose(f);
	free(buf);
	return -1;
}

void
scenario_config(const struct scenario *sc, struct etl_writer_config *cfg)
{
	*cfg = sc->cfg;
}

size_t
scenario_event_count(const struct scenario *sc)
{
	return sc->nevs;
}

void
scenario_free(struct scenario *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->npool; i++)
		free(sc->pool[i]);
	free(sc->pool);
	free(sc->procs);
	free(sc->thrs);
	free(sc->imgs);
	free(sc->svcs);
	free(sc->evs);
	free(sc->frames);
	free(sc->lines);
	free(sc);
}

/* ---- emission ------------------------------------------------------ */

struct emit_ctx {
	const struct scenario *sc;
	struct etl_writer *w;
	struct etl_bytes b;
	char *err;
	size_t errsz;
};

static int
werr(struct emit_ctx *x, const char *what)
{
	snprintf(x->err, x->errsz, "%s: %s", what, etl_writer_error(x->w));
	return -1;
}

static void
fill_process(const struct proc *p, struct etl_process *ep)
{
	memset(ep, 0, sizeof(*ep));
	ep->unique_key = p->key;
	ep->pid = p->pid;
	ep->ppid = p->ppid;
	ep->session = p->session;
	ep->dtb = 0x1AD000 + (uint64_t)p->pid * 0x1000;
	ep->flags = p->flags;
	ep->sid = p->sid;
	ep->image = p->image;
	ep->command_line = p->cmd;
	ep->package_full_name = p->pkg;
	ep->application_id = p->appid;
}

static void
fill_thread(const struct scenario *sc, const struct thr *t, struct etl_thread *et)
{
	bool is64 = sc->cfg.pointer_size == 8;
	uint64_t k = is64 ? 0xFFFFF60000000000ull : 0x9A000000u;
	uint64_t u = is64 ? 0x000000C000000000ull : 0x00A00000u;
	memset(et, 0, sizeof(*et));
	et->pid = t->pid;
	et->tid = t->tid;
	et->stack_base = k + (uint64_t)t->tid * 0x8000 + 0x6000;
	et->stack_limit = k + (uint64_t)t->tid * 0x8000;
	et->user_stack_base = u + (uint64_t)t->tid * 0x100000 + 0x100000;
	et->user_stack_limit = u + (uint64_t)t->tid * 0x100000 + 0xF0000;
	et->affinity = sc->cfg.cpus >= 64 ? UINT64_MAX : (1ull << sc->cfg.cpus) - 1;
	et->win32_start = is64 ? 0x00007FFA1B2C1000ull : 0x77A01000u;
	et->teb = is64 ? 0x000000A5F2000000ull + (uint64_t)t->tid * 0x2000
		       : 0x7FFD0000u + (uint32_t)t->tid * 0x1000u;
	et->sub_process_tag = t->tag;
	et->base_priority = 8;
	et->page_priority = 5;
	et->io_priority = 2;
	et->name = t->name;
}

static void
fill_image(const struct img *im, struct etl_image *ei)
{
	memset(ei, 0, sizeof(*ei));
	ei->base = im->base;
	ei->size = im->size;
	ei->pid = im->pid;
	ei->checksum = im->checksum;
	ei->time_date_stamp = im->stamp;
	ei->signature_level = 0x0C;
	ei->signature_type = 1;
	ei->default_base = im->base;
	ei->file_name = im->path;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '\\');
	return s ? s + 1 : path;
}

/* KernelTraceControl ImageID + DbgID_RSDS, FULL-framed with ThreadId -1 (merge style). */
static int
emit_image_ids(struct emit_ctx *x, const struct img *im, const struct etl_rec *at)
{
	struct etl_rec r = *at;
	unsigned width = x->sc->cfg.pointer_size;
	r.pid = im->pid;
	r.tid = 0xFFFFFFFFu;
	r.kernel_time = r.user_time = 0;
	etl_bytes_reset(&x->b);
	/* ProcessId inside ImageId is described as always 0 (docs/event-layouts.md#imageid). */
	if (!etl_enc_image_id(&x->b, width, im->base, im->size, 0, im->stamp, base_name(im->path)))
		return werr(x, "image id");
	if (etl_writer_full(x->w, &r, &etl_guid_image_id, 0, 0, 2, x->b.data, x->b.len))
		return werr(x, "image id");
	etl_bytes_reset(&x->b);
	if (!etl_enc_dbgid_rsds(&x->b, width, im->base, im->pid, &im->pdb_guid, im->age, im->pdb))
		return werr(x, "dbgid");
	if (etl_writer_full(x->w, &r, &etl_guid_image_id, 36, 0, 2, x->b.data, x->b.len))
		return werr(x, "dbgid");
	return 0;
}

static bool
alive_at(int64_t start, bool has_end, int64_t end, int64_t t)
{
	return start <= t && (!has_end || end >= t);
}

/* DCStart (at trace start) or DCEnd (at trace end) rundown of everything alive then. */
static int
emit_rundown(struct emit_ctx *x, int64_t t, bool end)
{
	const struct scenario *sc = x->sc;
	struct etl_rec r = {
	    .cpu = 0, .ticks = t, .pid = sc->cfg.header_pid, .tid = sc->cfg.header_tid};
	for (size_t i = 0; i < sc->nprocs; i++) {
		const struct proc *p = &sc->procs[i];
		if (end ? !alive_at(p->start, p->has_end, p->end, t) : !p->rundown)
			continue;
		struct etl_process ep;
		fill_process(p, &ep);
		if (etl_emit_process(x->w, &r,
				     end ? ETL_HOOK_PROCESS_DCEND : ETL_HOOK_PROCESS_DCSTART, &ep))
			return werr(x, "process rundown");
		for (size_t k = 0; k < sc->nthrs; k++) {
			const struct thr *th = &sc->thrs[k];
			if (th->proc != (int32_t)i ||
			    (end ? !alive_at(th->start, th->has_end, th->end, t) : !th->rundown))
				continue;
			struct etl_thread et;
			fill_thread(sc, th, &et);
			if (etl_emit_thread(x->w, &r,
					    end ? ETL_HOOK_THREAD_DCEND : ETL_HOOK_THREAD_DCSTART,
					    &et))
				return werr(x, "thread rundown");
		}
		for (size_t k = 0; k < sc->nimgs; k++) {
			const struct img *im = &sc->imgs[k];
			if (im->pid != p->pid || find_proc(sc, im->pid, im->at) != (int32_t)i ||
			    (end ? !alive_at(im->at, im->has_unload, im->unload, t) : !im->rundown))
				continue;
			struct etl_image ei;
			fill_image(im, &ei);
			if (etl_emit_image(
				x->w, &r, end ? ETL_HOOK_IMAGE_DCEND : ETL_HOOK_IMAGE_DCSTART, &ei))
				return werr(x, "image rundown");
			if (!end && im->image_id && emit_image_ids(x, im, &r))
				return -1;
		}
	}
	/* Kernel modules (pid 0) belong to no process. */
	for (size_t k = 0; k < sc->nimgs; k++) {
		const struct img *im = &sc->imgs[k];
		if (im->pid != 0 ||
		    (end ? !alive_at(im->at, im->has_unload, im->unload, t) : !im->rundown))
			continue;
		struct etl_image ei;
		fill_image(im, &ei);
		if (etl_emit_image(x->w, &r, end ? ETL_HOOK_IMAGE_DCEND : ETL_HOOK_IMAGE_DCSTART,
				   &ei))
			return werr(x, "image rundown");
	}
	return 0;
}

static const char *
lget(const struct line_args *a, const char *key, const char *def)
{
	const char *v = get(a, key);
	return v ? v : def;
}

static uint64_t
lnum(const struct line_args *a, const char *key, uint64_t def)
{
	uint64_t v;
	const char *s = get(a, key);
	return s && parse_uint(s, &v) ? v : def;
}

/* Activity id: the given GUID, or one derived from the thread so start/stop pair up. */
static void
activity_for(const struct line_args *a, uint32_t pid, uint32_t tid, struct etl_guid *g)
{
	const char *s = get(a, "activity");
	if (s && etl_guid_parse(g, s))
		return;
	memset(g, 0, sizeof(*g));
	g->data1 = 0xA1C00000u | (pid & 0xFFFF);
	g->data2 = (uint16_t)tid;
	g->data3 = 0x4000;
	g->data4[0] = 0x80;
	uint64_t n = lnum(a, "call", 0);
	for (int i = 0; i < 6; i++)
		g->data4[2 + i] = (uint8_t)(n >> (8 * (5 - i)));
}

/* FILETIME for a WMI creation-time field: "pid:N" (that process), or a number. */
static uint64_t
ctime_value(const struct scenario *sc, const struct line_args *a, const char *key, int64_t at)
{
	const char *s = get(a, key);
	uint64_t v;
	if (s && strncmp(s, "pid:", 4) == 0 && parse_uint(s + 4, &v) && v <= UINT32_MAX) {
		int32_t p = find_proc(sc, (uint32_t)v, at);
		return p >= 0 ? (uint64_t)sc->procs[p].created_ft : 0;
	}
	return s && parse_uint(s, &v) ? v : 0;
}

static int
emit_provider_event(struct emit_ctx *x, const struct ev *e, const struct etl_rec *r0)
{
	const struct scenario *sc = x->sc;
	const struct line_args *a = sc->lines[e->ref];
	struct etl_rec rr = *r0, *r = &rr;
	/* width=4 in a 64-bit trace: a WOW64 process's EVENT_HEADER32
	 * (docs/etl-layout.md#record-kinds). */
	if (e->kind == EV_EVENT)
		rr.width = (unsigned)lnum(a, "width", 0);
	if (rr.width != 0 && rr.width != 4 && rr.width != 8) {
		snprintf(x->err, x->errsz, "event: width must be 4 or 8");
		return -1;
	}
	struct etl_event_desc d;
	memset(&d, 0, sizeof(d));
	etl_bytes_reset(&x->b);

	if (e->kind == EV_RPC) {
		d.provider = etl_guid_rpc;
		d.id = (uint16_t)e->a;
		d.version = 1;
		d.channel = 0x10; /* Debug channel */
		d.level = 4;
		d.task = (e->a == 5 || e->a == 7) ? 1 : 2; /* RpcClientCall / RpcServerCall */
		d.opcode = e->a <= 6 ? 1 : 2;              /* Start / Stop */
		d.keyword = 0x4000000000000000ull;
		activity_for(a, e->pid, e->tid, &d.activity);
		if (e->a <= 6) {
			struct etl_rpc_call c = {0};
			const char *u = get(a, "uuid");
			c.interface_uuid = etl_guid_iwbemservices;
			if (u && !etl_guid_parse(&c.interface_uuid, u)) {
				snprintf(x->err, x->errsz, "rpc: bad uuid '%s'", u);
				return -1;
			}
			c.proc_num = (uint32_t)lnum(a, "opnum", 0);
			c.protocol = (uint32_t)lnum(a, "protocol", 3);
			c.network_address = lget(a, "netaddr", "");
			c.endpoint = lget(a, "endpoint", "");
			c.options = lget(a, "options", "");
			c.authn_level = (uint32_t)lnum(a, "authn", 6);
			c.authn_service = (uint32_t)lnum(a, "authsvc", 20);
			c.impersonation = (uint32_t)lnum(a, "imp", 3);
			etl_enc_rpc_call_start(&x->b, &c);
		} else {
			etl_enc_rpc_status(&x->b, (uint32_t)lnum(a, "status", 0));
		}
	} else if (e->kind == EV_WMI) {
		struct etl_wmi_activity w = {0};
		d.provider = etl_guid_wmi_activity;
		d.id = (uint16_t)e->a;
		d.level = e->a == 5857 ? 0 : 4;
		d.channel = e->a == 5857 ? 0x10 : 0x11; /* Operational / Trace */
		d.keyword = e->a == 5857 ? 0x8000000000000000ull : 0x4000000000000000ull;
		w.correlation_id = lget(a, "correlation", "{00000000-0000-0000-0000-000000000000}");
		w.group_operation_id = (uint32_t)lnum(a, "group", 0);
		w.operation_id = (uint32_t)lnum(a, "op", 0);
		w.operation = lget(a, "operation", "");
		w.client_machine = lget(a, "machine", "WORKSTATION");
		w.client_machine_fqdn = lget(a, "fqdn", "WORKSTATION");
		w.user = lget(a, "user", "WORKSTATION\\alice");
		w.client_pid = (uint32_t)lnum(a, "clientpid", 0);
		w.client_process_creation_time = ctime_value(sc, a, "clientctime", e->ticks);
		w.namespace_name = lget(a, "ns", "\\\\.\\root\\cimv2");
		w.is_local = parse_bool(get(a, "local"), true);
		w.host_id = (uint32_t)lnum(a, "hostid", 0);
		w.provider_name = lget(a, "provider", "CIMWin32");
		w.provider_guid = lget(a, "providerguid", "{d63a5850-8f16-11cf-9f47-00aa00bf345c}");
		w.path = lget(a, "path", "%systemroot%\\system32\\wbem\\cimwin32.dll");
		w.result_code = (uint32_t)lnum(a, "result", 0);
		w.class_name = lget(a, "class", "Win32_Process");
		w.method_name = lget(a, "method", "Create");
		w.implementation_class = lget(a, "impl", "Win32_Process");
		w.command_line = lget(a, "cmd", "");
		w.created_pid = (uint32_t)lnum(a, "createdpid", 0);
		w.created_process_creation_time = ctime_value(sc, a, "createdctime", e->ticks + 1);
		w.host_process = lget(a, "hostprocess", "WmiPrvSE.exe");
		w.process_id = (uint32_t)lnum(a, "processid", 0);
		w.provider_path =
		    lget(a, "providerpath", "%systemroot%\\system32\\wbem\\cimwin32.dll");
		w.code = (uint32_t)lnum(a, "code", 0);
		etl_enc_wmi_activity(&x->b, d.id, &w);
	} else { /* EV_EVENT */
		if (!etl_guid_parse(&d.provider, get(a, "provider"))) {
			snprintf(x->err, x->errsz, "event: bad provider GUID");
			return -1;
		}
		d.id = (uint16_t)lnum(a, "id", 0);
		d.version = (uint8_t)lnum(a, "version", 0);
		d.channel = (uint8_t)lnum(a, "channel", 0);
		d.level = (uint8_t)lnum(a, "level", 4);
		d.opcode = (uint8_t)lnum(a, "opcode", 0);
		d.task = (uint16_t)lnum(a, "task", 0);
		d.keyword = lnum(a, "keyword", 0);
		const char *act = get(a, "activity");
		if (act && !etl_guid_parse(&d.activity, act)) {
			snprintf(x->err, x->errsz, "event: bad activity GUID");
			return -1;
		}
		const char *hex = get(a, "data");
		for (size_t i = 0; hex && hex[i] && hex[i + 1]; i += 2) {
			char t[3] = {hex[i], hex[i + 1], 0};
			etl_bytes_u8(&x->b, (uint8_t)strtoul(t, NULL, 16));
		}
	}
	/* Extended items: stack=hex,... -> STACK_TRACE32/64; stackkey=N -> STACK_KEY32/64. */
	uint8_t ext_stack[8 + MAX_FRAMES * 8], ext_key[16];
	const char *st = get(a, "stack"), *sk = get(a, "stackkey");
	bool w64 = (r->width ? r->width : sc->cfg.pointer_size) == 8;
	if (st) {
		size_t n = 0, off = 8;
		memset(ext_stack, 0, 8); /* MatchId 0: kernel and user frames in one item */
		while (*st && n < MAX_FRAMES) {
			char *end;
			uint64_t f = strtoull(st, &end, 16);
			if (end == st)
				break;
			for (unsigned i = 0; i < (w64 ? 8u : 4u); i++)
				ext_stack[off++] = (uint8_t)(f >> (8 * i));
			n++;
			st = *end == ',' ? end + 1 : end;
		}
		d.ext[d.ext_count].type = w64 ? 6 : 5;
		d.ext[d.ext_count].size = (uint16_t)off;
		d.ext[d.ext_count].data = ext_stack;
		d.ext_count++;
	}
	if (sk) {
		uint64_t key = lnum(a, "stackkey", 0);
		memset(ext_key, 0, sizeof(ext_key));
		for (unsigned i = 0; i < 8; i++)
			ext_key[8 + i] = (uint8_t)(key >> (8 * i));
		/* STACK_KEY32 is MatchId, u32 key, u32 padding: 16 bytes either way. */
		d.ext[d.ext_count].type = w64 ? 18 : 17;
		d.ext[d.ext_count].size = 16;
		d.ext[d.ext_count].data = ext_key;
		d.ext_count++;
	}
	if (x->b.failed) {
		snprintf(x->err, x->errsz, "event payload too large");
		return -1;
	}
	if (etl_writer_event(x->w, r, &d, x->b.data, x->b.len))
		return werr(x, "provider event");
	return 0;
}

static int
emit_ev(struct emit_ctx *x, const struct ev *e)
{
	const struct scenario *sc = x->sc;
	struct etl_rec r = {.cpu = e->cpu, .ticks = e->ticks, .pid = e->pid, .tid = e->tid};
	unsigned width = sc->cfg.pointer_size;
	etl_bytes_reset(&x->b);
	switch (e->kind) {
	case EV_SEND:
	case EV_RECEIVE:
	case EV_WAIT_REPLY:
		etl_enc_alpc_msg(&x->b, e->a);
		if (etl_emit_alpc(x->w, &r,
				  e->kind == EV_SEND      ? 0x21
				  : e->kind == EV_RECEIVE ? 0x22
							  : 0x23,
				  x->b.data, x->b.len))
			return werr(x, "alpc");
		return 0;
	case EV_WAIT_NEW:
		etl_enc_alpc_wait_new(&x->b, e->a, e->str ? e->str : "", e->flag);
		if (etl_emit_alpc(x->w, &r, 0x24, x->b.data, x->b.len))
			return werr(x, "alpc");
		return 0;
	case EV_UNWAIT:
		etl_enc_alpc_unwait(&x->b, e->a);
		if (etl_emit_alpc(x->w, &r, 0x25, x->b.data, x->b.len))
			return werr(x, "alpc");
		return 0;
	case EV_ALPC_RAW:
		if (etl_emit_alpc(x->w, &r, (uint8_t)e->a, e->data, e->dlen))
			return werr(x, "alpc-raw");
		return 0;
	case EV_STACK:
		if (etl_emit_stackwalk(x->w, &r, e->event_ticks, e->pid, e->tid,
				       sc->frames + e->frames, e->nframes))
			return werr(x, "stack");
		return 0;
	case EV_STACKREF:
		etl_enc_stack_key_ref(&x->b, width, e->event_ticks, e->pid, e->tid, e->key);
		if (etl_writer_perfinfo(
			x->w, &r, e->flag ? ETL_HOOK_STACK_REF_USER : ETL_HOOK_STACK_REF_KERNEL, 2,
			x->b.data, x->b.len))
			return werr(x, "stackref");
		return 0;
	case EV_STACKDEF:
		etl_enc_stack_key_def(&x->b, width, e->key, sc->frames + e->frames, e->nframes);
		if (etl_writer_perfinfo(x->w, &r, (uint16_t)e->a, 2, x->b.data, x->b.len))
			return werr(x, "stackdef");
		return 0;
	case EV_RPC:
	case EV_WMI:
	case EV_EVENT: return emit_provider_event(x, e, &r);
	case EV_WPP: {
		const struct line_args *a = sc->lines[e->ref];
		struct etl_guid g;
		if (!etl_guid_parse(&g, get(a, "guid"))) {
			snprintf(x->err, x->errsz, "wpp: bad guid");
			return -1;
		}
		const char *hex = lget(a, "data", "");
		for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
			char t[3] = {hex[i], hex[i + 1], 0};
			etl_bytes_u8(&x->b, (uint8_t)strtoul(t, NULL, 16));
		}
		if (etl_writer_wpp(x->w, &r, &g, (uint16_t)lnum(a, "msg", 0), x->b.data, x->b.len))
			return werr(x, "wpp");
		return 0;
	}
	case EV_SETNAME:
		etl_enc_thread_setname(&x->b, e->pid, e->tid, e->str);
		if (etl_writer_system(x->w, &r, ETL_HOOK_THREAD_SETNAME, 2, x->b.data, x->b.len))
			return werr(x, "setname");
		return 0;
	case EV_PROC_START:
	case EV_PROC_END: {
		struct etl_process ep;
		fill_process(&sc->procs[e->ref], &ep);
		if (e->kind == EV_PROC_END)
			ep.exit_status = 0;
		if (etl_emit_process(x->w, &r,
				     e->kind == EV_PROC_START ? ETL_HOOK_PROCESS_START
							      : ETL_HOOK_PROCESS_END,
				     &ep))
			return werr(x, "process");
		return 0;
	}
	case EV_THREAD_START:
	case EV_THREAD_END: {
		struct etl_thread et;
		fill_thread(sc, &sc->thrs[e->ref], &et);
		if (etl_emit_thread(x->w, &r,
				    e->kind == EV_THREAD_START ? ETL_HOOK_THREAD_START
							       : ETL_HOOK_THREAD_END,
				    &et))
			return werr(x, "thread");
		return 0;
	}
	case EV_IMAGE_LOAD:
	case EV_IMAGE_UNLOAD: {
		struct etl_image ei;
		const struct img *im = &sc->imgs[e->ref];
		fill_image(im, &ei);
		if (etl_emit_image(x->w, &r,
				   e->kind == EV_IMAGE_LOAD ? ETL_HOOK_IMAGE_LOAD
							    : ETL_HOOK_IMAGE_UNLOAD,
				   &ei))
			return werr(x, "image");
		if (e->kind == EV_IMAGE_LOAD && im->image_id && emit_image_ids(x, im, &r))
			return -1;
		return 0;
	}
	default: break;
	}
	snprintf(x->err, x->errsz, "internal: unknown event kind %u", e->kind);
	return -1;
}

int
scenario_emit(const struct scenario *sc, struct etl_writer *w, char *err, size_t errsz)
{
	struct emit_ctx x = {.sc = sc, .w = w, .err = err, .errsz = errsz};
	int rc = -1;
	int64_t end = sc->cfg.start_ticks + sc->duration_ticks;

	bool dropping[16] = {false}, done[16] = {false};
	uint32_t lost = 0;

	if (emit_rundown(&x, sc->cfg.start_ticks, false))
		goto out;
	for (size_t i = 0; i < sc->nevs; i++) {
		const struct ev *e = &sc->evs[i];
		bool skip = false;
		for (size_t k = 0; k < sc->nlosses; k++) {
			const struct loss *l = &sc->losses[k];
			if (!l->buffers) {
				skip |= e->cpu == l->cpu && e->ticks >= l->from && e->ticks < l->to;
				continue;
			}
			/* Buffers in use on that CPU during the window are lost whole. */
			if (!dropping[k] && !done[k] && e->ticks >= l->from) {
				if (etl_writer_set_dropping(w, l->cpu, true))
					goto werr;
				dropping[k] = true;
			}
			if (dropping[k] && e->ticks >= l->to) {
				if (etl_writer_set_dropping(w, l->cpu, false))
					goto werr;
				dropping[k] = false;
				done[k] = true;
			}
		}
		if (skip) {
			lost++;
			continue;
		}
		if (emit_ev(&x, e))
			goto out;
	}
	for (size_t k = 0; k < sc->nlosses; k++)
		if (dropping[k] && etl_writer_set_dropping(w, sc->losses[k].cpu, false))
			goto werr;
	etl_writer_add_events_lost(w, lost);
	/* Trace end: 1 ms after the last event unless duration= says later. */
	if (sc->nevs && sc->evs[sc->nevs - 1].ticks + sc->cfg.perf_freq / 1000 > end)
		end = sc->evs[sc->nevs - 1].ticks + sc->cfg.perf_freq / 1000;
	if (sc->dcend && emit_rundown(&x, end, true))
		goto out;
	/* SystemConfig is logged when the kernel session stops
	 * (docs/event-layouts.md#systemconfig). */
	for (size_t i = 0; i < sc->nsvcs; i++) {
		const struct svc *s = &sc->svcs[i];
		struct etl_service es = {s->pid,     s->state,   s->tag,        s->name,
					 s->display, s->process, s->load_group, s->group};
		struct etl_rec r = {
		    .cpu = 0, .ticks = end, .pid = sc->cfg.header_pid, .tid = sc->cfg.header_tid};
		etl_bytes_reset(&x.b);
		if (!etl_enc_service(&x.b, 3, &es) ||
		    etl_writer_system(w, &r, ETL_HOOK_CONFIG_SERVICES, 3, x.b.data, x.b.len)) {
			werr(&x, "service");
			goto out;
		}
	}
	if (etl_writer_finish(w, end)) {
		werr(&x, "finish");
		goto out;
	}
	rc = 0;
	goto out;
werr:
	werr(&x, "lose");
out:
	etl_bytes_free(&x.b);
	return rc;
}
