/* SPDX-License-Identifier: MIT */
/*
 * A decoded field's value as plain text, shared by the dump writers (text,
 * JSON Lines strings, CSV: lib/output/dump_writer.c) and the XML dump's
 * <Data> elements (lib/output/xml_writer.c). The two differ only in the
 * style below, so a new field type is spelt in one place.
 */
#ifndef ALPCSCOPE_OUTPUT_FIELD_TEXT_H
#define ALPCSCOPE_OUTPUT_FIELD_TEXT_H

#include <alpcscope/decode.h>

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

/* Raw payloads and BYTES fields in a dump line: hex of up to this many bytes (size always shown).
 */
#define RAW_PAYLOAD_SHOWN 256

struct field_text_style {
	bool braced_guid; /* {GUID}, as tracerpt writes it */
	bool safe_text;   /* strings as one safe line (strbuf_add_text); else verbatim */
	size_t max_bytes; /* BYTES: hex of at most this many, then "...(N bytes)"; 0 = all */
};

/* One line per event: strings made safe, long byte fields cut. */
extern const struct field_text_style field_text_dump;
/* XML <Data>: verbatim (the XML writer sanitises), GUIDs braced, all bytes. */
extern const struct field_text_style field_text_xml;

/* Append @p f's value to @p sb (no quoting) in @p style. */
void field_text(struct strbuf *sb, const struct alpcscope_field *f,
		const struct field_text_style *style);

#endif
