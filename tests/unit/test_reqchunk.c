/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Requests in chunks (reqchunk.h), through the real ukeylink-host binary:
 * the reassembled request is handled as if it came in one message, every
 * broken sequence gets an error for its id and the host keeps serving,
 * the size limit applies to the whole request, and a PIN sent in chunks
 * stays out of a debug log.
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
#include "reqchunk.h"

#define BIG	(600 * 1024)	/* data of a chunk that is not the last */

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

/* Sends one chunk message whose data is s[0..len). */
static void
send_chunk(struct uk_hostproc *h, int64_t id, int64_t k, int64_t of,
    const char *s, size_t len)
{
	cJSON *m = cJSON_CreateObject();
	char *data = malloc(len + 1), *text;

	memcpy(data, s, len);
	data[len] = '\0';
	cJSON_AddNumberToObject(m, "id", (double)id);
	cJSON_AddNumberToObject(m, "chunk", (double)k);
	cJSON_AddNumberToObject(m, "of", (double)of);
	cJSON_AddStringToObject(m, "data", data);
	text = cJSON_PrintUnformatted(m);
	ck_assert_int_eq(uk_hostproc_send(h, text), 0);
	cJSON_free(text);
	cJSON_Delete(m);
	free(data);
}

/* Sends text cut at the offsets cuts[0..n) (ascending, inside text). */
static void
send_cut(struct uk_hostproc *h, int64_t id, const char *text,
    const size_t *cuts, size_t n)
{
	size_t i, from = 0, to;

	for (i = 0; i <= n; i++) {
		to = i < n ? cuts[i] : strlen(text);
		send_chunk(h, id, (int64_t)i, (int64_t)n + 1, text + from,
		    to - from);
		from = to;
	}
}

/* n bytes of filler (free it). */
static char *
filler(size_t n)
{
	char *s = malloc(n + 1);

	memset(s, 'x', n);
	s[n] = '\0';
	return s;
}

/* The response for id: its error code, 0 for a result. */
static int
code_for(struct uk_hostproc *h, int64_t id)
{
	cJSON *resp = uk_hostproc_response(h, id, 20000, NULL), *e, *rid;
	int code = 0;

	ck_assert_ptr_nonnull(resp);
	rid = cJSON_GetObjectItem(resp, "id");
	if (id < 0)
		ck_assert(cJSON_IsNull(rid));
	else
		ck_assert_int_eq((int64_t)rid->valuedouble, id);
	if ((e = cJSON_GetObjectItem(resp, "error")) != NULL)
		code = cJSON_GetObjectItem(e, "code")->valueint;
	else
		ck_assert_ptr_nonnull(cJSON_GetObjectItem(resp, "result"));
	cJSON_Delete(resp);
	return code;
}

/* Offset of the UTF-8 character boundary at or before off. */
static size_t
char_start(const char *s, size_t off)
{
	while (off > 0 && ((unsigned char)s[off] & 0xc0) == 0x80)
		off--;
	return off;
}

/*
 * A 3 MiB host.ping whose data mixes Chinese text and characters JSON
 * escapes, cut at character boundaries (one cut between a backslash and
 * the character it escapes): the echo is the data, byte for byte.
 */
