/* SPDX-License-Identifier: MIT */
/*
 * MS-XCA LZNT1 (COMPRESSION_FORMAT_LZNT1, format 2) compressor for tests:
 * greedy hash-chain matching inside each 4096-byte chunk, a chunk stored
 * uncompressed when compression does not pay, a zero end header.
 * Deterministic.
 */
#ifndef ALPCSCOPE_TEST_LZNT1_COMPRESS_H
#define ALPCSCOPE_TEST_LZNT1_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

/* Worst-case output size for @in_len input bytes. */
size_t lznt1_compress_bound(size_t in_len);

/*
 * Compress @in_len bytes into @out (capacity @out_cap, at least
 * lznt1_compress_bound(in_len)). Returns the compressed length, or 0 when
 * @out_cap is too small.
 */
size_t lznt1_compress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap);

#endif
