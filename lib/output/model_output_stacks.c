/* SPDX-License-Identifier: MIT */
/*
 * Stacks and frames of the model writers (see model_output.h): frames as
 * text, JSON strings or objects with their symbol details, the CSV stack
 * cells, and a message's call site (the first frame outside the ALPC/RPC
 * runtime; docs/symbols.md).
 */
#include "output/model_output.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "util/utf8.h"

static void sb_jframe(struct strbuf *sb, const struct alpcscope_frame_symbol *fs, const char *text);

/* The frames of @p stack as a JSON array of strings, or of objects (sb_jframe). */
static void
sb_jstack_array(struct mo_cache *c, struct strbuf *sb, uint32_t stack, bool objects)
{
	const struct alpcscope_stack *s = alpcscope_model_stack_at(c->m, stack);
	char buf[MO_FRAME_SIZE];

	if (!s) {
		mo_put(sb, "null", 4);
		return;
	}
	mo_putc(sb, '[');
	for (uint32_t i = 0; i < s->frame_count; i++) {
		struct alpcscope_frame_symbol fs;

		if (i)
			mo_putc(sb, ',');
		mo_frame(c, s, i, &fs, buf, sizeof(buf));
		if (objects)
			sb_jframe(sb, &fs, buf);
		else
			mo_sb_jstr(sb, buf);
	}
	mo_putc(sb, ']');
}

void
mo_sb_jstack(struct mo_cache *c, struct strbuf *sb, uint32_t stack)
{
	sb_jstack_array(c, sb, stack, false);
}

const char *
mo_frame(struct mo_cache *c, const struct alpcscope_stack *s, uint32_t i,
	 struct alpcscope_frame_symbol *fs, char *buf, size_t size)
{
	return alpcscope_symbolizer_format_frame(c->sym, c->m, s, i, fs, buf, size);
}

static void
sb_jhex(struct strbuf *sb, uint64_t v)
{
	char t[24];

	snprintf(t, sizeof(t), "\"0x%" PRIx64 "\"", v);
	mo_puts(sb, t);
}

/* One frame object (output-schema.md): address, module, offsets, names, source. */
static void
sb_jframe(struct strbuf *sb, const struct alpcscope_frame_symbol *fs, const char *text)
{
	MO_LIT(sb, "{\"address\":");
	sb_jhex(sb, fs->address);
	MO_LIT(sb, ",\"module\":");
	mo_sb_jstr(sb, fs->module);
	MO_LIT(sb, ",\"module_offset\":");
	if (fs->module)
		sb_jhex(sb, fs->module_offset);
	else
		mo_put(sb, "null", 4);
	MO_LIT(sb, ",\"function\":");
	mo_sb_jstr(sb, fs->function);
	MO_LIT(sb, ",\"decorated\":");
	mo_sb_jstr(sb, fs->decorated);
	MO_LIT(sb, ",\"function_offset\":");
	if (fs->function)
		sb_jhex(sb, fs->function_offset);
	else
		mo_put(sb, "null", 4);
	MO_LIT(sb, ",\"source\":\"");
	mo_puts(sb, alpcscope_symbol_source_name(fs->source));
	MO_LIT(sb, "\",\"shared_names\":");
	mo_sb_u64(sb, fs->shared_names);
	MO_LIT(sb, ",\"text\":");
	mo_sb_jstr(sb, text);
	mo_putc(sb, '}');
}

void
mo_sb_jframes(struct mo_cache *c, struct strbuf *sb, uint32_t stack)
{
	sb_jstack_array(c, sb, stack, true);
}

/* Modules that carry a call rather than make it: ALPC, RPC, COM and the loader. */
static bool
runtime_module(const char *module)
{
	static const char *const names[] = {
	    "ntdll.dll",    "rpcrt4.dll",   "combase.dll",  "ole32.dll",   "kernelbase.dll",
	    "kernel32.dll", "sechost.dll",  "oleaut32.dll", "wow64.dll",   "wow64cpu.dll",
	    "wow64win.dll", "ntoskrnl.exe", "win32u.dll",   "clbcatq.dll", "msvcrt.dll",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(module, names[i]) == 0)
			return true;
	return false;
}

const char *
mo_call_site_of(struct alpcscope_symbolizer *sym, const struct alpcscope_model *m,
		const struct alpcscope_message *msg, char *buf, size_t size)
{
	const struct alpcscope_stack *s = alpcscope_model_stack_at(m, msg->send.stack);

	if (!s)
		return NULL;
	for (uint32_t i = s->kernel_frame_count; i < s->frame_count; i++) {
		struct alpcscope_frame_symbol fs;

		alpcscope_symbolizer_format_frame(sym, m, s, i, &fs, buf, size);
		if (fs.module && !runtime_module(fs.module))
			return buf;
	}
	return NULL;
}

const char *
mo_call_site(struct mo_cache *c, const struct alpcscope_message *msg, char *buf, size_t size)
{
	return mo_call_site_of(c->sym, c->m, msg, buf, size);
}

void
mo_sb_csv_stacks(struct mo_cache *c, struct strbuf *sb, const struct alpcscope_message *msg,
		 bool stacks, bool call_site)
{
	for (int i = 0; stacks && i < 2; i++) {
		mo_putc(sb, ',');
		if (!msg)
			continue;
		strbuf_reset(&c->line);
		mo_sb_stack_line(c, &c->line, i == 0 ? msg->send.stack : msg->receive.stack);
		if (c->line.len)
			mo_sb_csv(c, sb, c->line.data);
	}
	if (call_site) {
		char site[MO_FRAME_SIZE];

		mo_putc(sb, ',');
		if (msg && mo_call_site(c, msg, site, sizeof(site)))
			mo_sb_csv(c, sb, site);
	}
}

void
mo_sb_stack_line(struct mo_cache *c, struct strbuf *sb, uint32_t stack)
{
	const struct alpcscope_stack *s = alpcscope_model_stack_at(c->m, stack);
	char buf[MO_FRAME_SIZE];

	for (uint32_t i = 0; s && i < s->frame_count; i++) {
		if (i)
			MO_LIT(sb, " | ");
		mo_puts(sb, mo_frame(c, s, i, NULL, buf, sizeof(buf)));
	}
}

void
mo_sb_jevent(struct mo_cache *c, struct strbuf *sb, const struct alpcscope_message_event *e,
	     bool stacks)
{
	struct mo_fparty p;

	if (e->thread == ALPCSCOPE_NONE) {
		mo_put(sb, "null", 4);
		return;
	}
	mo_fparty(c, e, &p);
	MO_LIT(sb, "{\"time\":\"");
	mo_sb_time(c, sb, e->filetime_100ns);
	MO_LIT(sb, "\",\"ordinal\":");
	mo_sb_u64(sb, e->ordinal);
	MO_LIT(sb, ",\"file_offset\":");
	mo_sb_u64(sb, e->file_offset);
	MO_LIT(sb, ",\"pid\":");
	mo_sb_jid(sb, p.pid);
	MO_LIT(sb, ",\"tid\":");
	mo_sb_jid(sb, p.tid);
	MO_LIT(sb, ",\"process\":");
	mo_sb_jlabel(c, sb, p.process);
	if (stacks) {
		MO_LIT(sb, ",\"stack\":");
		mo_sb_jstack(c, sb, e->stack);
		if (c->sym) {
			MO_LIT(sb, ",\"stack_frames\":");
			mo_sb_jframes(c, sb, e->stack);
		}
	}
	mo_putc(sb, '}');
}
