/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/* Strict JSON input, parameter getters, base64: accepted and rejected. */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "ck_main.h"
#include "err.h"
#include "json.h"

static const struct {
	const char *text;
	int want;
} parse_cases[] = {
	{ "{}", 0 },
	{ " {\"a\":[1,2,{\"b\":\"中文\"}]} \n", 0 },
	{ "", UK_ERR_NOT_JSON },
	{ "{", UK_ERR_NOT_JSON },
	{ "{} x", UK_ERR_NOT_JSON },
	{ "{}{}", UK_ERR_NOT_JSON },
	{ "nul", UK_ERR_NOT_JSON },
	{ "{\"a\":\"\\u0000\"}", UK_ERR_BAD_REQUEST },
	{ "\xc3\x28", UK_ERR_NOT_UTF8 },			/* bad continuation */
	{ "\"\xc0\xaf\"", UK_ERR_NOT_UTF8 },		/* overlong '/' */
	{ "\"\xed\xa0\x80\"", UK_ERR_NOT_UTF8 },	/* surrogate */
	{ "\"\xf4\x90\x80\x80\"", UK_ERR_NOT_UTF8 },	/* > U+10FFFF */
	{ "\"\xe4\xb8\"", UK_ERR_NOT_UTF8 },		/* truncated */
	{ "[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]", 0 },	/* depth 16 */
	{ "[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]", UK_ERR_TOO_DEEP },
	{ "{\"s\":\"[[[[[[[[[[[[[[[[[[[[[[\"}", 0 },	/* brackets in a string */
	{ "{\"s\":\"\\\"[[[[[[[[[[[[[[[[[[[\"}", 0 },	/* after an escaped quote */
	{ "\"\\", UK_ERR_NOT_JSON },	/* an escape as the last byte */
	{ "[\"abcdefghijklmnopqrstuvwxyz\\", UK_ERR_NOT_JSON },
	/* JSON's whitespace is space, tab, CR, LF; cJSON skips any byte
	 * up to 0x20 and takes control characters raw in strings. */
	{ "{\"a\"\b:1}", UK_ERR_NOT_JSON },
	{ "\x0c{}", UK_ERR_NOT_JSON },
	{ "[1,\x1f" "2]", UK_ERR_NOT_JSON },
	{ "{\"a\":\"x\ty\"}", UK_ERR_NOT_JSON },
	{ "{\"a\":\"x\ny\"}", UK_ERR_NOT_JSON },
	{ "{\"a\":\"abcdefghijklmnopqrstuvwxyz\x01\"}", UK_ERR_NOT_JSON },
	{ "{\"a\":\"x\\ty\\n\"}", 0 },	/* escaped: fine */
	{ "\t{\"a\" :\r\n1 }\t", 0 },
};

START_TEST(test_parse_table)
{
	cJSON *root = (cJSON *)1;
	int r = uk_json_parse(parse_cases[_i].text,
	    strlen(parse_cases[_i].text), &root);

	ck_assert_msg(r == parse_cases[_i].want, "case %d '%s': got %d",
	    _i, parse_cases[_i].text, r);
	if (r == 0)
		ck_assert_ptr_nonnull(root);
	else
		ck_assert_ptr_null(root);
	cJSON_Delete(root);
	/* The in-place parser answers the same. */
	{
		char *copy = strdup(parse_cases[_i].text);

		root = (cJSON *)1;
		r = uk_json_parse_inplace(copy, strlen(copy), &root);
		ck_assert_int_eq(r, parse_cases[_i].want);
		cJSON_Delete(root);
		free(copy);
	}
}
END_TEST

/*
 * A control character anywhere in a long string value (one the in-place
 * parser would lift), at every offset the 16- and 8-byte scans can see it,
 * and between a key and its colon before such a value (the fuzzer's find:
 * cJSON took it as whitespace, the lift scan did not see a key, the two
 * parsers disagreed).
 */
