/* SPDX-License-Identifier: MIT */
/*
 * Private helpers of the XML writers (dump, messages/chains, WPR profile):
 * a streaming libxml2 xmlTextWriter over a caller's FILE with a sticky
 * failure flag, and text sanitising so the output is well-formed XML 1.0
 * whatever bytes the trace held: invalid UTF-8 becomes U+FFFD, characters
 * XML 1.0 forbids (C0 controls other than tab/LF/CR, U+FFFE, U+FFFF) are
 * written as the visible escape "\xNN" / U+FFFD.
 *
 * The libxml2 user for output is xml_util.c; the writers call only these.
 */
#ifndef ALPCSCOPE_OUTPUT_XML_UTIL_H
#define ALPCSCOPE_OUTPUT_XML_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/strbuf.h"

/* Namespaces of the Windows event schema and of tracerpt's extensions. */
#define XML_NS_EVENT "http://schemas.microsoft.com/win/2004/08/events/event"
#define XML_NS_TRACE "http://schemas.microsoft.com/win/2004/08/events/trace"
/* alpcscope's own per-event record element (lossless round trip). */
#define XML_NS_ALPCSCOPE "urn:alpcscope:etl-record:1"
/* Root namespace of the messages/chains documents. */
#define XML_NS_ANALYSIS "urn:alpcscope:analysis:1"

struct xml_out {
	void *writer; /* xmlTextWriterPtr */
	FILE *file;
	struct strbuf text;
	bool failed;
	unsigned pending; /* elements written since the last flush */
};

/* Start a document on @p f (kept open). @p indent: pretty-print. False on OOM. */
bool xml_out_open(struct xml_out *x, FILE *f, bool indent);
/* Close every open element, end the document, flush; false when anything failed. */
bool xml_out_close(struct xml_out *x);
/* Release without ending the document (after a failure). Accepts a closed one. */
void xml_out_free(struct xml_out *x);
/* Hand buffered output to the FILE now and then (bounded memory). */
void xml_out_maybe_flush(struct xml_out *x);

void xml_start(struct xml_out *x, const char *name);
void xml_start_ns(struct xml_out *x, const char *name, const char *ns);
void xml_end(struct xml_out *x);
/* Attribute from untrusted text (sanitised). NULL value writes "". */
void xml_attr(struct xml_out *x, const char *name, const char *value);
void xml_attrf(struct xml_out *x, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Text content from untrusted bytes (sanitised). */
void xml_text(struct xml_out *x, const char *s);
void xml_textn(struct xml_out *x, const char *s, size_t n);
void xml_textf(struct xml_out *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* <name>text</name> */
void xml_elem(struct xml_out *x, const char *name, const char *text);
void xml_elemf(struct xml_out *x, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* <name/> */
void xml_empty(struct xml_out *x, const char *name);
void xml_comment(struct xml_out *x, const char *text);
/* Content of @p n bytes as lower-case hex. */
void xml_hex(struct xml_out *x, const uint8_t *p, size_t n);

/*
 * Append @p n bytes of @p s to @p sb as XML-safe UTF-8 (see top). Exposed
 * for the unit tests; the writers use it through xml_attr()/xml_text().
 */
void xml_sanitize(struct strbuf *sb, const char *s, size_t n);

#endif
