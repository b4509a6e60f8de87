/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * x509: parsing of hostile input, SafeEngine detail items, extension values
 * in every encoding issuers use, unique id, days left, OID syntax, the OID
 * configuration, verification against the test PKI (tests/pki), the PEM
 * helpers, and the cert.* methods through the real host binary.
 *
 * Expected values come from tests/pki/README.md (the values make-pki.sh
 * writes), from the openssl command run on the same files, or from
 * certificates this file builds with known contents.
 */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "err.h"
#include "hostproc.h"
#include "json.h"
#include "x509.h"
#include "x509_int.h"

static char pki[512];		/* the test PKI, made once in main() */

/* ---- helpers ---- */

static void put_file(const char *path, const void *buf, size_t len);

static unsigned char *
slurp(const char *path, size_t *lenp)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf;
	long n;

	ck_assert_msg(fp != NULL, "cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*lenp = (size_t)n;
	return buf;
}

static char *
pki_path(const char *name)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/%s", pki, name);
	return path;
}

/* Parses PKI file name (DER or PEM). */
static struct uk_x509 *
load(const char *name)
{
	struct uk_x509 *c = NULL;
	unsigned char *buf;
	size_t len;

	buf = slurp(pki_path(name), &len);
	ck_assert_int_eq(uk_x509_parse(buf, len, &c), 0);
	ck_assert_ptr_nonnull(c);
	free(buf);
	return c;
}

/* One line of `openssl CMD` output run on a PKI file, without newline. */
static void
openssl_line(const char *args, const char *file, char *out, size_t len)
{
	char cmd[2048];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "openssl %s -in '%s'", args, pki_path(file));
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(out, (int)len, p));
	out[strcspn(out, "\n")] = '\0';
	ck_assert_int_eq(pclose(p), 0);
}

static EVP_PKEY *
test_key(void)
{
	static EVP_PKEY *key;

	if (key == NULL)
		key = EVP_EC_gen("P-256");
	ck_assert_ptr_nonnull(key);
	return key;
}

struct ext_spec {
	const char *oid;
	const unsigned char *der;	/* contents of extnValue */
	size_t len;
};

/*
 * A self-signed certificate with subject name (NULL: CN=test), validity
 * [nb, na] and the given extensions, as a parsed uk_x509.
 */
static int
make_cert_r(X509_NAME *name, time_t nb, time_t na, const struct ext_spec *e,
    size_t n, struct uk_x509 **certp)
{
	X509 *x = X509_new();
	X509_NAME *def = NULL;
	ASN1_OCTET_STRING *os;
	ASN1_OBJECT *obj;
	X509_EXTENSION *ext;
	struct uk_x509 *c = NULL;
	size_t i;
	int r;

	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(X509_set_version(x, 2), 1);
	ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1234),
	    1);
	if (name == NULL) {
		def = X509_NAME_new();
		X509_NAME_add_entry_by_txt(def, "CN", MBSTRING_UTF8,
		    (const unsigned char *)"test", -1, -1, 0);
		name = def;
	}
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notBefore(x), nb));
	ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notAfter(x), na));
	X509_set_pubkey(x, test_key());
	for (i = 0; i < n; i++) {
		obj = OBJ_txt2obj(e[i].oid, 1);
		os = ASN1_OCTET_STRING_new();
		ck_assert_ptr_nonnull(obj);
		ASN1_OCTET_STRING_set(os, e[i].der, (int)e[i].len);
		ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
		ck_assert_ptr_nonnull(ext);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
		ASN1_OBJECT_free(obj);
		ASN1_OCTET_STRING_free(os);
	}
	ck_assert_int_gt(X509_sign(x, test_key(), EVP_sha256()), 0);
	r = uk_x509_from_X509(x, &c);
	X509_free(x);
	X509_NAME_free(def);
	*certp = c;
	return r;
}

static struct uk_x509 *
make_cert(X509_NAME *name, time_t nb, time_t na, const struct ext_spec *e,
    size_t n)
{
	struct uk_x509 *c = NULL;

	ck_assert_int_eq(make_cert_r(name, nb, na, e, n, &c), 0);
	return c;
}

static char *
detail(const struct uk_x509 *c, int item)
{
	char *v = NULL;

	ck_assert_int_eq(uk_x509_detail(c, item, &v), 0);
	ck_assert_ptr_nonnull(v);
	return v;
}

static char *
info(const struct uk_x509 *c, const char *oid)
{
	char *v = NULL;

	ck_assert_int_eq(uk_x509_info_by_oid(c, oid, &v), 0);
	ck_assert_ptr_nonnull(v);
	return v;
}

static const char CO1[] = "上海测试有限公司";
static const char CO2[] = "上海第二测试有限公司";

/* ---- SEH_GetCertDetail on the PKI ---- */

static const struct {
	const char *file;
	int item;
	const char *want;
} detail_table[] = {
	{ "leaf-rsa.pem", 1, "3" },
	{ "leaf-rsa.pem", 3, "sha256WithRSAEncryption" },
	{ "leaf-rsa.pem", 4, "CN" },
	{ "leaf-rsa.pem", 5, "UKeyLink 测试" },
	{ "leaf-rsa.pem", 6, "Test PKI" },
	{ "leaf-rsa.pem", 7, "" },
	{ "leaf-rsa.pem", 8, "UKeyLink Test Issuing CA" },
	{ "leaf-rsa.pem", 9, "" },
	{ "leaf-rsa.pem", 10, "" },
	{ "leaf-rsa.pem", 13, "CN" },
	{ "leaf-rsa.pem", 14, CO1 },
	{ "leaf-rsa.pem", 15, "法人一证通" },
	{ "leaf-rsa.pem", 16, "上海市" },
	{ "leaf-rsa.pem", 17, CO1 },
	{ "leaf-rsa.pem", 18, "上海市" },
	{ "leaf-rsa.pem", 19, "admin@test1.example.cn" },
	{ "leaf-rsa.pem", 20, "C=CN, O=UKeyLink 测试, OU=Test PKI, "
	    "CN=UKeyLink Test Issuing CA" },
	{ "leaf-rsa.pem", 21, "C=CN, ST=上海市, L=上海市, O=上海测试有限公司, "
	    "OU=法人一证通, CN=上海测试有限公司, E=admin@test1.example.cn" },
	{ "leaf-rsa.pem", 22, "RSA" },
	{ "leaf-rsa.pem", 23, "2048" },
	{ "leaf-rsa.pem", 24, "digitalSignature,nonRepudiation" },
	/* BMPString subject (older issuers) comes out as the same UTF-8. */
	{ "leaf-company2.der", 13, "CN" },
	{ "leaf-company2.der", 14, CO2 },
	{ "leaf-company2.der", 15, "财务部" },
	{ "leaf-company2.der", 16, "上海市" },
	{ "leaf-company2.der", 17, CO2 },
	{ "leaf-company2.der", 18, "上海市" },
	{ "leaf-company2.der", 19, "finance@test2.example.cn" },
	{ "leaf-company2.der", 24,
	    "digitalSignature,nonRepudiation,keyEncipherment" },
	{ "leaf-ec.pem", 22, "EC" },
	{ "leaf-ec.pem", 23, "256" },
	/* item 3 is the certificate's signature: the issuer's key type */
	{ "leaf-ec.pem", 3, "sha256WithRSAEncryption" },
	{ "leaf-sm2.pem", 22, "SM2" },
	{ "leaf-sm2.pem", 3, "SM2-with-SM3" },
	{ "leaf-sm2.pem", 8, "UKeyLink Test SM2 CA" },
	{ "leaf-plain.pem", 15, "" },
	{ "leaf-plain.pem", 17, "张三" },
	{ "leaf-plain.pem", 19, "" },
	{ "leaf-foreign.pem", 4, "US" },
	{ "leaf-foreign.pem", 5, "Foreign Test Org" },
	{ "leaf-expired.pem", 11, "2020-01-01T00:00:00Z" },
	{ "leaf-expired.pem", 12, "2021-01-01T00:00:00Z" },
};

START_TEST(test_detail_table)
{
	struct uk_x509 *c = load(detail_table[_i].file);
	char *v = detail(c, detail_table[_i].item);

	ck_assert_msg(strcmp(v, detail_table[_i].want) == 0,
	    "%s item %d: got '%s', want '%s'", detail_table[_i].file,
	    detail_table[_i].item, v, detail_table[_i].want);
	free(v);
	uk_x509_free(c);
}
END_TEST

/* Serial, dates, fingerprint and key ids against the openssl command. */
static const char *const pki_leaves[] = { "leaf-rsa.pem", "leaf-ec.pem",
    "leaf-company2.pem", "leaf-sm2.pem", "leaf-expired.pem",
    "leaf-revoked.pem", "leaf-foreign.pem", "leaf-plain.pem",
    "root-ca.pem", "inter-ca.pem", "sm2-ca.pem" };

