/* SPDX-License-Identifier: MIT */
/*
 * WMI_BUFFER_HEADER: the 0x48-byte header that starts every ETL buffer
 * (docs/etl-layout.md#buffer-header). Decoded once into a host struct; later code trusts it.
 */
#ifndef ALPCSCOPE_READER_WMI_BUFFER_H
#define ALPCSCOPE_READER_WMI_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	WMIBUF_OFF_BUFFER_SIZE = 0x00,    /* u32: bytes in the file, header included */
	WMIBUF_OFF_SAVED_OFFSET = 0x04,   /* u32: end of (decompressed) event data */
	WMIBUF_OFF_CURRENT_OFFSET = 0x08, /* u32: logger's running offset; not trusted */
	WMIBUF_OFF_TIMESTAMP = 0x10,      /* i64: flush time; informational */
	WMIBUF_OFF_SEQUENCE = 0x18,       /* i64: ordering within a processor */
	WMIBUF_OFF_PROCESSOR = 0x28,      /* u8 or u16 (BufferFlag 0x20): processor */
	WMIBUF_OFF_LOGGER_ID = 0x2A,      /* u16 */
	WMIBUF_OFF_STATE = 0x2C,          /* u32: header buffer: compression format */
	WMIBUF_OFF_OFFSET = 0x30,         /* u32: end of data at flush time */
	WMIBUF_OFF_FLAG = 0x34,           /* u16: ETW_BUFFER_FLAG_* */
	WMIBUF_OFF_TYPE = 0x36,           /* u16: ETW_BUFFER_TYPE_* */
	WMIBUF_HEADER_SIZE = 0x48,
};

enum {
	WMIBUF_FLAG_FLUSH_MARKER = 0x0001,
	WMIBUF_FLAG_EVENTS_LOST = 0x0002,
	WMIBUF_FLAG_BUFFER_LOST = 0x0004,
	WMIBUF_FLAG_PROC_INDEX = 0x0020,
	WMIBUF_FLAG_COMPRESSED = 0x0040,
	WMIBUF_FLAG_KNOWN = 0x007F,
};

enum { WMIBUF_TYPE_HEADER = 4, WMIBUF_TYPE_MAX_KNOWN = 7 };

/* Largest buffer we accept: 16 MiB sessions (Windows 8+) plus the header. */
#define WMIBUF_MAX_SIZE (16u * 1024 * 1024 + WMIBUF_HEADER_SIZE)

struct wmi_buffer {
	uint64_t file_offset;
	uint32_t size;         /* bytes in the file */
	uint32_t saved_offset; /* end of event data (decompressed), 0 = unknown */
	uint32_t offset;       /* Offset field */
	uint64_t sequence;
	uint32_t processor;
	uint32_t state;
	uint16_t flags;
	uint16_t type;
};

/*
 * Decode the header at @p bytes (@p avail bytes readable). Returns false when
 * fewer than 0x48 bytes remain or the size is implausible; no other check.
 */
bool wmi_buffer_decode(const uint8_t *bytes, size_t avail, uint64_t file_offset,
		       struct wmi_buffer *out);

#endif
