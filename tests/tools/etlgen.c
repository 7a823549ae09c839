/* SPDX-License-Identifier: MIT */
/*
 * etlgen: write an .etl file from a scenario (docs/scenario-format.md), or
 * generate large benchmark traces by streaming: --bench-alpc N (N ALPC
 * request/reply conversations, a quarter of them with nested calls, with
 * process/thread/image rundown) and
 * --bench-size BYTES (a mixed trace of at least that size). Generation keeps
 * only a small heap of pending events plus one buffer per CPU in memory.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etl_writer.h"
#include "scenario.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: etlgen SCENARIO.scn -o OUT.etl\n"
		   "       etlgen --bench-alpc N [options] -o OUT.etl\n"
		   "       etlgen --bench-size BYTES [options] -o OUT.etl\n"
		   "options for the generators:\n"
		   "  --cpus N        processors (default 4)\n"
		   "  --seed N        PRNG seed (default 1)\n"
		   "  --buffer BYTES  buffer size (default 65536)\n"
		   "  --pointer 4|8   session pointer size (default 8)\n"
		   "  --compress      relogger-style compressed buffers\n"
		   "  --stacks        --bench-alpc: a stack walk after every Send\n"
		   "  --processes N   processes in the rundown (default 64)\n"
		   "  -q              no summary line\n");
}

static bool
parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	uint64_t mul = 1;
	if (*end == 'K' || *end == 'k')
		mul = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		mul = 1024 * 1024, end++;
	else if (*end == 'G' || *end == 'g')
		mul = 1024ull * 1024 * 1024, end++;
	if (errno || end == s || *end || *s == '-' || v > UINT64_MAX / mul)
		return false;
	*out = v * mul;
	return true;
}

/* ---- streaming generator ---------------------------------------------- */

enum gen_kind {
	G_SEND,
	G_RECEIVE,
	G_WAIT_REPLY,
	G_WAIT_NEW,
	G_UNWAIT,
	G_STACK,
	G_RPC_START,
	G_RPC_STOP,
	G_THREAD_START,
	G_THREAD_END,
	G_IMAGE_LOAD,
};

struct gev {
	int64_t ticks;
	uint64_t seq;
	uint32_t cpu, pid, tid, a;
	uint8_t kind;
};

struct heap {
	struct gev *v;
	size_t n, cap;
};

static bool
gev_less(const struct gev *a, const struct gev *b)
{
	return a->ticks != b->ticks ? a->ticks < b->ticks : a->seq < b->seq;
}

static int
heap_push(struct heap *h, const struct gev *e)
{
	if (h->n == h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 1024;
		struct gev *v = realloc(h->v, nc * sizeof(*v));
		if (!v)
			return -1;
		h->v = v;
		h->cap = nc;
	}
	size_t i = h->n++;
	h->v[i] = *e;
	while (i && gev_less(&h->v[i], &h->v[(i - 1) / 2])) {
		struct gev t = h->v[i];
		h->v[i] = h->v[(i - 1) / 2];
		h->v[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
	return 0;
}

static struct gev
heap_pop(struct heap *h)
{
	struct gev top = h->v[0];
	h->v[0] = h->v[--h->n];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && gev_less(&h->v[l], &h->v[m]))
			m = l;
		if (r < h->n && gev_less(&h->v[r], &h->v[m]))
			m = r;
		if (m == i)
			break;
		struct gev t = h->v[i];
		h->v[i] = h->v[m];
		h->v[m] = t;
		i = m;
	}
	return top;
}

static uint64_t
rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

struct gen {
	struct etl_writer *w;
	const struct etl_writer_config *cfg;
	struct heap heap;
	struct etl_bytes b;
	uint64_t seq, seed;
	uint32_t nprocs;
	uint32_t threads_per_proc;
	int64_t *busy; /* per thread (proc * threads_per_proc + k): in a call until then */
	bool mixed;
	bool stacks; /* a stack walk after every Send (--stacks) */
	uint32_t extra_tid;
};

static uint32_t
gen_pid(uint32_t i)
{
	return 1000 + 4 * i;
}

static uint32_t
gen_tid(uint32_t proc, uint32_t t)
{
	return 20000 + 64 * proc + 4 * t;
}

static int
gen_push(struct gen *g, uint8_t kind, int64_t ticks, uint32_t pid, uint32_t tid, uint32_t a)
{
	struct gev e = {ticks, g->seq++, (tid / 4) % g->cfg->cpus, pid, tid, a, kind};
	return heap_push(&g->heap, &e);
}

