/* SPDX-License-Identifier: MIT */
/*
 * The process graph writer (lib/output/dot_writer.c) on a scenario built in
 * memory: node and edge labels (PID, services, counts, round trips),
 * highlighted chains with the creation edge, folding (budget, callback,
 * label, highlighted processes kept), filters, parents, escaping,
 * determinism, argument checks, and SVG/PNG rendering through Graphviz.
 */
#include <stdlib.h>
#include <string.h>

#include "alpcscope/graph.h"
#include "alpcscope/model.h"
#include "alpcscope/reader.h"
#include "check.h"
#include "etl_writer.h"
#include "scenario.h"

/*
 * client.exe calls svchost (Winmgmt), whose thread calls worker.exe, whose
 * thread creates child.exe while serving: chain 0. Two more client calls,
 * and background calls among five other processes.
 */
static const char scenario_text[] =
    "trace cpus=2 pointer=8 buffer=16K build=19045 start=2024-05-01T10:00:00Z\n"
    "process pid=4 ppid=0 image=System session=0 sid=S-1-5-18\n"
    "thread 4/8 cpu=0\n"
    "process pid=100 ppid=4 image=client.exe cmd=\"client.exe\" session=1\n"
    "thread 100/104 cpu=0\n"
    "process pid=200 ppid=4 image=svchost.exe cmd=\"svchost.exe -k netsvcs -p -s Winmgmt\" "
    "session=0\n"
    "thread 200/204 cpu=1\n"
    "process pid=300 ppid=4 image=worker.exe cmd=\"worker.exe\" session=0\n"
    "thread 300/304 cpu=0\n"
    "process pid=401 ppid=4 image=a.exe cmd=\"a.exe\" session=0\n"
    "thread 401/405 cpu=0\n"
    "process pid=402 ppid=4 image=b.exe cmd=\"b.exe\" session=0\n"
    "thread 402/406 cpu=1\n"
    "process pid=403 ppid=4 image=c.exe cmd=\"c.exe\" session=0\n"
    "thread 403/407 cpu=0\n"
    "process pid=404 ppid=4 image=d.exe cmd=\"d.exe\" session=0\n"
    "thread 404/408 cpu=1\n"
    "process pid=409 ppid=4 image=e.exe cmd=\"e.exe\" session=0\n"
    "thread 409/413 cpu=0\n"
    "call client=100/104 server=200/204 msg=0x10 at=1.000 dur=0.020 port=\"\\RPC "
    "Control\\svc\"\n"
    "call client=200/204 server=300/304 msg=0x11 at=1.002 dur=0.010 port=\"\\RPC "
    "Control\\work\"\n"
    "process pid=500 ppid=300 image=child.exe cmd=\"child.exe\" session=0 start=1.005 "
    "by=300/304\n"
    "call client=100/104 server=200/204 msg=0x12 at=2.000 dur=0.004 port=\"\\RPC "
    "Control\\svc\"\n"
    "call client=100/104 server=200/204 msg=0x13 at=2.100 dur=0.006 port=\"\\RPC "
    "Control\\svc\"\n"
    "call client=401/405 server=402/406 msg=0x20 at=3.000 dur=0.001\n"
    "call client=401/405 server=402/406 msg=0x21 at=3.010 dur=0.001\n"
    "call client=401/405 server=402/406 msg=0x22 at=3.020 dur=0.001\n"
    "call client=403/407 server=404/408 msg=0x23 at=3.030 dur=0.001\n"
    "call client=403/407 server=404/408 msg=0x24 at=3.040 dur=0.001\n"
    "call client=409/413 server=401/405 msg=0x25 at=3.050 dur=0.001\n";

static struct alpcscope_model *
build_model(void)
{
	struct scenario *sc = NULL;
	struct etl_writer *w = NULL;
	struct etl_writer_config cfg;
	struct alpcscope_reader *r = NULL;
	struct alpcscope_model *m = NULL;
	const struct alpcscope_event *ev;
	uint8_t *data = NULL;
	size_t size = 0;
	char err[256] = "";

	if (scenario_parse(&sc, "graph.scn", scenario_text, strlen(scenario_text), err,
			   sizeof(err))) {
		fprintf(stderr, "scenario: %s\n", err);
		return NULL;
	}
	scenario_config(sc, &cfg);
	if (etl_writer_open_memory(&w, &cfg) == 0) {
		if (scenario_emit(sc, w, err, sizeof(err)) == 0)
			data = etl_writer_take_memory(w, &size);
		else
			fprintf(stderr, "scenario: %s\n", err);
		etl_writer_free(w);
	}
	scenario_free(sc);
	if (!data)
		return NULL;
	if (alpcscope_reader_open_memory(&r, data, size, NULL, NULL) == ALPCSCOPE_OK &&
	    alpcscope_model_new(&m, NULL, NULL) == ALPCSCOPE_OK) {
		while (alpcscope_reader_next(r, &ev, NULL) == ALPCSCOPE_OK)
			alpcscope_model_add_event(m, ev, NULL);
		if (alpcscope_model_finish(m, NULL) != ALPCSCOPE_OK) {
			alpcscope_model_free(m);
			m = NULL;
		}
	}
	alpcscope_reader_free(r);
	free(data);
	return m;
}

