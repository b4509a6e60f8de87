/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/* Framing: split reads, limits, truncation, chunking round trip. */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "ck_main.h"
#include "err.h"
#include "frame.h"
#include "json.h"

/* Feeds bytes into a pipe from a child, `step` bytes per write with a
 * pause, so the reader sees short reads.  Returns the read end. */
static int
feed(const void *data, size_t len, size_t step)
{
	int p[2];
	pid_t pid;
	size_t off;

	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		for (off = 0; off < len; off += step) {
			size_t n = len - off < step ? len - off : step;
			if (write(p[1], (const char *)data + off, n) < 0)
				_exit(1);
			if (step < len)
				usleep(200);
		}
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

/* Builds header+body for a message whose header says hdr. */
static size_t
frame_bytes(unsigned char *out, uint32_t hdr, const char *body, size_t len)
{
	memcpy(out, &hdr, 4);
	memcpy(out + 4, body, len);
	return 4 + len;
}

START_TEST(test_split_reads)
{
	unsigned char buf[256];
	const char *msg = "{\"id\":1,\"method\":\"host.ping\"}";
	size_t n = frame_bytes(buf, (uint32_t)strlen(msg), msg, strlen(msg));
	char *body;
	size_t len;
	int fd = feed(buf, n, 1);	/* one byte at a time */

	ck_assert_int_eq(uk_frame_read(fd, 1024, &body, &len), 0);
	ck_assert_uint_eq(len, strlen(msg));
	ck_assert_str_eq(body, msg);
	free(body);
	ck_assert_int_eq(uk_frame_read(fd, 1024, &body, &len), UK_FRAME_EOF);
	ck_assert_ptr_null(body);
	close(fd);
	wait(NULL);
}
END_TEST

START_TEST(test_limits_keep_sync)
{
	unsigned char buf[512];
	size_t n = 0;
	char *body;
	size_t len;
	int fd;

	n += frame_bytes(buf + n, 0, "", 0);			/* zero length */
	n += frame_bytes(buf + n, 100, "", 0);			/* too large: */
	memset(buf + n, 'x', 100);				/* its body */
	n += 100;
	n += frame_bytes(buf + n, 10, "0123456789", 10);	/* exactly max */
	n += frame_bytes(buf + n, 2, "{}", 2);
	fd = feed(buf, n, 7);
	ck_assert_int_eq(uk_frame_read(fd, 10, &body, &len),
	    UK_ERR_BAD_REQUEST);
	ck_assert_ptr_null(body);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(uk_frame_read(fd, 10, &body, &len),
	    UK_ERR_MESSAGE_TOO_LARGE);
	ck_assert_ptr_null(body);
	ck_assert_int_eq(uk_frame_read(fd, 10, &body, &len), 0);
	ck_assert_str_eq(body, "0123456789");
	free(body);
	ck_assert_int_eq(uk_frame_read(fd, 10, &body, &len), 0);
	ck_assert_str_eq(body, "{}");
	free(body);
	ck_assert_int_eq(uk_frame_read(fd, 10, &body, &len), UK_FRAME_EOF);
	close(fd);
	wait(NULL);
}
END_TEST

START_TEST(test_truncated)
{
	unsigned char buf[64];
	char *body;
	size_t len;
	int fd;

	/* Header cut short. */
	fd = feed("\x05\x00", 2, 1);
	ck_assert_int_eq(uk_frame_read(fd, 100, &body, &len),
	    UK_ERR_MESSAGE_TRUNCATED);
	ck_assert_ptr_null(body);
	close(fd);
	wait(NULL);
	/* Body cut short. */
	fd = feed(buf, frame_bytes(buf, 10, "abc", 3), 2);
	ck_assert_int_eq(uk_frame_read(fd, 100, &body, &len),
	    UK_ERR_MESSAGE_TRUNCATED);
	ck_assert_ptr_null(body);
	ck_assert_uint_eq(len, 0);
	close(fd);
	wait(NULL);
	/* Oversized body cut short while being discarded. */
	fd = feed(buf, frame_bytes(buf, 1000, "abc", 3), 3);
	ck_assert_int_eq(uk_frame_read(fd, 100, &body, &len),
	    UK_ERR_MESSAGE_TRUNCATED);
	close(fd);
	wait(NULL);
}
END_TEST

START_TEST(test_write_limit)
{
	int p[2];
	char *big = calloc(1, UK_FRAME_OUT_MAX);

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(uk_frame_write(p[1], big, UK_FRAME_OUT_MAX),
	    UK_ERR_MESSAGE_TOO_LARGE);
	close(p[0]);
	/* The reader is gone: EPIPE, not SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(uk_frame_write(p[1], "{}", 2), UK_ERR_SYSTEM);
	close(p[1]);
	free(big);
}
END_TEST

START_TEST(test_chunk_boundaries)
{
	/* "中" is 3 bytes; '"' escapes to 2. */
	const char *s = "a中\"b";
	size_t len = strlen(s);

	ck_assert_uint_eq(uk_chunk_next(s, len, 0, 1), 1);	/* "a" */
	ck_assert_uint_eq(uk_chunk_next(s, len, 1, 1), 4);	/* never splits 中 */
	ck_assert_uint_eq(uk_chunk_next(s, len, 0, 3), 1);
	ck_assert_uint_eq(uk_chunk_next(s, len, 0, 4), 4);
	ck_assert_uint_eq(uk_chunk_next(s, len, 0, 5), 4);	/* '"' needs 2 */
	ck_assert_uint_eq(uk_chunk_next(s, len, 0, 6), 5);
	ck_assert_uint_eq(uk_chunk_next(s, len, 4, 1), 5);	/* progress */
	ck_assert_uint_eq(uk_chunk_next(s, len, 0, 100), len);
	ck_assert_uint_eq(uk_chunk_next(s, len, len, 100), len);
}
END_TEST

/* Reader side of the round trip: reassembles chunks like the extension. */
static char *
reassemble(int fd, int64_t want_id, size_t *framesp)
{
	char *body, *joined = NULL;
	size_t len, have = 0, frames = 0;
	long expect = 0, of = -1;
	cJSON *m;

	for (;;) {
		ck_assert_int_eq(uk_frame_read(fd, 2 * UK_FRAME_OUT_MAX, &body,
		    &len), 0);
		ck_assert_uint_lt(len, UK_FRAME_OUT_MAX);
		frames++;
		m = cJSON_Parse(body);
		free(body);
		ck_assert_ptr_nonnull(m);
		if (cJSON_GetObjectItem(m, "chunk") == NULL) {
			/* Not chunked: the message is the response. */
			joined = cJSON_PrintUnformatted(m);
			cJSON_Delete(m);
			break;
		}
		ck_assert_int_eq(cJSON_GetObjectItem(m, "id")->valuedouble,
		    want_id);
		ck_assert_int_eq(cJSON_GetObjectItem(m, "chunk")->valueint,
		    expect);
		if (of < 0)
			of = cJSON_GetObjectItem(m, "of")->valueint;
		ck_assert_int_eq(cJSON_GetObjectItem(m, "of")->valueint, of);
		const char *d = cJSON_GetObjectItem(m, "data")->valuestring;
		joined = realloc(joined, have + strlen(d) + 1);
		memcpy(joined + have, d, strlen(d) + 1);
		have += strlen(d);
		cJSON_Delete(m);
		if (++expect == of)
			break;
	}
	*framesp = frames;
	return joined;
}

START_TEST(test_chunk_roundtrip)
{
	static const size_t sizes[] = { 100, UK_FRAME_OUT_MAX - 1,
	    UK_FRAME_OUT_MAX, 3 * UK_FRAME_OUT_MAX + 17 };
	size_t n = sizes[_i], i, frames;
	char *text = malloc(n + 1), *back;
	int p[2];
	pid_t pid;

	/* A JSON string full of escapes and multi-byte characters. */
	memcpy(text, "{\"id\":9,\"result\":\"", 18);
	for (i = 18; i + 3 < n - 2; ) {
		if (i % 11 == 0) {
			memcpy(text + i, "\\\"", 2);
			i += 2;
		} else if (i % 5 == 0) {
			memcpy(text + i, "中", 3);
			i += 3;
		} else {
			text[i] = (char)('a' + i % 26);
			i++;
		}
	}
	while (i < n - 2)
		text[i++] = 'z';
	memcpy(text + n - 2, "\"}", 2);
	text[n] = '\0';
	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		_exit(uk_frame_send_text(p[1], 9, text, n, 0) == 0 ? 0 : 1);
	}
	close(p[1]);
	back = reassemble(p[0], 9, &frames);
	if (n < UK_FRAME_OUT_MAX)
		ck_assert_uint_eq(frames, 1);
	else	/* Escaped quotes make every chunk carry less than the budget. */
		ck_assert_uint_ge(frames, n / UK_CHUNK_DATA_MAX + 1);
	ck_assert_uint_eq(strlen(back), n);
	ck_assert_str_eq(back, text);
	free(back);
	free(text);
	close(p[0]);
	waitpid(pid, NULL, 0);
}
END_TEST

