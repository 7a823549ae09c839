/* SPDX-License-Identifier: MIT */
/*
 * Payload encoders for the writer (etl_writer.h): kernel Process, Thread,
 * Image, ALPC, StackWalk and SystemConfig events, KernelTraceControl
 * ImageID/DbgID, Microsoft-Windows-RPC and Microsoft-Windows-WMI-Activity.
 * Layouts and field order: docs/event-layouts.md.
 * Kernel payloads are packed; pointer-sized fields follow the record width.
 */
#include "etl_writer.h"

#include <stdlib.h>
#include <string.h>

const struct etl_guid etl_guid_image_id = {
    0xb3e675d7, 0x2554, 0x4f18, {0x83, 0x0b, 0x27, 0x62, 0x73, 0x25, 0x60, 0xde}};
const struct etl_guid etl_guid_rpc = {
    0x6ad52b32, 0xd609, 0x4be9, {0xae, 0x07, 0xce, 0x8d, 0xae, 0x93, 0x7e, 0x39}};
const struct etl_guid etl_guid_wmi_activity = {
    0x1418ef04, 0xb0b4, 0x4623, {0xbf, 0x7e, 0xd7, 0x4a, 0xb4, 0x7b, 0xbd, 0xaa}};
const struct etl_guid etl_guid_iwbemservices = {
    0x9556dc99, 0x828c, 0x11cf, {0xa3, 0x7e, 0x00, 0xaa, 0x00, 0x32, 0x40, 0xc7}};

/* ---- byte builder ---------------------------------------------------------- */

void
etl_bytes_reset(struct etl_bytes *b)
{
	b->len = 0;
	b->failed = false;
}

