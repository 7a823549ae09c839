/* SPDX-License-Identifier: MIT */
/* Shared formatting helpers of the model writers: see model_output.h. */
#include "output/model_output.h"

#include <alpcscope/reader.h>

#include <inttypes.h>
#include <string.h>

const char *
mo_time(char out[MO_TIME_SIZE], int64_t filetime_100ns)
{
	if (!filetime_100ns)
		snprintf(out, MO_TIME_SIZE, "-");
	else
		alpcscope_filetime_format(out, MO_TIME_SIZE, filetime_100ns);
	return out;
}

const char *
mo_process_label(const struct alpcscope_model *m, uint32_t process, char *out, size_t size)
{
	if (process == ALPCSCOPE_NONE) {
		snprintf(out, size, "?");
		return out;
	}
	return alpcscope_model_process_label(m, process, out, size);
}

void
mo_party(const struct alpcscope_model *m, const struct alpcscope_message_event *e,
	 struct mo_party *out)
{
	const struct alpcscope_thread_instance *t = alpcscope_model_thread_at(m, e->thread);

	out->process = ALPCSCOPE_NONE;
	out->pid = ALPCSCOPE_ID_UNKNOWN;
	out->tid = ALPCSCOPE_ID_UNKNOWN;
	out->image = NULL;
	snprintf(out->label, sizeof(out->label), "?");
	if (!t)
		return;
	out->tid = t->tid;
	out->process = t->process;
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, t->process);

	if (p) {
		out->pid = p->pid;
		out->image = p->image_name;
		alpcscope_model_process_label(m, t->process, out->label, sizeof(out->label));
	}
}

void
mo_client_server(const struct alpcscope_model *m, const struct alpcscope_message *msg,
		 struct mo_party *client, struct mo_party *server)
{
	if (msg->role == ALPCSCOPE_ROLE_REPLY) {
		mo_party(m, &msg->receive, client);
		mo_party(m, &msg->send, server);
	} else {
		mo_party(m, &msg->send, client);
		mo_party(m, &msg->receive, server);
	}
}

int64_t
mo_message_time(const struct alpcscope_message *msg)
{
	return msg->send.thread != ALPCSCOPE_NONE ? msg->send.filetime_100ns
						  : msg->receive.filetime_100ns;
}

int64_t
mo_latency(const struct alpcscope_model *m, const struct alpcscope_message *msg)
{
	if (msg->role != ALPCSCOPE_ROLE_REPLY && msg->related != ALPCSCOPE_NONE) {
		const struct alpcscope_message *r = alpcscope_model_message_at(m, msg->related);

		if (r && r->receive.thread != ALPCSCOPE_NONE && msg->send.thread != ALPCSCOPE_NONE)
			return r->receive.filetime_100ns - msg->send.filetime_100ns;
	}
	if (msg->send.thread == ALPCSCOPE_NONE || msg->receive.thread == ALPCSCOPE_NONE)
		return -1;
	return msg->receive.filetime_100ns - msg->send.filetime_100ns;
}

const char *
mo_latency_str(char *out, size_t size, int64_t l)
{
	if (l < 0)
		snprintf(out, size, "-");
	else
		snprintf(out, size, "%" PRId64 ".%04" PRId64 " ms", l / 10000, l % 10000);
	return out;
}

uint16_t
mo_shown_evidence(const struct alpcscope_model *m, const struct alpcscope_message *msg)
{
	uint16_t e = msg->evidence;

	if (msg->role != ALPCSCOPE_ROLE_REPLY && msg->related != ALPCSCOPE_NONE) {
		const struct alpcscope_message *r = alpcscope_model_message_at(m, msg->related);

		if (r)
			e |= r->evidence & (ALPCSCOPE_EVIDENCE_SAME_ID | ALPCSCOPE_EVIDENCE_NEW_ID);
	}
	return e;
}

const char *
mo_evidence(char *out, size_t size, uint16_t evidence)
{
	size_t n = 0;

	out[0] = '\0';
	for (uint32_t i = 0; i < ALPCSCOPE_EVIDENCE_BITS; i++) {
		if (!(evidence & (1u << i)))
			continue;
		int w = snprintf(out + n, size - n, "%s%s", n ? "+" : "",
				 alpcscope_evidence_name(1u << i));

		if (w < 0 || (size_t)w >= size - n)
			break;
		n += (size_t)w;
	}
	if (!n)
		snprintf(out, size, "-");
	return out;
}

void
mo_csv_field(FILE *out, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

json_object *
mo_jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

json_object *
mo_ju64(uint64_t v)
{
	return json_object_new_uint64(v);
}

json_object *
mo_jid(uint32_t v)
{
	return v == ALPCSCOPE_ID_UNKNOWN ? NULL : json_object_new_uint64(v);
}

json_object *
mo_ji64(int64_t v)
{
	return json_object_new_int64(v);
}

const char *
alpcscope_model_format_frame(const struct alpcscope_model *m, const struct alpcscope_stack *s,
			     uint32_t frame, char *out, size_t size)
{
	if (!out || !size)
		return out;
	if (!s || frame >= s->frame_count) {
		snprintf(out, size, "?");
		return out;
	}
	uint64_t addr = s->frames[frame], off = 0;
	uint32_t im = alpcscope_model_resolve_address(m, s->process, addr, s->filetime_100ns, &off);
	const struct alpcscope_image_entry *e = alpcscope_model_image_at(m, im);

	if (e)
		snprintf(out, size, "%s!+0x%" PRIx64, e->module, off);
	else
		snprintf(out, size, "0x%" PRIx64, addr);
	return out;
}

json_object *
mo_jstack(const struct alpcscope_model *m, uint32_t stack)
{
	const struct alpcscope_stack *s = alpcscope_model_stack_at(m, stack);

	if (!s)
		return NULL;
	json_object *arr = json_object_new_array();
	char buf[300];

	for (uint32_t i = 0; i < s->frame_count; i++)
		json_object_array_add(arr, json_object_new_string(alpcscope_model_format_frame(
					       m, s, i, buf, sizeof(buf))));
	return arr;
}

json_object *
mo_jevent(const struct alpcscope_model *m, const struct alpcscope_message_event *e, bool stacks)
{
	struct mo_party p;
	char t[MO_TIME_SIZE];

	if (e->thread == ALPCSCOPE_NONE)
		return NULL;
	mo_party(m, e, &p);
	json_object *o = json_object_new_object();

	json_object_object_add(o, "time", mo_jstr(mo_time(t, e->filetime_100ns)));
	json_object_object_add(o, "ordinal", mo_ju64(e->ordinal));
	json_object_object_add(o, "file_offset", mo_ju64(e->file_offset));
	json_object_object_add(o, "pid", mo_jid(p.pid));
	json_object_object_add(o, "tid", mo_jid(p.tid));
	json_object_object_add(o, "process", mo_jstr(p.label));
	if (stacks)
		json_object_object_add(o, "stack", mo_jstack(m, e->stack));
	return o;
}

bool
mo_json_write(FILE *out, json_object *obj)
{
	const char *s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
								JSON_C_TO_STRING_NOSLASHESCAPE);

	return fputs(s, out) >= 0;
}