/* Run the writer into memory; returns the bytes (free()) and the status. */
static char *
write_graph(const struct alpcscope_model *m, const struct alpcscope_graph_options *o,
	    struct alpcscope_graph_stats *st, enum alpcscope_status *status, size_t *size)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct alpcscope_error err;

	memset(&err, 0, sizeof(err));
	if (!f) {
		*status = ALPCSCOPE_E_IO;
		return NULL;
	}
	*status = alpcscope_graph_write(m, o, f, st, &err);
	fclose(f);
	if (*status != ALPCSCOPE_OK && *status != ALPCSCOPE_E_INVALID_ARG)
		fprintf(stderr, "graph: %s\n", err.message);
	if (size)
		*size = len;
	return buf;
}

static uint32_t
find_process(const struct alpcscope_model *m, const char *image)
{
	for (uint32_t i = 0; i < alpcscope_model_process_count(m); i++)
		if (strcmp(alpcscope_model_process_at(m, i)->image_name, image) == 0)
			return i;
	return ALPCSCOPE_NONE;
}

static bool
contains(const char *hay, const char *needle)
{
	bool ok = hay && strstr(hay, needle);

	if (!ok)
		fprintf(stderr, "missing: %s\n", needle);
	return ok;
}

static void
test_default(const struct alpcscope_model *m)
{
	struct alpcscope_graph_stats st;
	enum alpcscope_status s;
	char *dot = write_graph(m, NULL, &st, &s, NULL);
	char *again = write_graph(m, NULL, NULL, &s, NULL);

	CHECK(s == ALPCSCOPE_OK);
	CHECK(dot && again && strcmp(dot, again) == 0); /* deterministic */
	CHECK(contains(dot, "digraph alpc {"));
	CHECK(contains(dot, "client.exe\\nPID 100\\nrunning at trace start"));
	CHECK(contains(dot, "svchost.exe (Winmgmt)\\nPID 200"));
	CHECK(contains(dot, "child.exe\\nPID 500\\nstarted 2024-05-01T10:00:01.0050000Z"));
	/*
	 * The port is known once the server listened (Wait-For-New-Message), so
	 * the first client call has its own edge. Backslashes are escaped.
	 */
	CHECK(contains(dot, "\\\\RPC Control\\\\svc\\n4 messages: 2 request, 2 reply\\n"
			    "round trip ms: min 4.0000 / median 4.0000 / max 6.0000"));
	CHECK(contains(dot, "(port unknown)\\n2 messages: 1 request, 1 reply\\n"
			    "round trip ms: min 20.0000 / median 20.0000 / max 20.0000"));
	CHECK(contains(dot, "(port unknown)\\n2 messages: 1 request, 1 reply\\n"
			    "round trip ms: min 10.0000 / median 10.0000 / max 10.0000"));
	CHECK(contains(dot, "\\n6 messages: 3 request, 3 reply\\n")); /* a -> b */
	CHECK(contains(dot, "kind=creates"));
	CHECK(contains(dot, "highlighted: chain 0, root client.exe (PID 100)"));
	CHECK(contains(dot, "color=red"));
	CHECK(!strstr(dot, "folded"));
	CHECK_EQ_U64(st.nodes, 9); /* client, svchost, worker, child, a..e */
	CHECK_EQ_U64(st.message_edges, 6);
	CHECK_EQ_U64(st.edges, 7); /* + the creation edge */
	CHECK_EQ_U64(st.messages, alpcscope_model_message_count(m));
	CHECK_EQ_U64(st.highlighted_chains, 1);
	CHECK_EQ_U64(st.highlighted_processes, 4);
	CHECK_EQ_U64(st.folded_processes, 0);
	free(dot);
	free(again);
}

struct folds {
	uint32_t n;
	uint32_t process[16];
	uint64_t messages[16];
};

static void
on_fold(void *ctx, const struct alpcscope_model *m, uint32_t process, uint64_t messages)
{
	struct folds *f = ctx;

	(void)m;
	if (f->n < 16) {
		f->process[f->n] = process;
		f->messages[f->n] = messages;
	}
	f->n++;
}

