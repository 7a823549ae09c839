/* SPDX-License-Identifier: MIT */
/* A decoded field's value as plain text, in the dump or the XML style (no printf per field). */
#include "output/field_text.h"

#include "output/model_output.h"

const struct field_text_style field_text_dump = {false, true, RAW_PAYLOAD_SHOWN};
const struct field_text_style field_text_xml = {true, false, 0};

void
field_text(struct strbuf *sb, const struct alpcscope_field *f, const struct field_text_style *style)
{
	char g[ALPCSCOPE_GUID_STR_SIZE];
	size_t n;

	switch (f->type) {
	case ALPCSCOPE_FIELD_UINT: mo_sb_u64(sb, f->value.u); break;
	case ALPCSCOPE_FIELD_INT: mo_sb_i64(sb, f->value.i); break;
	case ALPCSCOPE_FIELD_HEX: mo_sb_hex64(sb, f->value.u); break;
	case ALPCSCOPE_FIELD_BOOL: mo_puts(sb, f->value.b ? "true" : "false"); break;
	case ALPCSCOPE_FIELD_STRING:
	case ALPCSCOPE_FIELD_SID:
		if (style->safe_text)
			strbuf_add_text(sb, f->value.str ? f->value.str : "");
		else
			strbuf_adds(sb, f->value.str ? f->value.str : "");
		break;
	case ALPCSCOPE_FIELD_GUID:
		alpcscope_guid_format(g, &f->value.guid);
		if (style->braced_guid)
			mo_putc(sb, '{');
		mo_puts(sb, g);
		if (style->braced_guid)
			mo_putc(sb, '}');
		break;
	case ALPCSCOPE_FIELD_BYTES:
		n = f->value.bytes.size;
		if (style->max_bytes && n > style->max_bytes)
			n = style->max_bytes;
		strbuf_add_hex(sb, f->value.bytes.data, n);
		if (n < f->value.bytes.size) {
			MO_LIT(sb, "...(");
			mo_sb_u64(sb, f->value.bytes.size);
			MO_LIT(sb, " bytes)");
		}
		break;
	case ALPCSCOPE_FIELD_ADDRESSES:
		for (size_t i = 0; i < f->value.addresses.count; i++) {
			if (i)
				mo_putc(sb, ' ');
			mo_sb_hex64(sb, f->value.addresses.items[i]);
		}
		break;
	}
}
