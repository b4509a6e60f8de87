/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * What a new certificate must satisfy before it is installed, and the
 * PKCS#10 request for a new key (enroll.h).
 *
 * Registry numbers are compared on their decoded text: SHECA certificates
 * carry them as PrintableString or UTF8String, some issuers wrap the string
 * in an OCTET STRING (safeengine-compat.md, section 3), and a renewal may
 * legitimately switch encodings.
 */
#include "uk_setup.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "enroll.h"
#include "err.h"
#include "log.h"
#include "sign.h"
#include "x509.h"

/* GM/T 0015 and the older e-government numbering (safeengine-compat.md). */
static const char *const default_oids[] = {
	"1.2.156.10260.4.1.1", "1.2.156.10260.4.1.2", "1.2.156.10260.4.1.3",
	"1.2.156.10260.4.1.4", "1.2.156.10260.4.1.5",
	"1.2.156.11.7.1", "1.2.156.11.7.2", "1.2.156.11.7.3",
	"1.2.156.11.7.4", "1.2.156.11.7.5",
};

static int
oid_listed(const char *oid, const cJSON *oids)
{
	const cJSON *e;
	size_t i;

	if (oids == NULL) {
		for (i = 0; i < UK_ARRAY_LEN(default_oids); i++)
			if (strcmp(oid, default_oids[i]) == 0)
				return 1;
		return 0;
	}
	cJSON_ArrayForEach(e, oids)
		if (cJSON_IsString(e) && strcmp(e->valuestring, oid) == 0)
			return 1;
	return 0;
}

/* The text of an extension value: a string type, a string inside an
 * OCTET STRING, or (last resort) the raw bytes. */
static char *
ext_text(const ASN1_OCTET_STRING *os)
{
	const unsigned char *q = ASN1_STRING_get0_data(os), *start = q;
	long len = ASN1_STRING_length(os);
	ASN1_TYPE *t = NULL, *inner = NULL;
	const ASN1_STRING *s = NULL;
	char *out = NULL;

	if ((t = d2i_ASN1_TYPE(NULL, &q, len)) != NULL && q == start + len) {
		if (t->type == V_ASN1_OCTET_STRING) {
			q = ASN1_STRING_get0_data(t->value.octet_string);
			start = q;
			len = ASN1_STRING_length(t->value.octet_string);
			inner = d2i_ASN1_TYPE(NULL, &q, len);
			if (inner != NULL && q == start + len &&
			    inner->type != V_ASN1_SEQUENCE &&
			    inner->type != V_ASN1_SET &&
			    inner->type != V_ASN1_OBJECT)
				s = inner->value.asn1_string;
			else
				s = t->value.octet_string;
		} else if (t->type != V_ASN1_SEQUENCE &&
		    t->type != V_ASN1_SET && t->type != V_ASN1_OBJECT &&
		    t->type != V_ASN1_BOOLEAN && t->type != V_ASN1_NULL)
			s = t->value.asn1_string;
	}
	if (s == NULL)
		s = os;
	if ((out = malloc((size_t)ASN1_STRING_length(s) + 1)) != NULL) {
		memcpy(out, ASN1_STRING_get0_data(s),
		    (size_t)ASN1_STRING_length(s));
		out[ASN1_STRING_length(s)] = '\0';
	}
	ASN1_TYPE_free(inner);
	ASN1_TYPE_free(t);
	return out;
}

cJSON *
uk_registry_numbers(X509 *cert, const cJSON *oids)
{
	cJSON *o;
	X509_EXTENSION *ext;
	char oid[80], *text;
	int i, n;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	n = X509_get_ext_count(cert);
	for (i = 0; i < n; i++) {
		ext = X509_get_ext(cert, i);
		if (OBJ_obj2txt(oid, sizeof(oid),
		    X509_EXTENSION_get_object(ext), 1) <= 0 ||
		    !oid_listed(oid, oids))
			continue;
		if ((text = ext_text(X509_EXTENSION_get_data(ext))) == NULL ||
		    cJSON_AddStringToObject(o, oid, text) == NULL) {
			free(text);
			cJSON_Delete(o);
			return NULL;
		}
		free(text);
	}
	return o;
}

