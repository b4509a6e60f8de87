/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The real ukeylink-host binary, driven like a browser drives it: hostile
 * input gets an error and the host keeps serving; EOF ends it cleanly; an
 * unknown caller gets one error and nothing else; secrets stay out of logs.
 */
#include "uk_setup.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "ck_main.h"
#include "err.h"
#include "frame.h"
#include "hostcall.h"
#include "hostproc.h"

static struct uk_hostproc hp;

static void
start(void)
{
	ck_assert_int_eq(uk_hostproc_start_test(&hp, NULL), 0);
}

static void
stop(void)
{
	uk_hostproc_kill(&hp);
}

/* Reads one response and returns its error code (0 for a result). */
static int
response_code(int64_t want_id)
{
	cJSON *resp = uk_hostproc_response(&hp, want_id, 10000, NULL), *e;
	int code = 0;

	ck_assert_ptr_nonnull(resp);
	if ((e = cJSON_GetObjectItem(resp, "error")) != NULL) {
		code = cJSON_GetObjectItem(e, "code")->valueint;
		ck_assert_str_eq(cJSON_GetObjectItem(e, "name")->valuestring,
		    uk_err_name(code));
		ck_assert_str_eq(cJSON_GetObjectItem(e, "message")->valuestring,
		    uk_err_zh(code));
	} else
		ck_assert_ptr_nonnull(cJSON_GetObjectItem(resp, "result"));
	cJSON_Delete(resp);
	return code;
}

START_TEST(test_version)
{
	cJSON *r = uk_hostproc_call(&hp, 7, "host.version", NULL,
	    UK_TEST_ORIGIN), *res, *proto;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(cJSON_GetObjectItem(r, "id")->valueint, 7);
	res = cJSON_GetObjectItem(r, "result");
	ck_assert_str_eq(cJSON_GetObjectItem(res, "name")->valuestring,
	    "ukeylink-host");
	proto = cJSON_GetObjectItem(res, "protocol");
	ck_assert_int_eq(cJSON_GetObjectItem(proto, "major")->valueint, 1);
	cJSON_Delete(r);
}
END_TEST

/* Each bad request, then a good one on the same connection. */
static const struct {
	const char *req;
	int64_t id;	/* id expected in the answer, -1 for null */
	int code;
} bad_requests[] = {
	{ "not json", -1, UK_ERR_NOT_JSON },
	{ "{\"id\":1,\"method\":\"host.ping\",\"origin\":\"https://issp.sheca."
	    "com\"} trailing", -1, UK_ERR_NOT_JSON },
	{ "\"\xff\xfe\"", -1, UK_ERR_NOT_UTF8 },
	{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]"
	    "]]]]]]]]]]]]]]", -1, UK_ERR_TOO_DEEP },
	{ "[1,2]", -1, UK_ERR_BAD_REQUEST },
	{ "{\"id\":\"1\",\"method\":\"host.ping\",\"origin\":\"https://issp."
	    "sheca.com\"}", -1, UK_ERR_BAD_REQUEST },
	{ "{\"id\":-1,\"method\":\"host.ping\",\"origin\":\"https://issp."
	    "sheca.com\"}", -1, UK_ERR_BAD_REQUEST },
	{ "{\"id\":1.5,\"method\":\"host.ping\",\"origin\":\"https://issp."
	    "sheca.com\"}", -1, UK_ERR_BAD_REQUEST },
	{ "{\"id\":2,\"method\":5,\"origin\":\"https://issp.sheca.com\"}", 2,
	    UK_ERR_BAD_REQUEST },
	{ "{\"id\":3,\"method\":\"host.ping\",\"params\":[],\"origin\":"
	    "\"https://issp.sheca.com\"}", 3, UK_ERR_BAD_REQUEST },
	{ "{\"id\":4,\"method\":\"host.ping\"}", 4, UK_ERR_BAD_REQUEST },
	{ "{\"id\":5,\"method\":\"host.ping\",\"origin\":\"https://issp.sheca."
	    "com/evil\"}", 5, UK_ERR_BAD_REQUEST },
	{ "{\"id\":6,\"method\":\"host.ping\",\"origin\":\"https://issp.sheca."
	    "com\",\"extra\":1}", 6, UK_ERR_BAD_REQUEST },
	{ "{\"id\":7,\"method\":\"host.nope\",\"origin\":\"https://issp.sheca."
	    "com\"}", 7, UK_ERR_UNKNOWN_METHOD },
	{ "{\"id\":8,\"method\":\"host.ping\",\"params\":{\"data\":1},"
	    "\"origin\":\"https://issp.sheca.com\"}", 8, UK_ERR_INVALID_PARAM },
	{ "{\"id\":9,\"method\":\"host.ping\",\"params\":{\"x\":1},"
	    "\"origin\":\"https://issp.sheca.com\"}", 9, UK_ERR_INVALID_PARAM },
	{ "{\"id\":10,\"method\":\"host.ping\",\"params\":{\"data\":\"\\u0000"
	    "\"},\"origin\":\"https://issp.sheca.com\"}", -1,
	    UK_ERR_BAD_REQUEST },
};

