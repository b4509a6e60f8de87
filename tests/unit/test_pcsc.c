/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The readers module without a reader: the ATR table (one case per entry,
 * from ATRs of real cards in pcsc-tools' smartcard_list.txt), its parser
 * and overrides, the SafeEngine device list, and the host's behaviour when
 * the PC/SC service is absent (errors, laziness, watcher start/stop).
 * Tests with a real pcscd and a virtual card: tests/readers/.
 */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "config.h"
#include "err.h"
#include "host.h"
#include "hostproc.h"
#include "pcsc.h"

#define DATA_FILE	UK_TEST_SOURCE_DIR "/host/data/atr.json"
#define NO_PCSCD	"/nonexistent/ukeylink-test/pcscd.comm"

static struct uk_atr_table *
load_shipped(void)
{
	struct uk_atr_table *t = NULL;
	char why[256] = "", *text;
	FILE *fp;
	long n;

	ck_assert_ptr_nonnull(fp = fopen(DATA_FILE, "rb"));
	ck_assert_ptr_nonnull(text = malloc(1024 * 1024));
	n = (long)fread(text, 1, 1024 * 1024 - 1, fp);
	fclose(fp);
	text[n] = '\0';
	ck_assert_msg(uk_atr_table_parse_text(text, (size_t)n, &t, why,
	    sizeof(why)) == 0, "atr.json: %s", why);
	free(text);
	return t;
}

/* Real ATRs → the entry that must claim them (at least one per entry). */
static const struct {
	const char *atr, *id, *name;
	int type;
} known_atrs[] = {
	{ "3B 89 00 56 43 41 52 44 5F 4E 53 53", "virtual-cac",
	    "虚拟CAC测试卡", 10 },
	{ "3B 9F 95 81 31 FE 9F 00 66 46 53 05 10 04 31 71 DF 00 00 00 00 "
	    "00 26", "feitian-epass2003", "飞天ePass2003", 10 },
	{ "3B 9F 95 81 31 FE 9F 00 66 46 53 05 23 00 25 71 C3 9F 00 00 00 "
	    "00 86", "feitian-epass2003", "飞天ePass2003", 10 },
	{ "3B 9F 95 81 31 FE 9F 00 66 46 53 05 51 00 33 71 DF 00 00 06 00 "
	    "00 67", "feitian-epass2003", "飞天ePass2003", 10 },
	{ "3B 0F 00 65 46 53 05 16 05 71 DF 00 00 00 45 50 53",
	    "feitian-epass3000", "飞天ePass3000", 10 },
	{ "3B 0F 00 65 46 53 05 30 05 71 DF 00 00 00 80 6A 82",
	    "feitian-epass3000", "飞天ePass3000", 10 },
	{ "3B 9F 11 81 31 FE 9F 00 6A 6D 54 6F 6B 65 6E 2D 46 00 00 81 90 "
	    "00 79", "longmai-mtoken", "龙脉mToken", 10 },
	{ "3B 9F 11 81 31 FE 9F 00 6A 6D 54 6F 6B 65 6E 2D 50 00 05 81 90 "
	    "00 6A", "longmai-mtoken", "龙脉mToken", 10 },
	{ "3B 6E 00 00 57 44 36 19 69 86 93 02 21 18 15 50 20 27",
	    "watchdata-usbkey", "握奇USB Key", 10 },
	{ "3B 6E 00 00 57 44 36 19 69 86 93 02 25 11 75 42 32 2B",
	    "watchdata-usbkey", "握奇USB Key", 10 },
};

/* ATRs that no entry may claim. */
static const char *const unknown_atrs[] = {
	"3B 89 00 56 43 41 52 44 5F 4E 53 54",		/* CAC, last byte */
	"3B 89 00 56 43 41 52 44 5F 4E 53",		/* CAC, short */
	"3B 89 00 56 43 41 52 44 5F 4E 53 53 00",	/* CAC, long */
	"3B 6E 00 00 57 44 36 13 69 86 93 02 32 12 56 28 25 32",
	"3B 88 80 01 D1 03 86 05 00 80 80 00 58",	/* PRC ID card */
	("3B 9F 95 81 31 FE 9F 00 66 46 53 06 10 04 31 71 DF 00 00 00 00 "
	    "00 26"),
	"3B 00",
};

START_TEST(test_known_atr)
{
	struct uk_atr_table *t = load_shipped();
	const struct uk_atr_make *mk;
	const unsigned char *a, *m;
	unsigned char atr[UK_ATR_MAX];
	size_t len;
	long n, i;

	n = uk_atr_from_hex(known_atrs[_i].atr, atr, sizeof(atr));
	ck_assert_int_gt(n, 0);
	i = uk_atr_table_match(t, atr, (size_t)n);
	ck_assert_int_ge(i, 0);
	uk_atr_table_entry(t, (size_t)i, &a, &m, &len, &mk);
	ck_assert_str_eq(mk->id, known_atrs[_i].id);
	ck_assert_str_eq(mk->name, known_atrs[_i].name);
	ck_assert_int_eq(mk->type, known_atrs[_i].type);
	ck_assert_uint_eq(len, (size_t)n);
	/* Every entry lists a module for every OS. */
	ck_assert_ptr_nonnull(uk_atr_table_modules(t, (size_t)i, "linux"));
	ck_assert_ptr_nonnull(uk_atr_table_modules(t, (size_t)i, "windows"));
	ck_assert_ptr_nonnull(uk_atr_table_modules(t, (size_t)i, "darwin"));
	uk_atr_table_free(t);
}
END_TEST

START_TEST(test_unknown_atr)
{
	struct uk_atr_table *t = load_shipped();
	unsigned char atr[UK_ATR_MAX];
	size_t i;
	long n;

	for (i = 0; i < UK_ARRAY_LEN(unknown_atrs); i++) {
		n = uk_atr_from_hex(unknown_atrs[i], atr, sizeof(atr));
		ck_assert_int_gt(n, 0);
		ck_assert_msg(uk_atr_table_match(t, atr, (size_t)n) == -1,
		    "%s matched", unknown_atrs[i]);
	}
	uk_atr_table_free(t);
}
END_TEST

/* Sync test: an entry without an example above fails here. */
START_TEST(test_every_entry_has_a_case)
{
	struct uk_atr_table *t = load_shipped();
	const struct uk_atr_make *mk;
	const unsigned char *a, *m;
	size_t len, i, k;

	ck_assert_uint_ge(uk_atr_table_count(t), 5);
	for (i = 0; i < uk_atr_table_count(t); i++) {
		uk_atr_table_entry(t, i, &a, &m, &len, &mk);
		for (k = 0; k < UK_ARRAY_LEN(known_atrs); k++)
			if (strcmp(known_atrs[k].id, mk->id) == 0)
				break;
		ck_assert_msg(k < UK_ARRAY_LEN(known_atrs),
		    "entry %s has no test ATR", mk->id);
	}
	uk_atr_table_free(t);
}
END_TEST

/* The compiled-in copy is the shipped file, byte for byte. */
START_TEST(test_builtin_is_the_file)
{
	char *text;
	FILE *fp;
	size_t n;

	ck_assert_ptr_nonnull(fp = fopen(DATA_FILE, "rb"));
	ck_assert_ptr_nonnull(text = malloc(1024 * 1024));
	n = fread(text, 1, 1024 * 1024, fp);
	fclose(fp);
	ck_assert_uint_eq(n, uk_atr_builtin_len);
	ck_assert_int_eq(memcmp(text, uk_atr_builtin_json, n), 0);
	ck_assert_int_eq(uk_atr_builtin_json[n], '\0');
	free(text);
}
END_TEST

static const struct {
	const char *in;
	long n;
	const char *out;
} hex_cases[] = {
	{ "3B 89 00", 3, "3B 89 00" },
	{ "3b8900", 3, "3B 89 00" },
	{ "3B:89:00", 3, "3B 89 00" },
	{ "  3B  ", 1, "3B" },
	{ "", 0, "" },
	{ "3B 8", -1, NULL },
	{ "3B 8G", -1, NULL },
	{ "3B 89 0", -1, NULL },
	{ "0x3B", -1, NULL },
	{ "00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 11 12 13 14 15 "
	    "16 17 18 19 1A 1B 1C 1D 1E 1F 20", 33, NULL },
	{ "00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 11 12 13 14 15 "
	    "16 17 18 19 1A 1B 1C 1D 1E 1F 20 21", -1, NULL },
};

START_TEST(test_hex)
{
	unsigned char b[UK_ATR_MAX];
	char s[UK_ATR_MAX * 3 + 1];
	size_t i;
	long n;

	for (i = 0; i < UK_ARRAY_LEN(hex_cases); i++) {
		n = uk_atr_from_hex(hex_cases[i].in, b, sizeof(b));
		ck_assert_msg(n == hex_cases[i].n, "case %zu: %ld", i, n);
		if (hex_cases[i].out != NULL) {
			uk_atr_to_hex(b, (size_t)n, s, sizeof(s));
			ck_assert_str_eq(s, hex_cases[i].out);
		}
	}
}
END_TEST

#define E(x) "[{\"id\":\"x\",\"atr\":\"3B 89\",\"make\":{\"type\":10," \
	"\"name\":\"n\"}" x "}]"
static const struct {
	const char *json, *why;
} bad_tables[] = {
	{ "{}", "must be an array" },
	{ "[1]", "must be an object" },
	{ "[{\"atr\":\"3B 89\"}]", "'id'" },
	{ E(",\"extra\":1"), "unknown member" },
	{ "[{\"id\":\"x\",\"atr\":\"3B\",\"make\":{\"type\":10,\"name\":"
	    "\"n\"}}]", "2..33 hex bytes" },
	{ "[{\"id\":\"x\",\"atr\":\"3B 8\",\"make\":{\"type\":10,\"name\":"
	    "\"n\"}}]", "2..33 hex bytes" },
	{ E(",\"mask\":\"FF\""), "as many hex bytes" },
	{ E(",\"mask\":\"FF 00\""), "could never match" },
	{ "[{\"id\":\"x\",\"atr\":\"3B 89\",\"make\":{\"type\":256,\"name\":"
	    "\"n\"}}]", "'make'" },
	{ "[{\"id\":\"x\",\"atr\":\"3B 89\",\"make\":{\"type\":1.5,\"name\":"
	    "\"n\"}}]", "'make'" },
	{ "[{\"id\":\"x\",\"atr\":\"3B 89\",\"make\":{\"type\":10,\"name\":"
	    "\"\"}}]", "'make'" },
	{ "[{\"id\":\"x\",\"atr\":\"3B 89\",\"make\":{\"type\":10}}]",
	    "'make'" },
	{ E(",\"verified\":\"yes\""), "'verified'" },
	{ E(",\"modules\":{\"beos\":\"/x.so\"}"), "'modules'" },
	{ E(",\"modules\":{\"linux\":[]}"), "'modules'" },
	{ E(",\"modules\":{\"linux\":[1]}"), "'modules'" },
	{ E(",\"modules\":{\"linux\":\"\"}"), "'modules'" },
};
#undef E

START_TEST(test_bad_table)
{
	struct uk_atr_table *t;
	char why[256];
	size_t i;
	cJSON *j;

	for (i = 0; i < UK_ARRAY_LEN(bad_tables); i++) {
		t = (struct uk_atr_table *)1;
		why[0] = '\0';
		ck_assert_ptr_nonnull(j = cJSON_Parse(bad_tables[i].json));
		ck_assert_int_eq(uk_atr_table_parse(j, &t, why, sizeof(why)),
		    UK_ERR_CONFIG);
		ck_assert_ptr_null(t);
		ck_assert_msg(strstr(why, bad_tables[i].why) != NULL,
		    "case %zu: why '%s' lacks '%s'", i, why,
		    bad_tables[i].why);
		cJSON_Delete(j);
	}
}
END_TEST

static const char *const bad_files[] = {
	"", "[]", "{\"entries\":[]}", "{\"version\":2,\"entries\":[]}",
	"{\"version\":1,\"entries\":[],\"x\":1}", "{\"version\":1}",
};

START_TEST(test_bad_file)
{
	struct uk_atr_table *t;
	char why[256];
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(bad_files); i++) {
		t = NULL;
		why[0] = '\0';
		ck_assert_int_eq(uk_atr_table_parse_text(bad_files[i],
		    strlen(bad_files[i]), &t, why, sizeof(why)),
		    UK_ERR_CONFIG);
		ck_assert_ptr_null(t);
		ck_assert_msg(why[0] != '\0', "case %zu: no reason", i);
	}
}
END_TEST