/* The O entries of a name, joined by "\n", as UTF-8; NULL on error. */
static char *
name_o(X509_NAME *name)
{
	unsigned char *u = NULL;
	char *all = NULL, *tmp;
	size_t have = 0;
	int i = -1, ulen;

	if ((all = strdup("")) == NULL)
		return NULL;
	while ((i = X509_NAME_get_index_by_NID(name, NID_organizationName,
	    i)) >= 0) {
		ulen = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(
		    X509_NAME_get_entry(name, i)));
		if (ulen < 0 ||
		    (tmp = realloc(all, have + (size_t)ulen + 2)) == NULL) {
			OPENSSL_free(u);
			free(all);
			return NULL;
		}
		all = tmp;
		memcpy(all + have, u, (size_t)ulen);
		have += (size_t)ulen;
		all[have++] = '\n';
		all[have] = '\0';
		OPENSSL_free(u);
		u = NULL;
	}
	return all;
}

int
uk_cert_same_holder(X509 *oldc, X509 *newc, int change, const cJSON *oids,
    const char **reasonp)
{
	cJSON *a = NULL, *b = NULL;
	const cJSON *e, *f;
	char *oa = NULL, *ob = NULL;
	int r = UK_ERR_ALLOC_FAIL;

	*reasonp = NULL;
	if ((oa = name_o(X509_get_subject_name(oldc))) == NULL ||
	    (ob = name_o(X509_get_subject_name(newc))) == NULL ||
	    (a = uk_registry_numbers(oldc, oids)) == NULL ||
	    (b = uk_registry_numbers(newc, oids)) == NULL)
		goto out;
	r = UK_ERR_CERT_REJECTED;
	if (strcmp(oa, ob) != 0) {
		*reasonp = "subjectO";
		goto out;
	}
	*reasonp = "registryNumbers";
	cJSON_ArrayForEach(e, a) {	/* never altered, never removed */
		f = cJSON_GetObjectItemCaseSensitive(b, e->string);
		if (!cJSON_IsString(f) ||
		    strcmp(f->valuestring, e->valuestring) != 0)
			goto out;
	}
	cJSON_ArrayForEach(f, b)	/* added: only in change mode */
		if (!change &&
		    cJSON_GetObjectItemCaseSensitive(a, f->string) == NULL)
			goto out;
	*reasonp = NULL;
	r = 0;
 out:
	free(oa);
	free(ob);
	cJSON_Delete(a);
	cJSON_Delete(b);
	return r;
}

int
uk_cert_check_chain(X509 *cert, STACK_OF(X509) *chain, X509_STORE *anchors,
    const char **reasonp)
{
	X509_STORE_CTX *sctx = NULL;
	int r = UK_ERR_CERT_REJECTED, e;

	*reasonp = "chain";
	if (X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0) {
		*reasonp = "expired";
		return r;
	}
	if (X509_cmp_current_time(X509_get0_notBefore(cert)) >= 0) {
		*reasonp = "notYetValid";
		return r;
	}
	if (anchors == NULL)
		return r;
	ERR_clear_error();
	if ((sctx = X509_STORE_CTX_new()) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (X509_STORE_CTX_init(sctx, anchors, cert, chain) != 1)
		goto out;
	X509_STORE_CTX_set_purpose(sctx, X509_PURPOSE_ANY);
	if (X509_verify_cert(sctx) == 1) {
		*reasonp = NULL;
		r = 0;
		goto out;
	}
	e = X509_STORE_CTX_get_error(sctx);
	uk_debug("verify: %s", X509_verify_cert_error_string(e));
	if (e == X509_V_ERR_CERT_HAS_EXPIRED)
		*reasonp = "expired";
 out:
	X509_STORE_CTX_free(sctx);
	return r;
}

int
uk_cert_serial_hex(X509 *cert, char **hexp)
{
	BIGNUM *bn = NULL;
	char *h = NULL;

	*hexp = NULL;
	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert),
	    NULL)) == NULL || (h = BN_bn2hex(bn)) == NULL) {
		BN_free(bn);
		return UK_ERR_CERT_FORMAT;
	}
	BN_free(bn);
	/* BN_bn2hex pads to whole bytes: "0A1B" → "A1B" (one form only). */
	{
		const char *q = h;

		while (*q == '0' && q[1] != '\0')
			q++;
		*hexp = strdup(q);
	}
	OPENSSL_free(h);
	return *hexp == NULL ? UK_ERR_ALLOC_FAIL : 0;
}