static int
gen_write(struct gen *g, const struct gev *e)
{
	struct etl_rec r = {.cpu = e->cpu, .ticks = e->ticks, .pid = e->pid, .tid = e->tid};
	struct etl_bytes *b = &g->b;
	etl_bytes_reset(b);
	switch (e->kind) {
	case G_SEND:
	case G_RECEIVE:
	case G_WAIT_REPLY:
		etl_enc_alpc_msg(b, e->a);
		return etl_emit_alpc(g->w, &r, (uint8_t)(0x21 + e->kind - G_SEND), b->data, b->len);
	case G_WAIT_NEW:
		etl_enc_alpc_wait_new(b, 1, "\\RPC Control\\LRPC-bench", false);
		return etl_emit_alpc(g->w, &r, 0x24, b->data, b->len);
	case G_UNWAIT:
		etl_enc_alpc_unwait(b, 0);
		return etl_emit_alpc(g->w, &r, 0x25, b->data, b->len);
	case G_STACK: {
		uint64_t frames[12];
		bool w64 = g->cfg->pointer_size == 8;
		for (unsigned i = 0; i < 12; i++)
			frames[i] = i < 5 ? (w64 ? 0xFFFFF80312A40000ull : 0x82A40000u) +
						0x130 * i + (e->a & 0xFF)
					  : (w64 ? 0x00007FFA1B2C0000ull : 0x77A10000u) +
						0x4410 * i + (e->a & 0xFFF);
		return etl_emit_stackwalk(g->w, &r, e->ticks, e->pid, e->tid, frames, 12);
	}
	case G_RPC_START:
	case G_RPC_STOP: {
		struct etl_event_desc d;
		memset(&d, 0, sizeof(d));
		d.provider = etl_guid_rpc;
		d.id = e->kind == G_RPC_START ? 5 : 7;
		d.version = 1;
		d.level = 4;
		d.task = 1;
		d.opcode = e->kind == G_RPC_START ? 1 : 2;
		d.keyword = 0x4000000000000000ull;
		d.activity.data1 = e->a;
		d.activity.data2 = (uint16_t)e->tid;
		if (e->kind == G_RPC_START) {
			struct etl_rpc_call c = {
			    etl_guid_iwbemservices, 24, 3, "", "LRPC-bench", "", 6, 20, 3};
			etl_enc_rpc_call_start(b, &c);
		} else {
			etl_enc_rpc_status(b, 0);
		}
		return etl_writer_event(g->w, &r, &d, b->data, b->len);
	}
	case G_THREAD_START:
	case G_THREAD_END: {
		struct etl_thread t = {0};
		t.pid = e->pid;
		t.tid = e->a;
		t.stack_base = 0xFFFFF60000006000ull;
		t.win32_start = 0x00007FFA1B2C1000ull;
		t.base_priority = 8;
		return etl_emit_thread(
		    g->w, &r,
		    e->kind == G_THREAD_START ? ETL_HOOK_THREAD_START : ETL_HOOK_THREAD_END, &t);
	}
	case G_IMAGE_LOAD: {
		struct etl_image im = {0};
		im.base = g->cfg->pointer_size == 8
			      ? 0x00007FFA20000000ull + (uint64_t)(e->a % 4096) * 0x100000
			      : 0x10000000u + (uint32_t)(e->a % 1024) * 0x100000u;
		im.size = 0x80000;
		im.pid = e->pid;
		im.time_date_stamp = 0x5F000000;
		im.default_base = im.base;
		im.file_name = "\\Device\\HarddiskVolume3\\Windows\\System32\\bench_plugin.dll";
		return etl_emit_image(g->w, &r, ETL_HOOK_IMAGE_LOAD, &im);
	}
	}
	return -1;
}

/* Write every pending event earlier than @limit (all of them when INT64_MAX). */
static int
gen_drain(struct gen *g, int64_t limit)
{
	while (g->heap.n && g->heap.v[0].ticks < limit) {
		struct gev e = heap_pop(&g->heap);
		if (gen_write(g, &e))
			return -1;
	}
	return 0;
}

