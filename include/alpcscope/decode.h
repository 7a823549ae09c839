/* SPDX-License-Identifier: MIT */
/*
 * Typed decoding of event payloads: kernel Process, Thread, Image, ALPC,
 * StackWalk (incl. stack caching), SystemConfig Services, EventTrace group
 * masks, and the KernelTraceControl ImageID/DbgID records that xperf/WPR
 * merge into a trace. Every other event decodes to a generic record.
 * Layouts: docs/event-layouts.md.
 *
 * A decoder owns reusable scratch memory; decoding performs no allocation per
 * event once the scratch has grown to the largest payload seen.
 */
#ifndef ALPCSCOPE_DECODE_H
#define ALPCSCOPE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "event.h"
#include "status.h"

ALPCSCOPE_BEGIN_DECLS

/** Payload decoder with reusable scratch memory. Not thread-safe; use one per thread. */
struct alpcscope_decoder;

/** Which member of struct alpcscope_decoded is valid. Values are stable. */
enum alpcscope_decoded_kind {
	ALPCSCOPE_DECODED_GENERIC = 0,     /**< any event without a typed decoder */
	ALPCSCOPE_DECODED_TRACE_HEADER,    /**< group 0 opcode 0 (TRACE_LOGFILE_HEADER) */
	ALPCSCOPE_DECODED_TRACE_EXTENSION, /**< group 0 opcode 5 / 32: group masks */
	ALPCSCOPE_DECODED_PROCESS,         /**< Process Start/End/DCStart/DCEnd/Defunct */
	ALPCSCOPE_DECODED_THREAD,          /**< Thread Start/End/DCStart/DCEnd */
	ALPCSCOPE_DECODED_THREAD_NAME,     /**< Thread SetName (72) */
	ALPCSCOPE_DECODED_IMAGE,           /**< Image Load (hook 0x030A)/Unload/DCStart/DCEnd */
	ALPCSCOPE_DECODED_ALPC,            /**< ALPC opcodes 33-41 */
	ALPCSCOPE_DECODED_STACK_WALK,      /**< StackWalk 32: frames of one event */
	ALPCSCOPE_DECODED_STACK_KEY,       /**< StackWalk 34/35/36: key definition */
	ALPCSCOPE_DECODED_STACK_KEY_REF,   /**< StackWalk 37/38: key reference */
	ALPCSCOPE_DECODED_IMAGE_ID,        /**< KernelTraceControl ImageID opcode 0 */
	ALPCSCOPE_DECODED_DBG_ID,          /**< KernelTraceControl DbgID_RSDS opcode 36 */
	ALPCSCOPE_DECODED_SERVICE,         /**< SystemConfig Services (group 0x0B opcode 15) */
	ALPCSCOPE_DECODED_SCHEMA, /**< decoded by schema (schema.h); header identity in as.generic
				   */
	ALPCSCOPE_DECODED_KIND_COUNT
};

/** Lower-case name of a decoded kind such as "process"; never NULL. */
ALPCSCOPE_EXPORT const char *alpcscope_decoded_kind_name(enum alpcscope_decoded_kind kind);

/** KernelTraceControl ImageID/DbgID task GUID b3e675d7-2554-4f18-830b-2762732560de. */
ALPCSCOPE_EXPORT const struct alpcscope_guid *alpcscope_image_id_guid(void);

/* ---- typed records; strings are borrowed UTF-8, NULL when the version lacks them ---- */

/** TRACE_LOGFILE_HEADER fields as logged (the reader already parses it fully). */
struct alpcscope_trace_header {
	uint32_t buffer_size;
	uint32_t version;          /**< Major | Minor << 8 | Sub << 16 | SubMinor << 24 */
	uint32_t provider_version; /**< OS build */
	uint32_t number_of_processors;
	int64_t end_time_filetime;
	uint32_t timer_resolution;
	uint32_t maximum_file_size;
	uint32_t log_file_mode;
	uint32_t buffers_written;
	uint32_t start_buffers;
	uint32_t pointer_size;
	uint32_t events_lost;
	uint32_t cpu_speed_mhz;
};

/** ETW_KERNEL_HEADER_EXTENSION: the kernel group masks in force. */
struct alpcscope_trace_extension {
	uint32_t group_masks[8];
	bool has_kernel_event_version; /**< false for the 0x20-byte pre-Vista form */
	uint32_t kernel_event_version;
};

