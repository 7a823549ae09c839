/* SPDX-License-Identifier: MIT */
/*
 * MS-XCA LZ77+Huffman (COMPRESSION_FORMAT_XPRESS_HUFF = 4) decompression,
 * one of the formats a compressed ETL buffer may name (docs/etl-layout.md#compression).
 * Written from the MS-XCA §2.1-2.2 description; every input and output
 * access is bounds-checked, nothing is allocated (the decoding tables, about
 * 4 KiB, live on the stack).
 */
#ifndef ALPCSCOPE_READER_XPRESS_HUFFMAN_H
#define ALPCSCOPE_READER_XPRESS_HUFFMAN_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decompress @p in_size bytes into @p out, which must receive exactly
 * @p out_size bytes. Returns 0 on success, -1 on a malformed stream (bad or
 * over-subscribed code table, a code that is not in the table, a distance
 * before the start of the output, a truncated stream) or a size mismatch.
 */
int xpress_huffman_decompress(const uint8_t *in, size_t in_size, uint8_t *out, size_t out_size);

#endif
