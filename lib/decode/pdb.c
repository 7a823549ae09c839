/* SPDX-License-Identifier: MIT */
/*
 * PDB streams used for symbolization (docs/symbols.md §PDB):
 *   stream 1  PDB info: Version, Signature, Age, GUID (+12), ...
 *   stream 3  DBI: 64-byte header, then the substreams module info,
 *             section contributions, section map, file info, type server
 *             map, EC, optional debug header (u16 stream numbers: [4] OMAP
 *             from source, [5] section headers, [10] original section
 *             headers)
 *   module symbol streams (one per module record): u32 signature 4, then
 *             CodeView records, u16 length + u16 kind, 4-aligned
 *   symbol record stream (DBI header +20): the S_PUB32 public symbols
 * Segment:offset addresses become RVAs through the section headers; when
 * the image was reordered after linking (OMAP), through the original
 * section headers and the OMAP-from-source table.
 */
#include "decode/pdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/msf.h"
#include "decode/msvc_undecorate.h"
#include "util/bytes.h"
#include "util/error.h"
#include "util/file_map.h"
#include "util/scrub.h"

enum {
	PDB_INFO_STREAM = 1,
	PDB_DBI_STREAM = 3,
	DBI_HEADER_SIZE = 64,
	MODULE_INFO_FIXED = 64,
	SECTION_HEADER_SIZE = 40,
	DBG_OMAP_FROM_SRC = 4,
	DBG_SECTION_HEADERS = 5,
	DBG_SECTION_HEADERS_ORIG = 10,
	CV_SIGNATURE_C13 = 4,
	S_PUB32 = 0x110E,
	S_LPROC32 = 0x110F,
	S_GPROC32 = 0x1110,
	S_LPROC32_ID = 0x1146,
	S_GPROC32_ID = 0x1147,
	S_LPROC32_DPC = 0x1155,
	S_LPROC32_DPC_ID = 0x1156,
	PUBSYM_FUNCTION = 2,
	/* Upper bound on sections: PE allows 96; a PDB naming more is damaged. */
	MAX_SECTIONS = 65535,
};

struct symbol {
	uint32_t rva;
	uint32_t size;    /* procedures: CodeSize; publics: 0 */
	uint32_t name;    /* offset into the name pool */
	uint32_t display; /* undecorated name (== name for procedures and plain names) */
	uint32_t section; /* 0-based section index, for the public fallback bound */
};

struct table {
	struct symbol *items;
	size_t count, cap;
};

struct section {
	uint32_t va, size;
};

struct pdb_file {
	struct file_map fm; /* when opened by path */
	struct msf msf;
	char *name;
	struct pdb_identity id;
	uint16_t sym_record_stream;
	struct section *sections; /* the section headers addresses are relative to */
	uint32_t nsections;
	struct section *final_sections; /* after OMAP; equals sections without OMAP */
	uint32_t nfinal_sections;
	uint32_t (*omap)[2]; /* OMAP from source: (original RVA, final RVA), sorted */
	uint32_t nomap;
	bool loaded;
	enum alpcscope_status load_status;
	struct alpcscope_error load_error;
	struct table procs, pubs;
	char *pool;
	size_t pool_len, pool_cap;
};

static enum alpcscope_status
nomem(struct alpcscope_error *err)
{
	return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
}

static bool
table_push(struct table *t, struct symbol s)
{
	if (t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct symbol *n = realloc(t->items, cap * sizeof(*n));

		if (!n)
			return false;
		t->items = n;
		t->cap = cap;
	}
	t->items[t->count++] = s;
	return true;
}

/*
 * Copy a record's name into the pool: up to its NUL or the record end, with
 * control characters replaced so no name can carry terminal escapes.
 */
static bool
pool_add(struct pdb_file *p, const uint8_t *s, size_t max, uint32_t *out)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	if (p->pool_len + n + 1 > UINT32_MAX)
		return false;
	if (p->pool_len + n + 1 > p->pool_cap) {
		size_t cap = p->pool_cap ? p->pool_cap * 2 : 4096;

		while (cap < p->pool_len + n + 1)
			cap *= 2;
		char *np = realloc(p->pool, cap);

		if (!np)
			return false;
		p->pool = np;
		p->pool_cap = cap;
	}
	*out = (uint32_t)p->pool_len;
	scrub_copy(p->pool + p->pool_len, s, n);
	p->pool_len += n;
	p->pool[p->pool_len++] = '\0';
	return true;
}

