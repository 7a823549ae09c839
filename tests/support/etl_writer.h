/* SPDX-License-Identifier: MIT */
/*
 * Test-data writer for ETW .etl files: emits the same buffers, buffer
 * headers, record headers and payload layouts as the NT Kernel Logger (live,
 * uncompressed) or the relogger (compressed), so that independent readers
 * accept the output. Layouts follow docs/etl-layout.md and
 * docs/event-layouts.md; every choice that mirrors a real sample says so
 * where it is made.
 *
 * Model: one header buffer, then per-processor data buffers. Records are
 * appended to the current buffer of their processor; a full buffer is written
 * out (file order = flush order, sequence number = order in which buffers
 * were started), so file order differs from time order exactly as in real
 * files. Memory use is bounded by cpus x buffer_size whatever the trace size.
 *
 * Two layers: etl_writer_* frames records (any header kind, any payload
 * bytes); etl_enc_* build payloads of the kernel/provider events alpcscope
 * analyses into a struct etl_bytes. The etl_emit_* helpers combine both with
 * the framing Windows 10 uses for each event.
 */
#ifndef ALPCSCOPE_TEST_ETL_WRITER_H
#define ALPCSCOPE_TEST_ETL_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits and constants ---------------------------------------------- */

#define ETL_BUFFER_HEADER_SIZE 0x48u
#define ETL_MAX_EVENT_SIZE     0xFFFFu    /* records carry a u16 size */
#define ETL_MIN_BUFFER_SIZE    0x1000u    /* 4 KiB */
#define ETL_MAX_BUFFER_SIZE    0x1000000u /* 16 MiB, MAX_ETW_BUFFER_SIZE */
#define ETL_MAX_CPUS           1024u
#define ETL_MAX_EXT_ITEMS      8u

/* Kernel group numbers (hook id high byte), NTWMI EVENT_TRACE_GROUP_*. */
enum etl_group {
	ETL_GROUP_HEADER = 0x00,
	ETL_GROUP_PROCESS = 0x03,
	ETL_GROUP_THREAD = 0x05,
	ETL_GROUP_CONFIG = 0x0B,
	ETL_GROUP_IMAGE = 0x14,
	ETL_GROUP_STACKWALK = 0x18,
	ETL_GROUP_ALPC = 0x1A,
};

/* Hook ids used by the emit helpers (group << 8 | type). */
#define ETL_HOOK_PROCESS_START     0x0301u
#define ETL_HOOK_PROCESS_END       0x0302u
#define ETL_HOOK_PROCESS_DCSTART   0x0303u
#define ETL_HOOK_PROCESS_DCEND     0x0304u
#define ETL_HOOK_IMAGE_LOAD        0x030Au /* group 3 type 10, presented as Image opcode 10 */
#define ETL_HOOK_THREAD_START      0x0501u
#define ETL_HOOK_THREAD_END        0x0502u
#define ETL_HOOK_THREAD_DCSTART    0x0503u
#define ETL_HOOK_THREAD_DCEND      0x0504u
#define ETL_HOOK_THREAD_SETNAME    0x0548u
#define ETL_HOOK_CONFIG_SERVICES   0x0B0Fu
#define ETL_HOOK_IMAGE_UNLOAD      0x1402u
#define ETL_HOOK_IMAGE_DCSTART     0x1403u
#define ETL_HOOK_IMAGE_DCEND       0x1404u
#define ETL_HOOK_STACKWALK         0x1820u
#define ETL_HOOK_STACK_KEY_CREATE  0x1822u
#define ETL_HOOK_STACK_KEY_DELETE  0x1823u
#define ETL_HOOK_STACK_KEY_RUNDOWN 0x1824u
#define ETL_HOOK_STACK_REF_KERNEL  0x1825u
#define ETL_HOOK_STACK_REF_USER    0x1826u
#define ETL_HOOK_ALPC_SEND         0x1A21u
#define ETL_HOOK_ALPC_RECEIVE      0x1A22u
#define ETL_HOOK_ALPC_WAIT_REPLY   0x1A23u
#define ETL_HOOK_ALPC_WAIT_NEW     0x1A24u
#define ETL_HOOK_ALPC_UNWAIT       0x1A25u