START_TEST(test_control_in_long_string)
{
	size_t n = UK_JSON_LIFT_MIN + 64, pre = strlen("{\"k\":\""), i, off;
	char *t = malloc(pre + n + 3), *copy;
	cJSON *a, *b;

	ck_assert_ptr_nonnull(t);
	for (off = 0; off < 48; off++) {
		memcpy(t, "{\"k\":\"", pre);
		memset(t + pre, 'Q', n);
		memcpy(t + pre + n, "\"}", 3);
		for (i = 0; i < 2; i++) {
			/* near the start, and near the end of the value */
			size_t at = i == 0 ? pre + off : pre + n - 1 - off;

			t[at] = i == 0 ? '\x01' : '\x1f';
			ck_assert_int_eq(uk_json_parse(t, strlen(t), &a),
			    UK_ERR_NOT_JSON);
			copy = strdup(t);
			ck_assert_int_eq(uk_json_parse_inplace(copy,
			    strlen(copy), &b), UK_ERR_NOT_JSON);
			free(copy);
			t[at] = 'Q';
		}
	}
	/* High bytes (Chinese) do not stop the scans as control characters. */
	for (i = pre; i + 3 <= pre + n; i += 3)
		memcpy(t + i, "\xe4\xb8\xad", 3);
	ck_assert_int_eq(uk_json_parse(t, strlen(t), &a), 0);
	cJSON_Delete(a);
	/* "params"<BS>: followed by a long value. */
	memcpy(t, "{\"k\"\b:\"", pre + 1);
	memset(t + pre + 1, 'Q', n - 1);
	memcpy(t + pre + n, "\"}", 3);
	ck_assert_int_eq(uk_json_parse(t, strlen(t), &a), UK_ERR_NOT_JSON);
	copy = strdup(t);
	ck_assert_int_eq(uk_json_parse_inplace(copy, strlen(copy), &b),
	    UK_ERR_NOT_JSON);
	free(copy);
	free(t);
}
END_TEST

/* --- In-place parsing: random documents against the plain parser ---- */

struct gen {
	char *buf;
	size_t len, cap;
	unsigned seed;
};

static unsigned
rnd(struct gen *g, unsigned n)
{
	g->seed = g->seed * 1103515245u + 12345u;
	return (g->seed >> 8) % n;
}

static void
put(struct gen *g, const char *s, size_t n)
{
	if (g->len + n + 1 > g->cap) {
		g->cap = (g->len + n + 1) * 2;
		g->buf = realloc(g->buf, g->cap);
		ck_assert_ptr_nonnull(g->buf);
	}
	memcpy(g->buf + g->len, s, n);
	g->len += n;
	g->buf[g->len] = '\0';
}

/* A string of one of the sizes around the lifting threshold; some with
 * escapes (never lifted), some with Chinese text and control escapes. */
static void
gen_string(struct gen *g)
{
	static const size_t sizes[] = { 0, 3, UK_JSON_LIFT_MIN - 1,
	    UK_JSON_LIFT_MIN, UK_JSON_LIFT_MIN + 7, 70000 };
	size_t n = sizes[rnd(g, UK_ARRAY_LEN(sizes))], i;
	unsigned kind = rnd(g, 4);

	put(g, "\"", 1);
	for (i = 0; i < n; i++) {
		if (kind == 1 && i == n / 2)
			put(g, "\\n", 2);
		else if (kind == 2 && i % 100 == 0)
			put(g, "中", 3);
		else {
			char c = (char)('A' + (i + g->len) % 58);

			put(g, c == '\\' ? "x" : &c, 1);
		}
	}
	put(g, "\"", 1);
}

static void
gen_value(struct gen *g, int depth)
{
	unsigned k = depth >= 5 ? rnd(g, 3) : rnd(g, 5), i, n;

	switch (k) {
	case 0:
	case 1:
		gen_string(g);
		break;
	case 2:
		put(g, rnd(g, 2) ? "12.5" : "true", 4);
		break;
	case 3:
		put(g, "[", 1);
		for (n = rnd(g, 5), i = 0; i < n; i++) {
			if (i > 0)
				put(g, " , ", 3);
			gen_value(g, depth + 1);
		}
		put(g, "]", 1);
		break;
	default:
		put(g, "{", 1);
		for (n = rnd(g, 5), i = 0; i < n; i++) {
			if (i > 0)
				put(g, ",", 1);
			gen_string(g);	/* a key, long ones too */
			if (rnd(g, 2))
				put(g, " : ", 3);
			else
				put(g, ":", 1);
			gen_value(g, depth + 1);
		}
		put(g, "}", 1);
		break;
	}
}