/* Subject from {C,S,L,O,OU,CN,E}; NULL on a bad member. */
static X509_NAME *
subject_from_json(const cJSON *s)
{
	static const struct { const char *key, *sn; } map[] = {
		{ "C", "C" }, { "S", "ST" }, { "L", "L" }, { "O", "O" },
		{ "OU", "OU" }, { "CN", "CN" }, { "E", "emailAddress" },
	};
	X509_NAME *n;
	const cJSON *v;
	size_t i, found = 0;

	if (!cJSON_IsObject(s) || (n = X509_NAME_new()) == NULL)
		return NULL;
	for (i = 0; i < UK_ARRAY_LEN(map); i++) {
		v = cJSON_GetObjectItemCaseSensitive(s, map[i].key);
		if (v == NULL)
			continue;
		if (!cJSON_IsString(v) || v->valuestring[0] == '\0' ||
		    X509_NAME_add_entry_by_txt(n, map[i].sn, MBSTRING_UTF8,
		    (const unsigned char *)v->valuestring, -1, -1, 0) != 1)
			goto bad;
		found++;
	}
	if (found == (size_t)cJSON_GetArraySize(s) && found > 0)
		return n;
 bad:
	X509_NAME_free(n);
	return NULL;
}

/* A registry number extension: PrintableString when the text allows it,
 * else UTF8String. */
static X509_EXTENSION *
reg_ext(const char *oid, const char *text)
{
	ASN1_OBJECT *obj = NULL;
	ASN1_STRING *s = NULL;
	ASN1_OCTET_STRING *os = NULL;
	ASN1_TYPE *at = NULL;
	X509_EXTENSION *ext = NULL;
	unsigned char *der = NULL;
	int len, type = V_ASN1_PRINTABLESTRING;

	if (ASN1_PRINTABLE_type((const unsigned char *)text, -1) !=
	    V_ASN1_PRINTABLESTRING)
		type = V_ASN1_UTF8STRING;
	if ((obj = OBJ_txt2obj(oid, 1)) == NULL ||
	    (s = ASN1_STRING_type_new(type)) == NULL ||
	    ASN1_STRING_set(s, text, -1) != 1 ||
	    (at = ASN1_TYPE_new()) == NULL ||
	    ASN1_TYPE_set1(at, type, s) != 1 ||
	    (len = i2d_ASN1_TYPE(at, &der)) <= 0 ||
	    (os = ASN1_OCTET_STRING_new()) == NULL ||
	    ASN1_OCTET_STRING_set(os, der, len) != 1)
		goto out;
	ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
 out:
	OPENSSL_free(der);
	ASN1_TYPE_free(at);
	ASN1_OBJECT_free(obj);
	ASN1_STRING_free(s);
	ASN1_OCTET_STRING_free(os);
	return ext;
}

static int
add_reg_exts(STACK_OF(X509_EXTENSION) *exts, const cJSON *nums)
{
	const cJSON *e;
	X509_EXTENSION *x;

	cJSON_ArrayForEach(e, nums) {
		if (!cJSON_IsString(e) || e->valuestring[0] == '\0' ||
		    strlen(e->valuestring) > 128)
			return UK_ERR_INVALID_PARAM;
		if ((x = reg_ext(e->string, e->valuestring)) == NULL)
			return UK_ERR_INVALID_PARAM;
		if (!sk_X509_EXTENSION_push(exts, x)) {
			X509_EXTENSION_free(x);
			return UK_ERR_ALLOC_FAIL;
		}
	}
	return 0;
}

static int
sig_alg(X509_REQ *req, enum uk_keytype kt)
{
	X509_ALGOR *alg;
	int nid, ok;

	switch (kt) {
	case UK_KT_EC_P256:
		nid = NID_ecdsa_with_SHA256;
		break;
	case UK_KT_SM2:
		nid = NID_SM2_with_SM3;
		break;
	default:
		nid = NID_sha256WithRSAEncryption;
		break;
	}
	if ((alg = X509_ALGOR_new()) == NULL)
		return UK_ERR_ALLOC_FAIL;
	ok = X509_ALGOR_set0(alg, OBJ_nid2obj(nid),
	    kt == UK_KT_RSA2048 || kt == UK_KT_RSA3072 ? V_ASN1_NULL :
	    V_ASN1_UNDEF, NULL) == 1 &&
	    X509_REQ_set1_signature_algo(req, alg) == 1;
	X509_ALGOR_free(alg);
	return ok ? 0 : UK_ERR_LIBCRYPTO;
}