/* Kernel enable flags for GroupMasks[0] of the 0x0005 header extension. */
#define ETL_FLAG_PROCESS    0x00000001u
#define ETL_FLAG_THREAD     0x00000002u
#define ETL_FLAG_IMAGE_LOAD 0x00000004u
#define ETL_FLAG_ALPC       0x00100000u

/* LogFileMode bits (docs/etl-layout.md#log-file-header). */
#define ETL_MODE_SEQUENTIAL    0x00000001u
#define ETL_MODE_RELOG         0x00010000u
#define ETL_MODE_SYSTEM_LOGGER 0x02000000u
#define ETL_MODE_COMPRESSED    0x04000000u
#define ETL_MODE_INDEPENDENT   0x08000000u

/* ---- GUIDs --------------------------------------------------------------- */

struct etl_guid {
	uint32_t data1;
	uint16_t data2;
	uint16_t data3;
	uint8_t data4[8];
};

extern const struct etl_guid etl_guid_image_id; /* KernelTraceControl ImageID b3e675d7-... */
extern const struct etl_guid etl_guid_rpc;      /* Microsoft-Windows-RPC 6ad52b32-... */
extern const struct etl_guid
    etl_guid_wmi_activity; /* Microsoft-Windows-WMI-Activity 1418ef04-... */
extern const struct etl_guid etl_guid_iwbemservices; /* 9556dc99-828c-11cf-a37e-00aa003240c7 */

/* Parse "8-4-4-4-12" text, braces optional. Returns false on malformed text. */
bool etl_guid_parse(struct etl_guid *out, const char *text);

/* ---- payload byte builder ------------------------------------------------ */

/*
 * Growable byte string with a sticky failure flag: appends after an
 * allocation failure (or past ETL_MAX_EVENT_SIZE) are dropped and `failed`
 * is set, so a whole payload is built and checked once.
 */
struct etl_bytes {
	uint8_t *data;
	size_t len;
	size_t cap;
	bool failed;
};

void etl_bytes_reset(struct etl_bytes *b);
void etl_bytes_free(struct etl_bytes *b);
void etl_bytes_put(struct etl_bytes *b, const void *data, size_t len);
void etl_bytes_u8(struct etl_bytes *b, uint8_t v);
void etl_bytes_u16(struct etl_bytes *b, uint16_t v);
void etl_bytes_u32(struct etl_bytes *b, uint32_t v);
void etl_bytes_u64(struct etl_bytes *b, uint64_t v);
/* A pointer-sized field: 4 or 8 bytes (a 4-byte field keeps the low half). */
void etl_bytes_ptr(struct etl_bytes *b, unsigned width, uint64_t v);
void etl_bytes_guid(struct etl_bytes *b, const struct etl_guid *g);
/* NUL-terminated single-byte string (NULL = empty). */
void etl_bytes_ansi(struct etl_bytes *b, const char *s);
/* NUL-terminated UTF-16LE string converted from UTF-8 (NULL = empty). */
void etl_bytes_utf16(struct etl_bytes *b, const char *utf8);
/*
 * A SID in wire form (revision, count, 6-byte big-endian authority, u32
 * sub-authorities) from "S-1-5-21-..." text. Returns false on bad text.
 */
bool etl_bytes_sid(struct etl_bytes *b, const char *text);

/* ---- the writer ------------------------------------------------------- */

struct etl_writer;

struct etl_writer_config {
	uint32_t cpus;         /* NumberOfProcessors; buffers exist for 0..cpus-1 */
	uint32_t pointer_size; /* 4 or 8: session width, header form and default record width */
	uint32_t buffer_size; /* session buffer size, ETL_MIN..ETL_MAX_BUFFER_SIZE, multiple of 8 */
	bool compress;        /* relogger-style MS-XCA plain LZ77 data buffers */
	uint8_t os_major, os_minor; /* Version bytes 0-1 (10.0) */
	uint32_t os_build;          /* ProviderVersion */
	uint32_t cpu_mhz;
	int64_t perf_freq;       /* QPC frequency, Hz */
	int64_t boot_filetime;   /* BootTime */
	int64_t start_filetime;  /* StartTime */
	int64_t start_ticks;     /* QPC value at StartTime = header event SystemTime */
	int32_t tz_bias_minutes; /* TimeZone.Bias */
	uint32_t log_file_mode;  /* 0 = default: 0x08000001, or 0x04010001 when compressed */
	uint32_t clock_source, perf_source; /* HAL timer sources; default 9/6 live, 0/0 relogged */
	uint32_t header_pid, header_tid;    /* who wrote the header event (system logger: 4) */
	uint32_t group_masks[8];            /* 0x0005 header extension GroupMasks */
	uint32_t kernel_event_version;      /* 0x0005 Version (0x46 on 18362) */
	bool header_extension;              /* write hook 0x0005 */
	bool partition_info;                /* write hook 0x0050 */
	uint32_t events_lost;               /* EventsLost in the log-file header */
	uint32_t buffers_lost;              /* BuffersLost (dropped buffers are added) */
	const char *logger_name;            /* UTF-8 */
	const char *log_file_name;          /* UTF-8 */
};

