/* SPDX-License-Identifier: MIT */
/*
 * The XML source's private state, shared by the two files that build it:
 * xml_source.c (the libxml2 xmlTextReader walk, collecting one <Event>'s
 * <System> attributes, scalar text and <Data> fields) and xml_fields.c
 * (turning that collected text into struct alpcscope_event header fields,
 * the payload and the trace facts).
 */
#ifndef ALPCSCOPE_READER_XML_SOURCE_INTERNAL_H
#define ALPCSCOPE_READER_XML_SOURCE_INTERNAL_H

#include <alpcscope/xml.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/xmlreader.h>

#include "reader/xml_encode.h"
#include "reader/xml_guard.h"

#define XML_MAX_FIELDS     256
#define XML_MAX_EVENT_TEXT (8u << 20)
#define TID_SLOTS          4096

/* What collected text belongs to. */
enum slot {
	S_NONE = 0,
	S_EVENT_ID,
	S_VERSION,
	S_LEVEL,
	S_TASK,
	S_OPCODE,
	S_KEYWORDS,
	S_EVENT_GUID,
	S_EVENT_NAME,
	S_BINARY,
	S_PAYLOAD,
	S_DATA,
	S_COUNT
};

/* Attributes kept as text (offsets into the event's text store). */
enum attr {
	A_PROVIDER_GUID = 0,
	A_SYSTEM_TIME,
	A_ACTIVITY,
	A_PID,
	A_TID,
	A_CPU,
	A_KTIME,
	A_UTIME,
	A_R_KIND,
	A_R_PTR,
	A_R_HOOK,
	A_R_TICKS,
	A_R_FILETIME,
	A_R_ORDINAL,
	A_R_OFFSET,
	A_R_HFLAGS,
	A_R_PROPERTY,
	A_R_CHANNEL,
	A_COUNT
};

#define NO_TEXT SIZE_MAX

struct kv_off {
	size_t name, value;
};

struct xml_file_input; /* xml_source.c: the guarded file input of xmlReaderForIO() */

struct alpcscope_xml_source {
	xmlTextReaderPtr r;
	struct xml_file_input
	    *input; /* owned by r (freed by its close callback); NULL for memory */
	struct alpcscope_reader_options opt;
	struct alpcscope_trace_info info;
	struct alpcscope_reader_stats stats;
	struct alpcscope_event ev;

	/* error captured from libxml2 */
	bool xml_failed;
	int err_line, err_col;
	char err_msg[160];

	/* one event's text */
	char *text;
	size_t text_len, text_cap;
	bool text_truncated;
	size_t attr[A_COUNT];
	size_t slot_text[S_COUNT];
	struct kv_off kv_off[XML_MAX_FIELDS];
	size_t nkv;
	uint64_t dropped_fields;
	struct xml_kv kv[XML_MAX_FIELDS];
	struct alpcscope_field fields[XML_MAX_FIELDS];

	/* parse state */
	bool in_event;
	int event_depth;
	int section; /* 0 none, 1 System, 2 EventData, 3 UserData, 4 Binary, 5 Rendering,
			6 Extended, 7 Record */
	enum slot collecting;
	int collect_depth;
	size_t collect_off;
	bool root_seen;
	bool ended;
	enum alpcscope_status final; /* what next() keeps returning once ended */
	struct alpcscope_error final_err;

	struct xml_bytes payload;
	uint64_t ordinal;
	bool first_time_set;

	struct {
		uint32_t tid;
		int64_t ticks;
	} last[TID_SLOTS];
};

/*
 * Turn the collected text of the <Event> just closed into s->ev (header
 * fields, payload, trace facts from the EventTrace header event). @p off is
 * the reader's byte position, the file offset when the dump has none.
 */
enum alpcscope_status xml_finish_event(struct alpcscope_xml_source *s, long off,
				       struct alpcscope_error *err);

#endif