/* DevPluggedTypeList from the cards in reader order. */
START_TEST(test_plugged_list)
{
	struct uk_atr_make a = { .type = 10 }, b = { .type = 36 };
	struct uk_pcsc_card cards[4] = {
		{ "r0", &a }, { "r1", &b }, { "r2", &a }, { "r3", NULL } };
	char dp[4][16], *s;

	ck_assert_ptr_nonnull(s = uk_se_plugged_list(cards, 0, dp));
	ck_assert_str_eq(s, "");
	free(s);
	ck_assert_ptr_nonnull(s = uk_se_plugged_list(cards, 1, dp));
	ck_assert_str_eq(s, "a$$1");
	ck_assert_str_eq(dp[0], "com1");
	free(s);
	ck_assert_ptr_nonnull(s = uk_se_plugged_list(cards, 4, dp));
	/* Unknown ATR counts as type 10: the third key of that type. */
	ck_assert_str_eq(s, "a$$1;24$$1;a$$2;a$$3");
	ck_assert_str_eq(dp[1], "com1");
	ck_assert_str_eq(dp[2], "com2");
	ck_assert_str_eq(dp[3], "com3");
	free(s);
}
END_TEST

static const struct {
	const char *json;
	int ok;
} config_cases[] = {
	{ "{\"atr\":{}}", 1 },
	{ "{\"atr\":{\"builtin\":false}}", 1 },
	{ "{\"atr\":{\"entries\":[{\"id\":\"it-key\",\"atr\":\"3B 02 14 50\","
	    "\"make\":{\"type\":27,\"name\":\"二十七\"},"
	    "\"modules\":{\"linux\":\"/opt/it/p11.so\"}}]}}", 1 },
	{ "{\"atr\":[]}", 0 },
	{ "{\"atr\":{\"builtin\":1}}", 0 },
	{ "{\"atr\":{\"entry\":[]}}", 0 },
	{ "{\"atr\":{\"entries\":[{\"id\":\"k\",\"atr\":\"zz\"}]}}", 0 },
};

