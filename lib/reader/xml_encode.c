/* SPDX-License-Identifier: MIT */
/*
 * Rebuild kernel payloads from named text fields, the inverse of the typed
 * decoders in lib/decode (layouts: docs/event-layouts.md).
 * Field names are matched case-insensitively (tracerpt's MOF names differ
 * from TraceEvent's in case only, e.g. ImageCheckSum / ImageChecksum).
 */
#include "reader/xml_encode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
xml_bytes_free(struct xml_bytes *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static bool
reserve(struct xml_bytes *b, size_t n)
{
	if (b->oom)
		return false;
	if (b->len + n <= b->cap)
		return true;
	size_t ncap = b->cap ? b->cap : 256;

	while (ncap < b->len + n) {
		if (ncap > SIZE_MAX / 2) {
			b->oom = true;
			return false;
		}
		ncap *= 2;
	}
	uint8_t *p = realloc(b->data, ncap);

	if (!p) {
		b->oom = true;
		return false;
	}
	b->data = p;
	b->cap = ncap;
	return true;
}

static void
put(struct xml_bytes *b, const void *p, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void
put_le(struct xml_bytes *b, uint64_t v, unsigned n)
{
	uint8_t t[8];

	for (unsigned i = 0; i < n; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	put(b, t, n);
}

static void
put_zero(struct xml_bytes *b, size_t n)
{
	static const uint8_t z[16];

	while (n) {
		size_t k = n < sizeof(z) ? n : sizeof(z);

		put(b, z, k);
		n -= k;
	}
}

bool
xml_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	bool neg = false, any = false;

	if (!s)
		return false;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s == '-') {
		neg = true;
		s++;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		for (;; s++) {
			unsigned d;

			if (*s >= '0' && *s <= '9')
				d = (unsigned)(*s - '0');
			else if (*s >= 'a' && *s <= 'f')
				d = (unsigned)(*s - 'a' + 10);
			else if (*s >= 'A' && *s <= 'F')
				d = (unsigned)(*s - 'A' + 10);
			else
				break;
			if (v >> 60)
				return false;
			v = v << 4 | d;
			any = true;
		}
	} else {
		for (; *s >= '0' && *s <= '9'; s++) {
			unsigned d = (unsigned)(*s - '0');

			if (v > (UINT64_MAX - d) / 10)
				return false;
			v = v * 10 + d;
			any = true;
		}
	}
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (!any || *s)
		return false;
	*out = neg ? (uint64_t)0 - v : v;
	return true;
}

struct enc {
	const struct xml_kv *f;
	size_t n;
	unsigned ptr;
	struct xml_bytes *out;
};

static const char *
get(const struct enc *e, const char *name)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->f[i].name && strcasecmp(e->f[i].name, name) == 0)
			return e->f[i].value ? e->f[i].value : "";
	return NULL;
}

static uint64_t
num(const struct enc *e, const char *name)
{
	const char *s = get(e, name);
	uint64_t v = 0;

	if (s && (strcasecmp(s, "true") == 0))
		return 1;
	if (!s || !xml_parse_u64(s, &v))
		return 0;
	return v;
}

/* Numeric field under the first of two names present. */
static uint64_t
num2(const struct enc *e, const char *a, const char *b)
{
	return get(e, a) ? num(e, a) : num(e, b);
}

static void
u8(struct enc *e, uint64_t v)
{
	put_le(e->out, v, 1);
}

static void
u32(struct enc *e, uint64_t v)
{
	put_le(e->out, v, 4);
}

static void
u64(struct enc *e, uint64_t v)
{
	put_le(e->out, v, 8);
}

static void
ptr(struct enc *e, uint64_t v)
{
	put_le(e->out, v, e->ptr);
}

/* Next code point of UTF-8 text (invalid bytes give U+FFFD). */
static uint32_t
next_cp(const unsigned char **ps)
{
	const unsigned char *s = *ps;
	uint32_t c = s[0];
	size_t len;

	if (c < 0x80) {
		*ps = s + 1;
		return c;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		c &= 0x07;
	} else {
		goto bad;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		goto bad;
	*ps = s + len;
	return c;
bad:
	*ps = s + 1;
	return 0xFFFD;
}

/* UTF-16LE of @p s, at most @p max_units code units (0 = no limit), no terminator. */
static size_t
put_utf16(struct xml_bytes *b, const char *s, size_t max_units)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t units = 0;

	while (*p && (!max_units || units < max_units)) {
		uint32_t c = next_cp(&p);

		if (c >= 0x10000) {
			if (max_units && units + 2 > max_units)
				break;
			c -= 0x10000;
			put_le(b, 0xD800 | (c >> 10), 2);
			put_le(b, 0xDC00 | (c & 0x3FF), 2);
			units += 2;
		} else {
			put_le(b, c, 2);
			units++;
		}
	}
	return units;
}

static void
utf16z(struct enc *e, const char *name)
{
	put_utf16(e->out, get(e, name), 0);
	put_le(e->out, 0, 2);
}