/* Counts string values that point into [lo, hi). */
static size_t
count_inside(const cJSON *n, const char *lo, const char *hi)
{
	size_t c = 0;

	for (; n != NULL; n = n->next) {
		if (cJSON_IsString(n) && n->valuestring >= lo &&
		    n->valuestring < hi)
			c++;
		c += count_inside(n->child, lo, hi);
	}
	return c;
}

START_TEST(test_parse_inplace_random)
{
	struct gen g = { NULL, 0, 0, (unsigned)_i * 7919u + 1 };
	cJSON *plain = NULL, *inplace = NULL;
	char *copy, *pa, *pb;

	gen_value(&g, 0);
	ck_assert_int_eq(uk_json_parse(g.buf, g.len, &plain), 0);
	copy = malloc(g.len + 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, g.buf, g.len + 1);
	ck_assert_int_eq(uk_json_parse_inplace(copy, g.len, &inplace), 0);
	/* Printed, not cJSON_Compare: that one looks duplicate keys up by
	 * name and so cannot compare documents that have them. */
	pa = cJSON_PrintUnformatted(plain);
	pb = cJSON_PrintUnformatted(inplace);
	ck_assert_ptr_nonnull(pa);
	ck_assert_ptr_nonnull(pb);
	ck_assert_msg(strcmp(pa, pb) == 0, "document %d differs", _i);
	free(pa);
	free(pb);
	ck_assert_uint_le(count_inside(inplace, copy, copy + g.len),
	    UK_JSON_LIFT_MAX);
	cJSON_Delete(inplace);
	cJSON_Delete(plain);
	free(copy);
	free(g.buf);
}
END_TEST

START_TEST(test_parse_inplace_lifts)
{
	char *text, *copy, *big = malloc(UK_JSON_LIFT_MIN + 1);
	const unsigned char *bin;
	cJSON *root;
	size_t len, n;

	ck_assert_ptr_nonnull(big);
	memset(big, 'A', UK_JSON_LIFT_MIN);
	big[UK_JSON_LIFT_MIN] = '\0';
	text = malloc(3 * UK_JSON_LIFT_MIN + 100);
	ck_assert_ptr_nonnull(text);
	/* key long too (kept a copy), then a value, then an escaped one */
	sprintf(text, "{\"%s\":1,\"v\":\"%s\",\"e\":\"\\u0021%s\"}", big, big,
	    big);
	len = strlen(text);
	copy = strdup(text);
	ck_assert_int_eq(uk_json_parse_inplace(copy, len, &root), 0);
	ck_assert_int_eq(count_inside(root, copy, copy + len), 1);
	ck_assert_str_eq(cJSON_GetObjectItem(root, "v")->valuestring, big);
	/* base64 decoded where it lies: AAAA -> 00 00 00 */
	ck_assert_int_eq(uk_param_base64_take(root, "v", 1, 1 << 20, &bin, &n,
	    NULL, 0), 0);
	ck_assert_uint_eq(n, UK_JSON_LIFT_MIN / 4 * 3);
	ck_assert_ptr_eq(bin, (const unsigned char *)copy + 2 +
	    UK_JSON_LIFT_MIN + 9);
	ck_assert(bin[0] == 0 && bin[n - 1] == 0);
	ck_assert_int_eq(uk_param_base64_take(root, "e", 1, 1 << 20, &bin, &n,
	    NULL, 0), UK_ERR_INVALID_PARAM);
	cJSON_Delete(root);
	free(copy);
	free(text);
	free(big);
}
END_TEST

START_TEST(test_plain)
{
	char buf[64];
	size_t i, len;
	int c, want;

	/* Every byte value at every position of a 40-byte run (SIMD lanes,
	 * the word loop and the tail), against the definition. */
	for (c = 0; c < 256; c++)
		for (len = 1; len <= 40; len += 13)
			for (i = 0; i < len; i++) {
				memset(buf, 'a', len);
				buf[i] = (char)c;
				want = c >= 0x20 && c <= 0x7e && c != '"' &&
				    c != '\\';
				ck_assert_msg(uk_json_plain(buf, len) == want,
				    "byte %02x at %zu of %zu", c, i, len);
			}
	ck_assert_int_eq(uk_json_plain("", 0), 1);
}
END_TEST