START_TEST(test_chunked_ping)
{
	static const char unit[] =
	    "签名数据\"引号\\反斜杠\n换行\t制表 ok ";
	size_t n = 3 * 1024 * 1024, have = 0, cuts[8], nc, len;
	size_t i, ulen = strlen(unit);
	char *payload = malloc(n + ulen + 1), *text, *bs;
	cJSON *req = cJSON_CreateObject(), *params, *r;
	const char *echo;

	while (have < n) {
		memcpy(payload + have, unit, ulen);
		have += ulen;
	}
	payload[have] = '\0';
	cJSON_AddNumberToObject(req, "id", 77);
	cJSON_AddStringToObject(req, "method", "host.ping");
	params = cJSON_AddObjectToObject(req, "params");
	cJSON_AddStringToObject(params, "data", payload);
	cJSON_AddStringToObject(req, "origin", UK_TEST_ORIGIN);
	text = cJSON_PrintUnformatted(req);
	len = strlen(text);
	ck_assert_uint_gt(len, 3 * 1024 * 1024);
	for (nc = 0; nc == 0 || len - cuts[nc - 1] > UK_FRAME_OUT_MAX; nc++)
		cuts[nc] = char_start(text, (nc + 1) * (UK_FRAME_OUT_MAX - 100));
	ck_assert_uint_ge(nc, 3);
	/* Second cut right after a backslash. */
	bs = strchr(text + cuts[1] - 64, '\\');
	ck_assert_ptr_nonnull(bs);
	cuts[1] = (size_t)(bs - text) + 1;
	for (i = 1; i < nc; i++)
		ck_assert_uint_le(cuts[i] - cuts[i - 1], UK_FRAME_OUT_MAX);
	send_cut(&hp, 77, text, cuts, nc);
	r = uk_hostproc_response(&hp, 77, 20000, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_msg(cJSON_GetObjectItem(r, "result") != NULL, "%s",
	    cJSON_PrintUnformatted(r));
	echo = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "result"),
	    "data")->valuestring;
	ck_assert_uint_eq(strlen(echo), have);
	ck_assert_mem_eq(echo, payload, have);
	cJSON_Delete(r);
	cJSON_free(text);
	cJSON_Delete(req);
	free(payload);
	uk_hc_assert_alive(&hp, 78);
}
END_TEST

/* A reassembled text that is not a request is refused as one would be. */
START_TEST(test_chunked_not_json)
{
	char *x = filler(BIG);

	send_chunk(&hp, 5, 0, 2, x, BIG);
	send_chunk(&hp, 5, 1, 2, "}", 1);
	/* answered under the chunks' id: the sender waits on it */
	ck_assert_int_eq(code_for(&hp, 5), UK_ERR_NOT_JSON);
	uk_hc_assert_alive(&hp, 6);
	free(x);
}
END_TEST

/* A reassembled request whose own id is not its chunks' id is refused
 * under the chunks' id (the one its upload progress carried). */
START_TEST(test_chunked_id_mismatch)
{
	char *x = filler(BIG), *req;
	size_t cut = BIG - 1000;	/* chunk 0 at least the minimum */

	req = malloc(BIG + 128);
	ck_assert_ptr_nonnull(req);
	snprintf(req, BIG + 128, "{\"id\":8,\"method\":\"host.ping\","
	    "\"origin\":\"%s\",\"params\":{\"data\":\"%s\"}}",
	    UK_TEST_ORIGIN, x);
	send_cut(&hp, 7, req, &cut, 1);
	ck_assert_int_eq(code_for(&hp, 7), UK_ERR_BAD_REQUEST);
	uk_hc_assert_alive(&hp, 9);
	free(req);
	free(x);
}
END_TEST

