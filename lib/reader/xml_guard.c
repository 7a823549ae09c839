/* SPDX-License-Identifier: MIT */
/* Pre-parse watch over XML input: see xml_guard.h. */
#include "reader/xml_guard.h"

#include <string.h>

enum {
	G_TEXT,    /* character data */
	G_LT,      /* after '<' */
	G_TAG,     /* inside a start tag, outside quotes */
	G_QUOTE1,  /* inside '...' of a start tag */
	G_QUOTE2,  /* inside "..." of a start tag */
	G_BANG,    /* after "<!": matching "--", "[CDATA[" or "DOCTYPE" */
	G_COMMENT, /* inside <!-- -->; match counts trailing '-' */
	G_CDATA,   /* inside <![CDATA[ ]]>; match counts trailing ']' */
	G_PI,      /* inside <? ?>; match is 1 after '?' */
	G_OTHER,   /* end tag or other declaration: up to '>' */
};

static const char comment_open[] = "--";
static const char cdata_open[] = "[CDATA[";
static const char doctype_open[] = "DOCTYPE";

void
xml_guard_init(struct xml_guard *g)
{
	memset(g, 0, sizeof(*g));
}

static bool
refuse(struct xml_guard *g, uint64_t at, const char *why)
{
	g->why = why;
	g->at = at;
	return false;
}

/* One character after "<!": still a prefix of one of the three markers? */
static void
bang(struct xml_guard *g, char c)
{
	uint8_t k = g->match;
	bool c1 = k < sizeof(comment_open) - 1 && comment_open[k] == c,
	     c2 = k < sizeof(cdata_open) - 1 && cdata_open[k] == c,
	     c3 = k < sizeof(doctype_open) - 1 && doctype_open[k] == c;

	/* The three markers start with different characters: one candidate at most. */
	if (!c1 && !c2 && !c3) {
		g->state = c == '>' ? G_TEXT : G_OTHER;
		return;
	}
	g->match = (uint8_t)(k + 1);
	if (c1 && g->match == sizeof(comment_open) - 1) {
		g->state = G_COMMENT;
		g->match = 0;
	} else if (c2 && g->match == sizeof(cdata_open) - 1) {
		g->state = G_CDATA;
		g->match = 0;
	} else if (c3 && g->match == sizeof(doctype_open) - 1) {
		g->state = G_OTHER;
		g->why = "document type declarations (DTD) are not accepted";
	}
}

bool
xml_guard_feed(struct xml_guard *g, const char *p, size_t n)
{
	if (g->why)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		uint64_t at = g->consumed + i;

		switch (g->state) {
		case G_TEXT:
			if (c == '<')
				g->state = G_LT;
			break;
		case G_LT:
			g->match = 0;
			g->attrs = 0;
			if (c == '!')
				g->state = G_BANG;
			else if (c == '?')
				g->state = G_PI;
			else if (c == '/')
				g->state = G_OTHER;
			else
				g->state = G_TAG;
			break;
		case G_TAG:
			if (c == '>') {
				g->state = G_TEXT;
			} else if (c == '"') {
				g->state = G_QUOTE2;
			} else if (c == '\'') {
				g->state = G_QUOTE1;
			} else if (c == '=' && ++g->attrs > XML_GUARD_MAX_ATTRS) {
				g->consumed += i;
				return refuse(g, at,
					      "an element with more than 256 attributes (no real "
					      "document has one)");
			}
			break;
		case G_QUOTE1:
			if (c == '\'')
				g->state = G_TAG;
			break;
		case G_QUOTE2:
			if (c == '"')
				g->state = G_TAG;
			break;
		case G_BANG:
			bang(g, c);
			if (g->why) {
				g->consumed += i;
				g->at = at - (sizeof(doctype_open) - 1) - 1; /* its '<' */
				return false;
			}
			break;
		case G_COMMENT:
			if (c == '>' && g->match >= 2)
				g->state = G_TEXT;
			g->match = c == '-' ? (uint8_t)(g->match < 2 ? g->match + 1 : 2) : 0;
			break;
		case G_CDATA:
			if (c == '>' && g->match >= 2)
				g->state = G_TEXT;
			g->match = c == ']' ? (uint8_t)(g->match < 2 ? g->match + 1 : 2) : 0;
			break;
		case G_PI:
			if (c == '>' && g->match)
				g->state = G_TEXT;
			g->match = c == '?';
			break;
		default: /* G_OTHER */
			if (c == '>')
				g->state = G_TEXT;
			break;
		}
	}
	g->consumed += n;
	return true;
}
