/* SPDX-License-Identifier: MIT */
/*
 * MS-XCA plain LZ77 ("XPRESS", COMPRESSION_FORMAT_XPRESS = 3) decompression,
 * the format of compressed ETL buffers (docs/etl-layout.md#plain-lz77). Written from the
 * MS-XCA §2.4 description; every input and output access is bounds-checked.
 */
#ifndef ALPCSCOPE_READER_XPRESS_H
#define ALPCSCOPE_READER_XPRESS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decompress @p in_size bytes into @p out, which must receive exactly
 * @p out_size bytes. Returns 0 on success, -1 on a malformed stream or a
 * size mismatch (stream ends early or would overflow @p out).
 */
int xpress_decompress(const uint8_t *in, size_t in_size, uint8_t *out, size_t out_size);

#endif