/* Broken sequences: each gets its error, then the host still serves. */
START_TEST(test_chunk_errors)
{
	char *x = filler(UK_FRAME_OUT_MAX + 1);

	/* A chunk but the first without chunk 0. */
	send_chunk(&hp, 5, 1, 3, x, BIG);
	ck_assert_int_eq(code_for(&hp, 5), UK_ERR_BAD_REQUEST);
	uk_hc_assert_alive(&hp, 100);
	/* Out of order. */
	send_chunk(&hp, 5, 0, 3, x, BIG);
	send_chunk(&hp, 5, 2, 3, x, 10);
	ck_assert_int_eq(code_for(&hp, 5), UK_ERR_BAD_REQUEST);
	uk_hc_assert_alive(&hp, 101);
	/* of changes. */
	send_chunk(&hp, 5, 0, 3, x, BIG);
	send_chunk(&hp, 5, 1, 4, x, BIG);
	ck_assert_int_eq(code_for(&hp, 5), UK_ERR_BAD_REQUEST);
	uk_hc_assert_alive(&hp, 102);
	/* Another id: both requests are answered. */
	send_chunk(&hp, 5, 0, 3, x, BIG);
	send_chunk(&hp, 6, 1, 3, x, BIG);
	ck_assert_int_eq(code_for(&hp, 5), UK_ERR_BAD_REQUEST);
	ck_assert_int_eq(code_for(&hp, 6), UK_ERR_BAD_REQUEST);
	uk_hc_assert_alive(&hp, 103);
	/* A request in the middle: the reassembly fails, the ping works. */
	send_chunk(&hp, 5, 0, 3, x, BIG);
	ck_assert_int_eq(uk_hostproc_send(&hp, "{\"id\":104,\"method\":"
	    "\"host.ping\",\"origin\":\"" UK_TEST_ORIGIN "\"}"), 0);
	ck_assert_int_eq(code_for(&hp, 5), UK_ERR_BAD_REQUEST);
	ck_assert_int_eq(code_for(&hp, 104), 0);
	/* Something that is not JSON in the middle. */
	send_chunk(&hp, 5, 0, 3, x, BIG);
	ck_assert_int_eq(uk_hostproc_send(&hp, "not json"), 0);
	ck_assert_int_eq(code_for(&hp, 5), UK_ERR_BAD_REQUEST);
	ck_assert_int_eq(code_for(&hp, -1), UK_ERR_NOT_JSON);
	uk_hc_assert_alive(&hp, 105);
	/* A framing error (zero length) in the middle. */
	send_chunk(&hp, 5, 0, 3, x, BIG);
	ck_assert_int_eq(uk_hostproc_send_raw(&hp, 0, NULL, 0), 0);
	ck_assert_int_eq(code_for(&hp, 5), UK_ERR_BAD_REQUEST);
	ck_assert_int_eq(code_for(&hp, -1), UK_ERR_BAD_REQUEST);
	uk_hc_assert_alive(&hp, 106);
	/* Data not a string, in the middle and at the start. */
	send_chunk(&hp, 5, 0, 3, x, BIG);
	ck_assert_int_eq(uk_hostproc_send(&hp, "{\"id\":5,\"chunk\":1,"
	    "\"of\":3,\"data\":7}"), 0);
	ck_assert_int_eq(code_for(&hp, 5), UK_ERR_BAD_REQUEST);
	ck_assert_int_eq(uk_hostproc_send(&hp, "{\"data\":null,\"of\":2,"
	    "\"chunk\":0,\"id\":8}"), 0);
	ck_assert_int_eq(code_for(&hp, 8), UK_ERR_BAD_REQUEST);
	/* Bad id, of < 2, chunk >= of. */
	ck_assert_int_eq(uk_hostproc_send(&hp, "{\"id\":\"5\",\"chunk\":0,"
	    "\"of\":2,\"data\":\"x\"}"), 0);
	ck_assert_int_eq(code_for(&hp, -1), UK_ERR_BAD_REQUEST);
	send_chunk(&hp, 9, 0, 1, "{}", 2);
	ck_assert_int_eq(code_for(&hp, 9), UK_ERR_BAD_REQUEST);
	send_chunk(&hp, 9, 2, 2, "{}", 2);
	ck_assert_int_eq(code_for(&hp, 9), UK_ERR_BAD_REQUEST);
	/* Data sizes: empty, short but not last, over 1 MiB. */
	send_chunk(&hp, 10, 0, 2, x, 0);
	ck_assert_int_eq(code_for(&hp, 10), UK_ERR_BAD_REQUEST);
	send_chunk(&hp, 10, 0, 2, x, UK_REQCHUNK_MIN - 1);
	ck_assert_int_eq(code_for(&hp, 10), UK_ERR_BAD_REQUEST);
	send_chunk(&hp, 10, 0, 2, x, UK_FRAME_OUT_MAX + 1);
	ck_assert_int_eq(code_for(&hp, 10), UK_ERR_BAD_REQUEST);
	uk_hc_assert_alive(&hp, 107);
	free(x);
}
END_TEST

