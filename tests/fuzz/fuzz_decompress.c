/* SPDX-License-Identifier: MIT */
/*
 * The in-tree MS-XCA decoders (lib/reader/lznt1.c, lib/reader/xpress_huffman.c);
 * FUZZ_DECOMPRESS names the one under test. Input = u24 (little-endian)
 * expected output size, capped at FUZZ_MAX_OUT, then the compressed stream.
 * The decoder must never read or write out of bounds, and on success the
 * whole output is read back (so a byte it forgot to write shows up under MSan).
 */
#include <stdint.h>
#include <stdlib.h>

#include "reader/lznt1.h"
#include "reader/xpress_huffman.h"

#ifndef FUZZ_DECOMPRESS
#error "define FUZZ_DECOMPRESS to the decoder under test"
#endif

/* Enough for four 65536-byte blocks and then some. */
#define FUZZ_MAX_OUT (300u * 1024u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[FUZZ_MAX_OUT];
	volatile uint8_t sink = 0;

	if (size < 3)
		return 0;
	size_t out_size = (size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16;
	if (out_size > FUZZ_MAX_OUT)
		out_size %= FUZZ_MAX_OUT + 1;
	if (FUZZ_DECOMPRESS(data + 3, size - 3, out, out_size) == 0) {
		uint8_t x = 0;
		for (size_t i = 0; i < out_size; i++)
			x ^= out[i];
		sink = x;
	}
	(void)sink;
	return 0;
}
