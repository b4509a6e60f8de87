/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Seal objects on the token and seal package verification (enroll.h):
 * the part of the seal module that needs no host, so that the renewal
 * transaction (enroll_txn.c) and the tests can use it directly.  Object
 * layout: see seal.c.
 */
#include "uk_setup.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <cjson/cJSON.h>

#include "enroll.h"
#include "err.h"
#include "json.h"
#include "log.h"

#define UK_SEAL_LABEL		"UKeyLink seal "
#define UK_SEAL_ARCHIVED	"UKeyLink archived seal "
#define UK_SEAL_ID_LEN		8	/* random bytes of a seal id */

/* Serial hex without leading zeros, upper case, into buf. */
static int
norm_serial(const char *s, char *buf, size_t size)
{
	size_t i = 0;

	while (*s == '0' && s[1] != '\0')
		s++;
	for (; *s != '\0'; s++) {
		if (!isxdigit((unsigned char)*s) || i + 1 >= size)
			return UK_ERR_SEAL_INVALID;
		buf[i++] = (char)toupper((unsigned char)*s);
	}
	buf[i] = '\0';
	return i > 0 ? 0 : UK_ERR_SEAL_INVALID;
}

int
uk_seal_verify(const struct uk_enroll_cfg *ec, const unsigned char *pkg,
    size_t len, const char *serial_hex, cJSON **contentp)
{
	const unsigned char *q = pkg;
	CMS_ContentInfo *cms = NULL;
	BIO *out = NULL;
	BUF_MEM *bm;
	cJSON *c = NULL;
	const cJSON *v;
	char a[80], b[80];
	int r = UK_ERR_SEAL_INVALID;

	if (contentp != NULL)
		*contentp = NULL;
	if (len > ec->seal_max)
		return UK_ERR_MESSAGE_TOO_LARGE;
	if (ec->seal_ca == NULL) {
		uk_error("no seal CA configured (enroll.sealCA)");
		return UK_ERR_SEAL_INVALID;
	}
	ERR_clear_error();
	if ((cms = d2i_CMS_ContentInfo(NULL, &q, (long)len)) == NULL ||
	    q != pkg + len || (out = BIO_new(BIO_s_mem())) == NULL)
		goto out;
	if (CMS_verify(cms, NULL, ec->seal_ca, NULL, out, CMS_BINARY) != 1) {
		uk_debug("seal package signature does not verify");
		goto out;
	}
	/* uk_json_parse wants the text NUL-terminated at its length. */
	if (BIO_write(out, "", 1) != 1) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	BIO_get_mem_ptr(out, &bm);
	if (uk_json_parse(bm->data, bm->length - 1, &c) != 0 ||
	    !cJSON_IsObject(c))
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(c, "version");
	if (!cJSON_IsNumber(v) || v->valuedouble != 1)
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(c, "certSerial");
	if (!cJSON_IsString(v) || norm_serial(v->valuestring, a,
	    sizeof(a)) != 0)
		goto out;
	if (serial_hex != NULL && (norm_serial(serial_hex, b,
	    sizeof(b)) != 0 || strcmp(a, b) != 0)) {
		uk_debug("seal bound to %s, not %s", a, serial_hex);
		goto out;
	}
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(c, "name")) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(c, "image")))
		goto out;
	/* success */
	if (contentp != NULL) {
		*contentp = c;
		c = NULL;
	}
	r = 0;
 out:
	cJSON_Delete(c);
	BIO_free(out);
	CMS_ContentInfo_free(cms);
	return r;
}

