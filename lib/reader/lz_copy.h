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

/*
 * The same copy, in 8-byte steps when the source is at least 8 bytes back,
 * the match is short or overlaps (a long one goes to memcpy) and 8 bytes of
 * @p out_size are left past the match: the steps may write up
 * to 7 bytes beyond it, which the rest of the output overwrites (a decoder
 * that succeeds writes every byte up to out_size in order).
 */
static inline size_t
lz_copy_match_wide(uint8_t *out, size_t op, size_t distance, size_t length, size_t out_size)
{
	if (distance < 8 || out_size - op - length < 8 || (length > 32 && distance >= length))
		return lz_copy_match(out, op, distance, length);
	for (size_t i = 0; i < length; i += 8) {
		uint64_t v;

		memcpy(&v, out + op - distance + i, 8);
		memcpy(out + op + i, &v, 8);
	}
	return op + length;
}

#endif
