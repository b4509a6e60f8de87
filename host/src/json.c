/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

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

/* Characters the structure scan stops at; everything else is skipped. */
static const unsigned char scan_stop[256] = {
	['"'] = 1, ['\\'] = 1, ['{'] = 1, ['}'] = 1, ['['] = 1, [']'] = 1,
};

/*
 * One pass over the raw text: nesting depth outside strings, and "\u0000"
 * (cJSON would cut the string there).  The table lookup skips the long
 * runs of ordinary characters quickly; s need not be NUL-terminated.
 */
static int
scan_structure(const char *s, size_t len, int max_depth)
{
	const unsigned char *u = (const unsigned char *)s;
	int depth = 0, in_str = 0;
	size_t i = 0;

	for (;;) {
		while (i < len && !scan_stop[u[i]])
			i++;
		if (i >= len)
			break;
		if (in_str) {
			if (u[i] == '\\') {
				if (len - i > 5 && u[i + 1] == 'u' &&
				    memcmp(s + i + 2, "0000", 4) == 0)
					return UK_ERR_BAD_REQUEST;
				i += 2;
				continue;
			}
			if (u[i] == '"')
				in_str = 0;
		} else if (u[i] == '"')
			in_str = 1;
		else if (u[i] == '{' || u[i] == '[') {
			if (++depth > max_depth)
				return UK_ERR_TOO_DEEP;
		} else if (u[i] == '}' || u[i] == ']')
			depth--;
		i++;
	}
	return 0;
}

int
uk_json_parse(const char *s, size_t len, cJSON **rootp)
{
	const char *end = NULL;
	cJSON *root;
	int r;

	*rootp = NULL;
	if (uk_utf8_valid(s, len) != 0)
		return UK_ERR_NOT_UTF8;
	if (memchr(s, '\0', len) != NULL)
		return UK_ERR_NOT_JSON;
	if ((r = scan_structure(s, len, UK_JSON_MAX_DEPTH)) != 0)
		return r;
	root = cJSON_ParseWithLengthOpts(s, len, &end, 0);
	if (root == NULL)
		return UK_ERR_NOT_JSON;
	/* Only whitespace may follow the value. */
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

int
uk_base64_decode(const char *s, size_t maxlen, unsigned char **outp,
    size_t *lenp)
{
	size_t slen = strlen(s), i, n = 0, pad = 0, quad = 0;
	unsigned char *out = NULL;
	uint32_t acc = 0;
	int v;

	*outp = NULL;
	*lenp = 0;
	/* Upper bound of the decoded size, checked before allocating. */
	if (slen / 4 * 3 > maxlen + 3)
		return UK_ERR_MESSAGE_TOO_LARGE;
	if ((out = malloc(slen / 4 * 3 + 3)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	for (i = 0; i < slen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r' || c == '\n' || c == ' ')
			continue;
		if (c == '=') {
			/* Padding: only at the end of the last quad. */
			if (quad < 2 || ++pad + quad > 4)
				goto bad;
			continue;
		}
		if (pad > 0 || (v = b64_value(c)) < 0)
			goto bad;
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
			goto bad;
		/* Unused low bits must be zero (canonical encoding). */
		if (quad == 2) {
			if (acc & 0xf)
				goto bad;
			out[n++] = (unsigned char)(acc >> 4);
		} else {
			if (acc & 0x3)
				goto bad;
			out[n++] = (unsigned char)(acc >> 10);
			out[n++] = (unsigned char)(acc >> 2);
		}
	} else if (quad != 0)
		goto bad;
	if (n > maxlen) {
		uk_freezero(out, slen / 4 * 3 + 3);
		return UK_ERR_MESSAGE_TOO_LARGE;
	}
	/* success */
	*outp = out;
	*lenp = n;
	return 0;
 bad:
	uk_freezero(out, slen / 4 * 3 + 3);
	return UK_ERR_INVALID_PARAM;
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