/** Process event (versions 2-5). */
struct alpcscope_process {
	uint64_t unique_process_key; /**< kernel EPROCESS address */
	uint32_t process_id;         /**< the subject process (not the header's) */
	uint32_t parent_id;
	uint32_t session_id;
	int32_t exit_status;           /**< NTSTATUS; meaningless on Start/DCStart */
	bool has_directory_table_base; /**< version >= 3 */
	uint64_t directory_table_base;
	bool has_flags;              /**< version >= 4 */
	uint32_t flags;              /**< 0x1 app id, 0x2 WOW64, 0x4 protected, 0x8 packaged */
	const char *user_sid;        /**< "S-1-5-18" form; NULL when the event has no SID */
	const char *image_file_name; /**< short image name (single-byte in the payload) */
	const char *command_line;
	const char *package_full_name; /**< version >= 4, else NULL */
	const char *application_id;    /**< version >= 4, else NULL */
	bool has_exit_time;            /**< Defunct v5 */
	uint64_t exit_time_filetime;
};

/** Thread Start/End/DCStart/DCEnd (versions 2-4). */
struct alpcscope_thread {
	uint32_t process_id;
	uint32_t thread_id; /**< MOF name TThreadId */
	uint64_t stack_base;
	uint64_t stack_limit;
	uint64_t user_stack_base;
	uint64_t user_stack_limit;
	uint64_t start_addr_or_affinity; /**< v2: StartAddr; v3+: Affinity */
	uint64_t win32_start_addr;
	uint64_t teb_base;
	uint32_t sub_process_tag; /**< service tag, matches SystemConfig Services */
	bool has_priorities;      /**< version >= 3 */
	int8_t base_priority;
	uint8_t page_priority;
	uint8_t io_priority;
	uint8_t thread_flags;
	const char *thread_name; /**< NULL when absent (v2, or v3 without it) */
};

/** Thread SetName (opcode 72). */
struct alpcscope_thread_name {
	uint32_t process_id;
	uint32_t thread_id;
	const char *thread_name;
};

/** Image Load/Unload/DCStart/DCEnd (versions 2-3). */
struct alpcscope_image {
	uint64_t image_base;
	uint64_t image_size;
	uint32_t process_id; /**< 0 for kernel modules */
	uint32_t image_checksum;
	uint32_t time_date_stamp;
	bool has_signature; /**< version >= 3 */
	uint8_t signature_level;
	uint8_t signature_type;
	uint64_t default_base;
	const char *file_name; /**< NT device path */
};

/** Which string form an ALPC Wait-For-New-Message PortName was read as. */
enum alpcscope_port_name_encoding {
	ALPCSCOPE_PORT_NAME_NONE = 0, /**< not a Wait-For-New-Message event */
	ALPCSCOPE_PORT_NAME_UTF16 =
	    1, /**< UTF-16LE rule fired (docs/event-layouts.md#port-name-encoding) */
	ALPCSCOPE_PORT_NAME_SINGLE_BYTE = 2,
};

/** ALPC event. Which fields are valid depends on the event's opcode. */
struct alpcscope_alpc {
	uint32_t message_id;     /**< Send 33, Receive 34, Wait-For-Reply 35 */
	uint32_t is_server_port; /**< Wait-For-New-Message 36 */
	const char *port_name;   /**< Wait-For-New-Message 36, else NULL */
	enum alpcscope_port_name_encoding port_name_encoding;
	uint32_t status;    /**< Unwait 37: NTSTATUS */
	const uint8_t *raw; /**< opcodes 38-41 (layout unknown): the payload */
	size_t raw_size;
};

/** StackWalk 32: the frames of the event logged at @c event_timestamp_ticks. */
struct alpcscope_stack_walk {
	int64_t event_timestamp_ticks;
	uint32_t stack_process;
	uint32_t stack_thread;
	size_t frame_count;
	const uint64_t *frames; /**< innermost first; zero-extended on 32-bit */
};

/** StackWalk 34/35/36: the frames a stack key stands for. */
struct alpcscope_stack_key {
	uint64_t stack_key;
	size_t frame_count;
	const uint64_t *frames;
};

/** StackWalk 37 (kernel part) / 38 (user part): an event's stack given as a key. */
struct alpcscope_stack_key_ref {
	int64_t event_timestamp_ticks;
	uint32_t stack_process;
	uint32_t stack_thread;
	uint64_t stack_key;
	bool is_user; /**< opcode 38 */
};

/** KernelTraceControl ImageID (opcode 0). */
struct alpcscope_image_id {
	uint64_t image_base;
	uint64_t image_size;
	uint32_t process_id;
	uint32_t time_date_stamp;
	const char *original_file_name;
};

/** KernelTraceControl DbgID_RSDS (36) / DbgID_ILRSDS (37, IL image): PDB identity of an image. */
struct alpcscope_dbg_id {
	uint64_t image_base;
	uint32_t process_id;
	struct alpcscope_guid guid_sig;
	uint32_t age;
	const char *pdb_file_name;
};