static void
utf16_fixed(struct enc *e, const char *name, size_t units)
{
	size_t n = put_utf16(e->out, get(e, name), units - 1);

	put_zero(e->out, 2 * (units - n));
}

static void
ansiz(struct enc *e, const char *name)
{
	const char *s = get(e, name);

	if (s)
		put(e->out, s, strlen(s));
	put_le(e->out, 0, 1);
}

/* UserSID: "S-1-5-21-..." as TOKEN_USER (two pointers) + SID, or a 4-byte 0 (none). */
static void
user_sid(struct enc *e)
{
	const char *s = get(e, "UserSID");
	uint64_t rev, auth, sub[15];
	unsigned count = 0;
	char *end;

	if (!s || strncmp(s, "S-", 2) != 0)
		goto none;
	rev = strtoull(s + 2, &end, 10);
	if (end == s + 2 || *end != '-' || rev > 255)
		goto none;
	auth = strtoull(end + 1, &end, 0);
	while (*end == '-' && count < 15) {
		const char *st = end + 1;

		sub[count] = strtoull(st, &end, 10);
		if (end == st || sub[count] > UINT32_MAX)
			goto none;
		count++;
	}
	if (*end)
		goto none;
	ptr(e, 1); /* TOKEN_USER.User.Sid: any non-zero value */
	ptr(e, 0); /* Attributes, padded to a pointer */
	u8(e, rev);
	u8(e, count);
	for (int i = 5; i >= 0; i--)
		u8(e, auth >> (8 * i));
	for (unsigned i = 0; i < count; i++)
		u32(e, sub[i]);
	return;
none:
	u32(e, 0);
}

/* Frames: "Stack" as a space separated list, or tracerpt's Stack1..StackN. */
static void
frames(struct enc *e)
{
	const char *s = get(e, "Stack");

	if (s) {
		while (*s) {
			char *end;
			uint64_t v;

			while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
				s++;
			if (!*s)
				break;
			v = strtoull(s, &end, 0);
			if (end == s)
				break;
			ptr(e, v);
			s = end;
		}
		return;
	}
	for (unsigned i = 1; i <= 256; i++) {
		char name[16];
		const char *v;

		snprintf(name, sizeof(name), "Stack%u", i);
		v = get(e, name);
		if (!v)
			break;
		ptr(e, num(e, name));
	}
}

static bool
encode_process(struct enc *e, const struct alpcscope_event *ev)
{
	uint8_t v = ev->version;

	ptr(e, num(e, "UniqueProcessKey"));
	u32(e, num(e, "ProcessId"));
	u32(e, num(e, "ParentId"));
	u32(e, num(e, "SessionId"));
	u32(e, num(e, "ExitStatus"));
	if (v >= 3)
		ptr(e, num(e, "DirectoryTableBase"));
	if (v >= 4)
		u32(e, num(e, "Flags"));
	user_sid(e);
	ansiz(e, "ImageFileName");
	utf16z(e, "CommandLine");
	if (v >= 4) {
		utf16z(e, "PackageFullName");
		utf16z(e, "ApplicationId");
	}
	if (ev->opcode == 39 && v >= 5 && get(e, "ExitTime"))
		u64(e, num(e, "ExitTime"));
	return true;
}

static bool
encode_thread(struct enc *e, const struct alpcscope_event *ev)
{
	uint8_t v = ev->version;

	if (ev->opcode == 72) {
		u32(e, num(e, "ProcessId"));
		u32(e, num2(e, "ThreadId", "TThreadId"));
		utf16z(e, "ThreadName");
		return true;
	}
	u32(e, num(e, "ProcessId"));
	u32(e, num2(e, "TThreadId", "ThreadId"));
	ptr(e, num(e, "StackBase"));
	ptr(e, num(e, "StackLimit"));
	ptr(e, num(e, "UserStackBase"));
	ptr(e, num(e, "UserStackLimit"));
	ptr(e, num2(e, "Affinity", "StartAddr"));
	ptr(e, num(e, "Win32StartAddr"));
	ptr(e, num(e, "TebBase"));
	u32(e, num(e, "SubProcessTag"));
	if (v >= 3) {
		u8(e, num(e, "BasePriority"));
		u8(e, num(e, "PagePriority"));
		u8(e, num(e, "IoPriority"));
		u8(e, num(e, "ThreadFlags"));
		if (get(e, "ThreadName"))
			utf16z(e, "ThreadName");
	}
	return true;
}

static bool
encode_image(struct enc *e, const struct alpcscope_event *ev)
{
	ptr(e, num(e, "ImageBase"));
	ptr(e, num(e, "ImageSize"));
	u32(e, num(e, "ProcessId"));
	u32(e, num(e, "ImageChecksum"));
	u32(e, num(e, "TimeDateStamp"));
	if (ev->version >= 3) {
		u8(e, num(e, "SignatureLevel"));
		u8(e, num(e, "SignatureType"));
		put_zero(e->out, 2);
	} else {
		put_zero(e->out, 4);
	}
	ptr(e, num(e, "DefaultBase"));
	put_zero(e->out, 16);
	utf16z(e, "FileName");
	return true;
}

