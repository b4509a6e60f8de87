/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/* Crypto helpers without a token (sign.h). */
#include "uk_setup.h"

#include <sys/types.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "cms_attach.h"
#include "err.h"
#include "log.h"
#include "sign.h"

static const struct {
	enum uk_hash h;
	const char *name;	/* protocol name */
	const char *ossl;	/* OpenSSL name */
	size_t len;
	int nid;
} hashes[] = {
	{ UK_HASH_SHA1, "sha1", "SHA1", 20, NID_sha1 },
	{ UK_HASH_SHA256, "sha256", "SHA256", 32, NID_sha256 },
	{ UK_HASH_SHA384, "sha384", "SHA384", 48, NID_sha384 },
	{ UK_HASH_SHA512, "sha512", "SHA512", 64, NID_sha512 },
	{ UK_HASH_SM3, "sm3", "SM3", 32, NID_sm3 },
};

enum uk_hash
uk_hash_parse(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < UK_ARRAY_LEN(hashes); i++)
		if (strcmp(name, hashes[i].name) == 0)
			return hashes[i].h;
	return UK_HASH_NONE;
}

const char *
uk_hash_name(enum uk_hash h)
{
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(hashes); i++)
		if (hashes[i].h == h)
			return hashes[i].name;
	return "none";
}

size_t
uk_hash_len(enum uk_hash h)
{
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(hashes); i++)
		if (hashes[i].h == h)
			return hashes[i].len;
	return 0;
}

const EVP_MD *
uk_hash_md(enum uk_hash h)
{
	/* Fetched once: EVP_get_digestbyname is cheap but fetch caching
	 * keeps the warm path free of provider lookups. */
	static EVP_MD *cache[UK_ARRAY_LEN(hashes)];
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(hashes); i++) {
		if (hashes[i].h != h)
			continue;
		if (cache[i] == NULL)
			cache[i] = EVP_MD_fetch(NULL, hashes[i].ossl, NULL);
		return cache[i];
	}
	return NULL;
}

int
uk_scheme_parse(const char *name)
{
	static const struct {
		const char *name;
		enum uk_sig_scheme s;
	} t[] = {
		{ "pkcs1", UK_SCHEME_PKCS1 }, { "pss", UK_SCHEME_PSS },
		{ "ecdsa", UK_SCHEME_ECDSA },
		{ "ecdsa-raw", UK_SCHEME_ECDSA_RAW },
		{ "sm2", UK_SCHEME_SM2 },
	};
	size_t i;

	for (i = 0; name != NULL && i < UK_ARRAY_LEN(t); i++)
		if (strcmp(name, t[i].name) == 0)
			return (int)t[i].s;
	return -1;
}

int
uk_digest(enum uk_hash h, const unsigned char *data, size_t len,
    unsigned char *md, size_t *mdlenp)
{
	const EVP_MD *evmd;
	unsigned int n = 0;

	*mdlenp = 0;
	if ((evmd = uk_hash_md(h)) == NULL)
		return UK_ERR_MECHANISM;
	ERR_clear_error();
	if (EVP_Digest(data, len, md, &n, evmd, NULL) != 1)
		return UK_ERR_DIGEST;
	*mdlenp = n;
	return 0;
}

