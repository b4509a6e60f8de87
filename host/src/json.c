/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "err.h"
#include "json.h"
#include "wipe.h"

int
uk_utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
#ifdef __SSE2__
		/* Fast path: sixteen ASCII bytes at a time. */
		if (len - i >= 16 && _mm_movemask_epi8(_mm_loadu_si128(
		    (const __m128i *)(const void *)(u + i))) == 0) {
			i += 16;
			continue;
		}
#endif
		/* Fast path: eight ASCII bytes at a time. */
		if (len - i >= 8) {
			uint64_t w;

			memcpy(&w, u + i, sizeof(w));
			if ((w & 0x8080808080808080ULL) == 0) {
				i += 8;
				continue;
			}
		}
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if (u[i] >= 0xc2 && u[i] <= 0xdf) {
			n = 1;
			cp = u[i] & 0x1f;
		} else if ((u[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = u[i] & 0x0f;
		} else if (u[i] >= 0xf0 && u[i] <= 0xf4) {
			n = 3;
			cp = u[i] & 0x07;
		} else
			return -1;
		if (len - i - 1 < n)
			return -1;
		for (k = 1; k <= n; k++) {
			if ((u[i + k] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (u[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		i += n + 1;
	}
	return 0;
}

/*
 * Characters the structure scan stops at outside strings; everything else
 * is skipped.  Control characters stop it too: JSON allows only space,
 * tab, CR and LF between tokens, while cJSON skips every byte up to 0x20.
 */
#define CONTROLS_BUT_SPACE \
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, \
	[0x05] = 1, [0x06] = 1, [0x07] = 1, [0x08] = 1, [0x0b] = 1, \
	[0x0c] = 1, [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, \
	[0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, \
	[0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, \
	[0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1
static const unsigned char scan_stop[256] = {
	['"'] = 1, ['\\'] = 1, ['{'] = 1, ['}'] = 1, ['['] = 1, [']'] = 1,
	CONTROLS_BUT_SPACE,
};

/* Inside a string: the quote, the escape, and every control character
 * (JSON wants them escaped; cJSON would take them raw). */
static const unsigned char string_scan_stop[256] = {
	['"'] = 1, ['\\'] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
	CONTROLS_BUT_SPACE,
};

/* Broadcasts byte b to the eight bytes of a word. */
#define BYTES8(b)	(0x0101010101010101ULL * (b))

/* Nonzero when one of the eight bytes of w is zero. */
static inline uint64_t
has_zero_byte(uint64_t w)
{
	return (w - BYTES8(0x01)) & ~w & BYTES8(0x80);
}

/*
 * Inside a string only '"', '\\' and control characters matter: skips
 * sixteen or eight bytes at a time up to the block that holds one of them
 * (the byte loop finds which).
 */
static size_t
string_stop(const unsigned char *u, size_t len, size_t i)
{
	uint64_t w;

#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bsl = _mm_set1_epi8('\\'),
	    ctl = _mm_set1_epi8(0x1f);
	__m128i v;

	/* i may be past the end: an escape can be the last byte. */
	while (i < len && len - i >= 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(u + i));
		/* Unsigned v <= 0x1f: min(v, 0x1f) == v. */
		if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bsl)),
		    _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v))) != 0)
			break;
		i += 16;
	}
#endif
	while (i < len && len - i >= 8) {
		memcpy(&w, u + i, sizeof(w));
		/* (w - 0x20..) & ~w: a byte below 0x20 (exact for "any"). */
		if (has_zero_byte(w ^ BYTES8('"')) ||
		    has_zero_byte(w ^ BYTES8('\\')) ||
		    ((w - BYTES8(0x20)) & ~w & BYTES8(0x80)) != 0)
			break;
		i += 8;
	}
	return i;
}

int
uk_json_plain(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	uint64_t w, bad = 0;
	size_t i = 0;

#ifdef __SSE2__
	/* Signed compare: bytes of 0x80 and up are negative, so below 0x20. */
	const __m128i lo = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f),
	    quote = _mm_set1_epi8('"'), bsl = _mm_set1_epi8('\\');
	__m128i acc = _mm_setzero_si128(), v;

	for (; len - i >= 16; i += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(u + i));
		acc = _mm_or_si128(acc, _mm_or_si128(
		    _mm_or_si128(_mm_cmplt_epi8(v, lo), _mm_cmpeq_epi8(v, del)),
		    _mm_or_si128(_mm_cmpeq_epi8(v, quote),
		    _mm_cmpeq_epi8(v, bsl))));
	}
	if (_mm_movemask_epi8(acc) != 0)
		return 0;
#endif

	for (; len - i >= 8; i += 8) {
		memcpy(&w, u + i, sizeof(w));
		/* High bit, below 0x20 (valid once no high bit), 0x7f. */
		bad |= (w | ((w - BYTES8(0x20)) & ~w) |
		    has_zero_byte(w ^ BYTES8(0x7f)) |
		    has_zero_byte(w ^ BYTES8('"')) |
		    has_zero_byte(w ^ BYTES8('\\'))) & BYTES8(0x80);
	}
	for (; i < len; i++)
		bad |= u[i] < 0x20 || u[i] > 0x7e || u[i] == '"' ||
		    u[i] == '\\';
	return bad == 0;
}

