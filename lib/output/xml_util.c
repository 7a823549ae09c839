/* SPDX-License-Identifier: MIT */
/*
 * The output side's only libxml2 user: a thin, failure-sticky wrapper over
 * xmlTextWriter writing to a FILE, and the XML 1.0 text sanitiser.
 */
#include "output/xml_util.h"
#include "util/utf8.h"

#include <stdarg.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#define W(x)  ((xmlTextWriterPtr)(x)->writer)
#define XC(s) ((const xmlChar *)(s))

/* Flush the writer to the FILE after this many elements. */
#define FLUSH_EVERY 64

static void
check(struct xml_out *x, int rc)
{
	if (rc < 0)
		x->failed = true;
}

bool
xml_out_open(struct xml_out *x, FILE *f, bool indent)
{
	xmlOutputBufferPtr buf;

	memset(x, 0, sizeof(*x));
	x->file = f;
	buf = xmlOutputBufferCreateFile(f, NULL);
	if (!buf)
		return false;
	x->writer = xmlNewTextWriter(buf); /* owns buf from now on */
	if (!x->writer) {
		xmlOutputBufferClose(buf);
		return false;
	}
	if (indent) {
		check(x, xmlTextWriterSetIndent(W(x), 1));
		check(x, xmlTextWriterSetIndentString(W(x), XC("  ")));
	}
	check(x, xmlTextWriterStartDocument(W(x), "1.0", "UTF-8", NULL));
	return !x->failed;
}

bool
xml_out_close(struct xml_out *x)
{
	if (!x->writer)
		return false;
	if (!x->failed)
		check(x, xmlTextWriterEndDocument(W(x)));
	if (!x->failed)
		check(x, xmlTextWriterFlush(W(x)));
	if (!x->failed && fputc('\n', x->file) == EOF)
		x->failed = true;
	bool ok = !x->failed;

	xml_out_free(x);
	return ok;
}

void
xml_out_free(struct xml_out *x)
{
	if (x->writer)
		xmlFreeTextWriter(W(x));
	x->writer = NULL;
	strbuf_free(&x->text);
}

void
xml_out_maybe_flush(struct xml_out *x)
{
	if (++x->pending < FLUSH_EVERY)
		return;
	x->pending = 0;
	if (x->writer && !x->failed)
		check(x, xmlTextWriterFlush(W(x)));
}

void
xml_start(struct xml_out *x, const char *name)
{
	if (!x->failed)
		check(x, xmlTextWriterStartElement(W(x), XC(name)));
}

void
xml_start_ns(struct xml_out *x, const char *name, const char *ns)
{
	if (!x->failed)
		check(x, xmlTextWriterStartElementNS(W(x), NULL, XC(name), XC(ns)));
}

void
xml_end(struct xml_out *x)
{
	if (!x->failed)
		check(x, xmlTextWriterEndElement(W(x)));
}

static const char *
clean(struct xml_out *x, const char *s, size_t n)
{
	strbuf_reset(&x->text);
	xml_sanitize(&x->text, s, n);
	if (x->text.oom) {
		x->failed = true;
		return NULL;
	}
	return x->text.data ? x->text.data : "";
}

void
xml_attr(struct xml_out *x, const char *name, const char *value)
{
	const char *v;

	if (x->failed)
		return;
	v = clean(x, value ? value : "", value ? strlen(value) : 0);
	if (v)
		check(x, xmlTextWriterWriteAttribute(W(x), XC(name), XC(v)));
}

void
xml_attrf(struct xml_out *x, const char *name, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	xml_attr(x, name, buf);
}

void
xml_textn(struct xml_out *x, const char *s, size_t n)
{
	const char *v;

	if (x->failed)
		return;
	v = clean(x, s, n);
	if (v)
		check(x, xmlTextWriterWriteString(W(x), XC(v)));
}

void
xml_text(struct xml_out *x, const char *s)
{
	xml_textn(x, s ? s : "", s ? strlen(s) : 0);
}

void
xml_textf(struct xml_out *x, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	xml_text(x, buf);
}

void
xml_elem(struct xml_out *x, const char *name, const char *text)
{
	xml_start(x, name);
	xml_text(x, text);
	xml_end(x);
}

void
xml_elemf(struct xml_out *x, const char *name, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	xml_elem(x, name, buf);
}

void
xml_empty(struct xml_out *x, const char *name)
{
	xml_start(x, name);
	xml_end(x);
}

void
xml_comment(struct xml_out *x, const char *text)
{
	const char *v;

	if (x->failed)
		return;
	v = clean(x, text, strlen(text));
	if (!v)
		return;
	/* "--" may not occur in a comment, nor may it end in "-": space them apart. */
	struct strbuf c = {0};

	for (const char *p = v; *p; p++) {
		if (*p == '-' && c.len && c.data[c.len - 1] == '-')
			strbuf_addc(&c, ' ');
		strbuf_addc(&c, *p);
	}
	if (c.len && c.data[c.len - 1] == '-')
		strbuf_addc(&c, ' ');
	if (c.oom)
		x->failed = true;
	else
		check(x, xmlTextWriterWriteComment(W(x), XC(c.data ? c.data : "")));
	strbuf_free(&c);
}

void
xml_hex(struct xml_out *x, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char buf[512];
	size_t o = 0;

	for (size_t i = 0; i < n && !x->failed; i++) {
		buf[o++] = digits[p[i] >> 4];
		buf[o++] = digits[p[i] & 15];
		if (o >= sizeof(buf) - 2 || i + 1 == n) {
			buf[o] = '\0';
			check(x, xmlTextWriterWriteString(W(x), XC(buf)));
			o = 0;
		}
	}
}

/* ---- sanitiser ---- */

void
xml_sanitize(struct strbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = utf8_decode(p + i, n - i, &cp); /* util/utf8.h */

		if (len == 0) {
			utf8_add_cp(sb, 0xFFFD);
			i++;
			continue;
		}
		i += len;
		if (cp < 0x20 && cp != 0x09 && cp != 0x0A && cp != 0x0D)
			strbuf_printf(sb, "\\x%02X", (unsigned)cp);
		else if (cp == 0xFFFE || cp == 0xFFFF)
			utf8_add_cp(sb, 0xFFFD);
		else
			utf8_add_cp(sb, cp);
	}
}