START_TEST(test_config_section)
{
	char why[256];
	size_t i;
	int r;

	for (i = 0; i < UK_ARRAY_LEN(config_cases); i++) {
		why[0] = '\0';
		r = uk_config_check_text(config_cases[i].json,
		    strlen(config_cases[i].json), why, sizeof(why));
		if (config_cases[i].ok)
			ck_assert_msg(r == 0, "case %zu: %s", i, why);
		else {
			ck_assert_int_eq(r, UK_ERR_CONFIG);
			ck_assert_msg(strstr(why, "atr") != NULL,
			    "case %zu: why: %s", i, why);
		}
	}
}
END_TEST

/* A context whose user configuration is json (NULL: defaults). */
static void
ctx_with(struct uk_ctx *ctx, struct uk_config **cfgp, const char *json)
{
	char *path = NULL;

	if (json != NULL)
		ck_assert_ptr_nonnull(path = uk_test_write_temp("c.json",
		    json));
	ck_assert_int_eq(uk_config_load("/nonexistent/system.json", path ?
	    path : "/nonexistent/user.json", cfgp), 0);
	ck_assert_int_eq(uk_ctx_init(ctx, *cfgp, -1), 0);
	free(path);
}

static void
ctx_done(struct uk_ctx *ctx, struct uk_config *cfg)
{
	uk_ctx_fini(ctx);
	uk_config_free(cfg);
}