/* Splits a seal label; 0 with serial/id copied, archived set. */
static int
parse_label(const char *label, size_t len, char *serial, size_t slen,
    char *id, size_t idlen, int *archivedp)
{
	char buf[160], *sp;
	const char *rest;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, label, len);
	buf[len] = '\0';
	if (strncmp(buf, UK_SEAL_LABEL, strlen(UK_SEAL_LABEL)) == 0) {
		rest = buf + strlen(UK_SEAL_LABEL);
		*archivedp = 0;
	} else if (strncmp(buf, UK_SEAL_ARCHIVED,
	    strlen(UK_SEAL_ARCHIVED)) == 0) {
		rest = buf + strlen(UK_SEAL_ARCHIVED);
		*archivedp = 1;
	} else
		return -1;
	if ((sp = strchr(rest, ' ')) == NULL || (size_t)(sp - rest) >= slen ||
	    strlen(sp + 1) >= idlen)
		return -1;
	memcpy(serial, rest, (size_t)(sp - rest));
	serial[sp - rest] = '\0';
	memcpy(id, sp + 1, strlen(sp + 1) + 1);
	return 0;
}

int
uk_seal_scan(const struct uk_p11 *p, struct uk_seal_obj *out, size_t max,
    size_t *np)
{
	CK_OBJECT_HANDLE hs[64];
	unsigned char *label = NULL;
	size_t n, i, len, k = 0;
	int r;

	*np = 0;
	if ((r = uk_p11_find(p, CKO_DATA, NULL, 0, UK_SEAL_APP, hs,
	    UK_ARRAY_LEN(hs), &n)) != 0)
		return r;
	for (i = 0; i < n && k < max; i++) {
		if (uk_p11_attr(p, hs[i], CKA_LABEL, &label, &len) != 0)
			continue;
		if (parse_label((char *)label, len, out[k].serial,
		    sizeof(out[k].serial), out[k].id, sizeof(out[k].id),
		    &out[k].archived) == 0) {
			out[k].h = hs[i];
			k++;
		}
		free(label);
		label = NULL;
	}
	*np = k;
	return 0;
}

int
uk_seal_same_serial(const char *a, const char *b)
{
	char x[80], y[80];

	return norm_serial(a, x, sizeof(x)) == 0 &&
	    norm_serial(b, y, sizeof(y)) == 0 && strcmp(x, y) == 0;
}

size_t
uk_seal_count(const struct uk_p11 *p, const char *serial_hex)
{
	struct uk_seal_obj s[64];
	size_t n, i, c = 0;

	if (serial_hex[0] == '\0' ||
	    uk_seal_scan(p, s, UK_ARRAY_LEN(s), &n) != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!s[i].archived &&
		    uk_seal_same_serial(s[i].serial, serial_hex))
			c++;
	return c;
}

int
uk_seal_store(const struct uk_p11 *p, const unsigned char *pkg, size_t len,
    const char *serial_hex, char **idp)
{
	unsigned char rnd[UK_SEAL_ID_LEN];
	char label[160], serial[80], *id = NULL;
	CK_OBJECT_HANDLE h;
	int r;

	*idp = NULL;
	if ((r = norm_serial(serial_hex, serial, sizeof(serial))) != 0)
		return r;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return UK_ERR_RANDOM;
	if ((id = uk_hex_encode(rnd, sizeof(rnd))) == NULL)
		return UK_ERR_ALLOC_FAIL;
	snprintf(label, sizeof(label), "%s%s %s", UK_SEAL_LABEL, serial, id);
	if ((r = uk_p11_create_data(p, UK_SEAL_APP, label, pkg, len, 0,
	    &h)) != 0) {
		free(id);
		return r;
	}
	*idp = id;
	return 0;
}

int
uk_seal_retire(const struct uk_p11 *p, const char *serial_hex, int archive)
{
	struct uk_seal_obj s[64];
	char label[160];
	size_t n, i;
	int r;

	if ((r = uk_seal_scan(p, s, UK_ARRAY_LEN(s), &n)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		if (s[i].archived ||
		    !uk_seal_same_serial(s[i].serial, serial_hex))
			continue;
		if (archive) {
			snprintf(label, sizeof(label), "%s%s %s",
			    UK_SEAL_ARCHIVED, s[i].serial, s[i].id);
			r = uk_p11_set_label(p, s[i].h, label);
		} else
			r = uk_p11_destroy(p, s[i].h);
		if (r != 0)
			return r;
	}
	return 0;
}

int
uk_seal_remove_serial(const struct uk_p11 *p, const char *serial_hex)
{
	return uk_seal_retire(p, serial_hex, 0);
}

