/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Extension values as text (SEH_GetCertInfoByOID, SEH_GetCertUniqueID),
 * the OID name table (built-in GM/T 0015 / SHECA names plus the
 * configuration's "oids"), and ASN.1 string to UTF-8 conversion.
 */
#include "uk_setup.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "err.h"
#include "json.h"
#include "x509.h"
#include "x509_int.h"

#define UK_OID_CONFIG_MAX	256	/* entries in "oids" */
#define UK_OID_NAME_MAX		64	/* bytes of a configured name */
#define UK_OID_ARC_DIGITS	39	/* digits of one arc (128-bit values) */

/*
 * The built-in table (safeengine-compat.md section 3).  The names are the
 * keys of cert.parse's "numbers" object; IT adds or renames entries with
 * the "oids" configuration section (host/doc/config.md).
 */
static const struct {
	const char *oid;
	const char *name;
	const char *zh;
} builtin_oids[] = {
	{ "1.2.156.10260.4.1.1", "identityNumber", "个人身份标识码" },
	{ "1.2.156.10260.4.1.2", "socialInsuranceNumber", "个人社会保险号" },
	{ "1.2.156.10260.4.1.3", "businessRegistrationNumber",
	    "企业工商注册号" },
	{ "1.2.156.10260.4.1.4", "organizationCode", "企业组织机构代码" },
	{ "1.2.156.10260.4.1.5", "taxpayerNumber", "企业税号" },
	{ "1.2.156.11.7.1", "egovIdentityNumber", "个人身份标识码(旧)" },
	{ "1.2.156.11.7.2", "egovSocialInsuranceNumber", "个人社会保险号(旧)" },
	{ "1.2.156.11.7.3", "egovOrganizationCode", "企业组织机构代码(旧)" },
	{ "1.2.156.11.7.4", "egovBusinessRegistrationNumber",
	    "企业工商注册号(旧)" },
	{ "1.2.156.11.7.5", "egovTaxpayerNumber", "企业税号(旧)" },
	{ "1.2.156.112570.148", "shecaUniqueId", "SHECA唯一标识" },
	{ "1.2.156.1.8888.148", "shecaUniqueIdOld", "SHECA唯一标识(旧)" },
	{ "1.2.156.112570.11.210", "shecaEnterpriseCode", "SHECA企业代码" },
};

/* SEH_GetCertUniqueID looks these up in this order. */
static const char *const unique_id_oids[] = {
	"1.2.156.112570.148",
	"1.2.156.1.8888.148",
};

/* ---- UTF-8 ---- */

static size_t
put_utf8(char *o, uint32_t cp)
{
	if (cp == 0)
		cp = 0xfffd;	/* never a NUL inside a C string */
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* UTF-16BE (BMPString; surrogate pairs accepted) into o. */
static int
from_utf16(const unsigned char *p, size_t len, char *o, size_t *olenp)
{
	size_t i, n = 0;
	uint32_t cp, lo;

	if (len % 2 != 0)
		return UK_ERR_CERT_FORMAT;
	for (i = 0; i < len; i += 2) {
		cp = ((uint32_t)p[i] << 8) | p[i + 1];
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return UK_ERR_CERT_FORMAT;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (len - i < 4)
				return UK_ERR_CERT_FORMAT;
			lo = ((uint32_t)p[i + 2] << 8) | p[i + 3];
			if (lo < 0xdc00 || lo > 0xdfff)
				return UK_ERR_CERT_FORMAT;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			i += 2;
		}
		n += put_utf8(o + n, cp);
	}
	*olenp = n;
	return 0;
}

/* UCS-4BE (UniversalString) into o. */
static int
from_ucs4(const unsigned char *p, size_t len, char *o, size_t *olenp)
{
	size_t i, n = 0;
	uint32_t cp;

	if (len % 4 != 0)
		return UK_ERR_CERT_FORMAT;
	for (i = 0; i < len; i += 4) {
		cp = ((uint32_t)p[i] << 24) | ((uint32_t)p[i + 1] << 16) |
		    ((uint32_t)p[i + 2] << 8) | p[i + 3];
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return UK_ERR_CERT_FORMAT;
		n += put_utf8(o + n, cp);
	}
	*olenp = n;
	return 0;
}

/* 8-bit strings: UTF-8 when valid, else Latin-1. */
static int
from_8bit(const unsigned char *p, size_t len, int utf8_only, char *o,
    size_t *olenp)
{
	size_t i, n = 0;
	int valid = uk_utf8_valid((const char *)p, len) == 0;

	if (utf8_only && !valid)
		return UK_ERR_CERT_FORMAT;
	for (i = 0; i < len; i++) {
		if (p[i] == 0)
			n += put_utf8(o + n, 0);
		else if (valid || p[i] < 0x80)
			o[n++] = (char)p[i];
		else
			n += put_utf8(o + n, p[i]);
	}
	*olenp = n;
	return 0;
}

int
uk_asn1_string_utf8(const ASN1_STRING *s, char **outp, size_t *lenp)
{
	const unsigned char *p;
	size_t len, olen = 0;
	char *o;
	int r;

	*outp = NULL;
	*lenp = 0;
	if (s == NULL || ASN1_STRING_length(s) < 0)
		return UK_ERR_CERT_FORMAT;
	p = ASN1_STRING_get0_data(s);
	len = (size_t)ASN1_STRING_length(s);
	if (len > UK_X509_MAX_DER)
		return UK_ERR_CERT_FORMAT;
	/* Worst case: one input byte (a NUL) becomes U+FFFD, 3 bytes. */
	if ((o = malloc(3 * len + 1)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	switch (ASN1_STRING_type(s)) {
	case V_ASN1_UTF8STRING:
		r = from_8bit(p, len, 1, o, &olen);
		break;
	case V_ASN1_PRINTABLESTRING:
	case V_ASN1_IA5STRING:
	case V_ASN1_T61STRING:
	case V_ASN1_VISIBLESTRING:
	case V_ASN1_NUMERICSTRING:
	case V_ASN1_VIDEOTEXSTRING:
	case V_ASN1_GRAPHICSTRING:
	case V_ASN1_GENERALSTRING:
		r = from_8bit(p, len, 0, o, &olen);
		break;
	case V_ASN1_BMPSTRING:
		r = from_utf16(p, len, o, &olen);
		break;
	case V_ASN1_UNIVERSALSTRING:
		r = from_ucs4(p, len, o, &olen);
		break;
	default:
		r = UK_ERR_CERT_FORMAT;
		break;
	}
	if (r != 0) {
		free(o);
		return r;
	}
	o[olen] = '\0';
	*outp = o;
	*lenp = olen;
	return 0;
}

static int
is_string_type(int type)
{
	switch (type) {
	case V_ASN1_UTF8STRING:
	case V_ASN1_PRINTABLESTRING:
	case V_ASN1_IA5STRING:
	case V_ASN1_T61STRING:
	case V_ASN1_VISIBLESTRING:
	case V_ASN1_NUMERICSTRING:
	case V_ASN1_BMPSTRING:
	case V_ASN1_UNIVERSALSTRING:
		return 1;
	}
	return 0;
}

/* Bare text: non-empty valid UTF-8 without control characters. */
static int
bare_text(const unsigned char *p, size_t len, char **textp)
{
	size_t i;

	if (len == 0 || uk_utf8_valid((const char *)p, len) != 0)
		return 1;
	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 1;
	/* p is not NUL-terminated: no strndup. */
	if ((*textp = malloc(len + 1)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	memcpy(*textp, p, len);
	(*textp)[len] = '\0';
	return 0;
}

/* A DER string filling exactly p[0..len); 1 when it is not one. */
static int
der_string(const unsigned char *p, size_t len, ASN1_TYPE **tp, char **textp)
{
	const unsigned char *q = p;
	ASN1_TYPE *t;
	size_t tlen;
	int r;

	*tp = NULL;
	if (len == 0 || len > UK_X509_MAX_DER)
		return 1;
	t = d2i_ASN1_TYPE(NULL, &q, (long)len);
	if (t == NULL || (size_t)(q - p) != len) {
		ERR_clear_error();
		ASN1_TYPE_free(t);
		return 1;
	}
	if (!is_string_type(t->type)) {
		*tp = t;	/* the caller may look inside */
		return 1;
	}
	r = uk_asn1_string_utf8(t->value.asn1_string, textp, &tlen);
	ASN1_TYPE_free(t);
	if (r == UK_ERR_CERT_FORMAT)
		return 1;
	return r;
}

int
uk_x509_ext_text(const unsigned char *p, size_t len, char **textp)
{
	ASN1_TYPE *t = NULL, *inner = NULL;
	const unsigned char *ip;
	size_t ilen;
	int r;

	*textp = NULL;
	if ((r = der_string(p, len, &t, textp)) != 1)
		return r;
	if (t != NULL && t->type == V_ASN1_OCTET_STRING) {
		ip = ASN1_STRING_get0_data(t->value.octet_string);
		ilen = (size_t)ASN1_STRING_length(t->value.octet_string);
		if ((r = der_string(ip, ilen, &inner, textp)) == 1)
			r = bare_text(ip, ilen, textp);
		ASN1_TYPE_free(inner);
		ASN1_TYPE_free(t);
		if (r != 1)
			return r;
	} else
		ASN1_TYPE_free(t);
	/* Some issuers put the text itself in extnValue, without DER. */
	return bare_text(p, len, textp);
}

/* ---- OIDs ---- */

int
uk_oid_check(const char *oid)
{
	size_t len, i, digits = 0, arcs = 0;
	unsigned long first = 0, second = 0;

	len = strnlen(oid, UK_OID_MAX + 1);
	if (len == 0 || len > UK_OID_MAX)
		return UK_ERR_OID_FORMAT;
	for (i = 0; i <= len; i++) {
		if (oid[i] >= '0' && oid[i] <= '9') {
			/* No leading zeros ("0" alone is fine). */
			if (digits == 1 && oid[i - 1] == '0')
				return UK_ERR_OID_FORMAT;
			if (++digits > UK_OID_ARC_DIGITS)
				return UK_ERR_OID_FORMAT;
			if (arcs == 0)
				first = first * 10 + (unsigned long)(oid[i] -
				    '0');
			else if (arcs == 1 && digits <= 3)
				second = second * 10 + (unsigned long)(oid[i] -
				    '0');
			else if (arcs == 1)
				second = 1000;
			continue;
		}
		if ((oid[i] != '.' && oid[i] != '\0') || digits == 0)
			return UK_ERR_OID_FORMAT;
		arcs++;
		digits = 0;
		if (arcs == 1 && first > 2)
			return UK_ERR_OID_FORMAT;
	}
	if (arcs < 2 || (first < 2 && second > 39))
		return UK_ERR_OID_FORMAT;
	return 0;
}

static const cJSON *
config_oids(const struct uk_config *cfg)
{
	const cJSON *sec;

	if (cfg == NULL)
		return NULL;
	sec = uk_config_section(cfg, "oids");
	return cJSON_IsObject(sec) ? sec : NULL;
}

const char *
uk_oid_name(const struct uk_config *cfg, const char *oid)
{
	const cJSON *m;
	size_t i;

	m = cJSON_GetObjectItemCaseSensitive(config_oids(cfg), oid);
	if (cJSON_IsString(m))
		return m->valuestring;
	for (i = 0; i < UK_ARRAY_LEN(builtin_oids); i++)
		if (strcmp(builtin_oids[i].oid, oid) == 0)
			return builtin_oids[i].name;
	return NULL;
}

int
uk_oid_config_validate(const cJSON *v, char *why, size_t whylen)
{
	const cJSON *m;
	size_t n = 0, i, len;

	if (!cJSON_IsObject(v)) {
		snprintf(why, whylen, "'oids': must be an object "
		    "{\"1.2.156...\": \"name\"}");
		return UK_ERR_CONFIG;
	}
	cJSON_ArrayForEach(m, v) {
		if (++n > UK_OID_CONFIG_MAX) {
			snprintf(why, whylen, "'oids': more than %d entries",
			    UK_OID_CONFIG_MAX);
			return UK_ERR_CONFIG;
		}
		if (uk_oid_check(m->string) != 0) {
			snprintf(why, whylen, "'oids': '%.80s' is not a "
			    "dotted OID like 1.2.156.10260.4.1.1", m->string);
			return UK_ERR_CONFIG;
		}
		len = cJSON_IsString(m) ? strlen(m->valuestring) : 0;
		if (len == 0 || len > UK_OID_NAME_MAX) {
			snprintf(why, whylen, "'oids.%.80s': must be a name "
			    "of 1-%d bytes", m->string, UK_OID_NAME_MAX);
			return UK_ERR_CONFIG;
		}
		for (i = 0; i < len; i++)
			if ((unsigned char)m->valuestring[i] < 0x20) {
				snprintf(why, whylen, "'oids.%.80s': control "
				    "character in the name", m->string);
				return UK_ERR_CONFIG;
			}
	}
	return 0;
}

/* ---- extension values ---- */

static int
find_ext(const struct uk_x509 *cert, const char *oid, X509_EXTENSION **extp)
{
	ASN1_OBJECT *obj;
	int idx;

	*extp = NULL;
	if (uk_oid_check(oid) != 0)
		return UK_ERR_OID_FORMAT;
	if ((obj = OBJ_txt2obj(oid, 1)) == NULL) {
		ERR_clear_error();
		return UK_ERR_OID_FORMAT;
	}
	idx = X509_get_ext_by_OBJ(uk_x509_get0(cert), obj, -1);
	ASN1_OBJECT_free(obj);
	if (idx < 0)
		return UK_ERR_NO_SUCH_EXTENSION;
	*extp = X509_get_ext(uk_x509_get0(cert), idx);
	return *extp == NULL ? UK_ERR_NO_SUCH_EXTENSION : 0;
}

/* Text of an extension, or upper-case hex of its value when not text. */
static int
ext_value(X509_EXTENSION *ext, char **valp)
{
	const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(ext);
	const unsigned char *p = ASN1_STRING_get0_data(v);
	size_t len = (size_t)ASN1_STRING_length(v);
	int r;

	if ((r = uk_x509_ext_text(p, len, valp)) != 1)
		return r;
	return uk_x509_hex_upper(p, len, valp);
}

int
uk_x509_info_by_oid(const struct uk_x509 *cert, const char *oid, char **valp)
{
	X509_EXTENSION *ext;
	int r;

	*valp = NULL;
	if ((r = find_ext(cert, oid, &ext)) != 0)
		return r;
	return ext_value(ext, valp);
}

int
uk_x509_unique_id(const struct uk_x509 *cert, char **idp)
{
	size_t i;
	int r;

	*idp = NULL;
	for (i = 0; i < UK_ARRAY_LEN(unique_id_oids); i++) {
		r = uk_x509_info_by_oid(cert, unique_id_oids[i], idp);
		if (r != UK_ERR_NO_SUCH_EXTENSION)
			return r;
	}
	return UK_ERR_CERT_UNIQUE_ID;
}

int
uk_x509_add_extensions(const struct uk_x509 *cert,
    const struct uk_config *cfg, cJSON *obj)
{
	X509 *x = uk_x509_get0(cert);
	X509_EXTENSION *ext;
	const ASN1_OCTET_STRING *v;
	cJSON *exts, *nums;
	char oid[UK_OID_MAX + 2], *text = NULL;
	const char *name;
	int i, r;

	if ((exts = cJSON_AddObjectToObject(obj, "extensions")) == NULL ||
	    (nums = cJSON_AddObjectToObject(obj, "numbers")) == NULL)
		return UK_ERR_ALLOC_FAIL;
	for (i = 0; i < X509_get_ext_count(x); i++) {
		ext = X509_get_ext(x, i);
		/* Standard extensions have their own fields. */
		if (X509V3_EXT_get(ext) != NULL)
			continue;
		if (OBJ_obj2txt(oid, sizeof(oid),
		    X509_EXTENSION_get_object(ext), 1) <= 0 ||
		    strlen(oid) >= sizeof(oid) - 1 ||
		    cJSON_GetObjectItemCaseSensitive(exts, oid) != NULL)
			continue;
		v = X509_EXTENSION_get_data(ext);
		r = uk_x509_ext_text(ASN1_STRING_get0_data(v),
		    (size_t)ASN1_STRING_length(v), &text);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		if (cJSON_AddStringToObject(exts, oid, text) == NULL ||
		    ((name = uk_oid_name(cfg, oid)) != NULL &&
		    cJSON_GetObjectItemCaseSensitive(nums, name) == NULL &&
		    cJSON_AddStringToObject(nums, name, text) == NULL)) {
			free(text);
			return UK_ERR_ALLOC_FAIL;
		}
		free(text);
		text = NULL;
	}
	ERR_clear_error();
	return 0;
}
