/* SPDX-License-Identifier: MIT */
/*
 * LZ77+Huffman compressor (MS-XCA §2.1). Each block: 256 bytes of 4-bit
 * code lengths, then a bit stream of little-endian u16 words filled most
 * significant bit first. The decoder keeps two words of look-ahead and reads
 * the next word as soon as fewer than 16 unread bits remain, and it reads the
 * match length bytes at the input position of that moment; so the writer
 * reserves each word's slot at the point the decoder will read it and puts
 * length bytes wherever the output pointer is.
 */
#include "xpress_huffman_compress.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SYMBOLS   512u
#define BLOCK     65536u
#define MIN_MATCH 3u
#define MAX_DIST  65535u
#define MAX_LEN   15u
/*
 * Longest match emitted. MS-XCA allows longer ones (u16 and u32 length
 * forms), but libfwnt 20181227, the differential oracle, rejects a match of
 * 65536 bytes (it keeps the length in 16 bits).
 */
#define MAX_MATCH   65535u
#define HASH_BITS   16
#define CHAIN_DEPTH 32u
#define NO_POS      UINT32_MAX

size_t
xpress_huffman_compress_bound(size_t in_len)
{
	/* A literal costs at most 15 bits, a match of >= 3 bytes at most 30
	 * bits plus 7 length bytes; per block a table and 3 look-ahead words. */
	return in_len * 2 + (in_len / BLOCK + 1) * (256 + 8) + 16;
}

static uint32_t
hash3(const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
	return (v * 2654435761u) >> (32 - HASH_BITS);
}

/* ---- Huffman code lengths ---- */

/* Plain Huffman lengths (no limit) for the symbols with freq > 0. */
static void
huffman_lengths(const uint32_t *freq, uint8_t *len, unsigned *maxlen)
{
	/* Nodes 0..SYMBOLS-1 are leaves, the rest internal. */
	uint64_t w[2 * SYMBOLS];
	int parent[2 * SYMBOLS];
	bool alive[2 * SYMBOLS];
	unsigned nodes = SYMBOLS, live = 0;

	for (unsigned s = 0; s < SYMBOLS; s++) {
		w[s] = freq[s];
		alive[s] = freq[s] > 0;
		parent[s] = -1;
		live += alive[s];
	}
	/* O(n^2) pairing is fine for 512 symbols in a test helper. */
	while (live > 1) {
		int a = -1, b = -1;
		for (unsigned i = 0; i < nodes; i++) {
			if (!alive[i])
				continue;
			if (a < 0 || w[i] < w[a]) {
				b = a;
				a = (int)i;
			} else if (b < 0 || w[i] < w[b]) {
				b = (int)i;
			}
		}
		w[nodes] = w[a] + w[b];
		alive[nodes] = true;
		parent[nodes] = -1;
		alive[a] = alive[b] = false;
		parent[a] = parent[b] = (int)nodes;
		nodes++;
		live--;
	}
	*maxlen = 0;
	for (unsigned s = 0; s < SYMBOLS; s++) {
		unsigned d = 0;
		if (freq[s])
			for (int p = parent[s]; p >= 0; p = parent[p])
				d++;
		len[s] = (uint8_t)d;
		if (d > *maxlen)
			*maxlen = d;
	}
}

void
xpress_huffman_lengths(const uint32_t freq_in[512], uint8_t len[512])
{
	uint32_t freq[SYMBOLS];
	unsigned used = 0, maxlen;

	memcpy(freq, freq_in, sizeof(freq));
	for (unsigned s = 0; s < SYMBOLS; s++)
		used += freq[s] > 0;
	/* A lone symbol would get a 0-bit code: give two symbols a code. */
	for (unsigned s = 0; used < 2; s++) {
		if (!freq[s]) {
			freq[s] = 1;
			used++;
		}
	}
	for (;;) {
		huffman_lengths(freq, len, &maxlen);
		if (maxlen <= MAX_LEN)
			return;
		/* Flatten the distribution until the tree is shallow enough. */
		for (unsigned s = 0; s < SYMBOLS; s++)
			if (freq[s])
				freq[s] = (freq[s] >> 1) | 1;
	}
}