/** SystemConfig Services: one service and the process hosting it. */
struct alpcscope_service {
	uint32_t process_id;
	uint32_t service_state;   /**< SCM SERVICE_* state (4 = running); 0 in v0/v1 */
	uint32_t sub_process_tag; /**< 0 in v0/v1 */
	const char *service_name;
	const char *display_name;
	const char *process_name;
	const char *load_order_group; /**< v3+, else NULL */
	const char *svchost_group;    /**< v3+, else NULL */
};

/** Any other event: header identity and the raw payload. */
struct alpcscope_generic {
	struct alpcscope_guid provider;
	bool has_provider;
	uint16_t event_id;
	uint8_t opcode;
	uint8_t version;
	uint8_t level;
	uint64_t keywords;
	const uint8_t *payload;
	size_t payload_size;
};

/* ---- generic field list, for printing without knowing each kind ---- */

/** Value type of one decoded field. */
enum alpcscope_field_type {
	ALPCSCOPE_FIELD_UINT = 0, /**< value.u */
	ALPCSCOPE_FIELD_INT,      /**< value.i */
	ALPCSCOPE_FIELD_HEX,      /**< value.u, print as 0x... (pointers, flags, NTSTATUS) */
	ALPCSCOPE_FIELD_BOOL,     /**< value.b */
	ALPCSCOPE_FIELD_STRING,   /**< value.str, UTF-8 */
	ALPCSCOPE_FIELD_GUID,     /**< value.guid */
	ALPCSCOPE_FIELD_SID,      /**< value.str, "S-1-5-18" form */
	ALPCSCOPE_FIELD_BYTES,    /**< value.bytes */
	ALPCSCOPE_FIELD_ADDRESSES /**< value.addresses, print each as hex */
};

/** One named field of a decoded event; every pointer borrows from the decoder. */
struct alpcscope_field {
	const char *name; /**< MOF/TraceEvent name: "ProcessId", "PortName", ... */
	enum alpcscope_field_type type;
	union {
		uint64_t u;
		int64_t i;
		bool b;
		const char *str;
		struct alpcscope_guid guid;
		struct {
			const uint8_t *data;
			size_t size;
		} bytes;
		struct {
			const uint64_t *items;
			size_t count;
		} addresses;
	} value;
};

/** Upper bound of struct alpcscope_decoded.field_count. */
#define ALPCSCOPE_MAX_DECODED_FIELDS 24

/**
 * One decoded event, lent by alpcscope_decode(). Everything it points to
 * (strings, frames, fields, @c event) is valid until the next
 * alpcscope_decode() call on the same decoder, and no longer than the event.
 */
struct alpcscope_decoded {
	enum alpcscope_decoded_kind kind;
	const struct alpcscope_event *event; /**< the event decoded */
	const char *name;     /**< "Process/Start", "KernelTraceControl/ImageID", ... or NULL */
	uint8_t pointer_size; /**< width used for pointer fields (the record's) */
	union {
		struct alpcscope_trace_header trace_header;
		struct alpcscope_trace_extension trace_extension;
		struct alpcscope_process process;
		struct alpcscope_thread thread;
		struct alpcscope_thread_name thread_name;
		struct alpcscope_image image;
		struct alpcscope_alpc alpc;
		struct alpcscope_stack_walk stack_walk;
		struct alpcscope_stack_key stack_key;
		struct alpcscope_stack_key_ref stack_key_ref;
		struct alpcscope_image_id image_id;
		struct alpcscope_dbg_id dbg_id;
		struct alpcscope_service service;
		struct alpcscope_generic generic;
	} as;               /**< member named like @c kind */
	size_t field_count; /**< entries in @c fields, in payload order */
	const struct alpcscope_field *fields;
};

/**
 * Create a decoder.
 *
 * @param[out] out  New decoder; free with alpcscope_decoder_free().
 * @param err       Optional error details.
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_INVALID_ARG (NULL @p out) or ALPCSCOPE_E_NOMEM.
 */
ALPCSCOPE_EXPORT enum alpcscope_status alpcscope_decoder_new(struct alpcscope_decoder **out,
							     struct alpcscope_error *err);

/** Release @p decoder and everything it lent out. Accepts NULL. */
ALPCSCOPE_EXPORT void alpcscope_decoder_free(struct alpcscope_decoder *decoder);

