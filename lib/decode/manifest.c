/* SPDX-License-Identifier: MIT */
/*
 * Instrumentation manifests (.man XML, the Windows event schema) into the
 * schema model: per <provider>, its <events> (value, version, template,
 * symbol/task/opcode names), <templates> (<data> and <struct> with inType,
 * outType, map, count, length) and <maps> (<valueMap>, <bitMap>), with
 * "$(string.ID)" messages resolved from <localization>. The only file that
 * includes libxml2 for manifests. Manifests are untrusted input: no network,
 * no entity expansion, every number range-checked.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "reader/xml_guard.h"
#include "schema.h"
#include "util/error.h"

struct man_ctx {
	struct alpcscope_schema_set *set;
	struct schema_arena *arena;
	xmlNode *strings; /* <stringTable> or NULL */
	const char *origin;
	struct alpcscope_error *err;
};

static const struct {
	const char *name;
	uint16_t type;
} in_types[] = {
    {"win:UnicodeString", TDH_IN_UNICODESTRING},
    {"win:AnsiString", TDH_IN_ANSISTRING},
    {"win:Int8", TDH_IN_INT8},
    {"win:UInt8", TDH_IN_UINT8},
    {"win:Int16", TDH_IN_INT16},
    {"win:UInt16", TDH_IN_UINT16},
    {"win:Int32", TDH_IN_INT32},
    {"win:UInt32", TDH_IN_UINT32},
    {"win:Int64", TDH_IN_INT64},
    {"win:UInt64", TDH_IN_UINT64},
    {"win:Float", TDH_IN_FLOAT},
    {"win:Double", TDH_IN_DOUBLE},
    {"win:Boolean", TDH_IN_BOOLEAN},
    {"win:Binary", TDH_IN_BINARY},
    {"win:GUID", TDH_IN_GUID},
    {"win:Pointer", TDH_IN_POINTER},
    {"win:FILETIME", TDH_IN_FILETIME},
    {"win:SYSTEMTIME", TDH_IN_SYSTEMTIME},
    {"win:SID", TDH_IN_SID},
    {"win:HexInt32", TDH_IN_HEXINT32},
    {"win:HexInt64", TDH_IN_HEXINT64},
    {"win:CountedUnicodeString", TDH_IN_COUNTEDSTRING},
    {"win:CountedAnsiString", TDH_IN_COUNTEDANSISTRING},
    {"win:CountedBinary", TDH_IN_MANIFEST_COUNTEDBINARY},
};

static const struct {
	const char *name;
	uint16_t type;
} out_types[] = {
    {"xs:string", TDH_OUT_STRING},
    {"xs:dateTime", TDH_OUT_DATETIME},
    {"xs:boolean", TDH_OUT_BOOLEAN},
    {"xs:hexBinary", TDH_OUT_HEXBINARY},
    {"win:HexInt8", TDH_OUT_HEXINT8},
    {"win:HexInt16", TDH_OUT_HEXINT16},
    {"win:HexInt32", TDH_OUT_HEXINT32},
    {"win:HexInt64", TDH_OUT_HEXINT64},
    {"win:PID", TDH_OUT_PID},
    {"win:TID", TDH_OUT_TID},
    {"win:Port", TDH_OUT_PORT},
    {"win:IPv4", TDH_OUT_IPV4},
    {"win:IPv6", TDH_OUT_IPV6},
    {"win:ErrorCode", TDH_OUT_ERRORCODE},
    {"win:Win32Error", TDH_OUT_WIN32ERROR},
    {"win:NTSTATUS", TDH_OUT_NTSTATUS},
    {"win:HResult", TDH_OUT_HRESULT},
    {"win:Utf8", TDH_OUT_UTF8},
    {"win:CodePointer", TDH_OUT_CODEPOINTER},
    {"win:DateTimeUTC", TDH_OUT_DATETIME_UTC},
};

static enum alpcscope_status
man_error(struct man_ctx *m, xmlNode *n, const char *what, const char *detail)
{
	return error_set(m->err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET, "%s:%ld: %s%s%s",
			 m->origin, n ? (long)xmlGetLineNo(n) : 0L, what, detail ? ": " : "",
			 detail ? detail : "");
}

static bool
is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *
child(xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is_elem(c, name))
			return c;
	return NULL;
}

/* Attribute text copied into the set's arena; NULL when absent (or out of memory: *nomem). */
static const char *
attr(struct man_ctx *m, xmlNode *n, const char *name, bool *nomem)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	const char *s;

	if (!v)
		return NULL;
	s = schema_arena_strdup(m->arena, (const char *)v);
	xmlFree(v);
	if (!s)
		*nomem = true;
	return s;
}

