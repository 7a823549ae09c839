/* SPDX-License-Identifier: MIT */
/*
 * `dump --format xml`: events in the Windows event XML schema, the shape
 * tracerpt -of XML and wevtutil write (docs/xml.md). Hooked into the dump
 * writer (alpcscope_dump_writer_*) as ALPCSCOPE_DUMP_XML.
 */
#ifndef ALPCSCOPE_OUTPUT_XML_WRITER_H
#define ALPCSCOPE_OUTPUT_XML_WRITER_H

#include <stdio.h>

#include <alpcscope/decode.h>
#include <alpcscope/event.h>
#include <alpcscope/status.h>

struct xml_dump;

/* Start the document (<?xml ...?><Events>) on @p out; NULL when out of memory. */
struct xml_dump *xml_dump_new(FILE *out);
/* Write one <Event>; @p d may be NULL. */
enum alpcscope_status xml_dump_event(struct xml_dump *xd, const struct alpcscope_event *ev,
				     const struct alpcscope_decoded *d,
				     struct alpcscope_error *err);
/* Close </Events> and release. Accepts NULL. Returns false when writing failed. */
bool xml_dump_free(struct xml_dump *xd);

#endif
