/* SPDX-License-Identifier: MIT */
/* `alpcscope dump TRACE`: every event with decoded fields (filled in by the decode work). */
#include "cli.h"

#include <stdio.h>

int
cmd_dump(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "alpcscope dump: not built yet\n");
	return EXIT_USAGE;
}
