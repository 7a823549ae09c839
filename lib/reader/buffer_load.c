/* SPDX-License-Identifier: MIT */
/*
 * One buffer's event area in the stream's scratch buffer: the bytes of an
 * uncompressed buffer (with the rules of docs/etl-layout.md#end-of-data), read
 * from the file, or the inflated bytes of a compressed one
 * (docs/etl-layout.md#compression), decoded by the in-tree MS-XCA decoders.
 */
#include "reader/reader_internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reader/lznt1.h"
#include "reader/record.h"
#include "reader/xpress.h"
#include "reader/xpress_huffman.h"

bool
buffer_inflate(const struct alpcscope_reader *r, const struct buffer_ref *ref, uint8_t *dst,
	       size_t out_size)
{
	const uint8_t *bytes = r->map + ref->file_offset;
	const uint8_t *in = bytes + WMIBUF_HEADER_SIZE;
	size_t in_size = ref->avail - WMIBUF_HEADER_SIZE;
	uint32_t fmt = r->info.compression_format;
	/* XPRESS+Huffman only when the header names it; a guess tries plain LZ77 and LZNT1. */
	uint32_t tries[3] = {fmt, fmt == 3 ? 2u : 3u, fmt == 4 ? 2u : 3u};

	memcpy(dst, bytes, WMIBUF_HEADER_SIZE);
	for (int i = 0; i < 3; i++) {
		uint8_t *out = dst + WMIBUF_HEADER_SIZE;
		int ok;

		if (tries[i] == 3)
			ok = xpress_decompress(in, in_size, out, out_size) == 0;
		else if (tries[i] == 2)
			ok = lznt1_decompress(in, in_size, out, out_size) == 0;
		else
			ok = xpress_huffman_decompress(in, in_size, out, out_size) == 0;
		/* A wrong format can "succeed"; require a valid first record marker too. */
		if (ok && (out_size < 4 || (out[3] & 0x80)))
			return true;
	}
	return false;
}

/*
 * The inflated buffer: from a pool worker when one has it (the stream then
 * holds the worker's slot until it leaves the buffer), else inflated here
 * into the stream's scratch buffer. Either way the same bytes.
 */
static bool
inflate(struct alpcscope_reader *r, struct stream *s, const struct buffer_ref *ref, size_t out_size)
{
	size_t need = WMIBUF_HEADER_SIZE + out_size;
	const uint8_t *data;
	bool ok;

	if (r->pool && decompress_pool_take(r->pool, ref->index, &data, &ok, &s->pool_slot)) {
		if (!ok) {
			decompress_pool_release(r->pool, &s->pool_slot);
			return false;
		}
		s->data = data;
	} else {
		if (s->scratch_cap < need) {
			uint8_t *n = realloc(s->scratch, need);

			if (!n)
				return false;
			s->scratch = n;
			s->scratch_cap = need;
		}
		if (!buffer_inflate(r, ref, s->scratch, out_size))
			return false;
		s->data = s->scratch;
	}
	r->stats.bytes_decompressed += out_size;
	return true;
}

/*
 * Buffers up to this size are copied out of the file with pread() rather than
 * parsed in the mapping; a larger (implausible, damaged) one is parsed in
 * place, so the copy never needs more than this per stream.
 */
#define BUFFER_COPY_MAX (1u << 20)

/*
 * The first @p n bytes of uncompressed buffer @p ref: copied with one pread()
 * into the stream's scratch buffer when the reader has the file open, else
 * (or when the read comes up short) the mapped bytes. The copy is what a
 * plain sequential read costs, and parsing it is then parsing cache-warm
 * memory; the first touch of each mapped page costs more than copying it
 * (a page-table fill per 4 KiB: 0.59x the CPU time of `info` on a 1 GiB
 * trace, docs/format-notes.md#memory).
 */
static const uint8_t *
buffer_bytes(struct alpcscope_reader *r, struct stream *s, const struct buffer_ref *ref, size_t n)
{
	if (r->fd < 0 || n > BUFFER_COPY_MAX)
		return r->map + ref->file_offset;
	if (s->scratch_cap < n) {
		uint8_t *grown = realloc(s->scratch, n);

		if (!grown)
			return r->map + ref->file_offset;
		s->scratch = grown;
		s->scratch_cap = n;
	}
	if (pread(r->fd, s->scratch, n, (off_t)ref->file_offset) != (ssize_t)n)
		return r->map + ref->file_offset;
	return s->scratch;
}

