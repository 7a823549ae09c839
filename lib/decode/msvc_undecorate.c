/* SPDX-License-Identifier: MIT */
/*
 * The name part of MSVC C++ decoration (docs/symbols.md §Undecoration):
 *   ?NAME QUALIFIER* @ TYPE-INFO
 * NAME is an identifier ending in '@', a back reference '0'-'9' to one of
 * the first ten names seen, "?$" a template instantiation (identifier '@',
 * arguments, '@'; its arguments have their own back-reference table), or
 * after a leading '?' an operator / special member code ("?0" constructor,
 * "?1" destructor, "?_G" scalar deleting destructor, ...). QUALIFIERs are
 * names too, innermost first, plus "?A0x...@" anonymous namespaces. The
 * type information after the name is not printed.
 */
#include "decode/msvc_undecorate.h"

#include <stdio.h>
#include <string.h>

enum { SCRATCH = 16384, MAX_DEPTH = 24, MAX_BACKREFS = 10 };

struct und {
	const char *p;
	char scratch[SCRATCH];
	size_t used;
	bool fail;
	const char *names[MAX_BACKREFS];
	int nnames;
	int depth;
};

/* Concatenate up to four strings into the scratch area. */
static const char *
cat(struct und *u, const char *a, const char *b, const char *c, const char *d)
{
	const char *parts[4] = {a, b, c, d};
	size_t start = u->used;

	if (u->fail)
		return "";
	for (int i = 0; i < 4; i++) {
		size_t n = parts[i] ? strlen(parts[i]) : 0;

		if (n >= SCRATCH - u->used) {
			u->fail = true;
			return "";
		}
		memcpy(u->scratch + u->used, parts[i] ? parts[i] : "", n);
		u->used += n;
	}
	if (u->used >= SCRATCH) {
		u->fail = true;
		return "";
	}
	u->scratch[u->used++] = '\0';
	return u->scratch + start;
}

static void
memorize(struct und *u, const char *name)
{
	for (int i = 0; i < u->nnames; i++)
		if (strcmp(u->names[i], name) == 0)
			return;
	if (u->nnames < MAX_BACKREFS)
		u->names[u->nnames++] = name;
}

/* An identifier up to '@' (consumed). */
static const char *
identifier(struct und *u)
{
	const char *start = u->p;

	while (*u->p && *u->p != '@') {
		unsigned char c = (unsigned char)*u->p;

		if (c < 0x21 || c > 0x7e) {
			u->fail = true;
			return "";
		}
		u->p++;
	}
	if (*u->p != '@' || u->p == start || (size_t)(u->p - start) >= SCRATCH - u->used) {
		u->fail = true;
		return "";
	}
	memcpy(u->scratch + u->used, start, (size_t)(u->p - start));
	const char *s = u->scratch + u->used;

	u->used += (size_t)(u->p - start);
	u->scratch[u->used++] = '\0';
	u->p++;
	return s;
}

static const char *type(struct und *u);
static const char *qualified_name(struct und *u);

/* Encoded number: '0'-'9' = 1..10, else hex digits 'A'-'P' ended by '@'; '?' negates. */
static const char *
number(struct und *u)
{
	bool neg = *u->p == '?';
	unsigned long long v = 0;
	char buf[32];

	if (neg)
		u->p++;
	if (*u->p >= '0' && *u->p <= '9') {
		v = (unsigned long long)(*u->p++ - '0') + 1;
	} else {
		int digits = 0;

		while (*u->p >= 'A' && *u->p <= 'P' && digits < 16) {
			v = v << 4 | (unsigned long long)(*u->p++ - 'A');
			digits++;
		}
		if (*u->p != '@') {
			u->fail = true;
			return "";
		}
		u->p++;
	}
	snprintf(buf, sizeof(buf), "%s%llu", neg ? "-" : "", v);
	return cat(u, buf, NULL, NULL, NULL);
}

/* "?$" already consumed: NAME@ ARGS @ -> "NAME<ARGS>". */
static const char *
template_name(struct und *u)
{
	const char *outer[MAX_BACKREFS];
	int nouter = u->nnames;

	if (++u->depth > MAX_DEPTH) {
		u->fail = true;
		return "";
	}
	memcpy(outer, u->names, sizeof(outer));
	u->nnames = 0;
	const char *name = identifier(u);
	const char *args = "";

	memorize(u, name);
	for (bool first = true; !u->fail && *u->p != '@'; first = false) {
		if (!*u->p) {
			u->fail = true;
			break;
		}
		const char *a = type(u);

		args = cat(u, args, first ? "" : ",", a, NULL);
	}
	u->p += *u->p == '@';
	memcpy(u->names, outer, sizeof(outer));
	u->nnames = nouter;
	u->depth--;
	size_t n = strlen(args);

	return cat(u, name, "<", args, n && args[n - 1] == '>' ? " >" : ">");
}