/*
 * A message made of parts: text with escapes and multi-byte characters, a
 * plain string written from where it lies, and a base64 part over three
 * spans.  What arrives, single or chunked (also with a tiny budget that
 * cuts inside base64 quads and UTF-8 characters), is the flat text; the
 * base64 is checked against json.c's encoder.
 */
static const struct {
	size_t plain, span[3], budget;
} parts_cases[] = {
	{ 10, { 0, 0, 0 }, 0 },
	{ 100, { 1, 2, 3 }, 0 },
	{ 5000, { 0, 70000, 0 }, 0 },
	{ 300000, { 2, 1000000, 1 }, 0 },
	{ 1, { 3000000, 0, 5 }, 0 },
	{ 20000, { 7, 1000001, 2 }, 1000 },
	{ 3, { 1, 900000, 1 }, 4097 },
};

START_TEST(test_parts_roundtrip)
{
	static const char head[] = "{\"id\":9,\"result\":{\"t\":\"中\\\"\\n"
	    "文\",\"p\":\"";
	static const char mid[] = "\",\"b\":\"";
	static const char tail[] = "\"}}";
	struct uk_part parts[5];
	unsigned char *bin;
	char *plain, *want, *b64, *back;
	size_t i, n, total = 0, off, frames;
	int p[2];
	pid_t pid;

	for (i = 0; i < 3; i++)
		total += parts_cases[_i].span[i];
	plain = malloc(parts_cases[_i].plain + 1);
	bin = malloc(total + 1);
	ck_assert_ptr_nonnull(plain);
	ck_assert_ptr_nonnull(bin);
	for (i = 0; i < parts_cases[_i].plain; i++)
		plain[i] = (char)('!' + (i * 7) % 59);	/* no '"' or '\\' */
	for (i = 0; i < parts_cases[_i].plain; i++)
		if (plain[i] == '"' || plain[i] == '\\')
			plain[i] = 'x';
	for (i = 0; i < total; i++)
		bin[i] = (unsigned char)(i * 2654435761u >> 13);
	parts[0] = (struct uk_part){ UK_PART_TEXT, { { head, strlen(head) } },
	    1 };
	parts[1] = (struct uk_part){ UK_PART_PLAIN,
	    { { plain, parts_cases[_i].plain } }, 1 };
	parts[2] = (struct uk_part){ UK_PART_TEXT, { { mid, strlen(mid) } },
	    1 };
	parts[3] = (struct uk_part){ UK_PART_BASE64, { { bin,
	    parts_cases[_i].span[0] }, { bin + parts_cases[_i].span[0],
	    parts_cases[_i].span[1] }, { bin + parts_cases[_i].span[0] +
	    parts_cases[_i].span[1], parts_cases[_i].span[2] } }, 3 };
	parts[4] = (struct uk_part){ UK_PART_TEXT, { { tail, strlen(tail) } },
	    1 };
	b64 = uk_base64_encode(bin, total);
	ck_assert_ptr_nonnull(b64);
	ck_assert_uint_eq(uk_part_len(&parts[3]), strlen(b64));
	for (n = 0, i = 0; i < 5; i++)
		n += uk_part_len(&parts[i]);
	want = malloc(n + 1);
	ck_assert_ptr_nonnull(want);
	for (off = 0, i = 0; i < 5; i++) {
		uk_part_copy(&parts[i], want + off);
		off += uk_part_len(&parts[i]);
	}
	want[n] = '\0';
	ck_assert_int_eq(memcmp(want + strlen(head) + parts_cases[_i].plain +
	    strlen(mid), b64, strlen(b64)), 0);

	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		_exit(uk_frame_send_parts(p[1], 9, parts, 5,
		    parts_cases[_i].budget) == 0 ? 0 : 1);
	}
	close(p[1]);
	back = reassemble(p[0], 9, &frames);
	if (n < UK_FRAME_OUT_MAX)
		ck_assert_uint_eq(frames, 1);
	else if (parts_cases[_i].budget != 0)
		ck_assert_uint_ge(frames, n / parts_cases[_i].budget);
	ck_assert_uint_eq(strlen(back), n);
	ck_assert(strcmp(back, want) == 0);
	free(back);
	close(p[0]);
	waitpid(pid, NULL, 0);
	free(want);
	free(b64);
	free(bin);
	free(plain);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_split_reads);
	tcase_add_test(tc, test_limits_keep_sync);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_write_limit);
	tcase_add_test(tc, test_chunk_boundaries);
	tcase_add_loop_test(tc, test_chunk_roundtrip, 0, 4);
	tcase_add_loop_test(tc, test_parts_roundtrip, 0,
	    UK_ARRAY_LEN(parts_cases));
	suite_add_tcase(s, tc);
	return uk_ck_run(s);
}