/* Fill @c with the defaults: 4 CPUs, 64-bit, 64 KiB, uncompressed, Win10 19045, 10 MHz. */
void etl_writer_config_init(struct etl_writer_config *c);

/* Open a writer streaming to @path (needs a seekable file: the header is patched at finish). */
int etl_writer_open_file(struct etl_writer **out, const char *path,
			 const struct etl_writer_config *cfg);
/* Open a writer that collects the file in memory (etl_writer_memory()). */
int etl_writer_open_memory(struct etl_writer **out, const struct etl_writer_config *cfg);

/*
 * Flush every processor buffer, mark the last buffer with FLUSH_MARKER, fill
 * in BuffersWritten and EndTime (from @end_ticks, or the latest record time
 * when 0) and close the file. Records may not be added afterwards.
 */
int etl_writer_finish(struct etl_writer *w, int64_t end_ticks);

/* Bytes of the finished in-memory file (NULL for file writers or before finish). */
const uint8_t *etl_writer_memory(const struct etl_writer *w, size_t *size);
/* Take ownership of the in-memory file (free() it); the writer no longer owns it. */
uint8_t *etl_writer_take_memory(struct etl_writer *w, size_t *size);

/*
 * While @p dropping is set, every buffer of @p cpu that fills is lost instead
 * of written: its sequence number is used up (a gap, as when ETW loses a
 * buffer) and BuffersLost counts it. Clearing it drops the buffer in use.
 */
int etl_writer_set_dropping(struct etl_writer *w, uint32_t cpu, bool dropping);
/* Count @p n more events as lost (EventsLost in the log-file header). */
void etl_writer_add_events_lost(struct etl_writer *w, uint32_t n);

/* Bytes written to the output so far (data buffers flushed, header buffer included). */
uint64_t etl_writer_bytes_written(const struct etl_writer *w);
/* Records added so far (header buffer records included). */
uint64_t etl_writer_record_count(const struct etl_writer *w);
uint32_t etl_writer_buffer_count(const struct etl_writer *w);
/* Raw ticks for @seconds_num / @seconds_den seconds after StartTime. */
int64_t etl_writer_ticks_at(const struct etl_writer *w, int64_t num, int64_t den);
const struct etl_writer_config *etl_writer_config_get(const struct etl_writer *w);

/* Last error message ("" when none); valid until the next call. */
const char *etl_writer_error(const struct etl_writer *w);

void etl_writer_free(struct etl_writer *w);

/* ---- record framing --------------------------------------------------- */

/*
 * Common per-record values. width 0 = the session pointer size; 4 or 8
 * selects the 32/64-bit header kind (and so the payload width a reader
 * assumes). Records of one cpu must come in non-decreasing tick order.
 */
struct etl_rec {
	uint32_t cpu;
	int64_t ticks;
	unsigned width;
	uint32_t pid, tid;
	uint32_t kernel_time, user_time;
};

/* SYSTEM_TRACE_HEADER (full form, 0x20 bytes). */
int etl_writer_system(struct etl_writer *w, const struct etl_rec *r, uint16_t hook, uint8_t version,
		      const void *payload, size_t len);
/* PERFINFO_TRACE_HEADER (0x10 bytes, no ids). */
int etl_writer_perfinfo(struct etl_writer *w, const struct etl_rec *r, uint16_t hook,
			uint8_t version, const void *payload, size_t len);

