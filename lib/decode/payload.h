/* SPDX-License-Identifier: MIT */
/*
 * Private plumbing shared by the payload decoders: the decoder object with its
 * scratch memory, a bounds-checked payload cursor with a sticky overrun flag,
 * string readers (ANSI/UTF-16 Z -> UTF-8, SID -> "S-1-...") and the field
 * list builder. Layouts themselves live in the per-provider files.
 */
#ifndef ALPCSCOPE_DECODE_PAYLOAD_H
#define ALPCSCOPE_DECODE_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alpcscope/decode.h"
#include "util/bytes.h"

struct alpcscope_decoder {
	struct alpcscope_decoded out;
	struct alpcscope_field fields[ALPCSCOPE_MAX_DECODED_FIELDS];

	/* UTF-8 text of one decode; reserved up front so pointers never move. */
	char *text;
	size_t text_cap;
	size_t text_len;

	uint64_t *frames;
	size_t frames_cap;

	struct schema_state *schema; /* schema_decode.c; NULL until first needed */
};

/*
 * One payload being decoded: util's sticky-overrun cursor plus what the
 * string readers need. Decode a whole record, then check overrun once.
 */
struct payload {
	struct cursor c;
	const uint8_t *base; /* whole payload, for rules that look at all of it */
	size_t size;
	unsigned ptr_size;             /* 4 or 8: the record's pointer width */
	struct alpcscope_decoder *dec; /* owner of the string scratch */
};

static inline bool
payload_overrun(const struct payload *p)
{
	return p->c.overrun;
}

static inline size_t
payload_left(const struct payload *p)
{
	return cursor_left(&p->c);
}

static inline const uint8_t *
payload_take(struct payload *p, size_t n)
{
	return cursor_take(&p->c, n);
}

static inline uint8_t
payload_u8(struct payload *p)
{
	return cursor_u8(&p->c);
}

static inline uint16_t
payload_u16(struct payload *p)
{
	return cursor_u16(&p->c);
}

static inline uint32_t
payload_u32(struct payload *p)
{
	return cursor_u32(&p->c);
}

static inline uint64_t
payload_u64(struct payload *p)
{
	return cursor_u64(&p->c);
}

static inline uint64_t
payload_ptr(struct payload *p)
{
	return cursor_ptr(&p->c, p->ptr_size);
}

static inline void
payload_skip(struct payload *p, size_t n)
{
	cursor_skip(&p->c, n);
}

/* GUID as Data1 u32, Data2 u16, Data3 u16, Data4 8 bytes. */
void payload_guid(struct payload *p, struct alpcscope_guid *out);

/* NUL-terminated single-byte string (UTF-8, else read as Latin-1); NULL + overrun if unterminated.
 */
const char *payload_ansiz(struct payload *p);

/* NUL-terminated UTF-16LE string as UTF-8; NULL + overrun if unterminated. */
const char *payload_utf16z(struct payload *p);

/* Fixed array of @p units UTF-16 code units, up to the first NUL unit. */
const char *payload_utf16_fixed(struct payload *p, size_t units);

/*
 * Process UserSID (docs/event-layouts.md#process-usersid): u32 0 -> no SID (4 bytes, NULL);
 * else a TOKEN_USER header of 2 * ptr_size bytes, then the SID.
 */
const char *payload_token_user_sid(struct payload *p);

/* Pointer-sized addresses until the end of the payload (a partial tail is ignored). */
const uint64_t *payload_ptr_array(struct payload *p, size_t *count);

/* Append one field to the decoder's result (silently capped at the maximum). */
struct alpcscope_field *field_add(struct alpcscope_decoder *dec, const char *name,
				  enum alpcscope_field_type type);

static inline void
field_u(struct alpcscope_decoder *dec, const char *name, uint64_t v)
{
	struct alpcscope_field *f = field_add(dec, name, ALPCSCOPE_FIELD_UINT);

	if (f)
		f->value.u = v;
}

static inline void
field_i(struct alpcscope_decoder *dec, const char *name, int64_t v)
{
	struct alpcscope_field *f = field_add(dec, name, ALPCSCOPE_FIELD_INT);

	if (f)
		f->value.i = v;
}

static inline void
field_hex(struct alpcscope_decoder *dec, const char *name, uint64_t v)
{
	struct alpcscope_field *f = field_add(dec, name, ALPCSCOPE_FIELD_HEX);

	if (f)
		f->value.u = v;
}

static inline void
field_bool(struct alpcscope_decoder *dec, const char *name, bool v)
{
	struct alpcscope_field *f = field_add(dec, name, ALPCSCOPE_FIELD_BOOL);

	if (f)
		f->value.b = v;
}

/* A string field; NULL strings (absent in this version) are not listed. */
static inline void
field_str(struct alpcscope_decoder *dec, const char *name, const char *v)
{
	struct alpcscope_field *f;

	if (!v)
		return;
	f = field_add(dec, name, ALPCSCOPE_FIELD_STRING);
	if (f)
		f->value.str = v;
}

static inline void
field_sid(struct alpcscope_decoder *dec, const char *name, const char *v)
{
	struct alpcscope_field *f;

	if (!v)
		return;
	f = field_add(dec, name, ALPCSCOPE_FIELD_SID);
	if (f)
		f->value.str = v;
}

static inline void
field_guid(struct alpcscope_decoder *dec, const char *name, const struct alpcscope_guid *v)
{
	struct alpcscope_field *f = field_add(dec, name, ALPCSCOPE_FIELD_GUID);

	if (f)
		f->value.guid = *v;
}

static inline void
field_bytes(struct alpcscope_decoder *dec, const char *name, const uint8_t *data, size_t size)
{
	struct alpcscope_field *f = field_add(dec, name, ALPCSCOPE_FIELD_BYTES);

	if (f) {
		f->value.bytes.data = data;
		f->value.bytes.size = size;
	}
}

static inline void
field_addresses(struct alpcscope_decoder *dec, const char *name, const uint64_t *items,
		size_t count)
{
	struct alpcscope_field *f = field_add(dec, name, ALPCSCOPE_FIELD_ADDRESSES);

	if (f) {
		f->value.addresses.items = items;
		f->value.addresses.count = count;
	}
}

/*
 * Per-provider decoders. Each fills dec->out.as.<kind>, sets dec->out.kind,
 * appends fields and returns true, or returns false when the payload is too
 * short for the layout (the caller turns that into ALPCSCOPE_E_CORRUPT with
 * the reason in *why). A decoder may also leave the kind GENERIC and return
 * true for a version or opcode it does not know.
 */
bool kernel_process_decode(struct payload *p, const struct alpcscope_event *ev, const char **why);
bool kernel_thread_decode(struct payload *p, const struct alpcscope_event *ev, const char **why);
bool kernel_image_decode(struct payload *p, const struct alpcscope_event *ev, const char **why);
bool kernel_alpc_decode(struct payload *p, const struct alpcscope_event *ev, const char **why);
bool stackwalk_decode(struct payload *p, const struct alpcscope_event *ev, const char **why);
bool kernel_trace_control_decode(struct payload *p, const struct alpcscope_event *ev,
				 const char **why);
bool system_config_decode(struct payload *p, const struct alpcscope_event *ev, const char **why);
bool event_trace_decode(struct payload *p, const struct alpcscope_event *ev, const char **why);

#endif