START_TEST(test_detail_vs_openssl)
{
	const char *f = pki_leaves[_i];
	struct uk_x509 *c = load(f);
	char line[512], want[512], *v, *p;
	size_t i, j;

	openssl_line("x509 -noout -serial", f, line, sizeof(line));
	v = detail(c, 2);
	ck_assert_str_eq(v, line + strlen("serial="));
	free(v);
	openssl_line("x509 -noout -fingerprint -sha1", f, line, sizeof(line));
	p = strchr(line, '=') + 1;
	for (i = j = 0; p[i] != '\0'; i++)
		if (p[i] != ':')
			want[j++] = p[i];
	want[j] = '\0';
	v = detail(c, 27);
	ck_assert_str_eq(v, want);
	free(v);
	/* ISO 8601 "2031-11-25 07:52:13Z" from openssl; ours has a T. */
	openssl_line("x509 -noout -enddate -dateopt iso_8601", f, line,
	    sizeof(line));
	p = strchr(line, '=') + 1;
	p[10] = 'T';
	v = detail(c, 12);
	ck_assert_str_eq(v, p);
	free(v);
	openssl_line("x509 -noout -startdate -dateopt iso_8601", f, line,
	    sizeof(line));
	p = strchr(line, '=') + 1;
	p[10] = 'T';
	v = detail(c, 11);
	ck_assert_str_eq(v, p);
	free(v);
	uk_x509_free(c);
}
END_TEST

START_TEST(test_detail_serial_known)
{
	/* tests/pki/README.md: the intermediate's first serial, top bit set:
	 * no leading 00, upper case. */
	struct uk_x509 *c = load("leaf-rsa.der");
	char *v = detail(c, 2);

	ck_assert_str_eq(v, "9F3B2C4D5E6F708192A3B4C5D6E7F0A0");
	free(v);
	uk_x509_free(c);
}
END_TEST

START_TEST(test_detail_items_all)
{
	struct uk_x509 *c = load("leaf-rsa.pem");
	static const int bad[] = { 0, -1, 28, 1000, INT32_MIN, INT32_MAX };
	char *v;
	int i;

	for (i = 1; i <= uk_x509_detail_max(); i++) {
		ck_assert_ptr_nonnull(uk_x509_detail_name(i));
		v = detail(c, i);
		ck_assert_int_eq(uk_utf8_valid(v, strlen(v)), 0);
		free(v);
	}
	ck_assert_int_eq(uk_x509_detail_max(), 27);
	for (i = 0; i < (int)UK_ARRAY_LEN(bad); i++) {
		v = (char *)1;
		ck_assert_int_eq(uk_x509_detail(c, bad[i], &v),
		    UK_ERR_CERT_DETAIL);
		ck_assert_ptr_null(v);
		ck_assert_ptr_null(uk_x509_detail_name(bad[i]));
	}
	uk_x509_free(c);
}
END_TEST

/* ---- SEH_GetCertInfoByOID on the PKI (values: tests/pki/README.md) ---- */

static const struct {
	const char *file, *oid, *want;
} oid_table[] = {
	{ "leaf-rsa.pem", "1.2.156.10260.4.1.1", "310101198001010011" },
	{ "leaf-rsa.pem", "1.2.156.10260.4.1.2", "SI3101010001" },
	{ "leaf-rsa.pem", "1.2.156.10260.4.1.3", "310000000000001" },
	{ "leaf-rsa.pem", "1.2.156.10260.4.1.4", "91310000MA1FL0000X" },
	{ "leaf-rsa.pem", "1.2.156.10260.4.1.5", "310104MA1FL00001" },
	{ "leaf-rsa.pem", "1.2.156.11.7.1", "310101198001010011" },
	{ "leaf-rsa.pem", "1.2.156.11.7.2", "SI3101010001" },
	{ "leaf-rsa.pem", "1.2.156.11.7.3", "MA1FL0000" },
	{ "leaf-rsa.pem", "1.2.156.11.7.4", "310000000000001" },
	{ "leaf-rsa.pem", "1.2.156.11.7.5", "310104MA1FL00001" },
	{ "leaf-rsa.pem", "1.2.156.112570.148", "SH0000000001UID" },
	{ "leaf-rsa.pem", "1.2.156.1.8888.148", "SH0000000001UID" },
	{ "leaf-rsa.pem", "1.2.156.112570.11.210", "E310000000001" },
	{ "leaf-ec.pem", "1.2.156.10260.4.1.1", "310101198001010011" },
	{ "leaf-ec.pem", "1.2.156.10260.4.1.4", "91310000MA1FL0000X" },
	{ "leaf-ec.pem", "1.2.156.11.7.3", "MA1FL0000" },
	{ "leaf-ec.pem", "1.2.156.11.7.5", "310104MA1FL00001" },
	{ "leaf-ec.pem", "1.2.156.112570.148", "SH0000000002UID" },
	{ "leaf-ec.pem", "1.2.156.112570.11.210", "沪企E310000000001" },
	{ "leaf-company2.pem", "1.2.156.10260.4.1.1", "310101199002020022" },
	{ "leaf-company2.pem", "1.2.156.10260.4.1.2", "SI3101020002" },
	{ "leaf-company2.pem", "1.2.156.10260.4.1.3", "310000000000002" },
	{ "leaf-company2.pem", "1.2.156.10260.4.1.4", "91310000MA1FL0002Y" },
	{ "leaf-company2.pem", "1.2.156.10260.4.1.5", "310104MA1FL00002" },
	{ "leaf-company2.pem", "1.2.156.11.7.3", "MA1FL0002" },
	{ "leaf-company2.pem", "1.2.156.1.8888.148", "SH0000000003UID" },
	{ "leaf-company2.pem", "1.2.156.112570.11.210", "E310000000002" },
	{ "leaf-sm2.pem", "1.2.156.10260.4.1.4", "91310000MA1FL0000X" },
	/* A standard extension that is not text: hex of its value. */
	/* basicConstraints CA:FALSE: SEQUENCE {} */
	{ "leaf-rsa.pem", "2.5.29.19", "3000" },
};

START_TEST(test_oid_table)
{
	struct uk_x509 *c = load(oid_table[_i].file);
	char *v;

	v = info(c, oid_table[_i].oid);
	ck_assert_msg(strcmp(v, oid_table[_i].want) == 0, "%s %s: got '%s'",
	    oid_table[_i].file, oid_table[_i].oid, v);
	free(v);
	uk_x509_free(c);
}
END_TEST

START_TEST(test_no_such_extension)
{
	struct uk_x509 *c = load("leaf-plain.pem");
	static const char *const oids[] = { "1.2.156.10260.4.1.4",
	    "1.2.156.112570.148", "1.2.3.4", "2.999.1" };
	char *v;
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(oids); i++) {
		v = (char *)1;
		ck_assert_int_eq(uk_x509_info_by_oid(c, oids[i], &v),
		    UK_ERR_NO_SUCH_EXTENSION);
		ck_assert_ptr_null(v);
	}
	ck_assert_int_eq(UK_ERR_NO_SUCH_EXTENSION, -2113667021);
	uk_x509_free(c);
}
END_TEST

START_TEST(test_unique_id)
{
	static const struct {
		const char *file, *want;
	} t[] = {
		{ "leaf-rsa.pem", "SH0000000001UID" },
		{ "leaf-ec.pem", "SH0000000002UID" },	/* 112570.148 only */
		{ "leaf-company2.pem", "SH0000000003UID" },	/* 8888.148 */
		{ "leaf-plain.pem", NULL },
	};
	struct uk_x509 *c;
	char *v;
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(t); i++) {
		c = load(t[i].file);
		v = (char *)1;
		if (t[i].want == NULL) {
			ck_assert_int_eq(uk_x509_unique_id(c, &v),
			    UK_ERR_CERT_UNIQUE_ID);
			ck_assert_ptr_null(v);
		} else {
			ck_assert_int_eq(uk_x509_unique_id(c, &v), 0);
			ck_assert_str_eq(v, t[i].want);
			free(v);
		}
		uk_x509_free(c);
	}
}
END_TEST

/* ---- every OID in every encoding, built here ---- */

static const char *const gmt_oids[] = {
	"1.2.156.10260.4.1.1", "1.2.156.10260.4.1.2", "1.2.156.10260.4.1.3",
	"1.2.156.10260.4.1.4", "1.2.156.10260.4.1.5", "1.2.156.11.7.1",
	"1.2.156.11.7.2", "1.2.156.11.7.3", "1.2.156.11.7.4",
	"1.2.156.11.7.5", "1.2.156.112570.148", "1.2.156.1.8888.148",
	"1.2.156.112570.11.210",
};

enum enc {
	E_PRINTABLE, E_UTF8, E_IA5, E_T61, E_VISIBLE, E_BMP, E_UNIVERSAL,
	E_OCTET_TEXT, E_OCTET_PRINTABLE, E_OCTET_UTF8, E_OCTET_BMP, E_BARE,
	E_COUNT
};
static const char *const enc_names[] = { "PrintableString", "UTF8String",
    "IA5String", "T61String", "VisibleString", "BMPString",
    "UniversalString", "OCTET STRING text", "OCTET STRING{Printable}",
    "OCTET STRING{UTF8}", "OCTET STRING{BMP}", "bare text" };

/* Decodes one UTF-8 sequence (test input is valid). */
static uint32_t
next_cp(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	uint32_t cp;
	int n;

	if (p[0] < 0x80) {
		*pp += 1;
		return p[0];
	}
	n = p[0] >= 0xf0 ? 3 : p[0] >= 0xe0 ? 2 : 1;
	cp = p[0] & (0x3f >> n);
	for (int k = 1; k <= n; k++)
		cp = (cp << 6) | (p[k] & 0x3f);
	*pp += n + 1;
	return cp;
}

/* TLV with tag around v[0..n) into out; returns the length. */
static size_t
tlv(unsigned char tag, const unsigned char *v, size_t n, unsigned char *out)
{
	size_t h = 0;

	out[h++] = tag;
	if (n < 0x80)
		out[h++] = (unsigned char)n;
	else {
		out[h++] = 0x82;
		out[h++] = (unsigned char)(n >> 8);
		out[h++] = (unsigned char)n;
	}
	memmove(out + h, v, n);
	return h + n;
}