/* Unsigned number (decimal or 0x hex) within [0, max]. */
static bool
parse_num(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* Resolve "$(string.ID)" against the string table; other text is returned as is. */
static const char *
message(struct man_ctx *m, const char *msg, bool *nomem)
{
	size_t n;

	if (!msg || strncmp(msg, "$(string.", 9) != 0)
		return msg;
	n = strlen(msg);
	if (n < 11 || msg[n - 1] != ')')
		return msg;
	for (xmlNode *c = m->strings ? m->strings->children : NULL; c; c = c->next) {
		xmlChar *id;
		bool match;

		if (!is_elem(c, "string"))
			continue;
		id = xmlGetProp(c, (const xmlChar *)"id");
		match = id && strlen((const char *)id) == n - 10 &&
			strncmp((const char *)id, msg + 9, n - 10) == 0;
		xmlFree(id);
		if (match)
			return attr(m, c, "value", nomem);
	}
	return msg;
}

static enum alpcscope_status
load_maps(struct man_ctx *m, xmlNode *maps, const struct alpcscope_guid *provider)
{
	bool nomem = false;

	for (xmlNode *mp = maps ? maps->children : NULL; mp; mp = mp->next) {
		struct schema_map *map;
		size_t count = 0, k = 0;

		if (!is_elem(mp, "valueMap") && !is_elem(mp, "bitMap"))
			continue;
		for (xmlNode *e = mp->children; e; e = e->next)
			count += is_elem(e, "map");
		if (count > SCHEMA_MAX_MAP_ENTRIES)
			return man_error(m, mp, "map has too many entries", NULL);
		map = schema_arena_alloc(m->arena, sizeof(*map));
		if (!map || (count && !(map->entries = schema_arena_alloc(
					    m->arena, count * sizeof(*map->entries)))))
			return error_set(m->err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
					 "%s: out of memory", m->origin);
		map->provider = *provider;
		map->is_bitmap = is_elem(mp, "bitMap");
		map->name = attr(m, mp, "name", &nomem);
		if (!map->name && !nomem)
			return man_error(m, mp, "map without a name", NULL);
		for (xmlNode *e = mp->children; e && !nomem; e = e->next) {
			uint64_t v;

			if (!is_elem(e, "map"))
				continue;
			if (!parse_num(attr(m, e, "value", &nomem), UINT32_MAX, &v))
				return man_error(m, e, "map entry value not a 32-bit number", NULL);
			map->entries[k].value = (uint32_t)v;
			map->entries[k].name = message(m, attr(m, e, "message", &nomem), &nomem);
			if (!map->entries[k].name)
				map->entries[k].name = "";
			k++;
		}
		if (nomem)
			return error_set(m->err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
					 "%s: out of memory", m->origin);
		map->count = k;
		schema_set_add_map(m->set, map, m->err);
	}
	return ALPCSCOPE_OK;
}

/* Index of the earlier property called @p name, or -1. */
static int
prop_index(const struct schema_prop *props, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(props[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* count= / length= : a number, or the name of an earlier property. */
static enum alpcscope_status
count_or_ref(struct man_ctx *m, xmlNode *n, const char *text, struct schema_prop *props,
	     size_t placed, uint16_t *out, uint32_t *flags, uint32_t fixed_flag,
	     uint32_t param_flag)
{
	uint64_t v;
	int idx;

	if (!text)
		return ALPCSCOPE_OK;
	if (parse_num(text, UINT16_MAX, &v)) {
		*out = (uint16_t)v;
		*flags |= fixed_flag;
		return ALPCSCOPE_OK;
	}
	idx = prop_index(props, placed, text);
	if (idx < 0)
		return man_error(m, n, "count/length names no earlier property", text);
	*out = (uint16_t)idx;
	*flags |= param_flag;
	return ALPCSCOPE_OK;
}

/* Lay out one sibling run (template or struct children) at props[dst...]; BFS like TDH. */
static enum alpcscope_status
load_template(struct man_ctx *m, xmlNode *tpl, struct schema_event *ev)
{
	struct {
		xmlNode *first;
		size_t dst;
	} queue[SCHEMA_MAX_PROPS];
	size_t qn = 0, next = 0, total = 0;
	bool nomem = false;
	enum alpcscope_status st;

	/* Count every <data>/<struct> below the template, bounded. */
	for (xmlNode *c = tpl->children; c; c = c->next)
		if (is_elem(c, "data") || is_elem(c, "struct")) {
			total++;
			if (is_elem(c, "struct"))
				for (xmlNode *d = c->children; d; d = d->next)
					if (is_elem(d, "data") || is_elem(d, "struct"))
						total++;
		}
	if (total > SCHEMA_MAX_PROPS)
		return man_error(m, tpl, "template has too many properties", NULL);
	ev->props = schema_arena_alloc(m->arena, (total ? total : 1) * sizeof(*ev->props));
	if (!ev->props)
		return error_set(m->err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
				 "%s: out of memory", m->origin);
	for (xmlNode *c = tpl->children; c; c = c->next)
		next += is_elem(c, "data") || is_elem(c, "struct");
	ev->top_count = (uint16_t)next;
	queue[qn].first = tpl->children;
	queue[qn].dst = 0;
	qn++;
	for (size_t qi = 0; qi < qn; qi++) {
		size_t dst = queue[qi].dst;

		for (xmlNode *c = queue[qi].first; c; c = c->next) {
			struct schema_prop *p;
			const char *t;

			if (!is_elem(c, "data") && !is_elem(c, "struct"))
				continue;
			p = &ev->props[dst];
			p->name = attr(m, c, "name", &nomem);
			if (nomem)
				break;
			if (!p->name)
				return man_error(m, c, "property without a name", NULL);
			if (is_elem(c, "struct")) {
				size_t members = 0;

				if (qi > 0)
					return man_error(m, c, "nested struct not supported",
							 p->name);
				for (xmlNode *d = c->children; d; d = d->next)
					members += is_elem(d, "data");
				if (members == 0 || next + members > total)
					return man_error(m, c, "struct without members", p->name);
				p->flags = SCHEMA_PROP_STRUCT;
				p->struct_start = (uint16_t)next;
				p->struct_members = (uint16_t)members;
				queue[qn].first = c->children;
				queue[qn].dst = next;
				qn++;
				next += members;
			} else {
				p->in_type = TDH_IN_NULL;
				t = attr(m, c, "inType", &nomem);
				for (size_t k = 0; t && k < sizeof(in_types) / sizeof(in_types[0]);
				     k++)
					if (strcmp(t, in_types[k].name) == 0)
						p->in_type = in_types[k].type;
				if (!nomem && p->in_type == TDH_IN_NULL)
					return man_error(m, c, "unknown or missing inType",
							 t ? t : p->name);
				t = attr(m, c, "outType", &nomem);
				for (size_t k = 0;
				     t && k < sizeof(out_types) / sizeof(out_types[0]); k++)
					if (strcmp(t, out_types[k].name) == 0)
						p->out_type = out_types[k].type;
				p->map_name = attr(m, c, "map", &nomem);
			}
			st = count_or_ref(m, c, attr(m, c, "count", &nomem), ev->props, dst,
					  &p->count, &p->flags, SCHEMA_PROP_FIXED_COUNT,
					  SCHEMA_PROP_PARAM_COUNT);
			if (st == ALPCSCOPE_OK)
				st = count_or_ref(
				    m, c, attr(m, c, "length", &nomem), ev->props, dst, &p->length,
				    &p->flags, SCHEMA_PROP_FIXED_LENGTH, SCHEMA_PROP_PARAM_LENGTH);
			if (st != ALPCSCOPE_OK)
				return st;
			dst++;
		}
		if (nomem)
			return error_set(m->err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
					 "%s: out of memory", m->origin);
	}
	ev->prop_count = (uint16_t)next;
	return ALPCSCOPE_OK;
}

static xmlNode *
find_named(xmlNode *parent, const char *elem, const char *key, const char *value)
{
	for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next) {
		xmlChar *v;
		bool match;

		if (!is_elem(c, elem))
			continue;
		v = xmlGetProp(c, (const xmlChar *)key);
		match = v && strcmp((const char *)v, value) == 0;
		xmlFree(v);
		if (match)
			return c;
	}
	return NULL;
}

static enum alpcscope_status
load_provider(struct man_ctx *m, xmlNode *pv)
{
	struct alpcscope_guid guid;
	const char *pname, *gtext;
	bool nomem = false;
	enum alpcscope_status st;
	xmlNode *events = child(pv, "events"), *templates = child(pv, "templates");

	pname = attr(m, pv, "name", &nomem);
	gtext = attr(m, pv, "guid", &nomem);
	if (nomem)
		return error_set(m->err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
				 "%s: out of memory", m->origin);
	if (!gtext || !alpcscope_guid_parse(&guid, gtext))
		return man_error(m, pv, "provider without a valid guid", pname);
	st = load_maps(m, child(pv, "maps"), &guid);
	if (st != ALPCSCOPE_OK)
		return st;
	for (xmlNode *e = events ? events->children : NULL; e; e = e->next) {
		struct schema_event *ev;
		const char *tid, *sym;
		uint64_t v;

		if (!is_elem(e, "event"))
			continue;
		ev = schema_arena_alloc(m->arena, sizeof(*ev));
		if (!ev)
			return error_set(m->err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
					 "%s: out of memory", m->origin);
		ev->provider = guid;
		ev->provider_name = pname;
		ev->source = ALPCSCOPE_SCHEMA_MANIFEST;
		if (!parse_num(attr(m, e, "value", &nomem), UINT16_MAX, &v))
			return man_error(m, e, "event value not a 16-bit number", NULL);
		ev->id = (uint16_t)v;
		v = 0;
		if (xmlHasProp(e, (const xmlChar *)"version") &&
		    !parse_num(attr(m, e, "version", &nomem), UINT8_MAX, &v))
			return man_error(m, e, "event version not an 8-bit number", NULL);
		ev->version = (uint8_t)v;
		sym = attr(m, e, "symbol", &nomem);
		ev->event_name = sym ? sym : attr(m, e, "task", &nomem);
		tid = attr(m, e, "template", &nomem);
		if (tid) {
			xmlNode *tpl = find_named(templates, "template", "tid", tid);

			if (!tpl)
				return man_error(m, e, "event names an unknown template", tid);
			st = load_template(m, tpl, ev);
			if (st != ALPCSCOPE_OK)
				return st;
		}
		if (nomem)
			return error_set(m->err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
					 "%s: out of memory", m->origin);
		st = schema_set_add_event(m->set, ev, m->err);
		if (st != ALPCSCOPE_OK)
			return st;
	}
	return ALPCSCOPE_OK;
}

/* First element called @p name anywhere below @p n (depth-first). */
static xmlNode *
find_desc(xmlNode *n, const char *name, unsigned depth)
{
	if (depth > 16)
		return NULL;
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next) {
		xmlNode *r;

		if (is_elem(c, name))
			return c;
		if (c->type == XML_ELEMENT_NODE && (r = find_desc(c, name, depth + 1)))
			return r;
	}
	return NULL;
}

enum alpcscope_status
manifest_parse(struct alpcscope_schema_set *set, const char *xml, size_t size, const char *origin,
	       struct alpcscope_error *err)
{
	struct man_ctx m = {set, schema_set_arena(set), NULL, origin, err};
	enum alpcscope_status st = ALPCSCOPE_OK;
	xmlNode *root, *events;
	xmlDoc *doc;
	size_t providers = 0;

	if (size > INT32_MAX)
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "%s: manifest too large", origin);
	/*
	 * Refuse a DTD (xmlGetProp() would expand its entities on every call:
	 * a 138 KB manifest grew past 1 GB) and elements with hundreds of
	 * attributes (libxml2 2.9 checks duplicates quadratically) before
	 * libxml2 parses anything; real manifests have neither (xml_guard.h).
	 */
	struct xml_guard g;

	xml_guard_init(&g);
	if (!xml_guard_feed(&g, xml, size))
		return error_set(err, ALPCSCOPE_E_CORRUPT, g.at, "%s: at byte %" PRIu64 ": %s",
				 origin, g.at, g.why);
	doc = xmlReadMemory(xml, (int)size, origin, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *xe = xmlGetLastError();

		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "%s:%d: not well-formed XML: %s", origin, xe ? xe->line : 0,
				 xe && xe->message ? xe->message : "parse error");
	}
	root = xmlDocGetRootElement(doc);
	if (doc->intSubset || doc->extSubset) { /* the guard's backstop */
		st = man_error(&m, root, "document type declarations (DTD) are not accepted", NULL);
		goto out;
	}
	if (!root || !is_elem(root, "instrumentationManifest")) {
		st = man_error(&m, root, "root element is not instrumentationManifest", NULL);
		goto out;
	}
	m.strings = find_desc(find_desc(root, "localization", 0), "stringTable", 0);
	events = find_desc(root, "events", 0);
	for (xmlNode *pv = events ? events->children : NULL; pv && st == ALPCSCOPE_OK;
	     pv = pv->next)
		if (is_elem(pv, "provider")) {
			st = load_provider(&m, pv);
			providers++;
		}
	if (st == ALPCSCOPE_OK && providers == 0)
		st = man_error(&m, root, "no <provider> under instrumentation/events", NULL);
out:
	xmlFreeDoc(doc);
	return st;
}
