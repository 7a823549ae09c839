/* SPDX-License-Identifier: MIT */
/*
 * Payload re-encoder for XML trace sources: rebuilds the binary payload of
 * the kernel events the analysis uses (Process, Thread, Thread SetName,
 * Image, ALPC, StackWalk, SystemConfig Services) from their named <Data>
 * fields, in the layouts of docs/event-layouts.md, so that the unchanged
 * decoder and model consume events read from an XML dump.
 */
#ifndef ALPCSCOPE_READER_XML_ENCODE_H
#define ALPCSCOPE_READER_XML_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <alpcscope/event.h>

/* A named field as text (from a <Data Name="..."> element). */
struct xml_kv {
	const char *name;
	const char *value;
};

/* Growable byte buffer with a sticky failure flag. */
struct xml_bytes {
	uint8_t *data;
	size_t len;
	size_t cap;
	bool oom;
};

void xml_bytes_free(struct xml_bytes *b);

/*
 * True when xml_encode_payload() can rebuild the payload of @p ev (a kernel
 * event of one of the kinds above, with a version the decoder types).
 */
bool xml_encode_supported(const struct alpcscope_event *ev);

/*
 * Encode the payload of @p ev (group, opcode, version, pointer_size set)
 * from @p fields into @p out (reset first). Missing fields encode as 0 / "".
 * Returns false when the event kind is not supported or memory ran out.
 */
bool xml_encode_payload(const struct alpcscope_event *ev, const struct xml_kv *fields, size_t count,
			struct xml_bytes *out);

/* Parse unsigned text: decimal, or hex with 0x; surrounding spaces allowed. */
bool xml_parse_u64(const char *s, uint64_t *out);

#endif