/* The text s in encoding e, as the contents of extnValue. */
static size_t
encode(enum enc e, const char *s, unsigned char *out)
{
	unsigned char wide[1024], inner[1100];
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, len = strlen(s);
	uint32_t cp;

	switch (e) {
	case E_PRINTABLE: return tlv(0x13, p, len, out);
	case E_UTF8: return tlv(0x0c, p, len, out);
	case E_IA5: return tlv(0x16, p, len, out);
	case E_T61: return tlv(0x14, p, len, out);
	case E_VISIBLE: return tlv(0x1a, p, len, out);
	case E_BMP:
	case E_OCTET_BMP:
		while (*p) {
			cp = next_cp(&p);
			wide[n++] = (unsigned char)(cp >> 8);
			wide[n++] = (unsigned char)cp;
		}
		if (e == E_BMP)
			return tlv(0x1e, wide, n, out);
		n = tlv(0x1e, wide, n, inner);
		return tlv(0x04, inner, n, out);
	case E_UNIVERSAL:
		while (*p) {
			cp = next_cp(&p);
			wide[n++] = 0;
			wide[n++] = (unsigned char)(cp >> 16);
			wide[n++] = (unsigned char)(cp >> 8);
			wide[n++] = (unsigned char)cp;
		}
		return tlv(0x1c, wide, n, out);
	case E_OCTET_TEXT: return tlv(0x04, p, len, out);
	case E_OCTET_PRINTABLE:
		n = tlv(0x13, p, len, inner);
		return tlv(0x04, inner, n, out);
	case E_OCTET_UTF8:
		n = tlv(0x0c, p, len, inner);
		return tlv(0x04, inner, n, out);
	case E_BARE:
		memcpy(out, p, len);
		return len;
	case E_COUNT:
		break;
	}
	ck_abort();
	return 0;
}

static const char *const enc_values[] = {
	"91310000MA1FL0000X", "310101198001010011", "SH0000000001UID",
	"上海测试有限公司", "沪企E310000000001", "Müller & Co.",
};

/* One OID (_i) in every encoding with every value. */
static void
check_encoding(size_t oi, enum enc e, const char *val)
{
	unsigned char der[2048];
	struct ext_spec spec = { gmt_oids[oi], der, 0 };
	struct uk_x509 *c;
	cJSON *obj;
	const cJSON *n;
	char *v;

	spec.len = encode(e, val, der);
	c = make_cert(NULL, 1700000000, 2000000000, &spec, 1);
	v = info(c, gmt_oids[oi]);
	ck_assert_msg(strcmp(v, val) == 0, "%s as %s: got '%s'", gmt_oids[oi],
	    enc_names[e], v);
	free(v);
	/* The same value under its table name in the cert.list fields. */
	obj = cJSON_CreateObject();
	ck_assert_int_eq(uk_x509_to_json(c, NULL, 1800000000, obj), 0);
	n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    obj, "numbers"), uk_oid_name(NULL, gmt_oids[oi]));
	ck_assert_msg(cJSON_IsString(n) && strcmp(n->valuestring, val) == 0,
	    "numbers for %s as %s", gmt_oids[oi], enc_names[e]);
	n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    obj, "extensions"), gmt_oids[oi]);
	ck_assert(cJSON_IsString(n) && strcmp(n->valuestring, val) == 0);
	cJSON_Delete(obj);
	uk_x509_free(c);
}

START_TEST(test_every_encoding)
{
	size_t e, v;

	for (e = 0; e < E_COUNT; e++)
		for (v = 0; v < UK_ARRAY_LEN(enc_values); v++)
			check_encoding((size_t)_i, (enum enc)e, enc_values[v]);
}
END_TEST

/* Values that are not text come back as upper-case hex of extnValue. */
START_TEST(test_non_text_values)
{
	static const struct {
		unsigned char der[8];
		size_t len;
		const char *want;
	} t[] = {
		{ { 0x02, 0x01, 0x05 }, 3, "020105" },		/* INTEGER */
		{ { 0x04, 0x02, 0x00, 0xff }, 4, "040200FF" },	/* binary */
		{ { 0x30, 0x00 }, 2, "3000" },			/* SEQUENCE */
		{ { 0x0c, 0x02, 0xc3, 0x28 }, 4, "0C02C328" },	/* bad UTF-8 */
		{ { 0x1e, 0x01, 0x41 }, 3, "1E0141" },		/* odd BMP */
		{ { 0x1e, 0x02, 0xd8, 0x00 }, 4, "1E02D800" },	/* surrogate */
		{ { 0x01, 0x01, 0xff }, 3, "0101FF" },		/* BOOLEAN */
		{ { 0x01 }, 1, "01" },				/* bare byte */
	};
	struct ext_spec spec;
	struct uk_x509 *c;
	char *v;
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(t); i++) {
		spec.oid = "1.2.156.10260.4.1.4";
		spec.der = t[i].der;
		spec.len = t[i].len;
		c = make_cert(NULL, 1700000000, 2000000000, &spec, 1);
		v = info(c, spec.oid);
		ck_assert_msg(strcmp(v, t[i].want) == 0, "case %zu: got %s", i,
		    v);
		free(v);
		uk_x509_free(c);
	}
}
END_TEST

/* Subject strings in every type: UTF-8 out, NUL never passes through. */
START_TEST(test_subject_string_types)
{
	static const struct {
		int type;
		const char *bytes;
		size_t len;
		const char *want;
	} t[] = {
		{ V_ASN1_UTF8STRING, "上海市", 9, "上海市" },
		{ V_ASN1_BMPSTRING, "\x4e\x0a\x6d\x77\x5e\x02", 6, "上海市" },
		{ V_ASN1_UNIVERSALSTRING, "\0\0\x4e\x0a\0\0\x6d\x77", 8,
		    "上海" },
		{ V_ASN1_T61STRING, "M\xfcller", 6, "Müller" },
		{ V_ASN1_PRINTABLESTRING, "abc", 3, "abc" },
		/* UTF-8 bytes in a T61String (seen from Chinese issuers). */
		{ V_ASN1_T61STRING, "上海", 6, "上海" },
		{ V_ASN1_PRINTABLESTRING, "a\0b", 3, "a\xef\xbf\xbd" "b" },
		{ V_ASN1_BMPSTRING, "\0a\0\0\0b", 6, "a\xef\xbf\xbd" "b" },
	};
	X509_NAME *name;
	struct uk_x509 *c;
	char *v;
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(t); i++) {
		name = X509_NAME_new();
		ck_assert_int_eq(X509_NAME_add_entry_by_NID(name,
		    NID_organizationName, t[i].type,
		    (const unsigned char *)t[i].bytes, (int)t[i].len, -1, 0),
		    1);
		X509_NAME_add_entry_by_NID(name, NID_commonName,
		    MBSTRING_UTF8, (const unsigned char *)"x", -1, -1, 0);
		c = make_cert(name, 1700000000, 2000000000, NULL, 0);
		v = detail(c, 14);
		ck_assert_msg(strcmp(v, t[i].want) == 0, "case %zu: '%s'", i,
		    v);
		free(v);
		v = detail(c, 5);	/* issuer O: self-signed */
		ck_assert_str_eq(v, t[i].want);
		free(v);
		uk_x509_free(c);
		X509_NAME_free(name);
	}
}
END_TEST

/*
 * The string converter on its own (OpenSSL's name decoder refuses some of
 * these before we see them, so they cannot all be built into a name).
 */
START_TEST(test_string_conversion)
{
	static const struct {
		int type;
		const char *bytes;
		size_t len;
		const char *want;	/* NULL: refused */
	} t[] = {
		{ V_ASN1_BMPSTRING, "\xd8\x3d\xde\x00", 4, "😀" },
		{ V_ASN1_BMPSTRING, "\x4e\x0a", 2, "上" },
		{ V_ASN1_UNIVERSALSTRING, "\0\x01\xf6\x00", 4, "😀" },
		{ V_ASN1_UTF8STRING, "\xe4\xb8\x8a", 3, "上" },
		{ V_ASN1_IA5STRING, "a\xe9", 2, "aé" },
		{ V_ASN1_NUMERICSTRING, "123", 3, "123" },
		{ V_ASN1_VISIBLESTRING, "", 0, "" },
		{ V_ASN1_UTF8STRING, "\xc3\x28", 2, NULL },
		{ V_ASN1_UTF8STRING, "\xed\xa0\x80", 3, NULL },
		{ V_ASN1_UTF8STRING, "\xc0\xaf", 2, NULL },
		{ V_ASN1_BMPSTRING, "\x4e", 1, NULL },
		{ V_ASN1_BMPSTRING, "\xdc\x00", 2, NULL },
		{ V_ASN1_BMPSTRING, "\xd8\x3d\x00\x41", 4, NULL },
		{ V_ASN1_BMPSTRING, "\xd8\x3d", 2, NULL },
		{ V_ASN1_UNIVERSALSTRING, "\0\x11\0\0", 4, NULL },
		{ V_ASN1_UNIVERSALSTRING, "\0\0\xd8\0", 4, NULL },
		{ V_ASN1_UNIVERSALSTRING, "\0\0\x41", 3, NULL },
		{ V_ASN1_INTEGER, "\x01", 1, NULL },
		{ V_ASN1_OCTET_STRING, "abc", 3, NULL },
	};
	ASN1_STRING *a;
	char *out;
	size_t i, len;
	int r;

	for (i = 0; i < UK_ARRAY_LEN(t); i++) {
		a = ASN1_STRING_type_new(t[i].type);
		ck_assert_int_eq(ASN1_STRING_set(a, t[i].bytes, (int)t[i].len),
		    1);
		out = (char *)1;
		len = 99;
		r = uk_asn1_string_utf8(a, &out, &len);
		if (t[i].want == NULL) {
			ck_assert_msg(r == UK_ERR_CERT_FORMAT, "case %zu", i);
			ck_assert_ptr_null(out);
			ck_assert_uint_eq(len, 0);
		} else {
			ck_assert_msg(r == 0, "case %zu", i);
			ck_assert_str_eq(out, t[i].want);
			ck_assert_uint_eq(len, strlen(t[i].want));
			free(out);
		}
		ASN1_STRING_free(a);
	}
}
END_TEST