/* Read a whole stream; a missing one is "corrupt" in the words of @p what. */
static enum alpcscope_status
read_stream(struct pdb_file *p, uint32_t index, struct msf_stream *s, const char *what,
	    struct alpcscope_error *err)
{
	enum alpcscope_status st = msf_stream_read(&p->msf, index, s, err);

	if (st == ALPCSCOPE_E_CORRUPT && err && !strstr(err->message, what)) {
		char msg[sizeof(err->message)];

		snprintf(msg, sizeof(msg), "%.200s (%.40s)", err->message, what);
		memcpy(err->message, msg, sizeof(msg));
	}
	return st;
}

static enum alpcscope_status
read_sections(struct pdb_file *p, uint32_t stream, struct section **out, uint32_t *count,
	      struct alpcscope_error *err)
{
	struct msf_stream s;
	enum alpcscope_status st = read_stream(p, stream, &s, "section headers", err);

	if (st != ALPCSCOPE_OK)
		return st;
	uint32_t n = s.size / SECTION_HEADER_SIZE;

	if (n > MAX_SECTIONS)
		n = MAX_SECTIONS;
	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out) {
		msf_stream_release(&s);
		return nomem(err);
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *h = s.data + (size_t)i * SECTION_HEADER_SIZE;

		(*out)[i].size = le32_load(h + 8);
		(*out)[i].va = le32_load(h + 12);
	}
	*count = n;
	msf_stream_release(&s);
	return ALPCSCOPE_OK;
}

static enum alpcscope_status
read_omap(struct pdb_file *p, uint32_t stream, struct alpcscope_error *err)
{
	struct msf_stream s;
	enum alpcscope_status st = read_stream(p, stream, &s, "OMAP", err);

	if (st != ALPCSCOPE_OK)
		return st;
	uint32_t n = s.size / 8;

	p->omap = malloc((n ? n : 1) * sizeof(*p->omap));
	if (!p->omap) {
		msf_stream_release(&s);
		return nomem(err);
	}
	for (uint32_t i = 0; i < n; i++) {
		p->omap[i][0] = le32_load(s.data + 8 * (size_t)i);
		p->omap[i][1] = le32_load(s.data + 8 * (size_t)i + 4);
		if (i && p->omap[i][0] < p->omap[i - 1][0]) {
			uint64_t off = msf_file_offset(&p->msf, stream, 8 * i);

			msf_stream_release(&s);
			return error_set(err, ALPCSCOPE_E_CORRUPT, off,
					 "%s: OMAP entry %u is out of order", p->name, i);
		}
	}
	p->nomap = n;
	msf_stream_release(&s);
	return ALPCSCOPE_OK;
}