static void
test_fold(const struct alpcscope_model *m)
{
	struct alpcscope_graph_options o = ALPCSCOPE_GRAPH_OPTIONS_INIT;
	struct alpcscope_graph_stats st;
	struct folds f;
	enum alpcscope_status s;

	/* The 4 highlighted processes are kept; a..e go into the fold node. */
	memset(&f, 0, sizeof(f));
	o.max_nodes = 5;
	o.on_fold = on_fold;
	o.fold_ctx = &f;
	char *dot = write_graph(m, &o, &st, &s, NULL);

	CHECK(s == ALPCSCOPE_OK);
	CHECK_EQ_U64(st.folded_processes, 5);
	CHECK_EQ_U64(f.n, 5);
	CHECK_EQ_U64(st.folded_messages, 12);
	CHECK_EQ_U64(st.nodes, 5);
	CHECK_EQ_U64(st.messages, alpcscope_model_message_count(m)); /* nothing lost */
	/* Most active first: a.exe (8 messages), then b.exe (6). */
	CHECK_EQ_U64(f.process[0], find_process(m, "a.exe"));
	CHECK_EQ_U64(f.messages[0], 8);
	CHECK_EQ_U64(f.process[1], find_process(m, "b.exe"));
	CHECK(contains(dot, "5 other processes\\n(12 messages)"));
	CHECK(contains(dot, "folded: the 5 least active processes (12 messages)"));
	CHECK(contains(dot, "a.exe (PID 401)"));
	CHECK(contains(dot, "12 messages between folded processes"));
	free(dot);

	/* Without highlight, a budget of 3 keeps the two busiest processes. */
	memset(&f, 0, sizeof(f));
	o.max_nodes = 3;
	o.highlight_default = false;
	dot = write_graph(m, &o, &st, &s, NULL);
	CHECK(s == ALPCSCOPE_OK);
	CHECK_EQ_U64(st.nodes, 3);
	CHECK_EQ_U64(st.folded_processes, 7);
	CHECK_EQ_U64(st.highlighted_chains, 0);
	CHECK(contains(dot, "no chain highlighted"));
	CHECK(contains(dot, "client.exe"));
	CHECK(contains(dot, "svchost.exe (Winmgmt)\\nPID"));
	CHECK(!strstr(dot, "color=red"));
	free(dot);

	/* No limit. */
	o.max_nodes = 0;
	dot = write_graph(m, &o, &st, &s, NULL);
	CHECK_EQ_U64(st.folded_processes, 0);
	free(dot);
}

static bool
no_worker(void *ctx, const struct alpcscope_model *m, uint32_t process)
{
	(void)ctx;
	return strcmp(alpcscope_model_process_at(m, process)->image_name, "worker.exe") != 0;
}

static bool
before_3s(void *ctx, const struct alpcscope_model *m, uint32_t message)
{
	const struct alpcscope_message *msg = alpcscope_model_message_at(m, message);
	const int64_t *limit = ctx;

	return msg->send.filetime_100ns < *limit;
}

static void
test_filters(const struct alpcscope_model *m)
{
	struct alpcscope_graph_options o = ALPCSCOPE_GRAPH_OPTIONS_INIT;
	struct alpcscope_graph_stats st;
	enum alpcscope_status s;
	int64_t limit;

	/* An excluded process is never drawn, even on a highlighted chain. */
	o.process_filter = no_worker;
	o.filter_description = "--exclude worker";
	char *dot = write_graph(m, &o, &st, &s, NULL);

	CHECK(s == ALPCSCOPE_OK);
	CHECK(!strstr(dot, "worker.exe"));
	CHECK(!strstr(dot, "kind=creates")); /* its creator is hidden */
	CHECK_EQ_U64(st.filtered_messages, 2);
	CHECK(contains(dot, "filters: --exclude worker; 2 of"));
	free(dot);

	/* Message filter: the background calls after 3 s are left out. */
	const struct alpcscope_message *first = alpcscope_model_message_at(m, 0);

	limit = first->send.filetime_100ns + 15000000; /* first call at 1 s, so 2.5 s */
	o.process_filter = NULL;
	o.filter_description = NULL;
	o.message_filter = before_3s;
	o.filter_ctx = &limit;
	dot = write_graph(m, &o, &st, &s, NULL);
	CHECK(!strstr(dot, "a.exe"));
	CHECK_EQ_U64(st.filtered_messages, 12);
	CHECK(contains(dot, "filters: none; 12 of"));
	/* The second and third client calls are at 2.0 and 2.1 s: still counted. */
	CHECK(contains(dot, "4 messages: 2 request, 2 reply"));
	free(dot);
}

static bool
no_chain(void *ctx, const struct alpcscope_model *m, uint32_t chain)
{
	(void)ctx;
	(void)m;
	(void)chain;
	return false;
}

