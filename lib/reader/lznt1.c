/* SPDX-License-Identifier: MIT */
/*
 * MS-XCA LZNT1 decoder (§2.5). The stream is a series of chunks, each a u16
 * header (bits 0-11: body size - 1, bits 12-14: signature 3, bit 15:
 * compressed) and a body that inflates to at most 4096 bytes. Compressed
 * bodies are flag bytes (least significant bit first: 0 = literal, 1 = u16
 * match token) whose tokens split displacement and length bits according to
 * how far into the chunk's output the token sits. Decoding stops once the
 * expected output size is reached; trailing input (a zero end header) is
 * ignored.
 */
#include "reader/lznt1.h"

#include <string.h>

#include "reader/lz_copy.h"
#include "util/bytes.h"

/* Uncompressed bytes one chunk stands for. */
#define LZNT1_CHUNK_SIZE 4096u
/* Chunk header fields. */
#define LZNT1_SIZE_MASK      0x0FFFu
#define LZNT1_SIGNATURE_MASK 0x7000u
#define LZNT1_SIGNATURE      0x3000u
#define LZNT1_COMPRESSED     0x8000u
/* Shortest match. */
#define LZNT1_MIN_MATCH 3u

/* Inflate one compressed chunk body into out[0, cap); returns bytes produced or -1. */
static long
chunk_inflate(const uint8_t *in, size_t in_size, uint8_t *out, size_t cap)
{
	size_t ip = 0, op = 0;

	while (ip < in_size) {
		unsigned flags = in[ip++];

		for (int bit = 0; bit < 8 && ip < in_size; bit++, flags >>= 1) {
			if (!(flags & 1)) {
				if (op >= cap)
					return -1;
				out[op++] = in[ip++];
				continue;
			}
			if (in_size - ip < 2 || op == 0)
				return -1;
			unsigned token = le16_load(in + ip);
			ip += 2;
			/* Displacement bits: 4 until 16 bytes are out, then one more
			 * per doubling of the chunk position (12 at most). */
			unsigned disp_bits = 4;
			for (size_t p = (op - 1) >> 4; p != 0; p >>= 1)
				disp_bits++;
			unsigned len_bits = 16 - disp_bits;
			size_t distance = (size_t)(token >> len_bits) + 1;
			size_t length = (size_t)(token & ((1u << len_bits) - 1)) + LZNT1_MIN_MATCH;

			if (distance > op || length > cap - op)
				return -1;
			op = lz_copy_match(out, op, distance, length);
		}
	}
	return (long)op;
}

int
lznt1_decompress(const uint8_t *in, size_t in_size, uint8_t *out, size_t out_size)
{
	size_t ip = 0, op = 0;

	while (op < out_size) {
		if (in_size - ip < 2)
			return -1;
		unsigned header = le16_load(in + ip);
		ip += 2;
		if (header == 0 || (header & LZNT1_SIGNATURE_MASK) != LZNT1_SIGNATURE)
			return -1;
		size_t body = (size_t)(header & LZNT1_SIZE_MASK) + 1;
		if (body > in_size - ip)
			return -1;
		size_t room = out_size - op;
		size_t cap = room < LZNT1_CHUNK_SIZE ? room : LZNT1_CHUNK_SIZE;

		/* Windows compresses 4096-byte pieces, so every chunk but the last
		 * inflates to exactly 4096 bytes and the last to what is left; a
		 * short chunk elsewhere would leave the output ambiguous. */
		if (header & LZNT1_COMPRESSED) {
			long got = chunk_inflate(in + ip, body, out + op, cap);
			if (got < 0 || (size_t)got != cap)
				return -1;
		} else {
			if (body != cap)
				return -1;
			memcpy(out + op, in + ip, body);
		}
		op += cap;
		ip += body;
	}
	return 0;
}
