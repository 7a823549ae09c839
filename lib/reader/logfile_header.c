/* SPDX-License-Identifier: MIT */
/*
 * Decoding of TRACE_LOGFILE_HEADER32/64. The two forms differ only from the
 * pointer-sized LoggerName field on (8 bytes more in the 64-bit form), and
 * both keep 4 padding bytes before BootTime (docs/etl-layout.md#log-file-header).
 */
#include "reader/logfile_header.h"

#include <string.h>

#include "util/bytes.h"
#include "util/utf16.h"

/* Offsets shared by both forms. */
enum {
	LFH_OFF_BUFFER_SIZE = 0x00,
	LFH_OFF_VERSION = 0x04,
	LFH_OFF_PROVIDER_VERSION = 0x08,
	LFH_OFF_CPU_COUNT = 0x0C,
	LFH_OFF_END_TIME = 0x10,
	LFH_OFF_TIMER_RESOLUTION = 0x18,
	LFH_OFF_MAX_FILE_SIZE = 0x1C,
	LFH_OFF_LOG_FILE_MODE = 0x20,
	LFH_OFF_BUFFERS_WRITTEN = 0x24,
	LFH_OFF_START_BUFFERS = 0x28,
	LFH_OFF_POINTER_SIZE = 0x2C,
	LFH_OFF_EVENTS_LOST = 0x30,
	LFH_OFF_CPU_SPEED = 0x34,
	LFH_OFF_LOGGER_NAME = 0x38, /* since 6.1: the clock-interrupt timer source */
};

/* Offsets after LoggerName, for the 32-bit form; the 64-bit form adds 8. */
enum {
	LFH32_OFF_LOG_FILE_NAME = 0x3C, /* since 6.1: the performance-counter source */
	LFH32_OFF_TIMEZONE = 0x40,
	LFH32_OFF_BOOT_TIME = 0xF0,
	LFH32_OFF_PERF_FREQ = 0xF8,
	LFH32_OFF_START_TIME = 0x100,
	LFH32_OFF_RESERVED_FLAGS = 0x108,
	LFH32_OFF_BUFFERS_LOST = 0x10C,
};

/* True when @p n bytes hold exactly two NUL-terminated UTF-16 strings. */
static bool
two_strings_fit(const uint8_t *p, size_t n)
{
	bool t1, t2;
	size_t a = utf16_strlen_bytes(p, n, &t1);

	if (!t1)
		return false;
	size_t b = utf16_strlen_bytes(p + a + 2, n - a - 2, &t2);
	return t2 && a + 2 + b + 2 == n;
}

static void
read_string(char *dst, size_t cap, const uint8_t **p, size_t *left)
{
	bool term;
	size_t n = utf16_strlen_bytes(*p, *left, &term);

	utf16_to_utf8(dst, cap, *p, n);
	if (term)
		n += 2;
	*p += n;
	*left -= n;
}

const char *
logfile_header_decode(const struct alpcscope_event *ev, struct alpcscope_trace_info *info,
		      const char **warning)
{
	const uint8_t *p = ev->payload;
	size_t n = ev->payload_size;
	bool is64;

	*warning = NULL;
	if (n < LOGFILE_HEADER32_SIZE)
		return "log-file header event too short";
	is64 = ev->kind != ALPCSCOPE_RECORD_SYSTEM32 && ev->kind != ALPCSCOPE_RECORD_COMPACT32;
	uint32_t pointer_size = le32_load(p + LFH_OFF_POINTER_SIZE);
	if ((pointer_size == 8) != is64) {
		/* HeaderType and PointerSize disagree: prefer the form whose strings fit. */
		bool fit64 = n >= LOGFILE_HEADER64_SIZE &&
			     two_strings_fit(p + LOGFILE_HEADER64_SIZE, n - LOGFILE_HEADER64_SIZE);
		bool fit32 = two_strings_fit(p + LOGFILE_HEADER32_SIZE, n - LOGFILE_HEADER32_SIZE);

		if (fit64 != fit32)
			is64 = fit64;
		*warning = "log-file header form and PointerSize disagree";
	}
	if (is64 && n < LOGFILE_HEADER64_SIZE)
		return "64-bit log-file header event too short";

	size_t shift = is64 ? 8 : 0;

	info->header_found = true;
	info->header_is_32bit = !is64;
	info->buffer_size = le32_load(p + LFH_OFF_BUFFER_SIZE);
	memcpy(info->version, p + LFH_OFF_VERSION, 4);
	info->os_build = le32_load(p + LFH_OFF_PROVIDER_VERSION);
	info->cpu_count = le32_load(p + LFH_OFF_CPU_COUNT);
	info->end_filetime = (int64_t)le64_load(p + LFH_OFF_END_TIME);
	info->timer_resolution = le32_load(p + LFH_OFF_TIMER_RESOLUTION);
	info->max_file_size = le32_load(p + LFH_OFF_MAX_FILE_SIZE);
	info->log_file_mode = le32_load(p + LFH_OFF_LOG_FILE_MODE);
	info->buffers_written = le32_load(p + LFH_OFF_BUFFERS_WRITTEN);
	info->start_buffers = le32_load(p + LFH_OFF_START_BUFFERS);
	info->pointer_size = pointer_size;
	info->events_lost = le32_load(p + LFH_OFF_EVENTS_LOST);
	info->cpu_mhz = le32_load(p + LFH_OFF_CPU_SPEED);
	info->clock_timer_source = le32_load(p + LFH_OFF_LOGGER_NAME);
	info->perf_timer_source = le32_load(p + LFH32_OFF_LOG_FILE_NAME + shift);
	info->timezone_bias_minutes = (int32_t)le32_load(p + LFH32_OFF_TIMEZONE + shift);
	info->boot_filetime = (int64_t)le64_load(p + LFH32_OFF_BOOT_TIME + shift);
	info->perf_freq = (int64_t)le64_load(p + LFH32_OFF_PERF_FREQ + shift);
	info->start_filetime = (int64_t)le64_load(p + LFH32_OFF_START_TIME + shift);
	info->clock_type = le32_load(p + LFH32_OFF_RESERVED_FLAGS + shift);
	info->buffers_lost = le32_load(p + LFH32_OFF_BUFFERS_LOST + shift);
	info->header_timestamp_ticks = ev->timestamp_ticks;

	const uint8_t *s = p + LOGFILE_HEADER32_SIZE + shift;
	size_t left = n - LOGFILE_HEADER32_SIZE - shift;

	read_string(info->logger_name, sizeof(info->logger_name), &s, &left);
	read_string(info->log_file_name, sizeof(info->log_file_name), &s, &left);
	if (info->log_file_mode & 0x04000000u)
		info->compressed = true;
	return NULL;
}