/**
 * Decode the payload of @p event. The layout is chosen by (kernel group or
 * provider GUID, opcode, version); a version newer than any known one is read
 * with the newest known layout and trailing bytes are ignored. Pointer fields
 * are @c event->pointer_size wide. Never reads outside the payload.
 *
 * @param decoder   The decoder (its scratch memory is reused).
 * @param event     The event, e.g. from alpcscope_reader_next().
 * @param[out] out  Borrowed result, valid until the next call on @p decoder.
 *                  Set on ALPCSCOPE_OK, and also on ALPCSCOPE_E_CORRUPT,
 *                  where it is a generic record of the event (raw payload).
 * @param err       Optional error details; on ALPCSCOPE_E_CORRUPT its offset
 *                  is the record's file offset (@c event->file_offset).
 * @return ALPCSCOPE_OK; ALPCSCOPE_E_CORRUPT (payload too short for its
 *         version, or a string without terminator); ALPCSCOPE_E_NOMEM
 *         (scratch growth failed; *out is NULL); ALPCSCOPE_E_INVALID_ARG.
 */
ALPCSCOPE_EXPORT enum alpcscope_status alpcscope_decode(struct alpcscope_decoder *decoder,
							const struct alpcscope_event *event,
							const struct alpcscope_decoded **out,
							struct alpcscope_error *err);

/**
 * Name of a kernel event such as "Process/Start", "ALPC/Send-Message",
 * "Image/Load" or "StackWalk/Stack". (3, 10) is "Image/Load": Windows logs
 * image loads with hook 0x030A.
 *
 * @return a static string, or NULL when the (group, opcode) pair is unknown.
 */
ALPCSCOPE_EXPORT const char *alpcscope_kernel_opcode_name(uint8_t group, uint8_t opcode);

/** Find the field called @p name in @p decoded; NULL when it has none. */
ALPCSCOPE_EXPORT const struct alpcscope_field *
alpcscope_decoded_field(const struct alpcscope_decoded *decoded, const char *name);

/* ---- service name <-> host process, from SystemConfig Services ---- */

/**
 * Services seen in SystemConfig Services events: which process hosts which
 * service, and which service a thread's SubProcessTag belongs to. Strings are
 * copied. Not thread-safe.
 */
struct alpcscope_service_map;

/** One service. Strings live as long as the map. */
struct alpcscope_service_entry {
	const char *service_name;
	const char *display_name;
	uint32_t process_id; /**< 0 when the service was not running */
	uint32_t service_state;
	uint32_t sub_process_tag;
};

/**
 * Create an empty map.
 *
 * @param[out] out  New map; free with alpcscope_service_map_free().
 * @param err       Optional error details.
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_INVALID_ARG or ALPCSCOPE_E_NOMEM.
 */
ALPCSCOPE_EXPORT enum alpcscope_status alpcscope_service_map_new(struct alpcscope_service_map **out,
								 struct alpcscope_error *err);

/** Release @p map and its strings. Accepts NULL. */
ALPCSCOPE_EXPORT void alpcscope_service_map_free(struct alpcscope_service_map *map);

/**
 * Record the service of @p decoded (kind ALPCSCOPE_DECODED_SERVICE; other
 * kinds are ignored). A later event for the same service name (compared
 * case-insensitively, as the SCM does) replaces the earlier one.
 *
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_INVALID_ARG or ALPCSCOPE_E_NOMEM.
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_service_map_add(struct alpcscope_service_map *map,
			  const struct alpcscope_decoded *decoded, struct alpcscope_error *err);

/** Number of services recorded. */
ALPCSCOPE_EXPORT size_t alpcscope_service_map_count(const struct alpcscope_service_map *map);

/** Service @p index (< count), in the order first seen; borrowed. */
ALPCSCOPE_EXPORT const struct alpcscope_service_entry *
alpcscope_service_map_at(const struct alpcscope_service_map *map, size_t index);

/** The service called @p service_name (case-insensitive), or NULL. */
ALPCSCOPE_EXPORT const struct alpcscope_service_entry *
alpcscope_service_map_find(const struct alpcscope_service_map *map, const char *service_name);

/**
 * The service hosted by @p process_id whose SubProcessTag is @p tag (a
 * Thread event's SubProcessTag names the service the thread works for), or
 * NULL. Tag 0 never matches.
 */
ALPCSCOPE_EXPORT const struct alpcscope_service_entry *
alpcscope_service_map_find_tag(const struct alpcscope_service_map *map, uint32_t process_id,
			       uint32_t tag);

/**
 * Services hosted by @p process_id: stores up to @p cap entries in @p out
 * (may be NULL when @p cap is 0) and returns how many there are in total.
 */
ALPCSCOPE_EXPORT size_t alpcscope_service_map_by_pid(const struct alpcscope_service_map *map,
						     uint32_t process_id,
						     const struct alpcscope_service_entry **out,
						     size_t cap);

ALPCSCOPE_END_DECLS

#endif