/* A long string value left where it is in the text (uk_json_parse_inplace). */
struct lifted {
	size_t ordinal;		/* among the string values, in text order */
	size_t start, len;	/* its characters, quotes excluded */
};

struct lift_list {
	struct lifted s[UK_JSON_LIFT_MAX];
	size_t n;
};

/* 1 when the string that closed at s[i] is an object key. */
static int
is_key(const unsigned char *u, size_t len, size_t i)
{
	for (i++; i < len; i++)
		if (u[i] != ' ' && u[i] != '\t' && u[i] != '\r' && u[i] != '\n')
			return u[i] == ':';
	return 0;
}

/*
 * One pass over the raw text: nesting depth outside strings, "\u0000"
 * (cJSON would cut the string there), and control characters, which
 * cJSON accepts raw in strings and as whitespace.  The table lookup
 * skips the long runs of ordinary characters quickly; s need not be
 * NUL-terminated.
 * With lift != NULL, also notes the long string values that have no escape
 * (their text is their value, so they need no copy).
 */
static int
scan_structure(const char *s, size_t len, int max_depth,
    struct lift_list *lift)
{
	const unsigned char *u = (const unsigned char *)s;
	int depth = 0, in_str = 0, escaped = 0;
	size_t i = 0, start = 0, values = 0;

	for (;;) {
		if (in_str) {
			i = string_stop(u, len, i);
			while (i < len && !string_scan_stop[u[i]])
				i++;
		} else
			while (i < len && !scan_stop[u[i]])
				i++;
		if (i >= len)
			break;
		if (u[i] < 0x20)	/* raw in a string, or between tokens */
			return UK_ERR_NOT_JSON;
		if (in_str) {
			if (u[i] == '\\') {
				if (len - i > 5 && u[i + 1] == 'u' &&
				    memcmp(s + i + 2, "0000", 4) == 0)
					return UK_ERR_BAD_REQUEST;
				escaped = 1;
				i += 2;
				continue;
			}
			if (u[i] == '"') {
				in_str = 0;
				if (lift != NULL && !is_key(u, len, i)) {
					if (!escaped &&
					    i - start >= UK_JSON_LIFT_MIN &&
					    lift->n < UK_JSON_LIFT_MAX) {
						struct lifted *l =
						    &lift->s[lift->n++];

						l->ordinal = values;
						l->start = start;
						l->len = i - start;
					}
					values++;
				}
			}
		} else if (u[i] == '"') {
			in_str = 1;
			escaped = 0;
			start = i + 1;
		} else if (u[i] == '{' || u[i] == '[') {
			if (++depth > max_depth)
				return UK_ERR_TOO_DEEP;
		} else if (u[i] == '}' || u[i] == ']')
			depth--;
		i++;
	}
	return 0;
}

