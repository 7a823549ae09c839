/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the decode unit tests: build little-endian payloads by hand,
 * wrap them in a struct alpcscope_event as the reader would lend it, and check
 * that every truncation of a payload is rejected cleanly (each cut is copied
 * into an exact-size heap block so ASan sees any read past the end).
 */
#ifndef ALPCSCOPE_TEST_PAYLOAD_BUILDER_H
#define ALPCSCOPE_TEST_PAYLOAD_BUILDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alpcscope/decode.h"
#include "check.h"

#define TEST_FILE_OFFSET 0x123458u

struct pb {
	uint8_t buf[8192];
	size_t len;
};

static inline void
pb_u8(struct pb *b, uint8_t v)
{
	b->buf[b->len++] = v;
}

static inline void
pb_u16(struct pb *b, uint16_t v)
{
	pb_u8(b, (uint8_t)v);
	pb_u8(b, (uint8_t)(v >> 8));
}

static inline void
pb_u32(struct pb *b, uint32_t v)
{
	pb_u16(b, (uint16_t)v);
	pb_u16(b, (uint16_t)(v >> 16));
}

static inline void
pb_u64(struct pb *b, uint64_t v)
{
	pb_u32(b, (uint32_t)v);
	pb_u32(b, (uint32_t)(v >> 32));
}

static inline void
pb_ptr(struct pb *b, unsigned ptr_size, uint64_t v)
{
	if (ptr_size == 8)
		pb_u64(b, v);
	else
		pb_u32(b, (uint32_t)v);
}

/* Single-byte string with its NUL. */
static inline void
pb_ansi(struct pb *b, const char *s)
{
	size_t n = strlen(s) + 1;

	memcpy(b->buf + b->len, s, n);
	b->len += n;
}

/* UTF-8 text (BMP only, enough for tests) as UTF-16LE with its NUL. */
static inline void
pb_utf16(struct pb *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		uint32_t cp;

		if (u[0] < 0x80) {
			cp = u[0];
			u += 1;
		} else if ((u[0] & 0xE0) == 0xC0) {
			cp = (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
			u += 2;
		} else {
			cp = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 |
			     (u[2] & 0x3F);
			u += 3;
		}
		pb_u16(b, (uint16_t)cp);
	}
	pb_u16(b, 0);
}

static inline void
pb_guid(struct pb *b, const struct alpcscope_guid *g)
{
	pb_u32(b, g->data1);
	pb_u16(b, g->data2);
	pb_u16(b, g->data3);
	memcpy(b->buf + b->len, g->data4, 8);
	b->len += 8;
}

/* A kernel (SYSTEM/PERFINFO framed) event as the reader lends it. */
static inline struct alpcscope_event
kernel_event(uint8_t group, uint8_t opcode, uint8_t version, unsigned ptr_size, const struct pb *b)
{
	struct alpcscope_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = ptr_size == 8 ? ALPCSCOPE_RECORD_SYSTEM64 : ALPCSCOPE_RECORD_SYSTEM32;
	ev.pointer_size = (uint8_t)ptr_size;
	ev.is_kernel = true;
	ev.group = group;
	ev.opcode = opcode;
	ev.version = version;
	ev.hook_id = (uint16_t)(group << 8 | opcode);
	ev.thread_id = 100;
	ev.process_id = 200;
	ev.payload = b->buf;
	ev.payload_size = b->len;
	ev.file_offset = TEST_FILE_OFFSET;
	return ev;
}

/* A classic (FULL_HEADER framed) event with a class GUID. */
static inline struct alpcscope_event
classic_event(const struct alpcscope_guid *guid, uint8_t opcode, uint8_t version, unsigned ptr_size,
	      const struct pb *b)
{
	struct alpcscope_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = ptr_size == 8 ? ALPCSCOPE_RECORD_FULL64 : ALPCSCOPE_RECORD_FULL32;
	ev.pointer_size = (uint8_t)ptr_size;
	ev.has_provider = true;
	ev.provider = *guid;
	ev.opcode = opcode;
	ev.version = version;
	ev.thread_id = 0xFFFFFFFFu;
	ev.payload = b->buf;
	ev.payload_size = b->len;
	ev.file_offset = TEST_FILE_OFFSET;
	return ev;
}

static inline bool
size_in(size_t v, const size_t *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

/*
 * Decode every prefix of @p ev's payload. Prefix lengths listed in @p ok_lens
 * (and the full length) must decode to @p kind; every other prefix must fail
 * with ALPCSCOPE_E_CORRUPT at the record's file offset and yield a generic
 * record. Returns the number of prefixes that behaved otherwise.
 */
static inline unsigned
check_truncations(struct alpcscope_decoder *dec, const struct alpcscope_event *ev,
		  enum alpcscope_decoded_kind kind, const size_t *ok_lens, size_t n_ok)
{
	unsigned bad = 0;
	size_t cut;

	for (cut = 0; cut <= ev->payload_size; cut++) {
		struct alpcscope_event e = *ev;
		const struct alpcscope_decoded *d = NULL;
		struct alpcscope_error err;
		enum alpcscope_status st;
		uint8_t *copy = malloc(cut ? cut : 1);
		bool want_ok = cut == ev->payload_size || size_in(cut, ok_lens, n_ok);

		memcpy(copy, ev->payload, cut);
		e.payload = copy;
		e.payload_size = cut;
		memset(&err, 0, sizeof(err));
		st = alpcscope_decode(dec, &e, &d, &err);
		if (want_ok) {
			if (st != ALPCSCOPE_OK || !d || d->kind != kind) {
				fprintf(stderr, "cut %zu: expected OK, got %d (%s)\n", cut, st,
					err.message);
				bad++;
			}
		} else if (st != ALPCSCOPE_E_CORRUPT || err.offset != TEST_FILE_OFFSET || !d ||
			   d->kind != ALPCSCOPE_DECODED_GENERIC ||
			   d->as.generic.payload_size != cut) {
			fprintf(stderr, "cut %zu of %zu: expected E_CORRUPT, got %d\n", cut,
				ev->payload_size, st);
			bad++;
		}
		free(copy);
	}
	return bad;
}

/* The field named @p name must exist with @p type. */
static inline const struct alpcscope_field *
field_of(const struct alpcscope_decoded *d, const char *name, enum alpcscope_field_type type)
{
	const struct alpcscope_field *f = alpcscope_decoded_field(d, name);

	if (!f || f->type != type) {
		fprintf(stderr, "field %s missing or of the wrong type\n", name);
		return NULL;
	}
	return f;
}

#endif
