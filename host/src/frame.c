/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* Size of byte c once escaped inside a JSON string. */
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

/* Writes c escaped for a JSON string; returns the bytes written. */
static size_t
escape_byte(unsigned char c, char *out)
{
	static const char hex[] = "0123456789abcdef";

	switch (c) {
	case '"':  memcpy(out, "\\\"", 2); return 2;
	case '\\': memcpy(out, "\\\\", 2); return 2;
	case '\b': memcpy(out, "\\b", 2); return 2;
	case '\f': memcpy(out, "\\f", 2); return 2;
	case '\n': memcpy(out, "\\n", 2); return 2;
	case '\r': memcpy(out, "\\r", 2); return 2;
	case '\t': memcpy(out, "\\t", 2); return 2;
	}
	if (c < 0x20) {
		memcpy(out, "\\u00", 4);
		out[4] = hex[c >> 4];
		out[5] = hex[c & 15];
		return 6;
	}
	out[0] = (char)c;
	return 1;
}

/* Length of the UTF-8 sequence that starts with byte c. */
static size_t
utf8_seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		return 2;
	if ((c & 0xf0) == 0xe0)
		return 3;
	return 4;
}

size_t
uk_chunk_next(const char *s, size_t len, size_t off, size_t budget)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t pos = off, used = 0, clen, i, esc;

	while (pos < len) {
		if ((clen = utf8_seq_len(u[pos])) > len - pos)
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

size_t
uk_part_len(const struct uk_part *pt)
{
	size_t i, n = 0;

	for (i = 0; i < pt->nspan; i++)
		n += pt->span[i].len;
	if (pt->kind == UK_PART_BASE64)
		return (n + 2) / 3 * 4;
	return n;
}

static const char b64_tab[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * Writes characters [from, to) of the base64 encoding of the part's spans
 * taken as one byte string.  Cuts may fall inside a quad: the quad is
 * encoded and only the wanted characters kept.
 */
static void
base64_range(const struct uk_part *pt, size_t from, size_t to, char *out)
{
	const struct uk_span *sp = pt->span;
	size_t total = 0, in, si = 0, so, i, k, skip;
	unsigned char b[3];
	char q[4];
	uint32_t v;

	for (i = 0; i < pt->nspan; i++)
		total += sp[i].len;
	/* Position the input cursor at the quad that holds from. */
	in = from / 4 * 3;
	skip = from % 4;
	for (so = in; si < pt->nspan && so >= sp[si].len; si++)
		so -= sp[si].len;
	while (from < to) {
		const unsigned char *p;

		/* Whole quads from one span: the common case. */
		if (skip == 0 && si < pt->nspan) {
			p = (const unsigned char *)sp[si].p;
			while (to - from >= 4 && sp[si].len - so >= 3) {
				v = (uint32_t)p[so] << 16 |
				    (uint32_t)p[so + 1] << 8 | p[so + 2];
				out[0] = b64_tab[v >> 18];
				out[1] = b64_tab[(v >> 12) & 63];
				out[2] = b64_tab[(v >> 6) & 63];
				out[3] = b64_tab[v & 63];
				out += 4;
				from += 4;
				so += 3;
				in += 3;
			}
			if (from >= to)
				break;
		}
		/* A quad across spans, at the end, or cut by the range. */
		for (k = 0; k < 3 && in + k < total; k++) {
			while (si < pt->nspan && so >= sp[si].len) {
				si++;
				so = 0;
			}
			b[k] = ((const unsigned char *)sp[si].p)[so++];
		}
		in += k;
		v = (uint32_t)b[0] << 16;
		if (k > 1)
			v |= (uint32_t)b[1] << 8;
		if (k > 2)
			v |= b[2];
		q[0] = b64_tab[v >> 18];
		q[1] = b64_tab[(v >> 12) & 63];
		q[2] = k > 1 ? b64_tab[(v >> 6) & 63] : '=';
		q[3] = k > 2 ? b64_tab[v & 63] : '=';
		for (i = skip; i < 4 && from < to; i++, from++)
			*out++ = q[i];
		skip = 0;
		while (si < pt->nspan && so >= sp[si].len) {
			si++;
			so = 0;
		}
	}
}

void
uk_part_copy(const struct uk_part *pt, void *out)
{
	size_t len = uk_part_len(pt);

	if (pt->kind == UK_PART_BASE64)
		base64_range(pt, 0, len, out);
	else
		memcpy(out, pt->span[0].p, len);
}

/* Where the next chunk starts: a part and an offset in its body text. */
struct cursor {
	size_t part, off;
};

/*
 * Fills one chunk's "data" from the parts at c: JSON-escaped, at most
 * budget bytes (at least one character), never splitting a UTF-8
 * character or an escape.  out == NULL only counts.  Returns the bytes.
 */
static size_t
fill_chunk(const struct uk_part *parts, size_t n, struct cursor *c,
    size_t budget, char *out)
{
	size_t used = 0, plen, clen, esc, i, take;

	while (c->part < n) {
		const struct uk_part *pt = &parts[c->part];

		if (c->off >= (plen = uk_part_len(pt))) {
			c->part++;
			c->off = 0;
			continue;
		}
		if (pt->kind != UK_PART_TEXT) {
			/* One byte of text per character, none escaped. */
			if ((take = budget - used) == 0)
				break;
			if (take > plen - c->off)
				take = plen - c->off;
			if (out != NULL && pt->kind == UK_PART_PLAIN)
				memcpy(out + used,
				    (const char *)pt->span[0].p + c->off, take);
			else if (out != NULL)
				base64_range(pt, c->off, c->off + take,
				    out + used);
			used += take;
			c->off += take;
			continue;
		}
		{
			const unsigned char *u = pt->span[0].p;

			if ((clen = utf8_seq_len(u[c->off])) > plen - c->off)
				clen = plen - c->off;
			for (esc = 0, i = 0; i < clen; i++)
				esc += escaped_size(u[c->off + i]);
			if (used + esc > budget && used > 0)
				break;
			for (i = 0; i < clen; i++) {
				if (out != NULL)
					(void)escape_byte(u[c->off + i],
					    out + used);
				used += escaped_size(u[c->off + i]);
			}
			c->off += clen;
		}
	}
	return used;
}

/* Writes the parts unescaped, as one message body. */
static int
write_parts(int fd, const struct uk_part *parts, size_t n)
{
	char buf[16384];
	size_t i, off, len, take;
	int r;

	for (i = 0; i < n; i++) {
		len = uk_part_len(&parts[i]);
		if (parts[i].kind != UK_PART_BASE64) {
			if ((r = write_full(fd, parts[i].span[0].p, len)) != 0)
				return r;
			continue;
		}
		for (off = 0; off < len; off += take) {
			take = len - off < sizeof(buf) ? len - off :
			    sizeof(buf);
			base64_range(&parts[i], off, off + take, buf);
			if ((r = write_full(fd, buf, take)) != 0)
				return r;
		}
	}
	return 0;
}

int
uk_frame_send_parts(int fd, int64_t id, const struct uk_part *parts,
    size_t n, size_t chunk_budget)
{
	struct cursor c = { 0, 0 };
	size_t total = 0, i, k, of, hdr, used;
	uint32_t len32;
	char *msg;
	int r = 0;

	for (i = 0; i < n; i++)
		total += uk_part_len(&parts[i]);
	if (total < UK_FRAME_OUT_MAX) {
		len32 = (uint32_t)total;
		if ((r = write_full(fd, &len32, sizeof(len32))) != 0)
			return r;
		return write_parts(fd, parts, n);
	}
	if (chunk_budget == 0 || chunk_budget > UK_CHUNK_DATA_MAX)
		chunk_budget = UK_CHUNK_DATA_MAX;
	/* A first pass counts the chunks, so that each one carries "of";
	 * it reads the text parts only. */
	for (of = 0; c.part < n; of++)
		if (fill_chunk(parts, n, &c, chunk_budget, NULL) == 0)
			break;
	/* Each chunk is built in one bounded buffer, then sent. */
	if ((msg = malloc(UK_FRAME_OUT_MAX)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	c.part = c.off = 0;
	for (k = 0; k < of; k++) {
		hdr = (size_t)snprintf(msg, 128,
		    "{\"id\":%lld,\"chunk\":%zu,\"of\":%zu,\"data\":\"",
		    (long long)id, k, of);
		used = fill_chunk(parts, n, &c, chunk_budget, msg + hdr);
		memcpy(msg + hdr + used, "\"}", 2);
		if ((r = uk_frame_write(fd, msg, hdr + used + 2)) != 0)
			break;
	}
	free(msg);
	return r;
}

int
uk_frame_send_text(int fd, int64_t id, const char *text, size_t len,
    size_t chunk_budget)
{
	struct uk_part part = { .kind = UK_PART_TEXT,
	    .span = { { text, len } }, .nspan = 1 };

	return uk_frame_send_parts(fd, id, &part, 1, chunk_budget);
}