/* Several values of one attribute are joined by ","; DN specials escaped. */
START_TEST(test_multi_value_and_escape)
{
	X509_NAME *name = X509_NAME_new();
	struct uk_x509 *c;
	char *v;

	X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_UTF8,
	    (const unsigned char *)"财务部", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_UTF8,
	    (const unsigned char *)"法人一证通", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"a,b+c", -1, -1, 0);
	c = make_cert(name, 1700000000, 2000000000, NULL, 0);
	v = detail(c, 15);
	ck_assert_str_eq(v, "财务部,法人一证通");
	free(v);
	v = detail(c, 21);
	ck_assert_str_eq(v, "OU=财务部, OU=法人一证通, CN=a\\,b\\+c");
	free(v);
	uk_x509_free(c);
	X509_NAME_free(name);
}
END_TEST

/* ---- SEH_GetCertValidDate ---- */

START_TEST(test_valid_days)
{
	static const struct {
		int64_t delta;	/* notAfter - now, seconds */
		int64_t want;
	} t[] = {
		{ 10 * 86400 + 3600, 10 },
		{ 10 * 86400, 10 },
		{ 10 * 86400 - 1, 9 },
		{ 43200, 0 },		/* last day */
		{ 0, 0 },		/* the very second */
		{ -1, -1 },		/* expired a second ago */
		{ -86400, -1 },
		{ -86401, -2 },
		{ 3650LL * 86400, 3650 },
	};
	const time_t now = 1800000000;	/* 2027-01-15T08:00:00Z */
	struct uk_x509 *c;
	int64_t days;
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(t); i++) {
		c = make_cert(NULL, now - 86400 * 400, now + t[i].delta, NULL,
		    0);
		ck_assert_int_eq(uk_x509_valid_days(c, now, &days), 0);
		ck_assert_msg(days == t[i].want, "delta %lld: %lld",
		    (long long)t[i].delta, (long long)days);
		uk_x509_free(c);
	}
}
END_TEST

START_TEST(test_valid_days_pki)
{
	struct uk_x509 *c = load("leaf-expired.pem");
	time_t now = time(NULL);
	int64_t days, want;

	/* notAfter 2021-01-01T00:00:00Z = 1609459200 (tests/pki/README.md) */
	want = (1609459200 - (int64_t)now - 86399) / 86400;
	ck_assert_int_eq(uk_x509_valid_days(c, now, &days), 0);
	ck_assert_int_eq(days, want);
	ck_assert_int_lt(days, 0);
	uk_x509_free(c);
	c = load("leaf-rsa.pem");	/* 1825 days from issue */
	ck_assert_int_eq(uk_x509_valid_days(c, now, &days), 0);
	ck_assert_int_ge(days, 1823);
	ck_assert_int_le(days, 1825);
	uk_x509_free(c);
}
END_TEST

/* ---- malformed and hostile input ---- */

START_TEST(test_truncated_der)
{
	unsigned char *der;
	size_t len, n;
	struct uk_x509 *c;

	der = slurp(pki_path("leaf-rsa.der"), &len);
	for (n = 0; n < len; n++) {
		c = (struct uk_x509 *)1;
		ck_assert_int_eq(uk_x509_parse(der, n, &c), UK_ERR_CERT_FORMAT);
		ck_assert_ptr_null(c);
	}
	ck_assert_int_eq(uk_x509_parse(der, len, &c), 0);
	uk_x509_free(c);
	free(der);
}
END_TEST

START_TEST(test_malformed_inputs)
{
	static const char *const bad[] = {
		"", "!!!!", "MIIB", "====", "TUlJ\x01", "not a certificate",
		"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
		"-----BEGIN CERTIFICATE-----\n", "AAAA",
		"MAA=",		/* SEQUENCE {} */
	};
	struct uk_x509 *c;
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(bad); i++) {
		c = (struct uk_x509 *)1;
		ck_assert_msg(uk_x509_parse_text(bad[i], &c) ==
		    UK_ERR_CERT_FORMAT, "case %zu", i);
		ck_assert_ptr_null(c);
		c = (struct uk_x509 *)1;
		ck_assert_int_eq(uk_x509_parse(bad[i], strlen(bad[i]), &c),
		    UK_ERR_CERT_FORMAT);
		ck_assert_ptr_null(c);
	}
}
END_TEST

START_TEST(test_text_forms)
{
	unsigned char *pem, *der;
	size_t plen, dlen, i, n;
	char *b64, *s, *wrapped;
	struct uk_x509 *c;
	const unsigned char *got;

	pem = slurp(pki_path("leaf-ec.pem"), &plen);
	der = slurp(pki_path("leaf-ec.der"), &dlen);
	/* PEM, with surrounding whitespace */
	ck_assert_int_eq(uk_x509_parse(pem, plen, &c), 0);
	got = uk_x509_der(c, &n);
	ck_assert_uint_eq(n, dlen);
	ck_assert_mem_eq(got, der, dlen);
	uk_x509_free(c);
	s = malloc(plen + 8);
	snprintf(s, plen + 8, " \r\n%s\n\n", (char *)pem);
	ck_assert_int_eq(uk_x509_parse_text(s, &c), 0);
	uk_x509_free(c);
	/* junk around the armour */
	snprintf(s, plen + 8, "x%s", (char *)pem);
	ck_assert_int_eq(uk_x509_parse_text(s, &c), UK_ERR_CERT_FORMAT);
	snprintf(s, plen + 8, "%sx", (char *)pem);
	ck_assert_int_eq(uk_x509_parse_text(s, &c), UK_ERR_CERT_FORMAT);
	free(s);
	/* bare base64, and with line breaks every 64 characters */
	b64 = uk_base64_encode(der, dlen);
	ck_assert_int_eq(uk_x509_parse_text(b64, &c), 0);
	uk_x509_free(c);
	n = strlen(b64);
	wrapped = malloc(n + n / 64 + 2);
	for (i = 0, plen = 0; i < n; i++) {
		wrapped[plen++] = b64[i];
		if (i % 64 == 63)
			wrapped[plen++] = '\n';
	}
	wrapped[plen] = '\0';
	ck_assert_int_eq(uk_x509_parse_text(wrapped, &c), 0);
	uk_x509_free(c);
	/* trailing garbage after the DER, as DER and as base64 */
	der = realloc(der, dlen + 1);
	der[dlen] = 0;
	ck_assert_int_eq(uk_x509_parse(der, dlen + 1, &c), UK_ERR_CERT_FORMAT);
	free(b64);
	b64 = uk_base64_encode(der, dlen + 1);
	ck_assert_int_eq(uk_x509_parse_text(b64, &c), UK_ERR_CERT_FORMAT);
	/* a NUL inside text */
	ck_assert_int_eq(uk_x509_parse("MII\0AAAA", 8, &c),
	    UK_ERR_CERT_FORMAT);
	free(b64);
	free(wrapped);
	free(der);
	free(pem);
}
END_TEST

START_TEST(test_huge_input)
{
	size_t n = UK_X509_MAX_DER + 1;
	unsigned char *big = malloc(4 * n);
	char *text;
	struct uk_x509 *c = (struct uk_x509 *)1;

	memset(big, 0x41, 4 * n);
	big[0] = 0x30;
	ck_assert_int_eq(uk_x509_parse(big, n, &c), UK_ERR_MESSAGE_TOO_LARGE);
	ck_assert_ptr_null(c);
	/* exactly at the cap: refused as malformed, not as too large */
	ck_assert_int_eq(uk_x509_parse(big, n - 1, &c), UK_ERR_CERT_FORMAT);
	text = malloc(UK_X509_MAX_TEXT + 2);
	memset(text, 'A', UK_X509_MAX_TEXT + 1);
	text[UK_X509_MAX_TEXT + 1] = '\0';
	ck_assert_int_eq(uk_x509_parse_text(text, &c),
	    UK_ERR_MESSAGE_TOO_LARGE);
	ck_assert_int_eq(uk_x509_parse(text, UK_X509_MAX_TEXT + 1, &c),
	    UK_ERR_MESSAGE_TOO_LARGE);
	/* base64 under the text cap that decodes to more than the DER cap */
	text[UK_X509_MAX_TEXT - 4] = '\0';
	ck_assert_int_eq(uk_x509_parse_text(text, &c),
	    UK_ERR_MESSAGE_TOO_LARGE);
	ck_assert_ptr_null(c);
	free(text);
	free(big);
}
END_TEST

/* Random corruption of a real certificate never crashes and never
 * half-succeeds: either a certificate or CERT_FORMAT. */