START_TEST(test_module_for_atr)
{
	static const unsigned char cac[] = { 0x3B, 0x89, 0x00, 0x56, 0x43,
	    0x41, 0x52, 0x44, 0x5F, 0x4E, 0x53, 0x53 };
	static const unsigned char lm[] = { 0x3B, 0x9F, 0x11, 0x81, 0x31,
	    0xFE, 0x9F, 0x00, 0x6A, 0x6D, 0x54, 0x6F, 0x6B, 0x65, 0x6E, 0x2D,
	    0x46, 0x00, 0x00, 0x81, 0x90, 0x00, 0x79 };
	struct uk_atr_make mk;
	struct uk_config *cfg;
	struct uk_ctx ctx;
	char path[4096];

	setenv("UKEYLINK_DATA_DIR", UK_TEST_SOURCE_DIR "/host/data", 1);
	ctx_with(&ctx, &cfg, NULL);
	ck_assert_int_eq(uk_pcsc_module_for_atr(&ctx, cac, sizeof(cac), &mk,
	    path, sizeof(path)), 0);
	ck_assert_str_eq(mk.id, "virtual-cac");
	ck_assert_int_eq(mk.verified, 1);
	/* OpenSC is a test dependency: the first existing path is used. */
	ck_assert_msg(strstr(path, "opensc-pkcs11.so") != NULL &&
	    access(path, R_OK) == 0, "path '%s'", path);
	/* Known make, module not installed: "" (token falls back). */
	ck_assert_int_eq(uk_pcsc_module_for_atr(&ctx, lm, sizeof(lm), &mk,
	    path, sizeof(path)), 0);
	ck_assert_str_eq(mk.id, "longmai-mtoken");
	ck_assert_int_eq(mk.verified, 0);
	ck_assert_str_eq(path, "");
	ck_assert_int_eq(uk_pcsc_module_for_atr(&ctx, cac, 5, &mk, path,
	    sizeof(path)), UK_ERR_TOKEN_NOT_FOUND);
	ck_assert_str_eq(mk.id, "");
	ck_assert_str_eq(path, "");
	ctx_done(&ctx, cfg);
	unsetenv("UKEYLINK_DATA_DIR");
}
END_TEST

