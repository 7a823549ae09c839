/* SPDX-License-Identifier: MIT */
/*
 * Print the CLI's option tables (cli/options.h), one line per option of
 * each command, for check-options.py to hold the manual page and the bash
 * completion against:
 *   COMMAND <tab> --LONG <tab> -S or - <tab> VALUE <tab> COMPLETION <tab> CHOICES
 * VALUE is "flag" or "value"; COMPLETION is nothing, file, dir or choices;
 * CHOICES lists the choice names offered (not aliases) separated by spaces.
 * The options every command takes are listed once more under COMMAND "*".
 */
#include <stdio.h>

#include "cli.h"

static const char *
completion_name(enum cli_value_completion c)
{
	switch (c) {
	case CLI_COMPLETE_FILE: return "file";
	case CLI_COMPLETE_DIR: return "dir";
	case CLI_COMPLETE_CHOICES: return "choices";
	case CLI_COMPLETE_NOTHING: break;
	}
	return "nothing";
}

static void
print_option(const char *cmd, const struct cli_opt *o)
{
	bool value = o->kind != CLI_OPT_FLAG && o->kind != CLI_OPT_HELP && o->value_name;

	printf("%s\t--%s\t", cmd, o->name);
	if (o->short_name)
		printf("-%c", o->short_name);
	else
		printf("-");
	printf("\t%s\t%s\t", value ? "value" : "flag", completion_name(o->complete));
	const char *sep = "";

	for (const struct cli_choice *c = o->kind == CLI_OPT_CHOICE ? o->choices : NULL;
	     c && c->name; c++)
		if (!c->alias) {
			printf("%s%s", sep, c->name);
			sep = " ";
		}
	printf("\n");
}

int
main(void)
{
	for (const struct cli_command *const *c = cli_commands; *c; c++)
		for (const struct cli_opt_group *g = (*c)->groups; g->opts; g++)
			for (const struct cli_opt *o = g->opts; o->name; o++)
				print_option((*c)->name, o);
	for (const struct cli_opt *o = cli_common_opts; o->name; o++)
		print_option("*", o);
	return 0;
}
