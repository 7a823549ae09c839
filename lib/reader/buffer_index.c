/* SPDX-License-Identifier: MIT */
/*
 * The index pass: step through the file buffer by buffer (docs/etl-layout.md#file-and-buffers)
 * reading only the 0x48-byte headers, and after a damaged header find the
 * next plausible one, so every intact buffer after the damage is still read.
 */
#include "reader/reader_internal.h"

#include <stdlib.h>
#include <unistd.h>

#include "util/error.h"

bool
buffer_header_plausible(const struct wmi_buffer *b)
{
	return b->type <= WMIBUF_TYPE_MAX_KNOWN && (b->flags & ~WMIBUF_FLAG_KNOWN) == 0 &&
	       (b->saved_offset == 0 ||
		(b->saved_offset >= WMIBUF_HEADER_SIZE && b->saved_offset <= WMIBUF_MAX_SIZE));
}

/*
 * After a damaged buffer header, find the next offset where a plausible header
 * starts. With a fixed session buffer size (uncompressed files) buffers sit at
 * multiples of it; otherwise scan byte by byte and require the header after
 * the candidate to be plausible too (or the candidate to end the file).
 */
static uint64_t
resync(struct alpcscope_reader *r, uint64_t bad_off)
{
	uint32_t stride = r->resync_stride;
	struct wmi_buffer b, b2;

	if (stride) {
		for (uint64_t off = (bad_off / stride + 1) * stride;
		     off + WMIBUF_HEADER_SIZE <= r->size; off += stride) {
			if (wmi_buffer_decode(r->map + off, r->size - off, off, &b) &&
			    buffer_header_plausible(&b))
				return off;
		}
	}
	/* Compressed buffers are packed back to back: scan byte by byte, and to avoid
	 * landing inside compressed data require the next header to be plausible too. */
	for (uint64_t off = bad_off + 1; off + WMIBUF_HEADER_SIZE <= r->size; off++) {
		if (!wmi_buffer_decode(r->map + off, r->size - off, off, &b) ||
		    !buffer_header_plausible(&b))
			continue;
		uint64_t next = off + b.size;
		if (next == r->size)
			return off;
		if (next < r->size && wmi_buffer_decode(r->map + next, r->size - next, next, &b2) &&
		    buffer_header_plausible(&b2))
			return off;
	}
	return r->size;
}

/*
 * Read a buffer header for the index pass. Through the file descriptor when
 * there is one: touching the mapping would fault in (and keep resident) a
 * whole fault-around window per buffer just to read 72 bytes.
 */
static bool
decode_header_at(struct alpcscope_reader *r, uint64_t off, struct wmi_buffer *b)
{
	uint8_t hdr[WMIBUF_HEADER_SIZE];

	if (r->fd >= 0 && pread(r->fd, hdr, sizeof(hdr), (off_t)off) == (ssize_t)sizeof(hdr))
		return wmi_buffer_decode(hdr, r->size - off, off, b);
	return wmi_buffer_decode(r->map + off, r->size - off, off, b);
}

enum alpcscope_status
buffer_index_build(struct alpcscope_reader *r, struct alpcscope_error *err)
{
	uint64_t off = 0;
	uint32_t cap = 0;

	while (off < r->size) {
		struct wmi_buffer b;

		if (r->size - off < WMIBUF_HEADER_SIZE) {
			reader_diag(r, "ALPCSCOPE-W101", ALPCSCOPE_SEV_ERROR, off, r->nbuffers,
				    "truncated buffer header: %llu bytes left at end of file",
				    (unsigned long long)(r->size - off));
			break;
		}
		if (!decode_header_at(r, off, &b) || !buffer_header_plausible(&b)) {
			uint64_t next = resync(r, off);

			reader_diag(
			    r, "ALPCSCOPE-W102", ALPCSCOPE_SEV_ERROR, off, r->nbuffers,
			    "implausible buffer header (size %u, flags 0x%x, type %u); %llu bytes "
			    "skipped",
			    b.size, b.flags, b.type, (unsigned long long)(next - off));
			r->stats.buffers_damaged++;
			off = next;
			continue;
		}
		if (r->nbuffers == cap) {
			uint32_t ncap = cap ? cap * 2 : 256;
			struct buffer_ref *nb = realloc(r->buffers, ncap * sizeof(*nb));

			if (!nb)
				return error_set(err, ALPCSCOPE_E_NOMEM, off, "out of memory");
			r->buffers = nb;
			cap = ncap;
		}
		struct buffer_ref *ref = &r->buffers[r->nbuffers];

		ref->file_offset = off;
		ref->sequence = b.sequence;
		ref->avail = b.size;
		ref->saved_offset = b.saved_offset;
		ref->offset = b.offset;
		ref->processor = b.processor;
		ref->flags = b.flags;
		ref->type = b.type;
		ref->gap_before = false; /* set once all sequence numbers are known */
		ref->index = r->nbuffers;
		if (b.size > r->size - off) {
			ref->avail = (uint32_t)(r->size - off);
			reader_diag(r, "ALPCSCOPE-W103", ALPCSCOPE_SEV_ERROR, off, r->nbuffers,
				    "buffer truncated by end of file: %u of %u bytes present",
				    ref->avail, b.size);
		}
		if (b.flags & WMIBUF_FLAG_COMPRESSED) {
			r->info.compressed_buffer_count++;
			r->info.compressed = true;
		}
		if (b.flags & (WMIBUF_FLAG_EVENTS_LOST | WMIBUF_FLAG_BUFFER_LOST))
			reader_diag(r, "ALPCSCOPE-I111", ALPCSCOPE_SEV_INFO, off, r->nbuffers,
				    "buffer flags report lost %s",
				    (b.flags & WMIBUF_FLAG_BUFFER_LOST) ? "buffers" : "events");
		r->nbuffers++;
		off += b.size;
	}
	r->info.buffer_count = r->nbuffers;
	return ALPCSCOPE_OK;
}
