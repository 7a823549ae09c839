/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope messages TRACE`: one row per ALPC message (request, reply,
 * one-way, unmatched, orphan, ambiguous) with client, server, port,
 * latency and the evidence that paired it.
 */
#include "report.h"

static const struct cli_choice formats[] = {
    {"text", ALPCSCOPE_OUTPUT_TEXT, false},   {"json", ALPCSCOPE_OUTPUT_JSON, false},
    {"jsonl", ALPCSCOPE_OUTPUT_JSONL, false}, {"csv", ALPCSCOPE_OUTPUT_CSV, false},
    {"xml", ALPCSCOPE_OUTPUT_XML, false},     {NULL, 0, false},
};

static const struct cli_opt messages_opts[] = {
    CLI_FORMAT_OPTION(struct report_args, format, formats, "text (default), json, jsonl, csv, xml"),
    {0},
};

static const struct cli_opt_group groups[] = {
    {.opts = messages_opts},
    REPORT_STACK_GROUPS,
    REPORT_TAIL_GROUPS,
    {0},
};

static void
bind_filter(struct alpcscope_write_options *wo)
{
	wo->message_filter = filter_message;
}

static const struct report_cmd messages_report = {
    .write = alpcscope_messages_write,
    .bind_filter = bind_filter,
};

const struct cli_command cli_cmd_messages = {
    .name = "messages",
    .summary = "ALPC messages paired by the state machine, with evidence",
    .operand = "TRACE.etl",
    .groups = groups,
    .run = report_run,
    .impl = &messages_report,
};
