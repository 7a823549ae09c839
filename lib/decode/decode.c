/* SPDX-License-Identifier: MIT */
/*
 * Public decoder object and dispatch: picks the layout by kernel group (from
 * the hook id, or from the class GUID of a classic FULL/INSTANCE record) or by
 * provider GUID, then opcode and version. Unknown events become generic
 * records. Group/GUID table: docs/etl-layout.md#kernel-groups.
 */
#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "schema.h"
#include "util/error.h"

/* Kernel groups this layer decodes, by the GUID classic records carry instead of a hook id. */
static const struct {
	uint8_t group;
	struct alpcscope_guid guid;
} classic_groups[] = {
    {0x00, {0x68fdd900, 0x4a3e, 0x11d1, {0x84, 0xf4, 0x00, 0x00, 0xf8, 0x04, 0x64, 0xe3}}},
    {0x03, {0x3d6fa8d0, 0xfe05, 0x11d0, {0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c}}},
    {0x05, {0x3d6fa8d1, 0xfe05, 0x11d0, {0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c}}},
    {0x0B, {0x01853a65, 0x418f, 0x4f36, {0xae, 0xfc, 0xdc, 0x0f, 0x1d, 0x2f, 0xd2, 0x35}}},
    {0x14, {0x2cb15d1d, 0x5fc1, 0x11d2, {0xab, 0xe1, 0x00, 0xa0, 0xc9, 0x11, 0xf5, 0x18}}},
    {0x18, {0xdef2fe46, 0x7bd6, 0x4b80, {0xbd, 0x94, 0xf5, 0x7f, 0xe2, 0x0d, 0x0c, 0xe3}}},
    {0x1A, {0x45d8cccd, 0x539f, 0x4b72, {0xa8, 0xb7, 0x5c, 0x68, 0x31, 0x42, 0x60, 0x9a}}},
};

static const struct alpcscope_guid image_id_guid = {
    0xb3e675d7, 0x2554, 0x4f18, {0x83, 0x0b, 0x27, 0x62, 0x73, 0x25, 0x60, 0xde}};

const struct alpcscope_guid *
alpcscope_image_id_guid(void)
{
	return &image_id_guid;
}

static const uint8_t empty[1];

static bool
guid_eq(const struct alpcscope_guid *a, const struct alpcscope_guid *b)
{
	return a->data1 == b->data1 && a->data2 == b->data2 && a->data3 == b->data3 &&
	       memcmp(a->data4, b->data4, 8) == 0;
}

const char *
alpcscope_decoded_kind_name(enum alpcscope_decoded_kind kind)
{
	switch (kind) {
	case ALPCSCOPE_DECODED_GENERIC: return "generic";
	case ALPCSCOPE_DECODED_TRACE_HEADER: return "trace_header";
	case ALPCSCOPE_DECODED_TRACE_EXTENSION: return "trace_extension";
	case ALPCSCOPE_DECODED_PROCESS: return "process";
	case ALPCSCOPE_DECODED_THREAD: return "thread";
	case ALPCSCOPE_DECODED_THREAD_NAME: return "thread_name";
	case ALPCSCOPE_DECODED_IMAGE: return "image";
	case ALPCSCOPE_DECODED_ALPC: return "alpc";
	case ALPCSCOPE_DECODED_STACK_WALK: return "stack_walk";
	case ALPCSCOPE_DECODED_STACK_KEY: return "stack_key";
	case ALPCSCOPE_DECODED_STACK_KEY_REF: return "stack_key_ref";
	case ALPCSCOPE_DECODED_IMAGE_ID: return "image_id";
	case ALPCSCOPE_DECODED_DBG_ID: return "dbg_id";
	case ALPCSCOPE_DECODED_SERVICE: return "service";
	case ALPCSCOPE_DECODED_SCHEMA: return "schema";
	case ALPCSCOPE_DECODED_KIND_COUNT: break;
	}
	return "unknown";
}

enum alpcscope_status
alpcscope_decoder_new(struct alpcscope_decoder **out, struct alpcscope_error *err)
{
	struct alpcscope_decoder *dec;

	if (!out)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "decoder: NULL out");
	*out = NULL;
	dec = calloc(1, sizeof(*dec));
	if (!dec)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
				 "decoder: out of memory");
	*out = dec;
	return ALPCSCOPE_OK;
}

void
alpcscope_decoder_free(struct alpcscope_decoder *decoder)
{
	if (!decoder)
		return;
	free(decoder->text);
	free(decoder->frames);
	schema_state_free(decoder->schema);
	free(decoder);
}

/* Grow the scratch so no string or frame array of this payload can need more. */
static bool
reserve(struct alpcscope_decoder *dec, size_t payload_size)
{
	size_t text_need, frames_need;

	if (payload_size > (SIZE_MAX - 256) / 3)
		return false;
	text_need = 3 * payload_size + 256;
	frames_need = payload_size / 4 + 1;
	if (text_need > dec->text_cap) {
		size_t cap = dec->text_cap * 2 > text_need ? dec->text_cap * 2 : text_need;
		char *t = realloc(dec->text, cap);

		if (!t)
			return false;
		dec->text = t;
		dec->text_cap = cap;
	}
	if (frames_need > dec->frames_cap) {
		size_t cap = dec->frames_cap * 2 > frames_need ? dec->frames_cap * 2 : frames_need;
		uint64_t *f;

		if (cap > SIZE_MAX / sizeof(*f))
			return false;
		f = realloc(dec->frames, cap * sizeof(*f));
		if (!f)
			return false;
		dec->frames = f;
		dec->frames_cap = cap;
	}
	return true;
}

