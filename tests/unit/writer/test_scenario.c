/* SPDX-License-Identifier: MIT */
/*
 * The scenario language: error messages with line numbers, macro expansion
 * (call, noise) checked through the reader, low-level events one by one, and
 * "fixtures are up to date": every fixtures/scenarios/NAME.scn regenerates
 * fixtures/NAME.etl byte for byte (run from the source root).
 */
#include <stdlib.h>
#include <string.h>

#include "alpcscope/reader.h"
#include "check.h"
#include "etl_writer.h"
#include "scenario.h"

/* Parse + emit into memory; returns the file (free()) or NULL with @err set. */
static uint8_t *
build(const char *text, size_t *size, char *err, size_t errsz)
{
	struct scenario *sc;
	struct etl_writer *w;
	struct etl_writer_config cfg;
	uint8_t *out = NULL;
	*size = 0;
	if (scenario_parse(&sc, "t.scn", text, strlen(text), err, errsz))
		return NULL;
	scenario_config(sc, &cfg);
	if (etl_writer_open_memory(&w, &cfg) == 0) {
		if (scenario_emit(sc, w, err, errsz) == 0)
			out = etl_writer_take_memory(w, size);
		etl_writer_free(w);
	}
	scenario_free(sc);
	return out;
}

static void
expect_error(const char *text, const char *needle)
{
	char err[256] = "";
	size_t size;
	uint8_t *d = build(text, &size, err, sizeof(err));
	CHECK(d == NULL);
	if (!strstr(err, needle))
		fprintf(stderr, "expected '%s' in '%s'\n", needle, err);
	CHECK(strstr(err, needle) != NULL);
	free(d);
}

struct counts {
	unsigned alpc[6]; /* send, receive, wait-reply, wait-new, unwait, other */
	unsigned stacks, proc_start, thread_start, image_load, rpc, wmi, total;
	uint32_t port_is_utf16;
};

static void
count(const uint8_t *data, size_t size, struct counts *c)
{
	struct alpcscope_reader *r;
	const struct alpcscope_event *ev;
	memset(c, 0, sizeof(*c));
	CHECK_EQ_U64(alpcscope_reader_open_memory(&r, data, size, NULL, NULL), ALPCSCOPE_OK);
	while (alpcscope_reader_next(r, &ev, NULL) == ALPCSCOPE_OK) {
		c->total++;
		if (ev->is_kernel && ev->group == 0x1A)
			c->alpc[ev->opcode >= 0x21 && ev->opcode <= 0x25 ? ev->opcode - 0x21 : 5]++;
		if (ev->is_kernel && ev->hook_id == 0x1A24 && ev->payload_size > 6)
			c->port_is_utf16 = ev->payload[5] == 0;
		if (ev->is_kernel && ev->hook_id == 0x1820)
			c->stacks++;
		if (ev->is_kernel && ev->hook_id == 0x0301)
			c->proc_start++;
		if (ev->is_kernel && ev->hook_id == 0x0501)
			c->thread_start++;
		if (ev->is_kernel && ev->hook_id == 0x030A)
			c->image_load++;
		if (!ev->is_kernel && ev->provider.data1 == 0x6ad52b32)
			c->rpc++;
		if (!ev->is_kernel && ev->provider.data1 == 0x1418ef04)
			c->wmi++;
	}
	CHECK_EQ_U64(alpcscope_reader_stats(r)->diagnostics, 0);
	alpcscope_reader_free(r);
}

static const char base[] =
    "trace cpus=2 buffer=8K start=2024-05-01T10:00:00Z\n"
    "process pid=100 ppid=4 image=client.exe cmd=\"client.exe\"\n"
    "thread 100/104 cpu=0\n"
    "process pid=200 ppid=4 image=server.exe cmd='\"C:\\srv\\server.exe\" -x'\n"
    "thread 200/204 cpu=1\n"
    "thread 200/208 cpu=1\n";