/* One component of a qualified name. */
static const char *
component(struct und *u)
{
	if (*u->p >= '0' && *u->p <= '9') {
		int i = *u->p++ - '0';

		if (i >= u->nnames) {
			u->fail = true;
			return "";
		}
		return u->names[i];
	}
	if (u->p[0] == '?' && u->p[1] == '$') {
		u->p += 2;
		const char *t = template_name(u);

		memorize(u, t);
		return t;
	}
	if (u->p[0] == '?' && u->p[1] == 'A') {
		u->p += 2;
		(void)identifier(u); /* "0x" + hash */
		return "`anonymous namespace'";
	}
	if (u->p[0] == '?') { /* nested scopes ("?1??f@@..."): not handled */
		u->fail = true;
		return "";
	}
	const char *id = identifier(u);

	memorize(u, id);
	return id;
}

/* Components up to the terminating '@', innermost first -> "outer::inner". */
static const char *
qualifiers(struct und *u, const char *inner)
{
	const char *out = inner;

	while (!u->fail && *u->p && *u->p != '@') {
		const char *c = component(u);

		out = out && *out ? cat(u, c, "::", out, NULL) : c;
	}
	if (*u->p != '@')
		u->fail = true;
	else
		u->p++;
	return out;
}

static const char *
qualified_name(struct und *u)
{
	const char *first = component(u);

	return qualifiers(u, first);
}

static const char *
primitive(char c)
{
	switch (c) {
	case 'C': return "signed char";
	case 'D': return "char";
	case 'E': return "unsigned char";
	case 'F': return "short";
	case 'G': return "unsigned short";
	case 'H': return "int";
	case 'I': return "unsigned int";
	case 'J': return "long";
	case 'K': return "unsigned long";
	case 'M': return "float";
	case 'N': return "double";
	case 'O': return "long double";
	case 'X': return "void";
	case 'Z': return "...";
	default: return NULL;
	}
}

static const char *
primitive_ext(char c)
{
	switch (c) {
	case 'J': return "__int64";
	case 'K': return "unsigned __int64";
	case 'N': return "bool";
	case 'W': return "wchar_t";
	case 'S': return "char16_t";
	case 'U': return "char32_t";
	case 'Q': return "char8_t";
	default: return NULL;
	}
}

static const char *
cv_suffix(char c)
{
	switch (c) {
	case 'A': return "";
	case 'B': return " const";
	case 'C': return " volatile";
	case 'D': return " const volatile";
	default: return NULL;
	}
}

/* Pointer or reference: MODIFIERS* CV TYPE -> "TYPE CV *". */
static const char *
indirection(struct und *u, const char *op)
{
	while (*u->p == 'E' || *u->p == 'F' || *u->p == 'I')
		u->p++;
	const char *cv = cv_suffix(*u->p);

	if (!cv || u->p[1] == '6' || u->p[1] == '8') { /* function / member pointers */
		u->fail = true;
		return "";
	}
	u->p++;
	const char *t = type(u);

	return cat(u, t, cv, " ", op);
}

static const char *
type(struct und *u)
{
	char c = *u->p;
	const char *s;

	if (u->fail || !c) {
		u->fail = true;
		return "";
	}
	if (++u->depth > MAX_DEPTH) {
		u->fail = true;
		return "";
	}
	u->p++;
	if ((s = primitive(c)) != NULL) {
	} else if (c == '_' && (s = primitive_ext(*u->p)) != NULL) {
		u->p++;
	} else if (c == 'T' || c == 'U' || c == 'V') {
		s = qualified_name(u);
	} else if (c == 'W' && *u->p == '4') {
		u->p++;
		s = qualified_name(u);
	} else if (c == 'P') {
		s = indirection(u, "*");
	} else if (c == 'Q') {
		s = indirection(u, "*const");
	} else if (c == 'A') {
		s = indirection(u, "&");
	} else if (c == '$' && u->p[0] == '$' && u->p[1] == 'Q') {
		u->p += 2;
		s = indirection(u, "&&");
	} else if (c == '$' && u->p[0] == '0') {
		u->p++;
		s = number(u);
	} else if (c == '$' && u->p[0] == '$' && u->p[1] == 'T') {
		u->p += 2;
		s = "std::nullptr_t";
	} else {
		u->fail = true;
		s = "";
	}
	u->depth--;
	return s;
}

struct special {
	const char *code;
	const char *name; /* NULL: constructor / destructor */
};

