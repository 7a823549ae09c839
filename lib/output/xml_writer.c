/* SPDX-License-Identifier: MIT */
/*
 * `dump --format xml`: one <Event> per event in the Windows event schema as
 * tracerpt -of XML writes it: <System> header, <EventData> with one named
 * <Data> per decoded field (kernel MOF events too), <BinaryEventData> for
 * events without a typed decoder, <RenderingInfo>, tracerpt's
 * <ExtendedTracingInfo><EventGuid> for kernel/classic events, and one
 * alpcscope <Record> element (own namespace, ignored by other consumers)
 * carrying what the schema has no place for: the raw clock value, ordinal,
 * file offset, framing and pointer width, so an XML dump read back as a
 * trace gives the same analysis as its .etl (docs/xml.md).
 */
#include "output/xml_writer.h"

#include <alpcscope/reader.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/field_text.h"
#include "output/xml_util.h"
#include "reader/xml_encode.h"
#include "util/error.h"

struct xml_dump {
	struct xml_out x;
	struct strbuf field;
};

/* SystemTraceControlGuid: tracerpt's provider of every kernel (MOF) event. */
#define SYSTEM_TRACE_GUID "{9e814aad-3204-11d2-9a82-006008a86939}"

struct xml_dump *
xml_dump_new(FILE *out)
{
	struct xml_dump *xd = calloc(1, sizeof(*xd));

	if (!xd)
		return NULL;
	if (!xml_out_open(&xd->x, out, true)) {
		xml_out_free(&xd->x);
		free(xd);
		return NULL;
	}
	xml_start(&xd->x, "Events");
	return xd;
}

bool
xml_dump_free(struct xml_dump *xd)
{
	bool ok;

	if (!xd)
		return true;
	ok = xml_out_close(&xd->x);
	strbuf_free(&xd->field);
	free(xd);
	return ok;
}

static void
guid_braced(char out[ALPCSCOPE_GUID_STR_SIZE + 2], const struct alpcscope_guid *g)
{
	out[0] = '{';
	alpcscope_guid_format(out + 1, g);
	out[ALPCSCOPE_GUID_STR_SIZE] = '}';
	out[ALPCSCOPE_GUID_STR_SIZE + 1] = '\0';
}

static bool
guid_is_zero(const struct alpcscope_guid *g)
{
	static const struct alpcscope_guid zero;

	return memcmp(g, &zero, sizeof(zero)) == 0;
}

static const char *
provider_name(const struct alpcscope_event *ev)
{
	if (ev->is_kernel)
		return "MSNT_SystemTrace";
	return ev->has_provider ? alpcscope_provider_name(&ev->provider) : NULL;
}

static void
write_system(struct xml_dump *xd, const struct alpcscope_event *ev)
{
	struct xml_out *x = &xd->x;
	char g[ALPCSCOPE_GUID_STR_SIZE + 2], t[40];
	const char *pn = provider_name(ev);

	xml_start(x, "System");
	xml_start(x, "Provider");
	if (pn)
		xml_attr(x, "Name", pn);
	if (ev->is_kernel) {
		xml_attr(x, "Guid", SYSTEM_TRACE_GUID);
	} else if (ev->has_provider) {
		guid_braced(g, &ev->provider);
		xml_attr(x, "Guid", g);
	}
	xml_end(x);
	xml_elemf(x, "EventID", "%u", ev->event_id);
	xml_elemf(x, "Version", "%u", ev->version);
	xml_elemf(x, "Level", "%u", ev->level);
	xml_elemf(x, "Task", "%u", ev->task);
	xml_elemf(x, "Opcode", "%u", ev->opcode);
	xml_elemf(x, "Keywords", "0x%" PRIx64, ev->keywords);
	xml_start(x, "TimeCreated");
	alpcscope_filetime_format(t, sizeof(t), ev->filetime_100ns);
	xml_attr(x, "SystemTime", t);
	xml_end(x);
	xml_start(x, "Correlation");
	if (!guid_is_zero(&ev->activity_id)) {
		guid_braced(g, &ev->activity_id);
		xml_attr(x, "ActivityID", g);
	}
	xml_end(x);
	xml_start(x, "Execution");
	xml_attrf(x, "ProcessID", "%u", ev->process_id);
	xml_attrf(x, "ThreadID", "%u", ev->thread_id);
	xml_attrf(x, "ProcessorID", "%u", ev->processor);
	xml_attrf(x, "KernelTime", "%u", ev->kernel_time);
	xml_attrf(x, "UserTime", "%u", ev->user_time);
	xml_end(x);
	xml_empty(x, "Channel");
	xml_empty(x, "Computer");
	xml_end(x);
}