START_TEST(test_bit_flips)
{
	unsigned char *der, *m;
	size_t len, i;
	struct uk_x509 *c;
	char *v;
	int r, item;

	der = slurp(pki_path("leaf-company2.der"), &len);
	m = malloc(len);
	srand(12345);
	for (i = 0; i < 1000; i++) {
		memcpy(m, der, len);
		m[(size_t)rand() % len] ^= (unsigned char)(1 + rand() % 255);
		r = uk_x509_parse(m, len, &c);
		if (r != 0) {
			ck_assert_int_eq(r, UK_ERR_CERT_FORMAT);
			continue;
		}
		for (item = 1; item <= uk_x509_detail_max(); item++)
			if (uk_x509_detail(c, item, &v) == 0) {
				ck_assert_int_eq(uk_utf8_valid(v, strlen(v)),
				    0);
				free(v);
			}
		if (uk_x509_info_by_oid(c, "1.2.156.10260.4.1.4", &v) == 0)
			free(v);
		uk_x509_free(c);
	}
	free(m);
	free(der);
}
END_TEST

/* ---- OID syntax ---- */

static const struct {
	const char *oid;
	int ok;
} oid_syntax[] = {
	{ "1.2.156.10260.4.1.4", 1 }, { "2.999.1", 1 }, { "0.0", 1 },
	{ "1.39", 1 }, { "2.5.29.19", 1 },
	{ "1.2.156.123456789012345678901234567890123456789", 1 },
	{ "", 0 }, { "1", 0 }, { "1.", 0 }, { ".1", 0 }, { "1..2", 0 },
	{ "3.1", 0 }, { "1.40", 0 }, { "0.400", 0 }, { "01.2", 0 },
	{ "1.02", 0 }, { "1.2.a", 0 }, { " 1.2", 0 }, { "1.2 ", 0 },
	{ "1.2.-3", 0 }, { "1,2,3", 0 }, { "1.2.156.\xe4\xb8\x8a", 0 },
	{ "1.2.1234567890123456789012345678901234567890", 0 },
	{ "organizationName", 0 }, { "O", 0 }, { "1.2.3.", 0 },
};

START_TEST(test_oid_syntax)
{
	struct uk_x509 *c = load("leaf-rsa.pem");
	char *v = NULL;
	int r;

	ck_assert_int_eq(uk_oid_check(oid_syntax[_i].oid) == 0,
	    oid_syntax[_i].ok);
	r = uk_x509_info_by_oid(c, oid_syntax[_i].oid, &v);
	if (oid_syntax[_i].ok)
		ck_assert(r == 0 || r == UK_ERR_NO_SUCH_EXTENSION);
	else {
		ck_assert_int_eq(r, UK_ERR_OID_FORMAT);
		ck_assert_ptr_null(v);
	}
	free(v);
	uk_x509_free(c);
}
END_TEST

START_TEST(test_oid_too_long)
{
	char oid[UK_OID_MAX + 8] = "1.2";

	/* exactly UK_OID_MAX characters: accepted */
	while (strlen(oid) < UK_OID_MAX - 1)
		strcat(oid, ".3");
	if (strlen(oid) < UK_OID_MAX)
		strcat(oid, "3");
	ck_assert_uint_eq(strlen(oid), UK_OID_MAX);
	ck_assert_int_eq(uk_oid_check(oid), 0);
	strcat(oid, ".3");
	ck_assert_int_eq(uk_oid_check(oid), UK_ERR_OID_FORMAT);
}
END_TEST

/* ---- cert.list fields ---- */

static const cJSON *
jget(const cJSON *o, const char *path)
{
	char buf[128], *save = NULL, *k;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); k && o;
	    k = strtok_r(NULL, ".", &save))
		o = cJSON_GetObjectItemCaseSensitive(o, k);
	return o;
}

static void
assert_jstr(const cJSON *o, const char *path, const char *want)
{
	const cJSON *v = jget(o, path);
	char *text;

	if (!cJSON_IsString(v)) {
		text = cJSON_PrintUnformatted(o);
		ck_abort_msg("%s missing in %.300s", path, text);
	}
	ck_assert_msg(strcmp(v->valuestring, want) == 0, "%s: '%s' != '%s'",
	    path, v->valuestring, want);
}

static int
jarray_has(const cJSON *a, const char *s)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, a)
		if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0)
			return 1;
	return 0;
}

START_TEST(test_to_json)
{
	struct uk_x509 *c = load("leaf-ec.pem");
	cJSON *o = cJSON_CreateObject();
	char line[256], want[80];
	const char *p;
	size_t i, j;

	ck_assert_int_eq(uk_x509_to_json(c, NULL, time(NULL), o), 0);
	assert_jstr(o, "subject.O", CO1);
	assert_jstr(o, "subject.S", "上海市");
	assert_jstr(o, "subject.E", "admin@test1.example.cn");
	assert_jstr(o, "issuer.CN", "UKeyLink Test Issuing CA");
	assert_jstr(o, "issuer.L", "");
	assert_jstr(o, "keyType", "EC");
	assert_jstr(o, "curve", "P-256");
	ck_assert_int_eq(jget(o, "keyBits")->valueint, 256);
	ck_assert(jarray_has(jget(o, "keyUsage"), "keyAgreement"));
	ck_assert(jarray_has(jget(o, "keyUsage"), "digitalSignature"));
	ck_assert(!jarray_has(jget(o, "keyUsage"), "keyEncipherment"));
	ck_assert(jarray_has(jget(o, "extKeyUsage"), "clientAuth"));
	ck_assert_int_eq(cJSON_GetArraySize(jget(o, "extKeyUsage")), 1);
	assert_jstr(o, "numbers.shecaEnterpriseCode", "沪企E310000000001");
	assert_jstr(o, "numbers.organizationCode", "91310000MA1FL0000X");
	assert_jstr(o, "uniqueId", "SH0000000002UID");
	ck_assert_int_eq(cJSON_GetArraySize(jget(o, "extensions")), 12);
	ck_assert(cJSON_IsFalse(jget(o, "isCA")));
	ck_assert(jget(o, "daysLeft")->valuedouble >= 1823);
	openssl_line("x509 -noout -fingerprint -sha256", "leaf-ec.pem", line,
	    sizeof(line));
	p = strchr(line, '=') + 1;
	for (i = j = 0; p[i] != '\0' && j < sizeof(want) - 1; i++)
		if (p[i] != ':')
			want[j++] = (char)(p[i] >= 'A' && p[i] <= 'F' ?
			    p[i] + 32 : p[i]);
	want[j] = '\0';
	assert_jstr(o, "sha256", want);
	cJSON_Delete(o);
	uk_x509_free(c);

	c = load("leaf-sm2.der");
	o = cJSON_CreateObject();
	ck_assert_int_eq(uk_x509_to_json(c, NULL, time(NULL), o), 0);
	assert_jstr(o, "keyType", "SM2");
	assert_jstr(o, "curve", "SM2");
	assert_jstr(o, "sigAlg", "SM2-with-SM3");
	cJSON_Delete(o);
	uk_x509_free(c);

	c = load("root-ca.pem");
	o = cJSON_CreateObject();
	ck_assert_int_eq(uk_x509_to_json(c, NULL, time(NULL), o), 0);
	assert_jstr(o, "keyType", "RSA");
	ck_assert_int_eq(jget(o, "keyBits")->valueint, 3072);
	ck_assert(cJSON_IsTrue(jget(o, "isCA")));
	ck_assert(jget(o, "uniqueId") == NULL);
	ck_assert_int_eq(cJSON_GetArraySize(jget(o, "numbers")), 0);
	cJSON_Delete(o);
	uk_x509_free(c);
}
END_TEST

/* ---- configuration: "oids", "trustAnchors" ---- */

static struct uk_config *
config_from(const char *json)
{
	struct uk_config *cfg = NULL;
	char *path = uk_test_write_temp("config.json", json);

	ck_assert_ptr_nonnull(path);
	unsetenv("UKEYLINK_CONFIG");
	ck_assert_int_eq(uk_config_load("/nonexistent/system.json", path,
	    &cfg), 0);
	free(path);
	return cfg;
}

START_TEST(test_config_oids)
{
	static const char good[] = "{\"oids\": {\"1.2.156.10260.4.1.4\": "
	    "\"uscc\", \"1.2.156.9999.1\": \"单位公积金账号\"}}";
	static const char *const bad[] = {
		"{\"oids\": []}",
		"{\"oids\": {\"1.2.x\": \"a\"}}",
		"{\"oids\": {\"1.2.3\": \"\"}}",
		"{\"oids\": {\"1.2.3\": 5}}",
		"{\"oids\": {\"1.2.3\": \"a\\nb\"}}",
		("{\"oids\": {\"1.2.3\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}"),
	};
	static const unsigned char fund[] = { 0x0c, 0x06, '1', '2', '3', '4',
	    '5', '6' };
	struct ext_spec spec = { "1.2.156.9999.1", fund, sizeof(fund) };
	struct uk_config *cfg = config_from(good);
	char why[256];
	struct uk_x509 *c;
	cJSON *o;
	size_t i;

	ck_assert_str_eq(uk_oid_name(cfg, "1.2.156.10260.4.1.4"), "uscc");
	ck_assert_str_eq(uk_oid_name(cfg, "1.2.156.9999.1"),
	    "单位公积金账号");
	ck_assert_str_eq(uk_oid_name(cfg, "1.2.156.10260.4.1.5"),
	    "taxpayerNumber");
	ck_assert_ptr_null(uk_oid_name(cfg, "1.2.3.4"));
	ck_assert_ptr_null(uk_oid_name(NULL, "1.2.156.9999.1"));
	c = make_cert(NULL, 1700000000, 2000000000, &spec, 1);
	o = cJSON_CreateObject();
	ck_assert_int_eq(uk_x509_to_json(c, cfg, 1800000000, o), 0);
	assert_jstr(o, "numbers.单位公积金账号", "123456");
	cJSON_Delete(o);
	uk_x509_free(c);
	uk_config_free(cfg);
	for (i = 0; i < UK_ARRAY_LEN(bad); i++) {
		ck_assert_int_eq(uk_config_check_text(bad[i], strlen(bad[i]),
		    why, sizeof(why)), UK_ERR_CONFIG);
		ck_assert_ptr_nonnull(strstr(why, "oids"));
	}
	ck_assert_int_eq(uk_config_check_text(good, strlen(good), why,
	    sizeof(why)), 0);
}
END_TEST