START_TEST(test_bad_request_keeps_serving)
{
	cJSON *resp, *id;

	ck_assert_int_eq(uk_hostproc_send(&hp, bad_requests[_i].req), 0);
	resp = uk_hostproc_response(&hp, -1, 10000, NULL);
	ck_assert_ptr_nonnull(resp);
	id = cJSON_GetObjectItem(resp, "id");
	if (bad_requests[_i].id < 0)
		ck_assert(cJSON_IsNull(id));
	else
		ck_assert_int_eq(id->valueint, bad_requests[_i].id);
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(resp,
	    "error"), "code")->valueint, bad_requests[_i].code);
	cJSON_Delete(resp);
	uk_hc_assert_alive(&hp, 100);
}
END_TEST

START_TEST(test_framing_errors_keep_serving)
{
	char *big;
	size_t n = UK_FRAME_IN_DEFAULT_MAX + 1;

	/* Zero length. */
	ck_assert_int_eq(uk_hostproc_send_raw(&hp, 0, NULL, 0), 0);
	ck_assert_int_eq(response_code(-1), UK_ERR_BAD_REQUEST);
	uk_hc_assert_alive(&hp, 1);
	/* One byte over the default maximum: read, dropped, answered. */
	big = malloc(n);
	memset(big, ' ', n);
	ck_assert_int_eq(uk_hostproc_send_raw(&hp, (uint32_t)n, big, n), 0);
	free(big);
	ck_assert_int_eq(response_code(-1), UK_ERR_MESSAGE_TOO_LARGE);
	uk_hc_assert_alive(&hp, 2);
}
END_TEST

START_TEST(test_chunked_response)
{
	size_t n = 3 * 1024 * 1024, i;
	char *params = malloc(n + 32), *req;
	cJSON *r;

	strcpy(params, "{\"data\":\"");
	for (i = 9; i < n; i++)
		params[i] = (char)('A' + i % 26);
	strcpy(params + n, "\"}");
	r = uk_hostproc_call(&hp, 42, "host.ping", params, UK_TEST_ORIGIN);
	ck_assert_ptr_nonnull(r);
	req = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "result"),
	    "data")->valuestring;
	ck_assert_uint_eq(strlen(req), n - 9);
	ck_assert_mem_eq(req, params + 9, n - 9);
	cJSON_Delete(r);
	free(params);
	uk_hc_assert_alive(&hp, 43);
}
END_TEST

START_TEST(test_capabilities_per_origin)
{
	cJSON *r, *caps;

	r = uk_hostproc_call(&hp, 1, "host.capabilities", NULL,
	    "https://gov.example.cn");
	caps = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "result"),
	    "capabilities");
	ck_assert_int_eq(cJSON_GetArraySize(caps), 2);
	ck_assert_str_eq(cJSON_GetArrayItem(caps, 0)->valuestring, "read");
	ck_assert_str_eq(cJSON_GetArrayItem(caps, 1)->valuestring, "sign");
	cJSON_Delete(r);
	r = uk_hostproc_call(&hp, 2, "host.capabilities", NULL,
	    "https://unknown.example.cn");
	caps = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "result"),
	    "capabilities");
	ck_assert_int_eq(cJSON_GetArraySize(caps), 0);
	cJSON_Delete(r);
}
END_TEST

START_TEST(test_eof_exits_cleanly)
{
	uk_hc_assert_alive(&hp, 1);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 5000), 0);
}
END_TEST

START_TEST(test_truncated_exits)
{
	/* A header announcing 100 bytes, 3 bytes, then EOF. */
	ck_assert_int_eq(uk_hostproc_send_raw(&hp, 100, "{\"i", 3), 0);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 5000), 1);
}
END_TEST