/* DBI header and optional debug header: the streams symbol lookup needs. */
static enum alpcscope_status
read_dbi(struct pdb_file *p, struct alpcscope_error *err)
{
	struct msf_stream s;
	enum alpcscope_status st = read_stream(p, PDB_DBI_STREAM, &s, "DBI stream", err);

	if (st != ALPCSCOPE_OK)
		return st;
	if (s.size < DBI_HEADER_SIZE) {
		msf_stream_release(&s);
		return error_set(err, ALPCSCOPE_E_CORRUPT, msf_file_offset(&p->msf, 3, 0),
				 "%s: DBI stream is %u bytes, shorter than its header", p->name,
				 s.size);
	}
	p->id.dbi_age = le32_load(s.data + 8);
	p->sym_record_stream = le16_load(s.data + 20);
	p->id.machine = le16_load(s.data + 58);
	uint64_t pos = DBI_HEADER_SIZE;
	uint32_t dbg_size = le32_load(s.data + 48);

	for (int i = 0; i < 6; i++) /* ModInfo .. EC substreams precede the debug header */
		pos += le32_load(s.data + 24 + 4 * i + (i == 5 ? 8 : 0));
	if (pos > s.size || dbg_size > s.size - pos) {
		msf_stream_release(&s);
		return error_set(err, ALPCSCOPE_E_CORRUPT, msf_file_offset(&p->msf, 3, 24),
				 "%s: DBI substream sizes overrun the %u-byte DBI stream", p->name,
				 s.size);
	}
	uint16_t dbg[11];

	for (uint32_t i = 0; i < 11; i++)
		dbg[i] = 2 * (i + 1) <= dbg_size ? le16_load(s.data + pos + 2 * i) : MSF_NO_STREAM;
	msf_stream_release(&s);
	bool omap = dbg[DBG_OMAP_FROM_SRC] != MSF_NO_STREAM &&
		    dbg[DBG_SECTION_HEADERS_ORIG] != MSF_NO_STREAM;

	if (dbg[DBG_SECTION_HEADERS] == MSF_NO_STREAM)
		return error_set(err, ALPCSCOPE_E_CORRUPT, msf_file_offset(&p->msf, 3, 0),
				 "%s: DBI names no section header stream", p->name);
	st = read_sections(p, dbg[DBG_SECTION_HEADERS], &p->final_sections, &p->nfinal_sections,
			   err);
	if (st != ALPCSCOPE_OK)
		return st;
	if (!omap) {
		p->sections = p->final_sections;
		p->nsections = p->nfinal_sections;
		return ALPCSCOPE_OK;
	}
	st = read_sections(p, dbg[DBG_SECTION_HEADERS_ORIG], &p->sections, &p->nsections, err);
	if (st != ALPCSCOPE_OK)
		return st;
	return read_omap(p, dbg[DBG_OMAP_FROM_SRC], err);
}

static enum alpcscope_status
pdb_init(struct pdb_file *p, const uint8_t *data, size_t size, struct alpcscope_error *err)
{
	enum alpcscope_status st = msf_open(&p->msf, data, size, p->name, err);
	struct msf_stream s;

	if (st != ALPCSCOPE_OK)
		return st;
	st = read_stream(p, PDB_INFO_STREAM, &s, "PDB info stream", err);
	if (st != ALPCSCOPE_OK)
		return st;
	if (s.size < 28) {
		msf_stream_release(&s);
		return error_set(err, ALPCSCOPE_E_CORRUPT, msf_file_offset(&p->msf, 1, 0),
				 "%s: PDB info stream is %u bytes, shorter than its header",
				 p->name, s.size);
	}
	p->id.age = le32_load(s.data + 8);
	p->id.guid.data1 = le32_load(s.data + 12);
	p->id.guid.data2 = le16_load(s.data + 16);
	p->id.guid.data3 = le16_load(s.data + 18);
	memcpy(p->id.guid.data4, s.data + 20, 8);
	msf_stream_release(&s);
	return read_dbi(p, err);
}

static enum alpcscope_status
pdb_new(struct pdb_file **out, const char *name, struct alpcscope_error *err)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return nomem(err);
	(*out)->name = strdup(name ? name : "(memory)");
	if (!(*out)->name) {
		free(*out);
		*out = NULL;
		return nomem(err);
	}
	return ALPCSCOPE_OK;
}

enum alpcscope_status
pdb_open_memory(struct pdb_file **out, const uint8_t *data, size_t size, const char *name,
		struct alpcscope_error *err)
{
	enum alpcscope_status st = pdb_new(out, name, err);

	if (st != ALPCSCOPE_OK)
		return st;
	st = pdb_init(*out, data, size, err);
	if (st != ALPCSCOPE_OK) {
		pdb_close(*out);
		*out = NULL;
	}
	return st;
}

enum alpcscope_status
pdb_open(struct pdb_file **out, const char *path, struct alpcscope_error *err)
{
	enum alpcscope_status st = pdb_new(out, path, err);

	if (st != ALPCSCOPE_OK)
		return st;
	st = file_map_open(&(*out)->fm, path, err);
	if (st == ALPCSCOPE_OK)
		st = pdb_init(*out, (*out)->fm.data, (*out)->fm.size, err);
	if (st != ALPCSCOPE_OK) {
		pdb_close(*out);
		*out = NULL;
	}
	return st;
}

