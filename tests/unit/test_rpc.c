/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Replies: long plain strings leave the response text and go out from
 * where they lie (the request); marks cannot be forged by a page; what is
 * sent is always the response the tree says.
 */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "ck_main.h"
#include "config.h"
#include "err.h"
#include "frame.h"
#include "host.h"
#include "json.h"
#include "rpc.h"

static struct uk_config *cfg;
static struct uk_ctx ctx;

static void
setup(void)
{
	uk_host_init_hooks();
	ck_assert_int_eq(uk_config_defaults(&cfg), 0);
	ck_assert_int_eq(uk_ctx_init(&ctx, cfg, -1), 0);
}

static void
teardown(void)
{
	uk_ctx_fini(&ctx);
	uk_config_free(cfg);
}

/* Runs one request; returns the reply's flat text (checked to be JSON
 * with the echo in it) and how many parts it had. */
static char *
roundtrip(char *req, size_t *nparts, int *plain_from_request)
{
	struct uk_reply *reply;
	const struct uk_part *parts;
	size_t i, n, len = strlen(req);
	const char *lo = req, *hi = req + len;
	char *text;

	ck_assert_int_eq(uk_rpc_handle(&ctx, req, len, &reply), 0);
	parts = uk_reply_parts(reply, &n);
	*nparts = n;
	*plain_from_request = 0;
	for (i = 0; i < n; i++)
		if (parts[i].kind == UK_PART_PLAIN &&
		    (const char *)parts[i].span[0].p >= lo &&
		    (const char *)parts[i].span[0].p < hi)
			*plain_from_request = 1;
	ck_assert_int_eq(uk_reply_id(reply), 7);
	text = uk_reply_text(reply);
	ck_assert_ptr_nonnull(text);
	uk_reply_free(reply);
	return text;
}

static void
check_echo(const char *text, const char *want)
{
	cJSON *resp = cJSON_Parse(text), *data;

	ck_assert_ptr_nonnull(resp);
	data = cJSON_GetObjectItem(cJSON_GetObjectItem(resp, "result"),
	    "data");
	ck_assert_ptr_nonnull(data);
	ck_assert_msg(strcmp(data->valuestring, want) == 0, "echo differs");
	cJSON_Delete(resp);
}

static char *
finish(char *req)
{
	strcat(req, "\"}}");
	return req;
}

START_TEST(test_long_plain_echo_is_not_copied)
{
	char *req = malloc(200000), *want, *text;
	size_t n;
	int from_req;

	ck_assert_ptr_nonnull(req);
	strcpy(req, "{\"id\":7,\"method\":\"host.ping\",\"origin\":"
	    "\"https://issp.sheca.com\",\"params\":{\"data\":\"");
	want = req + strlen(req);
	memset(want, 'Q', 100000);
	want[100000] = '\0';
	want = strdup(want);
	finish(req);
	text = roundtrip(req, &n, &from_req);
	ck_assert_uint_eq(n, 3);		/* text, the echo, text */
	ck_assert_int_eq(from_req, 1);
	check_echo(text, want);
	free(text);
	free(want);
	free(req);
}
END_TEST

START_TEST(test_short_and_escaped_stay_in_text)
{
	char *req = malloc(200000), *text;
	size_t n;
	int from_req;

	ck_assert_ptr_nonnull(req);
	/* short */
	strcpy(req, "{\"id\":7,\"method\":\"host.ping\",\"origin\":"
	    "\"https://issp.sheca.com\",\"params\":{\"data\":\"abc\"}}");
	text = roundtrip(req, &n, &from_req);
	ck_assert_uint_eq(n, 1);
	check_echo(text, "abc");
	free(text);
	/* long, but it needs escaping on the way out */
	strcpy(req, "{\"id\":7,\"method\":\"host.ping\",\"origin\":"
	    "\"https://issp.sheca.com\",\"params\":{\"data\":\"a\\nb");
	memset(req + strlen(req), 'z', 90000);
	req[strlen(req) + 90000] = '\0';
	finish(req);
	text = roundtrip(req, &n, &from_req);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_nonnull(strstr(text, "\"a\\nbzzz"));
	free(text);
	free(req);
}
END_TEST

/* A page that sends text looking like a mark gets it back verbatim. */
START_TEST(test_mark_lookalike)
{
	static const char fake[] = "\\u0001ukblob-0000000000000000-0";
	char *req = malloc(200000), *text, want[64];
	size_t n;
	int from_req;

	ck_assert_ptr_nonnull(req);
	sprintf(req, "{\"id\":7,\"method\":\"host.ping\",\"origin\":"
	    "\"https://issp.sheca.com\",\"params\":{\"data\":\"%s\"}}", fake);
	text = roundtrip(req, &n, &from_req);
	snprintf(want, sizeof(want), "%cukblob-0000000000000000-0", 1);
	check_echo(text, want);
	free(text);
	free(req);
}
END_TEST

/*
 * Ids up to 2^53 - 1 come back exactly, in results and errors (cJSON's
 * own number printing gave 9.00719925474099e+15 for the largest).
 */
START_TEST(test_ids_exact)
{
	static const char *const ids[] = { "0", "4503599627370497",
	    "9007199254740991" };
	struct uk_reply *reply;
	char req[256], want[64], *text;
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		snprintf(req, sizeof(req), "{\"id\":%s,\"method\":\"host.ping\","
		    "\"origin\":\"https://issp.sheca.com\",\"params\":{}}",
		    ids[i]);
		snprintf(want, sizeof(want), "{\"id\":%s,", ids[i]);
		ck_assert_int_eq(uk_rpc_handle(&ctx, req, strlen(req), &reply),
		    0);
		ck_assert_int_eq(uk_reply_id(reply), strtoll(ids[i], NULL, 10));
		text = uk_reply_text(reply);
		ck_assert_msg(strncmp(text, want, strlen(want)) == 0, "%s", text);
		free(text);
		uk_reply_free(reply);
		text = uk_rpc_error_text(strtoll(ids[i], NULL, 10),
		    UK_ERR_BAD_REQUEST, "x");
		ck_assert_msg(strncmp(text, want, strlen(want)) == 0, "%s", text);
		cJSON_free(text);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rpc");
	TCase *tc = tcase_create("reply");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_long_plain_echo_is_not_copied);
	tcase_add_test(tc, test_short_and_escaped_stay_in_text);
	tcase_add_test(tc, test_mark_lookalike);
	tcase_add_test(tc, test_ids_exact);
	suite_add_tcase(s, tc);
	return uk_ck_run(s);
}