int
uk_digest_info(enum uk_hash h, const unsigned char *md, size_t mdlen,
    unsigned char **outp, size_t *outlenp)
{
	X509_SIG *sig = NULL;
	X509_ALGOR *alg;
	ASN1_OCTET_STRING *os;
	unsigned char *der = NULL;
	int n, nid = NID_undef, r = UK_ERR_INTERNAL;
	size_t i;

	*outp = NULL;
	*outlenp = 0;
	for (i = 0; i < UK_ARRAY_LEN(hashes); i++)
		if (hashes[i].h == h)
			nid = hashes[i].nid;
	if (nid == NID_undef || mdlen != uk_hash_len(h))
		return UK_ERR_INVALID_PARAM;
	if ((sig = X509_SIG_new()) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	X509_SIG_getm(sig, &alg, &os);
	/* NULL parameters, as PKCS#1 v2.2 writes for SHA-1/SHA-2 and
	 * OpenSSL for SM3 (its verifier compares the whole encoding). */
	if (X509_ALGOR_set0(alg, OBJ_nid2obj(nid), V_ASN1_NULL, NULL) != 1 ||
	    ASN1_OCTET_STRING_set(os, md, (int)mdlen) != 1 ||
	    (n = i2d_X509_SIG(sig, &der)) <= 0) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	/* success */
	*outp = malloc((size_t)n);
	if (*outp == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	memcpy(*outp, der, (size_t)n);
	*outlenp = (size_t)n;
	r = 0;
 out:
	OPENSSL_free(der);
	X509_SIG_free(sig);
	return r;
}

int
uk_ecdsa_raw_to_der(const unsigned char *raw, size_t len,
    unsigned char **outp, size_t *outlenp)
{
	ECDSA_SIG *sig = NULL;
	BIGNUM *br = NULL, *bs = NULL;
	unsigned char *der = NULL;
	int n, r = UK_ERR_ALLOC_FAIL;

	*outp = NULL;
	*outlenp = 0;
	if (len == 0 || len % 2 != 0 || len > 2 * 66)
		return UK_ERR_INVALID_PARAM;
	if ((sig = ECDSA_SIG_new()) == NULL ||
	    (br = BN_bin2bn(raw, (int)(len / 2), NULL)) == NULL ||
	    (bs = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL)) == NULL)
		goto out;
	if (ECDSA_SIG_set0(sig, br, bs) != 1)
		goto out;
	br = bs = NULL;	/* transferred */
	if ((n = i2d_ECDSA_SIG(sig, &der)) <= 0)
		goto out;
	if ((*outp = malloc((size_t)n)) == NULL)
		goto out;
	/* success */
	memcpy(*outp, der, (size_t)n);
	*outlenp = (size_t)n;
	r = 0;
 out:
	BN_free(br);
	BN_free(bs);
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	return r;
}

int
uk_ecdsa_der_to_raw(const unsigned char *der, size_t len, size_t order_len,
    unsigned char **outp, size_t *outlenp)
{
	ECDSA_SIG *sig = NULL;
	const BIGNUM *br, *bs;
	const unsigned char *p = der;
	unsigned char *raw = NULL;
	int r = UK_ERR_VERIFY_SIGNATURE;

	*outp = NULL;
	*outlenp = 0;
	if (order_len == 0 || order_len > 66)
		return UK_ERR_INVALID_PARAM;
	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL ||
	    p != der + len)
		goto out;
	ECDSA_SIG_get0(sig, &br, &bs);
	if ((raw = calloc(2, order_len)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	if (BN_bn2binpad(br, raw, (int)order_len) < 0 ||
	    BN_bn2binpad(bs, raw + order_len, (int)order_len) < 0)
		goto out;
	/* success */
	*outp = raw;
	*outlenp = 2 * order_len;
	raw = NULL;
	r = 0;
 out:
	free(raw);
	ECDSA_SIG_free(sig);
	return r;
}

int
uk_ecdsa_sig_is_der(const unsigned char *sig, size_t len)
{
	const unsigned char *p = sig;
	unsigned char *re = NULL;
	ECDSA_SIG *es;
	int n = 0;

	if (len < 8 || sig[0] != 0x30 ||
	    (es = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL)
		return 0;
	/* Nothing trailing, and re-encoding gives the same bytes. */
	if ((size_t)(p - sig) == len)
		n = i2d_ECDSA_SIG(es, &re);
	ECDSA_SIG_free(es);
	n = n > 0 && (size_t)n == len && memcmp(re, sig, len) == 0;
	OPENSSL_free(re);
	return n;
}

int
uk_ecdsa_sig_to_der(const unsigned char *sig, size_t len,
    unsigned char **outp, size_t *outlenp)
{
	*outp = NULL;
	*outlenp = 0;
	if (!uk_ecdsa_sig_is_der(sig, len))
		return uk_ecdsa_raw_to_der(sig, len, outp, outlenp);
	if ((*outp = malloc(len)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	memcpy(*outp, sig, len);
	*outlenp = len;
	return 0;
}

int
uk_cert_from_der(const unsigned char *der, size_t len, X509 **certp)
{
	const unsigned char *p = der;
	X509 *x;

	*certp = NULL;
	if (len == 0 || len > 1024 * 1024)
		return UK_ERR_CERT_FORMAT;
	ERR_clear_error();
	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL)
		return UK_ERR_CERT_FORMAT;
	if (p != der + len) {
		X509_free(x);
		return UK_ERR_CERT_FORMAT;
	}
	*certp = x;
	return 0;
}

static size_t
ec_order_len(EVP_PKEY *pk)
{
	int bits = EVP_PKEY_get_bits(pk);

	return bits > 0 ? ((size_t)bits + 7) / 8 : 0;
}

/* Brings sig into the form EVP_PKEY_verify wants (DER for EC). */
static int
verify_sig_form(EVP_PKEY *pk, const unsigned char *sig, size_t siglen,
    unsigned char **derp, size_t *derlenp)
{
	*derp = NULL;
	*derlenp = 0;
	/* Not the base id alone: OpenSSL 3 gives SM2 keys of provider
	 * origin base id 0. */
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC && !uk_pkey_is_sm2(pk))
		return 0;
	/* r||s has exactly twice the order's size and never starts with
	 * a SEQUENCE of that length; DER is taken as it is. */
	if (siglen == 2 * ec_order_len(pk) && sig[0] != 0x30)
		return uk_ecdsa_raw_to_der(sig, siglen, derp, derlenp);
	if (siglen == 2 * ec_order_len(pk)) {
		const unsigned char *p = sig;
		ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)siglen);

		ECDSA_SIG_free(s);
		if (s == NULL || p != sig + siglen)
			return uk_ecdsa_raw_to_der(sig, siglen, derp, derlenp);
	}
	return 0;
}

static int
verify_pkey(EVP_PKEY *pk, const unsigned char *md, size_t mdlen,
    enum uk_hash h, enum uk_sig_scheme scheme, const unsigned char *sig,
    size_t siglen)
{
	EVP_PKEY_CTX *pctx = NULL;
	int r = UK_ERR_VERIFY_SIGNATURE, type = EVP_PKEY_get_base_id(pk);

	if ((pctx = EVP_PKEY_CTX_new(pk, NULL)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	if (EVP_PKEY_verify_init(pctx) != 1)
		goto out;
	if (scheme == UK_SCHEME_SM2 && EVP_PKEY_CTX_set1_id(pctx,
	    UK_SM2_DEFAULT_ID, sizeof(UK_SM2_DEFAULT_ID) - 1) != 1)
		goto out;
	if (type == EVP_PKEY_RSA) {
		if (scheme != UK_SCHEME_AUTO && scheme != UK_SCHEME_PKCS1 &&
		    scheme != UK_SCHEME_PSS) {
			r = UK_ERR_MECHANISM;
			goto out;
		}
		if (EVP_PKEY_CTX_set_signature_md(pctx, uk_hash_md(h)) != 1)
			goto out;
		if (scheme == UK_SCHEME_PSS &&
		    (EVP_PKEY_CTX_set_rsa_padding(pctx,
		    RSA_PKCS1_PSS_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
		    RSA_PSS_SALTLEN_AUTO) != 1))
			goto out;
	}
	if (EVP_PKEY_verify(pctx, sig, siglen, md, mdlen) != 1)
		goto out;
	/* success */
	r = 0;
 out:
	EVP_PKEY_CTX_free(pctx);
	return r;
}

/*
 * RSA PKCS#1 v1.5 by recovering the DigestInfo and comparing it with ours:
 * OpenSSL's RSA provider refuses SM3 (and its own SM3 DigestInfo names
 * sm3WithRSAEncryption, 1.2.156.10197.1.504, not SM3 itself).
 */
static int
verify_rsa_recover(EVP_PKEY *pk, enum uk_hash h, const unsigned char *md,
    size_t mdlen, const unsigned char *sig, size_t siglen)
{
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *di = NULL, *rec = NULL;
	size_t dilen = 0, reclen;
	int r = UK_ERR_VERIFY_SIGNATURE;

	if ((r = uk_digest_info(h, md, mdlen, &di, &dilen)) != 0)
		return r;
	r = UK_ERR_VERIFY_SIGNATURE;
	reclen = (size_t)EVP_PKEY_get_size(pk);
	if ((pctx = EVP_PKEY_CTX_new(pk, NULL)) == NULL ||
	    (rec = malloc(reclen)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	if (EVP_PKEY_verify_recover_init(pctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1 ||
	    EVP_PKEY_verify_recover(pctx, rec, &reclen, sig, siglen) != 1)
		goto out;
	if (reclen != dilen || memcmp(rec, di, dilen) != 0)
		goto out;
	/* success */
	r = 0;
 out:
	free(rec);
	free(di);
	EVP_PKEY_CTX_free(pctx);
	return r;
}

int
uk_pkey_is_sm2(EVP_PKEY *pk)
{
	char group[32];

	if (pk == NULL)
		return 0;
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_SM2 ||
	    EVP_PKEY_is_a(pk, "SM2"))
		return 1;
	/* OpenSSL 3 may also report an SM2 certificate's key as an EC key
	 * whose group is SM2. */
	return EVP_PKEY_is_a(pk, "EC") && EVP_PKEY_get_utf8_string_param(pk,
	    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) == 1 &&
	    OBJ_txt2nid(group) == NID_sm2;
}

int
uk_verify_sm2(EVP_PKEY *pk, const unsigned char *data, size_t len,
    const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int r = UK_ERR_VERIFY_SIGNATURE;

	if ((mctx = EVP_MD_CTX_new()) == NULL ||
	    (pctx = EVP_PKEY_CTX_new(pk, NULL)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	if (EVP_PKEY_CTX_set1_id(pctx, UK_SM2_DEFAULT_ID,
	    sizeof(UK_SM2_DEFAULT_ID) - 1) != 1)
		goto out;
	EVP_MD_CTX_set_pkey_ctx(mctx, pctx);
	if (EVP_DigestVerifyInit(mctx, NULL, uk_hash_md(UK_HASH_SM3), NULL,
	    pk) != 1 ||
	    EVP_DigestVerify(mctx, sig, siglen, data, len) != 1)
		goto out;
	/* success */
	r = 0;
 out:
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_CTX_free(pctx);
	return r;
}

int
uk_verify(X509 *cert, const unsigned char *data, size_t len, int is_digest,
    enum uk_hash h, enum uk_sig_scheme scheme, const unsigned char *sig,
    size_t siglen)
{
	unsigned char md[UK_HASH_MAX_LEN], *der = NULL;
	size_t mdlen, derlen;
	EVP_PKEY *pk;
	int r;

	ERR_clear_error();
	if ((pk = X509_get0_pubkey(cert)) == NULL)
		return UK_ERR_CERT_FORMAT;
	if (uk_hash_md(h) == NULL)
		return UK_ERR_MECHANISM;
	if (is_digest) {
		if (len != uk_hash_len(h))
			return UK_ERR_INVALID_PARAM;
		memcpy(md, data, len);
		mdlen = len;
	} else if ((r = uk_digest(h, data, len, md, &mdlen)) != 0)
		return r;
	if (uk_pkey_is_sm2(pk) || scheme == UK_SCHEME_SM2) {
		if (!uk_pkey_is_sm2(pk) || h != UK_HASH_SM3)
			return UK_ERR_MECHANISM;
		if ((r = verify_sig_form(pk, sig, siglen, &der, &derlen)) != 0)
			return r == UK_ERR_INVALID_PARAM ?
			    UK_ERR_VERIFY_SIGNATURE : r;
		r = is_digest ? verify_pkey(pk, md, mdlen, h, UK_SCHEME_SM2,
		    der ? der : sig, der ? derlen : siglen) :
		    uk_verify_sm2(pk, data, len, der ? der : sig,
		    der ? derlen : siglen);
		free(der);
		return r;
	}
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA && h == UK_HASH_SM3 &&
	    (scheme == UK_SCHEME_AUTO || scheme == UK_SCHEME_PKCS1))
		return verify_rsa_recover(pk, h, md, mdlen, sig, siglen);
	if ((r = verify_sig_form(pk, sig, siglen, &der, &derlen)) != 0)
		return r == UK_ERR_INVALID_PARAM ? UK_ERR_VERIFY_SIGNATURE : r;
	r = verify_pkey(pk, md, mdlen, h, scheme, der ? der : sig,
	    der ? derlen : siglen);
	free(der);
	return r;
}

static int
bio_to_buf(BIO *bio, unsigned char **outp, size_t *outlenp)
{
	BUF_MEM *bm = NULL;

	BIO_get_mem_ptr(bio, &bm);
	if (bm == NULL)
		return UK_ERR_INTERNAL;
	if ((*outp = malloc(bm->length ? bm->length : 1)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	memcpy(*outp, bm->data, bm->length);
	*outlenp = bm->length;
	return 0;
}

int
uk_verify_cms(const unsigned char *der, size_t derlen,
    const unsigned char *data, size_t len, unsigned char **contentp,
    size_t *contentlenp, X509 **signerp)
{
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL, *dcont = NULL, *out = NULL;
	STACK_OF(X509) *signers = NULL;
	int r = UK_ERR_VERIFY_SIGNATURE;

	if (contentp != NULL) {
		*contentp = NULL;
		*contentlenp = 0;
	}
	if (signerp != NULL)
		*signerp = NULL;
	ERR_clear_error();
	if ((in = BIO_new_mem_buf(der, (int)derlen)) == NULL ||
	    (out = BIO_new(BIO_s_mem())) == NULL ||
	    (data != NULL && (dcont = BIO_new_mem_buf(data,
	    (int)len)) == NULL)) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	if ((cms = d2i_CMS_bio(in, NULL)) == NULL) {
		r = UK_ERR_INVALID_PARAM;
		goto out;
	}
	/* Signature only: the chain is cert.verify's business. */
	if (uk_cms_is_sm2(cms)) {
		if ((r = uk_verify_cms_sm2(cms, dcont, out)) != 0)
			goto out;
	} else if (CMS_verify(cms, NULL, NULL, dcont, out,
	    CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1) {
		uk_debug("CMS_verify: %s",
		    ERR_reason_error_string(ERR_peek_last_error()));
		goto out;
	}
	if (signerp != NULL && (signers = CMS_get0_signers(cms)) != NULL &&
	    sk_X509_num(signers) > 0) {
		*signerp = sk_X509_value(signers, 0);
		X509_up_ref(*signerp);
	}
	if (contentp != NULL && data == NULL &&
	    (r = bio_to_buf(out, contentp, contentlenp)) != 0)
		goto out;
	/* success */
	r = 0;
 out:
	sk_X509_free(signers);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(dcont);
	BIO_free(out);
	return r;
}

int
uk_envelope(X509 *cert, const unsigned char *data, size_t len,
    unsigned char **outp, size_t *outlenp)
{
	CMS_ContentInfo *cms = NULL;
	STACK_OF(X509) *certs = NULL;
	BIO *in = NULL, *out = NULL;
	int r = UK_ERR_ENVELOPE;

	*outp = NULL;
	*outlenp = 0;
	/* OpenSSL's CMS would pick ECDH key agreement for an SM2 key, which
	 * SM2 tokens do not do: SM2 key transport is written by hand. */
	if (uk_pkey_is_sm2(X509_get0_pubkey(cert)))
		return uk_envelope_sm2(cert, data, len, outp, outlenp);
	ERR_clear_error();
	if ((certs = sk_X509_new_null()) == NULL ||
	    sk_X509_push(certs, cert) <= 0 ||
	    (in = BIO_new_mem_buf(data, (int)len)) == NULL ||
	    (out = BIO_new(BIO_s_mem())) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	if ((cms = CMS_encrypt(certs, in, EVP_aes_256_cbc(),
	    CMS_BINARY)) == NULL || i2d_CMS_bio(out, cms) != 1) {
		uk_debug("CMS_encrypt: %s",
		    ERR_reason_error_string(ERR_peek_last_error()));
		goto out;
	}
	if ((r = bio_to_buf(out, outp, outlenp)) != 0)
		goto out;
	/* success */
	r = 0;
 out:
	sk_X509_free(certs);	/* cert is borrowed */
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(out);
	return r;
}

int
uk_cms_sign_parts(EVP_PKEY *pkey, X509 *cert, const unsigned char *data,
    size_t len, int detached, enum uk_hash h, struct uk_cms_parts *parts)
{
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL;
	unsigned char *der = NULL;
	unsigned flags = CMS_BINARY | CMS_PARTIAL | CMS_DETACHED;
	int derlen, r = UK_ERR_SIGN;

	memset(parts, 0, sizeof(*parts));
	if (len > INT_MAX)
		return UK_ERR_MESSAGE_TOO_LARGE;
	ERR_clear_error();
	if ((in = BIO_new_mem_buf(data, (int)len)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	/* Always detached: the content is read once through the digest BIO,
	 * never copied; the attached form is re-framed around it
	 * (cms_attach.h). */
	if ((cms = CMS_sign(NULL, NULL, NULL, NULL, flags)) == NULL ||
	    CMS_add1_signer(cms, cert, pkey, uk_hash_md(h),
	    CMS_BINARY) == NULL ||
	    CMS_final(cms, in, NULL, flags) != 1) {
		uk_debug("CMS_sign: %s",
		    ERR_reason_error_string(ERR_peek_last_error()));
		goto out;
	}
	if ((derlen = i2d_CMS_ContentInfo(cms, &der)) <= 0)
		goto out;
	if (detached) {
		parts->buf = malloc((size_t)derlen);
		if (parts->buf == NULL) {
			r = UK_ERR_ALLOC_FAIL;
			goto out;
		}
		memcpy(parts->buf, der, (size_t)derlen);
		parts->head = (size_t)derlen;
	} else if ((r = uk_cms_attach(der, (size_t)derlen, data, len,
	    parts)) != 0)
		goto out;
	/* success */
	r = 0;
 out:
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return r;
}

int
uk_cms_sign(EVP_PKEY *pkey, X509 *cert, const unsigned char *data,
    size_t len, int detached, enum uk_hash h, unsigned char **outp,
    size_t *outlenp)
{
	struct uk_cms_parts parts;
	int r;

	*outp = NULL;
	*outlenp = 0;
	if ((r = uk_cms_sign_parts(pkey, cert, data, len, detached, h,
	    &parts)) != 0)
		return r;
	r = uk_cms_parts_flatten(&parts, outp, outlenp);
	free(parts.buf);
	return r;
}
