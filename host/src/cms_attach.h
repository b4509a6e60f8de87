/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Attached CMS SignedData without a copy of the content.
 *
 * OpenSSL's attached form keeps the content inside the structure and its
 * DER encoding copies it again: three copies of a 20 MiB document.  The
 * signature does not depend on where the content sits, so the host signs
 * detached (the content only streams through the digest) and re-frames the
 * DER around the caller's buffer: the result is
 *
 *	head ‖ content ‖ tail
 *
 * byte for byte the DER OpenSSL would have written for the attached form
 * (definite lengths; encapContentInfo gains [0] EXPLICIT OCTET STRING),
 * with only head and tail allocated.
 */
#ifndef UK_CMS_ATTACH_H
#define UK_CMS_ATTACH_H

#include <stddef.h>

#include "uk_setup.h"

struct uk_cms_parts {
	unsigned char *buf;	/* malloc'd: head bytes, then tail bytes */
	size_t head, tail;
	const unsigned char *content;	/* the caller's; NULL = detached */
	size_t contentlen;
};

/*
 * Re-frames a detached ContentInfo(SignedData) DER around content[0..len).
 * On success *parts holds a new buffer (caller frees parts->buf) and the
 * content pointer; der is not kept.  Returns 0, UK_ERR_SIGN when der is not
 * a detached SignedData in DER, or UK_ERR_ALLOC_FAIL.
 */
int uk_cms_attach(const unsigned char *der, size_t derlen,
    const unsigned char *content, size_t len, struct uk_cms_parts *parts)
    UK_WUR;

/* The whole DER of parts in one malloc'd buffer (callers that need it
 * flat).  Returns 0 or UK_ERR_ALLOC_FAIL. */
int uk_cms_parts_flatten(const struct uk_cms_parts *parts,
    unsigned char **outp, size_t *outlenp) UK_WUR;

#endif /* UK_CMS_ATTACH_H */