/* maxRequestBytes applies to the reassembled request. */
START_TEST(test_chunked_limit)
{
	struct uk_hostproc h2;
	char *x = filler(UK_FRAME_OUT_MAX);

	/* 2 MiB: at least 4 chunks of 512 KiB + 1 byte cannot fit. */
	ck_assert_int_eq(uk_hostproc_start_test(&h2, "{\"extensionIds\":"
	    "{\"chromium\":[\"" UK_TEST_CHROMIUM_ID "\"]},\"limits\":"
	    "{\"maxRequestBytes\":2097152}}"), 0);
	send_chunk(&h2, 3, 0, 5, x, BIG);
	ck_assert_int_eq(code_for(&h2, 3), UK_ERR_MESSAGE_TOO_LARGE);
	/* of = 4 could fit; the third 1 MiB goes over. */
	send_chunk(&h2, 4, 0, 4, x, UK_FRAME_OUT_MAX);
	send_chunk(&h2, 4, 1, 4, x, UK_FRAME_OUT_MAX);
	send_chunk(&h2, 4, 2, 4, x, UK_FRAME_OUT_MAX);
	ck_assert_int_eq(code_for(&h2, 4), UK_ERR_MESSAGE_TOO_LARGE);
	/* The last chunk goes over, by one byte. */
	send_chunk(&h2, 6, 0, 3, x, UK_FRAME_OUT_MAX);
	send_chunk(&h2, 6, 1, 3, x, UK_FRAME_OUT_MAX);
	send_chunk(&h2, 6, 2, 3, x, 1);
	ck_assert_int_eq(code_for(&h2, 6), UK_ERR_MESSAGE_TOO_LARGE);
	/* Still serving. */
	ck_assert_int_eq(uk_hostproc_send(&h2, "{\"id\":7,\"method\":"
	    "\"host.ping\",\"origin\":\"" UK_TEST_ORIGIN "\"}"), 0);
	ck_assert_int_eq(code_for(&h2, 7), 0);
	ck_assert_int_eq(uk_hostproc_finish(&h2, 5000), 0);
	free(x);
}
END_TEST

/* EOF between chunks: a clean exit, as between messages. */
START_TEST(test_eof_inside_chunks)
{
	char *x = filler(BIG);

	send_chunk(&hp, 5, 0, 3, x, BIG);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 5000), 0);
	free(x);
}
END_TEST

/* A token.login in chunks, the PIN cut in two: not in a debug log. */
START_TEST(test_no_pin_in_log)
{
	struct uk_hostproc h2;
	const char *secret = "S3cr3t-PIN-774411";
	char cfgjson[800], logpath[512], *text;
	char *log = calloc(1, 1 << 20), *pin;
	size_t n, cut;
	FILE *fp;

	snprintf(logpath, sizeof(logpath), "/tmp/uk-rclog-%d.log", getpid());
	snprintf(cfgjson, sizeof(cfgjson), "{\"extensionIds\":{\"chromium\":"
	    "[\"" UK_TEST_CHROMIUM_ID "\"]},\"origins\":[{\"origin\":\""
	    UK_TEST_ORIGIN "\",\"capabilities\":[\"read\",\"sign\"]}],"
	    "\"log\":{\"level\":\"debug\",\"destination\":\"%s\"}}", logpath);
	ck_assert_int_eq(uk_hostproc_start_test(&h2, cfgjson), 0);
	/* Whitespace makes the request big enough for chunks. */
	text = malloc(BIG + 512);
	n = (size_t)snprintf(text, 512, "{\"id\":3,\"method\":\"token.login\","
	    "\"origin\":\"" UK_TEST_ORIGIN "\",");
	memset(text + n, ' ', BIG);
	snprintf(text + n + BIG, 512, "\"params\":{\"token\":\"m0-s1-00\","
	    "\"pin\":\"%s\"}}", secret);
	pin = strstr(text, secret);
	cut = (size_t)(pin - text) + 6;
	send_cut(&h2, 3, text, &cut, 1);
	ck_assert_int_ne(code_for(&h2, 3), 0);	/* no such token */
	/* And a broken sequence that ends inside the PIN. */
	send_chunk(&h2, 4, 0, 3, text, cut);
	send_chunk(&h2, 4, 2, 3, text + cut, 8);
	ck_assert_int_eq(code_for(&h2, 4), UK_ERR_BAD_REQUEST);
	ck_assert_int_eq(uk_hostproc_finish(&h2, 5000), 0);
	ck_assert_ptr_nonnull(fp = fopen(logpath, "r"));
	n = fread(log, 1, (1 << 20) - 1, fp);
	fclose(fp);
	ck_assert_ptr_nonnull(strstr(log, "token.login"));
	ck_assert_ptr_nonnull(strstr(log, "arriving in 2 chunks"));
	ck_assert_ptr_null(strstr(log, secret));
	ck_assert_ptr_null(strstr(log, "S3cr3t"));
	ck_assert_ptr_null(strstr(log, "774411"));
	unlink(logpath);
	free(text);
	free(log);
}
END_TEST

