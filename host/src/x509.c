/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Certificate parsing and the fields SafeEngine pages read.  Input is
 * hostile: sizes are capped before anything is decoded, the DER must be
 * exactly one certificate, and every string leaves as valid UTF-8.
 */
#include "uk_setup.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "json.h"
#include "x509.h"
#include "x509_int.h"

struct uk_x509 {
	X509 *x;
	unsigned char *der;
	size_t derlen;
};

static const char pem_begin[] = "-----BEGIN CERTIFICATE-----";
static const char pem_end[] = "-----END CERTIFICATE-----";

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Parses exactly one DER certificate of len bytes. */
static int
parse_der(const unsigned char *der, size_t len, struct uk_x509 **certp)
{
	struct uk_x509 *cert = NULL;
	const unsigned char *p = der;
	int r = UK_ERR_INTERNAL;

	*certp = NULL;
	if (len == 0 || der[0] != 0x30)
		return UK_ERR_CERT_FORMAT;
	if (len > UK_X509_MAX_DER)
		return UK_ERR_MESSAGE_TOO_LARGE;
	if ((cert = calloc(1, sizeof(*cert))) == NULL)
		return UK_ERR_ALLOC_FAIL;
	ERR_clear_error();
	if ((cert->x = d2i_X509(NULL, &p, (long)len)) == NULL ||
	    (size_t)(p - der) != len) {
		r = UK_ERR_CERT_FORMAT;
		goto out;
	}
	if ((cert->der = malloc(len)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	memcpy(cert->der, der, len);
	cert->derlen = len;
	/* Caches the extensions; a malformed standard one shows up here. */
	(void)X509_get_extension_flags(cert->x);
	/* success */
	*certp = cert;
	cert = NULL;
	r = 0;
 out:
	ERR_clear_error();
	uk_x509_free(cert);
	return r;
}

/* Base64 between optional PEM armour; s is NUL-terminated, len its length. */
static int
parse_b64(const char *s, size_t len, struct uk_x509 **certp)
{
	const char *b, *e;
	char *body = NULL;
	unsigned char *der = NULL;
	size_t derlen = 0, i;
	int r;

	if ((b = strstr(s, pem_begin)) != NULL) {
		for (i = 0; s + i < b; i++)
			if (!is_space((unsigned char)s[i]))
				return UK_ERR_CERT_FORMAT;
		b += sizeof(pem_begin) - 1;
		if ((e = strstr(b, pem_end)) == NULL)
			return UK_ERR_CERT_FORMAT;
		for (i = (size_t)(e - s) + sizeof(pem_end) - 1; i < len; i++)
			if (!is_space((unsigned char)s[i]))
				return UK_ERR_CERT_FORMAT;
		if ((body = strndup(b, (size_t)(e - b))) == NULL)
			return UK_ERR_ALLOC_FAIL;
		r = uk_base64_decode(body, UK_X509_MAX_DER, &der, &derlen);
		free(body);
	} else
		r = uk_base64_decode(s, UK_X509_MAX_DER, &der, &derlen);
	if (r == UK_ERR_INVALID_PARAM)
		r = UK_ERR_CERT_FORMAT;
	if (r == 0)
		r = parse_der(der, derlen, certp);
	free(der);
	return r;
}

int
uk_x509_parse(const void *buf, size_t len, struct uk_x509 **certp)
{
	const unsigned char *u = buf;
	char *text;
	int r;

	*certp = NULL;
	if (len == 0)
		return UK_ERR_CERT_FORMAT;
	if (u[0] == 0x30)
		return parse_der(u, len, certp);
	if (len > UK_X509_MAX_TEXT)
		return UK_ERR_MESSAGE_TOO_LARGE;
	if (memchr(u, '\0', len) != NULL)
		return UK_ERR_CERT_FORMAT;
	if ((text = malloc(len + 1)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	memcpy(text, u, len);
	text[len] = '\0';
	r = parse_b64(text, len, certp);
	free(text);
	return r;
}

int
uk_x509_parse_text(const char *s, struct uk_x509 **certp)
{
	size_t len;

	*certp = NULL;
	len = strnlen(s, UK_X509_MAX_TEXT + 1);
	if (len > UK_X509_MAX_TEXT)
		return UK_ERR_MESSAGE_TOO_LARGE;
	if (len == 0)
		return UK_ERR_CERT_FORMAT;
	return parse_b64(s, len, certp);
}

int
uk_x509_from_X509(X509 *x, struct uk_x509 **certp)
{
	unsigned char *der = NULL;
	int len, r;

	*certp = NULL;
	if (x == NULL)
		return UK_ERR_CERT_FORMAT;
	if ((len = i2d_X509(x, &der)) <= 0)
		return UK_ERR_CERT_FORMAT;
	r = parse_der(der, (size_t)len, certp);
	OPENSSL_free(der);
	return r;
}

void
uk_x509_free(struct uk_x509 *cert)
{
	if (cert == NULL)
		return;
	X509_free(cert->x);
	free(cert->der);
	free(cert);
}

X509 *
uk_x509_get0(const struct uk_x509 *cert)
{
	return cert->x;
}

const unsigned char *
uk_x509_der(const struct uk_x509 *cert, size_t *lenp)
{
	*lenp = cert->derlen;
	return cert->der;
}

/* Days from 1970-01-01 of a proleptic Gregorian date (Howard Hinnant). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int
uk_asn1_time_epoch(const ASN1_TIME *t, int64_t *secp)
{
	struct tm tm;

	*secp = 0;
	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return UK_ERR_CERT_FORMAT;
	*secp = days_from_civil((int64_t)tm.tm_year + 1900,
	    (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday) * 86400 +
	    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return 0;
}

int
uk_asn1_time_iso(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		if (len > 0)
			buf[0] = '\0';
		return UK_ERR_CERT_FORMAT;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	return 0;
}

/* floor(a / b) for b > 0. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

int
uk_x509_valid_days(const struct uk_x509 *cert, time_t now, int64_t *daysp)
{
	int64_t na;
	int r;

	*daysp = 0;
	if ((r = uk_asn1_time_epoch(X509_get0_notAfter(cert->x), &na)) != 0)
		return r;
	*daysp = floor_div(na - (int64_t)now, 86400);
	return 0;
}

/* Upper-case hex of the serial, as `openssl x509 -serial` shows it. */
static int
serial_hex(const X509 *x, char **strp)
{
	BIGNUM *bn = NULL;
	char *hex = NULL;

	*strp = NULL;
	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) == NULL)
		return UK_ERR_CERT_FORMAT;
	hex = BN_bn2hex(bn);
	BN_free(bn);
	if (hex == NULL)
		return UK_ERR_ALLOC_FAIL;
	*strp = strdup(hex);
	OPENSSL_free(hex);
	return *strp == NULL ? UK_ERR_ALLOC_FAIL : 0;
}

/* ---- names ---- */

/* A DN attribute: every value of nid in name, joined by ",". "" if none. */
static int
name_part(const X509_NAME *name, int nid, char **strp)
{
	const X509_NAME_ENTRY *ne;
	char *acc = NULL, *v = NULL, *n;
	size_t acclen = 0, vlen;
	int i = -1, r;

	*strp = NULL;
	while ((i = X509_NAME_get_index_by_NID(name, nid, i)) >= 0) {
		ne = X509_NAME_get_entry(name, i);
		if ((r = uk_asn1_string_utf8(X509_NAME_ENTRY_get_data(ne), &v,
		    &vlen)) != 0) {
			free(acc);
			return r;
		}
		if ((n = realloc(acc, acclen + vlen + 2)) == NULL) {
			free(v);
			free(acc);
			return UK_ERR_ALLOC_FAIL;
		}
		acc = n;
		if (acclen > 0)
			acc[acclen++] = ',';
		memcpy(acc + acclen, v, vlen);
		acclen += vlen;
		acc[acclen] = '\0';
		free(v);
		v = NULL;
	}
	if (acc == NULL && (acc = strdup("")) == NULL)
		return UK_ERR_ALLOC_FAIL;
	*strp = acc;
	return 0;
}

/* Short name in DN strings: OpenSSL's, except E for emailAddress. */
static const char *
dn_short_name(int nid, const ASN1_OBJECT *obj, char *buf, size_t len)
{
	const char *sn;

	if (nid == NID_pkcs9_emailAddress)
		return "E";
	if (nid != NID_undef && (sn = OBJ_nid2sn(nid)) != NULL)
		return sn;
	if (OBJ_obj2txt(buf, (int)len, obj, 1) <= 0)
		snprintf(buf, len, "?");
	return buf;
}

/* Appends s (len n) to a growing string; specials escaped (RFC 4514). */
static int
dn_append(char **accp, size_t *lenp, const char *s, size_t n, int escape)
{
	char *acc;
	size_t i, need = *lenp + 2 * n + 1;

	if ((acc = realloc(*accp, need)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	*accp = acc;
	for (i = 0; i < n; i++) {
		if (escape && (strchr(",+\"\\<>;", s[i]) != NULL ||
		    (i == 0 && (s[i] == '#' || s[i] == ' ')) ||
		    (i == n - 1 && s[i] == ' ')))
			acc[(*lenp)++] = '\\';
		acc[(*lenp)++] = s[i];
	}
	acc[*lenp] = '\0';
	return 0;
}

/* "C=CN, ST=上海市, …, E=…" in the certificate's order. */
int
uk_x509_name_string(const X509_NAME *name, char **strp)
{
	const X509_NAME_ENTRY *ne;
	const ASN1_OBJECT *obj;
	char *acc = NULL, *v = NULL, buf[UK_OID_MAX];
	const char *sn;
	size_t len = 0, vlen;
	int i, r = UK_ERR_INTERNAL;

	*strp = NULL;
	if ((acc = strdup("")) == NULL)
		return UK_ERR_ALLOC_FAIL;
	for (i = 0; i < X509_NAME_entry_count(name); i++) {
		ne = X509_NAME_get_entry(name, i);
		obj = X509_NAME_ENTRY_get_object(ne);
		sn = dn_short_name(OBJ_obj2nid(obj), obj, buf, sizeof(buf));
		if ((r = uk_asn1_string_utf8(X509_NAME_ENTRY_get_data(ne), &v,
		    &vlen)) != 0 ||
		    (i > 0 && (r = dn_append(&acc, &len, ", ", 2, 0)) != 0) ||
		    (r = dn_append(&acc, &len, sn, strlen(sn), 0)) != 0 ||
		    (r = dn_append(&acc, &len, "=", 1, 0)) != 0 ||
		    (r = dn_append(&acc, &len, v, vlen, 1)) != 0)
			goto out;
		free(v);
		v = NULL;
	}
	/* success */
	*strp = acc;
	acc = NULL;
	r = 0;
 out:
	free(v);
	free(acc);
	return r;
}

/* ---- SEH_GetCertDetail items ---- */

enum detail_kind {
	D_VERSION, D_SERIAL, D_SIGALG, D_ISSUER, D_SUBJECT, D_NOTBEFORE,
	D_NOTAFTER, D_ISSUER_DN, D_SUBJECT_DN, D_KEYTYPE, D_KEYBITS,
	D_KEYUSAGE, D_SKI, D_AKI, D_SHA1,
};

/*
 * The one table of SafeEngine item numbers.  2 and 13-19 are known from
 * pages in the field; the rest follow the same pattern (issuer fields in
 * the subject's order, 4-10) and are documented in host/doc/x509.md.
 */
static const struct detail_item {
	int item;
	const char *name;
	enum detail_kind kind;
	int nid;
} detail_items[] = {
	{ 1, "version", D_VERSION, 0 },
	{ 2, "serial", D_SERIAL, 0 },
	{ 3, "signatureAlgorithm", D_SIGALG, 0 },
	{ 4, "issuerC", D_ISSUER, NID_countryName },
	{ 5, "issuerO", D_ISSUER, NID_organizationName },
	{ 6, "issuerOU", D_ISSUER, NID_organizationalUnitName },
	{ 7, "issuerS", D_ISSUER, NID_stateOrProvinceName },
	{ 8, "issuerCN", D_ISSUER, NID_commonName },
	{ 9, "issuerL", D_ISSUER, NID_localityName },
	{ 10, "issuerE", D_ISSUER, NID_pkcs9_emailAddress },
	{ 11, "notBefore", D_NOTBEFORE, 0 },
	{ 12, "notAfter", D_NOTAFTER, 0 },
	{ 13, "subjectC", D_SUBJECT, NID_countryName },
	{ 14, "subjectO", D_SUBJECT, NID_organizationName },
	{ 15, "subjectOU", D_SUBJECT, NID_organizationalUnitName },
	{ 16, "subjectS", D_SUBJECT, NID_stateOrProvinceName },
	{ 17, "subjectCN", D_SUBJECT, NID_commonName },
	{ 18, "subjectL", D_SUBJECT, NID_localityName },
	{ 19, "subjectE", D_SUBJECT, NID_pkcs9_emailAddress },
	{ 20, "issuerDN", D_ISSUER_DN, 0 },
	{ 21, "subjectDN", D_SUBJECT_DN, 0 },
	{ 22, "keyType", D_KEYTYPE, 0 },
	{ 23, "keyBits", D_KEYBITS, 0 },
	{ 24, "keyUsage", D_KEYUSAGE, 0 },
	{ 25, "subjectKeyIdentifier", D_SKI, 0 },
	{ 26, "authorityKeyIdentifier", D_AKI, 0 },
	{ 27, "sha1Fingerprint", D_SHA1, 0 },
};

static const struct detail_item *
detail_find(int item)
{
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(detail_items); i++)
		if (detail_items[i].item == item)
			return &detail_items[i];
	return NULL;
}

int
uk_x509_detail_max(void)
{
	return detail_items[UK_ARRAY_LEN(detail_items) - 1].item;
}

const char *
uk_x509_detail_name(int item)
{
	const struct detail_item *d = detail_find(item);

	return d == NULL ? NULL : d->name;
}

static int
dup_out(const char *s, char **strp)
{
	return (*strp = strdup(s)) == NULL ? UK_ERR_ALLOC_FAIL : 0;
}

/* Upper-case hex without separators. */
static int
hex_upper(const unsigned char *p, size_t len, char **strp)
{
	static const char digits[] = "0123456789ABCDEF";
	char *s;
	size_t i;

	*strp = NULL;
	if ((s = malloc(2 * len + 1)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	for (i = 0; i < len; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 0x0f];
	}
	s[2 * len] = '\0';
	*strp = s;
	return 0;
}

int
uk_x509_hex_upper(const unsigned char *p, size_t len, char **strp)
{
	return hex_upper(p, len, strp);
}

static const struct {
	uint32_t bit;
	const char *name;
} ku_names[] = {
	{ KU_DIGITAL_SIGNATURE, "digitalSignature" },
	{ KU_NON_REPUDIATION, "nonRepudiation" },
	{ KU_KEY_ENCIPHERMENT, "keyEncipherment" },
	{ KU_DATA_ENCIPHERMENT, "dataEncipherment" },
	{ KU_KEY_AGREEMENT, "keyAgreement" },
	{ KU_KEY_CERT_SIGN, "keyCertSign" },
	{ KU_CRL_SIGN, "cRLSign" },
	{ KU_ENCIPHER_ONLY, "encipherOnly" },
	{ KU_DECIPHER_ONLY, "decipherOnly" },
};

/* Comma-separated key usage names ("" without the extension). */
static int
key_usage_string(X509 *x, char **strp)
{
	uint32_t ku = X509_get_key_usage(x);
	char buf[256];
	size_t i;

	buf[0] = '\0';
	if (ku != UINT32_MAX)
		for (i = 0; i < UK_ARRAY_LEN(ku_names); i++)
			if (ku & ku_names[i].bit) {
				if (buf[0] != '\0')
					strcat(buf, ",");
				strcat(buf, ku_names[i].name);
			}
	return dup_out(buf, strp);
}

int
uk_x509_key_info(X509 *x, char *type, size_t typelen, int *bitsp,
    char *curve, size_t curvelen)
{
	EVP_PKEY *pk;
	char group[64];
	const char *nist;
	size_t glen = 0;
	int nid;

	snprintf(type, typelen, "unknown");
	*bitsp = 0;
	if (curvelen > 0)
		curve[0] = '\0';
	if ((pk = X509_get0_pubkey(x)) == NULL) {
		ERR_clear_error();
		return UK_ERR_CERT_FORMAT;
	}
	*bitsp = EVP_PKEY_get_bits(pk);
	group[0] = '\0';
	if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), &glen) != 1)
		group[0] = '\0';
	ERR_clear_error();
	nid = group[0] ? OBJ_sn2nid(group) : NID_undef;
	if (EVP_PKEY_is_a(pk, "SM2") || nid == NID_sm2) {
		snprintf(type, typelen, "SM2");
		snprintf(curve, curvelen, "SM2");
	} else if (EVP_PKEY_is_a(pk, "EC")) {
		snprintf(type, typelen, "EC");
		nist = nid != NID_undef ? EC_curve_nid2nist(nid) : NULL;
		snprintf(curve, curvelen, "%s", nist ? nist : group);
	} else if (EVP_PKEY_is_a(pk, "RSA") || EVP_PKEY_is_a(pk, "RSA-PSS"))
		snprintf(type, typelen, "RSA");
	else if (EVP_PKEY_is_a(pk, "DSA"))
		snprintf(type, typelen, "DSA");
	else if (EVP_PKEY_is_a(pk, "ED25519"))
		snprintf(type, typelen, "Ed25519");
	return 0;
}

/* OID text of the signature algorithm's short name, e.g. "SM2-with-SM3". */
static int
sig_alg_string(const X509 *x, char **strp)
{
	const X509_ALGOR *alg;
	const ASN1_OBJECT *obj;
	char buf[UK_OID_MAX];
	int nid;

	X509_get0_signature(NULL, &alg, x);
	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	nid = OBJ_obj2nid(obj);
	if (nid != NID_undef)
		return dup_out(OBJ_nid2ln(nid), strp);
	if (OBJ_obj2txt(buf, sizeof(buf), obj, 1) <= 0)
		return UK_ERR_CERT_FORMAT;
	return dup_out(buf, strp);
}

static int
key_id_string(const ASN1_OCTET_STRING *id, char **strp)
{
	if (id == NULL)
		return dup_out("", strp);
	return hex_upper(ASN1_STRING_get0_data(id),
	    (size_t)ASN1_STRING_length(id), strp);
}

static int
detail_value(const struct uk_x509 *cert, const struct detail_item *d,
    char **strp)
{
	char buf[64], curve[32];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int bits, r;

	switch (d->kind) {
	case D_VERSION:
		snprintf(buf, sizeof(buf), "%ld", X509_get_version(cert->x) + 1);
		return dup_out(buf, strp);
	case D_SERIAL:
		return serial_hex(cert->x, strp);
	case D_SIGALG:
		return sig_alg_string(cert->x, strp);
	case D_ISSUER:
		return name_part(X509_get_issuer_name(cert->x), d->nid, strp);
	case D_SUBJECT:
		return name_part(X509_get_subject_name(cert->x), d->nid, strp);
	case D_NOTBEFORE:
	case D_NOTAFTER:
		if ((r = uk_asn1_time_iso(d->kind == D_NOTBEFORE ?
		    X509_get0_notBefore(cert->x) : X509_get0_notAfter(cert->x),
		    buf, sizeof(buf))) != 0)
			return r;
		return dup_out(buf, strp);
	case D_ISSUER_DN:
		return uk_x509_name_string(X509_get_issuer_name(cert->x), strp);
	case D_SUBJECT_DN:
		return uk_x509_name_string(X509_get_subject_name(cert->x),
		    strp);
	case D_KEYTYPE:
	case D_KEYBITS:
		(void)uk_x509_key_info(cert->x, buf, sizeof(buf), &bits, curve,
		    sizeof(curve));
		if (d->kind == D_KEYBITS)
			snprintf(buf, sizeof(buf), "%d", bits);
		return dup_out(buf, strp);
	case D_KEYUSAGE:
		return key_usage_string(cert->x, strp);
	case D_SKI:
		return key_id_string(X509_get0_subject_key_id(cert->x), strp);
	case D_AKI:
		return key_id_string(X509_get0_authority_key_id(cert->x), strp);
	case D_SHA1:
		if (X509_digest(cert->x, EVP_sha1(), md, &mdlen) != 1) {
			ERR_clear_error();
			return UK_ERR_CERT_DETAIL;
		}
		return hex_upper(md, mdlen, strp);
	}
	return UK_ERR_CERT_DETAIL;
}

int
uk_x509_detail(const struct uk_x509 *cert, int item, char **strp)
{
	const struct detail_item *d;

	*strp = NULL;
	if ((d = detail_find(item)) == NULL)
		return UK_ERR_CERT_DETAIL;
	return detail_value(cert, d, strp);
}

/* ---- cert.list / cert.parse fields ---- */

static const struct {
	const char *key;
	int nid;
} dn_parts[] = {
	{ "C", NID_countryName },
	{ "S", NID_stateOrProvinceName },
	{ "L", NID_localityName },
	{ "O", NID_organizationName },
	{ "OU", NID_organizationalUnitName },
	{ "CN", NID_commonName },
	{ "E", NID_pkcs9_emailAddress },
};

static int
add_name(cJSON *obj, const char *key, const char *dnkey, const X509_NAME *n)
{
	cJSON *o;
	char *v = NULL;
	size_t i;
	int r;

	if ((o = cJSON_AddObjectToObject(obj, key)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	for (i = 0; i < UK_ARRAY_LEN(dn_parts); i++) {
		if ((r = name_part(n, dn_parts[i].nid, &v)) != 0)
			return r;
		if (cJSON_AddStringToObject(o, dn_parts[i].key, v) == NULL) {
			free(v);
			return UK_ERR_ALLOC_FAIL;
		}
		free(v);
	}
	if ((r = uk_x509_name_string(n, &v)) != 0)
		return r;
	r = cJSON_AddStringToObject(obj, dnkey, v) == NULL ?
	    UK_ERR_ALLOC_FAIL : 0;
	free(v);
	return r;
}

/* Adds key (a malloc'd string, consumed) to obj. */
static int
add_owned(cJSON *obj, const char *key, char *v)
{
	int r = cJSON_AddStringToObject(obj, key, v) == NULL ?
	    UK_ERR_ALLOC_FAIL : 0;

	free(v);
	return r;
}

static int
add_detail(const struct uk_x509 *cert, cJSON *obj, const char *key, int item)
{
	char *v = NULL;
	int r;

	if ((r = uk_x509_detail(cert, item, &v)) != 0)
		return r;
	return add_owned(obj, key, v);
}

static int
add_key(const struct uk_x509 *cert, cJSON *obj)
{
	char type[32], curve[32];
	uint32_t ku = X509_get_key_usage(cert->x);
	cJSON *a;
	size_t i;
	int bits;

	(void)uk_x509_key_info(cert->x, type, sizeof(type), &bits, curve,
	    sizeof(curve));
	if (cJSON_AddStringToObject(obj, "keyType", type) == NULL ||
	    cJSON_AddNumberToObject(obj, "keyBits", bits) == NULL ||
	    (curve[0] != '\0' &&
	    cJSON_AddStringToObject(obj, "curve", curve) == NULL) ||
	    (a = cJSON_AddArrayToObject(obj, "keyUsage")) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (ku != UINT32_MAX)
		for (i = 0; i < UK_ARRAY_LEN(ku_names); i++)
			if ((ku & ku_names[i].bit) &&
			    !cJSON_AddItemToArray(a,
			    cJSON_CreateString(ku_names[i].name)))
				return UK_ERR_ALLOC_FAIL;
	return 0;
}

static int
add_eku(const struct uk_x509 *cert, cJSON *obj)
{
	EXTENDED_KEY_USAGE *eku;
	const ASN1_OBJECT *o;
	char buf[UK_OID_MAX];
	cJSON *a;
	int i, nid, crit = 0, r = 0;

	if ((a = cJSON_AddArrayToObject(obj, "extKeyUsage")) == NULL)
		return UK_ERR_ALLOC_FAIL;
	eku = X509_get_ext_d2i(cert->x, NID_ext_key_usage, &crit, NULL);
	if (eku == NULL) {
		ERR_clear_error();
		return 0;
	}
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		o = sk_ASN1_OBJECT_value(eku, i);
		nid = OBJ_obj2nid(o);
		if (nid != NID_undef)
			snprintf(buf, sizeof(buf), "%s", OBJ_nid2sn(nid));
		else if (OBJ_obj2txt(buf, sizeof(buf), o, 1) <= 0)
			continue;
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(buf))) {
			r = UK_ERR_ALLOC_FAIL;
			break;
		}
	}
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	return r;
}

static int
add_fingerprint(const struct uk_x509 *cert, cJSON *obj, const char *key,
    const EVP_MD *md)
{
	unsigned char buf[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	char *hex;

	if (X509_digest(cert->x, md, buf, &len) != 1) {
		ERR_clear_error();
		return UK_ERR_CERT_FORMAT;
	}
	if ((hex = uk_hex_encode(buf, len)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	return add_owned(obj, key, hex);
}

int
uk_x509_to_json(const struct uk_x509 *cert, const struct uk_config *cfg,
    time_t now, cJSON *obj)
{
	int64_t days;
	char *uid = NULL;
	int r;

	if ((r = add_name(obj, "subject", "subjectDN",
	    X509_get_subject_name(cert->x))) != 0 ||
	    (r = add_name(obj, "issuer", "issuerDN",
	    X509_get_issuer_name(cert->x))) != 0 ||
	    (r = add_detail(cert, obj, "version", 1)) != 0 ||
	    (r = add_detail(cert, obj, "serial", 2)) != 0 ||
	    (r = add_detail(cert, obj, "sigAlg", 3)) != 0 ||
	    (r = add_detail(cert, obj, "notBefore", 11)) != 0 ||
	    (r = add_detail(cert, obj, "notAfter", 12)) != 0 ||
	    (r = uk_x509_valid_days(cert, now, &days)) != 0)
		return r;
	if (cJSON_AddNumberToObject(obj, "daysLeft", (double)days) == NULL ||
	    cJSON_AddBoolToObject(obj, "isCA", X509_check_ca(cert->x) != 0)
	    == NULL)
		return UK_ERR_ALLOC_FAIL;
	if ((r = add_key(cert, obj)) != 0 ||
	    (r = add_eku(cert, obj)) != 0 ||
	    (r = uk_x509_add_extensions(cert, cfg, obj)) != 0)
		return r;
	r = uk_x509_unique_id(cert, &uid);
	if (r == 0 && (r = add_owned(obj, "uniqueId", uid)) != 0)
		return r;
	if (r != 0 && r != UK_ERR_CERT_UNIQUE_ID)
		return r;
	if ((r = add_fingerprint(cert, obj, "sha1", EVP_sha1())) != 0 ||
	    (r = add_fingerprint(cert, obj, "sha256", EVP_sha256())) != 0)
		return r;
	return 0;
}

/* ---- PEM helpers (SEH_PEMEncode / SEH_PEMDecode) ---- */

int
uk_pem_encode(const unsigned char *p, size_t len, const char *label,
    char **pemp)
{
	BIO *bio = NULL;
	BUF_MEM *mem = NULL;
	char *pem = NULL;
	int r = UK_ERR_PEM_ENCODE;

	*pemp = NULL;
	if (len > INT32_MAX)
		return UK_ERR_MESSAGE_TOO_LARGE;
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (PEM_write_bio(bio, label ? label : "CERTIFICATE", "", p,
	    (long)len) <= 0)
		goto out;
	BIO_get_mem_ptr(bio, &mem);
	if (mem == NULL)
		goto out;
	if ((pem = strndup(mem->data, mem->length)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	/* success */
	*pemp = pem;
	r = 0;
 out:
	ERR_clear_error();
	BIO_free(bio);
	return r;
}

int
uk_pem_decode(const char *pem, size_t maxlen, unsigned char **outp,
    size_t *lenp)
{
	BIO *bio = NULL;
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long dlen = 0;
	size_t plen;
	int r = UK_ERR_PEM_DECODE;

	*outp = NULL;
	*lenp = 0;
	plen = strnlen(pem, 4 * maxlen / 3 + 4096);
	if (plen > 4 * maxlen / 3 + 4095)
		return UK_ERR_MESSAGE_TOO_LARGE;
	if ((bio = BIO_new_mem_buf(pem, (int)plen)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (PEM_read_bio(bio, &name, &header, &data, &dlen) != 1)
		goto out;
	if ((size_t)dlen > maxlen) {
		r = UK_ERR_MESSAGE_TOO_LARGE;
		goto out;
	}
	if ((*outp = malloc(dlen > 0 ? (size_t)dlen : 1)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	memcpy(*outp, data, (size_t)dlen);
	/* success */
	*lenp = (size_t)dlen;
	r = 0;
 out:
	ERR_clear_error();
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	BIO_free(bio);
	return r;
}
