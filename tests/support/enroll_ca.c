/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "enroll_ca.h"

static int
load_ca(const char *dir, X509 **certp, EVP_PKEY **keyp)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/cert.pem", dir);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	*certp = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	*keyp = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	return *certp != NULL && *keyp != NULL ? 0 : -1;
}

static X509_EXTENSION *
printable_ext(const char *oid, const char *val)
{
	ASN1_TYPE *t = ASN1_TYPE_new();
	ASN1_STRING *s = ASN1_STRING_type_new(V_ASN1_PRINTABLESTRING);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	X509_EXTENSION *e = NULL;
	unsigned char *der = NULL;
	int len;

	if (t != NULL && s != NULL && os != NULL && obj != NULL &&
	    ASN1_STRING_set(s, val, -1) == 1 &&
	    ASN1_TYPE_set1(t, V_ASN1_PRINTABLESTRING, s) == 1 &&
	    (len = i2d_ASN1_TYPE(t, &der)) > 0 &&
	    ASN1_OCTET_STRING_set(os, der, len) == 1)
		e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
	OPENSSL_free(der);
	ASN1_TYPE_free(t);
	ASN1_STRING_free(s);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
	return e;
}

static int
set_validity(X509 *x, int expired)
{
	time_t now = time(NULL);

	if (expired)
		return X509_time_adj_ex(X509_getm_notBefore(x), -400, 0,
		    &now) != NULL && X509_time_adj_ex(X509_getm_notAfter(x),
		    -1, 0, &now) != NULL ? 0 : -1;
	return X509_time_adj_ex(X509_getm_notBefore(x), 0, -60, &now) !=
	    NULL && X509_time_adj_ex(X509_getm_notAfter(x), 365, 0, &now) !=
	    NULL ? 0 : -1;
}

static int
apply_exts(X509 *x, X509_REQ *req, const struct uk_ca_opts *o)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	X509_EXTENSION *e;
	ASN1_OBJECT *want = NULL;
	int i, ok = 0, done = 0;

	if (o != NULL && o->oid != NULL &&
	    (want = OBJ_txt2obj(o->oid, 1)) == NULL)
		goto out;
	for (i = 0; exts != NULL && i < sk_X509_EXTENSION_num(exts); i++) {
		e = sk_X509_EXTENSION_value(exts, i);
		if (want != NULL && OBJ_cmp(X509_EXTENSION_get_object(e),
		    want) == 0) {
			done = 1;
			if (o->val == NULL)
				continue;
			if ((e = printable_ext(o->oid, o->val)) == NULL)
				goto out;
			ok = X509_add_ext(x, e, -1);
			X509_EXTENSION_free(e);
			if (!ok)
				goto out;
			continue;
		}
		if (!X509_add_ext(x, e, -1))
			goto out;
	}
	if (want != NULL && !done && o->val != NULL) {
		if ((e = printable_ext(o->oid, o->val)) == NULL)
			goto out;
		ok = X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
		if (!ok)
			goto out;
	}
	ok = 1;
 out:
	ASN1_OBJECT_free(want);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return ok ? 0 : -1;
}

static EVP_PKEY *
read_pub(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return k;
}

int
uk_ca_issue(const char *cadir, const unsigned char *csr, size_t len,
    const struct uk_ca_opts *o, unsigned char **derp, size_t *lenp)
{
	const unsigned char *q = csr;
	X509_REQ *req = NULL;
	X509 *ca = NULL, *x = NULL;
	EVP_PKEY *cakey = NULL, *pub = NULL;
	X509_NAME *subj = NULL;
	unsigned char rnd[16], *der = NULL;
	BIGNUM *bn = NULL;
	int i, dlen, r = -1;

	*derp = NULL;
	if (load_ca(cadir, &ca, &cakey) != 0 ||
	    (req = d2i_X509_REQ(NULL, &q, (long)len)) == NULL ||
	    X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) != 1 ||
	    (x = X509_new()) == NULL ||
	    (subj = X509_NAME_dup(X509_REQ_get_subject_name(req))) == NULL)
		goto out;
	if (o != NULL && o->o != NULL) {
		while ((i = X509_NAME_get_index_by_NID(subj,
		    NID_organizationName, -1)) >= 0)
			X509_NAME_ENTRY_free(X509_NAME_delete_entry(subj, i));
		if (X509_NAME_add_entry_by_NID(subj, NID_organizationName,
		    MBSTRING_UTF8, (const unsigned char *)o->o, -1, -1,
		    0) != 1)
			goto out;
	}
	pub = o != NULL && o->pubkey_pem != NULL ? read_pub(o->pubkey_pem) :
	    EVP_PKEY_dup(X509_REQ_get0_pubkey(req));
	rnd[0] = 0;
	if (pub == NULL || RAND_bytes(rnd + 1, sizeof(rnd) - 1) != 1 ||
	    (bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL ||
	    X509_set_version(x, 2) != 1 ||
	    X509_set_subject_name(x, subj) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(ca)) != 1 ||
	    X509_set_pubkey(x, pub) != 1 ||
	    set_validity(x, o != NULL && o->expired) != 0 ||
	    apply_exts(x, req, o) != 0 ||
	    X509_sign(x, cakey, EVP_sha256()) <= 0 ||
	    (dlen = i2d_X509(x, &der)) <= 0)
		goto out;
	*derp = malloc((size_t)dlen);
	if (*derp == NULL)
		goto out;
	memcpy(*derp, der, (size_t)dlen);
	*lenp = (size_t)dlen;
	r = 0;
 out:
	OPENSSL_free(der);
	BN_free(bn);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(cakey);
	X509_NAME_free(subj);
	X509_free(ca);
	X509_free(x);
	X509_REQ_free(req);
	return r;
}

int
uk_ca_seal(const char *cadir, const char *serial, const char *name,
    unsigned char **derp, size_t *lenp)
{
	X509 *ca = NULL;
	EVP_PKEY *key = NULL;
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL;
	char content[1024];
	unsigned char *der = NULL;
	int n, r = -1;

	*derp = NULL;
	/* A 1x1 PNG stands in for the seal image. */
	n = snprintf(content, sizeof(content), "{\"version\":1,\"certSerial\":"
	    "\"%s\",\"name\":\"%s\",\"image\":\"iVBORw0KGgoAAAANSUhEUgAAAAEAA"
	    "AABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJg"
	    "gg==\",\"issuedAt\":\"2026-11-26T08:00:00Z\"}", serial, name);
	if (load_ca(cadir, &ca, &key) != 0 ||
	    (in = BIO_new_mem_buf(content, n)) == NULL ||
	    (cms = CMS_sign(ca, key, NULL, in, CMS_BINARY)) == NULL ||
	    (n = i2d_CMS_ContentInfo(cms, &der)) <= 0 ||
	    (*derp = malloc((size_t)n)) == NULL)
		goto out;
	memcpy(*derp, der, (size_t)n);
	*lenp = (size_t)n;
	r = 0;
 out:
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	EVP_PKEY_free(key);
	X509_free(ca);
	return r;
}