START_TEST(test_unknown_caller)
{
	struct uk_hostproc other;
	char *const argv[] = { (char *)UK_TEST_HOST_PATH,
	    (char *)"chrome-extension://zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz/",
	    NULL };
	char *const env[] = { (char *)"XDG_CONFIG_HOME=/nonexistent",
	    (char *)"UKEYLINK_CONFIG=/nonexistent/config.json", NULL };
	cJSON *resp;
	char *buf;

	ck_assert_int_eq(uk_hostproc_start(&other, UK_TEST_HOST_PATH, argv,
	    env), 0);
	resp = uk_hostproc_response(&other, -1, 10000, NULL);
	ck_assert_ptr_nonnull(resp);
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(resp,
	    "error"), "code")->valueint, UK_ERR_CALLER_NOT_ALLOWED);
	cJSON_Delete(resp);
	/* Nothing else: the host has exited. */
	ck_assert_int_lt(uk_hostproc_recv(&other, &buf, 5000), 0);
	ck_assert_int_eq(uk_hostproc_finish(&other, 5000), 1);
}
END_TEST

START_TEST(test_firefox_caller)
{
	struct uk_hostproc ff;
	char *path = uk_test_write_temp("c.json", "{\"extensionIds\":"
	    "{\"firefox\":[\"ukeylink@sheca.com\"]}}");
	char env0[600];
	char *const argv[] = { (char *)UK_TEST_HOST_PATH,
	    (char *)"/tmp/cn.sheca.ukeylink.json",
	    (char *)"ukeylink@sheca.com", NULL };
	char *env[] = { env0, (char *)"XDG_CONFIG_HOME=/nonexistent", NULL };
	cJSON *r;

	snprintf(env0, sizeof(env0), "UKEYLINK_CONFIG=%s", path);
	ck_assert_int_eq(uk_hostproc_start(&ff, UK_TEST_HOST_PATH, argv, env),
	    0);
	r = uk_hostproc_call(&ff, 1, "host.version", NULL, UK_TEST_ORIGIN);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(r, "result"));
	cJSON_Delete(r);
	ck_assert_int_eq(uk_hostproc_finish(&ff, 5000), 0);
	free(path);
}
END_TEST

/* Logging at the most verbose level never writes request values. */
START_TEST(test_no_secret_in_log)
{
	struct uk_hostproc h2;
	const char *secret = "S3cr3t-PIN-774411";
	char cfgjson[800], logpath[512], req[512];
	FILE *fp;
	char *log = calloc(1, 1 << 20);
	size_t n;

	snprintf(logpath, sizeof(logpath), "/tmp/uk-log-%d.log", getpid());
	snprintf(cfgjson, sizeof(cfgjson), "{\"extensionIds\":{\"chromium\":"
	    "[\"" UK_TEST_CHROMIUM_ID "\"]},\"log\":{\"level\":\"debug\","
	    "\"destination\":\"%s\"}}", logpath);
	ck_assert_int_eq(uk_hostproc_start_test(&h2, cfgjson), 0);
	/* A secret as a good value, a bad member and a bad method. */
	snprintf(req, sizeof(req), "{\"data\":\"%s\"}", secret);
	cJSON_Delete(uk_hostproc_call(&h2, 1, "host.ping", req,
	    UK_TEST_ORIGIN));
	snprintf(req, sizeof(req), "{\"pin\":\"%s\"}", secret);
	cJSON_Delete(uk_hostproc_call(&h2, 2, "host.ping", req,
	    UK_TEST_ORIGIN));
	cJSON_Delete(uk_hostproc_call(&h2, 3, "token.login", req,
	    UK_TEST_ORIGIN));
	ck_assert_int_eq(uk_hostproc_finish(&h2, 5000), 0);
	ck_assert_ptr_nonnull(fp = fopen(logpath, "r"));
	n = fread(log, 1, (1 << 20) - 1, fp);
	fclose(fp);
	ck_assert_uint_gt(n, 0);	/* the log was written */
	ck_assert_ptr_nonnull(strstr(log, "host.ping"));
	ck_assert_ptr_null(strstr(log, secret));
	unlink(logpath);
	free(log);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("hostproc");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_version);
	tcase_add_loop_test(tc, test_bad_request_keeps_serving, 0,
	    UK_ARRAY_LEN(bad_requests));
	tcase_add_test(tc, test_framing_errors_keep_serving);
	tcase_add_test(tc, test_chunked_response);
	tcase_add_test(tc, test_capabilities_per_origin);
	tcase_add_test(tc, test_eof_exits_cleanly);
	tcase_add_test(tc, test_truncated_exits);
	tcase_add_test(tc, test_unknown_caller);
	tcase_add_test(tc, test_firefox_caller);
	tcase_add_test(tc, test_no_secret_in_log);
	suite_add_tcase(s, tc);
	return uk_ck_run(s);
}
