/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope info` output: the summary as text or as one JSON document
 * (keys in docs/info-json.md). JSON is built with json-c, the only JSON
 * library used here; it is not on a hot path (one document per trace).
 */
#include <alpcscope/decode.h>
#include <alpcscope/summary.h>
#include <alpcscope/xml.h> /* ALPCSCOPE_WPR_PROFILE_ID */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analysis/summary_internal.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/utf8.h"

static const char *
clock_name(uint32_t c)
{
	switch (c) {
	case 0: return "raw";
	case 1: return "QPC";
	case 2: return "system time";
	case 3: return "CPU cycles";
	default: return "unknown";
	}
}

static const char *
severity_name(enum alpcscope_severity s)
{
	switch (s) {
	case ALPCSCOPE_SEV_INFO: return "info";
	case ALPCSCOPE_SEV_WARNING: return "warning";
	case ALPCSCOPE_SEV_ERROR: return "error";
	}
	return "unknown";
}

static const char *
ext_type_name(unsigned t)
{
	static const char *const names[] = {
	    "UNKNOWN",       "RELATED_ACTIVITYID",
	    "SID",           "TS_ID",
	    "INSTANCE_INFO", "STACK_TRACE32",
	    "STACK_TRACE64", "PEBS_INDEX",
	    "PMC_COUNTERS",  "PSM_KEY",
	    "EVENT_KEY",     "EVENT_SCHEMA_TL",
	    "PROV_TRAITS",   "PROCESS_START_KEY",
	    "CONTROL_GUID",  "QPC_DELTA",
	    "CONTAINER_ID",  "STACK_KEY32",
	    "STACK_KEY64",   "OTHER",
	};
	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "OTHER";
}

/* Sort helpers: providers by count (desc) then GUID text; kinds by count desc. */
static int
cmp_provider(const void *a, const void *b)
{
	const struct summary_provider *x = *(const struct summary_provider *const *)a;
	const struct summary_provider *y = *(const struct summary_provider *const *)b;
	char gx[ALPCSCOPE_GUID_STR_SIZE], gy[ALPCSCOPE_GUID_STR_SIZE];

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	alpcscope_guid_format(gx, &x->guid);
	alpcscope_guid_format(gy, &y->guid);
	return strcmp(gx, gy);
}

static int
cmp_kind(const void *a, const void *b)
{
	const struct summary_kind *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->event_id != y->event_id)
		return x->event_id < y->event_id ? -1 : 1;
	return (int)x->opcode - (int)y->opcode;
}

static int
cmp_process(const void *a, const void *b)
{
	const struct summary_process *x = *(const struct summary_process *const *)a;
	const struct summary_process *y = *(const struct summary_process *const *)b;

	if (x->first_filetime != y->first_filetime)
		return x->first_filetime < y->first_filetime ? -1 : 1;
	return x->pid < y->pid ? -1 : (x->pid > y->pid);
}

/*
 * The summary in display order, without touching the caller's summary:
 * copies of the providers with their kinds sorted, and both tables as
 * sorted pointer arrays. One allocation.
 */
struct sorted_view {
	const struct summary_provider **providers; /* count desc, then GUID */
	const struct summary_process **processes;  /* first seen, then PID */
	struct summary_process *process_table;     /* summary_processes() */
	uint32_t nprocesses;
	void *mem;
};

static bool
sorted_view_build(struct sorted_view *v, const struct alpcscope_summary *s)
{
	size_t nkinds = 0;

	if (!summary_processes(s, &v->process_table, &v->nprocesses))
		return false;
	for (uint32_t i = 0; i < s->nproviders; i++)
		nkinds += s->providers[i].nkinds;
	size_t bytes = s->nproviders * (sizeof(struct summary_provider) + sizeof(*v->providers)) +
		       nkinds * sizeof(struct summary_kind) + v->nprocesses * sizeof(*v->processes);

	v->mem = malloc(bytes ? bytes : 1);
	if (!v->mem) {
		free(v->process_table);
		return false;
	}
	/* Largest alignment first: provider copies, kinds, then the pointer arrays. */
	struct summary_provider *prov = v->mem;
	struct summary_kind *kinds = (struct summary_kind *)(prov + s->nproviders);

	v->providers = (const struct summary_provider **)(kinds + nkinds);
	v->processes = (const struct summary_process **)(v->providers + s->nproviders);
	for (uint32_t i = 0; i < s->nproviders; i++) {
		prov[i] = s->providers[i];
		if (prov[i].nkinds)
			memcpy(kinds, s->providers[i].kinds, prov[i].nkinds * sizeof(*kinds));
		qsort(kinds, prov[i].nkinds, sizeof(*kinds), cmp_kind);
		prov[i].kinds = kinds;
		kinds += prov[i].nkinds;
		v->providers[i] = &prov[i];
	}
	qsort(v->providers, s->nproviders, sizeof(*v->providers), cmp_provider);
	for (uint32_t i = 0; i < v->nprocesses; i++)
		v->processes[i] = &v->process_table[i];
	qsort(v->processes, v->nprocesses, sizeof(*v->processes), cmp_process);
	return true;
}

struct capability {
	const char *key;
	const char *what;
	bool present;
	uint64_t count;
	const char *missing_hint;
};

enum { NCAPS = 8 };

static void
capabilities(const struct alpcscope_summary *s, struct capability caps[NCAPS])
{
	uint64_t proc_rd = s->kernel[0x03][3] + s->kernel[0x03][4];
	uint64_t thr_rd = s->kernel[0x05][3] + s->kernel[0x05][4];
	uint64_t img_rd = s->kernel[0x14][3] + s->kernel[0x14][4];
	uint64_t proc_life = s->kernel[0x03][1] + s->kernel[0x03][2];

	caps[0] = (struct capability){"alpc_events", "ALPC events (kernel flag ALPC)",
				      s->alpc_events > 0, s->alpc_events,
				      "record with the kernel ALPC flag (xperf -on ALPC, or the "
				      "alpcscope profile)"};
	caps[1] = (struct capability){"stacks_on_alpc", "call stacks on ALPC events",
				      s->alpc_stacks > 0, s->alpc_stacks,
				      "enable stack walks for AlpcSendMessage/AlpcReceiveMessage"};
	caps[2] = (struct capability){"process_rundown", "process rundown (DCStart/DCEnd)",
				      proc_rd > 0, proc_rd,
				      "include the PROC_THREAD kernel flag so processes alive at "
				      "trace start are named"};
	caps[3] = (struct capability){"process_lifetime", "process start/end events", proc_life > 0,
				      proc_life, "include the PROC_THREAD kernel flag"};
	caps[4] = (struct capability){"thread_rundown", "thread rundown (DCStart/DCEnd)",
				      thr_rd > 0, thr_rd, "include the PROC_THREAD kernel flag"};
	caps[5] = (struct capability){
	    "image_rundown", "image rundown (DCStart/DCEnd)", img_rd > 0, img_rd,
	    "include the LOADER kernel flag so stacks resolve to modules"};
	caps[6] = (struct capability){"image_ids", "merged image IDs (KernelTraceControl)",
				      s->image_id_events > 0, s->image_id_events,
				      "stop with wpr -stop / xperf -d so the trace is merged with "
				      "image identities"};
	caps[7] = (struct capability){
	    "rpc_provider", "Microsoft-Windows-RPC events", s->rpc_events > 0, s->rpc_events,
	    "enable the Microsoft-Windows-RPC provider to name interfaces "
	    "and procedures"};
}

/* How to record everything at once: alpcscope's WPR profile (profile_writer.c). */
static const char *const profile_commands[] = {
    "alpcscope profile -o alpcscope.wprp",
    "wpr -start alpcscope.wprp!" ALPCSCOPE_WPR_PROFILE_NAME " -filemode",
    "wpr -stop trace.etl",
};

static void
write_profile_hint(FILE *out)
{
	fprintf(out, "  Record all of it with the alpcscope WPR profile " ALPCSCOPE_WPR_PROFILE_ID
		     " (elevated prompt):\n");
	for (size_t i = 0; i < sizeof(profile_commands) / sizeof(profile_commands[0]); i++)
		fprintf(out, "    %s\n", profile_commands[i]);
}

static char *
iso(char *buf, size_t n, int64_t ft)
{
	alpcscope_filetime_format(buf, n, ft);
	return buf;
}

/* ---------------- text ---------------- */

/*
 * @p s from the trace (or the command line) as safe one-line text in @p sb
 * (utf8_add_safe_text()): a newline cannot forge rows, an escape sequence
 * cannot reach the terminal. NULL gives "".
 */
static const char *
safe(struct strbuf *sb, const char *s)
{
	strbuf_reset(sb);
	if (s)
		utf8_add_safe_text(sb, s, strlen(s));
	return sb->oom ? "(out of memory)" : sb->data ? sb->data : "";
}

/* File, log-file header, compression, event span, buffers and losses. */
static void
text_trace(const struct alpcscope_summary *s, const struct alpcscope_trace_info *in,
	   const struct alpcscope_reader_stats *st, const char *path, FILE *out, struct strbuf *tx)
{
	char t1[40], t2[40];

	fprintf(out, "File:            %s (%" PRIu64 " bytes)\n", safe(tx, path), in->file_size);
	if (in->header_found) {
		fprintf(out, "Logger:          %s\n", safe(tx, in->logger_name));
		fprintf(out, "Log file name:   %s\n", safe(tx, in->log_file_name));
		fprintf(out, "OS:              Windows %u.%u build %u\n", in->version[0],
			in->version[1], in->os_build);
		fprintf(out, "Log version:     %u.%u%s\n", in->version[2], in->version[3],
			(in->log_file_mode & 0x10000) ? " (relogged/merged)" : "");
		fprintf(out, "Pointer size:    %u (%s log-file header)\n", in->pointer_size,
			in->header_is_32bit ? "32-bit" : "64-bit");
		fprintf(out, "CPUs:            %u\n", in->cpu_count);
		fprintf(out, "Clock:           %s, %" PRId64 " Hz\n", clock_name(in->clock_type),
			in->perf_freq);
		fprintf(out, "Start (UTC):     %s\n", iso(t1, sizeof(t1), in->start_filetime));
		fprintf(out, "End (UTC):       %s\n",
			in->end_filetime ? iso(t2, sizeof(t2), in->end_filetime)
					 : "(still logging)");
		fprintf(out, "Buffer size:     %u bytes\n", in->buffer_size);
		fprintf(out, "Log file mode:   0x%08x\n", in->log_file_mode);
	} else {
		fprintf(out, "Log-file header: missing or unreadable (times are raw)\n");
	}
	fprintf(out, "Compressed:      %s", in->compressed ? "yes" : "no");
	if (in->compressed)
		fprintf(out, " (format %u, %u of %u buffers)", in->compression_format,
			in->compressed_buffer_count, in->buffer_count);
	fprintf(out, "\n");
	if (s->have_time)
		fprintf(out, "Events span:     %s .. %s\n", iso(t1, sizeof(t1), s->first_filetime),
			iso(t2, sizeof(t2), s->last_filetime));
	fprintf(out, "Buffers:         %u (read %u, damaged %u)\n", in->buffer_count,
		st->buffers_read, st->buffers_damaged);
	fprintf(out, "Lost:            %u events, %u buffers, %u missing sequence numbers\n",
		in->events_lost, in->buffers_lost, st->sequence_gaps);
}

/* Records by header kind and extended items by type. */
static void
text_records(const struct alpcscope_reader_stats *st, FILE *out)
{
	fprintf(out, "\nRecords:         %" PRIu64 "\n", st->records_total);
	for (int k = 0; k < ALPCSCOPE_RECORD_KIND_COUNT; k++)
		if (st->records_by_kind[k])
			fprintf(out, "  %-16s %" PRIu64 "\n",
				alpcscope_record_kind_name((enum alpcscope_record_kind)k),
				st->records_by_kind[k]);
	if (st->ext_items) {
		fprintf(out, "Extended items:  %" PRIu64 "\n", st->ext_items);
		for (unsigned t = 0; t < 20; t++)
			if (st->ext_items_by_type[t])
				fprintf(out, "  %-18s %" PRIu64 "\n", ext_type_name(t),
					st->ext_items_by_type[t]);
	}
}

/* Kernel events by group and opcode. */
static void
text_kernel_groups(const struct alpcscope_summary *s, FILE *out)
{
	fprintf(out, "\nKernel groups:\n");
	bool any = false;
	for (unsigned g = 0; g < 256; g++) {
		if (!s->kernel_by_group[g])
			continue;
		const char *gn = alpcscope_kernel_group_name((uint8_t)g);
		any = true;
		fprintf(out, "  %s (0x%02x): %" PRIu64 "\n", gn ? gn : "?", g,
			s->kernel_by_group[g]);
		for (unsigned o = 0; o < 256; o++) {
			if (!s->kernel[g][o])
				continue;
			const char *on = alpcscope_kernel_opcode_name((uint8_t)g, (uint8_t)o);
			fprintf(out, "    %3u %-32s %" PRIu64 "\n", o, on ? on : "",
				s->kernel[g][o]);
		}
	}
	if (!any)
		fprintf(out, "  (none)\n");
}

/* Providers by count, each with its first ten event kinds. */
static void
text_providers(const struct alpcscope_summary *s, const struct sorted_view *v, FILE *out,
	       struct strbuf *tx)
{
	fprintf(out, "\nProviders:\n");
	if (!s->nproviders)
		fprintf(out, "  (none)\n");
	for (uint32_t i = 0; i < s->nproviders; i++) {
		const struct summary_provider *p = v->providers[i];
		char g[ALPCSCOPE_GUID_STR_SIZE];
		const char *name = alpcscope_provider_name(&p->guid);

		alpcscope_guid_format(g, &p->guid);
		fprintf(out, "  %s%s%s%s: %" PRIu64 "\n", safe(tx, name), name ? " {" : "", g,
			name ? "}" : "", p->count);
		fprintf(out, "   ");
		for (uint32_t k = 0; k < p->nkinds && k < 10; k++) {
			const struct summary_kind *kd = &p->kinds[k];

			if (p->is_wpp)
				fprintf(out, " msg%u:%" PRIu64, kd->event_id, kd->count);
			else if (kd->is_classic)
				fprintf(out, " op%u:%" PRIu64, kd->opcode, kd->count);
			else
				fprintf(out, " id%u/op%u:%" PRIu64, kd->event_id, kd->opcode,
					kd->count);
		}
		if (p->nkinds > 10)
			fprintf(out, " ...(%u kinds)", p->nkinds);
		fprintf(out, "\n");
	}
}

/* Processes in the order they were first seen. */
static void
text_processes(const struct sorted_view *v, FILE *out, struct strbuf *tx, struct strbuf *ty)
{
	fprintf(out, "\nProcesses seen:  %u\n", v->nprocesses);
	for (uint32_t i = 0; i < v->nprocesses; i++) {
		const struct summary_process *p = v->processes[i];

		fprintf(out, "  %6u  parent %6u  %-24s %s%s %s\n", p->pid, p->parent_pid,
			p->image[0] ? safe(tx, p->image) : "?",
			p->started_in_trace ? "[started]" : "", p->ended_in_trace ? "[ended]" : "",
			safe(ty, p->command_line));
	}
}

/* Diagnostics by ID with their first messages. */
static void
text_diagnostics(const struct alpcscope_summary *s, const struct alpcscope_reader_stats *st,
		 FILE *out, struct strbuf *tx)
{
	fprintf(out, "\nDiagnostics:     %" PRIu64 "\n", st->diagnostics);
	for (uint32_t i = 0; i < s->ndiags; i++) {
		const struct summary_diag *d = &s->diags[i];

		fprintf(out, "  %s %-7s x%" PRIu64 "\n", d->id, severity_name(d->severity),
			d->count);
		for (uint32_t j = 0; j < d->nsamples; j++) {
			if (d->samples[j].file_offset != ALPCSCOPE_NO_OFFSET)
				fprintf(out, "    at offset 0x%" PRIx64 ": %s\n",
					d->samples[j].file_offset, safe(tx, d->samples[j].message));
			else
				fprintf(out, "    %s\n", safe(tx, d->samples[j].message));
		}
	}
}

/* What the trace holds for ALPC analysis, and how to record what is missing. */
static void
text_capabilities(const struct alpcscope_summary *s, FILE *out)
{
	struct capability caps[NCAPS];

	capabilities(s, caps);
	fprintf(out, "\nALPC analysis capability:\n");
	int missing = 0;
	for (int i = 0; i < NCAPS; i++) {
		fprintf(out, "  [%s] %-40s %" PRIu64 "\n", caps[i].present ? "x" : " ",
			caps[i].what, caps[i].count);
		missing += !caps[i].present;
	}
	if (missing) {
		fprintf(out, "  Missing:\n");
		for (int i = 0; i < NCAPS; i++)
			if (!caps[i].present)
				fprintf(out, "    - %s: %s\n", caps[i].what, caps[i].missing_hint);
		write_profile_hint(out); /* the WPR profile that records all of it (xml.md) */
	}
}

static void
write_text(const struct alpcscope_summary *s, const struct alpcscope_trace_info *in,
	   const struct alpcscope_reader_stats *st, const char *path, FILE *out,
	   const struct sorted_view *v)
{
	struct strbuf tx = {0}, ty = {0};

	text_trace(s, in, st, path, out, &tx);
	text_records(st, out);
	text_kernel_groups(s, out);
	text_providers(s, v, out, &tx);
	text_processes(v, out, &tx, &ty);
	text_diagnostics(s, st, out, &tx);
	text_capabilities(s, out);
	strbuf_free(&tx);
	strbuf_free(&ty);
}

/* ---------------- JSON ---------------- */

static json_object *
j_u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

/* json-c copies bytes as they are: invalid UTF-8 is repaired first so the document stays valid. */
static json_object *
j_str(const char *s)
{
	struct strbuf v = {0};
	json_object *o;

	if (!s)
		s = "";
	if (utf8_valid(s, strlen(s)))
		return json_object_new_string(s);
	utf8_add_valid(&v, s, strlen(s));
	o = json_object_new_string(v.data ? v.data : "");
	strbuf_free(&v);
	return o;
}

/* The "trace" object: log-file header facts and the event span. */
static json_object *
json_trace(const struct alpcscope_summary *s, const struct alpcscope_trace_info *in)
{
	json_object *tr = json_object_new_object();
	char buf[64];

	json_object_object_add(tr, "header_found", json_object_new_boolean(in->header_found));
	json_object_object_add(tr, "logger_name", j_str(in->logger_name));
	json_object_object_add(tr, "log_file_name", j_str(in->log_file_name));
	snprintf(buf, sizeof(buf), "%u.%u", in->version[0], in->version[1]);
	json_object_object_add(tr, "os_version", j_str(buf));
	json_object_object_add(tr, "os_build", j_u64(in->os_build));
	snprintf(buf, sizeof(buf), "%u.%u", in->version[2], in->version[3]);
	json_object_object_add(tr, "log_version", j_str(buf));
	json_object_object_add(tr, "pointer_size", j_u64(in->pointer_size));
	json_object_object_add(tr, "header_32bit", json_object_new_boolean(in->header_is_32bit));
	json_object_object_add(tr, "cpu_count", j_u64(in->cpu_count));
	json_object_object_add(tr, "clock_type", j_u64(in->clock_type));
	json_object_object_add(tr, "clock", j_str(clock_name(in->clock_type)));
	json_object_object_add(tr, "perf_freq", json_object_new_int64(in->perf_freq));
	json_object_object_add(tr, "timer_resolution", j_u64(in->timer_resolution));
	json_object_object_add(tr, "buffer_size", j_u64(in->buffer_size));
	snprintf(buf, sizeof(buf), "0x%08x", in->log_file_mode);
	json_object_object_add(tr, "log_file_mode", j_str(buf));
	json_object_object_add(tr, "relogged",
			       json_object_new_boolean(in->log_file_mode & 0x10000));
	json_object_object_add(tr, "compressed", json_object_new_boolean(in->compressed));
	json_object_object_add(tr, "compression_format", j_u64(in->compression_format));
	json_object_object_add(tr, "start_time", j_str(iso(buf, sizeof(buf), in->start_filetime)));
	json_object_object_add(tr, "end_time",
			       in->end_filetime ? j_str(iso(buf, sizeof(buf), in->end_filetime))
						: NULL);
	json_object_object_add(tr, "boot_time", j_str(iso(buf, sizeof(buf), in->boot_filetime)));
	json_object_object_add(tr, "first_event_time",
			       s->have_time ? j_str(iso(buf, sizeof(buf), s->first_filetime))
					    : NULL);
	json_object_object_add(tr, "last_event_time",
			       s->have_time ? j_str(iso(buf, sizeof(buf), s->last_filetime))
					    : NULL);
	json_object_object_add(tr, "buffers_written", j_u64(in->buffers_written));
	return tr;
}

/* The "buffers" object. */
static json_object *
json_buffers(const struct alpcscope_trace_info *in, const struct alpcscope_reader_stats *st)
{
	json_object *bu = json_object_new_object();
	json_object_object_add(bu, "count", j_u64(in->buffer_count));
	json_object_object_add(bu, "compressed", j_u64(in->compressed_buffer_count));
	json_object_object_add(bu, "read", j_u64(st->buffers_read));
	json_object_object_add(bu, "damaged", j_u64(st->buffers_damaged));
	json_object_object_add(bu, "undecompressible", j_u64(st->buffers_undecompressible));
	json_object_object_add(bu, "bytes_decompressed", j_u64(st->bytes_decompressed));
	return bu;
}

/* Records by header kind. */
static json_object *
json_records_by_kind(const struct alpcscope_reader_stats *st)
{
	json_object *bk = json_object_new_object();
	for (int k = 0; k < ALPCSCOPE_RECORD_KIND_COUNT; k++)
		if (st->records_by_kind[k])
			json_object_object_add(
			    bk, alpcscope_record_kind_name((enum alpcscope_record_kind)k),
			    j_u64(st->records_by_kind[k]));
	return bk;
}

/* Extended items by type. */
static json_object *
json_extended_items(const struct alpcscope_reader_stats *st)
{
	json_object *ext = json_object_new_object();
	for (unsigned t = 0; t < 20; t++)
		if (st->ext_items_by_type[t])
			json_object_object_add(ext, ext_type_name(t),
					       j_u64(st->ext_items_by_type[t]));
	return ext;
}

/* Kernel events by group, each with its opcodes. */
static json_object *
json_kernel_groups(const struct alpcscope_summary *s)
{
	json_object *groups = json_object_new_array();
	for (unsigned g = 0; g < 256; g++) {
		if (!s->kernel_by_group[g])
			continue;
		json_object *jg = json_object_new_object();
		const char *gn = alpcscope_kernel_group_name((uint8_t)g);
		const struct alpcscope_guid *gg = alpcscope_kernel_group_guid((uint8_t)g);
		char gs[ALPCSCOPE_GUID_STR_SIZE] = "";

		if (gg)
			alpcscope_guid_format(gs, gg);
		json_object_object_add(jg, "group", j_u64(g));
		json_object_object_add(jg, "name", gn ? j_str(gn) : NULL);
		json_object_object_add(jg, "guid", gg ? j_str(gs) : NULL);
		json_object_object_add(jg, "count", j_u64(s->kernel_by_group[g]));
		json_object *ops = json_object_new_array();
		for (unsigned o = 0; o < 256; o++) {
			if (!s->kernel[g][o])
				continue;
			json_object *jo = json_object_new_object();
			const char *on = alpcscope_kernel_opcode_name((uint8_t)g, (uint8_t)o);

			json_object_object_add(jo, "opcode", j_u64(o));
			json_object_object_add(jo, "name", on ? j_str(on) : NULL);
			json_object_object_add(jo, "count", j_u64(s->kernel[g][o]));
			json_object_array_add(ops, jo);
		}
		json_object_object_add(jg, "opcodes", ops);
		json_object_array_add(groups, jg);
	}
	return groups;
}

/* Providers by count, each with all its event kinds. */
static json_object *
json_providers(const struct sorted_view *v, uint32_t nproviders)
{
	json_object *provs = json_object_new_array();
	for (uint32_t i = 0; i < nproviders; i++) {
		const struct summary_provider *p = v->providers[i];
		json_object *jp = json_object_new_object();
		char g[ALPCSCOPE_GUID_STR_SIZE];
		const char *name = alpcscope_provider_name(&p->guid);

		alpcscope_guid_format(g, &p->guid);
		json_object_object_add(jp, "guid", j_str(g));
		json_object_object_add(jp, "name", name ? j_str(name) : NULL);
		json_object_object_add(jp, "framing",
				       j_str(p->is_wpp                               ? "wpp"
					     : (p->nkinds && p->kinds[0].is_classic) ? "classic"
										     : "manifest"));
		json_object_object_add(jp, "count", j_u64(p->count));
		json_object *kinds = json_object_new_array();
		for (uint32_t k = 0; k < p->nkinds; k++) {
			json_object *jk = json_object_new_object();

			json_object_object_add(jk, p->is_wpp ? "message" : "id",
					       j_u64(p->kinds[k].event_id));
			json_object_object_add(jk, "opcode", j_u64(p->kinds[k].opcode));
			json_object_object_add(jk, "count", j_u64(p->kinds[k].count));
			json_object_array_add(kinds, jk);
		}
		json_object_object_add(jp, "events", kinds);
		json_object_array_add(provs, jp);
	}
	return provs;
}

/* Processes in the order they were first seen. */
static json_object *
json_processes(const struct sorted_view *v)
{
	char buf[64];

	json_object *procs = json_object_new_array();
	for (uint32_t i = 0; i < v->nprocesses; i++) {
		const struct summary_process *p = v->processes[i];
		json_object *jp = json_object_new_object();

		json_object_object_add(jp, "pid", j_u64(p->pid));
		json_object_object_add(jp, "parent_pid", j_u64(p->parent_pid));
		json_object_object_add(jp, "session_id", j_u64(p->session_id));
		json_object_object_add(jp, "image", j_str(p->image));
		json_object_object_add(jp, "command_line", j_str(p->command_line));
		json_object_object_add(jp, "first_seen",
				       j_str(iso(buf, sizeof(buf), p->first_filetime)));
		json_object_object_add(jp, "started_in_trace",
				       json_object_new_boolean(p->started_in_trace));
		json_object_object_add(jp, "ended_in_trace",
				       json_object_new_boolean(p->ended_in_trace));
		json_object_array_add(procs, jp);
	}
	return procs;
}

/* Loss counters. */
static json_object *
json_lost(const struct alpcscope_trace_info *in, const struct alpcscope_reader_stats *st)
{
	json_object *lost = json_object_new_object();
	json_object_object_add(lost, "events_lost", j_u64(in->events_lost));
	json_object_object_add(lost, "buffers_lost", j_u64(in->buffers_lost));
	json_object_object_add(lost, "sequence_gaps", j_u64(st->sequence_gaps));
	return lost;
}

/* Diagnostics by ID with their first messages. */
static json_object *
json_diagnostics(const struct alpcscope_summary *s)
{
	json_object *diags = json_object_new_array();
	for (uint32_t i = 0; i < s->ndiags; i++) {
		const struct summary_diag *d = &s->diags[i];
		json_object *jd = json_object_new_object();
		json_object *samples = json_object_new_array();

		json_object_object_add(jd, "id", j_str(d->id));
		json_object_object_add(jd, "severity", j_str(severity_name(d->severity)));
		json_object_object_add(jd, "count", j_u64(d->count));
		for (uint32_t j = 0; j < d->nsamples; j++) {
			json_object *js = json_object_new_object();

			json_object_object_add(js, "file_offset",
					       d->samples[j].file_offset == ALPCSCOPE_NO_OFFSET
						   ? NULL
						   : j_u64(d->samples[j].file_offset));
			json_object_object_add(js, "message", j_str(d->samples[j].message));
			json_object_array_add(samples, js);
		}
		json_object_object_add(jd, "samples", samples);
		json_object_array_add(diags, jd);
	}
	return diags;
}

/* What the trace holds for ALPC analysis, and how to record what is missing. */
static json_object *
json_capabilities(const struct alpcscope_summary *s)
{
	struct capability caps[NCAPS];

	capabilities(s, caps);
	json_object *cap = json_object_new_object();
	json_object *miss = json_object_new_array();
	for (int i = 0; i < NCAPS; i++) {
		json_object *jc = json_object_new_object();

		json_object_object_add(jc, "present", json_object_new_boolean(caps[i].present));
		json_object_object_add(jc, "count", j_u64(caps[i].count));
		json_object_object_add(jc, "description", j_str(caps[i].what));
		json_object_object_add(cap, caps[i].key, jc);
		if (!caps[i].present)
			json_object_array_add(miss, j_str(caps[i].key));
	}
	json_object_object_add(cap, "missing", miss);
	if (json_object_array_length(miss) > 0) { /* the WPR profile that records all of it */
		json_object *cmds = json_object_new_array();

		for (size_t i = 0; i < sizeof(profile_commands) / sizeof(profile_commands[0]); i++)
			json_object_array_add(cmds, j_str(profile_commands[i]));
		json_object_object_add(cap, "record_profile", j_str(ALPCSCOPE_WPR_PROFILE_ID));
		json_object_object_add(cap, "record_commands", cmds);
	}
	return cap;
}

static json_object *
build_json(const struct alpcscope_summary *s, const struct alpcscope_trace_info *in,
	   const struct alpcscope_reader_stats *st, const char *path, const struct sorted_view *v)
{
	json_object *root = json_object_new_object();

	json_object_object_add(root, "file", j_str(path));
	json_object_object_add(root, "file_size", j_u64(in->file_size));
	json_object_object_add(root, "trace", json_trace(s, in));
	json_object_object_add(root, "buffers", json_buffers(in, st));
	json_object_object_add(root, "records_total", j_u64(st->records_total));
	json_object_object_add(root, "records_by_kind", json_records_by_kind(st));
	json_object_object_add(root, "header_records_past_saved_offset",
			       j_u64(st->header_records_past_saved_offset));
	json_object_object_add(root, "extended_items", json_extended_items(st));
	json_object_object_add(root, "kernel_groups", json_kernel_groups(s));
	json_object_object_add(root, "providers", json_providers(v, s->nproviders));
	json_object_object_add(root, "processes", json_processes(v));
	json_object_object_add(root, "lost", json_lost(in, st));
	json_object_object_add(root, "diagnostics", json_diagnostics(s));
	json_object_object_add(root, "capabilities", json_capabilities(s));
	return root;
}

enum alpcscope_status
alpcscope_summary_write(const struct alpcscope_summary *s, const struct alpcscope_reader *reader,
			const char *path, enum alpcscope_summary_format fmt, FILE *out,
			struct alpcscope_error *err)
{
	return alpcscope_summary_write_info(s, alpcscope_reader_info(reader),
					    alpcscope_reader_stats(reader), path, fmt, out, err);
}

enum alpcscope_status
alpcscope_summary_write_info(const struct alpcscope_summary *s,
			     const struct alpcscope_trace_info *in,
			     const struct alpcscope_reader_stats *st, const char *path,
			     enum alpcscope_summary_format fmt, FILE *out,
			     struct alpcscope_error *err)
{
	struct sorted_view v;

	if (!sorted_view_build(&v, s))
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	if (fmt == ALPCSCOPE_SUMMARY_JSON) {
		json_object *root = build_json(s, in, st, path, &v);

		fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED |
							       JSON_C_TO_STRING_NOSLASHESCAPE),
		      out);
		fputc('\n', out);
		json_object_put(root);
	} else {
		write_text(s, in, st, path, out, &v);
	}
	free(v.mem);
	free(v.process_table);
	if (ferror(out))
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "write failed");
	return ALPCSCOPE_OK;
}
