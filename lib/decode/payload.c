/* SPDX-License-Identifier: MIT */
/*
 * String, SID, GUID and address-array readers over a payload cursor, writing
 * UTF-8 into the decoder's text scratch, plus the field list builder.
 * String kinds and the SID rule: docs/event-layouts.md#conventions and
 * #process-usersid.
 */
#include "payload.h"
#include "util/utf16.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/*
 * decode.c reserves enough scratch for the worst case of the whole payload
 * before a decode starts (strings never overlap, so the sum is bounded), so
 * a failure here means a bug in that bound; treat it as an overrun rather
 * than write past the buffer.
 */
static char *
text_begin(struct payload *p, size_t worst)
{
	struct alpcscope_decoder *dec = p->dec;

	if (worst > dec->text_cap - dec->text_len) {
		p->c.overrun = true;
		return NULL;
	}
	return dec->text + dec->text_len;
}

static const char *
text_commit(struct payload *p, size_t len)
{
	struct alpcscope_decoder *dec = p->dec;
	char *s = dec->text + dec->text_len;

	s[len] = '\0';
	dec->text_len += len + 1;
	return s;
}

void
payload_guid(struct payload *p, struct alpcscope_guid *out)
{
	const uint8_t *b;

	out->data1 = payload_u32(p);
	out->data2 = payload_u16(p);
	out->data3 = payload_u16(p);
	b = payload_take(p, 8);
	if (b)
		memcpy(out->data4, b, 8);
	else
		memset(out->data4, 0, 8);
}

static size_t
put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Length of a valid UTF-8 sequence at s[0..n), or 0 if invalid there. */
static size_t
utf8_seq_len(const uint8_t *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, cp = s[0] & 0x1Fu;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, cp = s[0] & 0x0Fu;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3Fu);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

const char *
payload_ansiz(struct payload *p)
{
	const uint8_t *s = payload_overrun(p) ? NULL : p->c.pos;
	const uint8_t *nul;
	size_t n, i, o = 0;
	char *out;

	if (!s)
		return NULL;
	nul = memchr(s, 0, payload_left(p));
	if (!nul) {
		p->c.overrun = true;
		return NULL;
	}
	n = (size_t)(nul - s);
	/* Valid UTF-8 is copied; any other byte is taken as Latin-1 (2 bytes at most). */
	out = text_begin(p, 2 * n + 1);
	if (!out)
		return NULL;
	for (i = 0; i < n;) {
		size_t len = utf8_seq_len(s + i, n - i);

		if (len) {
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
		} else {
			o += put_utf8(out + o, s[i]);
			i++;
		}
	}
	payload_skip(p, n + 1);
	return text_commit(p, o);
}

/* Convert @p units UTF-16LE code units at @p s (lone surrogates become U+FFFD). */
static const char *
utf16_convert(struct payload *p, const uint8_t *s, size_t units)
{
	size_t cap = utf16_utf8_capacity(2 * units);
	char *out = text_begin(p, cap);

	if (!out)
		return NULL;
	return text_commit(p, utf16_to_utf8(out, cap, s, 2 * units));
}

const char *
payload_utf16z(struct payload *p)
{
	const uint8_t *s;
	size_t left = payload_left(p), units;

	if (payload_overrun(p))
		return NULL;
	s = p->c.pos;
	/* Terminator alignment is relative to the field start (it may sit at an odd offset). */
	for (units = 0; 2 * units + 2 <= left; units++) {
		if (s[2 * units] == 0 && s[2 * units + 1] == 0) {
			const char *r = utf16_convert(p, s, units);

			payload_skip(p, 2 * units + 2);
			return r;
		}
	}
	p->c.overrun = true;
	return NULL;
}

const char *
payload_utf16_fixed(struct payload *p, size_t units)
{
	const uint8_t *s = payload_take(p, 2 * units);
	size_t n;

	if (!s)
		return NULL;
	for (n = 0; n < units; n++)
		if (s[2 * n] == 0 && s[2 * n + 1] == 0)
			break;
	return utf16_convert(p, s, n);
}

const char *
payload_token_user_sid(struct payload *p)
{
	const uint8_t *hdr, *auth;
	uint8_t revision, count;
	uint64_t authority = 0;
	size_t i, o;
	char *out;
	int w;

	if (payload_overrun(p) || payload_left(p) < 4) {
		p->c.overrun = true;
		return NULL;
	}
	if (le32_load(p->c.pos) == 0) {
		payload_skip(p, 4);
		return NULL;
	}
	hdr = payload_take(p, 2u * p->ptr_size); /* TOKEN_USER: Sid pointer + Attributes, padded */
	revision = payload_u8(p);
	count = payload_u8(p);
	auth = payload_take(p, 6);
	if (!hdr || !auth || (size_t)count * 4 > payload_left(p)) {
		p->c.overrun = true;
		return NULL;
	}
	for (i = 0; i < 6; i++)
		authority = authority << 8 | auth[i];
	/* "S-" + 3 + "-0x" + 12 + count * ("-" + 10) + NUL */
	out = text_begin(p, 24 + 11 * (size_t)count);
	if (!out)
		return NULL;
	if (authority >= (UINT64_C(1) << 32))
		w = snprintf(out, 24, "S-%u-0x%012" PRIX64, revision, authority);
	else
		w = snprintf(out, 24, "S-%u-%" PRIu64, revision, authority);
	o = w > 0 ? (size_t)w : 0;
	for (i = 0; i < count; i++) {
		w = snprintf(out + o, 12, "-%" PRIu32, payload_u32(p));
		o += w > 0 ? (size_t)w : 0;
	}
	return text_commit(p, o);
}

const uint64_t *
payload_ptr_array(struct payload *p, size_t *count)
{
	struct alpcscope_decoder *dec = p->dec;
	size_t n = payload_left(p) / p->ptr_size, i;

	/* decode.c sized frames for payload_size / 4 entries. */
	if (n > dec->frames_cap) {
		p->c.overrun = true;
		*count = 0;
		return NULL;
	}
	for (i = 0; i < n; i++)
		dec->frames[i] = payload_ptr(p);
	*count = n;
	return dec->frames;
}

struct alpcscope_field *
field_add(struct alpcscope_decoder *dec, const char *name, enum alpcscope_field_type type)
{
	struct alpcscope_field *f;

	if (dec->out.field_count >= ALPCSCOPE_MAX_DECODED_FIELDS)
		return NULL;
	f = &dec->fields[dec->out.field_count++];
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->type = type;
	return f;
}
