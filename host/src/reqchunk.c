/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "frame.h"
#include "json.h"
#include "log.h"
#include "reqchunk.h"
#include "wipe.h"

#define UK_ID_MAX	9007199254740991LL	/* 2^53 - 1, as for requests */

struct uk_reqchunk {
	size_t max;	/* bytes of a reassembled request */
	size_t chunk_max;	/* data bytes of a chunk (UK_FRAME_OUT_MAX) */
	char *buf;	/* NULL when no reassembly is in progress */
	size_t cap;	/* bytes allocated, terminator included */
	size_t len;
	int64_t id;
	int64_t of;
	int64_t next;	/* chunk expected next */
};

/* One chunk message, as read. */
struct chunk {
	int64_t id;
	int64_t k;
	int64_t of;
	const char *data;
	size_t dlen;
};

struct uk_reqchunk *
uk_reqchunk_new_scaled(size_t max, size_t chunk_max)
{
	struct uk_reqchunk *rc;

	if (chunk_max < 2 || chunk_max > UK_FRAME_OUT_MAX ||
	    (rc = calloc(1, sizeof(*rc))) == NULL)
		return NULL;
	rc->max = max;
	rc->chunk_max = chunk_max;
	return rc;
}

struct uk_reqchunk *
uk_reqchunk_new(size_t max)
{
	return uk_reqchunk_new_scaled(max, UK_FRAME_OUT_MAX);
}

/* Data of every chunk but the last, at least (UK_REQCHUNK_MIN). */
static size_t
chunk_min(const struct uk_reqchunk *rc)
{
	return rc->chunk_max / 2;
}

void
uk_reqchunk_drop(struct uk_reqchunk *rc)
{
	if (rc->buf != NULL)
		uk_freezero(rc->buf, rc->cap);
	rc->buf = NULL;
	rc->cap = rc->len = 0;
	rc->id = -1;
	rc->of = rc->next = 0;
}

void
uk_reqchunk_free(struct uk_reqchunk *rc)
{
	if (rc == NULL)
		return;
	uk_reqchunk_drop(rc);
	free(rc);
}

int
uk_reqchunk_pending(const struct uk_reqchunk *rc, int64_t *idp)
{
	*idp = rc->buf != NULL ? rc->id : -1;
	return rc->buf != NULL;
}

int
uk_reqchunk_progress(const struct uk_reqchunk *rc, int64_t *idp,
    int64_t *donep, int64_t *ofp)
{
	int pending = uk_reqchunk_pending(rc, idp);

	*donep = pending ? rc->next : -1;
	*ofp = pending ? rc->of : -1;
	return pending;
}

static int fail(struct uk_reqchunk *, int, char *, size_t, const char *,
    ...) UK_PRINTF(5, 6);

/* Writes the detail, drops any reassembly and returns code. */
static int
fail(struct uk_reqchunk *rc, int code, char *detail, size_t detlen,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(detail, detlen, fmt, ap);
	va_end(ap);
	uk_reqchunk_drop(rc);
	return code;
}

/* 1 when root is an object with exactly the members of a chunk. */
static int
is_chunk(const cJSON *root)
{
	static const char *const members[] = { "id", "chunk", "of", "data",
	    NULL };
	char why[UK_JSON_WHY_MAX];
	size_t i;

	if (!cJSON_IsObject(root) ||
	    uk_json_only_members(root, members, why, sizeof(why)) != 0)
		return 0;
	for (i = 0; members[i] != NULL; i++)
		if (cJSON_GetObjectItemCaseSensitive(root, members[i]) == NULL)
			return 0;
	return 1;
}