/* EVENT_TRACE_HEADER (FULL, 0x30 bytes): classic providers, merge-injected events. */
int etl_writer_full(struct etl_writer *w, const struct etl_rec *r, const struct etl_guid *guid,
		    uint8_t type, uint8_t level, uint16_t version, const void *payload, size_t len);

/* One EVENT_HEADER extended data item (written inline, 8-aligned). */
struct etl_ext_item {
	uint16_t type;
	uint16_t size;
	const uint8_t *data;
};

struct etl_event_desc {
	struct etl_guid provider;
	uint16_t id;
	uint8_t version, channel, level, opcode;
	uint16_t task;
	uint64_t keyword;
	struct etl_guid activity;
	uint16_t property;
	unsigned ext_count;
	struct etl_ext_item ext[ETL_MAX_EXT_ITEMS];
};

/* EVENT_HEADER (0x50 bytes + extended items): manifest / TraceLogging providers. */
int etl_writer_event(struct etl_writer *w, const struct etl_rec *r, const struct etl_event_desc *d,
		     const void *payload, size_t len);

/*
 * MESSAGE_TRACE_HEADER (WPP) with OptionFlags GUID | TIMESTAMP | SYSTEMINFO
 * | POINTER32/64 (0x6A / 0xAA, as in the s4__CldFlt samples).
 */
int etl_writer_wpp(struct etl_writer *w, const struct etl_rec *r, const struct etl_guid *guid,
		   uint16_t message_number, const void *args, size_t len);

/* ---- payload encoders (docs/event-layouts.md) --------------------------- */

struct etl_process {
	uint64_t unique_key;
	uint32_t pid, ppid, session;
	int32_t exit_status;
	uint64_t dtb;
	uint32_t flags;
	const char *sid;          /* "S-1-5-18" or NULL (4-byte null SID) */
	const char *image;        /* ImageFileName (ANSI) */
	const char *command_line; /* UTF-8 -> UTF-16 */
	const char *package_full_name;
	const char *application_id;
};
/* Process Start/End/DCStart/DCEnd payload, version 2, 3 or 4. */
bool etl_enc_process(struct etl_bytes *b, unsigned width, unsigned version,
		     const struct etl_process *p);

struct etl_thread {
	uint32_t pid, tid;
	uint64_t stack_base, stack_limit, user_stack_base, user_stack_limit;
	uint64_t affinity, win32_start, teb;
	uint32_t sub_process_tag;
	int8_t base_priority;
	uint8_t page_priority, io_priority, flags;
	const char *name; /* v4 ThreadName (NULL = empty) */
};
/* Thread Start/End/DCStart/DCEnd payload, version 2, 3 or 4. */
bool etl_enc_thread(struct etl_bytes *b, unsigned width, unsigned version,
		    const struct etl_thread *t);
/* Thread SetName (opcode 72, version 2). */
bool etl_enc_thread_setname(struct etl_bytes *b, uint32_t pid, uint32_t tid, const char *name);

struct etl_image {
	uint64_t base, size;
	uint32_t pid, checksum, time_date_stamp;
	uint8_t signature_level, signature_type;
	uint64_t default_base;
	const char *file_name; /* NT path, UTF-8 -> UTF-16 */
};
/* Image Load (0x030A)/Unload/DCStart/DCEnd payload, version 2 or 3 (same size). */
bool etl_enc_image(struct etl_bytes *b, unsigned width, unsigned version,
		   const struct etl_image *i);

/* ALPC: Send/Receive/Wait-For-Reply carry a MessageID. */
bool etl_enc_alpc_msg(struct etl_bytes *b, uint32_t message_id);
/* Wait-For-New-Message: IsServerPort + PortName (UTF-16 per wmicore.mof unless @ansi). */
bool etl_enc_alpc_wait_new(struct etl_bytes *b, uint32_t is_server, const char *port, bool ansi);
bool etl_enc_alpc_unwait(struct etl_bytes *b, uint32_t status);

/* StackWalk opcode 32: EventTimeStamp, StackProcess, StackThread, frames. */
bool etl_enc_stackwalk(struct etl_bytes *b, unsigned width, int64_t event_ticks, uint32_t pid,
		       uint32_t tid, const uint64_t *frames, size_t count);
/* Stack key definition (34/35/36): key, frames. */
bool etl_enc_stack_key_def(struct etl_bytes *b, unsigned width, uint64_t key,
			   const uint64_t *frames, size_t count);
