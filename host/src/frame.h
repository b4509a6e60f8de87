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
/* Requests, bytes: a 20 MiB document is 27 MiB of base64, held once. */
#define UK_FRAME_IN_DEFAULT_MAX	(32 * 1024 * 1024)
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
 * A piece of a message body.  Big values travel as parts so that they are
 * written straight from where they are (the request text, a DER buffer)
 * instead of being copied into one response string.
 */
enum uk_part_kind {
	UK_PART_TEXT,	/* JSON text (span[0]), UTF-8 */
	UK_PART_PLAIN,	/* span[0]: printable ASCII without '"' and '\\',
			 * the same inside a chunk's "data" string */
	UK_PART_BASE64,	/* the base64 of the spans taken as one string */
};

struct uk_span {
	const void *p;
	size_t len;
};

#define UK_PART_SPANS	3

struct uk_part {
	enum uk_part_kind kind;
	struct uk_span span[UK_PART_SPANS];
	size_t nspan;
};

/* Bytes the part adds to the message body. */
size_t uk_part_len(const struct uk_part *pt);
/* Writes the part's uk_part_len() bytes to out (no terminator). */
void uk_part_copy(const struct uk_part *pt, void *out);

/*
 * Sends a message made of the parts in order: as one message when it fits,
 * else as {"id":id,"chunk":k,"of":m,"data":…} messages, each assembled in
 * one buffer of UK_FRAME_OUT_MAX bytes: memory stays bounded whatever the
 * size.  Returns as uk_frame_write, or UK_ERR_ALLOC_FAIL.
 */
int uk_frame_send_parts(int fd, int64_t id, const struct uk_part *parts,
    size_t n, size_t chunk_budget) UK_WUR;

/*
 * Sends a serialized response: as one message when it fits, else as
 * {"id":id,"chunk":k,"of":m,"data":…} messages.  Returns as uk_frame_write,
 * or UK_ERR_ALLOC_FAIL.
 */
int uk_frame_send_text(int fd, int64_t id, const char *text, size_t len,
    size_t chunk_budget) UK_WUR;

#endif /* UK_FRAME_H */
