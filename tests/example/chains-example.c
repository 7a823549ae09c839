/* SPDX-License-Identifier: MIT */
/*
 * The C API by example (docs/library.md): open a trace, feed every event to
 * the analysis model, then print the paired messages' counts and each call
 * chain with the processes it created. Public headers only; built against
 * the installed library with
 *     cc chains-example.c $(pkg-config --cflags --libs alpcscope)
 * and run by the test suite on the fixtures.
 */
#include <alpcscope/alpcscope.h>

#include <stdio.h>

/* Print @p node and its children, indented by depth. */
static void
print_tree(const struct alpcscope_model *m, uint32_t node)
{
	const struct alpcscope_chain_node *n = alpcscope_model_chain_node_at(m, node);
	char client[256], server[256];

	if (n->kind == ALPCSCOPE_NODE_MESSAGE) {
		const struct alpcscope_message *msg = alpcscope_model_message_at(m, n->message);

		alpcscope_model_process_label(m, alpcscope_model_event_process(m, &msg->send),
					      client, sizeof(client));
		alpcscope_model_process_label(m, alpcscope_model_event_process(m, &msg->receive),
					      server, sizeof(server));
		printf("%*s%s -> %s (message 0x%x, %s)\n", 2 + 2 * (int)n->depth, "", client,
		       server, msg->message_id,
		       alpcscope_message_kind_name((enum alpcscope_message_kind)msg->kind));
	} else {
		const struct alpcscope_process_instance *p =
		    alpcscope_model_process_at(m, n->process);

		printf("%*screates %s (pid %u)\n", 2 + 2 * (int)n->depth, "", p->image_name,
		       p->pid);
	}
	for (uint32_t c = n->first_child; c != ALPCSCOPE_NONE;
	     c = alpcscope_model_chain_node_at(m, c)->next_sibling)
		print_tree(m, c);
}

int
main(int argc, char **argv)
{
	struct alpcscope_reader *reader = NULL;
	struct alpcscope_model *model = NULL;
	const struct alpcscope_event *ev;
	struct alpcscope_error err = {0};
	enum alpcscope_status st;
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: %s TRACE.etl\n", argv[0]);
		return 2;
	}
	/* 1. open the trace (NULL options: defaults, diagnostics not reported) */
	if (alpcscope_reader_open_file(&reader, argv[1], NULL, &err) != ALPCSCOPE_OK) {
		fprintf(stderr, "%s: %s\n", argv[1], err.message);
		return 3;
	}
	/* 2. feed every event, in time order, to the model */
	if (alpcscope_model_new(&model, NULL, &err) != ALPCSCOPE_OK)
		goto out;
	while ((st = alpcscope_reader_next(reader, &ev, &err)) == ALPCSCOPE_OK)
		if (alpcscope_model_add_event(model, ev, &err) != ALPCSCOPE_OK)
			goto out;
	if (st != ALPCSCOPE_END) /* a damaged trace ends early; what was read still counts */
		fprintf(stderr, "%s: stopped early: %s\n", argv[1], err.message);
	/* 3. pair the messages and build the chains */
	if (alpcscope_model_finish(model, &err) != ALPCSCOPE_OK)
		goto out;
	const struct alpcscope_model_stats *s = alpcscope_model_stats(model);

	printf("%u messages: %llu requests answered, %llu one-way\n",
	       alpcscope_model_message_count(model),
	       (unsigned long long)s->messages_by_kind[ALPCSCOPE_MESSAGE_REQUEST],
	       (unsigned long long)s->messages_by_kind[ALPCSCOPE_MESSAGE_ONE_WAY]);
	/* 4. walk each chain's tree */
	for (uint32_t i = 0; i < alpcscope_model_chain_count(model); i++) {
		printf("chain %u:\n", i);
		print_tree(model, alpcscope_model_chain_at(model, i)->root_node);
	}
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "%s: %s\n", argv[1], err.message);
	alpcscope_model_free(model);
	alpcscope_reader_free(reader);
	return rc;
}