static void
write_data(struct xml_dump *xd, const struct alpcscope_event *ev, const struct alpcscope_decoded *d)
{
	struct xml_out *x = &xd->x;

	if (d && d->kind != ALPCSCOPE_DECODED_GENERIC) {
		xml_start(x, "EventData");
		for (size_t i = 0; i < d->field_count; i++) {
			strbuf_reset(&xd->field);
			field_text(&xd->field, &d->fields[i], &field_text_xml);
			if (xd->field.oom) {
				x->failed = true;
				return;
			}
			xml_start(x, "Data");
			xml_attr(x, "Name", d->fields[i].name);
			xml_textn(x, xd->field.data ? xd->field.data : "", xd->field.len);
			xml_end(x);
		}
		xml_end(x);
	} else if (ev->payload_size) {
		xml_start(x, "BinaryEventData");
		xml_hex(x, ev->payload, ev->payload_size);
		xml_end(x);
	}
}

static void
write_rendering(struct xml_dump *xd, const struct alpcscope_event *ev,
		const struct alpcscope_decoded *d)
{
	struct xml_out *x = &xd->x;
	const char *name = d && d->name ? d->name : NULL, *slash, *pn = provider_name(ev);
	char buf[64];

	if (!name && ev->is_kernel)
		name = alpcscope_kernel_opcode_name(ev->group, ev->opcode);
	xml_start(x, "RenderingInfo");
	xml_attr(x, "Culture", "en-US");
	slash = name ? strchr(name, '/') : NULL;
	if (slash)
		xml_elem(x, "Opcode", slash + 1);
	if (pn)
		xml_elem(x, "Provider", pn);
	if (slash) {
		size_t n = (size_t)(slash - name) < sizeof(buf) - 1 ? (size_t)(slash - name)
								    : sizeof(buf) - 1;
		memcpy(buf, name, n);
		buf[n] = '\0';
		xml_start_ns(x, "EventName", XML_NS_TRACE);
		xml_text(x, buf);
		xml_end(x);
	} else if (name) {
		xml_start_ns(x, "EventName", XML_NS_TRACE);
		xml_text(x, name);
		xml_end(x);
	}
	xml_end(x);
}

static void
write_extended(struct xml_dump *xd, const struct alpcscope_event *ev,
	       const struct alpcscope_decoded *d)
{
	struct xml_out *x = &xd->x;
	char g[ALPCSCOPE_GUID_STR_SIZE + 2];
	bool classic =
	    ev->kind >= ALPCSCOPE_RECORD_FULL32 && ev->kind <= ALPCSCOPE_RECORD_INSTANCE64;

	if ((ev->is_kernel || classic) && ev->has_provider) {
		xml_start_ns(x, "ExtendedTracingInfo", XML_NS_TRACE);
		guid_braced(g, &ev->provider);
		xml_elem(x, "EventGuid", g);
		xml_end(x);
	}
	xml_start_ns(x, "Record", XML_NS_ALPCSCOPE);
	xml_attr(x, "Kind", alpcscope_record_kind_name(ev->kind));
	xml_attrf(x, "PointerSize", "%u", ev->pointer_size);
	if (ev->is_kernel)
		xml_attrf(x, "HookId", "0x%04x", ev->hook_id);
	if (ev->has_timestamp)
		xml_attrf(x, "Ticks", "%" PRId64, ev->timestamp_ticks);
	xml_attrf(x, "FileTime", "%" PRId64, ev->filetime_100ns);
	xml_attrf(x, "Ordinal", "%" PRIu64, ev->ordinal);
	xml_attrf(x, "FileOffset", "%" PRIu64, ev->file_offset);
	if (ev->header_flags)
		xml_attrf(x, "HeaderFlags", "0x%x", ev->header_flags);
	if (ev->event_property)
		xml_attrf(x, "EventProperty", "0x%x", ev->event_property);
	if (ev->channel)
		xml_attrf(x, "Channel", "%u", ev->channel);
	/* Typed events the XML source cannot rebuild from <Data> keep their bytes here. */
	if (d && d->kind != ALPCSCOPE_DECODED_GENERIC && ev->payload_size &&
	    !xml_encode_supported(ev)) {
		xml_start(x, "Payload");
		xml_hex(x, ev->payload, ev->payload_size);
		xml_end(x);
	}
	xml_end(x);
}

enum alpcscope_status
xml_dump_event(struct xml_dump *xd, const struct alpcscope_event *ev,
	       const struct alpcscope_decoded *d, struct alpcscope_error *err)
{
	struct xml_out *x = &xd->x;

	if (x->failed)
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "XML write failed");
	xml_start_ns(x, "Event", XML_NS_EVENT);
	write_system(xd, ev);
	write_data(xd, ev, d);
	write_rendering(xd, ev, d);
	write_extended(xd, ev, d);
	xml_end(x);
	xml_out_maybe_flush(x);
	if (x->failed)
		return error_set(err,
				 xd->field.oom || x->text.oom ? ALPCSCOPE_E_NOMEM : ALPCSCOPE_E_IO,
				 ALPCSCOPE_NO_OFFSET, "XML write failed");
	return ALPCSCOPE_OK;
}
