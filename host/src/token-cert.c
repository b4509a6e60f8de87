/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The certificate fields cert.list shows (OpenSSL only, no PKCS#11).
 * XXX: the x509 module (branch x509) owns certificate parsing; when it is
 * merged this file should call its field extraction instead.
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
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "json.h"
#include "token-int.h"

/* The GM/T 0015 and SHECA extensions shown (safeengine-compat.md §3). */
static const char *const known_oids[] = {
	"1.2.156.10260.4.1.1", "1.2.156.10260.4.1.2", "1.2.156.10260.4.1.3",
	"1.2.156.10260.4.1.4", "1.2.156.10260.4.1.5",
	"1.2.156.11.7.1", "1.2.156.11.7.2", "1.2.156.11.7.3",
	"1.2.156.11.7.4", "1.2.156.11.7.5",
	"1.2.156.1.8888.148", "1.2.156.112570.148", "1.2.156.112570.11.210",
};

static int
name_json(const X509_NAME *name, cJSON *parent, const char *key)
{
	static const struct {
		int nid;
		const char *key;
	} parts[] = {
		{ NID_countryName, "C" }, { NID_stateOrProvinceName, "S" },
		{ NID_localityName, "L" }, { NID_organizationName, "O" },
		{ NID_organizationalUnitName, "OU" }, { NID_commonName, "CN" },
		{ NID_pkcs9_emailAddress, "E" },
	};
	unsigned char *utf8;
	cJSON *o;
	size_t i;
	int idx, n;

	if ((o = cJSON_AddObjectToObject(parent, key)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	for (i = 0; i < UK_ARRAY_LEN(parts); i++) {
		idx = X509_NAME_get_index_by_NID(name, parts[i].nid, -1);
		if (idx < 0)
			continue;
		n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
		    X509_NAME_get_entry(name, idx)));
		if (n < 0)
			continue;
		if (cJSON_AddStringToObject(o, parts[i].key,
		    (char *)utf8) == NULL) {
			OPENSSL_free(utf8);
			return UK_ERR_ALLOC_FAIL;
		}
		OPENSSL_free(utf8);
	}
	return 0;
}

static int
time_json(const ASN1_TIME *t, cJSON *o, const char *key)
{
	struct tm tm;
	char buf[32];

	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return UK_ERR_CERT_FORMAT;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return cJSON_AddStringToObject(o, key, buf) ? 0 : UK_ERR_ALLOC_FAIL;
}

/* Text of an extension value: a DER string, or an OCTET STRING holding
 * text or a DER string.  NULL when it is none of these. */
static char *
ext_text(const ASN1_OCTET_STRING *v)
{
	const unsigned char *p = ASN1_STRING_get0_data(v);
	int len = ASN1_STRING_length(v), n, depth;
	ASN1_TYPE *at = NULL;
	unsigned char *utf8 = NULL;
	char *out = NULL, *prev;

	for (depth = 0; depth < 2; depth++) {
		const unsigned char *q = p;

		if ((at = d2i_ASN1_TYPE(NULL, &q, len)) == NULL ||
		    q != p + len)
			break;
		if (at->type == V_ASN1_OCTET_STRING) {
			/* Unwrap once; then text or DER inside. */
			p = ASN1_STRING_get0_data(at->value.octet_string);
			len = ASN1_STRING_length(at->value.octet_string);
			prev = out;
			if ((out = malloc((size_t)len + 1)) != NULL) {
				memcpy(out, p, (size_t)len);
				out[len] = '\0';
			}
			free(prev);
			if (out == NULL)
				break;
			p = (const unsigned char *)out;	/* at goes away */
			ASN1_TYPE_free(at);
			at = NULL;
			continue;
		}
		if (at->type == V_ASN1_PRINTABLESTRING ||
		    at->type == V_ASN1_UTF8STRING ||
		    at->type == V_ASN1_IA5STRING ||
		    at->type == V_ASN1_BMPSTRING ||
		    at->type == V_ASN1_T61STRING ||
		    at->type == V_ASN1_VISIBLESTRING) {
			if ((n = ASN1_STRING_to_UTF8(&utf8,
			    at->value.asn1_string)) >= 0) {
				free(out);
				out = strdup((char *)utf8);
				OPENSSL_free(utf8);
			}
		}
		break;
	}
	ASN1_TYPE_free(at);
	if (out != NULL && uk_utf8_valid(out, strlen(out)) != 0) {
		free(out);
		out = NULL;
	}
	return out;
}

static int
extensions_json(X509 *x, cJSON *parent)
{
	ASN1_OBJECT *obj;
	X509_EXTENSION *ext;
	cJSON *o;
	char *text;
	size_t i;
	int idx;

	if ((o = cJSON_AddObjectToObject(parent, "extensions")) == NULL)
		return UK_ERR_ALLOC_FAIL;
	for (i = 0; i < UK_ARRAY_LEN(known_oids); i++) {
		if ((obj = OBJ_txt2obj(known_oids[i], 1)) == NULL)
			return UK_ERR_ALLOC_FAIL;
		idx = X509_get_ext_by_OBJ(x, obj, -1);
		ASN1_OBJECT_free(obj);
		if (idx < 0 || (ext = X509_get_ext(x, idx)) == NULL ||
		    (text = ext_text(X509_EXTENSION_get_data(ext))) == NULL)
			continue;
		if (cJSON_AddStringToObject(o, known_oids[i], text) == NULL) {
			free(text);
			return UK_ERR_ALLOC_FAIL;
		}
		free(text);
	}
	return 0;
}

static int
key_json(X509 *x, cJSON *o)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} kus[] = {
		{ KU_DIGITAL_SIGNATURE, "digitalSignature" },
		{ KU_NON_REPUDIATION, "nonRepudiation" },
		{ KU_KEY_ENCIPHERMENT, "keyEncipherment" },
		{ KU_DATA_ENCIPHERMENT, "dataEncipherment" },
		{ KU_KEY_AGREEMENT, "keyAgreement" },
		{ KU_KEY_CERT_SIGN, "keyCertSign" },
		{ KU_CRL_SIGN, "cRLSign" },
	};
	EVP_PKEY *pk = X509_get0_pubkey(x);
	const char *type = "unknown";
	uint32_t ku = X509_get_key_usage(x);
	cJSON *arr;
	size_t i;

	if (pk != NULL && EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA)
		type = "rsa";
	else if (pk != NULL && EVP_PKEY_get_base_id(pk) == EVP_PKEY_SM2)
		type = "sm2";
	else if (pk != NULL && EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC)
		type = EVP_PKEY_is_a(pk, "SM2") ? "sm2" : "ec";
	if (cJSON_AddStringToObject(o, "keyType", type) == NULL ||
	    cJSON_AddNumberToObject(o, "keyBits",
	    pk ? EVP_PKEY_get_bits(pk) : 0) == NULL ||
	    (arr = cJSON_AddArrayToObject(o, "keyUsage")) == NULL)
		return UK_ERR_ALLOC_FAIL;
	for (i = 0; ku != UINT32_MAX && i < UK_ARRAY_LEN(kus); i++)
		if (ku & kus[i].bit)
			cJSON_AddItemToArray(arr,
			    cJSON_CreateString(kus[i].name));
	return 0;
}

