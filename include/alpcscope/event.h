/* SPDX-License-Identifier: MIT */
/*
 * The read-only view of one ETL event record that the reader lends out:
 * header fields of whichever of the record kinds framed it, normalised, plus
 * borrowed spans over the payload and the EVENT_HEADER extended data items.
 */
#ifndef ALPCSCOPE_EVENT_H
#define ALPCSCOPE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

ALPCSCOPE_BEGIN_DECLS

/** A GUID as its fields (Data1-3 host order, Data4 raw bytes). */
struct alpcscope_guid {
	uint32_t data1;
	uint16_t data2;
	uint16_t data3;
	uint8_t data4[8];
};

/** Text form length of a GUID, NUL included: 8-4-4-4-12 lower case. */
#define ALPCSCOPE_GUID_STR_SIZE 37

/** How a record was framed in its buffer. Values are stable (used as array indices). */
enum alpcscope_record_kind {
	ALPCSCOPE_RECORD_SYSTEM32 = 0,
	ALPCSCOPE_RECORD_SYSTEM64,
	ALPCSCOPE_RECORD_COMPACT32,
	ALPCSCOPE_RECORD_COMPACT64,
	ALPCSCOPE_RECORD_PERFINFO32,
	ALPCSCOPE_RECORD_PERFINFO64,
	ALPCSCOPE_RECORD_FULL32,
	ALPCSCOPE_RECORD_FULL64,
	ALPCSCOPE_RECORD_INSTANCE32,
	ALPCSCOPE_RECORD_INSTANCE64,
	ALPCSCOPE_RECORD_EVENT_HEADER32,
	ALPCSCOPE_RECORD_EVENT_HEADER64,
	ALPCSCOPE_RECORD_WPP_MESSAGE,
	ALPCSCOPE_RECORD_OPAQUE, /**< recognised by size only (legacy or unknown header type) */
	ALPCSCOPE_RECORD_KIND_COUNT
};

/** Upper-case name of a record kind such as "SYSTEM64"; never NULL. */
ALPCSCOPE_EXPORT const char *alpcscope_record_kind_name(enum alpcscope_record_kind kind);

/** Value of thread_id / process_id when the record does not carry one. */
#define ALPCSCOPE_ID_UNKNOWN 0xFFFFFFFFu

/** EVENT_HEADER extended data item types (evntcons.h EVENT_HEADER_EXT_TYPE_*). */
enum alpcscope_ext_type {
	ALPCSCOPE_EXT_RELATED_ACTIVITYID = 1,
	ALPCSCOPE_EXT_SID = 2,
	ALPCSCOPE_EXT_TS_ID = 3,
	ALPCSCOPE_EXT_INSTANCE_INFO = 4,
	ALPCSCOPE_EXT_STACK_TRACE32 = 5,
	ALPCSCOPE_EXT_STACK_TRACE64 = 6,
	ALPCSCOPE_EXT_PEBS_INDEX = 7,
	ALPCSCOPE_EXT_PMC_COUNTERS = 8,
	ALPCSCOPE_EXT_PSM_KEY = 9,
	ALPCSCOPE_EXT_EVENT_KEY = 10,
	ALPCSCOPE_EXT_EVENT_SCHEMA_TL = 11,
	ALPCSCOPE_EXT_PROV_TRAITS = 12,
	ALPCSCOPE_EXT_PROCESS_START_KEY = 13,
	ALPCSCOPE_EXT_CONTROL_GUID = 14,
	ALPCSCOPE_EXT_QPC_DELTA = 15,
	ALPCSCOPE_EXT_CONTAINER_ID = 16,
	ALPCSCOPE_EXT_STACK_KEY32 = 17,
	ALPCSCOPE_EXT_STACK_KEY64 = 18,
};

/** One extended data item; @c data borrows from the record. */
struct alpcscope_ext_item {
	uint16_t type; /**< enum alpcscope_ext_type value (unknown values are kept) */
	uint16_t size; /**< bytes at @c data */
	const uint8_t *data;
};

/**
 * ALPC kernel event opcodes (group 0x1A; docs/event-layouts.md#alpc): the one
 * definition the decoder, the XML encoder and the analysis use.
 */
enum alpcscope_alpc_opcode {
	ALPCSCOPE_ALPC_SEND = 33,            /**< Send-Message: MessageID */
	ALPCSCOPE_ALPC_RECEIVE = 34,         /**< Receive-Message: MessageID */
	ALPCSCOPE_ALPC_WAIT_FOR_REPLY = 35,  /**< Wait-For-Reply: MessageID */
	ALPCSCOPE_ALPC_WAIT_FOR_NEW = 36,    /**< Wait-For-New-Message: IsServerPort, PortName */
	ALPCSCOPE_ALPC_UNWAIT = 37,          /**< Unwait: Status */
	ALPCSCOPE_ALPC_CONNECT_REQUEST = 38, /**< no published layout: raw bytes */
	ALPCSCOPE_ALPC_CONNECT_SUCCESS = 39, /**< no published layout: raw bytes */
	ALPCSCOPE_ALPC_CONNECT_FAIL = 40,    /**< no published layout: raw bytes */
	ALPCSCOPE_ALPC_CLOSE_PORT = 41,      /**< no published layout: raw bytes */
};

