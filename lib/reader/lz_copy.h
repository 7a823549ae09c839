/* SPDX-License-Identifier: MIT */
/*
 * The match copy shared by the MS-XCA decoders (plain LZ77, LZNT1,
 * LZ77+Huffman): after the caller has checked distance <= op and
 * length <= room left, append @p length bytes copied from @p distance back.
 */
#ifndef ALPCSCOPE_READER_LZ_COPY_H
#define ALPCSCOPE_READER_LZ_COPY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Returns the new output position. */
static inline size_t
lz_copy_match(uint8_t *out, size_t op, size_t distance, size_t length)
{
	if (distance >= length) {
		memcpy(out + op, out + op - distance, length);
		return op + length;
	}
	/* Overlapping copy repeats the last `distance` bytes. */
	for (size_t i = 0; i < length; i++, op++)
		out[op] = out[op - distance];
	return op;
}

#endif