/* Parses exactly s[0..len) with cJSON: only whitespace may follow. */
static int
parse_exact(const char *s, size_t len, cJSON **rootp)
{
	const char *end = NULL;
	cJSON *root;

	*rootp = NULL;
	root = cJSON_ParseWithLengthOpts(s, len, &end, 0);
	if (root == NULL)
		return UK_ERR_NOT_JSON;
	while (end != NULL && (size_t)(end - s) < len &&
	    (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
		end++;
	if (end == NULL || (size_t)(end - s) != len) {
		cJSON_Delete(root);
		return UK_ERR_NOT_JSON;
	}
	*rootp = root;
	return 0;
}

/* The checks every text passes before cJSON sees it. */
static int
precheck(const char *s, size_t len, struct lift_list *lift)
{
	if (uk_utf8_valid(s, len) != 0)
		return UK_ERR_NOT_UTF8;
	if (memchr(s, '\0', len) != NULL)
		return UK_ERR_NOT_JSON;
	return scan_structure(s, len, UK_JSON_MAX_DEPTH, lift);
}

int
uk_json_parse(const char *s, size_t len, cJSON **rootp)
{
	int r;

	*rootp = NULL;
	if ((r = precheck(s, len, NULL)) != 0)
		return r;
	return parse_exact(s, len, rootp);
}

/*
 * Points the string values of the tree that were lifted out of the
 * skeleton back at their text in s.  Walks in text order (cJSON keeps
 * members and elements in order), counting string values as the scan did.
 */
static int
relink(cJSON *node, char *s, const struct lift_list *lift, size_t *ordinal,
    size_t *next)
{
	cJSON *c;

	for (; node != NULL && *next < lift->n; node = node->next) {
		if (cJSON_IsString(node)) {
			const struct lifted *l = &lift->s[*next];

			if ((*ordinal)++ != l->ordinal)
				continue;
			if (node->valuestring == NULL ||
			    node->valuestring[0] != '\0')
				return UK_ERR_NOT_JSON;	/* cannot happen */
			cJSON_free(node->valuestring);
			s[l->start + l->len] = '\0';	/* the closing quote */
			node->valuestring = s + l->start;
			node->type |= cJSON_IsReference;
			(*next)++;
		} else if ((c = node->child) != NULL) {
			int r = relink(c, s, lift, ordinal, next);

			if (r != 0)
				return r;
		}
	}
	return 0;
}

int
uk_json_parse_inplace(char *s, size_t len, cJSON **rootp)
{
	struct lift_list lift;
	char *skel;
	size_t i, o, from, ordinal = 0, next = 0;
	int r;

	*rootp = NULL;
	lift.n = 0;
	if ((r = precheck(s, len, &lift)) != 0)
		return r;
	if (lift.n == 0)
		return parse_exact(s, len, rootp);
	/* The skeleton: the text with the long values emptied. */
	for (o = len, i = 0; i < lift.n; i++)
		o -= lift.s[i].len;
	if ((skel = malloc(o + 1)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	for (o = 0, from = 0, i = 0; i < lift.n; i++) {
		memcpy(skel + o, s + from, lift.s[i].start - from);
		o += lift.s[i].start - from;
		from = lift.s[i].start + lift.s[i].len;
	}
	memcpy(skel + o, s + from, len - from);
	o += len - from;
	skel[o] = '\0';
	r = parse_exact(skel, o, rootp);
	uk_freezero(skel, o + 1);	/* may hold a PIN */
	if (r != 0)
		return r;
	if ((r = relink(*rootp, s, &lift, &ordinal, &next)) != 0 ||
	    next != lift.n) {
		cJSON_Delete(*rootp);
		*rootp = NULL;
		return r != 0 ? r : UK_ERR_NOT_JSON;
	}
	return 0;
}

static int
fail(char *why, size_t whylen, const char *key, const char *what)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "'%.48s': %s", key, what);
	return UK_ERR_INVALID_PARAM;
}

int
uk_json_only_members(const cJSON *obj, const char *const *allowed,
    char *why, size_t whylen)
{
	const cJSON *m;
	size_t i;

	cJSON_ArrayForEach(m, obj) {
		for (i = 0; allowed[i] != NULL; i++)
			if (m->string != NULL && strcmp(m->string,
			    allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			return fail(why, whylen, m->string ? m->string : "?",
			    "unknown member");
	}
	return 0;
}

/* Case-sensitive member lookup (cJSON_GetObjectItem is case-insensitive). */
static const cJSON *
member(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

int
uk_param_string(const cJSON *obj, const char *key, int required,
    size_t maxlen, const char **valp, char *why, size_t whylen)
{
	const cJSON *v = member(obj, key);

	*valp = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return required ? fail(why, whylen, key, "missing") : 0;
	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return fail(why, whylen, key, "must be a string");
	if (strlen(v->valuestring) > maxlen)
		return fail(why, whylen, key, "too long");
	*valp = v->valuestring;
	return 0;
}

int
uk_param_int(const cJSON *obj, const char *key, int required,
    int64_t min, int64_t max, int64_t def, int64_t *valp,
    char *why, size_t whylen)
{
	const cJSON *v = member(obj, key);
	double d;

	*valp = def;
	if (v == NULL || cJSON_IsNull(v))
		return required ? fail(why, whylen, key, "missing") : 0;
	if (!cJSON_IsNumber(v))
		return fail(why, whylen, key, "must be an integer");
	d = v->valuedouble;
	/* Range first: the cast below is only defined for values in range. */
	if (!isfinite(d) || d < -9007199254740991.0 || d > 9007199254740991.0 ||
	    d != floor(d))
		return fail(why, whylen, key, "must be an integer");
	if ((int64_t)d < min || (int64_t)d > max)
		return fail(why, whylen, key, "out of range");
	*valp = (int64_t)d;
	return 0;
}

int
uk_param_bool(const cJSON *obj, const char *key, int required, int def,
    int *valp, char *why, size_t whylen)
{
	const cJSON *v = member(obj, key);

	*valp = def;
	if (v == NULL || cJSON_IsNull(v))
		return required ? fail(why, whylen, key, "missing") : 0;
	if (!cJSON_IsBool(v))
		return fail(why, whylen, key, "must be true or false");
	*valp = cJSON_IsTrue(v);
	return 0;
}

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decodes s[0..slen) into out, which has room for slen / 4 * 3 + 3 bytes
 * and may be s itself: each output byte is written after the characters
 * that make it have been read.  Returns 0 or UK_ERR_INVALID_PARAM.
 */
static int
base64_decode_into(const char *s, size_t slen, unsigned char *out,
    size_t *lenp)
{
	size_t i, n = 0, pad = 0, quad = 0;
	uint32_t acc = 0;
	int v;

	*lenp = 0;
	for (i = 0; i < slen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r' || c == '\n' || c == ' ')
			continue;
		if (c == '=') {
			/* Padding: only at the end of the last quad. */
			if (quad < 2 || ++pad + quad > 4)
				return UK_ERR_INVALID_PARAM;
			continue;
		}
		if (pad > 0 || (v = b64_value(c)) < 0)
			return UK_ERR_INVALID_PARAM;
		acc = (acc << 6) | (uint32_t)v;
		if (++quad == 4) {
			out[n++] = (unsigned char)(acc >> 16);
			out[n++] = (unsigned char)(acc >> 8);
			out[n++] = (unsigned char)acc;
			quad = 0;
			acc = 0;
		}
	}
	if (pad > 0) {
		if (quad + pad != 4)
			return UK_ERR_INVALID_PARAM;
		/* Unused low bits must be zero (canonical encoding). */
		if (quad == 2) {
			if (acc & 0xf)
				return UK_ERR_INVALID_PARAM;
			out[n++] = (unsigned char)(acc >> 4);
		} else {
			if (acc & 0x3)
				return UK_ERR_INVALID_PARAM;
			out[n++] = (unsigned char)(acc >> 10);
			out[n++] = (unsigned char)(acc >> 2);
		}
	} else if (quad != 0)
		return UK_ERR_INVALID_PARAM;
	*lenp = n;
	return 0;
}

int
uk_base64_decode(const char *s, size_t maxlen, unsigned char **outp,
    size_t *lenp)
{
	size_t slen = strlen(s), n;
	unsigned char *out = NULL;
	int r;

	*outp = NULL;
	*lenp = 0;
	/* Upper bound of the decoded size, checked before allocating. */
	if (slen / 4 * 3 > maxlen + 3)
		return UK_ERR_MESSAGE_TOO_LARGE;
	if ((out = malloc(slen / 4 * 3 + 3)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if ((r = base64_decode_into(s, slen, out, &n)) == 0 && n > maxlen)
		r = UK_ERR_MESSAGE_TOO_LARGE;
	if (r != 0) {
		uk_freezero(out, slen / 4 * 3 + 3);
		return r;
	}
	*outp = out;
	*lenp = n;
	return 0;
}

int
uk_param_base64(const cJSON *obj, const char *key, int required,
    size_t maxlen, unsigned char **outp, size_t *lenp,
    char *why, size_t whylen)
{
	const char *s;
	int r;

	*outp = NULL;
	*lenp = 0;
	if ((r = uk_param_string(obj, key, required, (maxlen + 2) / 3 * 4 +
	    (maxlen / 48) * 2 + 4, &s, why, whylen)) != 0 || s == NULL)
		return r;
	if ((r = uk_base64_decode(s, maxlen, outp, lenp)) == 0)
		return 0;
	if (r == UK_ERR_ALLOC_FAIL)
		return r;
	return fail(why, whylen, key, r == UK_ERR_MESSAGE_TOO_LARGE ?
	    "too long" : "not valid base64");
}

int
uk_param_base64_take(const cJSON *obj, const char *key, int required,
    size_t maxlen, const unsigned char **outp, size_t *lenp,
    char *why, size_t whylen)
{
	const char *s;
	size_t slen, n;
	int r;

	*outp = NULL;
	*lenp = 0;
	if ((r = uk_param_string(obj, key, required, (maxlen + 2) / 3 * 4 +
	    (maxlen / 48) * 2 + 4, &s, why, whylen)) != 0 || s == NULL)
		return r;
	slen = strlen(s);
	/* The text becomes the bytes: the member is spent (json.h). */
	r = base64_decode_into(s, slen, (unsigned char *)(uintptr_t)s, &n);
	if (r == 0 && n > maxlen)
		r = UK_ERR_MESSAGE_TOO_LARGE;
	if (r != 0)
		return fail(why, whylen, key, r == UK_ERR_MESSAGE_TOO_LARGE ?
		    "too long" : "not valid base64");
	*outp = (const unsigned char *)s;
	*lenp = n;
	return 0;
}

char *
uk_base64_encode(const unsigned char *p, size_t len)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	char *out;

	if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
		return NULL;
	if ((out = malloc((len + 2) / 3 * 4 + 1)) == NULL)
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 |
		    p[i + 2];
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = tab[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

int
uk_json_add_base64(cJSON *obj, const char *key, const unsigned char *p,
    size_t len)
{
	char *s;
	int r = 0;

	if ((s = uk_base64_encode(p, len)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (cJSON_AddStringToObject(obj, key, s) == NULL)
		r = UK_ERR_ALLOC_FAIL;
	free(s);
	return r;
}

cJSON *
uk_json_add_int(cJSON *obj, const char *key, int64_t n)
{
	char buf[24];

	(void)snprintf(buf, sizeof(buf), "%lld", (long long)n);
	return cJSON_AddRawToObject(obj, key, buf);
}

char *
uk_hex_encode(const unsigned char *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *out;
	size_t i;

	if (len > (SIZE_MAX - 1) / 2 || (out = malloc(len * 2 + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * len] = '\0';
	return out;
}
