/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/* Configuration files and the caller/origin policy. */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "ck_main.h"
#include "config.h"
#include "err.h"
#include "hostproc.h"
#include "policy.h"

static const struct {
	const char *origin;
	int valid;
} origin_cases[] = {
	{ "https://issp.sheca.com", 1 },
	{ "https://issp.sheca.com:8443", 1 },
	{ "http://127.0.0.1:8080", 1 },
	{ "https://a-b.example.cn", 1 },
	{ "ukeylink:ui", 1 },
	{ "https://issp.sheca.com/", 0 },	/* path */
	{ "https://ISSP.sheca.com", 0 },	/* not serialized */
	{ "https://issp.sheca.com.", 0 },
	{ "https://.sheca.com", 0 },
	{ "https://a..b", 0 },
	{ "https://", 0 },
	{ "https://host:0", 0 },
	{ "https://host:65536", 0 },
	{ "https://host:08080", 0 },
	{ "https://host:", 0 },
	{ "https://user@host", 0 },
	{ "https://host?x", 0 },
	{ "ftp://host", 0 },
	{ "chrome-extension://abc", 0 },
	{ "null", 0 },
	{ "", 0 },
	{ "https://*.sheca.com", 0 },
};

START_TEST(test_origin_syntax)
{
	int r = uk_origin_valid(origin_cases[_i].origin);

	ck_assert_msg((r == 0) == origin_cases[_i].valid, "'%s' -> %d",
	    origin_cases[_i].origin, r);
}
END_TEST

static struct uk_config *
load_user(const char *json)
{
	struct uk_config *cfg = NULL;
	char *path = uk_test_write_temp("config.json", json);

	unsetenv("UKEYLINK_CONFIG");
	ck_assert_int_eq(uk_config_load("/nonexistent/system.json", path,
	    &cfg), 0);
	free(path);
	return cfg;
}

START_TEST(test_defaults)
{
	struct uk_config *cfg = NULL;

	ck_assert_int_eq(uk_config_defaults(&cfg), 0);
	ck_assert_uint_eq(uk_policy_caps(cfg, "https://issp.sheca.com"),
	    UK_CAP_ALL);
	ck_assert_uint_eq(uk_policy_caps(cfg, "https://issp.shcca.com"),
	    UK_CAP_ALL);
	/* The manual's plain-http address is not allowed by default. */
	ck_assert_uint_eq(uk_policy_caps(cfg, "http://issp.sheca.com"), 0);
	ck_assert_uint_eq(uk_policy_caps(cfg, "https://evil.example"), 0);
	ck_assert_uint_eq(uk_policy_caps(cfg, UK_ORIGIN_UI),
	    UK_CAP_READ | UK_CAP_SIGN);
	ck_assert_uint_eq(uk_config_max_request(cfg), 32 * 1024 * 1024);
	uk_config_free(cfg);
}
END_TEST

