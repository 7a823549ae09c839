/* SPDX-License-Identifier: MIT */
/*
 * MS-XCA plain LZ77 decoder. Flags come in u32 groups, most significant bit
 * first: 0 = literal byte, 1 = a u16 match token (distance/length) with the
 * length extended through a shared nibble, a byte, a u16 or a u32.
 */
#include "reader/xpress.h"

#include <string.h>

#include "reader/lz_copy.h"
#include "util/bytes.h"

int
xpress_decompress(const uint8_t *in, size_t in_size, uint8_t *out, size_t out_size)
{
	size_t ip = 0, op = 0, nibble_pos = SIZE_MAX;
	uint32_t flags = 0;
	int flag_count = 0;

	while (op < out_size) {
		if (flag_count == 0) {
			if (in_size - ip < 4)
				return -1;
			flags = le32_load(in + ip);
			ip += 4;
			flag_count = 32;
		}
		flag_count--;
		if (!(flags & (1u << flag_count))) {
			/* A literal, and the clear flag bits after it: a run copied at once. */
			uint32_t below = flags & ((1u << flag_count) - 1);
			size_t run = 1 + (below ? (size_t)(__builtin_clz(below) - (32 - flag_count))
						: (size_t)flag_count);

			if (run > out_size - op)
				run = out_size - op;
			if (run > in_size - ip)
				return -1;
			if (run <= 8 && in_size - ip >= 8 && out_size - op >= 8)
				memcpy(out + op, in + ip, 8); /* the excess is overwritten next */
			else
				memcpy(out + op, in + ip, run);
			op += run;
			ip += run;
			flag_count -= (int)(run - 1);
			continue;
		}
		if (in_size - ip < 2)
			return -1;
		uint32_t token = le16_load(in + ip);
		ip += 2;
		size_t distance = (token >> 3) + 1;
		size_t length = token & 7;

		if (length == 7) {
			if (nibble_pos == SIZE_MAX) {
				if (ip >= in_size)
					return -1;
				nibble_pos = ip++;
				length = in[nibble_pos] & 0x0F;
			} else {
				length = in[nibble_pos] >> 4;
				nibble_pos = SIZE_MAX;
			}
			if (length == 15) {
				if (ip >= in_size)
					return -1;
				length = in[ip++];
				if (length == 255) {
					if (in_size - ip < 2)
						return -1;
					length = le16_load(in + ip);
					ip += 2;
					if (length == 0) {
						if (in_size - ip < 4)
							return -1;
						length = le32_load(in + ip);
						ip += 4;
					}
					if (length < 15 + 7)
						return -1;
					length -= 15 + 7;
				}
				length += 15;
			}
			length += 7;
		}
		length += 3;
		if (distance > op || length > out_size - op)
			return -1;
		op = lz_copy_match_wide(out, op, distance, length, out_size);
	}
	return op == out_size ? 0 : -1;
}