int
tk_cert_json(const unsigned char *der, size_t len, cJSON *o)
{
	const unsigned char *p = der;
	X509 *x = NULL;
	BIGNUM *bn = NULL;
	char *serial = NULL;
	int r = UK_ERR_ALLOC_FAIL, days = 0, secs = 0;

	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL || p != der + len) {
		r = UK_ERR_CERT_FORMAT;
		goto out;
	}
	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) ==
	    NULL || (serial = BN_bn2hex(bn)) == NULL)
		goto out;
	if (uk_json_add_base64(o, "der", der, len) != 0 ||
	    (r = name_json(X509_get_subject_name(x), o, "subject")) != 0 ||
	    (r = name_json(X509_get_issuer_name(x), o, "issuer")) != 0)
		goto out;
	r = UK_ERR_ALLOC_FAIL;
	if (cJSON_AddStringToObject(o, "serial", serial) == NULL)
		goto out;
	if ((r = time_json(X509_get0_notBefore(x), o, "notBefore")) != 0 ||
	    (r = time_json(X509_get0_notAfter(x), o, "notAfter")) != 0)
		goto out;
	/* Whole days until notAfter, negative once expired. */
	if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x)) != 1) {
		r = UK_ERR_CERT_FORMAT;
		goto out;
	}
	if (secs < 0)
		days--;
	if (cJSON_AddNumberToObject(o, "daysLeft", days) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	if ((r = key_json(x, o)) != 0 || (r = extensions_json(x, o)) != 0)
		goto out;
	/* success */
	r = 0;
 out:
	OPENSSL_free(serial);
	BN_free(bn);
	X509_free(x);
	return r;
}