/* Reads the members' values; c->id is -1 when even the id is bad. */
static int
read_chunk(const cJSON *root, struct chunk *c, char *detail, size_t detlen)
{
	char why[UK_JSON_WHY_MAX];
	const cJSON *data;

	if (uk_param_int(root, "id", 1, 0, UK_ID_MAX, -1, &c->id, why,
	    sizeof(why)) != 0)
		goto bad;
	if (uk_param_int(root, "of", 1, 2, INT64_MAX, 0, &c->of, why,
	    sizeof(why)) != 0 ||
	    uk_param_int(root, "chunk", 1, 0, c->of - 1, 0, &c->k, why,
	    sizeof(why)) != 0)
		goto bad;
	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	if (!cJSON_IsString(data) || data->valuestring == NULL) {
		snprintf(why, sizeof(why), "'data': must be a string");
		goto bad;
	}
	c->data = data->valuestring;
	c->dlen = strlen(c->data);	/* the parse refuses "\u0000" */
	return 0;
 bad:
	(void)snprintf(detail, detlen, "request chunk: %s", why);
	return UK_ERR_BAD_REQUEST;
}

/* Chunk 0: checks the size `of` promises and allocates the buffer. */
static int
start(struct uk_reqchunk *rc, const struct chunk *c, char *detail,
    size_t detlen)
{
	size_t cap;

	if (c->k != 0)
		return fail(rc, UK_ERR_BAD_REQUEST, detail, detlen,
		    "request chunk %lld of %lld without chunk 0",
		    (long long)c->k, (long long)c->of);
	/* At least (of - 1) x chunk_min + 1 bytes will come. */
	if ((uint64_t)(c->of - 1) >=
	    (rc->max + chunk_min(rc) - 1) / chunk_min(rc))
		return fail(rc, UK_ERR_MESSAGE_TOO_LARGE, detail, detlen,
		    "request in %lld chunks: more than %zu bytes",
		    (long long)c->of, rc->max);
	/* of is small now: no overflow. */
	cap = (size_t)c->of * rc->chunk_max;
	if (cap > rc->max)
		cap = rc->max;
	/*
	 * All at once rather than growing: a grown copy would hold the
	 * request twice for a moment.  Pages not written to yet cost no
	 * memory (large blocks are mmap'd).
	 */
	if ((rc->buf = malloc(cap + 1)) == NULL)
		return fail(rc, UK_ERR_ALLOC_FAIL, detail, detlen,
		    "request in %lld chunks", (long long)c->of);
	rc->cap = cap + 1;
	rc->len = 0;
	rc->id = c->id;
	rc->of = c->of;
	rc->next = 0;
	uk_debug("request %lld: arriving in %lld chunks", (long long)c->id,
	    (long long)c->of);
	return 0;
}

/* Appends the chunk that continues the reassembly. */
static int
append(struct uk_reqchunk *rc, const struct chunk *c, char *detail,
    size_t detlen)
{
	if (c->dlen == 0 || c->dlen > rc->chunk_max)
		return fail(rc, UK_ERR_BAD_REQUEST, detail, detlen,
		    "request chunk %lld: data of %zu bytes (1 to %zu)",
		    (long long)c->k, c->dlen, rc->chunk_max);
	if (c->k < c->of - 1 && c->dlen < chunk_min(rc))
		return fail(rc, UK_ERR_BAD_REQUEST, detail, detlen,
		    "request chunk %lld: data of %zu bytes (at least %zu "
		    "but in the last)", (long long)c->k, c->dlen,
		    chunk_min(rc));
	/* cap - 1 is max unless of x chunk_max is less, which the chunks
	 * cannot pass: each has chunk_max bytes at most. */
	if (rc->cap - 1 - rc->len < c->dlen)
		return fail(rc, UK_ERR_MESSAGE_TOO_LARGE, detail, detlen,
		    "request in chunks: more than %zu bytes", rc->max);
	memcpy(rc->buf + rc->len, c->data, c->dlen);
	rc->len += c->dlen;
	rc->buf[rc->len] = '\0';
	rc->next++;
	return 0;
}