/*
 * Upload progress (protocol.md, "Events": stage "upload").  The response
 * for id, with its error code in *codep (0 for a result); returns the
 * events that came before it (an array, maybe empty; cJSON_Delete it).
 */
static cJSON *
events_before(struct uk_hostproc *h, int64_t id, int *codep)
{
	cJSON *events = NULL, *resp, *e;

	resp = uk_hostproc_response(h, id, 20000, &events);
	ck_assert_ptr_nonnull(resp);
	*codep = 0;
	if ((e = cJSON_GetObjectItem(resp, "error")) != NULL)
		*codep = cJSON_GetObjectItem(e, "code")->valueint;
	else
		ck_assert_ptr_nonnull(cJSON_GetObjectItem(resp, "result"));
	cJSON_Delete(resp);
	return events != NULL ? events : cJSON_CreateArray();
}

/* ev is exactly {"event":"progress","id","done","total","stage":"upload"}. */
static void
assert_upload(const cJSON *ev, int64_t id, int64_t done, int64_t total)
{
	char *text = cJSON_PrintUnformatted(ev);

	ck_assert_msg(cJSON_GetArraySize(ev) == 5, "%s", text);
	ck_assert_str_eq(cJSON_GetObjectItem(ev, "event")->valuestring,
	    "progress");
	ck_assert_str_eq(cJSON_GetObjectItem(ev, "stage")->valuestring,
	    "upload");
	ck_assert_msg((int64_t)cJSON_GetObjectItem(ev, "id")->valuedouble == id &&
	    (int64_t)cJSON_GetObjectItem(ev, "done")->valuedouble == done &&
	    (int64_t)cJSON_GetObjectItem(ev, "total")->valuedouble == total,
	    "want id %lld done %lld total %lld: %s", (long long)id,
	    (long long)done, (long long)total, text);
	cJSON_free(text);
}

/* A ping answered with no event before it: nothing came late. */
static void
assert_no_more_events(struct uk_hostproc *h)
{
	cJSON *events;
	char *text;
	int code;

	ck_assert_int_eq(uk_hostproc_send(h, "{\"id\":999,\"method\":"
	    "\"host.ping\",\"origin\":\"" UK_TEST_ORIGIN "\"}"), 0);
	events = events_before(h, 999, &code);
	ck_assert_int_eq(code, 0);
	text = cJSON_PrintUnformatted(events);
	ck_assert_msg(cJSON_GetArraySize(events) == 0, "late events: %s", text);
	cJSON_free(text);
	cJSON_Delete(events);
}