int
uk_csr_build(const struct uk_p11 *p, CK_OBJECT_HANDLE h, enum uk_keytype kt,
    const struct uk_sm2_mechs *sm2, EVP_PKEY *pub, X509 *oldc,
    const cJSON *subject, const cJSON *add, const cJSON *oids,
    unsigned char **derp, size_t *lenp)
{
	X509_REQ *req = NULL;
	X509_NAME *name = NULL;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	ASN1_BIT_STRING *bs = NULL;
	cJSON *nums = NULL;
	unsigned char *tbs = NULL, *sig = NULL, *der = NULL;
	size_t siglen;
	int tbslen, dlen, r = UK_ERR_INTERNAL;

	*derp = NULL;
	*lenp = 0;
	ERR_clear_error();
	r = UK_ERR_INVALID_PARAM;
	if (subject != NULL && (name = subject_from_json(subject)) == NULL)
		goto out;
	r = UK_ERR_ALLOC_FAIL;
	if ((req = X509_REQ_new()) == NULL ||
	    (exts = sk_X509_EXTENSION_new_null()) == NULL ||
	    (nums = uk_registry_numbers(oldc, oids)) == NULL)
		goto out;
	if ((r = add_reg_exts(exts, nums)) != 0 ||
	    (add != NULL && (r = add_reg_exts(exts, add)) != 0))
		goto out;
	r = UK_ERR_LIBCRYPTO;
	if (X509_REQ_set_version(req, 0) != 1 ||
	    X509_REQ_set_subject_name(req, name != NULL ? name :
	    X509_get_subject_name(oldc)) != 1 ||
	    X509_REQ_set_pubkey(req, pub) != 1 ||
	    (sk_X509_EXTENSION_num(exts) > 0 &&
	    X509_REQ_add_extensions(req, exts) != 1))
		goto out;
	if ((r = sig_alg(req, kt)) != 0)
		goto out;
	r = UK_ERR_LIBCRYPTO;
	if ((tbslen = i2d_re_X509_REQ_tbs(req, &tbs)) <= 0)
		goto out;
	if ((r = uk_p11_sign(p, h, kt, sm2, tbs, (size_t)tbslen, &sig,
	    &siglen)) != 0)
		goto out;
	r = UK_ERR_LIBCRYPTO;
	if ((bs = ASN1_BIT_STRING_new()) == NULL ||
	    ASN1_BIT_STRING_set(bs, sig, (int)siglen) != 1)
		goto out;
	/* All bits used: without this, trailing zero bytes would be cut. */
	bs->flags &= ~(long)0x07;
	bs->flags |= ASN1_STRING_FLAG_BITS_LEFT;
	X509_REQ_set0_signature(req, bs);
	bs = NULL;		/* transferred */
	r = UK_ERR_SIGN;
	/* SM2: X509_REQ_verify of OpenSSL 3.0 takes an empty signer ID;
	 * the token signed with GM/T 0009's default one. */
	if (kt == UK_KT_SM2 ? uk_verify_sm2(pub, tbs, (size_t)tbslen, sig,
	    siglen) != 0 : X509_REQ_verify(req, pub) != 1) {
		uk_error("the token's signature on the request does not "
		    "verify");
		goto out;
	}
	r = UK_ERR_LIBCRYPTO;
	if ((dlen = i2d_X509_REQ(req, &der)) <= 0)
		goto out;
	if ((*derp = malloc((size_t)dlen)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	/* success */
	memcpy(*derp, der, (size_t)dlen);
	*lenp = (size_t)dlen;
	r = 0;
 out:
	OPENSSL_free(tbs);
	OPENSSL_free(der);
	free(sig);
	ASN1_BIT_STRING_free(bs);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	X509_REQ_free(req);
	cJSON_Delete(nums);
	return r;
}