static int
gen_rundown(struct gen *g, int64_t t, bool end)
{
	struct etl_rec r = {.cpu = 0, .ticks = t, .pid = 4, .tid = g->cfg->header_tid};
	unsigned ptr = g->cfg->pointer_size;
	for (uint32_t i = 0; i < g->nprocs; i++) {
		char image[32], cmd[96];
		snprintf(image, sizeof(image), "bench%03u.exe", i);
		snprintf(cmd, sizeof(cmd), "C:\\bench\\bench%03u.exe --worker %u", i, i);
		struct etl_process p = {0};
		p.unique_key = (ptr == 8 ? 0xFFFFA08C10000080ull : 0x86100080u) + 0x1000ull * i;
		p.pid = gen_pid(i);
		p.ppid = 700;
		p.session = 1;
		p.sid = "S-1-5-21-1004336348-1177238915-682003330-1001";
		p.image = image;
		p.command_line = cmd;
		if (etl_emit_process(g->w, &r,
				     end ? ETL_HOOK_PROCESS_DCEND : ETL_HOOK_PROCESS_DCSTART, &p))
			return -1;
		for (uint32_t k = 0; k < g->threads_per_proc; k++) {
			struct etl_thread th = {0};
			th.pid = p.pid;
			th.tid = gen_tid(i, k);
			th.stack_base = 0xFFFFF60000006000ull + 0x8000ull * th.tid;
			th.win32_start = 0x00007FFA1B2C1000ull;
			th.base_priority = 8;
			if (etl_emit_thread(g->w, &r,
					    end ? ETL_HOOK_THREAD_DCEND : ETL_HOOK_THREAD_DCSTART,
					    &th))
				return -1;
		}
		static const char *const dlls[3] = {
		    "\\Device\\HarddiskVolume3\\Windows\\System32\\ntdll.dll",
		    "\\Device\\HarddiskVolume3\\Windows\\System32\\kernel32.dll",
		    "\\Device\\HarddiskVolume3\\Windows\\System32\\rpcrt4.dll"};
		for (uint32_t k = 0; k < 3; k++) {
			struct etl_image im = {0};
			im.base = 0x00007FFA1B000000ull + 0x1000000ull * k;
			if (ptr == 4)
				im.base = 0x77000000u + 0x200000u * k;
			im.size = 0x1F0000;
			im.pid = p.pid;
			im.time_date_stamp = 0x5F000000 + k;
			im.default_base = im.base;
			im.file_name = dlls[k];
			if (etl_emit_image(
				g->w, &r, end ? ETL_HOOK_IMAGE_DCEND : ETL_HOOK_IMAGE_DCSTART, &im))
				return -1;
		}
	}
	return 0;
}

/*
 * The next thread, from @drawn on, that is in no synchronous call at @at and
 * not in a process of @avoid (the processes already on the call path): a
 * thread makes or serves one synchronous call at a time. UINT32_MAX if none.
 */
static uint32_t
gen_free_thread(const struct gen *g, uint32_t drawn, int64_t at, const uint32_t *avoid,
		unsigned navoid)
{
	uint32_t nthreads = g->nprocs * g->threads_per_proc, t = drawn % nthreads;
	for (uint32_t n = 0; n < nthreads; n++, t = (t + 1) % nthreads) {
		bool excluded = g->busy[t] > at;
		for (unsigned k = 0; k < navoid && !excluded; k++)
			excluded = t / g->threads_per_proc == avoid[k];
		if (!excluded)
			return t;
	}
	return UINT32_MAX;
}

/* Deepest nesting of --bench-alpc calls: client -> broker -> provider -> backend. */
#define GEN_MAX_DEPTH 3

/*
 * One synchronous call from thread @c to thread @s (indexes proc *
 * threads_per_proc + k) over [at, at + dur], its ID @msg. In --bench-alpc
 * traces the server, while serving, makes its own call to a third process
 * as WMI and RPC brokers do (half the requests, a quarter of the nested
 * ones), so `chains` has real trees. The nested call lies inside the serving
 * window, and the thread has no other call open meanwhile.
 */