/* A request of k chunks: k - 1 upload events, in order, then the answer. */
START_TEST(test_upload_progress)
{
	/* An id past 32 bits (send_chunk writes ids through cJSON, exact
	 * below 2^52). */
	static const int64_t ids[] = { 21, 1099511627783LL };
	static const size_t ks[] = { 2, 5 };
	size_t i, j, k, n, cuts[8];
	int64_t id;
	cJSON *events;
	char *text;
	int code;

	for (i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		k = ks[i];
		id = ids[i];
		/* Whitespace makes a host.ping of k - 1 full chunks and a
		 * short last one. */
		text = malloc((k - 1) * BIG + 512);
		n = (size_t)snprintf(text, 512, "{\"id\":%lld,\"method\":"
		    "\"host.ping\",\"origin\":\"" UK_TEST_ORIGIN "\",",
		    (long long)id);
		memset(text + n, ' ', (k - 1) * BIG - n);
		snprintf(text + (k - 1) * BIG, 512,
		    "\"params\":{\"data\":\"up\"}}");
		for (j = 0; j + 1 < k; j++)
			cuts[j] = (j + 1) * BIG;
		send_cut(&hp, id, text, cuts, k - 1);
		events = events_before(&hp, id, &code);
		ck_assert_int_eq(code, 0);
		ck_assert_int_eq(cJSON_GetArraySize(events), (int)(k - 1));
		for (j = 0; j + 1 < k; j++)
			assert_upload(cJSON_GetArrayItem(events, (int)j), id,
			    (int64_t)j + 1, (int64_t)k);
		cJSON_Delete(events);
		free(text);
	}
	assert_no_more_events(&hp);
}
END_TEST

/*
 * Broken sequences: an event for each chunk accepted before the error,
 * none for the chunk refused, none after the error.
 */
START_TEST(test_upload_progress_errors)
{
	char *x = filler(UK_FRAME_OUT_MAX + 1);
	cJSON *events;
	int code;

	/* Chunk 0 refused (too short for a chunk that is not the last). */
	send_chunk(&hp, 5, 0, 3, x, UK_REQCHUNK_MIN - 1);
	events = events_before(&hp, 5, &code);
	ck_assert_int_eq(code, UK_ERR_BAD_REQUEST);
	ck_assert_int_eq(cJSON_GetArraySize(events), 0);
	cJSON_Delete(events);
	assert_no_more_events(&hp);
	/* Two chunks accepted, then one out of order. */
	send_chunk(&hp, 6, 0, 4, x, BIG);
	send_chunk(&hp, 6, 1, 4, x, BIG);
	send_chunk(&hp, 6, 3, 4, x, 10);
	events = events_before(&hp, 6, &code);
	ck_assert_int_eq(code, UK_ERR_BAD_REQUEST);
	ck_assert_int_eq(cJSON_GetArraySize(events), 2);
	assert_upload(cJSON_GetArrayItem(events, 0), 6, 1, 4);
	assert_upload(cJSON_GetArrayItem(events, 1), 6, 2, 4);
	cJSON_Delete(events);
	assert_no_more_events(&hp);
	/* A chunk 0 of another request breaks in: it starts its own. */
	send_chunk(&hp, 7, 0, 3, x, BIG);
	send_chunk(&hp, 8, 0, 2, x, BIG);
	events = events_before(&hp, 7, &code);
	ck_assert_int_eq(code, UK_ERR_BAD_REQUEST);
	ck_assert_int_eq(cJSON_GetArraySize(events), 1);
	assert_upload(cJSON_GetArrayItem(events, 0), 7, 1, 3);
	cJSON_Delete(events);
	/* ... whose own chunk 0 counts, for request 8. */
	send_chunk(&hp, 8, 1, 2, "}", 1);
	events = events_before(&hp, -1, &code);	/* not JSON: id null */
	ck_assert_int_eq(code, UK_ERR_NOT_JSON);
	ck_assert_int_eq(cJSON_GetArraySize(events), 1);
	assert_upload(cJSON_GetArrayItem(events, 0), 8, 1, 2);
	cJSON_Delete(events);
	assert_no_more_events(&hp);
	/* A request in the middle. */
	send_chunk(&hp, 9, 0, 3, x, BIG);
	ck_assert_int_eq(uk_hostproc_send(&hp, "{\"id\":104,\"method\":"
	    "\"host.ping\",\"origin\":\"" UK_TEST_ORIGIN "\"}"), 0);
	events = events_before(&hp, 9, &code);
	ck_assert_int_eq(code, UK_ERR_BAD_REQUEST);
	ck_assert_int_eq(cJSON_GetArraySize(events), 1);
	assert_upload(cJSON_GetArrayItem(events, 0), 9, 1, 3);
	cJSON_Delete(events);
	events = events_before(&hp, 104, &code);
	ck_assert_int_eq(code, 0);
	ck_assert_int_eq(cJSON_GetArraySize(events), 0);
	cJSON_Delete(events);
	/* A framing error in the middle. */
	send_chunk(&hp, 10, 0, 3, x, BIG);
	ck_assert_int_eq(uk_hostproc_send_raw(&hp, 0, NULL, 0), 0);
	events = events_before(&hp, 10, &code);
	ck_assert_int_eq(code, UK_ERR_BAD_REQUEST);
	ck_assert_int_eq(cJSON_GetArraySize(events), 1);
	assert_upload(cJSON_GetArrayItem(events, 0), 10, 1, 3);
	cJSON_Delete(events);
	events = events_before(&hp, -1, &code);
	ck_assert_int_eq(code, UK_ERR_BAD_REQUEST);
	ck_assert_int_eq(cJSON_GetArraySize(events), 0);
	cJSON_Delete(events);
	assert_no_more_events(&hp);
	free(x);
}
END_TEST

