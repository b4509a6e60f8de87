/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cms_attach.h"
#include "err.h"

/* One DER element: where it starts, its header size and content length. */
struct tlv {
	const unsigned char *p;
	unsigned char tag;
	size_t hdr, len;
};

/* Reads the element at p (definite length, one-byte tag).  0 or -1. */
static int
read_tlv(const unsigned char *p, const unsigned char *end, struct tlv *t)
{
	size_t avail = (size_t)(end - p), n, i;

	if (avail < 2)
		return -1;
	t->p = p;
	t->tag = p[0];
	if ((t->tag & 0x1f) == 0x1f)
		return -1;		/* multi-byte tags: not in CMS */
	if (p[1] < 0x80) {
		t->hdr = 2;
		t->len = p[1];
	} else {
		n = p[1] & 0x7f;
		if (n == 0 || n > sizeof(size_t) || avail < 2 + n)
			return -1;	/* indefinite length is not DER */
		for (t->len = 0, i = 0; i < n; i++)
			t->len = (t->len << 8) | p[2 + i];
		t->hdr = 2 + n;
	}
	if (t->len > avail - t->hdr)
		return -1;
	return 0;
}

static size_t
tlv_size(const struct tlv *t)
{
	return t->hdr + t->len;
}

/* Size of a DER header for a content of len bytes. */
static size_t
hdr_size(size_t len)
{
	size_t n = 1;

	if (len < 0x80)
		return 2;
	while (len > 0xff) {
		len >>= 8;
		n++;
	}
	return 2 + n;
}

/* Writes a DER header; returns its size. */
static size_t
put_hdr(unsigned char *out, unsigned char tag, size_t len)
{
	size_t n = hdr_size(len), i;

	out[0] = tag;
	if (n == 2) {
		out[1] = (unsigned char)len;
		return 2;
	}
	out[1] = (unsigned char)(0x80 | (n - 2));
	for (i = n - 1; i >= 2; i--) {
		out[i] = (unsigned char)len;
		len >>= 8;
	}
	return n;
}

int
uk_cms_attach(const unsigned char *der, size_t derlen,
    const unsigned char *content, size_t len, struct uk_cms_parts *parts)
{
	const unsigned char *end = der + derlen;
	struct tlv ci, ci_oid, ci0, sd, ver, dalg, eci, eci_oid;
	size_t before, rest, os_len, x0_len, eci_len, sd_len, x_len, ci_len;
	size_t size, o;
	unsigned char *buf;

	memset(parts, 0, sizeof(*parts));
	/* ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT SignedData } */
	if (read_tlv(der, end, &ci) != 0 || ci.tag != 0x30 ||
	    tlv_size(&ci) != derlen ||
	    read_tlv(ci.p + ci.hdr, end, &ci_oid) != 0 || ci_oid.tag != 0x06 ||
	    read_tlv(ci_oid.p + tlv_size(&ci_oid), end, &ci0) != 0 ||
	    ci0.tag != 0xa0 ||
	    ci0.p + tlv_size(&ci0) != end ||
	    read_tlv(ci0.p + ci0.hdr, end, &sd) != 0 || sd.tag != 0x30 ||
	    sd.p + tlv_size(&sd) != end)
		return UK_ERR_SIGN;
	/* SignedData ::= SEQUENCE { version, digestAlgorithms,
	 * encapContentInfo, [0] certificates, [1] crls, signerInfos } */
	if (read_tlv(sd.p + sd.hdr, end, &ver) != 0 || ver.tag != 0x02 ||
	    read_tlv(ver.p + tlv_size(&ver), end, &dalg) != 0 ||
	    dalg.tag != 0x31 ||
	    read_tlv(dalg.p + tlv_size(&dalg), end, &eci) != 0 ||
	    eci.tag != 0x30 ||
	    read_tlv(eci.p + eci.hdr, end, &eci_oid) != 0 ||
	    eci_oid.tag != 0x06 || tlv_size(&eci_oid) != eci.len)
		return UK_ERR_SIGN;	/* not detached, or not SignedData */
	before = tlv_size(&ver) + tlv_size(&dalg);
	rest = (size_t)(end - (eci.p + tlv_size(&eci)));

	/* The lengths, from the inside out. */
	os_len = len;
	x0_len = hdr_size(os_len) + os_len;
	eci_len = tlv_size(&eci_oid) + hdr_size(x0_len) + x0_len;
	sd_len = before + hdr_size(eci_len) + eci_len + rest;
	x_len = hdr_size(sd_len) + sd_len;
	ci_len = tlv_size(&ci_oid) + hdr_size(x_len) + x_len;
	if (len > SIZE_MAX / 2 || ci_len < len)
		return UK_ERR_SIGN;

	size = hdr_size(ci_len) + tlv_size(&ci_oid) + hdr_size(x_len) +
	    hdr_size(sd_len) + before + hdr_size(eci_len) +
	    tlv_size(&eci_oid) + hdr_size(x0_len) + hdr_size(os_len) + rest;
	if ((buf = malloc(size)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	o = put_hdr(buf, 0x30, ci_len);
	memcpy(buf + o, ci_oid.p, tlv_size(&ci_oid));
	o += tlv_size(&ci_oid);
	o += put_hdr(buf + o, 0xa0, x_len);
	o += put_hdr(buf + o, 0x30, sd_len);
	memcpy(buf + o, ver.p, before);
	o += before;
	o += put_hdr(buf + o, 0x30, eci_len);
	memcpy(buf + o, eci_oid.p, tlv_size(&eci_oid));
	o += tlv_size(&eci_oid);
	o += put_hdr(buf + o, 0xa0, x0_len);
	o += put_hdr(buf + o, 0x04, os_len);
	parts->head = o;
	memcpy(buf + o, eci.p + tlv_size(&eci), rest);
	parts->tail = rest;
	parts->buf = buf;
	parts->content = content;
	parts->contentlen = len;
	return 0;
}

int
uk_cms_parts_flatten(const struct uk_cms_parts *parts, unsigned char **outp,
    size_t *outlenp)
{
	size_t len = parts->head + parts->contentlen + parts->tail;
	unsigned char *out;

	*outp = NULL;
	*outlenp = 0;
	if ((out = malloc(len ? len : 1)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	memcpy(out, parts->buf, parts->head);
	if (parts->contentlen > 0)
		memcpy(out + parts->head, parts->content, parts->contentlen);
	memcpy(out + parts->head + parts->contentlen,
	    parts->buf + parts->head, parts->tail);
	*outp = out;
	*outlenp = len;
	return 0;
}