/* ---- SEH_VerifyCertificate ---- */

static struct uk_config *
config_anchors(const char *a, const char *b)
{
	char json[4096];

	snprintf(json, sizeof(json), "{\"trustAnchors\": [\"%s\"%s%s%s]}", a,
	    b ? ", \"" : "", b ? b : "", b ? "\"" : "");
	return config_from(json);
}

static int
verify(struct uk_config *cfg, const char *leaf, const char *chain1,
    int revocation, time_t now, char *detail, size_t len)
{
	struct uk_x509 *c = load(leaf), *ch[1] = { NULL };
	int r;

	if (chain1 != NULL)
		ch[0] = load(chain1);
	r = uk_x509_verify(NULL, cfg, c, ch, chain1 ? 1 : 0, revocation, now,
	    detail, len);
	uk_x509_free(ch[0]);
	uk_x509_free(c);
	return r;
}

START_TEST(test_verify)
{
	char root[1024], inter[1024], sm2[1024], d[256];
	struct uk_config *cfg;
	time_t now = time(NULL);

	snprintf(root, sizeof(root), "%s", pki_path("root-ca.pem"));
	snprintf(inter, sizeof(inter), "%s", pki_path("inter-ca.der"));
	snprintf(sm2, sizeof(sm2), "%s", pki_path("sm2-ca.pem"));
	cfg = config_anchors(root, sm2);
	ck_assert_int_eq(verify(cfg, "leaf-rsa.pem", "inter-ca.pem", 0, now,
	    d, sizeof(d)), 0);
	ck_assert_int_eq(verify(cfg, "leaf-ec.pem", "inter-ca.der", 0, now,
	    d, sizeof(d)), 0);
	ck_assert_int_eq(verify(cfg, "leaf-company2.pem", "inter-ca.pem", 0,
	    now, d, sizeof(d)), 0);
	ck_assert_int_eq(verify(cfg, "leaf-sm2.pem", NULL, 0, now, d,
	    sizeof(d)), 0);
	/* signed as GM/T 0015 CAs sign: SM2 with the GM/T 0009 default ID
	 * (OpenSSL 3.0 alone checks with an empty one and fails) */
	ck_assert_msg(verify(cfg, "leaf-sm2-gmt.pem", NULL, 0, now, d,
	    sizeof(d)) == 0, "%s", d);
	/* and a signature wrong with either ID is still refused */
	{
		size_t len;
		unsigned char *der = slurp(pki_path("leaf-sm2-gmt.der"), &len);

		ck_assert_ptr_nonnull(der);
		der[len - 1] ^= 0x01;	/* in the signature's s */
		put_file(pki_path("leaf-sm2-gmt-bad.der"), der, len);
		free(der);
		ck_assert_int_eq(verify(cfg, "leaf-sm2-gmt-bad.der", NULL, 0,
		    now, d, sizeof(d)), UK_ERR_VERIFY_CHAIN);
		ck_assert_ptr_nonnull(strstr(d, "signature"));
	}
	/* no intermediate given: no path */
	ck_assert_int_eq(verify(cfg, "leaf-rsa.pem", NULL, 0, now, d,
	    sizeof(d)), UK_ERR_VERIFY_CHAIN);
	ck_assert_ptr_nonnull(strstr(d, "issuer"));
	ck_assert_int_eq(UK_ERR_VERIFY_CHAIN, -2113667051);
	/* foreign issuer, even when its CA is handed in as chain */
	ck_assert_int_eq(verify(cfg, "leaf-foreign.pem", "foreign-ca.pem", 0,
	    now, d, sizeof(d)), UK_ERR_VERIFY_CHAIN);
	/* expired: dates first */
	ck_assert_int_eq(verify(cfg, "leaf-expired.pem", "inter-ca.pem", 0,
	    now, d, sizeof(d)), UK_ERR_CERT_EXPIRED);
	ck_assert_str_eq(d, "expired on 2021-01-01T00:00:00Z");
	/* not yet valid at a time before issue */
	ck_assert_int_eq(verify(cfg, "leaf-rsa.pem", "inter-ca.pem", 0,
	    1600000000, d, sizeof(d)), UK_ERR_CERT_EXPIRED);
	ck_assert_ptr_nonnull(strstr(d, "not valid before"));
	/* a CA is not an end-entity signing certificate (key usage) */
	ck_assert_int_eq(verify(cfg, "inter-ca.pem", NULL, 0, now, d,
	    sizeof(d)), UK_ERR_VERIFY_CHAIN);
	ck_assert_ptr_nonnull(strstr(d, "digitalSignature"));
	/* encryption-only certificate issued by issue.sh in main() */
	ck_assert_int_eq(verify(cfg, "leaf-encrypt.pem", "inter-ca.pem", 0,
	    now, d, sizeof(d)), UK_ERR_VERIFY_CHAIN);
	ck_assert_ptr_nonnull(strstr(d, "digitalSignature"));
	/* revocation without the host's context (net needs it) */
	ck_assert_int_eq(verify(cfg, "leaf-rsa.pem", "inter-ca.pem", 1, now,
	    d, sizeof(d)), UK_ERR_NOT_SUPPORTED);
	ck_assert_ptr_nonnull(strstr(d, "revocation"));
	uk_config_free(cfg);

	/* the intermediate alone as anchor (partial chain) */
	cfg = config_anchors(inter, NULL);
	ck_assert_int_eq(verify(cfg, "leaf-rsa.pem", NULL, 0, now, d,
	    sizeof(d)), 0);
	ck_assert_int_eq(verify(cfg, "leaf-sm2.pem", NULL, 0, now, d,
	    sizeof(d)), UK_ERR_VERIFY_CHAIN);
	uk_config_free(cfg);

	/* unreadable anchor file only: nothing to chain to */
	cfg = config_anchors("/nonexistent/anchor.pem", NULL);
	ck_assert_int_eq(verify(cfg, "leaf-rsa.pem", "inter-ca.pem", 0, now,
	    d, sizeof(d)), UK_ERR_VERIFY_CHAIN);
	uk_config_free(cfg);
}
END_TEST

START_TEST(test_verify_chain_limit)
{
	struct uk_x509 *c = load("leaf-rsa.pem");
	struct uk_x509 *ch[UK_X509_MAX_CHAIN + 1];
	char d[128];
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(ch); i++)
		ch[i] = c;
	ck_assert_int_eq(uk_x509_verify(NULL, NULL, c, ch, UK_ARRAY_LEN(ch),
	    0, time(NULL), d, sizeof(d)), UK_ERR_CHAIN_FORMAT);
	uk_x509_free(c);
}
END_TEST

