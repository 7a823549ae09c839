/* SPDX-License-Identifier: MIT */
/*
 * A byte-level watch over XML input before libxml2 parses it, for what
 * libxml2 2.9 handles badly on hostile input:
 *
 * - an element with very many attributes: its duplicate-attribute check is
 *   quadratic (one element with 200,000 attributes, 2.3 MB, ran for
 *   minutes). More than XML_GUARD_MAX_ATTRS on one start tag is refused;
 *   no real producer (tracerpt, wevtutil, alpcscope, manifests) writes
 *   more than a few dozen.
 * - a document type declaration: internal entities are expanded on every
 *   xmlGetProp() call (a 138 KB manifest grew past 1 GB). None of the
 *   inputs has one, so "<!DOCTYPE" is refused.
 *
 * The watch is a small state machine fed in chunks (tags, quoted values,
 * comments, CDATA and processing instructions split anywhere), so it works
 * on a whole buffer or as a filter in an xmlReaderForIO() read callback.
 */
#ifndef ALPCSCOPE_READER_XML_GUARD_H
#define ALPCSCOPE_READER_XML_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XML_GUARD_MAX_ATTRS 256

struct xml_guard {
	uint8_t state;
	uint8_t match;     /* progress through a multi-character marker */
	uint32_t attrs;    /* '=' seen in the current start tag */
	uint64_t consumed; /* bytes fed so far */
	uint64_t at;       /* offset of the refused construct */
	const char *why;   /* NULL while the input is acceptable */
};

void xml_guard_init(struct xml_guard *g);

/* Feed the next @p n bytes; false (g->why, g->at set) once the input is refused. */
bool xml_guard_feed(struct xml_guard *g, const char *p, size_t n);

#endif
