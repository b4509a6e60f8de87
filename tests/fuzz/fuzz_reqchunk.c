/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * libFuzzer: sequences of messages through the request-chunk reassembler
 * (reqchunk.h).  The input is a list of operations: a raw message, or a
 * chunk built from a few bytes (id, chunk, of, a data size class), so
 * that sequences reach the chunk minimum and the size limit.  The
 * reassembler runs scaled down (uk_reqchunk_new_scaled: 64-byte chunks
 * instead of 1 MiB, every rule scaled alike), so that thousands of
 * sequences a second reach every rule.  After each message: the result is
 * one of the documented ones, a finished request is at most the limit,
 * and an error leaves nothing pending.
 */
#include "uk_setup.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "frame.h"
#include "host.h"
#include "reqchunk.h"
#include "wipe.h"

#define CHUNK_MAX	64			/* data bytes of a chunk */
#define CHUNK_MIN	(CHUNK_MAX / 2)		/* but in the last */
#define FUZZ_MAX	(3 * CHUNK_MAX)		/* request limit */
#define MSG_MAX		(6 * CHUNK_MAX + 1024)	/* parsed as a chunk */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t sizes[] = { 0, 1, 2, CHUNK_MIN - 1, CHUNK_MIN,
    CHUNK_MAX, CHUNK_MAX + 1, MSG_MAX + 1 };

/* A chunk message from 5 bytes: id, chunk, of, size class, fill. */
static char *
make_chunk(const uint8_t *p, size_t *lenp)
{
	size_t n = sizes[p[3] % UK_ARRAY_LEN(sizes)];
	cJSON *m = cJSON_CreateObject();
	char *d = malloc(n + 1), *text;

	if (m == NULL || d == NULL)
		abort();
	/* Printable fill: JSON escapes (\" \\) included. */
	memset(d, 0x20 + p[4] % 0x5f, n);
	d[n] = '\0';
	/* High bits: the edges of the integer ranges. */
	cJSON_AddNumberToObject(m, "id", p[0] & 0x80 ?
	    9007199254740991.0 + (p[0] & 1) : p[0] % 4);
	cJSON_AddNumberToObject(m, "chunk", p[1] % 8);
	cJSON_AddNumberToObject(m, "of", p[2] & 0x80 ?
	    9007199254740991.0 - (p[2] & 3) : p[2] % 8);
	cJSON_AddStringToObject(m, "data", d);
	free(d);
	if ((text = cJSON_PrintUnformatted(m)) == NULL)
		abort();
	cJSON_Delete(m);
	*lenp = strlen(text);
	return text;
}

static void
check(struct uk_reqchunk *rc, int r, char *req, size_t len, int64_t id)
{
	int64_t pid;

	switch (r) {
	case UK_REQCHUNK_NOT_CHUNK:
	case UK_REQCHUNK_MORE:
		if (req != NULL || len != 0)
			abort();
		break;
	case UK_REQCHUNK_DONE:
		if (req == NULL || len > FUZZ_MAX || strlen(req) != len ||
		    uk_reqchunk_pending(rc, &pid))
			abort();
		uk_freezero(req, len + 1);
		break;
	case UK_ERR_BAD_REQUEST:
	case UK_ERR_MESSAGE_TOO_LARGE:
	case UK_ERR_ALLOC_FAIL:
		if (req != NULL || uk_reqchunk_pending(rc, &pid) || id < -1)
			abort();
		break;
	default:
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uk_reqchunk *rc;
	char detail[256], *msg, *req;
	size_t off = 0, len, n, reqlen;
	int64_t id;
	int r, again, rounds;

	uk_host_init_hooks();
	if ((rc = uk_reqchunk_new_scaled(FUZZ_MAX, CHUNK_MAX)) == NULL)
		abort();
	while (off < size) {
		if (data[off] & 1) {	/* a chunk */
			if (size - off < 6)
				break;
			msg = make_chunk(data + off + 1, &len);
			off += 6;
		} else {		/* a raw message: length byte, bytes */
			if (size - off < 2)
				break;
			n = data[off + 1];
			off += 2;
			if (n > size - off)
				n = size - off;
			if ((msg = malloc(n + 1)) == NULL)
				abort();
			memcpy(msg, data + off, n);
			msg[n] = '\0';
			len = n;
			off += n;
		}
		rounds = 0;
		do {
			r = uk_reqchunk_feed(rc, msg, len, &req, &reqlen, &id,
			    &again, detail, sizeof(detail));
			check(rc, r, req, reqlen, id);
			if (++rounds > 2)	/* fed again at most once */
				abort();
		} while (again);
		cJSON_free(msg);
	}
	uk_reqchunk_free(rc);
	return 0;
}