/* Stack key reference (37/38): EventTimeStamp, StackProcess, StackThread, key. */
bool etl_enc_stack_key_ref(struct etl_bytes *b, unsigned width, int64_t event_ticks, uint32_t pid,
			   uint32_t tid, uint64_t key);

/* KernelTraceControl ImageID opcode 0. */
bool etl_enc_image_id(struct etl_bytes *b, unsigned width, uint64_t base, uint64_t size,
		      uint32_t pid, uint32_t time_date_stamp, const char *original_file_name);
/* KernelTraceControl DbgID_RSDS opcode 36. */
bool etl_enc_dbgid_rsds(struct etl_bytes *b, unsigned width, uint64_t base, uint32_t pid,
			const struct etl_guid *pdb_guid, uint32_t age, const char *pdb_name);

struct etl_service {
	uint32_t pid, state, sub_process_tag;
	const char *name, *display_name, *process_name, *load_order_group, *svchost_group;
};
/* SystemConfig Services (group 0x0B opcode 15), version 2 or 3. */
bool etl_enc_service(struct etl_bytes *b, unsigned version, const struct etl_service *s);

struct etl_rpc_call {
	struct etl_guid interface_uuid;
	uint32_t proc_num, protocol;
	const char *network_address, *endpoint, *options;
	uint32_t authn_level, authn_service, impersonation;
};
/* Microsoft-Windows-RPC CallStart template (events 5 and 6). */
bool etl_enc_rpc_call_start(struct etl_bytes *b, const struct etl_rpc_call *c);
/* Status template (events 7, 8, 9). */
bool etl_enc_rpc_status(struct etl_bytes *b, uint32_t status);

/*
 * Microsoft-Windows-WMI-Activity: one struct holds every field used by
 * events 11, 12, 13, 22, 23 and 5857; the encoder writes the ones of @id in
 * manifest order (docs/event-layouts.md#wmi-activity). Returns false for other ids.
 */
struct etl_wmi_activity {
	const char *correlation_id; /* "{GUID}" string */
	uint32_t group_operation_id, operation_id;
	const char *operation, *client_machine, *client_machine_fqdn, *user, *namespace_name;
	uint32_t client_pid;
	uint64_t client_process_creation_time;
	bool is_local;
	uint32_t host_id;
	const char *provider_name, *provider_guid, *path;
	uint32_t result_code;
	const char *class_name, *method_name, *implementation_class;
	const char *command_line;
	uint32_t created_pid;
	uint64_t created_process_creation_time;
	const char *host_process, *provider_path;
	uint32_t code, process_id;
};
bool etl_enc_wmi_activity(struct etl_bytes *b, uint16_t id, const struct etl_wmi_activity *a);

/* ---- emit helpers: framing as Windows 10 writes these events ------------ */

/*
 * Process: Start/End SYSTEM (header = creating/exiting thread), DCStart/DCEnd
 * PERFINFO (Windows 8+ framing, §0.3). Version 4.
 */
int etl_emit_process(struct etl_writer *w, const struct etl_rec *r, uint16_t hook,
		     const struct etl_process *p);
/* Thread Start/End/DCStart/DCEnd: SYSTEM, version 3 (4 when @t->name is set). */
int etl_emit_thread(struct etl_writer *w, const struct etl_rec *r, uint16_t hook,
		    const struct etl_thread *t);
/* Image Load (0x030A) / Unload / DCStart / DCEnd: SYSTEM, version 3. */
int etl_emit_image(struct etl_writer *w, const struct etl_rec *r, uint16_t hook,
		   const struct etl_image *i);
/* ALPC 0x1A21..0x1A29: SYSTEM, version 2, raw payload (use the etl_enc_alpc_* for 33-37). */
int etl_emit_alpc(struct etl_writer *w, const struct etl_rec *r, uint8_t opcode,
		  const void *payload, size_t len);
/* StackWalk 32 (PERFINFO, version 2) for the event at @event_ticks on @pid/@tid. */
int etl_emit_stackwalk(struct etl_writer *w, const struct etl_rec *r, int64_t event_ticks,
		       uint32_t pid, uint32_t tid, const uint64_t *frames, size_t count);

#endif