const struct pdb_identity *
pdb_identity(const struct pdb_file *p)
{
	return &p->id;
}

/* Section @p seg (1-based) : @p offset as a final RVA; false when it names no section. */
static bool
to_rva(const struct pdb_file *p, uint16_t seg, uint32_t offset, uint32_t *rva, uint32_t *section)
{
	if (seg == 0 || seg > p->nsections)
		return false;
	uint64_t r = (uint64_t)p->sections[seg - 1].va + offset;

	if (r > UINT32_MAX)
		return false;
	if (p->omap) {
		/* The last entry at or below r maps it; target 0 means "removed". */
		size_t lo = 0, hi = p->nomap;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (p->omap[mid][0] <= r)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == 0 || p->omap[lo - 1][1] == 0)
			return false;
		r = (uint64_t)p->omap[lo - 1][1] + (r - p->omap[lo - 1][0]);
		if (r > UINT32_MAX)
			return false;
		*section = UINT32_MAX;
		for (uint32_t i = 0; i < p->nfinal_sections; i++)
			if (r >= p->final_sections[i].va &&
			    r - p->final_sections[i].va < p->final_sections[i].size)
				*section = i;
	} else {
		*section = seg - 1u;
	}
	*rva = (uint32_t)r;
	return true;
}

/*
 * Walk the CodeView records of @p data[begin, end) and add the procedures
 * (or, with @p publics, the function publics). @p stream locates errors.
 */
static enum alpcscope_status
scan_records(struct pdb_file *p, uint32_t stream, const uint8_t *data, uint32_t begin, uint32_t end,
	     bool publics, struct alpcscope_error *err)
{
	uint32_t pos = begin;

	while (end - pos >= 4) {
		uint32_t len = le16_load(data + pos);
		uint16_t kind = le16_load(data + pos + 2);

		if (len < 2 || len > end - pos - 2)
			return error_set(
			    err, ALPCSCOPE_E_CORRUPT, msf_file_offset(&p->msf, stream, pos),
			    "%s: stream %u: symbol record of %u bytes at stream offset "
			    "0x%x overruns its %u-byte substream",
			    p->name, stream, len, pos, end);
		const uint8_t *r = data + pos + 4;
		uint32_t body = len - 2;
		struct symbol sym = {0};
		uint16_t seg = 0;
		uint32_t offset = 0;
		const uint8_t *name = NULL;
		size_t name_max = 0;

		if (publics && kind == S_PUB32 && body >= 10) {
			if (le32_load(r) & PUBSYM_FUNCTION) {
				offset = le32_load(r + 4);
				seg = le16_load(r + 8);
				name = r + 10;
				name_max = body - 10;
			}
		} else if (!publics && body >= 35 &&
			   (kind == S_GPROC32 || kind == S_LPROC32 || kind == S_GPROC32_ID ||
			    kind == S_LPROC32_ID || kind == S_LPROC32_DPC ||
			    kind == S_LPROC32_DPC_ID)) {
			sym.size = le32_load(r + 12);
			offset = le32_load(r + 28);
			seg = le16_load(r + 32);
			name = r + 35;
			name_max = body - 35;
		}
		if (name && to_rva(p, seg, offset, &sym.rva, &sym.section)) {
			if (!pool_add(p, name, name_max, &sym.name))
				return nomem(err);
			sym.display = sym.name;
			if (!table_push(publics ? &p->pubs : &p->procs, sym))
				return nomem(err);
		}
		pos += 2 + len;
	}
	return ALPCSCOPE_OK;
}

