/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope messages TRACE`: one row per ALPC message (request, reply,
 * one-way, unmatched, orphan, ambiguous) with client, server, port,
 * latency and the evidence that paired it.
 */
#include "report.h"

static void
bind_filter(struct alpcscope_write_options *wo)
{
	wo->message_filter = filter_message;
}

static const struct report_cmd messages_cmd = {
    .name = "messages",
    .usage = "usage: alpcscope messages TRACE.etl [--format text|json|jsonl|csv|xml] [--stacks]\n"
	     "                          [--expire SECONDS] [filters]\n",
    .formats = "text (default), json, jsonl, csv, xml",
    .stacks = true,
    .write = alpcscope_messages_write,
    .extra_option = NULL,
    .bind_filter = bind_filter,
};

int
cmd_messages(int argc, char **argv)
{
	return report_run(&messages_cmd, argc, argv);
}