static const struct special specials[] = {
    {"0", NULL},
    {"1", NULL},
    {"2", "operator new"},
    {"3", "operator delete"},
    {"4", "operator="},
    {"5", "operator>>"},
    {"6", "operator<<"},
    {"7", "operator!"},
    {"8", "operator=="},
    {"9", "operator!="},
    {"A", "operator[]"},
    {"C", "operator->"},
    {"D", "operator*"},
    {"E", "operator++"},
    {"F", "operator--"},
    {"G", "operator-"},
    {"H", "operator+"},
    {"I", "operator&"},
    {"J", "operator->*"},
    {"K", "operator/"},
    {"L", "operator%"},
    {"M", "operator<"},
    {"N", "operator<="},
    {"O", "operator>"},
    {"P", "operator>="},
    {"Q", "operator,"},
    {"R", "operator()"},
    {"S", "operator~"},
    {"T", "operator^"},
    {"U", "operator|"},
    {"V", "operator&&"},
    {"W", "operator||"},
    {"X", "operator*="},
    {"Y", "operator+="},
    {"Z", "operator-="},
    {"_0", "operator/="},
    {"_1", "operator%="},
    {"_2", "operator>>="},
    {"_3", "operator<<="},
    {"_4", "operator&="},
    {"_5", "operator|="},
    {"_6", "operator^="},
    {"_7", "`vftable'"},
    {"_8", "`vbtable'"},
    {"_9", "`vcall'"},
    {"_D", "`vbase destructor'"},
    {"_E", "`vector deleting destructor'"},
    {"_F", "`default constructor closure'"},
    {"_G", "`scalar deleting destructor'"},
    {"_U", "operator new[]"},
    {"_V", "operator delete[]"},
};

/* Strip a template's arguments: "basic_string<...>" names its structors. */
static const char *
class_of(struct und *u, const char *scope)
{
	const char *last = scope;

	for (const char *q = scope; (q = strstr(q, "::")) != NULL; q += 2) {
		/* Only "::" outside template brackets separates components. */
		int depth = 0;

		for (const char *r = scope; r < q; r++)
			depth += *r == '<' ? 1 : *r == '>' ? -1 : 0;
		if (depth == 0)
			last = q + 2;
	}
	return cat(u, last, NULL, NULL, NULL);
}

static bool
cxx_name(struct und *u)
{
	const char *result;

	u->p++; /* '?' */
	if (u->p[0] == '?' && u->p[1] != '$') {
		const struct special *sp = NULL;

		u->p++;
		for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
			size_t n = strlen(specials[i].code);

			if (strncmp(u->p, specials[i].code, n) == 0 && (n == 2 || u->p[0] != '_')) {
				sp = &specials[i];
				break;
			}
		}
		if (!sp)
			return false;
		u->p += strlen(sp->code);
		const char *scope = qualifiers(u, NULL);

		if (u->fail)
			return false;
		if (sp->name) {
			result = scope && *scope ? cat(u, scope, "::", sp->name, NULL) : sp->name;
		} else {
			if (!scope || !*scope)
				return false;
			const char *cls = class_of(u, scope);

			result = cat(u, scope, "::", sp->code[0] == '1' ? "~" : "", cls);
		}
	} else {
		result = qualified_name(u);
	}
	if (u->fail)
		return false;
	memmove(u->scratch, result, strlen(result) + 1);
	return true;
}

/* 32-bit C names: "_f" cdecl, "_f@8" stdcall, "@f@8" fastcall. */
static bool
x86_c_name(const char *name, char *out, size_t size)
{
	size_t n = strlen(name);
	const char *at = strrchr(name, '@');

	if (name[0] != '_' && name[0] != '@')
		return false;
	if (at && at != name && at[1]) {
		bool digits = true;

		for (const char *q = at + 1; *q; q++)
			digits = digits && *q >= '0' && *q <= '9';
		if (digits)
			n = (size_t)(at - name);
	} else if (name[0] == '@') {
		return false;
	}
	if (n - 1 >= size)
		return false;
	memcpy(out, name + 1, n - 1);
	out[n - 1] = '\0';
	return true;
}

bool
msvc_undecorate(const char *name, bool x86, char *out, size_t size)
{
	static _Thread_local struct und u;

	if (!size)
		return false;
	out[0] = '\0';
	if (name[0] != '?') {
		if (x86 && x86_c_name(name, out, size))
			return true;
		if (strlen(name) >= size)
			return false;
		strcpy(out, name);
		return true;
	}
	if (name[1] == '?' && name[2] == '_' && (name[3] == 'C' || name[3] == 'R'))
		return false; /* string literals, RTTI descriptors: data */
	u.used = 0;
	u.fail = false;
	u.nnames = 0;
	u.depth = 0;
	u.p = name;
	if (!cxx_name(&u))
		return false;
	size_t n = strlen(u.scratch);

	if (n >= size)
		return false;
	memcpy(out, u.scratch, n + 1);
	return true;
}