/* The module information substream: each module's symbol stream. */
static enum alpcscope_status
scan_modules(struct pdb_file *p, struct alpcscope_error *err)
{
	struct msf_stream dbi;
	enum alpcscope_status st = read_stream(p, PDB_DBI_STREAM, &dbi, "DBI stream", err);

	if (st != ALPCSCOPE_OK)
		return st;
	uint32_t mod_size = le32_load(dbi.data + 24);
	uint64_t end = (uint64_t)DBI_HEADER_SIZE + mod_size;
	uint64_t pos = DBI_HEADER_SIZE;

	if (end > dbi.size)
		end = dbi.size;
	for (uint32_t index = 0; st == ALPCSCOPE_OK && pos + MODULE_INFO_FIXED <= end; index++) {
		const uint8_t *m = dbi.data + pos;
		uint16_t stream = le16_load(m + 34);
		uint32_t sym_bytes = le32_load(m + 36);
		uint64_t q = pos + MODULE_INFO_FIXED;

		/* Two NUL-terminated names (module, object file), then 4-byte alignment. */
		for (int names = 0; names < 2; names++) {
			while (q < end && dbi.data[q])
				q++;
			q++;
		}
		if (q > end) {
			st = error_set(err, ALPCSCOPE_E_CORRUPT,
				       msf_file_offset(&p->msf, PDB_DBI_STREAM, (uint32_t)pos),
				       "%s: DBI module record %u at stream offset 0x%llx has "
				       "unterminated names",
				       p->name, index, (unsigned long long)pos);
			break;
		}
		pos = (q + 3) & ~(uint64_t)3;
		if (stream == MSF_NO_STREAM || sym_bytes < 4)
			continue;
		struct msf_stream ms;

		st = read_stream(p, stream, &ms, "module symbols", err);
		if (st != ALPCSCOPE_OK)
			break;
		if (sym_bytes > ms.size || le32_load(ms.data) != CV_SIGNATURE_C13) {
			st =
			    error_set(err, ALPCSCOPE_E_CORRUPT, msf_file_offset(&p->msf, stream, 0),
				      "%s: module %u symbol stream %u: %s", p->name, index, stream,
				      sym_bytes > ms.size ? "symbol size exceeds the stream"
							  : "not CodeView C13 (signature != 4)");
		} else {
			st = scan_records(p, stream, ms.data, 4, sym_bytes, false, err);
		}
		msf_stream_release(&ms);
	}
	msf_stream_release(&dbi);
	return st;
}

static int
symbol_cmp(const void *a, const void *b)
{
	const struct symbol *x = a, *y = b;

	if (x->rva != y->rva)
		return x->rva < y->rva ? -1 : 1;
	/* Equal starts (folded functions): keep file order, the name pool order. */
	return x->name < y->name ? -1 : x->name > y->name;
}

static enum alpcscope_status
load(struct pdb_file *p, struct alpcscope_error *err)
{
	enum alpcscope_status st = scan_modules(p, err);

	if (st != ALPCSCOPE_OK)
		return st;
	if (p->sym_record_stream != MSF_NO_STREAM) {
		struct msf_stream s;

		st = read_stream(p, p->sym_record_stream, &s, "symbol records", err);
		if (st != ALPCSCOPE_OK)
			return st;
		st = scan_records(p, p->sym_record_stream, s.data, 0, s.size, true, err);
		msf_stream_release(&s);
		if (st != ALPCSCOPE_OK)
			return st;
	}
	/* Publics carry decorated names: undecorate each once, here. */
	char *in = NULL, *out = malloc(4096);

	for (size_t i = 0; out && i < p->pubs.count; i++) {
		struct symbol *sym = &p->pubs.items[i];
		size_t n = strlen(p->pool + sym->name);
		char *grown = realloc(in, n + 1);

		if (!grown)
			break;
		in = grown;
		memcpy(in, p->pool + sym->name, n + 1);
		if (msvc_undecorate(in, p->id.machine == 0x14c, out, 4096) &&
		    strcmp(in, out) != 0 &&
		    !pool_add(p, (const uint8_t *)out, strlen(out), &sym->display)) {
			free(in);
			free(out);
			return nomem(err);
		}
	}
	free(in);
	free(out);
	if (p->procs.count > 1) /* an empty table has no array (qsort wants one) */
		qsort(p->procs.items, p->procs.count, sizeof(struct symbol), symbol_cmp);
	if (p->pubs.count > 1)
		qsort(p->pubs.items, p->pubs.count, sizeof(struct symbol), symbol_cmp);
	return ALPCSCOPE_OK;
}