START_TEST(test_user_file_applied)
{
	struct uk_config *cfg = load_user("{\"origins\":[{\"origin\":"
	    "\"https://gov.example.cn\",\"capabilities\":[\"read\",\"sign\"]}],"
	    "\"limits\":{\"maxRequestBytes\":4096}}");
	const struct uk_config_file *f;
	size_t n;

	f = uk_config_files(cfg, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(f[1].used, 1);
	ck_assert_str_eq(f[1].problem, "");
	/* "origins" replaced as a whole. */
	ck_assert_uint_eq(uk_policy_caps(cfg, "https://gov.example.cn"),
	    UK_CAP_READ | UK_CAP_SIGN);
	ck_assert_uint_eq(uk_policy_caps(cfg, "https://issp.sheca.com"), 0);
	ck_assert_uint_eq(uk_config_max_request(cfg), 4096);
	uk_config_free(cfg);
}
END_TEST

static const struct {
	const char *json;
	const char *problem;
} bad_configs[] = {
	{ "[]", "'(top)': must be a JSON object" },
	{ "{\"orgins\":[]}", "'orgins': unknown member" },
	{ "{\"origins\":[{\"origin\":\"https://x.cn/\",\"capabilities\":[]}]}",
	    "'origins[].origin': 'https://x.cn/' is not an origin like "
	    "https://host[:port]" },
	{ "{\"origins\":[{\"origin\":\"https://x.cn\",\"capabilities\":"
	    "[\"root\"]}]}", "'origins[].capabilities': unknown capability "
	    "'root' (read, sign, enroll, seal, unlock)" },
	{ "{\"log\":{\"level\":\"loud\"}}",
	    "'log.level': must be error, warn, info or debug" },
	{ "{\"limits\":{\"maxRequestBytes\":1}}", "'limits': "
	    "'maxRequestBytes': out of range" },
	{ "{\"limits\":{\"speed\":1}}", "'speed': unknown limit" },
	{ "{\"extensionIds\":{\"chromium\":\"x\"}}",
	    "'chromium': must be an array of strings" },
	{ "{,}", "not valid JSON (Message is not valid JSON)" },
};

START_TEST(test_bad_file_ignored)
{
	struct uk_config *cfg = load_user(bad_configs[_i].json);
	const struct uk_config_file *f;
	size_t n;

	f = uk_config_files(cfg, &n);
	ck_assert_int_eq(f[1].found, 1);
	ck_assert_int_eq(f[1].used, 0);
	ck_assert_str_eq(f[1].problem, bad_configs[_i].problem);
	/* The defaults stay in force: a typo never loosens policy. */
	ck_assert_uint_eq(uk_policy_caps(cfg, "https://issp.sheca.com"),
	    UK_CAP_ALL);
	uk_config_free(cfg);
}
END_TEST

START_TEST(test_lock_user_config)
{
	struct uk_config *cfg = NULL;
	char *sys = uk_test_write_temp("system.json",
	    "{\"lockUserConfig\":true}");
	char *user = uk_test_write_temp("user.json",
	    "{\"origins\":[{\"origin\":\"https://evil.example\","
	    "\"capabilities\":[\"enroll\"]}]}");
	const struct uk_config_file *f;
	size_t n;

	unsetenv("UKEYLINK_CONFIG");
	ck_assert_int_eq(uk_config_load(sys, user, &cfg), 0);
	f = uk_config_files(cfg, &n);
	ck_assert_int_eq(f[0].used, 1);
	ck_assert_int_eq(f[1].used, 0);
	ck_assert_uint_eq(uk_policy_caps(cfg, "https://evil.example"), 0);
	uk_config_free(cfg);
	free(sys);
	free(user);
}
END_TEST

static const struct {
	int argc;
	const char *argv[4];
	int want;
	const char *browser;
	const char *id;
} callers[] = {
	{ 2, { "h", "chrome-extension://" UK_TEST_CHROMIUM_ID "/" }, 0,
	    "chromium", UK_TEST_CHROMIUM_ID },
	{ 3, { "h", "/home/u/.mozilla/native-messaging-hosts/x.json",
	    "ukeylink@sheca.com" }, 0, "firefox", "ukeylink@sheca.com" },
	{ 2, { "h", "chrome-extension://bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/" },
	    UK_ERR_CALLER_NOT_ALLOWED, NULL, NULL },
	{ 2, { "h", "chrome-extension://" UK_TEST_CHROMIUM_ID }, /* no / */
	    UK_ERR_CALLER_NOT_ALLOWED, NULL, NULL },
	{ 2, { "h", "chrome-extension://" UK_TEST_CHROMIUM_ID "/x" },
	    UK_ERR_CALLER_NOT_ALLOWED, NULL, NULL },
	{ 3, { "h", "/x.json", "evil@example.com" },
	    UK_ERR_CALLER_NOT_ALLOWED, NULL, NULL },
	{ 1, { "h" }, UK_ERR_CALLER_NOT_ALLOWED, NULL, NULL },
	{ 2, { "h", "/x.json" }, UK_ERR_CALLER_NOT_ALLOWED, NULL, NULL },
};

START_TEST(test_callers)
{
	struct uk_config *cfg = load_user("{\"extensionIds\":{\"chromium\":"
	    "[\"" UK_TEST_CHROMIUM_ID "\"],\"firefox\":"
	    "[\"ukeylink@sheca.com\"]}}");
	const char *browser = "x";
	char id[160], why[256];
	int r;

	r = uk_policy_check_caller(cfg, callers[_i].argc,
	    (char *const *)callers[_i].argv, &browser, id, sizeof(id), why,
	    sizeof(why));
	ck_assert_int_eq(r, callers[_i].want);
	if (r == 0) {
		ck_assert_str_eq(browser, callers[_i].browser);
		ck_assert_str_eq(id, callers[_i].id);
	} else {
		ck_assert_ptr_null(browser);
		ck_assert(strlen(why) > 0);
	}
	uk_config_free(cfg);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_origin_syntax, 0,
	    UK_ARRAY_LEN(origin_cases));
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_user_file_applied);
	tcase_add_loop_test(tc, test_bad_file_ignored, 0,
	    UK_ARRAY_LEN(bad_configs));
	tcase_add_test(tc, test_lock_user_config);
	tcase_add_loop_test(tc, test_callers, 0, UK_ARRAY_LEN(callers));
	suite_add_tcase(s, tc);
	return uk_ck_run(s);
}
