/* SPDX-License-Identifier: MIT */
/* Each public header compiles on its own (included first, alone, under -Wpedantic). */
#include HEADER

int
main(void)
{
	return 0;
}