/* Make @p ref the stream's current buffer; false when it has no readable events. */
bool
buffer_load(struct alpcscope_reader *r, struct stream *s, const struct buffer_ref *ref)
{
	s->cur = ref;
	r->stats.buffers_read++;
	if (ref->flags & WMIBUF_FLAG_COMPRESSED) {
		size_t cap =
		    r->info.buffer_size > WMIBUF_MAX_SIZE ? WMIBUF_MAX_SIZE : r->info.buffer_size;

		if (cap < WMIBUF_HEADER_SIZE)
			cap = WMIBUF_MAX_SIZE;
		if (ref->saved_offset < WMIBUF_HEADER_SIZE || ref->saved_offset > WMIBUF_MAX_SIZE) {
			reader_diag(r, "ALPCSCOPE-W104", ALPCSCOPE_SEV_ERROR, ref->file_offset + 4,
				    ref->index, "compressed buffer data end %u out of range",
				    ref->saved_offset);
			r->stats.buffers_damaged++;
			return false;
		}
		if (ref->saved_offset > cap)
			reader_diag(
			    r, "ALPCSCOPE-W110", ALPCSCOPE_SEV_WARNING, ref->file_offset + 4,
			    ref->index,
			    "compressed buffer inflates to %u bytes, more than the session buffer "
			    "size %u",
			    ref->saved_offset, r->info.buffer_size);
		if (!inflate(r, s, ref, ref->saved_offset - WMIBUF_HEADER_SIZE)) {
			reader_diag(r, "ALPCSCOPE-W105", ALPCSCOPE_SEV_ERROR, ref->file_offset,
				    ref->index,
				    "compressed buffer could not be decompressed to %u bytes",
				    ref->saved_offset - WMIBUF_HEADER_SIZE);
			r->stats.buffers_undecompressible++;
			r->stats.buffers_damaged++;
			return false;
		}
		s->end = ref->saved_offset;
	} else {
		size_t end = ref->saved_offset;

		if (end == 0) {
			/* Windows 7-era header buffers: SavedOffset unknown, Offset (maybe
			 * unaligned) ends the data; the 0xFFFFFFFF fill also stops the walk. */
			end = ref->offset >= WMIBUF_HEADER_SIZE ? ref->offset : ref->avail;
		} else if (end < WMIBUF_HEADER_SIZE) {
			reader_diag(r, "ALPCSCOPE-W104", ALPCSCOPE_SEV_ERROR, ref->file_offset + 4,
				    ref->index, "buffer data end %u below the buffer header",
				    end == 0 ? 0u : (unsigned)end);
			r->stats.buffers_damaged++;
			return false;
		}
		if (end > ref->avail) {
			if (ref->avail == (uint32_t)(r->size - ref->file_offset) &&
			    ref->avail < ref->saved_offset) {
				/* Truncated file: already reported; salvage what is present. */
			} else {
				reader_diag(r, "ALPCSCOPE-W104", ALPCSCOPE_SEV_ERROR,
					    ref->file_offset + 4, ref->index,
					    "buffer data end %zu beyond buffer size %u", end,
					    ref->avail);
				r->stats.buffers_damaged++;
			}
			end = ref->avail;
		}
		s->data = buffer_bytes(r, s, ref, end);
		s->end = end;
	}
	s->pos = WMIBUF_HEADER_SIZE;
	return true;
}

/* Count complete records between SavedOffset and Offset (header buffers only). */
void
buffer_count_past_saved(struct alpcscope_reader *r, const struct buffer_ref *ref)
{
	struct alpcscope_event scratch_ev;
	size_t pos = ref->saved_offset, end = ref->offset, n = 0;

	if (ref->flags & WMIBUF_FLAG_COMPRESSED || ref->saved_offset < WMIBUF_HEADER_SIZE ||
	    end <= pos || end > ref->avail)
		return;
	while (pos < end) {
		size_t size;
		const char *why;
		enum record_result rr =
		    record_parse(r->map + ref->file_offset, pos, end, &scratch_ev, &size, &why);

		if (rr != RECORD_OK)
			break;
		n++;
		pos += size;
	}
	if (n) {
		r->stats.header_records_past_saved_offset += n;
		reader_diag(
		    r, "ALPCSCOPE-I401", ALPCSCOPE_SEV_INFO, ref->file_offset + ref->saved_offset,
		    ref->index,
		    "%zu complete record(s) between SavedOffset 0x%x and Offset 0x%x of the header "
		    "buffer are not delivered (SavedOffset rule)",
		    n, ref->saved_offset, ref->offset);
	}
}