static void
fill_generic(struct alpcscope_decoder *dec, const struct alpcscope_event *ev)
{
	struct alpcscope_generic *g = &dec->out.as.generic;

	dec->out.kind = ALPCSCOPE_DECODED_GENERIC;
	dec->out.field_count = 0;
	memset(g, 0, sizeof(*g));
	g->provider = ev->provider;
	g->has_provider = ev->has_provider;
	g->event_id = ev->event_id;
	g->opcode = ev->opcode;
	g->version = ev->version;
	g->level = ev->level;
	g->keywords = ev->keywords;
	g->payload = ev->payload;
	g->payload_size = ev->payload_size;
	field_bytes(dec, "Payload", ev->payload, ev->payload_size);
}

/* Kernel group of @p ev: from the hook id, or from the class GUID of a classic record; -1 if none.
 */
static int
kernel_group_of(const struct alpcscope_event *ev)
{
	size_t i;

	if (ev->is_kernel)
		return ev->group;
	/* Only classic (MOF) framings use these GUIDs with kernel opcodes and layouts. */
	if (!ev->has_provider ||
	    (ev->kind != ALPCSCOPE_RECORD_FULL32 && ev->kind != ALPCSCOPE_RECORD_FULL64 &&
	     ev->kind != ALPCSCOPE_RECORD_INSTANCE32 && ev->kind != ALPCSCOPE_RECORD_INSTANCE64))
		return -1;
	for (i = 0; i < sizeof(classic_groups) / sizeof(classic_groups[0]); i++)
		if (guid_eq(&ev->provider, &classic_groups[i].guid))
			return classic_groups[i].group;
	return -1;
}

enum alpcscope_status
alpcscope_decode(struct alpcscope_decoder *decoder, const struct alpcscope_event *event,
		 const struct alpcscope_decoded **out, struct alpcscope_error *err)
{
	struct alpcscope_decoder *dec = decoder;
	struct payload p;
	const char *why = "payload too short";
	bool ok = true;
	int group;

	if (out)
		*out = NULL;
	if (!dec || !event || !out || (!event->payload && event->payload_size))
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "decode: NULL argument");
	if (!reserve(dec, event->payload_size))
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
				 "decode: out of memory for %zu-byte payload", event->payload_size);

	dec->text_len = 0;
	memset(&dec->out, 0, sizeof(dec->out));
	dec->out.event = event;
	dec->out.fields = dec->fields;
	dec->out.pointer_size = event->pointer_size == 4 ? 4 : 8;

	/* An empty payload may come as NULL; never do arithmetic on a null pointer. */
	p.c = cursor_make(event->payload ? event->payload : empty, event->payload_size);
	p.base = event->payload;
	p.size = event->payload_size;
	p.ptr_size = dec->out.pointer_size;
	p.dec = dec;

	group = kernel_group_of(event);
	if (group >= 0) {
		dec->out.name = alpcscope_kernel_opcode_name((uint8_t)group, event->opcode);
		switch (group) {
		case 0x00: ok = event_trace_decode(&p, event, &why); break;
		case 0x03:
			/* Hook 0x030A is the image Load (docs/etl-layout.md#kernel-groups). */
			if (event->opcode == 10)
				ok = kernel_image_decode(&p, event, &why);
			else
				ok = kernel_process_decode(&p, event, &why);
			break;
		case 0x05: ok = kernel_thread_decode(&p, event, &why); break;
		case 0x0B: ok = system_config_decode(&p, event, &why); break;
		case 0x14: ok = kernel_image_decode(&p, event, &why); break;
		case 0x18: ok = stackwalk_decode(&p, event, &why); break;
		case 0x1A: ok = kernel_alpc_decode(&p, event, &why); break;
		default: break;
		}
	} else if (event->has_provider && guid_eq(&event->provider, &image_id_guid)) {
		ok = kernel_trace_control_decode(&p, event, &why);
	}
	/* No typed decoder: decode by schema when one is known (schema_decode.c). */
	if (ok && !payload_overrun(&p) && dec->out.kind == ALPCSCOPE_DECODED_GENERIC) {
		enum alpcscope_status sst = schema_decode(dec, event, &why);

		if (sst == ALPCSCOPE_E_NOMEM)
			return error_set(err, sst, ALPCSCOPE_NO_OFFSET, "decode: out of memory");
		ok = sst == ALPCSCOPE_OK;
	}

	if (!ok || payload_overrun(&p)) {
		const char *name = dec->out.name;

		fill_generic(dec, event);
		*out = &dec->out;
		return error_set(err, ALPCSCOPE_E_CORRUPT, event->file_offset,
				 "%s (opcode %u, version %u, %zu-byte payload): %s",
				 name ? name : "event", event->opcode, event->version,
				 event->payload_size, why);
	}
	if (dec->out.kind == ALPCSCOPE_DECODED_GENERIC)
		fill_generic(dec, event);
	*out = &dec->out;
	return ALPCSCOPE_OK;
}

const struct alpcscope_field *
alpcscope_decoded_field(const struct alpcscope_decoded *decoded, const char *name)
{
	size_t i;

	if (!decoded || !name)
		return NULL;
	for (i = 0; i < decoded->field_count; i++)
		if (strcmp(decoded->fields[i].name, name) == 0)
			return &decoded->fields[i];
	return NULL;
}