static void
macros(void)
{
	char text[4096], err[256];
	size_t size;
	struct counts c;

	snprintf(text, sizeof(text), "%s%s", base,
		 "call client=100/104 server=200/204 msg=7 at=1.0 dur=0.002 "
		 "cstack=fffff80312c3e1a4,7ffa1b34f7e4 port=\"\\RPC Control\\x\"\n");
	uint8_t *d = build(text, &size, err, sizeof(err));
	CHECK(d != NULL);
	if (d) {
		count(d, size, &c);
		CHECK_EQ_U64(c.alpc[0], 2); /* request + reply */
		CHECK_EQ_U64(c.alpc[1], 2);
		CHECK_EQ_U64(c.alpc[2], 1);
		CHECK_EQ_U64(c.alpc[3], 1);
		CHECK_EQ_U64(c.alpc[4], 2);
		CHECK_EQ_U64(c.stacks, 1);
		CHECK_EQ_U64(c.port_is_utf16, 1);
	}
	free(d);

	/* Broken sequences, one event at a time; ANSI port name variant. */
	snprintf(text, sizeof(text), "%s%s", base,
		 "0.5 send 100/104 msg=9\n"
		 "0.6 receive 200/204 msg=11\n"
		 "0.7 wait-new 200/208 server=1 port=abc ansi=yes\n"
		 "0.8 alpc-raw 200/208 op=41 data=01020304\n"
		 "call client=100/104 server=200/204 msg=12 at=1.0 dur=0.001 oneway=yes\n"
		 "call client=100/104 server=200/204 msg=13 at=1.1 dur=0.001 noreply=yes\n");
	d = build(text, &size, err, sizeof(err));
	CHECK(d != NULL);
	if (d) {
		count(d, size, &c);
		CHECK_EQ_U64(c.alpc[0], 3);
		CHECK_EQ_U64(c.alpc[1], 3);
		CHECK_EQ_U64(c.alpc[2], 1);
		CHECK_EQ_U64(c.alpc[3], 1);
		CHECK_EQ_U64(c.alpc[4], 1);
		CHECK_EQ_U64(c.alpc[5], 1);
		CHECK_EQ_U64(c.port_is_utf16, 0);
	}
	free(d);

	/* Noise: count calls, each 8 events unless one-way (2). */
	snprintf(text, sizeof(text), "%s%s", base,
		 "process pid=300 ppid=4 image=other.exe\nthread 300/304\n"
		 "noise alpc count=200 seed=3 between=0.1..2.0 processes=100,200,300 oneway=0\n");
	d = build(text, &size, err, sizeof(err));
	CHECK(d != NULL);
	if (d) {
		count(d, size, &c);
		CHECK_EQ_U64(c.alpc[0], 400);
		CHECK_EQ_U64(c.alpc[1], 400);
	}
	free(d);

	/* Process created by a given thread, its thread and image; RPC and WMI. */
	snprintf(text, sizeof(text), "%s%s", base,
		 "process pid=400 ppid=200 image=notepad.exe start=1.0 by=200/204 stack=7ffa1\n"
		 "thread 400/404 start=1.0\n"
		 "image pid=400 base=0x7ff7b8c90000 path=\"\\Device\\x\\notepad.exe\" at=1.0001 "
		 "pdb=notepad.pdb\n"
		 "0.9 rpc-client-start 100/104 opnum=24 endpoint=LRPC-1\n"
		 "0.95 rpc-client-stop 100/104 status=0\n"
		 "0.96 wmi 200/204 id=23 createdpid=400 createdctime=pid:400 clientpid=100\n");
	d = build(text, &size, err, sizeof(err));
	CHECK(d != NULL);
	if (d) {
		count(d, size, &c);
		CHECK_EQ_U64(c.proc_start, 1);
		CHECK_EQ_U64(c.thread_start, 1);
		CHECK_EQ_U64(c.image_load, 1);
		CHECK_EQ_U64(c.stacks, 1);
		CHECK_EQ_U64(c.rpc, 2);
		CHECK_EQ_U64(c.wmi, 1);
	} else {
		fprintf(stderr, "%s\n", err);
	}
	free(d);
}