/* Writes len bytes of buf over path in place (same inode). */
static void
put_file(const char *path, const void *buf, size_t len)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fwrite(buf, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

/* PKI file name, padded with newlines to len bytes (PEM readers skip
 * text around the armour). */
static char *
padded_pem(const char *name, size_t len)
{
	size_t n;
	unsigned char *pem = slurp(pki_path(name), &n);
	char *buf = malloc(len);

	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_le(n, len);
	memset(buf, '\n', len);
	memcpy(buf, pem, n);
	free(pem);
	return buf;
}

static double
wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Past the window in which a just-written anchor file keeps the store
 * from being reused (x509_verify.c, UK_ANCHOR_RACY_NS). */
static void
let_files_age(void)
{
	struct timespec ts = { 0, 80 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * The anchor store is built once and reused while its files stay the same,
 * and rebuilt when IT changes a trustAnchors file under a running host:
 * rewritten in place (even with the same size and the old mtime put
 * back), replaced by rename, removed; and when the configured list
 * changes.  A certificate chaining to a newly added anchor verifies right
 * after the change.
 */
START_TEST(test_verify_anchor_cache)
{
	char d[256], *path, *next, *root, *sm2, *both;
	size_t len = 8192, rl, sl;
	struct uk_config *cfg, *cfg2;
	struct timespec times[2];
	struct stat st;
	time_t now = time(NULL);
	unsigned long b;
	unsigned char *r1, *s1;
	double t0;

	root = padded_pem("root-ca.pem", len);
	sm2 = padded_pem("sm2-ca.pem", len);
	r1 = slurp(pki_path("root-ca.pem"), &rl);
	s1 = slurp(pki_path("sm2-ca.pem"), &sl);
	ck_assert_ptr_nonnull(both = malloc(rl + sl));
	memcpy(both, r1, rl);
	memcpy(both + rl, s1, sl);
	path = uk_test_write_temp("anchors.pem", "");
	ck_assert_ptr_nonnull(path);
	put_file(path, root, len);
	cfg = config_anchors(path, NULL);
	let_files_age();

	/* Built once, then reused. */
	ck_assert_int_eq(verify(cfg, "leaf-rsa.pem", "inter-ca.pem", 0, now,
	    d, sizeof(d)), 0);
	b = uk_x509_anchor_builds();
	ck_assert_int_eq(verify(cfg, "leaf-rsa.pem", "inter-ca.pem", 0, now,
	    d, sizeof(d)), 0);
	ck_assert_int_eq(verify(cfg, "leaf-sm2.pem", NULL, 0, now, d,
	    sizeof(d)), UK_ERR_VERIFY_CHAIN);
	ck_assert_uint_eq(uk_x509_anchor_builds(), b);

	/* Same size, same inode, mtime put back: only ctime tells. */
	ck_assert_int_eq(stat(path, &st), 0);
	put_file(path, sm2, len);
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
	ck_assert_int_eq(verify(cfg, "leaf-sm2.pem", NULL, 0, now, d,
	    sizeof(d)), 0);
	ck_assert_uint_eq(uk_x509_anchor_builds(), b + 1);
	ck_assert_int_eq(verify(cfg, "leaf-rsa.pem", "inter-ca.pem", 0, now,
	    d, sizeof(d)), UK_ERR_VERIFY_CHAIN);

	/* Just written: the store is not trusted to be current until the
	 * file is older than a timestamp tick, so it is rebuilt again. */
	t0 = wall_now();
	put_file(path, root, len);
	ck_assert_int_eq(verify(cfg, "leaf-rsa.pem", "inter-ca.pem", 0, now,
	    d, sizeof(d)), 0);
	b = uk_x509_anchor_builds();
	ck_assert_int_eq(verify(cfg, "leaf-rsa.pem", "inter-ca.pem", 0, now,
	    d, sizeof(d)), 0);
	if (wall_now() - t0 < 0.030)	/* else too slow to tell */
		ck_assert_uint_eq(uk_x509_anchor_builds(), b + 1);
	let_files_age();
	ck_assert_int_eq(verify(cfg, "leaf-rsa.pem", "inter-ca.pem", 0, now,
	    d, sizeof(d)), 0);
	b = uk_x509_anchor_builds();
	ck_assert_int_eq(verify(cfg, "leaf-rsa.pem", "inter-ca.pem", 0, now,
	    d, sizeof(d)), 0);
	ck_assert_uint_eq(uk_x509_anchor_builds(), b);

	/* Replaced by rename with both CAs: both leaves verify. */
	ck_assert_ptr_nonnull(next = malloc(strlen(path) + 5));
	sprintf(next, "%s.new", path);
	put_file(next, both, rl + sl);
	ck_assert_int_eq(rename(next, path), 0);
	ck_assert_int_eq(verify(cfg, "leaf-sm2.pem", NULL, 0, now, d,
	    sizeof(d)), 0);
	ck_assert_int_eq(verify(cfg, "leaf-rsa.pem", "inter-ca.pem", 0, now,
	    d, sizeof(d)), 0);

	/* Another configuration (the intermediate alone): its own store. */
	cfg2 = config_anchors(pki_path("inter-ca.der"), NULL);
	ck_assert_int_eq(verify(cfg2, "leaf-rsa.pem", NULL, 0, now, d,
	    sizeof(d)), 0);
	ck_assert_int_eq(verify(cfg2, "leaf-sm2.pem", NULL, 0, now, d,
	    sizeof(d)), UK_ERR_VERIFY_CHAIN);
	ck_assert_int_eq(verify(cfg, "leaf-sm2.pem", NULL, 0, now, d,
	    sizeof(d)), 0);
	uk_config_free(cfg2);

	/* Removed: nothing to chain to. */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(verify(cfg, "leaf-rsa.pem", "inter-ca.pem", 0, now,
	    d, sizeof(d)), UK_ERR_VERIFY_CHAIN);
	ck_assert_ptr_nonnull(strstr(d, "no trust anchors"));
	/* And back. */
	put_file(path, root, len);
	ck_assert_int_eq(verify(cfg, "leaf-rsa.pem", "inter-ca.pem", 0, now,
	    d, sizeof(d)), 0);

	uk_x509_anchor_cache_free();
	b = uk_x509_anchor_builds();
	ck_assert_int_eq(verify(cfg, "leaf-rsa.pem", "inter-ca.pem", 0, now,
	    d, sizeof(d)), 0);
	ck_assert_uint_eq(uk_x509_anchor_builds(), b + 1);
	uk_x509_anchor_cache_free();
	uk_config_free(cfg);
	free(next);
	free(both);
	free(r1);
	free(s1);
	free(sm2);
	free(root);
	free(path);
}
END_TEST

/* The shipped SHECA (UniTrust) roots parse, are self-signed and named. */
START_TEST(test_shipped_roots)
{
	static const struct {
		const char *file, *cn;
	} t[] = {
		{ "UCA_Global_G2_Root.pem", "UCA Global G2 Root" },
		{ "UCA_Extended_Validation_Root.pem",
		    "UCA Extended Validation Root" },
	};
	char path[1024], *v;
	unsigned char *buf;
	size_t len, i;
	struct uk_x509 *c;
	int n;

	for (i = 0; i < UK_ARRAY_LEN(t); i++) {
		snprintf(path, sizeof(path), "%s/host/trust/%s",
		    UK_TEST_SOURCE_DIR, t[i].file);
		ck_assert_int_eq(uk_x509_load_anchors(NULL, path, &n), 0);
		ck_assert_int_eq(n, 1);
		buf = slurp(path, &len);
		ck_assert_int_eq(uk_x509_parse(buf, len, &c), 0);
		v = detail(c, 17);
		ck_assert_str_eq(v, t[i].cn);
		free(v);
		v = detail(c, 14);
		ck_assert_str_eq(v, "UniTrust");
		free(v);
		ck_assert_int_eq(X509_verify(uk_x509_get0(c),
		    X509_get0_pubkey(uk_x509_get0(c))), 1);
		uk_x509_free(c);
		free(buf);
	}
	ck_assert_ptr_nonnull(strstr(uk_x509_trust_dir(), "ukeylink/trust"));
}
END_TEST

/* ---- PEM helpers ---- */

START_TEST(test_pem_helpers)
{
	unsigned char *der, *out = NULL;
	size_t dlen, olen = 0;
	char *pem = NULL;
	struct uk_x509 *c;

	der = slurp(pki_path("leaf-rsa.der"), &dlen);
	ck_assert_int_eq(uk_pem_encode(der, dlen, NULL, &pem), 0);
	ck_assert_ptr_nonnull(strstr(pem, "-----BEGIN CERTIFICATE-----"));
	ck_assert_int_eq(uk_x509_parse_text(pem, &c), 0);
	uk_x509_free(c);
	ck_assert_int_eq(uk_pem_decode(pem, 65536, &out, &olen), 0);
	ck_assert_uint_eq(olen, dlen);
	ck_assert_mem_eq(out, der, dlen);
	free(out);
	ck_assert_int_eq(uk_pem_decode(pem, 16, &out, &olen),
	    UK_ERR_MESSAGE_TOO_LARGE);
	ck_assert_ptr_null(out);
	free(pem);
	ck_assert_int_eq(uk_pem_encode((const unsigned char *)"abc", 3,
	    "DATA", &pem), 0);
	ck_assert_ptr_nonnull(strstr(pem, "-----BEGIN DATA-----\nYWJj\n"));
	ck_assert_int_eq(uk_pem_decode(pem, 16, &out, &olen), 0);
	ck_assert_uint_eq(olen, 3);
	ck_assert_mem_eq(out, "abc", 3);
	free(out);
	free(pem);
	ck_assert_int_eq(uk_pem_decode("garbage", 16, &out, &olen),
	    UK_ERR_PEM_DECODE);
	ck_assert_int_eq(uk_pem_decode("-----BEGIN X-----\n!!\n-----END X---"
	    "--\n", 16, &out, &olen), UK_ERR_PEM_DECODE);
	free(der);
}
END_TEST

/* ---- the cert.* methods through the real host ---- */

static struct uk_hostproc hp;
static int64_t next_id = 1;

static void
start_host(void)
{
	char cfg[4096];

	snprintf(cfg, sizeof(cfg),
	    "{\"extensionIds\":{\"chromium\":[\"" UK_TEST_CHROMIUM_ID "\"]},"
	    "\"origins\":[{\"origin\":\"" UK_TEST_ORIGIN "\","
	    "\"capabilities\":[\"read\",\"sign\"]}],"
	    "\"log\":{\"level\":\"warn\",\"destination\":\"stderr\"},"
	    "\"trustAnchors\":[\"%s\"],"
	    "\"oids\":{\"1.2.156.10260.4.1.4\":\"uscc\"}}",
	    pki_path("root-ca.pem"));
	ck_assert_int_eq(uk_hostproc_start_test(&hp, cfg), 0);
}

static void
stop_host(void)
{
	ck_assert_int_eq(uk_hostproc_finish(&hp, 5000), 0);
}

static char *
b64_file(const char *name)
{
	unsigned char *der;
	size_t len;
	char *b64;

	der = slurp(pki_path(name), &len);
	b64 = uk_base64_encode(der, len);
	free(der);
	return b64;
}

/* Calls method with params; returns the response (caller deletes). */
static cJSON *
call(const char *method, const char *params)
{
	cJSON *resp = uk_hostproc_call(&hp, next_id++, method, params,
	    UK_TEST_ORIGIN);

	ck_assert_msg(resp != NULL, "no response to %s", method);
	return resp;
}

static int
error_code(const cJSON *resp)
{
	const cJSON *c = jget(resp, "error.code");

	return cJSON_IsNumber(c) ? c->valueint : 0;
}

static cJSON *
call_cert(const char *method, const char *file, const char *extra)
{
	char *b64 = b64_file(file), *params;
	cJSON *resp;
	size_t n = strlen(b64) + (extra ? strlen(extra) : 0) + 64;

	params = malloc(n);
	snprintf(params, n, "{\"cert\":\"%s\"%s%s}", b64, extra ? "," : "",
	    extra ? extra : "");
	resp = call(method, params);
	free(params);
	free(b64);
	return resp;
}

START_TEST(test_host_methods)
{
	cJSON *r;
	char *b64, extra[8192];

	start_host();
	r = call_cert("cert.parse", "leaf-rsa.der", NULL);
	assert_jstr(r, "result.subject.O", CO1);
	assert_jstr(r, "result.subject.OU", "法人一证通");
	assert_jstr(r, "result.serial", "9F3B2C4D5E6F708192A3B4C5D6E7F0A0");
	assert_jstr(r, "result.numbers.uscc", "91310000MA1FL0000X");
	assert_jstr(r, "result.numbers.taxpayerNumber", "310104MA1FL00001");
	assert_jstr(r, "result.uniqueId", "SH0000000001UID");
	cJSON_Delete(r);

	r = call_cert("cert.detail", "leaf-company2.der", "\"item\":14");
	assert_jstr(r, "result.value", CO2);
	cJSON_Delete(r);
	r = call_cert("cert.detail", "leaf-rsa.der", "\"item\":99");
	ck_assert_int_eq(error_code(r), UK_ERR_CERT_DETAIL);
	cJSON_Delete(r);
	r = call_cert("cert.detail", "leaf-rsa.der", "\"item\":\"14\"");
	ck_assert_int_eq(error_code(r), UK_ERR_INVALID_PARAM);
	cJSON_Delete(r);

	r = call_cert("cert.infoByOid", "leaf-ec.der",
	    "\"oid\":\"1.2.156.112570.11.210\"");
	assert_jstr(r, "result.value", "沪企E310000000001");
	cJSON_Delete(r);
	r = call_cert("cert.infoByOid", "leaf-rsa.der",
	    "\"oid\":\"1.2.156.99.1\"");
	ck_assert_int_eq(error_code(r), -2113667021);
	assert_jstr(r, "error.name", "NO_SUCH_EXTENSION");
	cJSON_Delete(r);
	r = call_cert("cert.infoByOid", "leaf-rsa.der", "\"oid\":\"1.2.x\"");
	ck_assert_int_eq(error_code(r), UK_ERR_OID_FORMAT);
	cJSON_Delete(r);

	r = call_cert("cert.uniqueId", "leaf-company2.der", NULL);
	assert_jstr(r, "result.value", "SH0000000003UID");
	cJSON_Delete(r);
	r = call_cert("cert.uniqueId", "leaf-plain.der", NULL);
	ck_assert_int_eq(error_code(r), UK_ERR_CERT_UNIQUE_ID);
	cJSON_Delete(r);

	r = call_cert("cert.validDays", "leaf-expired.der", NULL);
	ck_assert(jget(r, "result.value")->valuedouble < -1000);
	cJSON_Delete(r);

	b64 = b64_file("inter-ca.der");
	snprintf(extra, sizeof(extra), "\"chain\":[\"%s\"]", b64);
	r = call_cert("cert.verify", "leaf-rsa.der", extra);
	ck_assert(cJSON_IsTrue(jget(r, "result.ok")));
	cJSON_Delete(r);
	r = call_cert("cert.verify", "leaf-expired.der", extra);
	ck_assert_int_eq(error_code(r), -2113667054);
	cJSON_Delete(r);
	r = call_cert("cert.verify", "leaf-foreign.der", extra);
	ck_assert_int_eq(error_code(r), -2113667051);
	cJSON_Delete(r);
	snprintf(extra, sizeof(extra), "\"chain\":[\"%s\"],"
	    "\"revocation\":true", b64);
	/* The revocation check reaches the network module, which refuses
	 * the PKI's URL host (not in its revocationHosts); test_net covers
	 * real CRL/OCSP answers. */
	r = call_cert("cert.verify", "leaf-rsa.der", extra);
	ck_assert_int_eq(error_code(r), UK_ERR_HOST_NOT_ALLOWED);
	cJSON_Delete(r);
	r = call_cert("cert.verify", "leaf-rsa.der", "\"chain\":[\"!!\"]");
	ck_assert_int_eq(error_code(r), UK_ERR_CHAIN_FORMAT);
	cJSON_Delete(r);
	r = call_cert("cert.verify", "leaf-rsa.der", "\"chain\":\"x\"");
	ck_assert_int_eq(error_code(r), UK_ERR_INVALID_PARAM);
	cJSON_Delete(r);
	free(b64);

	/* bad input: garbage certificate, unknown member, missing cert */
	r = call("cert.parse", "{\"cert\":\"bm90IGEgY2VydA==\"}");
	ck_assert_int_eq(error_code(r), -2113667057);
	cJSON_Delete(r);
	r = call_cert("cert.parse", "leaf-rsa.der", "\"x\":1");
	ck_assert_int_eq(error_code(r), UK_ERR_INVALID_PARAM);
	cJSON_Delete(r);
	r = call("cert.validDays", "{}");
	ck_assert_int_eq(error_code(r), UK_ERR_INVALID_PARAM);
	cJSON_Delete(r);
	/* the host keeps serving */
	r = call("host.capabilities", "{}");
	ck_assert(jarray_has(jget(r, "result.methods"), "cert.verify"));
	cJSON_Delete(r);
	stop_host();
}
END_TEST

/* ---- setup ---- */

static void
make_pki(void)
{
	char cmd[2048];

	snprintf(pki, sizeof(pki), "/tmp/ukx509.XXXXXX");
	if (mkdtemp(pki) == NULL) {
		perror("mkdtemp");
		exit(EXIT_FAILURE);
	}
	snprintf(cmd, sizeof(cmd),
	    "set -e; d='%s'; bash '%s/tests/pki/make-pki.sh' \"$d/pki\" && "
	    "openssl genpkey -algorithm RSA -out \"$d/pki/leaf-encrypt.key\" "
	    "2>/dev/null && openssl req -new -key \"$d/pki/leaf-encrypt.key\" "
	    "-subj /CN=enc -out \"$d/e.csr\" 2>/dev/null && "
	    "bash '%s/tests/pki/issue.sh' \"$d/pki/inter-ca\" \"$d/e.csr\" "
	    "\"$d/pki/leaf-encrypt.pem\" -extensions leaf_encrypt "
	    ">/dev/null 2>&1",
	    pki, UK_TEST_SOURCE_DIR, UK_TEST_SOURCE_DIR);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot make the test PKI: %s\n", cmd);
		exit(EXIT_FAILURE);
	}
	strcat(pki, "/pki");
}

static void
remove_pki(void)
{
	char cmd[1100];

	snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strlen(pki) - 4),
	    pki);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", pki);
}