/* ---- bit writer ---- */

struct bw {
	uint8_t *out;
	size_t cap, pos; /* next free output byte */
	size_t slot[4];  /* output offsets of reserved, not yet written words */
	unsigned nslots;
	uint32_t acc; /* pending bits, right-aligned */
	unsigned nacc;
	uint64_t total;    /* bits written in this block */
	uint64_t reserved; /* words reserved in this block */
	bool overflow;
};

static void
bw_reserve(struct bw *w)
{
	if (w->cap - w->pos < 2 || w->nslots == 4) {
		w->overflow = true;
		return;
	}
	w->slot[w->nslots++] = w->pos;
	w->pos += 2;
	w->reserved++;
}

static void
bw_put_word(struct bw *w, uint32_t word)
{
	if (w->nslots == 0) {
		w->overflow = true;
		return;
	}
	w->out[w->slot[0]] = (uint8_t)word;
	w->out[w->slot[0] + 1] = (uint8_t)(word >> 8);
	memmove(w->slot, w->slot + 1, --w->nslots * sizeof(w->slot[0]));
}

static void
bw_bits(struct bw *w, uint32_t value, unsigned n)
{
	if (n == 0)
		return;
	w->acc = (w->acc << n) | (value & ((1u << n) - 1));
	w->nacc += n;
	w->total += n;
	if (w->nacc >= 16) {
		w->nacc -= 16;
		bw_put_word(w, (w->acc >> w->nacc) & 0xFFFF);
	}
	/* The decoder reads word k once more than 16 * (k - 1) bits are used. */
	while (!w->overflow && w->total > 16 * (w->reserved - 1))
		bw_reserve(w);
}

static void
bw_byte(struct bw *w, uint8_t b)
{
	if (w->pos >= w->cap) {
		w->overflow = true;
		return;
	}
	w->out[w->pos++] = b;
}

static void
bw_block_start(struct bw *w)
{
	w->nslots = 0;
	w->acc = 0;
	w->nacc = 0;
	w->total = 0;
	w->reserved = 0;
	bw_reserve(w);
	bw_reserve(w);
}

static void
bw_block_end(struct bw *w)
{
	if (w->nacc)
		bw_put_word(w, (w->acc << (16 - w->nacc)) & 0xFFFF);
	while (!w->overflow && w->nslots)
		bw_put_word(w, 0);
}

/* ---- LZ77 parse and blocks ---- */

struct token {
	uint32_t len; /* 0 = literal */
	uint32_t val; /* literal byte or distance */
};

static unsigned
bit_width(uint32_t v) /* floor(log2(v)) for v >= 1 */
{
	unsigned b = 0;
	while (v >>= 1)
		b++;
	return b;
}

static unsigned
token_symbol(const struct token *t)
{
	if (!t->len)
		return t->val;
	uint32_t l = t->len - MIN_MATCH;
	return 256 + bit_width(t->val) * 16 + (l < 15 ? l : 15);
}

static void
write_token(struct bw *w, const struct token *t, const uint16_t *code, const uint8_t *len)
{
	unsigned sym = token_symbol(t);

	bw_bits(w, code[sym], len[sym]);
	if (!t->len)
		return;
	uint32_t l = t->len - MIN_MATCH;
	if (l >= 15) {
		if (l - 15 < 255) {
			bw_byte(w, (uint8_t)(l - 15));
		} else {
			bw_byte(w, 255);
			if (l <= 0xFFFF) {
				bw_byte(w, (uint8_t)l);
				bw_byte(w, (uint8_t)(l >> 8));
			} else {
				bw_byte(w, 0);
				bw_byte(w, 0);
				for (int i = 0; i < 4; i++)
					bw_byte(w, (uint8_t)(l >> (8 * i)));
			}
		}
	}
	unsigned db = bit_width(t->val);
	bw_bits(w, t->val - (1u << db), db);
}

