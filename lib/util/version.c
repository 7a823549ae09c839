/* SPDX-License-Identifier: MIT */
/* The runtime library version. */
#include <alpcscope/alpcscope.h>

const char *
alpcscope_version(void)
{
	return ALPCSCOPE_VERSION_STRING;
}