static bool
ascii_only(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static bool
encode_alpc(struct enc *e, const struct alpcscope_event *ev)
{
	switch (ev->opcode) {
	case ALPCSCOPE_ALPC_SEND:
	case ALPCSCOPE_ALPC_RECEIVE:
	case ALPCSCOPE_ALPC_WAIT_FOR_REPLY: u32(e, num(e, "MessageID")); return true;
	case ALPCSCOPE_ALPC_WAIT_FOR_NEW: {
		const char *name = get(e, "PortName"), *enc = get(e, "PortNameEncoding");

		u32(e, num(e, "IsServerPort"));
		if (!name)
			return true;
		/* UTF-16 as the MOF declares, unless the dump says single-byte or the name
		 * would defeat the decoder's UTF-16 detection rule (non-ASCII). */
		if ((enc && strcasecmp(enc, "single-byte") == 0) || !ascii_only(name))
			ansiz(e, "PortName");
		else
			utf16z(e, "PortName");
		return true;
	}
	case ALPCSCOPE_ALPC_UNWAIT: u32(e, num(e, "Status")); return true;
	case ALPCSCOPE_ALPC_CONNECT_REQUEST:
	case ALPCSCOPE_ALPC_CONNECT_SUCCESS:
	case ALPCSCOPE_ALPC_CONNECT_FAIL:
	case ALPCSCOPE_ALPC_CLOSE_PORT: {
		const char *s = get(e, "Payload");

		while (s && s[0] && s[1]) {
			char hx[3] = {s[0], s[1], 0};
			char *end;
			unsigned long b = strtoul(hx, &end, 16);

			if (*end)
				break;
			u8(e, b);
			s += 2;
		}
		return true;
	}
	default: return false;
	}
}

static bool
encode_stackwalk(struct enc *e, const struct alpcscope_event *ev)
{
	switch (ev->opcode) {
	case 32:
		u64(e, num(e, "EventTimeStamp"));
		u32(e, num(e, "StackProcess"));
		u32(e, num(e, "StackThread"));
		frames(e);
		return true;
	case 34:
	case 35:
	case 36:
		ptr(e, num(e, "StackKey"));
		frames(e);
		return true;
	case 37:
	case 38:
		u64(e, num(e, "EventTimeStamp"));
		u32(e, num(e, "StackProcess"));
		u32(e, num(e, "StackThread"));
		ptr(e, num(e, "StackKey"));
		return true;
	default: return false;
	}
}

static bool
encode_service(struct enc *e, const struct alpcscope_event *ev)
{
	if (ev->version >= 2) {
		u32(e, num(e, "ProcessId"));
		u32(e, num(e, "ServiceState"));
		u32(e, num(e, "SubProcessTag"));
		utf16z(e, "ServiceName");
		utf16z(e, "DisplayName");
		utf16z(e, "ProcessName");
		if (ev->version >= 3) {
			utf16z(e, "LoadOrderGroup");
			utf16z(e, "SvchostGroup");
		}
	} else {
		utf16_fixed(e, "ServiceName", 34);
		utf16_fixed(e, "DisplayName", 256);
		utf16_fixed(e, "ProcessName", 34);
		u32(e, num(e, "ProcessId"));
	}
	return true;
}

bool
xml_encode_supported(const struct alpcscope_event *ev)
{
	if (!ev->is_kernel)
		return false;
	switch (ev->group) {
	case 0x03:
		if (ev->opcode == 10)
			return ev->version >= 2;
		return ev->version >= 2 &&
		       ((ev->opcode >= 1 && ev->opcode <= 4) || ev->opcode == 39);
	case 0x05:
		return ev->opcode == 72 || (ev->version >= 2 && ev->opcode >= 1 && ev->opcode <= 4);
	case 0x0B: return ev->opcode == 15;
	case 0x14:
		return ev->version >= 2 &&
		       (ev->opcode == 10 || (ev->opcode >= 2 && ev->opcode <= 4));
	case 0x18: return ev->opcode == 32 || (ev->opcode >= 34 && ev->opcode <= 38);
	case 0x1A:
		return ev->opcode >= ALPCSCOPE_ALPC_SEND && ev->opcode <= ALPCSCOPE_ALPC_CLOSE_PORT;
	default: return false;
	}
}

bool
xml_encode_payload(const struct alpcscope_event *ev, const struct xml_kv *fields, size_t count,
		   struct xml_bytes *out)
{
	struct enc e = {fields, count, ev->pointer_size == 4 ? 4u : 8u, out};
	bool ok;

	out->len = 0;
	if (!xml_encode_supported(ev))
		return false;
	switch (ev->group) {
	case 0x03: ok = ev->opcode == 10 ? encode_image(&e, ev) : encode_process(&e, ev); break;
	case 0x05: ok = encode_thread(&e, ev); break;
	case 0x0B: ok = encode_service(&e, ev); break;
	case 0x14: ok = encode_image(&e, ev); break;
	case 0x18: ok = encode_stackwalk(&e, ev); break;
	case 0x1A: ok = encode_alpc(&e, ev); break;
	default: ok = false; break;
	}
	return ok && !out->oom;
}
