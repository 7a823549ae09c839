/* SPDX-License-Identifier: MIT */
/*
 * Names from a trace are hostile input: a chain whose processes are named
 * to break out of each format (newlines, a Markdown fence, Mermaid
 * directives and statement separators, JSON quotes, control characters)
 * still gives one well-formed Mermaid block per chain with one statement per
 * line and no raw hostile character, a summary JSON document json-c parses
 * back to the same names, and caused-process answers for a direct creation.
 */
#include <alpcscope/alpcscope.h>

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/model_builder.h"

static const char evil_client[] = "evil\n```\n%%{init: {}}%%;\"quote\x1b[31m";
static const char evil_server[] = "srv;Note over P0: pwned\r\n#<b>";

static char *
write_to_string(enum alpcscope_status (*fn)(const struct alpcscope_model *,
					    const struct alpcscope_write_options *, FILE *,
					    struct alpcscope_error *),
		const struct alpcscope_model *m, const struct alpcscope_write_options *o)
{
	FILE *f = tmpfile();
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	CHECK(fn(m, o, f, NULL) == ALPCSCOPE_OK);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf)
		buf[fread(buf, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return buf;
}

/* Two hostile processes; the client asks, the server's serving thread starts a child. */
static void
build(struct mb *t)
{
	mb_init(t, NULL);
	mb_process(t, 3, 0, 0, 0, 100, 4, evil_client, evil_client);
	mb_thread(t, 3, 0, 100, 104, 0, NULL);
	mb_process(t, 3, 0, 0, 0, 200, 4, evil_server, evil_server);
	mb_thread(t, 3, 0, 200, 204, 0, NULL);
	mb_process(t, 3, 0, 0, 0, 300, 4, "explorer.exe", "explorer.exe");
	mb_thread(t, 3, 0, 300, 304, 0, NULL);
	mb_wait_new(t, 200, 204, 10, "\\RPC Control\\port;```");
	mb_call_begin(t, 100, 104, 200, 204, 100, 0x10);
	mb_process(t, 1, 200, 204, 150, 400, 200, "child\n```.exe", "child");
	mb_call_end(t, 100, 104, 200, 204, 200, 0x10, "\\RPC Control\\port;```");
	mb_process(t, 1, 300, 304, 300, 500, 300, "cmd.exe", "cmd.exe");
	CHECK(alpcscope_model_finish(t->m, NULL) == ALPCSCOPE_OK);
}

/* Every ';' in @p line ends an entity code "#NNN;" (a bare one would end a statement). */
static bool
semicolons_are_entities(const char *line)
{
	for (const char *p = strchr(line, ';'); p; p = strchr(p + 1, ';')) {
		const char *q = p;

		while (q > line && q[-1] >= '0' && q[-1] <= '9')
			q--;
		if (q == p || q == line || q[-1] != '#')
			return false;
	}
	return true;
}

static void
test_mermaid(const struct alpcscope_model *m)
{
	struct alpcscope_write_options o = ALPCSCOPE_WRITE_OPTIONS_INIT;
	char *out, *line, *save = NULL;
	int fences = 0, in_block = 0;

	o.format = ALPCSCOPE_OUTPUT_MERMAID;
	out = write_to_string(alpcscope_chains_write, m, &o);
	CHECK(out != NULL);
	if (!out)
		return;
	CHECK(alpcscope_model_chain_count(m) == 1);
	CHECK(strchr(out, '\r') == NULL && strchr(out, '\x1b') == NULL && strchr(out, '"') == NULL);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "```", 3) == 0) {
			fences++;
			in_block = !in_block;
			continue;
		}
		if (!in_block)
			continue;
		/* inside the block: only the statements the writer makes, no separator or directive
		 */
		CHECK(strncmp(line, "sequenceDiagram", 15) == 0 || strncmp(line, "    ", 4) == 0);
		CHECK(semicolons_are_entities(line));
		CHECK(strstr(line, "%%") == NULL && strstr(line, "<b>") == NULL);
		CHECK(strstr(line, "Note over P0: pwned") == NULL);
	}
	CHECK(fences == 2); /* one block opened and closed, whatever the names say */
	free(out);
}

static void
test_summary_json(const struct alpcscope_model *m)
{
	struct alpcscope_write_options o = ALPCSCOPE_WRITE_OPTIONS_INIT;
	struct alpcscope_conversations *c = NULL;
	FILE *f = tmpfile();
	char *buf;
	long n;

	CHECK(alpcscope_conversations_build(m, NULL, NULL, &c, NULL) == ALPCSCOPE_OK);
	o.format = ALPCSCOPE_OUTPUT_JSON;
	if (!f || !c)
		return;
	CHECK(alpcscope_summary_tables_write(m, c, &o, NULL, f, NULL) == ALPCSCOPE_OK);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf) {
		buf[fread(buf, 1, (size_t)n, f)] = '\0';
		json_object *doc = json_tokener_parse(buf), *convs, *first, *v;

		CHECK(doc != NULL);
		CHECK(json_object_object_get_ex(doc, "conversations", &convs));
		first = json_object_array_get_idx(convs, 0);
		CHECK(first && json_object_object_get_ex(first, "client_process", &v) &&
		      strcmp(json_object_get_string(v), evil_client) == 0);
		CHECK(first && json_object_object_get_ex(first, "server_process", &v) &&
		      strcmp(json_object_get_string(v), evil_server) == 0);
		json_object_put(doc);
		free(buf);
	}
	fclose(f);
	alpcscope_conversations_free(c);
}

/* process_filter NULL and node_filter NULL: every process started in the trace gets an answer. */
static void
test_caused_answers(const struct alpcscope_model *m)
{
	struct alpcscope_write_options o = ALPCSCOPE_WRITE_OPTIONS_INIT;
	char *out;

	o.caused_process_only = true;
	out = write_to_string(alpcscope_chains_write, m, &o);
	CHECK(out != NULL);
	if (!out)
		return;
	CHECK(strstr(out, "chain 0: ") != NULL); /* the child, inside the chain */
	CHECK(strstr(out, "cmd.exe (pid 500) created") != NULL);
	CHECK(strstr(out, "created directly by explorer.exe (pid 300, thread 304), outside any "
			  "ALPC call") != NULL);
	CHECK(strstr(out, "explorer.exe (pid 300) was already running") == NULL); /* not asked */
	free(out);
}

int
main(void)
{
	struct mb t;

	build(&t);
	test_mermaid(t.m);
	test_summary_json(t.m);
	test_caused_answers(t.m);
	mb_free(&t);
	return check_summary();
}