static int
gen_call(struct gen *g, uint64_t i, uint32_t *path, unsigned depth, uint32_t c, uint32_t s,
	 int64_t at, int64_t dur)
{
	uint32_t tpp = g->threads_per_proc;
	uint32_t cpid = gen_pid(c / tpp), ctid = gen_tid(c / tpp, c % tpp);
	uint32_t spid = gen_pid(s / tpp), stid = gen_tid(s / tpp, s % tpp);
	int64_t lat = dur / 10;
	uint32_t msg = (uint32_t)(0x1000 + i) + 0x40000000u * depth;
	int rc = 0;
	bool rpc = g->mixed && i % 4 == 0;
	g->busy[c] = at + dur + 1 > g->busy[c] ? at + dur + 1 : g->busy[c];
	g->busy[s] = at + dur;
	if (rpc)
		rc |= gen_push(g, G_RPC_START, at, cpid, ctid, (uint32_t)i);
	rc |= gen_push(g, G_SEND, at, cpid, ctid, msg);
	if (g->mixed)
		rc |= gen_push(g, G_STACK, at, cpid, ctid, msg);
	else if (g->stacks) /* requests come from 32 call sites (16 for nested ones) */
		rc |= gen_push(g, G_STACK, at, cpid, ctid,
			       (uint32_t)(depth ? 0x400 + i % 16 : i % 32));
	rc |= gen_push(g, G_WAIT_REPLY, at, cpid, ctid, msg);
	rc |= gen_push(g, G_UNWAIT, at + lat, spid, stid, 0);
	rc |= gen_push(g, G_RECEIVE, at + lat, spid, stid, msg);
	path[depth + 1] = s / tpp;
	if (!g->mixed && depth + 1 < GEN_MAX_DEPTH && rng(&g->seed) % 4 == 0) {
		uint32_t n = gen_free_thread(g, (uint32_t)rng(&g->seed), at, path, depth + 2);
		if (n != UINT32_MAX)
			rc |= gen_call(g, i, path, depth + 1, s, n, at + 2 * lat, dur - 4 * lat);
	}
	rc |= gen_push(g, G_SEND, at + dur - lat, spid, stid, msg);
	if (g->stacks) /* replies from 8 server call sites */
		rc |= gen_push(g, G_STACK, at + dur - lat, spid, stid, (uint32_t)(0x800 + i % 8));
	rc |= gen_push(g, G_WAIT_NEW, at + dur - lat, spid, stid, 1);
	rc |= gen_push(g, G_UNWAIT, at + dur, cpid, ctid, 0);
	rc |= gen_push(g, G_RECEIVE, at + dur, cpid, ctid, msg);
	if (rpc)
		rc |= gen_push(g, G_RPC_STOP, at + dur, cpid, ctid, (uint32_t)i);
	return rc;
}

/* One request/reply conversation starting at @at (and mixed extras in --bench-size). */
static int
gen_conversation(struct gen *g, uint64_t i, int64_t at)
{
	uint32_t cp = (uint32_t)(rng(&g->seed) % g->nprocs);
	uint32_t sp = (uint32_t)(rng(&g->seed) % (g->nprocs - 1));
	if (sp >= cp)
		sp++;
	uint32_t ck = (uint32_t)(rng(&g->seed) % g->threads_per_proc);
	uint32_t sk = (uint32_t)(rng(&g->seed) % g->threads_per_proc);
	int64_t f = g->cfg->perf_freq;
	int64_t dur = f / 20000 + (int64_t)(rng(&g->seed) % (uint64_t)(f / 500)); /* 50 us..2 ms */
	/* Client and server in different processes; no free thread: skip this slot. */
	uint32_t path[GEN_MAX_DEPTH + 1];
	uint32_t c = gen_free_thread(g, cp * g->threads_per_proc + ck, at, NULL, 0);
	if (c == UINT32_MAX)
		return 0;
	path[0] = c / g->threads_per_proc;
	uint32_t s = gen_free_thread(g, sp * g->threads_per_proc + sk, at, path, 1);
	if (s == UINT32_MAX)
		return 0;
	int rc = gen_call(g, i, path, 0, c, s, at, dur);
	uint32_t cpid = gen_pid(path[0]), ctid = gen_tid(path[0], c % g->threads_per_proc);
	if (g->mixed && i % 64 == 0) {
		uint32_t ntid = 0x100000 + 4 * g->extra_tid++;
		rc |= gen_push(g, G_THREAD_START, at, cpid, ctid, ntid);
		rc |= gen_push(g, G_THREAD_END, at + dur, cpid, ctid, ntid);
	}
	if (g->mixed && i % 256 == 0)
		rc |= gen_push(g, G_IMAGE_LOAD, at + dur / 10, cpid, ctid, (uint32_t)i);
	return rc;
}

