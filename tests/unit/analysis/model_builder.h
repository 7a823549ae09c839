/* SPDX-License-Identifier: MIT */
/*
 * Feed hand-made kernel events straight into an alpcscope model for the
 * analysis unit tests: each helper encodes a payload with the test writer's
 * encoders, frames it as a SYSTEM64 struct alpcscope_event (time in
 * microseconds since a fixed start, ordinal and file offset counting up) and
 * calls alpcscope_model_add_event().
 */
#ifndef ALPCSCOPE_TEST_MODEL_BUILDER_H
#define ALPCSCOPE_TEST_MODEL_BUILDER_H

#include <alpcscope/model.h>

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "etl_writer.h"

/* 2024-05-01T10:00:00Z as FILETIME. */
#define MB_START_FILETIME 133590168000000000ll

struct mb {
	struct alpcscope_model *m;
	uint64_t ordinal;
	struct etl_bytes b;
	int failures;
};

static inline void
mb_init(struct mb *t, const struct alpcscope_model_options *opt)
{
	memset(t, 0, sizeof(*t));
	CHECK(alpcscope_model_new(&t->m, opt, NULL) == ALPCSCOPE_OK);
}

static inline void
mb_free(struct mb *t)
{
	alpcscope_model_free(t->m);
	etl_bytes_free(&t->b);
}

static inline void
mb_event(struct mb *t, uint8_t group, uint8_t opcode, uint8_t version, uint32_t pid, uint32_t tid,
	 int64_t us)
{
	struct alpcscope_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = ALPCSCOPE_RECORD_SYSTEM64;
	ev.pointer_size = 8;
	ev.is_kernel = true;
	ev.has_timestamp = true;
	ev.group = group;
	ev.opcode = opcode;
	ev.version = version;
	ev.hook_id = (uint16_t)(group << 8 | opcode);
	ev.provider = *alpcscope_kernel_group_guid(group == 0x03 && opcode == 10 ? 0x14 : group);
	ev.has_provider = true;
	ev.process_id = pid;
	ev.thread_id = tid;
	ev.timestamp_ticks = us * 10;
	ev.filetime_100ns = MB_START_FILETIME + us * 10;
	ev.payload = t->b.data;
	ev.payload_size = t->b.len;
	ev.ordinal = t->ordinal++;
	ev.file_offset = 0x1000 + ev.ordinal * 0x40;
	CHECK(!t->b.failed);
	CHECK(alpcscope_model_add_event(t->m, &ev, NULL) == ALPCSCOPE_OK);
	etl_bytes_reset(&t->b);
}

static inline void
mb_alpc(struct mb *t, uint8_t opcode, uint32_t pid, uint32_t tid, int64_t us, uint32_t id)
{
	etl_bytes_reset(&t->b);
	etl_enc_alpc_msg(&t->b, id);
	mb_event(t, 0x1A, opcode, 2, pid, tid, us);
}

#define mb_send(t, pid, tid, us, id)       mb_alpc(t, 33, pid, tid, us, id)
#define mb_receive(t, pid, tid, us, id)    mb_alpc(t, 34, pid, tid, us, id)
#define mb_wait_reply(t, pid, tid, us, id) mb_alpc(t, 35, pid, tid, us, id)

static inline void
mb_wait_new(struct mb *t, uint32_t pid, uint32_t tid, int64_t us, const char *port)
{
	etl_bytes_reset(&t->b);
	etl_enc_alpc_wait_new(&t->b, 1, port, false);
	mb_event(t, 0x1A, 36, 2, pid, tid, us);
}

static inline void
mb_unwait(struct mb *t, uint32_t pid, uint32_t tid, int64_t us)
{
	etl_bytes_reset(&t->b);
	etl_enc_alpc_unwait(&t->b, 0);
	mb_event(t, 0x1A, 37, 2, pid, tid, us);
}

/* Synchronous call with the inferred event order (docs/event-layouts.md#alpc-call-sequence). */
static inline void
mb_call_begin(struct mb *t, uint32_t cp, uint32_t ct, uint32_t sp, uint32_t st, int64_t us,
	      uint32_t id)
{
	mb_send(t, cp, ct, us, id);
	mb_wait_reply(t, cp, ct, us, id);
	mb_unwait(t, sp, st, us + 1);
	mb_receive(t, sp, st, us + 1, id);
}

static inline void
mb_call_end(struct mb *t, uint32_t cp, uint32_t ct, uint32_t sp, uint32_t st, int64_t us,
	    uint32_t reply_id, const char *port)
{
	mb_send(t, sp, st, us, reply_id);
	mb_wait_new(t, sp, st, us, port);
	mb_unwait(t, cp, ct, us + 1);
	mb_receive(t, cp, ct, us + 1, reply_id);
}