static void
errors(void)
{
	expect_error("trace cpus=2\nbogus x=1\n", "t.scn:2: unknown line kind 'bogus'");
	expect_error("process pid=1 image=a.exe\ntrace cpus=2\n", "t.scn:2:");
	expect_error("trace cpus=2 pointer=6\n", "pointer size");
	expect_error("process pid=1\n", "needs pid= and image=");
	expect_error("thread 5/6\n", "no process 5");
	expect_error("process pid=1 image=a start=1.0\n", "by=PID/TID");
	expect_error("process pid=1 image=a\n1.0 send 1/2 msg=x\n", "bad number for msg");
	expect_error("process pid=1 image=a\n1.0 teleport 1/2\n", "unknown event kind");
	expect_error("process pid=1 image=a cmd=\"open\n", "unterminated quote");
	expect_error("trace cpus=2\nprocess pid=1 image=a\n1.0 send 1/2 msg=1 cpu=7\n",
		     "cpu 7 out of range");
	expect_error(
	    "trace pointer=4\nprocess pid=1 image=a\n1.0 stack 1/2 frames=fffff80312c3e1a4\n",
	    "does not fit a 32-bit trace");
	expect_error("process pid=1 image=a\n1.0 send 1/2 msg=1 color=red\n", "");
	expect_error("noise alpc count=5 between=1..2 processes=1\n", "two threads");
	/* A single event larger than 0xFFFF is refused by the writer. */
	char *big = malloc(0x20000 + 100);
	strcpy(big, "process pid=1 image=a\n1.0 alpc-raw 1/2 op=38 data=");
	size_t n = strlen(big);
	memset(big + n, 'a', 0x1FFF0);
	big[n + 0x1FFF0] = '\n';
	big[n + 0x1FFF1] = 0;
	expect_error(big, "0xFFFF");
	free(big);
}

static uint8_t *
slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *d = NULL;
	*size = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0) {
		long n = ftell(f);
		if (n > 0 && fseek(f, 0, SEEK_SET) == 0 && (d = malloc((size_t)n)) &&
		    fread(d, 1, (size_t)n, f) == (size_t)n)
			*size = (size_t)n;
	}
	fclose(f);
	return d;
}

static void
fixtures_up_to_date(void)
{
	static const char *const names[] = {
	    "wmi-notepad",       "wmi-rpc",     "pid-reuse",      "orphans", "deep-nesting",
	    "basic-compressed",  "basic-32bit", "broker-answers", "handoff", "dropped-reuse",
	    "wmi-notepad-lossy", "symbols-64",  "symbols-32"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char scn[256], etl[256], err[256];
		size_t scn_size, etl_size, size;
		snprintf(scn, sizeof(scn), "fixtures/scenarios/%s.scn", names[i]);
		snprintf(etl, sizeof(etl), "fixtures/%s.etl", names[i]);
		uint8_t *text = slurp(scn, &scn_size), *want = slurp(etl, &etl_size);
		CHECK(text && want);
		if (text && want) {
			char *t = malloc(scn_size + 1);
			memcpy(t, text, scn_size);
			t[scn_size] = 0;
			uint8_t *got = build(t, &size, err, sizeof(err));
			bool same = got && size == etl_size && memcmp(got, want, size) == 0;
			if (!same)
				fprintf(stderr, "%s is stale: run etlgen %s -o %s (%s)\n", etl, scn,
					etl, got ? "bytes differ" : err);
			CHECK(same);
			free(got);
			free(t);
		}
		free(text);
		free(want);
	}
}

int
main(void)
{
	macros();
	errors();
	fixtures_up_to_date();
	return check_summary();
}