/* IT's entries come first: they override and add. */
START_TEST(test_config_override)
{
	static const unsigned char cac[] = { 0x3B, 0x89, 0x00, 0x56, 0x43,
	    0x41, 0x52, 0x44, 0x5F, 0x4E, 0x53, 0x53 };
	static const unsigned char it[] = { 0x3B, 0x02, 0x14, 0x50 };
	struct uk_atr_make mk;
	struct uk_config *cfg;
	struct uk_ctx ctx;
	char path[4096];

	ctx_with(&ctx, &cfg, "{\"atr\":{\"entries\":["
	    "{\"id\":\"it-cac\","
	    "\"atr\":\"3B 89 00 56 43 41 52 44 5F 4E 53 53\","
	    "\"make\":{\"type\":36,\"name\":\"十八\","
	    "\"vendor\":\"IT\"},\"modules\":{\"linux\":\"/bin/sh\"}},"
	    "{\"id\":\"it-key\",\"atr\":\"3B 02 14 00\","
	    "\"mask\":\"FF FF FF 00\","
	    "\"make\":{\"type\":27,\"name\":\"二十七\"}}]}}");
	ck_assert_int_eq(uk_pcsc_module_for_atr(&ctx, cac, sizeof(cac), &mk,
	    path, sizeof(path)), 0);
	ck_assert_str_eq(mk.id, "it-cac");
	ck_assert_int_eq(mk.type, 36);
	ck_assert_str_eq(mk.name, "十八");
	ck_assert_str_eq(path, "/bin/sh");
	ck_assert_int_eq(uk_pcsc_module_for_atr(&ctx, it, sizeof(it), &mk,
	    path, sizeof(path)), 0);
	ck_assert_str_eq(mk.id, "it-key");
	ck_assert_str_eq(path, "");
	ctx_done(&ctx, cfg);

	/* builtin = false: only IT's entries. */
	ctx_with(&ctx, &cfg, "{\"atr\":{\"builtin\":false}}");
	ck_assert_int_eq(uk_pcsc_module_for_atr(&ctx, cac, sizeof(cac), &mk,
	    path, sizeof(path)), UK_ERR_TOKEN_NOT_FOUND);
	ctx_done(&ctx, cfg);
}
END_TEST