int
main(void)
{
	Suite *s = suite_create("x509");
	TCase *tc = tcase_create("parse");
	TCase *tv = tcase_create("verify");
	TCase *th = tcase_create("host");
	SRunner *sr;
	int failed;

	make_pki();
	tcase_add_loop_test(tc, test_detail_table, 0,
	    UK_ARRAY_LEN(detail_table));
	tcase_add_loop_test(tc, test_detail_vs_openssl, 0,
	    UK_ARRAY_LEN(pki_leaves));
	tcase_add_test(tc, test_detail_serial_known);
	tcase_add_test(tc, test_detail_items_all);
	tcase_add_loop_test(tc, test_oid_table, 0, UK_ARRAY_LEN(oid_table));
	tcase_add_test(tc, test_no_such_extension);
	tcase_add_test(tc, test_unique_id);
	tcase_add_loop_test(tc, test_every_encoding, 0,
	    UK_ARRAY_LEN(gmt_oids));
	tcase_add_test(tc, test_non_text_values);
	tcase_add_test(tc, test_subject_string_types);
	tcase_add_test(tc, test_string_conversion);
	tcase_add_test(tc, test_multi_value_and_escape);
	tcase_add_test(tc, test_valid_days);
	tcase_add_test(tc, test_valid_days_pki);
	tcase_add_test(tc, test_truncated_der);
	tcase_add_test(tc, test_malformed_inputs);
	tcase_add_test(tc, test_text_forms);
	tcase_add_test(tc, test_huge_input);
	tcase_add_test(tc, test_bit_flips);
	tcase_add_loop_test(tc, test_oid_syntax, 0, UK_ARRAY_LEN(oid_syntax));
	tcase_add_test(tc, test_oid_too_long);
	tcase_add_test(tc, test_to_json);
	tcase_add_test(tc, test_config_oids);
	tcase_add_test(tc, test_pem_helpers);
	tcase_add_test(tv, test_verify);
	tcase_add_test(tv, test_verify_chain_limit);
	tcase_add_test(tv, test_verify_anchor_cache);
	tcase_add_test(tv, test_shipped_roots);
	tcase_add_test(th, test_host_methods);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tv);
	suite_add_tcase(s, th);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	remove_pki();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