void
etl_bytes_free(struct etl_bytes *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void
etl_bytes_put(struct etl_bytes *b, const void *data, size_t len)
{
	if (b->failed)
		return;
	/* No payload can exceed a record; refusing here bounds every encoder. */
	if (len > ETL_MAX_EVENT_SIZE - b->len) {
		b->failed = true;
		return;
	}
	if (b->cap - b->len < len) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->len < len)
			cap *= 2;
		uint8_t *d = realloc(b->data, cap);
		if (!d) {
			b->failed = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
}

void
etl_bytes_u8(struct etl_bytes *b, uint8_t v)
{
	etl_bytes_put(b, &v, 1);
}

void
etl_bytes_u16(struct etl_bytes *b, uint16_t v)
{
	uint8_t p[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	etl_bytes_put(b, p, 2);
}

void
etl_bytes_u32(struct etl_bytes *b, uint32_t v)
{
	uint8_t p[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	etl_bytes_put(b, p, 4);
}

void
etl_bytes_u64(struct etl_bytes *b, uint64_t v)
{
	etl_bytes_u32(b, (uint32_t)v);
	etl_bytes_u32(b, (uint32_t)(v >> 32));
}

void
etl_bytes_ptr(struct etl_bytes *b, unsigned width, uint64_t v)
{
	if (width == 4)
		etl_bytes_u32(b, (uint32_t)v);
	else
		etl_bytes_u64(b, v);
}

void
etl_bytes_guid(struct etl_bytes *b, const struct etl_guid *g)
{
	etl_bytes_u32(b, g->data1);
	etl_bytes_u16(b, g->data2);
	etl_bytes_u16(b, g->data3);
	etl_bytes_put(b, g->data4, 8);
}

void
etl_bytes_ansi(struct etl_bytes *b, const char *s)
{
	if (s)
		etl_bytes_put(b, s, strlen(s));
	etl_bytes_u8(b, 0);
}

/* Decode one UTF-8 sequence; invalid bytes become U+FFFD. */
static uint32_t
utf8_next(const unsigned char **ps)
{
	const unsigned char *s = *ps;
	uint32_t c = s[0];
	unsigned n = 0;
	if (c < 0x80) {
		*ps = s + 1;
		return c;
	}
	if ((c & 0xE0) == 0xC0)
		n = 1, c &= 0x1F;
	else if ((c & 0xF0) == 0xE0)
		n = 2, c &= 0x0F;
	else if ((c & 0xF8) == 0xF0)
		n = 3, c &= 0x07;
	else {
		*ps = s + 1;
		return 0xFFFD;
	}
	for (unsigned i = 1; i <= n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*ps = s + i;
			return 0xFFFD;
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	*ps = s + n + 1;
	return c > 0x10FFFF ? 0xFFFD : c;
}

void
etl_bytes_utf16(struct etl_bytes *b, const char *utf8)
{
	const unsigned char *s = (const unsigned char *)(utf8 ? utf8 : "");
	while (*s) {
		uint32_t c = utf8_next(&s);
		if (c >= 0x10000) {
			c -= 0x10000;
			etl_bytes_u16(b, (uint16_t)(0xD800 | (c >> 10)));
			etl_bytes_u16(b, (uint16_t)(0xDC00 | (c & 0x3FF)));
		} else {
			etl_bytes_u16(b, (uint16_t)c);
		}
	}
	etl_bytes_u16(b, 0);
}

static bool
parse_u64(const char **ps, uint64_t *out)
{
	const char *s = *ps;
	uint64_t v = 0;
	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s++ - '0');
	}
	*ps = s;
	*out = v;
	return true;
}

bool
etl_bytes_sid(struct etl_bytes *b, const char *text)
{
	uint64_t rev, auth, sub[15];
	unsigned n = 0;
	const char *s = text;

	if (strncmp(s, "S-", 2) != 0)
		return false;
	s += 2;
	if (!parse_u64(&s, &rev) || *s++ != '-' || !parse_u64(&s, &auth) || rev > 255 ||
	    auth >= (1ull << 48))
		return false;
	while (*s == '-') {
		s++;
		if (n == 15 || !parse_u64(&s, &sub[n]) || sub[n] > UINT32_MAX)
			return false;
		n++;
	}
	if (*s)
		return false;
	etl_bytes_u8(b, (uint8_t)rev);
	etl_bytes_u8(b, (uint8_t)n);
	for (int i = 5; i >= 0; i--) /* IdentifierAuthority is big-endian */
		etl_bytes_u8(b, (uint8_t)(auth >> (8 * i)));
	for (unsigned i = 0; i < n; i++)
		etl_bytes_u32(b, (uint32_t)sub[i]);
	return true;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
etl_guid_parse(struct etl_guid *out, const char *text)
{
	static const int groups[5] = {8, 4, 4, 4, 12};
	uint8_t raw[16];
	unsigned k = 0;
	const char *s = text;
	bool brace = *s == '{';

	if (brace)
		s++;
	for (int g = 0; g < 5; g++) {
		if (g && *s++ != '-')
			return false;
		for (int i = 0; i < groups[g]; i += 2) {
			int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
			if (hi < 0 || lo < 0)
				return false;
			raw[k++] = (uint8_t)(hi << 4 | lo);
			s += 2;
		}
	}
	if (brace && *s++ != '}')
		return false;
	if (*s)
		return false;
	out->data1 =
	    (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3];
	out->data2 = (uint16_t)(raw[4] << 8 | raw[5]);
	out->data3 = (uint16_t)(raw[6] << 8 | raw[7]);
	memcpy(out->data4, raw + 8, 8);
	return true;
}

/* ---- kernel payloads ------------------------------------------------------ */

bool
etl_enc_process(struct etl_bytes *b, unsigned width, unsigned version, const struct etl_process *p)
{
	etl_bytes_ptr(b, width, p->unique_key);
	etl_bytes_u32(b, p->pid);
	etl_bytes_u32(b, p->ppid);
	etl_bytes_u32(b, p->session);
	etl_bytes_u32(b, (uint32_t)p->exit_status);
	if (version >= 3)
		etl_bytes_ptr(b, width, p->dtb);
	if (version >= 4)
		etl_bytes_u32(b, p->flags);
	if (p->sid && *p->sid) {
		/* TOKEN_USER: SID pointer + attributes, 2 pointers wide, then the SID (§2.3). */
		etl_bytes_ptr(b, width, width == 8 ? 0xFFFFC00012345670ull : 0x8A345670u);
		etl_bytes_ptr(b, width, 0);
		if (!etl_bytes_sid(b, p->sid))
			return false;
	} else {
		etl_bytes_u32(b, 0); /* no SID: exactly 4 zero bytes */
	}
	etl_bytes_ansi(b, p->image);
	etl_bytes_utf16(b, p->command_line);
	if (version >= 4) {
		etl_bytes_utf16(b, p->package_full_name);
		etl_bytes_utf16(b, p->application_id);
	}
	return !b->failed;
}

bool
etl_enc_thread(struct etl_bytes *b, unsigned width, unsigned version, const struct etl_thread *t)
{
	etl_bytes_u32(b, t->pid);
	etl_bytes_u32(b, t->tid);
	etl_bytes_ptr(b, width, t->stack_base);
	etl_bytes_ptr(b, width, t->stack_limit);
	etl_bytes_ptr(b, width, t->user_stack_base);
	etl_bytes_ptr(b, width, t->user_stack_limit);
	etl_bytes_ptr(b, width, t->affinity); /* StartAddr on v2 */
	etl_bytes_ptr(b, width, t->win32_start);
	etl_bytes_ptr(b, width, t->teb);
	etl_bytes_u32(b, t->sub_process_tag);
	if (version >= 3) {
		etl_bytes_u8(b, (uint8_t)t->base_priority);
		etl_bytes_u8(b, t->page_priority);
		etl_bytes_u8(b, t->io_priority);
		etl_bytes_u8(b, t->flags);
	}
	if (version >= 4)
		etl_bytes_utf16(b, t->name);
	return !b->failed;
}

bool
etl_enc_thread_setname(struct etl_bytes *b, uint32_t pid, uint32_t tid, const char *name)
{
	etl_bytes_u32(b, pid);
	etl_bytes_u32(b, tid);
	etl_bytes_utf16(b, name);
	return !b->failed;
}

bool
etl_enc_image(struct etl_bytes *b, unsigned width, unsigned version, const struct etl_image *i)
{
	etl_bytes_ptr(b, width, i->base);
	etl_bytes_ptr(b, width, i->size);
	etl_bytes_u32(b, i->pid);
	etl_bytes_u32(b, i->checksum);
	etl_bytes_u32(b, i->time_date_stamp);
	if (version >= 3) {
		etl_bytes_u8(b, i->signature_level);
		etl_bytes_u8(b, i->signature_type);
		etl_bytes_u16(b, 0);
	} else {
		etl_bytes_u32(b, 0);
	}
	etl_bytes_ptr(b, width, i->default_base);
	for (int k = 0; k < 4; k++)
		etl_bytes_u32(b, 0);
	etl_bytes_utf16(b, i->file_name);
	return !b->failed;
}

bool
etl_enc_alpc_msg(struct etl_bytes *b, uint32_t message_id)
{
	etl_bytes_u32(b, message_id);
	return !b->failed;
}

bool
etl_enc_alpc_wait_new(struct etl_bytes *b, uint32_t is_server, const char *port, bool ansi)
{
	etl_bytes_u32(b, is_server);
	if (ansi)
		etl_bytes_ansi(b, port);
	else
		etl_bytes_utf16(b, port);
	return !b->failed;
}

bool
etl_enc_alpc_unwait(struct etl_bytes *b, uint32_t status)
{
	etl_bytes_u32(b, status);
	return !b->failed;
}

bool
etl_enc_stackwalk(struct etl_bytes *b, unsigned width, int64_t event_ticks, uint32_t pid,
		  uint32_t tid, const uint64_t *frames, size_t count)
{
	etl_bytes_u64(b, (uint64_t)event_ticks);
	etl_bytes_u32(b, pid);
	etl_bytes_u32(b, tid);
	for (size_t i = 0; i < count; i++)
		etl_bytes_ptr(b, width, frames[i]);
	return !b->failed;
}

bool
etl_enc_stack_key_def(struct etl_bytes *b, unsigned width, uint64_t key, const uint64_t *frames,
		      size_t count)
{
	etl_bytes_ptr(b, width, key);
	for (size_t i = 0; i < count; i++)
		etl_bytes_ptr(b, width, frames[i]);
	return !b->failed;
}

bool
etl_enc_stack_key_ref(struct etl_bytes *b, unsigned width, int64_t event_ticks, uint32_t pid,
		      uint32_t tid, uint64_t key)
{
	etl_bytes_u64(b, (uint64_t)event_ticks);
	etl_bytes_u32(b, pid);
	etl_bytes_u32(b, tid);
	etl_bytes_ptr(b, width, key);
	return !b->failed;
}

bool
etl_enc_image_id(struct etl_bytes *b, unsigned width, uint64_t base, uint64_t size, uint32_t pid,
		 uint32_t time_date_stamp, const char *original_file_name)
{
	etl_bytes_ptr(b, width, base);
	etl_bytes_ptr(b, width, size);
	etl_bytes_u32(b, pid);
	etl_bytes_u32(b, time_date_stamp);
	etl_bytes_utf16(b, original_file_name);
	return !b->failed;
}

bool
etl_enc_dbgid_rsds(struct etl_bytes *b, unsigned width, uint64_t base, uint32_t pid,
		   const struct etl_guid *pdb_guid, uint32_t age, const char *pdb_name)
{
	etl_bytes_ptr(b, width, base);
	etl_bytes_u32(b, pid);
	etl_bytes_guid(b, pdb_guid);
	etl_bytes_u32(b, age);
	etl_bytes_ansi(b, pdb_name);
	return !b->failed;
}

bool
etl_enc_service(struct etl_bytes *b, unsigned version, const struct etl_service *s)
{
	etl_bytes_u32(b, s->pid);
	etl_bytes_u32(b, s->state);
	etl_bytes_u32(b, s->sub_process_tag);
	etl_bytes_utf16(b, s->name);
	etl_bytes_utf16(b, s->display_name);
	etl_bytes_utf16(b, s->process_name);
	if (version >= 3) {
		etl_bytes_utf16(b, s->load_order_group);
		etl_bytes_utf16(b, s->svchost_group);
	}
	return !b->failed;
}

/* ---- provider payloads ---------------------------------------------------- */

bool
etl_enc_rpc_call_start(struct etl_bytes *b, const struct etl_rpc_call *c)
{
	etl_bytes_guid(b, &c->interface_uuid);
	etl_bytes_u32(b, c->proc_num);
	etl_bytes_u32(b, c->protocol);
	etl_bytes_utf16(b, c->network_address);
	etl_bytes_utf16(b, c->endpoint);
	etl_bytes_utf16(b, c->options);
	etl_bytes_u32(b, c->authn_level);
	etl_bytes_u32(b, c->authn_service);
	etl_bytes_u32(b, c->impersonation);
	return !b->failed;
}

bool
etl_enc_rpc_status(struct etl_bytes *b, uint32_t status)
{
	etl_bytes_u32(b, status);
	return !b->failed;
}

bool
etl_enc_wmi_activity(struct etl_bytes *b, uint16_t id, const struct etl_wmi_activity *a)
{
	switch (id) {
	case 11:
		etl_bytes_utf16(b, a->correlation_id);
		etl_bytes_u32(b, a->group_operation_id);
		etl_bytes_u32(b, a->operation_id);
		etl_bytes_utf16(b, a->operation);
		etl_bytes_utf16(b, a->client_machine);
		etl_bytes_utf16(b, a->client_machine_fqdn);
		etl_bytes_utf16(b, a->user);
		etl_bytes_u32(b, a->client_pid);
		etl_bytes_u64(b, a->client_process_creation_time);
		etl_bytes_utf16(b, a->namespace_name);
		etl_bytes_u32(b, a->is_local); /* win:Boolean is 4 bytes */
		break;
	case 12:
		etl_bytes_u32(b, a->group_operation_id);
		etl_bytes_utf16(b, a->operation);
		etl_bytes_u32(b, a->host_id);
		etl_bytes_utf16(b, a->provider_name);
		etl_bytes_utf16(b, a->provider_guid);
		etl_bytes_utf16(b, a->path);
		break;
	case 13:
		etl_bytes_u32(b, a->operation_id);
		etl_bytes_u32(b, a->result_code);
		break;
	case 22:
		etl_bytes_utf16(b, a->correlation_id);
		etl_bytes_u32(b, a->group_operation_id);
		etl_bytes_u32(b, a->operation_id);
		etl_bytes_utf16(b, a->class_name);
		etl_bytes_utf16(b, a->method_name);
		etl_bytes_utf16(b, a->implementation_class);
		etl_bytes_utf16(b, a->client_machine);
		etl_bytes_utf16(b, a->client_machine_fqdn);
		etl_bytes_utf16(b, a->user);
		etl_bytes_u32(b, a->client_pid);
		etl_bytes_u64(b, a->client_process_creation_time);
		etl_bytes_utf16(b, a->namespace_name);
		etl_bytes_u32(b, a->is_local);
		break;
	case 23:
		etl_bytes_utf16(b, a->correlation_id);
		etl_bytes_u32(b, a->group_operation_id);
		etl_bytes_u32(b, a->operation_id);
		etl_bytes_utf16(b, a->command_line);
		etl_bytes_u32(b, a->created_pid);
		etl_bytes_u64(b, a->created_process_creation_time);
		etl_bytes_utf16(b, a->client_machine);
		etl_bytes_utf16(b, a->client_machine_fqdn);
		etl_bytes_utf16(b, a->user);
		etl_bytes_u32(b, a->client_pid);
		etl_bytes_u64(b, a->client_process_creation_time);
		etl_bytes_u32(b, a->is_local);
		break;
	case 5857:
		etl_bytes_utf16(b, a->provider_name);
		etl_bytes_u32(b, a->code);
		etl_bytes_utf16(b, a->host_process);
		etl_bytes_u32(b, a->process_id);
		etl_bytes_utf16(b, a->provider_path);
		break;
	default: return false;
	}
	return !b->failed;
}

/* ---- emit helpers ------------------------------------------------------ */

static unsigned
rec_width(const struct etl_writer *w, const struct etl_rec *r)
{
	return r->width ? r->width : etl_writer_config_get(w)->pointer_size;
}

int
etl_emit_process(struct etl_writer *w, const struct etl_rec *r, uint16_t hook,
		 const struct etl_process *p)
{
	struct etl_bytes b = {0};
	int rc = -1;
	if (etl_enc_process(&b, rec_width(w, r), 4, p)) {
		/* Windows 8+: rundown pair PERFINFO-framed, Start/End SYSTEM (§0.3). */
		if (hook == ETL_HOOK_PROCESS_DCSTART || hook == ETL_HOOK_PROCESS_DCEND)
			rc = etl_writer_perfinfo(w, r, hook, 4, b.data, b.len);
		else
			rc = etl_writer_system(w, r, hook, 4, b.data, b.len);
	}
	etl_bytes_free(&b);
	return rc;
}

int
etl_emit_thread(struct etl_writer *w, const struct etl_rec *r, uint16_t hook,
		const struct etl_thread *t)
{
	struct etl_bytes b = {0};
	unsigned version = t->name ? 4 : 3;
	int rc = -1;
	if (etl_enc_thread(&b, rec_width(w, r), version, t))
		rc = etl_writer_system(w, r, hook, (uint8_t)version, b.data, b.len);
	etl_bytes_free(&b);
	return rc;
}

int
etl_emit_image(struct etl_writer *w, const struct etl_rec *r, uint16_t hook,
	       const struct etl_image *i)
{
	struct etl_bytes b = {0};
	int rc = -1;
	if (etl_enc_image(&b, rec_width(w, r), 3, i))
		rc = etl_writer_system(w, r, hook, 3, b.data, b.len);
	etl_bytes_free(&b);
	return rc;
}

int
etl_emit_alpc(struct etl_writer *w, const struct etl_rec *r, uint8_t opcode, const void *payload,
	      size_t len)
{
	/* wmicore.mof declares EventVersion(2) for the ALPC class (§1.1). */
	return etl_writer_system(w, r, (uint16_t)(ETL_GROUP_ALPC << 8 | opcode), 2, payload, len);
}

int
etl_emit_stackwalk(struct etl_writer *w, const struct etl_rec *r, int64_t event_ticks, uint32_t pid,
		   uint32_t tid, const uint64_t *frames, size_t count)
{
	struct etl_bytes b = {0};
	int rc = -1;
	if (etl_enc_stackwalk(&b, rec_width(w, r), event_ticks, pid, tid, frames, count))
		rc = etl_writer_perfinfo(w, r, ETL_HOOK_STACKWALK, 2, b.data, b.len);
	etl_bytes_free(&b);
	return rc;
}
