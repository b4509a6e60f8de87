/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "frame.h"

/* Reads exactly len bytes.  Returns bytes read (< len only at EOF) or -1. */
static ssize_t
read_full(int fd, void *buf, size_t len)
{
	size_t have = 0;
	ssize_t n;

	while (have < len) {
		n = read(fd, (char *)buf + have, len - have);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				struct pollfd p = { .fd = fd, .events = POLLIN };
				(void)poll(&p, 1, -1);
				continue;
			}
			return -1;
		}
		have += (size_t)n;
	}
	return (ssize_t)have;
}

/* Reads and drops len bytes, keeping the stream in sync. */
static int
discard(int fd, size_t len)
{
	char scratch[65536];
	size_t want;
	ssize_t n;

	while (len > 0) {
		want = len < sizeof(scratch) ? len : sizeof(scratch);
		if ((n = read_full(fd, scratch, want)) < 0)
			return UK_ERR_SYSTEM;
		if ((size_t)n < want)
			return UK_ERR_MESSAGE_TRUNCATED;
		len -= want;
	}
	return 0;
}

int
uk_frame_read(int fd, size_t max, char **bufp, size_t *lenp)
{
	uint32_t len;
	char *buf = NULL;
	ssize_t n;
	int r;

	*bufp = NULL;
	*lenp = 0;
	if ((n = read_full(fd, &len, sizeof(len))) < 0)
		return UK_ERR_SYSTEM;
	if (n == 0)
		return UK_FRAME_EOF;
	if ((size_t)n < sizeof(len))
		return UK_ERR_MESSAGE_TRUNCATED;
	if (len == 0)
		return UK_ERR_BAD_REQUEST;
	if (len > max) {
		if ((r = discard(fd, len)) != 0)
			return r;
		return UK_ERR_MESSAGE_TOO_LARGE;
	}
	if ((buf = malloc((size_t)len + 1)) == NULL) {
		if ((r = discard(fd, len)) != 0)
			return r;
		return UK_ERR_ALLOC_FAIL;
	}
	if ((n = read_full(fd, buf, len)) < 0 || (size_t)n < len) {
		free(buf);
		return n < 0 ? UK_ERR_SYSTEM : UK_ERR_MESSAGE_TRUNCATED;
	}
	buf[len] = '\0';
	/* success */
	*bufp = buf;
	*lenp = len;
	return 0;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	long deadline = now_ms() + UK_WRITE_STALL_MS;
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	ssize_t n;

	while (done < len) {
		n = write(fd, (const char *)buf + done, len - done);
		if (n >= 0) {
			done += (size_t)n;
			deadline = now_ms() + UK_WRITE_STALL_MS;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return UK_ERR_SYSTEM;
		if (now_ms() >= deadline)
			return UK_ERR_STALLED;
		(void)poll(&p, 1, 1000);
	}
	return 0;
}

int
uk_frame_write(int fd, const char *body, size_t len)
{
	uint32_t hdr;
	int r;

	if (len >= UK_FRAME_OUT_MAX)
		return UK_ERR_MESSAGE_TOO_LARGE;
	hdr = (uint32_t)len;
	if ((r = write_full(fd, &hdr, sizeof(hdr))) != 0 ||
	    (r = write_full(fd, body, len)) != 0)
		return r;
	return 0;
}

/* Size of byte c once cJSON escapes it inside a string. */
static size_t
escaped_size(unsigned char c)
{
	if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' ||
	    c == '\r' || c == '\t')
		return 2;
	if (c < 0x20)
		return 6;
	return 1;
}

size_t
uk_chunk_next(const char *s, size_t len, size_t off, size_t budget)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t pos = off, used = 0, clen, i, esc;

	while (pos < len) {
		/* Length of the UTF-8 sequence starting at pos. */
		if (u[pos] < 0x80)
			clen = 1;
		else if ((u[pos] & 0xe0) == 0xc0)
			clen = 2;
		else if ((u[pos] & 0xf0) == 0xe0)
			clen = 3;
		else
			clen = 4;
		if (clen > len - pos)
			clen = len - pos;
		for (esc = 0, i = 0; i < clen; i++)
			esc += escaped_size(u[pos + i]);
		if (used + esc > budget && pos > off)
			break;
		used += esc;
		pos += clen;
	}
	return pos;
}

static int
send_chunk(int fd, int64_t id, size_t k, size_t of, const char *data,
    size_t len)
{
	cJSON *msg = NULL;
	char *slice = NULL, *text = NULL;
	int r = UK_ERR_ALLOC_FAIL;

	if ((slice = malloc(len + 1)) == NULL)
		goto out;
	memcpy(slice, data, len);
	slice[len] = '\0';
	if ((msg = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(msg, "id", (double)id) == NULL ||
	    cJSON_AddNumberToObject(msg, "chunk", (double)k) == NULL ||
	    cJSON_AddNumberToObject(msg, "of", (double)of) == NULL ||
	    cJSON_AddStringToObject(msg, "data", slice) == NULL ||
	    (text = cJSON_PrintUnformatted(msg)) == NULL)
		goto out;
	r = uk_frame_write(fd, text, strlen(text));
 out:
	free(slice);
	cJSON_free(text);
	cJSON_Delete(msg);
	return r;
}

int
uk_frame_send_text(int fd, int64_t id, const char *text, size_t len,
    size_t chunk_budget)
{
	size_t off, end, k, of;
	int r;

	if (len < UK_FRAME_OUT_MAX)
		return uk_frame_write(fd, text, len);
	if (chunk_budget == 0 || chunk_budget > UK_CHUNK_DATA_MAX)
		chunk_budget = UK_CHUNK_DATA_MAX;
	/* First pass counts the chunks so that each one carries "of". */
	for (of = 0, off = 0; off < len; of++)
		off = uk_chunk_next(text, len, off, chunk_budget);
	for (k = 0, off = 0; off < len; k++, off = end) {
		end = uk_chunk_next(text, len, off, chunk_budget);
		if ((r = send_chunk(fd, id, k, of, text + off, end - off)) != 0)
			return r;
	}
	return 0;
}