START_TEST(test_embedded_nul)
{
	cJSON *root = (cJSON *)1;

	ck_assert_int_eq(uk_json_parse("{}\0", 3, &root), UK_ERR_NOT_JSON);
	ck_assert_ptr_null(root);
}
END_TEST

START_TEST(test_getters)
{
	const char *text = "{\"s\":\"abc\",\"n\":42,\"f\":1.5,\"big\":1e300,"
	    "\"neg\":-3,\"b\":true,\"arr\":[],\"nul\":null}";
	cJSON *o = NULL;
	const char *s;
	int64_t v;
	int b;
	char why[UK_JSON_WHY_MAX];

	ck_assert_int_eq(uk_json_parse(text, strlen(text), &o), 0);
	ck_assert_int_eq(uk_param_string(o, "s", 1, 3, &s, why, sizeof(why)),
	    0);
	ck_assert_str_eq(s, "abc");
	ck_assert_int_eq(uk_param_string(o, "s", 1, 2, &s, why, sizeof(why)),
	    UK_ERR_INVALID_PARAM);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(why, "'s': too long");
	ck_assert_int_eq(uk_param_string(o, "n", 1, 9, &s, why, sizeof(why)),
	    UK_ERR_INVALID_PARAM);
	ck_assert_str_eq(why, "'n': must be a string");
	ck_assert_int_eq(uk_param_string(o, "x", 1, 9, &s, why, sizeof(why)),
	    UK_ERR_INVALID_PARAM);
	ck_assert_str_eq(why, "'x': missing");
	ck_assert_int_eq(uk_param_string(o, "x", 0, 9, &s, why, sizeof(why)),
	    0);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(uk_param_string(o, "nul", 0, 9, &s, why,
	    sizeof(why)), 0);
	/* Member names are case-sensitive. */
	ck_assert_int_eq(uk_param_string(o, "S", 0, 9, &s, why, sizeof(why)),
	    0);
	ck_assert_ptr_null(s);

	ck_assert_int_eq(uk_param_int(o, "n", 1, 0, 100, -1, &v, why,
	    sizeof(why)), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(uk_param_int(o, "n", 1, 0, 41, -1, &v, why,
	    sizeof(why)), UK_ERR_INVALID_PARAM);
	ck_assert_int_eq(v, -1);
	ck_assert_str_eq(why, "'n': out of range");
	ck_assert_int_eq(uk_param_int(o, "f", 1, 0, 100, -1, &v, why,
	    sizeof(why)), UK_ERR_INVALID_PARAM);
	ck_assert_int_eq(uk_param_int(o, "big", 1, INT64_MIN, INT64_MAX, -1,
	    &v, why, sizeof(why)), UK_ERR_INVALID_PARAM);
	ck_assert_int_eq(uk_param_int(o, "s", 1, 0, 100, -1, &v, why,
	    sizeof(why)), UK_ERR_INVALID_PARAM);
	ck_assert_int_eq(uk_param_int(o, "neg", 1, -5, 5, 0, &v, why,
	    sizeof(why)), 0);
	ck_assert_int_eq(v, -3);
	ck_assert_int_eq(uk_param_int(o, "x", 0, 0, 5, 7, &v, why,
	    sizeof(why)), 0);
	ck_assert_int_eq(v, 7);

	ck_assert_int_eq(uk_param_bool(o, "b", 1, 0, &b, why, sizeof(why)), 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(uk_param_bool(o, "n", 1, 0, &b, why, sizeof(why)),
	    UK_ERR_INVALID_PARAM);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_only_members)
{
	static const char *const allowed[] = { "a", "b", NULL };
	const char *ok = "{\"a\":1,\"b\":2}", *extra = "{\"a\":1,\"pin\":2}";
	cJSON *o = NULL;
	char why[UK_JSON_WHY_MAX];

	ck_assert_int_eq(uk_json_parse(ok, strlen(ok), &o), 0);
	ck_assert_int_eq(uk_json_only_members(o, allowed, why, sizeof(why)),
	    0);
	cJSON_Delete(o);
	ck_assert_int_eq(uk_json_parse(extra, strlen(extra), &o), 0);
	ck_assert_int_eq(uk_json_only_members(o, allowed, why, sizeof(why)),
	    UK_ERR_INVALID_PARAM);
	ck_assert_str_eq(why, "'pin': unknown member");
	cJSON_Delete(o);
}
END_TEST

static const struct {
	const char *in;
	int want;
	const char *out;
	size_t outlen;
} b64_cases[] = {
	{ "", 0, "", 0 },
	{ "Zg==", 0, "f", 1 },
	{ "Zm8=", 0, "fo", 2 },
	{ "Zm9v", 0, "foo", 3 },
	{ "Zm9v\r\nYmFy", 0, "foobar", 6 },
	{ "5Lit5paH", 0, "中文", 6 },
	{ "Zg", UK_ERR_INVALID_PARAM, NULL, 0 },	/* missing padding */
	{ "Zg=", UK_ERR_INVALID_PARAM, NULL, 0 },
	{ "Zg===", UK_ERR_INVALID_PARAM, NULL, 0 },
	{ "Zh==", UK_ERR_INVALID_PARAM, NULL, 0 },	/* non-canonical */
	{ "Zm9v=", UK_ERR_INVALID_PARAM, NULL, 0 },
	{ "Zm=v", UK_ERR_INVALID_PARAM, NULL, 0 },	/* data after '=' */
	{ "Zm9-", UK_ERR_INVALID_PARAM, NULL, 0 },	/* url alphabet */
	{ "Zm9v\x01", UK_ERR_INVALID_PARAM, NULL, 0 },
	{ "AAAAAAAAAAAAAAAA", UK_ERR_MESSAGE_TOO_LARGE, NULL, 0 }, /* 12 > 8 */
};

START_TEST(test_base64_table)
{
	unsigned char *out = (unsigned char *)1;
	size_t len = 99;
	int r = uk_base64_decode(b64_cases[_i].in, 8, &out, &len);

	ck_assert_msg(r == b64_cases[_i].want, "case %d: got %d", _i, r);
	if (r != 0) {
		ck_assert_ptr_null(out);
		ck_assert_uint_eq(len, 0);
		return;
	}
	ck_assert_uint_eq(len, b64_cases[_i].outlen);
	ck_assert_mem_eq(out, b64_cases[_i].out, len);
	free(out);
}
END_TEST

START_TEST(test_base64_roundtrip)
{
	unsigned char buf[300], *back = NULL;
	size_t i, n, len;
	char *enc;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 37 + 11);
	for (n = 0; n < sizeof(buf); n++) {
		ck_assert_ptr_nonnull(enc = uk_base64_encode(buf, n));
		ck_assert_uint_eq(strlen(enc), (n + 2) / 3 * 4);
		ck_assert_int_eq(uk_base64_decode(enc, sizeof(buf), &back,
		    &len), 0);
		ck_assert_uint_eq(len, n);
		ck_assert_mem_eq(back, buf, n);
		free(back);
		free(enc);
	}
}
END_TEST

START_TEST(test_hex)
{
	const unsigned char in[] = { 0x00, 0xab, 0x7f };
	char *h = uk_hex_encode(in, sizeof(in));

	ck_assert_str_eq(h, "00ab7f");
	free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_parse_table, 0,
	    UK_ARRAY_LEN(parse_cases));
	tcase_add_test(tc, test_embedded_nul);
	tcase_add_test(tc, test_control_in_long_string);
	tcase_add_loop_test(tc, test_parse_inplace_random, 0, 200);
	tcase_add_test(tc, test_parse_inplace_lifts);
	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_getters);
	tcase_add_test(tc, test_only_members);
	tcase_add_loop_test(tc, test_base64_table, 0, UK_ARRAY_LEN(b64_cases));
	tcase_add_test(tc, test_base64_roundtrip);
	tcase_add_test(tc, test_hex);
	suite_add_tcase(s, tc);
	return uk_ck_run(s);
}
