/* SPDX-License-Identifier: MIT */
/*
 * MSVC undecoration (lib/decode/msvc_undecorate.c): the input as a name,
 * both conventions, into a roomy and a tiny buffer. A result is either
 * declined (empty) or NUL-terminated within the buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/msvc_undecorate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = malloc(size + 1);
	char out[4096], tiny[16];

	if (!name)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	for (int x86 = 0; x86 < 2; x86++) {
		if (msvc_undecorate(name, x86, out, sizeof(out)) && strlen(out) >= sizeof(out))
			abort();
		if (msvc_undecorate(name, x86, tiny, sizeof(tiny)) && strlen(tiny) >= sizeof(tiny))
			abort();
	}
	free(name);
	return 0;
}