/* The size limit: no event for the chunk that goes over it. */
START_TEST(test_upload_progress_limit)
{
	struct uk_hostproc h2;
	char *x = filler(UK_FRAME_OUT_MAX);
	cJSON *events;
	int code;

	ck_assert_int_eq(uk_hostproc_start_test(&h2, "{\"extensionIds\":"
	    "{\"chromium\":[\"" UK_TEST_CHROMIUM_ID "\"]},\"limits\":"
	    "{\"maxRequestBytes\":2097152}}"), 0);
	/* Refused at chunk 0: of cannot fit. */
	send_chunk(&h2, 3, 0, 5, x, BIG);
	events = events_before(&h2, 3, &code);
	ck_assert_int_eq(code, UK_ERR_MESSAGE_TOO_LARGE);
	ck_assert_int_eq(cJSON_GetArraySize(events), 0);
	cJSON_Delete(events);
	/* The third 1 MiB goes over: events for the first two only. */
	send_chunk(&h2, 4, 0, 4, x, UK_FRAME_OUT_MAX);
	send_chunk(&h2, 4, 1, 4, x, UK_FRAME_OUT_MAX);
	send_chunk(&h2, 4, 2, 4, x, UK_FRAME_OUT_MAX);
	events = events_before(&h2, 4, &code);
	ck_assert_int_eq(code, UK_ERR_MESSAGE_TOO_LARGE);
	ck_assert_int_eq(cJSON_GetArraySize(events), 2);
	assert_upload(cJSON_GetArrayItem(events, 0), 4, 1, 4);
	assert_upload(cJSON_GetArrayItem(events, 1), 4, 2, 4);
	cJSON_Delete(events);
	assert_no_more_events(&h2);
	ck_assert_int_eq(uk_hostproc_finish(&h2, 5000), 0);
	free(x);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("reqchunk");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_chunked_ping);
	tcase_add_test(tc, test_chunked_not_json);
	tcase_add_test(tc, test_chunked_id_mismatch);
	tcase_add_test(tc, test_chunk_errors);
	tcase_add_test(tc, test_chunked_limit);
	tcase_add_test(tc, test_eof_inside_chunks);
	tcase_add_test(tc, test_no_pin_in_log);
	tcase_add_test(tc, test_upload_progress);
	tcase_add_test(tc, test_upload_progress_errors);
	tcase_add_test(tc, test_upload_progress_limit);
	suite_add_tcase(s, tc);
	return uk_ck_run(s);
}