/** Extended items kept per event; more are counted and skipped (diagnostic ALPCSCOPE-W205). */
#define ALPCSCOPE_MAX_EXT_ITEMS 16

/**
 * One event record. Lent by alpcscope_reader_next(); every pointer borrows
 * from the reader and stays valid until the next call on that reader.
 *
 * Kernel events have @c is_kernel set: SYSTEM, COMPACT and PERFINFO framing
 * (@c group and @c opcode from the hook id, @c provider the group's GUID, the
 * Image GUID for hook 0x030A as Windows presents it), and classic or manifest
 * records whose GUID is a kernel group's GUID (as merge tools write some).
 * Other records carry their own GUID: the provider (EVENT_HEADER), the event
 * class (FULL, INSTANCE) or the message GUID (WPP, when present).
 */
struct alpcscope_event {
	enum alpcscope_record_kind kind;
	uint8_t pointer_size; /**< 4 or 8: pointer width of this record's payload */
	bool is_kernel;       /**< a kernel group event (see above) */
	bool has_provider;    /**< @c provider is meaningful */
	bool has_timestamp;   /**< false for WPP messages without one (time inherited) */

	uint8_t group;           /**< kernel group (hook id high byte); 0 otherwise */
	uint8_t opcode;          /**< hook type / EVENT_HEADER opcode / classic Class.Type */
	uint8_t version;         /**< event version */
	uint8_t level;           /**< EVENT_HEADER / classic level; 0 for kernel records */
	uint8_t channel;         /**< EVENT_HEADER channel */
	uint16_t event_id;       /**< EVENT_HEADER id; WPP message number; 0 otherwise */
	uint16_t task;           /**< EVENT_HEADER task */
	uint16_t hook_id;        /**< kernel hook id = group << 8 | opcode */
	uint16_t header_flags;   /**< EVENT_HEADER Flags / WPP OptionFlags */
	uint16_t event_property; /**< EVENT_HEADER EventProperty */
	uint64_t keywords;       /**< EVENT_HEADER keyword mask */
	struct alpcscope_guid provider;
	struct alpcscope_guid activity_id; /**< EVENT_HEADER ActivityId; zero otherwise */

	uint32_t thread_id;   /**< ALPCSCOPE_ID_UNKNOWN where the framing has none (PERFINFO) */
	uint32_t process_id;  /**< ALPCSCOPE_ID_UNKNOWN where the framing has none */
	uint32_t processor;   /**< processor index of the buffer the record came from */
	uint32_t kernel_time; /**< CPU ticks, where the framing records them */
	uint32_t user_time;

	int64_t timestamp_ticks; /**< raw clock value (clock type in the trace info) */
	int64_t filetime_100ns;  /**< UTC, 100 ns units since 1601-01-01 */

	const uint8_t *payload; /**< user data, after header, extensions and items */
	size_t payload_size;

	uint16_t ext_count; /**< extended items in @c ext (EVENT_HEADER only) */
	struct alpcscope_ext_item ext[ALPCSCOPE_MAX_EXT_ITEMS];

	uint64_t ordinal;       /**< 0-based position in delivery order */
	uint32_t buffer_index;  /**< 0-based index of the buffer in file order */
	uint32_t buffer_offset; /**< record offset within its (decompressed) buffer */
	uint64_t file_offset;   /**< record offset in the file; for a compressed
				     buffer, the offset of the buffer */
	const uint8_t *raw;     /**< the whole record, header included */
	size_t raw_size;
};

/** Write @p guid as 8-4-4-4-12 lower-case text into @p out (ALPCSCOPE_GUID_STR_SIZE bytes). */
ALPCSCOPE_EXPORT void alpcscope_guid_format(char out[ALPCSCOPE_GUID_STR_SIZE],
					    const struct alpcscope_guid *guid);

/** True when the two GUIDs are equal. */
ALPCSCOPE_EXPORT bool alpcscope_guid_equal(const struct alpcscope_guid *a,
					   const struct alpcscope_guid *b);

/** Parse 8-4-4-4-12 text (optional braces) into @p out; returns false on bad text. */
ALPCSCOPE_EXPORT bool alpcscope_guid_parse(struct alpcscope_guid *out, const char *text);

/**
 * Name of a kernel event group such as "Process" or "ALPC", or NULL when
 * the group has none. @p group is the hook id's high byte.
 */
ALPCSCOPE_EXPORT const char *alpcscope_kernel_group_name(uint8_t group);

/** GUID of a kernel group (NULL for groups >= 0x1F). */
ALPCSCOPE_EXPORT const struct alpcscope_guid *alpcscope_kernel_group_guid(uint8_t group);

/**
 * Well-known name of a provider or event-class GUID as analysts know it, e.g.
 * "Microsoft-Windows-RPC" or "KernelTraceControl.ImageID/DbgID"; NULL when unknown.
 */
ALPCSCOPE_EXPORT const char *alpcscope_provider_name(const struct alpcscope_guid *guid);

ALPCSCOPE_END_DECLS

#endif