/* Encode tokens[0, n) as one block; @last adds the end-of-stream symbol. */
static void
write_block(struct bw *w, const struct token *tokens, size_t n, bool last)
{
	uint32_t freq[SYMBOLS] = {0};
	uint8_t len[SYMBOLS];
	uint16_t code[SYMBOLS];

	for (size_t i = 0; i < n; i++)
		freq[token_symbol(&tokens[i])]++;
	if (last)
		freq[256]++;
	xpress_huffman_lengths(freq, len);

	/* Canonical codes: by length, then by symbol. */
	unsigned next = 0;
	for (unsigned l = 1; l <= MAX_LEN; l++) {
		for (unsigned s = 0; s < SYMBOLS; s++)
			if (len[s] == l)
				code[s] = (uint16_t)next++;
		next <<= 1;
	}
	if (w->cap - w->pos < 256) {
		w->overflow = true;
		return;
	}
	for (unsigned i = 0; i < 256; i++)
		w->out[w->pos + i] = (uint8_t)(len[2 * i] | len[2 * i + 1] << 4);
	w->pos += 256;
	bw_block_start(w);
	for (size_t i = 0; i < n; i++)
		write_token(w, &tokens[i], code, len);
	if (last)
		bw_bits(w, code[256], len[256]);
	bw_block_end(w);
}

size_t
xpress_huffman_compress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap)
{
	struct bw w = {.out = out, .cap = out_cap};
	uint32_t *head = malloc(sizeof(uint32_t) << HASH_BITS);
	uint32_t *prev = malloc(sizeof(uint32_t) * (in_len ? in_len : 1));
	struct token *tokens = malloc(sizeof(struct token) * BLOCK);
	size_t pos = 0;

	if (!head || !prev || !tokens || out_cap < xpress_huffman_compress_bound(in_len)) {
		free(head);
		free(prev);
		free(tokens);
		return 0;
	}
	for (size_t i = 0; i < (1u << HASH_BITS); i++)
		head[i] = NO_POS;
	do {
		size_t block_end = in_len - pos < BLOCK ? in_len : pos + BLOCK;
		size_t n = 0;
		while (pos < block_end) {
			size_t best_len = 0, best_dist = 0;
			size_t max_len = block_end - pos < MAX_MATCH ? block_end - pos : MAX_MATCH;
			if (max_len >= MIN_MATCH) {
				uint32_t cand = head[hash3(in + pos)];
				for (unsigned d = 0; d < CHAIN_DEPTH && cand != NO_POS; d++) {
					size_t dist = pos - cand;
					if (dist > MAX_DIST)
						break;
					size_t l = 0;
					while (l < max_len && in[cand + l] == in[pos + l])
						l++;
					if (l > best_len) {
						best_len = l;
						best_dist = dist;
						if (l == max_len)
							break;
					}
					cand = prev[cand];
				}
			}
			size_t step = 1;
			if (best_len >= MIN_MATCH) {
				tokens[n++] =
				    (struct token){(uint32_t)best_len, (uint32_t)best_dist};
				step = best_len;
			} else {
				tokens[n++] = (struct token){0, in[pos]};
			}
			for (size_t i = 0; i < step; i++, pos++) {
				if (in_len - pos >= MIN_MATCH) {
					uint32_t h = hash3(in + pos);
					prev[pos] = head[h];
					head[h] = (uint32_t)pos;
				}
			}
		}
		write_block(&w, tokens, n, pos == in_len);
	} while (pos < in_len && !w.overflow);
	free(head);
	free(prev);
	free(tokens);
	return w.overflow ? 0 : w.pos;
}
