/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Requests that arrive in chunks (host/doc/protocol.md, "Request chunks").
 *
 * The browser → host direction has no 1 MiB limit, but Firefox writes one
 * big message to the pipe in quadratic time; so the extension cuts a big
 * request text into {"id":N,"chunk":k,"of":m,"data":"<slice>"} messages
 * sent back to back, and this module glues the slices together again.
 *
 * Promises:
 * - a message is a chunk when it is a JSON object with exactly the members
 *   id, chunk, of and data; anything else is left to uk_rpc_handle, and a
 *   message bigger than UK_REQCHUNK_MSG_MAX is not even parsed here;
 * - the reassembled text is never longer than the max given to
 *   uk_reqchunk_new (refused as soon as `of` or the bytes so far show it
 *   cannot fit), and the buffer is allocated once, at chunk 0, for
 *   min(of x UK_FRAME_OUT_MAX, max) + 1 bytes: no copy while it grows, so
 *   the request is held once, as when it comes in one message;
 * - every buffer that held request text (it may contain a PIN) is wiped
 *   before it is freed, on success, on error and in uk_reqchunk_free.
 */
#ifndef UK_REQCHUNK_H
#define UK_REQCHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "uk_setup.h"

/* A chunk's data is at most UK_FRAME_OUT_MAX bytes (UTF-8, unescaped): the
 * message is at most 6 times that once JSON-escaped, plus the envelope. */
#define UK_REQCHUNK_MSG_MAX	(6 * UK_FRAME_OUT_MAX + 1024)
/* Data of every chunk but the last, at least: makes `of` a promise about
 * the size, so a request that cannot fit is refused at chunk 0. */
#define UK_REQCHUNK_MIN		(UK_FRAME_OUT_MAX / 2)

/* Results of uk_reqchunk_feed besides the (negative) error codes. */
#define UK_REQCHUNK_NOT_CHUNK	1	/* handle the message as a request */
#define UK_REQCHUNK_MORE	2	/* accepted: wait for the next chunk */
#define UK_REQCHUNK_DONE	3	/* *reqp holds the whole request */

struct uk_reqchunk;

/* A reassembler for requests of at most max bytes; NULL when out of
 * memory.  Free with uk_reqchunk_free (wipes what it holds). */
struct uk_reqchunk *uk_reqchunk_new(size_t max);
/* The same with chunks of chunk_max data bytes (2 to UK_FRAME_OUT_MAX)
 * instead of UK_FRAME_OUT_MAX, the minimum and the message limit scaled
 * alike: the fuzzer's, so that it reaches every rule with small inputs. */
struct uk_reqchunk *uk_reqchunk_new_scaled(size_t max, size_t chunk_max);
void uk_reqchunk_free(struct uk_reqchunk *rc);

/* 1 while a reassembly waits for chunks (*idp its request id), else 0. */
int uk_reqchunk_pending(const struct uk_reqchunk *rc, int64_t *idp);
/* 1 while a reassembly waits for chunks: *idp its request id, *donep the
 * chunks accepted so far, *ofp the chunks announced; else 0 (all -1). */
int uk_reqchunk_progress(const struct uk_reqchunk *rc, int64_t *idp,
    int64_t *donep, int64_t *ofp);

/*
 * Feeds one message msg[0..len).  Returns
 * - UK_REQCHUNK_NOT_CHUNK: not a chunk (nor JSON, maybe); no reassembly
 *   was in progress.  The caller handles msg as a request.
 * - UK_REQCHUNK_MORE: a chunk, appended.
 * - UK_REQCHUNK_DONE: the last chunk: *reqp (NUL-terminated, *lenp bytes)
 *   is the whole request text; the caller owns it and must wipe it
 *   (uk_freezero(*reqp, *lenp + 1)).
 * - UK_ERR_BAD_REQUEST or UK_ERR_MESSAGE_TOO_LARGE (UK_ERR_ALLOC_FAIL): a
 *   chunk that breaks the rules, or a message that broke into a
 *   reassembly.  The caller answers *idp (-1: "id": null) with the code
 *   and detail (never request data); the partial request has been wiped
 *   and dropped.  When *againp is 1 the message was not used up (it did
 *   not belong to the reassembly it ended): feed it again.
 * *reqp is NULL and *lenp 0 unless the result is UK_REQCHUNK_DONE.
 */
int uk_reqchunk_feed(struct uk_reqchunk *rc, const char *msg, size_t len,
    char **reqp, size_t *lenp, int64_t *idp, int *againp,
    char *detail, size_t detlen) UK_WUR;

/* Wipes and drops a reassembly in progress (a framing error broke in). */
void uk_reqchunk_drop(struct uk_reqchunk *rc);

#endif /* UK_REQCHUNK_H */