static char *
diagnose_text(struct uk_ctx *ctx, int *problemsp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	*problemsp = uk_pcsc_module.diagnose(ctx, fp);
	fclose(fp);
	return buf;
}

/* No pcscd, a broken installed table, an unknown ATR seen: all reported. */
START_TEST(test_diagnose)
{
	static const unsigned char odd[] = { 0x3B, 0x02, 0x14, 0x50 };
	struct uk_config *cfg;
	struct uk_ctx ctx;
	char *dir, *text;
	cJSON *o;
	int problems;

	ck_assert_ptr_nonnull(dir = uk_test_write_temp("atr.json",
	    "{\"version\":1,\"entries\":[{\"id\":\"x\"}]}"));
	*strrchr(dir, '/') = '\0';
	setenv("UKEYLINK_DATA_DIR", dir, 1);
	setenv("PCSCLITE_CSOCK_NAME", NO_PCSCD, 1);
	ctx_with(&ctx, &cfg, NULL);
	text = diagnose_text(&ctx, &problems);
	ck_assert_int_eq(problems, 2);
	ck_assert_msg(strstr(text, "built-in copy (5 entries)") != NULL, "%s",
	    text);
	ck_assert_msg(strstr(text, "atr.entries[0]") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "pcscd) is not running") != NULL, "%s",
	    text);
	free(text);
	ck_assert_ptr_nonnull(o = cJSON_CreateObject());
	ck_assert_int_eq(uk_pcsc_card_json(&ctx, "Reader X", odd, sizeof(odd),
	    o), 0);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(o, "known")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "make")));
	ck_assert_str_eq(cJSON_GetObjectItem(o, "atr")->valuestring,
	    "3B 02 14 50");
	cJSON_Delete(o);
	text = diagnose_text(&ctx, &problems);
	ck_assert_int_eq(problems, 3);
	ck_assert_msg(strstr(text, "Reader X: unknown ATR 3B 02 14 50") !=
	    NULL, "%s", text);
	free(text);
	ctx_done(&ctx, cfg);
	unsetenv("UKEYLINK_DATA_DIR");
	unsetenv("PCSCLITE_CSOCK_NAME");
	free(dir);
}
END_TEST

static const char *
err_name(cJSON *resp)
{
	cJSON *e = cJSON_GetObjectItem(resp, "error");

	return e ? cJSON_GetObjectItem(e, "name")->valuestring : "(none)";
}