/* Process event (opcode 1 Start: header pid/tid = creator; 3 DCStart; 2 End). */
static inline void
mb_process(struct mb *t, uint8_t opcode, uint32_t hdr_pid, uint32_t hdr_tid, int64_t us,
	   uint32_t pid, uint32_t ppid, const char *image, const char *cmd)
{
	struct etl_process p;

	memset(&p, 0, sizeof(p));
	p.unique_key = 0xffff800000000000ull + (uint64_t)pid * 0x1000 + (uint64_t)us;
	p.pid = pid;
	p.ppid = ppid;
	p.session = 1;
	p.image = image;
	p.command_line = cmd;
	etl_bytes_reset(&t->b);
	etl_enc_process(&t->b, 8, 4, &p);
	mb_event(t, 0x03, opcode, 4, hdr_pid, hdr_tid, us);
}

static inline void
mb_thread(struct mb *t, uint8_t opcode, int64_t us, uint32_t pid, uint32_t tid, uint32_t tag,
	  const char *name)
{
	struct etl_thread th;

	memset(&th, 0, sizeof(th));
	th.pid = pid;
	th.tid = tid;
	th.sub_process_tag = tag;
	th.name = name;
	etl_bytes_reset(&t->b);
	etl_enc_thread(&t->b, 8, 4, &th);
	mb_event(t, 0x05, opcode, 4, pid, tid, us);
}

static inline void
mb_image(struct mb *t, int64_t us, uint32_t pid, uint64_t base, uint64_t size, const char *path)
{
	struct etl_image im;

	memset(&im, 0, sizeof(im));
	im.base = base;
	im.size = size;
	im.pid = pid;
	im.file_name = path;
	etl_bytes_reset(&t->b);
	etl_enc_image(&t->b, 8, 3, &im);
	mb_event(t, 0x14, 3, 3, pid, 0, us); /* DCStart */
}

static inline void
mb_service(struct mb *t, int64_t us, uint32_t pid, uint32_t tag, const char *name)
{
	struct etl_service s;

	memset(&s, 0, sizeof(s));
	s.pid = pid;
	s.state = 4;
	s.sub_process_tag = tag;
	s.name = name;
	s.display_name = name;
	s.process_name = "svchost.exe";
	etl_bytes_reset(&t->b);
	etl_enc_service(&t->b, 3, &s);
	mb_event(t, 0x0B, 15, 3, 4, 8, us);
}

static inline void
mb_stackwalk(struct mb *t, int64_t event_us, uint32_t pid, uint32_t tid, const uint64_t *frames,
	     size_t n)
{
	etl_bytes_reset(&t->b);
	etl_enc_stackwalk(&t->b, 8, event_us * 10, pid, tid, frames, n);
	mb_event(t, 0x18, 32, 2, ALPCSCOPE_ID_UNKNOWN, ALPCSCOPE_ID_UNKNOWN, event_us);
}

static inline void
mb_key_ref(struct mb *t, int64_t event_us, uint32_t pid, uint32_t tid, uint64_t key, bool user)
{
	etl_bytes_reset(&t->b);
	etl_enc_stack_key_ref(&t->b, 8, event_us * 10, pid, tid, key);
	mb_event(t, 0x18, user ? 38 : 37, 2, ALPCSCOPE_ID_UNKNOWN, ALPCSCOPE_ID_UNKNOWN, event_us);
}

static inline void
mb_key_def(struct mb *t, int64_t us, uint64_t key, const uint64_t *frames, size_t n)
{
	etl_bytes_reset(&t->b);
	etl_enc_stack_key_def(&t->b, 8, key, frames, n);
	mb_event(t, 0x18, 35, 2, ALPCSCOPE_ID_UNKNOWN, ALPCSCOPE_ID_UNKNOWN, us);
}

static inline const struct alpcscope_message *
mb_msg(const struct mb *t, uint32_t i)
{
	return alpcscope_model_message_at(t->m, i);
}

/* PID of the process behind a message event, ALPCSCOPE_ID_UNKNOWN if none. */
static inline uint32_t
mb_pid(const struct mb *t, const struct alpcscope_message_event *e)
{
	const struct alpcscope_process_instance *p =
	    alpcscope_model_process_at(t->m, alpcscope_model_event_process(t->m, e));

	return p ? p->pid : ALPCSCOPE_ID_UNKNOWN;
}

#endif