static void
test_highlight(const struct alpcscope_model *m)
{
	struct alpcscope_graph_options o = ALPCSCOPE_GRAPH_OPTIONS_INIT;
	struct alpcscope_graph_stats st;
	enum alpcscope_status s;
	uint32_t child = find_process(m, "child.exe");
	uint32_t node = alpcscope_model_process_at(m, child)->chain_node;
	uint32_t chain = 0;

	CHECK(node != ALPCSCOPE_NONE);
	/* The chain filter limits the default highlight. */
	o.chain_filter = no_chain;
	char *plain = write_graph(m, &o, &st, &s, NULL);

	CHECK(s == ALPCSCOPE_OK);
	CHECK_EQ_U64(st.highlighted_chains, 0);
	CHECK_EQ_U64(st.highlighted_processes, 0);
	CHECK(contains(plain, "no chain highlighted"));
	free(plain);
	/* ... but not an explicit one. */
	o.highlight_nodes = &node;
	o.highlight_node_count = 1;
	char *dot = write_graph(m, &o, &st, &s, NULL);

	CHECK(s == ALPCSCOPE_OK);
	CHECK_EQ_U64(st.highlighted_processes, 4);
	CHECK_EQ_U64(st.highlighted_chains, 1);
	free(dot);

	o.highlight_nodes = NULL;
	o.highlight_node_count = 0;
	o.highlight_chains = &chain;
	o.highlight_chain_count = 1;
	o.parents = true;
	dot = write_graph(m, &o, &st, &s, NULL);
	CHECK(s == ALPCSCOPE_OK);
	CHECK(contains(dot, "kind=parent"));
	CHECK_EQ_U64(st.highlighted_chains, 1);
	free(dot);

	chain = alpcscope_model_chain_count(m);
	dot = write_graph(m, &o, &st, &s, NULL);
	CHECK(s == ALPCSCOPE_E_INVALID_ARG);
	free(dot);
}

static void
test_args(const struct alpcscope_model *m)
{
	struct alpcscope_graph_options o = ALPCSCOPE_GRAPH_OPTIONS_INIT;
	enum alpcscope_status s;
	char *out;

	o.max_nodes = 1;
	out = write_graph(m, &o, NULL, &s, NULL);
	CHECK(s == ALPCSCOPE_E_INVALID_ARG);
	free(out);
	o.max_nodes = 60;
	o.version = 99;
	out = write_graph(m, &o, NULL, &s, NULL);
	CHECK(s == ALPCSCOPE_E_INVALID_ARG);
	free(out);
	o.version = ALPCSCOPE_GRAPH_OPTIONS_VERSION;
	o.highlight_chain_count = 1;
	out = write_graph(m, &o, NULL, &s, NULL);
	CHECK(s == ALPCSCOPE_E_INVALID_ARG);
	free(out);
	CHECK(alpcscope_graph_write(NULL, NULL, stdout, NULL, NULL) == ALPCSCOPE_E_INVALID_ARG);
	CHECK(alpcscope_graph_write(m, NULL, NULL, NULL, NULL) == ALPCSCOPE_E_INVALID_ARG);
	CHECK_STR(alpcscope_graph_format_name(ALPCSCOPE_GRAPH_SVG), "svg");
}

static void
test_render(const struct alpcscope_model *m)
{
	struct alpcscope_graph_options o = ALPCSCOPE_GRAPH_OPTIONS_INIT;
	enum alpcscope_status s;
	size_t size = 0;

	o.format = ALPCSCOPE_GRAPH_SVG;
	char *svg = write_graph(m, &o, NULL, &s, &size);

	CHECK(s == ALPCSCOPE_OK);
	CHECK(svg && size > 100);
	CHECK(contains(svg, "<?xml"));
	CHECK(contains(svg, "<svg"));
	CHECK(contains(svg, "</svg>"));
	CHECK(contains(svg, ">client.exe</text>"));
	CHECK(contains(svg, ">child.exe</text>"));
	CHECK(contains(svg, "stroke=\"red\""));
	free(svg);

	o.format = ALPCSCOPE_GRAPH_PNG;
	char *png = write_graph(m, &o, NULL, &s, &size);

	CHECK(s == ALPCSCOPE_OK);
	CHECK(png && size > 8 && memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0);
	free(png);
}

int
main(void)
{
	struct alpcscope_model *m = build_model();

	CHECK(m != NULL);
	if (!m)
		return check_summary();
	CHECK_EQ_U64(alpcscope_model_chain_count(m), 1);
	test_default(m);
	test_fold(m);
	test_filters(m);
	test_highlight(m);
	test_args(m);
	test_render(m);
	alpcscope_model_free(m);
	return check_summary();
}