enum alpcscope_status
pdb_load_symbols(struct pdb_file *p, struct alpcscope_error *err)
{
	if (!p->loaded) {
		p->loaded = true;
		p->load_status = load(p, &p->load_error);
		/* The tables are all a lookup needs: release the file. */
		msf_close(&p->msf);
		file_map_close(&p->fm);
	}
	if (p->load_status != ALPCSCOPE_OK && err)
		*err = p->load_error;
	return p->load_status;
}

size_t
pdb_procedure_count(const struct pdb_file *p)
{
	return p->procs.count;
}

size_t
pdb_public_count(const struct pdb_file *p)
{
	return p->pubs.count;
}

/* Index of the last symbol starting at or below @p rva, or SIZE_MAX. */
static size_t
last_at_or_below(const struct table *t, uint32_t rva)
{
	size_t lo = 0, hi = t->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->items[mid].rva <= rva)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? SIZE_MAX : lo - 1;
}

static size_t
first_with_start(const struct table *t, size_t i)
{
	while (i > 0 && t->items[i - 1].rva == t->items[i].rva)
		i--;
	return i;
}

static void
fill(const struct pdb_file *p, const struct table *t, size_t i, uint32_t rva, bool proc,
     struct pdb_match *out)
{
	size_t first = first_with_start(t, i), last = i;

	while (last + 1 < t->count && t->items[last + 1].rva == t->items[i].rva)
		last++;
	out->name = p->pool + t->items[first].name;
	out->display = p->pool + t->items[first].display;
	out->start_rva = t->items[first].rva;
	out->offset = rva - t->items[first].rva;
	out->procedure = proc;
	out->shared_count = (uint32_t)(last - first);
}

bool
pdb_lookup(const struct pdb_file *p, uint32_t rva, unsigned flags, struct pdb_match *out)
{
	if (flags & PDB_USE_PROCEDURES) {
		size_t i = last_at_or_below(&p->procs, rva);

		/* Procedures do not overlap, but a zero-size one can hide a real one. */
		for (size_t n = 0; i != SIZE_MAX && n < 8; n++, i--) {
			const struct symbol *s = &p->procs.items[i];

			if (rva - s->rva < s->size) {
				fill(p, &p->procs, i, rva, true, out);
				return true;
			}
			if (i == 0)
				break;
		}
	}
	if (flags & PDB_USE_PUBLICS) {
		size_t i = last_at_or_below(&p->pubs, rva);

		if (i != SIZE_MAX) {
			const struct symbol *s = &p->pubs.items[i];
			uint32_t sec = s->section;

			/* Never name an address from a public of another section. */
			if (sec < p->nfinal_sections &&
			    rva - p->final_sections[sec].va >= p->final_sections[sec].size)
				return false;
			fill(p, &p->pubs, i, rva, false, out);
			return true;
		}
	}
	return false;
}

const char *
pdb_shared_name(const struct pdb_file *p, const struct pdb_match *m, uint32_t i)
{
	const struct table *t = m->procedure ? &p->procs : &p->pubs;
	size_t at = last_at_or_below(t, m->start_rva);

	if (at == SIZE_MAX || i > m->shared_count)
		return NULL;
	return p->pool + t->items[first_with_start(t, at) + i].name;
}

size_t
pdb_memory_size(const struct pdb_file *p)
{
	return sizeof(*p) + p->pool_cap + (p->procs.cap + p->pubs.cap) * sizeof(struct symbol) +
	       ((size_t)p->nsections + p->nfinal_sections) * sizeof(struct section) +
	       (size_t)p->nomap * sizeof(*p->omap);
}

void
pdb_close(struct pdb_file *p)
{
	if (!p)
		return;
	msf_close(&p->msf);
	file_map_close(&p->fm);
	if (p->sections != p->final_sections)
		free(p->sections);
	free(p->final_sections);
	free(p->omap);
	free(p->procs.items);
	free(p->pubs.items);
	free(p->pool);
	free(p->name);
	free(p);
}
