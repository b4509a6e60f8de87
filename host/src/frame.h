/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Native-messaging framing: a 4-byte length in native byte order, then that
 * many bytes of UTF-8 JSON.  Reading is bounded by a maximum checked before
 * anything is allocated; writing never sends a message of UK_FRAME_OUT_MAX
 * bytes or more (Chrome's limit): larger responses go out as chunks.
 */
#ifndef UK_FRAME_H
#define UK_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "uk_setup.h"

#define UK_FRAME_OUT_MAX	(1024 * 1024)	/* browser's limit, bytes */
#define UK_FRAME_IN_DEFAULT_MAX	(8 * 1024 * 1024)	/* requests, bytes */
#define UK_FRAME_IN_HARD_MAX	(64 * 1024 * 1024)	/* config cannot exceed */
/* Budget for a chunk's "data" once JSON-escaped, leaving room for the rest. */
#define UK_CHUNK_DATA_MAX	(UK_FRAME_OUT_MAX - 4096)
#define UK_WRITE_STALL_MS	30000	/* peer not reading: give up after */

#define UK_FRAME_EOF	1	/* clean end of input between messages */

/*
 * Reads one message from fd.  On success returns 0 with *bufp a malloc'd,
 * NUL-terminated copy of the body (caller frees) and *lenp its length.
 * Returns UK_FRAME_EOF on end of input before a header byte;
 * UK_ERR_MESSAGE_TOO_LARGE when the length exceeds max (the body has been
 * read and discarded: the stream is still in sync); UK_ERR_BAD_REQUEST for a
 * zero length (in sync); UK_ERR_MESSAGE_TRUNCATED when the input ended inside
 * a message; UK_ERR_SYSTEM on a read error (both out of sync).
 * On failure *bufp is NULL and *lenp 0.
 */
int uk_frame_read(int fd, size_t max, char **bufp, size_t *lenp) UK_WUR;

/*
 * Writes one message (len < UK_FRAME_OUT_MAX).  Handles short writes and a
 * non-blocking fd; gives up with UK_ERR_STALLED when the peer has not read
 * for UK_WRITE_STALL_MS.  Returns 0, UK_ERR_MESSAGE_TOO_LARGE, UK_ERR_STALLED
 * or UK_ERR_SYSTEM (EPIPE: the browser went away).
 */
int uk_frame_write(int fd, const char *body, size_t len) UK_WUR;

/*
 * Chunking of a response text.  Returns the end offset of the slice that
 * starts at off: the longest slice whose JSON-escaped size is at most budget
 * and that ends on a UTF-8 character boundary (at least one character).
 */
size_t uk_chunk_next(const char *s, size_t len, size_t off, size_t budget);

/*
 * Sends a serialized response: as one message when it fits, else as
 * {"id":id,"chunk":k,"of":m,"data":…} messages.  Returns as uk_frame_write,
 * or UK_ERR_ALLOC_FAIL.
 */
int uk_frame_send_text(int fd, int64_t id, const char *text, size_t len,
    size_t chunk_budget) UK_WUR;

#endif /* UK_FRAME_H */