/* The host without a PC/SC service: clear errors, and it keeps serving. */
START_TEST(test_host_without_pcscd)
{
	struct uk_hostproc hp;
	cJSON *resp, *res;

	setenv("PCSCLITE_CSOCK_NAME", NO_PCSCD, 1);
	ck_assert_int_eq(uk_hostproc_start_test(&hp, NULL), 0);
	resp = uk_hostproc_call(&hp, 1, "reader.list", "{}", UK_TEST_ORIGIN);
	ck_assert_str_eq(err_name(resp), "PCSC_UNAVAILABLE");
	cJSON_Delete(resp);
	resp = uk_hostproc_call(&hp, 2, "reader.devices", "{}",
	    UK_TEST_ORIGIN);
	ck_assert_str_eq(err_name(resp), "PCSC_UNAVAILABLE");
	cJSON_Delete(resp);
	resp = uk_hostproc_call(&hp, 3, "reader.list", "{\"x\":1}",
	    UK_TEST_ORIGIN);
	ck_assert_str_eq(err_name(resp), "INVALID_PARAM");
	cJSON_Delete(resp);
	resp = uk_hostproc_call(&hp, 4, "reader.watch", "{\"enable\":1}",
	    UK_TEST_ORIGIN);
	ck_assert_str_eq(err_name(resp), "INVALID_PARAM");
	cJSON_Delete(resp);
	resp = uk_hostproc_call(&hp, 5, "reader.watch", "{\"enable\":true}",
	    UK_TEST_ORIGIN);
	ck_assert_ptr_nonnull(res = cJSON_GetObjectItem(resp, "result"));
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(res, "watching")));
	ck_assert_str_eq(cJSON_GetObjectItem(res, "service")->valuestring,
	    "unavailable");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res,
	    "readers")), 0);
	cJSON_Delete(resp);
	resp = uk_hostproc_call(&hp, 6, "reader.watch", "{\"enable\":false}",
	    UK_TEST_ORIGIN);
	ck_assert_ptr_nonnull(res = cJSON_GetObjectItem(resp, "result"));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(res, "watching")));
	cJSON_Delete(resp);
	/* Watching again, then EOF: fini cancels the back-off at once. */
	resp = uk_hostproc_call(&hp, 7, "reader.watch", "{}", UK_TEST_ORIGIN);
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(resp, "result"));
	cJSON_Delete(resp);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 3000), 0);
	unsetenv("PCSCLITE_CSOCK_NAME");
}
END_TEST

/* Accepts a pending connection within ms; 1 when one came. */
static int
accepted(int lfd, int ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int c;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	if ((c = accept(lfd, NULL, NULL)) >= 0)
		close(c);
	return 1;
}

/* Cold start and host.* calls never contact the PC/SC service. */
START_TEST(test_lazy)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct uk_hostproc hp;
	char dir[] = "/tmp/ukpcsc.XXXXXX";
	cJSON *resp;
	int lfd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/pcscd.comm", dir);
	ck_assert_int_ge(lfd = socket(AF_UNIX, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(lfd, 8), 0);
	setenv("PCSCLITE_CSOCK_NAME", sa.sun_path, 1);
	ck_assert_int_eq(uk_hostproc_start_test(&hp, NULL), 0);
	resp = uk_hostproc_call(&hp, 1, "host.version", "{}", UK_TEST_ORIGIN);
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(resp, "result"));
	cJSON_Delete(resp);
	resp = uk_hostproc_call(&hp, 2, "host.capabilities", "{}",
	    UK_TEST_ORIGIN);
	cJSON_Delete(resp);
	ck_assert_int_eq(accepted(lfd, 300), 0);
	/* The first reader call does; the fake service then hangs up. */
	ck_assert_int_eq(uk_hostproc_send(&hp, "{\"id\":3,\"method\":"
	    "\"reader.list\",\"params\":{},\"origin\":\"" UK_TEST_ORIGIN
	    "\"}"), 0);
	ck_assert_int_eq(accepted(lfd, 3000), 1);
	uk_hostproc_kill(&hp);
	close(lfd);
	unlink(sa.sun_path);
	rmdir(dir);
	unsetenv("PCSCLITE_CSOCK_NAME");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pcsc");
	TCase *tc = tcase_create("table");
	TCase *th = tcase_create("host");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_known_atr, 0, UK_ARRAY_LEN(known_atrs));
	tcase_add_test(tc, test_unknown_atr);
	tcase_add_test(tc, test_every_entry_has_a_case);
	tcase_add_test(tc, test_builtin_is_the_file);
	tcase_add_test(tc, test_hex);
	tcase_add_test(tc, test_bad_table);
	tcase_add_test(tc, test_bad_file);
	tcase_add_test(tc, test_plugged_list);
	tcase_add_test(tc, test_config_section);
	tcase_add_test(tc, test_module_for_atr);
	tcase_add_test(tc, test_config_override);
	tcase_add_test(tc, test_diagnose);
	tcase_add_test(th, test_host_without_pcscd);
	tcase_add_test(th, test_lazy);
	tcase_set_timeout(th, 30);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, th);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