/* Applies one chunk; *againp when it did not belong to the reassembly. */
static int
apply(struct uk_reqchunk *rc, const struct chunk *c, char **reqp,
    size_t *lenp, int64_t *idp, int *againp, char *detail, size_t detlen)
{
	int r;

	*idp = c->id;
	if (rc->buf != NULL) {
		*idp = rc->id;
		if (c->id != rc->id) {
			*againp = 1;
			return fail(rc, UK_ERR_BAD_REQUEST, detail, detlen,
			    "request %lld: a chunk of request %lld came "
			    "before chunk %lld", (long long)rc->id,
			    (long long)c->id, (long long)rc->next);
		}
		if (c->of != rc->of || c->k != rc->next)
			return fail(rc, UK_ERR_BAD_REQUEST, detail, detlen,
			    "request %lld: chunk %lld of %lld came instead of "
			    "chunk %lld of %lld", (long long)rc->id,
			    (long long)c->k, (long long)c->of,
			    (long long)rc->next, (long long)rc->of);
	} else if ((r = start(rc, c, detail, detlen)) != 0)
		return r;
	if ((r = append(rc, c, detail, detlen)) != 0)
		return r;
	if (rc->next < rc->of)
		return UK_REQCHUNK_MORE;
	/* success */
	uk_debug("request %lld: %lld chunks, %zu bytes", (long long)rc->id,
	    (long long)rc->of, rc->len);
	*reqp = rc->buf;
	*lenp = rc->len;
	rc->buf = NULL;	/* transferred; cap only told its size */
	uk_reqchunk_drop(rc);
	return UK_REQCHUNK_DONE;
}

/* 1 when s[0..len) holds the text needle. */
static int
holds(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	const char *p = s, *end = s + len;

	while ((size_t)(end - p) >= n &&
	    (p = memchr(p, needle[0], (size_t)(end - p) - n + 1)) != NULL) {
		if (memcmp(p, needle, n) == 0)
			return 1;
		p++;
	}
	return 0;
}

int
uk_reqchunk_feed(struct uk_reqchunk *rc, const char *msg, size_t len,
    char **reqp, size_t *lenp, int64_t *idp, int *againp,
    char *detail, size_t detlen)
{
	cJSON *root = NULL;
	struct chunk c;
	int r;

	*reqp = NULL;
	*lenp = 0;
	*idp = -1;
	*againp = 0;
	if (detlen > 0)
		detail[0] = '\0';
	/* Only a message that may be a chunk is parsed: not one with a
	 * "method" member (a chunk's data escapes its quotes, so the raw
	 * text of a chunk never holds "method" with its quotes), nor a
	 * big one — requests are not parsed twice. */
	if (len > 6 * rc->chunk_max + 1024 ||	/* UK_REQCHUNK_MSG_MAX */
	    holds(msg, len, "\"method\"") || !holds(msg, len, "\"chunk\"") ||
	    uk_json_parse(msg, len, &root) != 0 || !is_chunk(root)) {
		cJSON_Delete(root);
		if (rc->buf == NULL)
			return UK_REQCHUNK_NOT_CHUNK;
		*idp = rc->id;
		*againp = 1;
		return fail(rc, UK_ERR_BAD_REQUEST, detail, detlen,
		    "request %lld: another message came before chunk %lld",
		    (long long)rc->id, (long long)rc->next);
	}
	memset(&c, 0, sizeof(c));
	c.id = -1;
	if ((r = read_chunk(root, &c, detail, detlen)) != 0) {
		/* A reassembly in progress ends; a chunk of another request
		 * is then answered on its own. */
		*idp = rc->buf != NULL ? rc->id : c.id;
		*againp = rc->buf != NULL && c.id != rc->id;
		uk_reqchunk_drop(rc);
	} else
		r = apply(rc, &c, reqp, lenp, idp, againp, detail, detlen);
	cJSON_Delete(root);	/* wiped: the hooks (host.c) */
	return r;
}
