/* SPDX-License-Identifier: MIT */
/*
 * MS-XCA LZ77+Huffman (COMPRESSION_FORMAT_XPRESS_HUFF, format 4) compressor
 * for tests: greedy hash-chain matching, one canonical Huffman code per
 * 65536-byte block built from the block's symbol frequencies (lengths
 * limited to 15 by flattening the frequencies), matches never cross a block
 * boundary, an end-of-stream symbol (256) in the last block. Deterministic.
 */
#ifndef ALPCSCOPE_TEST_XPRESS_HUFFMAN_COMPRESS_H
#define ALPCSCOPE_TEST_XPRESS_HUFFMAN_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

/* Worst-case output size for @in_len input bytes. */
size_t xpress_huffman_compress_bound(size_t in_len);

/*
 * Compress @in_len bytes into @out (capacity @out_cap, at least
 * xpress_huffman_compress_bound(in_len)). Returns the compressed length, or 0
 * when @out_cap is too small or memory for the match finder is unavailable.
 */
size_t xpress_huffman_compress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap);

/*
 * Canonical code lengths (<= 15) for 512 symbols from @freq; symbols with
 * frequency 0 get length 0, and at least two symbols get a code. Exposed for
 * the tests that hand-build streams.
 */
void xpress_huffman_lengths(const uint32_t freq[512], uint8_t len[512]);

#endif