static int
run_bench(const char *out, uint64_t conversations, uint64_t target_bytes, uint32_t cpus,
	  uint64_t seed, uint32_t buffer, uint32_t pointer, bool compress, uint32_t nprocs,
	  bool stacks, bool quiet)
{
	struct etl_writer_config cfg;
	struct gen g = {0};
	int rc = 1;
	etl_writer_config_init(&cfg);
	cfg.cpus = cpus;
	cfg.buffer_size = buffer;
	cfg.pointer_size = pointer;
	cfg.compress = compress;
	if (nprocs < 2) {
		fprintf(stderr, "etlgen: --processes must be at least 2\n");
		return 2;
	}
	if (etl_writer_open_file(&g.w, out, &cfg))
		return 1;
	g.cfg = etl_writer_config_get(g.w);
	g.seed = seed;
	g.nprocs = nprocs;
	g.threads_per_proc = 4;
	g.busy = calloc((size_t)nprocs * g.threads_per_proc, sizeof(*g.busy));
	if (!g.busy) {
		etl_writer_free(g.w);
		return 1;
	}
	g.mixed = target_bytes != 0;
	g.stacks = stacks;
	if (gen_rundown(&g, cfg.start_ticks, false))
		goto fail;
	int64_t at = cfg.start_ticks + cfg.perf_freq / 1000;
	uint64_t i = 0;
	for (;; i++) {
		if (target_bytes ? etl_writer_bytes_written(g.w) >= target_bytes
				 : i >= conversations)
			break;
		if (gen_drain(&g, at) || gen_conversation(&g, i, at))
			goto fail;
		at += cfg.perf_freq / 100000 + (int64_t)(rng(&g.seed) % 400); /* ~30 us apart */
	}
	if (gen_drain(&g, INT64_MAX))
		goto fail;
	int64_t end = at + cfg.perf_freq / 100;
	if (gen_rundown(&g, end, true) || etl_writer_finish(g.w, end))
		goto fail;
	if (!quiet)
		printf("%s: %" PRIu64 " conversations, %" PRIu64 " records, %u buffers, %" PRIu64
		       " bytes\n",
		       out, i, etl_writer_record_count(g.w), etl_writer_buffer_count(g.w),
		       etl_writer_bytes_written(g.w));
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "etlgen: %s\n", etl_writer_error(g.w));
out:
	etl_writer_free(g.w);
	etl_bytes_free(&g.b);
	free(g.heap.v);
	free(g.busy);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *out = NULL, *scn = NULL;
	uint64_t bench_alpc = 0, bench_size = 0, v;
	uint64_t seed = 1;
	uint32_t cpus = 4, buffer = 65536, pointer = 8, nprocs = 64;
	bool compress = false, quiet = false, bench = false, stacks = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "-o") == 0 && next) {
			out = argv[++i];
		} else if (strcmp(a, "-q") == 0) {
			quiet = true;
		} else if (strcmp(a, "--compress") == 0) {
			compress = true;
		} else if (strcmp(a, "--stacks") == 0) {
			stacks = true;
		} else if (next && (strcmp(a, "--bench-alpc") == 0 ||
				    strcmp(a, "--bench-size") == 0 || strcmp(a, "--cpus") == 0 ||
				    strcmp(a, "--seed") == 0 || strcmp(a, "--buffer") == 0 ||
				    strcmp(a, "--pointer") == 0 || strcmp(a, "--processes") == 0)) {
			if (!parse_size(next, &v)) {
				fprintf(stderr, "etlgen: bad number for %s: %s\n", a, next);
				return 2;
			}
			i++;
			if (strcmp(a, "--bench-alpc") == 0)
				bench_alpc = v, bench = true;
			else if (strcmp(a, "--bench-size") == 0)
				bench_size = v, bench = true;
			else if (strcmp(a, "--seed") == 0)
				seed = v;
			else if (v > UINT32_MAX) {
				fprintf(stderr, "etlgen: %s too large\n", a);
				return 2;
			} else if (strcmp(a, "--cpus") == 0)
				cpus = (uint32_t)v;
			else if (strcmp(a, "--buffer") == 0)
				buffer = (uint32_t)v;
			else if (strcmp(a, "--pointer") == 0)
				pointer = (uint32_t)v;
			else
				nprocs = (uint32_t)v;
		} else if (a[0] != '-' && !scn) {
			scn = a;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!out || (bench == (scn != NULL)) || (bench_alpc && bench_size)) {
		usage(stderr);
		return 2;
	}
	if (bench)
		return run_bench(out, bench_alpc, bench_size, cpus, seed, buffer, pointer, compress,
				 nprocs, stacks, quiet);

	char err[512];
	struct scenario *sc;
	struct etl_writer_config cfg;
	struct etl_writer *w;
	if (scenario_load_file(&sc, scn, err, sizeof(err))) {
		fprintf(stderr, "etlgen: %s\n", err);
		return 1;
	}
	scenario_config(sc, &cfg);
	if (etl_writer_open_file(&w, out, &cfg)) {
		scenario_free(sc);
		return 1;
	}
	int rc = scenario_emit(sc, w, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "etlgen: %s\n", err);
		remove(out);
	} else if (!quiet) {
		printf("%s: %zu timed events, %" PRIu64 " records, %u buffers, %" PRIu64 " bytes\n",
		       out, scenario_event_count(sc), etl_writer_record_count(w),
		       etl_writer_buffer_count(w), etl_writer_bytes_written(w));
	}
	etl_writer_free(w);
	scenario_free(sc);
	return rc ? 1 : 0;
}
