/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Token objects and private-key operations: certificates and keys paired
 * by CKA_ID, raw signatures, an EVP_PKEY whose private operations run on
 * the token (for OpenSSL's CMS), decryption and random (token.h).
 */
#include "uk_setup.h"

#include <sys/types.h>

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/cms.h>
#include <openssl/core_names.h>
#include <p11-kit/pkcs11.h>

#include "err.h"
#include "host.h"
#include "json.h"
#include "log.h"
#include "sign.h"
#include "token-int.h"
#include "token.h"
#include "wipe.h"
#include "x509.h"

#define TK_MAX_OBJECTS	64	/* certificates per token considered */
#define TK_SIG_MAX	1024	/* RSA-8192 */
#define TK_CERT_MAX	(64 * 1024)

int
tk_id_from_hex(const char *hex, unsigned char *id, size_t *idlenp)
{
	size_t len = strlen(hex), i;
	unsigned v;

	*idlenp = 0;
	if (len == 0 || len % 2 != 0 || len / 2 > TK_ID_MAX)
		return UK_ERR_INVALID_PARAM;
	for (i = 0; i < len; i += 2) {
		if (sscanf(hex + i, "%2x", &v) != 1 ||
		    !isxdigit((unsigned char)hex[i]) ||
		    !isxdigit((unsigned char)hex[i + 1]))
			return UK_ERR_INVALID_PARAM;
		id[i / 2] = (unsigned char)v;
	}
	*idlenp = len / 2;
	return 0;
}

static int
get_attr(CK_FUNCTION_LIST_PTR fn, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h,
    CK_ATTRIBUTE_TYPE type, size_t max, unsigned char **valp, size_t *lenp)
{
	CK_ATTRIBUTE a = { type, NULL, 0 };
	CK_RV rv;

	*valp = NULL;
	*lenp = 0;
	if ((rv = fn->C_GetAttributeValue(s, h, &a, 1)) != CKR_OK)
		return (int)rv;
	if (a.ulValueLen == (CK_ULONG)-1 || a.ulValueLen > max)
		return (int)CKR_ATTRIBUTE_VALUE_INVALID;
	if ((a.pValue = malloc(a.ulValueLen ? a.ulValueLen : 1)) == NULL)
		return (int)CKR_HOST_MEMORY;
	if ((rv = fn->C_GetAttributeValue(s, h, &a, 1)) != CKR_OK) {
		free(a.pValue);
		return (int)rv;
	}
	*valp = a.pValue;
	*lenp = a.ulValueLen;
	return 0;
}

static CK_RV
find_objects(CK_FUNCTION_LIST_PTR fn, CK_SESSION_HANDLE s,
    CK_OBJECT_CLASS cls, const unsigned char *id, size_t idlen,
    CK_OBJECT_HANDLE *out, CK_ULONG max, CK_ULONG *countp)
{
	CK_ATTRIBUTE tmpl[2] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_ID, (void *)(uintptr_t)id, (CK_ULONG)idlen },
	};
	CK_RV rv, rv2;

	*countp = 0;
	if ((rv = fn->C_FindObjectsInit(s, tmpl, id != NULL ? 2 : 1)) !=
	    CKR_OK)
		return rv;
	rv = fn->C_FindObjects(s, out, max, countp);
	rv2 = fn->C_FindObjectsFinal(s);
	return rv != CKR_OK ? rv : rv2;
}

/* 1 when the certificate may sign (no keyUsage, or digitalSignature /
 * nonRepudiation present). */
static int
cert_can_sign(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	uint32_t ku;
	int ok;

	if (x == NULL)
		return 0;
	ku = X509_get_key_usage(x);
	ok = ku == UINT32_MAX ||
	    (ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0;
	X509_free(x);
	return ok;
}

static int
has_key(CK_FUNCTION_LIST_PTR fn, CK_SESSION_HANDLE s,
    const unsigned char *id, size_t idlen)
{
	CK_OBJECT_HANDLE h;
	CK_ULONG n = 0;

	/* Private keys are invisible before login; a public key object with
	 * the same id stands in for them. */
	if (find_objects(fn, s, CKO_PRIVATE_KEY, id, idlen, &h, 1, &n) ==
	    CKR_OK && n > 0)
		return 1;
	return find_objects(fn, s, CKO_PUBLIC_KEY, id, idlen, &h, 1, &n) ==
	    CKR_OK && n > 0;
}

static int
id_less(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c < 0 || (c == 0 && alen < blen);
}

int
tk_find_cert_der(struct uk_token_state *st, struct tk_token *t,
    const unsigned char *id, size_t idlen, unsigned char **derp,
    size_t *derlenp, unsigned char *idout, size_t *idoutlenp)
{
	CK_FUNCTION_LIST_PTR fn = tk_fn(st, t);
	CK_OBJECT_HANDLE objs[TK_MAX_OBJECTS];
	CK_ULONG n = 0, i;
	unsigned char *der = NULL, *oid = NULL;
	size_t derlen = 0, oidlen = 0;
	int r, score, best = -1;
	CK_RV rv;

	*derp = NULL;
	*derlenp = 0;
	*idoutlenp = 0;
	if ((r = tk_session(st, t)) != 0)
		return r;
	if ((rv = find_objects(fn, t->sess, CKO_CERTIFICATE, id, idlen, objs,
	    TK_MAX_OBJECTS, &n)) != CKR_OK)
		return tk_fail(st, t, rv, "C_FindObjects",
		    UK_ERR_READ_CERT_DEVICE);
	for (i = 0; i < n; i++) {
		if (get_attr(fn, t->sess, objs[i], CKA_VALUE, TK_CERT_MAX,
		    &der, &derlen) != 0 ||
		    get_attr(fn, t->sess, objs[i], CKA_ID, TK_ID_MAX, &oid,
		    &oidlen) != 0) {
			free(der);
			der = NULL;
			continue;
		}
		score = id != NULL ? 4 :
		    2 * has_key(fn, t->sess, oid, oidlen) +
		    cert_can_sign(der, derlen);
		/* Ties go to the lowest CKA_ID: the same choice every time,
		 * whatever order the module lists objects in. */
		if (score > best || (score == best && id_less(oid, oidlen,
		    idout, *idoutlenp))) {
			best = score;
			free(*derp);
			*derp = der;
			*derlenp = derlen;
			memcpy(idout, oid, oidlen);
			*idoutlenp = oidlen;
			der = NULL;
		}
		free(der);
		free(oid);
		der = oid = NULL;
	}
	return best < 0 ? UK_ERR_CERT_NOT_FOUND : 0;
}

/* 1 when an EC key's CKA_EC_PARAMS name the SM2 curve. */
static int
key_on_sm2_curve(CK_FUNCTION_LIST_PTR fn, CK_SESSION_HANDLE s,
    CK_OBJECT_HANDLE h)
{
	/* OID 1.2.156.10197.1.301, DER */
	static const unsigned char sm2_oid[] = { 0x06, 0x08, 0x2a, 0x81,
	    0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d };
	unsigned char *p = NULL;
	size_t len = 0;
	int yes;

	if (get_attr(fn, s, h, CKA_EC_PARAMS, 256, &p, &len) != 0)
		return 0;
	yes = len == sizeof(sm2_oid) && memcmp(p, sm2_oid, len) == 0;
	free(p);
	return yes;
}

int
tk_find_key(struct uk_token_state *st, struct tk_token *t,
    const unsigned char *id, size_t idlen, struct tk_key **keyp)
{
	CK_FUNCTION_LIST_PTR fn = tk_fn(st, t);
	CK_OBJECT_HANDLE h;
	CK_KEY_TYPE type = 0;
	CK_ULONG n = 0, bits = 0;
	CK_ATTRIBUTE a[] = {
		{ CKA_KEY_TYPE, &type, sizeof(type) },
	};
	CK_ATTRIBUTE b[] = {
		{ CKA_MODULUS_BITS, &bits, sizeof(bits) },
	};
	struct tk_key *k;
	CK_RV rv;
	size_t i;
	int sm2;

	*keyp = NULL;
	for (i = 0; i < t->nkeys; i++)
		if (t->keys[i].idlen == idlen &&
		    memcmp(t->keys[i].id, id, idlen) == 0) {
			*keyp = &t->keys[i];
			return 0;
		}
	if ((rv = find_objects(fn, t->sess, CKO_PRIVATE_KEY, id, idlen, &h, 1,
	    &n)) != CKR_OK)
		return tk_fail(st, t, rv, "C_FindObjects",
		    UK_ERR_READ_KEY_DEVICE);
	if (n == 0)
		return UK_ERR_CERT_NOT_FOUND;
	if ((rv = fn->C_GetAttributeValue(t->sess, h, a, 1)) != CKR_OK)
		return tk_fail(st, t, rv, "C_GetAttributeValue",
		    UK_ERR_READ_KEY_DEVICE);
	if (type == CKK_RSA &&
	    fn->C_GetAttributeValue(t->sess, h, b, 1) != CKR_OK)
		bits = 0;
	sm2 = type >= CKK_VENDOR_DEFINED ||
	    (type == CKK_EC && key_on_sm2_curve(fn, t->sess, h));
	if (t->nkeys == TK_MAX_KEYS)
		t->nkeys = 0;	/* small cache: start over */
	k = &t->keys[t->nkeys++];
	memcpy(k->id, id, idlen);
	k->idlen = idlen;
	k->h = h;
	k->type = type;
	k->size = (bits + 7) / 8;
	k->sm2 = sm2;
	*keyp = k;
	return 0;
}

/* C_SignInit + C_Sign (or C_DecryptInit + C_Decrypt when decrypt). */
static int
key_op(struct uk_token_state *st, struct tk_token *t, struct tk_key *k,
    CK_MECHANISM *mech, int decrypt, const unsigned char *in, size_t inlen,
    unsigned char *out, size_t *outlenp)
{
	CK_FUNCTION_LIST_PTR fn = tk_fn(st, t);
	CK_ULONG olen = (CK_ULONG)*outlenp;
	CK_RV rv;

	rv = decrypt ? fn->C_DecryptInit(t->sess, mech, k->h) :
	    fn->C_SignInit(t->sess, mech, k->h);
	if (rv == CKR_OK)
		rv = decrypt ? fn->C_Decrypt(t->sess,
		    (CK_BYTE_PTR)(uintptr_t)in, (CK_ULONG)inlen, out, &olen) :
		    fn->C_Sign(t->sess, (CK_BYTE_PTR)(uintptr_t)in,
		    (CK_ULONG)inlen, out, &olen);
	if (rv != CKR_OK) {
		*outlenp = 0;
		return tk_fail(st, t, rv, decrypt ? "C_Decrypt" : "C_Sign",
		    decrypt ? UK_ERR_ASYMMETRIC : UK_ERR_SIGN);
	}
	t->last_use = time(NULL);
	*outlenp = olen;
	return 0;
}

int
tk_key_decrypt(struct uk_token_state *st, struct tk_token *t,
    struct tk_key *k, CK_MECHANISM *mech, const unsigned char *in,
    size_t inlen, unsigned char *out, size_t *outlenp)
{
	return key_op(st, t, k, mech, 1, in, inlen, out, outlenp);
}

/* Resolves token + id (NULL: the signing certificate's) to a key. */
int
tk_resolve_key(struct uk_ctx *ctx, const char *token, const char *cert_id,
    struct tk_token **tp, struct tk_key **kp)
{
	unsigned char id[TK_ID_MAX], *der = NULL;
	size_t idlen = 0, derlen;
	int r;

	*tp = NULL;
	*kp = NULL;
	if ((r = tk_lookup(ctx, token, tp)) != 0 ||
	    (r = tk_require_login(ctx->token, *tp)) != 0)
		return r;
	if (cert_id != NULL) {
		if ((r = tk_id_from_hex(cert_id, id, &idlen)) != 0)
			return UK_ERR_CERT_NOT_FOUND;
	} else {
		if ((r = tk_find_cert_der(ctx->token, *tp, NULL, 0, &der,
		    &derlen, id, &idlen)) != 0)
			return r;
		free(der);
	}
	return tk_find_key(ctx->token, *tp, id, idlen, kp);
}

static CK_MECHANISM_TYPE
hash_mech(enum uk_hash h, CK_RSA_PKCS_MGF_TYPE *mgfp)
{
	switch (h) {
	case UK_HASH_SHA1:
		*mgfp = CKG_MGF1_SHA1;
		return CKM_SHA_1;
	case UK_HASH_SHA256:
		*mgfp = CKG_MGF1_SHA256;
		return CKM_SHA256;
	case UK_HASH_SHA384:
		*mgfp = CKG_MGF1_SHA384;
		return CKM_SHA384;
	case UK_HASH_SHA512:
		*mgfp = CKG_MGF1_SHA512;
		return CKM_SHA512;
	default:
		*mgfp = 0;
		return CKM_VENDOR_DEFINED;
	}
}

static int
sign_rsa(struct uk_token_state *st, struct tk_token *t, struct tk_key *k,
    enum uk_sig_scheme scheme, enum uk_hash h, const unsigned char *md,
    size_t mdlen, unsigned char *sig, size_t *siglenp)
{
	CK_RSA_PKCS_PSS_PARAMS pss;
	CK_MECHANISM mech = { CKM_RSA_PKCS, NULL, 0 };
	unsigned char *di = NULL;
	size_t dilen;
	int r;

	if (scheme == UK_SCHEME_PSS) {
		pss.hashAlg = hash_mech(h, &pss.mgf);
		pss.sLen = (CK_ULONG)mdlen;
		if (pss.mgf == 0)
			return UK_ERR_MECHANISM;
		mech.mechanism = CKM_RSA_PKCS_PSS;
		mech.pParameter = &pss;
		mech.ulParameterLen = sizeof(pss);
		return key_op(st, t, k, &mech, 0, md, mdlen, sig, siglenp);
	}
	/* PKCS#1 v1.5 over our own DigestInfo: CKM_RSA_PKCS is the one
	 * mechanism every RSA token offers. */
	if ((r = uk_digest_info(h, md, mdlen, &di, &dilen)) != 0)
		return r;
	r = key_op(st, t, k, &mech, 0, di, dilen, sig, siglenp);
	free(di);
	return r;
}

static int
sign_ec(struct uk_token_state *st, struct tk_token *t, struct tk_key *k,
    CK_MECHANISM_TYPE m, enum uk_sig_scheme scheme,
    const unsigned char *in, size_t inlen, unsigned char **sigp,
    size_t *siglenp)
{
	CK_MECHANISM mech = { m, NULL, 0 };
	unsigned char raw[TK_SIG_MAX];
	size_t rawlen = sizeof(raw);
	int r;

	if ((r = key_op(st, t, k, &mech, 0, in, inlen, raw, &rawlen)) != 0)
		return r;
	if (scheme == UK_SCHEME_ECDSA_RAW) {
		if ((*sigp = malloc(rawlen)) == NULL)
			return UK_ERR_ALLOC_FAIL;
		memcpy(*sigp, raw, rawlen);
		*siglenp = rawlen;
		return 0;
	}
	return uk_ecdsa_raw_to_der(raw, rawlen, sigp, siglenp);
}

/*
 * SM2 through the vendor mechanism, which takes the message and hashes
 * Z ‖ M itself.  Vendors return r ‖ s (CKM_SM3_SM2) or DER (their _DER
 * variants): a strict DER parse decides, so either number works in
 * pkcs11.sm2Mechanism (raw r ‖ s that happens to be valid, canonical
 * DER of its own length is vanishingly unlikely).  *sigp: DER.
 */
static int
sign_sm2(struct uk_token_state *st, struct tk_token *t, struct tk_key *k,
    const unsigned char *msg, size_t len, unsigned char **sigp,
    size_t *siglenp)
{
	CK_MECHANISM mech = { st->sm2_mech, NULL, 0 };
	unsigned char raw[TK_SIG_MAX];
	size_t rawlen = sizeof(raw);
	int r;

	if (st->sm2_mech == 0)
		return UK_ERR_MECHANISM;
	if ((r = key_op(st, t, k, &mech, 0, msg, len, raw, &rawlen)) != 0)
		return r;
	r = uk_ecdsa_sig_to_der(raw, rawlen, sigp, siglenp);
	return r == 0 || r == UK_ERR_ALLOC_FAIL ? r : UK_ERR_SIGN;
}

static enum uk_sig_scheme
auto_scheme(const struct tk_key *k, enum uk_sig_scheme s)
{
	if (s != UK_SCHEME_AUTO)
		return s;
	if (k->sm2)
		return UK_SCHEME_SM2;
	return k->type == CKK_RSA ? UK_SCHEME_PKCS1 : UK_SCHEME_ECDSA;
}

int
uk_token_sign(struct uk_ctx *ctx, const struct uk_sign_req *req,
    unsigned char **sigp, size_t *siglenp)
{
	unsigned char md[UK_HASH_MAX_LEN], sig[TK_SIG_MAX];
	size_t mdlen = 0, siglen = sizeof(sig);
	enum uk_sig_scheme scheme;
	struct tk_token *t;
	struct tk_key *k;
	int r, rsa;

	*sigp = NULL;
	*siglenp = 0;
	if ((r = tk_resolve_key(ctx, req->token, req->cert_id, &t, &k)) != 0)
		return r;
	scheme = auto_scheme(k, req->scheme);
	rsa = scheme == UK_SCHEME_PKCS1 || scheme == UK_SCHEME_PSS;
	if ((rsa && k->type != CKK_RSA) || (!rsa && k->type == CKK_RSA) ||
	    (scheme == UK_SCHEME_SM2) != (k->sm2 != 0))
		return UK_ERR_MECHANISM;
	if (scheme == UK_SCHEME_SM2) {
		/* The vendor mechanism hashes Z ‖ M itself: it can only be
		 * given the message.  A digest (e = SM3(Z ‖ M) already)
		 * would be hashed again into a signature nobody verifies. */
		if (req->is_digest)
			return UK_ERR_MECHANISM;
		/* SM2 signs with SM3: a page that asked for another hash
		 * gets told, not a signature it did not ask for. */
		if (req->hash_strict && req->hash != UK_HASH_SM3)
			return UK_ERR_MECHANISM;
		return sign_sm2(ctx->token, t, k, req->data, req->len, sigp,
		    siglenp);
	}
	if (req->is_digest) {
		if (req->len != uk_hash_len(req->hash))
			return UK_ERR_INVALID_PARAM;
		memcpy(md, req->data, req->len);
		mdlen = req->len;
	} else if ((r = uk_digest(req->hash, req->data, req->len, md,
	    &mdlen)) != 0)
		return r;
	if (!rsa)
		return sign_ec(ctx->token, t, k, CKM_ECDSA, scheme, md, mdlen,
		    sigp, siglenp);
	if ((r = sign_rsa(ctx->token, t, k, scheme, req->hash, md, mdlen, sig,
	    &siglen)) != 0)
		return r;
	if ((*sigp = malloc(siglen)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	/* success */
	memcpy(*sigp, sig, siglen);
	*siglenp = siglen;
	return 0;
}

int
uk_token_random(struct uk_ctx *ctx, const char *token, unsigned char *buf,
    size_t len)
{
	struct tk_token *t;
	CK_RV rv;
	int r;

	if (token == NULL)
		return RAND_bytes(buf, (int)len) == 1 ? 0 : UK_ERR_RANDOM;
	if ((r = tk_lookup(ctx, token, &t)) != 0 ||
	    (r = tk_session(ctx->token, t)) != 0)
		return r;
	if ((rv = tk_fn(ctx->token, t)->C_GenerateRandom(t->sess, buf,
	    (CK_ULONG)len)) != CKR_OK)
		return tk_fail(ctx->token, t, rv, "C_GenerateRandom",
		    UK_ERR_RANDOM);
	return 0;
}

int
uk_token_find_cert(struct uk_ctx *ctx, const char *token,
    const char *cert_id, X509 **certp, char **idhexp)
{
	unsigned char id[TK_ID_MAX], idout[TK_ID_MAX], *der = NULL;
	size_t idlen = 0, idoutlen = 0, derlen = 0;
	struct tk_token *t;
	int r;

	*certp = NULL;
	if (idhexp != NULL)
		*idhexp = NULL;
	if (cert_id != NULL && tk_id_from_hex(cert_id, id, &idlen) != 0)
		return UK_ERR_CERT_NOT_FOUND;
	if ((r = tk_lookup(ctx, token, &t)) != 0 ||
	    (r = tk_find_cert_der(ctx->token, t, cert_id ? id : NULL, idlen,
	    &der, &derlen, idout, &idoutlen)) != 0)
		return r;
	if ((r = uk_cert_from_der(der, derlen, certp)) != 0)
		goto out;
	if (idhexp != NULL &&
	    (*idhexp = uk_hex_encode(idout, idoutlen)) == NULL) {
		X509_free(*certp);
		*certp = NULL;
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	/* success */
	r = 0;
 out:
	free(der);
	return r;
}

/* --- An EVP_PKEY backed by the token ------------------------------- */

struct tk_keyref {
	struct uk_ctx *ctx;
	char token[UK_TOKEN_HANDLE_MAX];
	char id[2 * TK_ID_MAX + 1];
};

static int rsa_idx = -1, ec_idx = -1;
static RSA_METHOD *rsa_meth;
static EC_KEY_METHOD *ec_meth;

static void
keyref_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	free(ptr);
}

static int
ref_op(struct tk_keyref *ref, CK_MECHANISM_TYPE m, int decrypt,
    const unsigned char *in, size_t inlen, unsigned char *out,
    size_t *outlenp)
{
	CK_MECHANISM mech = { m, NULL, 0 };
	struct tk_token *t;
	struct tk_key *k;
	int r;

	if (ref == NULL)
		return UK_ERR_INTERNAL;
	if ((r = tk_resolve_key(ref->ctx, ref->token, ref->id, &t, &k)) != 0)
		return r;
	return key_op(ref->ctx->token, t, k, &mech, decrypt, in, inlen, out,
	    outlenp);
}

/* OpenSSL's padding → the raw PKCS#11 mechanism; OpenSSL pads for PSS
 * itself and hands over an unpadded block. */
static int
rsa_priv_op(int flen, const unsigned char *from, unsigned char *to,
    RSA *rsa, int padding, int decrypt)
{
	size_t olen = (size_t)RSA_size(rsa);
	CK_MECHANISM_TYPE m;

	if (padding == RSA_PKCS1_PADDING)
		m = CKM_RSA_PKCS;
	else if (padding == RSA_NO_PADDING)
		m = CKM_RSA_X_509;
	else
		return -1;
	if (ref_op(RSA_get_ex_data(rsa, rsa_idx), m, decrypt, from,
	    (size_t)flen, to, &olen) != 0)
		return -1;
	return (int)olen;
}

static int
rsa_priv_enc(int flen, const unsigned char *from, unsigned char *to,
    RSA *rsa, int padding)
{
	return rsa_priv_op(flen, from, to, rsa, padding, 0);
}

static int
rsa_priv_dec(int flen, const unsigned char *from, unsigned char *to,
    RSA *rsa, int padding)
{
	return rsa_priv_op(flen, from, to, rsa, padding, 1);
}

static ECDSA_SIG *
ec_sign_sig(const unsigned char *dgst, int dlen, const BIGNUM *kinv,
    const BIGNUM *rp, EC_KEY *ec)
{
	unsigned char raw[TK_SIG_MAX];
	size_t rawlen = sizeof(raw);
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *s = NULL;

	(void)kinv;
	(void)rp;
	if (ref_op(EC_KEY_get_ex_data(ec, ec_idx), CKM_ECDSA, 0, dgst,
	    (size_t)dlen, raw, &rawlen) != 0 || rawlen % 2 != 0)
		return NULL;
	if ((sig = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(raw, (int)rawlen / 2, NULL)) == NULL ||
	    (s = BN_bin2bn(raw + rawlen / 2, (int)rawlen / 2, NULL)) == NULL ||
	    ECDSA_SIG_set0(sig, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return NULL;
	}
	return sig;
}

/*
 * ECDH with the token key (CMS/PKCS#7 envelopes to EC certificates):
 * CKM_ECDH1_DERIVE without KDF into a session secret, whose value is read
 * and the object destroyed.  The key needs CKA_DERIVE.
 */
static int
ec_compute_key(unsigned char **psec, size_t *pseclen, const EC_POINT *pub,
    const EC_KEY *ec)
{
	struct tk_keyref *ref = EC_KEY_get_ex_data(ec, ec_idx);
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_ULONG vlen = (CK_ULONG)(EC_GROUP_get_degree(
	    EC_KEY_get0_group(ec)) + 7) / 8;
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_SENSITIVE, &no, sizeof(no) },
		{ CKA_EXTRACTABLE, &yes, sizeof(yes) },
		{ CKA_VALUE_LEN, &vlen, sizeof(vlen) },
	};
	CK_ECDH1_DERIVE_PARAMS params;
	CK_MECHANISM mech = { CKM_ECDH1_DERIVE, &params, sizeof(params) };
	CK_OBJECT_HANDLE sec = CK_INVALID_HANDLE;
	unsigned char *point = NULL, *val = NULL;
	size_t plen, vallen = 0;
	struct tk_token *t;
	struct tk_key *k;
	CK_RV rv;
	int ok = 0;

	*psec = NULL;
	*pseclen = 0;
	if (ref == NULL || tk_resolve_key(ref->ctx, ref->token, ref->id, &t,
	    &k) != 0)
		return 0;
	if ((plen = EC_POINT_point2buf(EC_KEY_get0_group(ec), pub,
	    POINT_CONVERSION_UNCOMPRESSED, &point, NULL)) == 0)
		return 0;
	memset(&params, 0, sizeof(params));
	params.kdf = CKD_NULL;
	params.pPublicData = point;
	params.ulPublicDataLen = (CK_ULONG)plen;
	rv = tk_fn(ref->ctx->token, t)->C_DeriveKey(t->sess, &mech, k->h,
	    tmpl, UK_ARRAY_LEN(tmpl), &sec);
	if (rv != CKR_OK) {
		(void)tk_fail(ref->ctx->token, t, rv, "C_DeriveKey",
		    UK_ERR_ENVELOPE);
		goto out;
	}
	if (get_attr(tk_fn(ref->ctx->token, t), t->sess, sec, CKA_VALUE, 256,
	    &val, &vallen) != 0)
		goto out;
	/* OpenSSL frees the secret with OPENSSL_clear_free */
	if ((*psec = OPENSSL_malloc(vallen)) == NULL)
		goto out;
	memcpy(*psec, val, vallen);
	*pseclen = vallen;
	ok = 1;
 out:
	if (sec != CK_INVALID_HANDLE)
		(void)tk_fn(ref->ctx->token, t)->C_DestroyObject(t->sess, sec);
	uk_freezero(val, vallen);
	OPENSSL_free(point);
	return ok;
}

static int
methods_init(void)
{
	int (*sign)(int, const unsigned char *, int, unsigned char *,
	    unsigned int *, const BIGNUM *, const BIGNUM *, EC_KEY *) = NULL;
	int (*setup)(EC_KEY *, BN_CTX *, BIGNUM **, BIGNUM **) = NULL;

	if (rsa_meth != NULL)
		return 0;
	rsa_idx = RSA_get_ex_new_index(0, NULL, NULL, NULL, keyref_free);
	ec_idx = EC_KEY_get_ex_new_index(0, NULL, NULL, NULL, keyref_free);
	if (rsa_idx < 0 || ec_idx < 0 ||
	    (rsa_meth = RSA_meth_dup(RSA_PKCS1_OpenSSL())) == NULL ||
	    (ec_meth = EC_KEY_METHOD_new(EC_KEY_OpenSSL())) == NULL)
		return UK_ERR_ALLOC_FAIL;
	RSA_meth_set1_name(rsa_meth, "ukeylink token");
	RSA_meth_set_priv_enc(rsa_meth, rsa_priv_enc);
	RSA_meth_set_priv_dec(rsa_meth, rsa_priv_dec);
	/* The default sign() calls sign_sig(), which goes to the token. */
	EC_KEY_METHOD_get_sign(ec_meth, &sign, &setup, NULL);
	EC_KEY_METHOD_set_sign(ec_meth, sign, setup, ec_sign_sig);
	EC_KEY_METHOD_set_compute_key(ec_meth, ec_compute_key);
	return 0;
}

static int
pkey_rsa(EVP_PKEY *pub, struct tk_keyref *ref, EVP_PKEY **pkeyp)
{
	BIGNUM *n = NULL, *e = NULL;
	RSA *rsa = NULL;
	EVP_PKEY *pk = NULL;
	int r = UK_ERR_ALLOC_FAIL;

	if (EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
	    EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_E, &e) != 1 ||
	    (rsa = RSA_new()) == NULL || RSA_set_method(rsa, rsa_meth) != 1 ||
	    RSA_set0_key(rsa, n, e, NULL) != 1)
		goto out;
	n = e = NULL;	/* transferred */
	RSA_set_flags(rsa, RSA_FLAG_EXT_PKEY);
	if (RSA_set_ex_data(rsa, rsa_idx, ref) != 1)
		goto out;
	ref = NULL;	/* transferred */
	if ((pk = EVP_PKEY_new()) == NULL || EVP_PKEY_assign_RSA(pk, rsa) != 1)
		goto out;
	rsa = NULL;	/* transferred */
	/* success */
	*pkeyp = pk;
	pk = NULL;
	r = 0;
 out:
	BN_free(n);
	BN_free(e);
	RSA_free(rsa);
	EVP_PKEY_free(pk);
	free(ref);
	return r;
}

static int
pkey_ec(EVP_PKEY *pub, struct tk_keyref *ref, EVP_PKEY **pkeyp)
{
	EC_KEY *src = NULL, *ec = NULL;
	EVP_PKEY *pk = NULL;
	int r = UK_ERR_ALLOC_FAIL;

	if ((src = EVP_PKEY_get1_EC_KEY(pub)) == NULL ||
	    (ec = EC_KEY_new()) == NULL ||
	    EC_KEY_set_method(ec, ec_meth) != 1 ||
	    EC_KEY_set_group(ec, EC_KEY_get0_group(src)) != 1 ||
	    EC_KEY_set_public_key(ec, EC_KEY_get0_public_key(src)) != 1 ||
	    EC_KEY_set_ex_data(ec, ec_idx, ref) != 1)
		goto out;
	ref = NULL;	/* transferred */
	if ((pk = EVP_PKEY_new()) == NULL ||
	    EVP_PKEY_assign_EC_KEY(pk, ec) != 1)
		goto out;
	ec = NULL;	/* transferred */
	/* success */
	*pkeyp = pk;
	pk = NULL;
	r = 0;
 out:
	EC_KEY_free(src);
	EC_KEY_free(ec);
	EVP_PKEY_free(pk);
	free(ref);
	return r;
}

/* The EVP_PKEY for the key paired with cert (idhex: its CKA_ID). */
static int
token_pkey_for(struct uk_ctx *ctx, const char *token, const char *idhex,
    X509 *cert, EVP_PKEY **pkeyp)
{
	struct tk_keyref *ref;
	EVP_PKEY *pub = X509_get0_pubkey(cert);
	struct tk_token *t;
	struct tk_key *k;
	int r;

	*pkeyp = NULL;
	if (pub == NULL)
		return UK_ERR_CERT_FORMAT;
	/* The key must exist and a login must be there now. */
	if ((r = tk_resolve_key(ctx, token, idhex, &t, &k)) != 0)
		return r;
	if ((r = methods_init()) != 0)
		return r;
	if ((ref = calloc(1, sizeof(*ref))) == NULL)
		return UK_ERR_ALLOC_FAIL;
	ref->ctx = ctx;
	snprintf(ref->token, sizeof(ref->token), "%s", token);
	snprintf(ref->id, sizeof(ref->id), "%s", idhex);
	if (k->type == CKK_RSA && EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA)
		return pkey_rsa(pub, ref, pkeyp);
	/* SM2 keys: no EVP_PKEY (OpenSSL's SM2 is a provider that
	 * computes Z itself; the vendor mechanism wants the message).
	 * sign.cms builds SM2 CMS by hand, SM2 envelopes are opened with
	 * the vendor decryption mechanism (token-sm2.c). */
	if (k->type == CKK_EC && !k->sm2 && !uk_pkey_is_sm2(pub) &&
	    EVP_PKEY_get_base_id(pub) == EVP_PKEY_EC)
		return pkey_ec(pub, ref, pkeyp);
	free(ref);
	return UK_ERR_MECHANISM;
}

int
uk_token_pkey(struct uk_ctx *ctx, const char *token, const char *cert_id,
    EVP_PKEY **pkeyp)
{
	X509 *cert = NULL;
	char *idhex = NULL;
	int r;

	*pkeyp = NULL;
	if ((r = uk_token_find_cert(ctx, token, cert_id, &cert, &idhex)) != 0)
		return r;
	r = token_pkey_for(ctx, token, idhex, cert, pkeyp);
	X509_free(cert);
	free(idhex);
	return r;
}

int
uk_token_sign_cms_parts(struct uk_ctx *ctx, const char *token,
    const char *cert_id, const unsigned char *data, size_t len,
    int detached, enum uk_hash hash, int hash_strict,
    struct uk_cms_parts *parts)
{
	X509 *cert = NULL;
	EVP_PKEY *pk = NULL;
	char *idhex = NULL;
	int r;

	memset(parts, 0, sizeof(*parts));
	if ((r = uk_token_find_cert(ctx, token, cert_id, &cert, &idhex)) != 0)
		goto out;
	/* SM2: no EVP_PKEY; the SignerInfo is finished by hand, SM3 is
	 * the only hash (token-sm2.c).  Signed detached like the others
	 * and re-framed when attached (cms_attach.h). */
	if (uk_pkey_is_sm2(X509_get0_pubkey(cert))) {
		unsigned char *der = NULL;
		size_t derlen = 0;

		if (hash_strict && hash != UK_HASH_SM3) {
			r = UK_ERR_MECHANISM;
			goto out;
		}

		if ((r = tk_sign_cms_sm2(ctx, token, idhex, cert, data, len, 1,
		    &der, &derlen)) != 0)
			goto out;
		if (detached) {
			parts->buf = der;
			parts->head = derlen;
		} else {
			r = uk_cms_attach(der, derlen, data, len, parts);
			free(der);
		}
		goto out;
	}
	if ((r = token_pkey_for(ctx, token, idhex, cert, &pk)) != 0)
		goto out;
	r = uk_cms_sign_parts(pk, cert, data, len, detached, hash, parts);
 out:
	EVP_PKEY_free(pk);
	X509_free(cert);
	free(idhex);
	return r;
}

int
uk_token_sign_cms(struct uk_ctx *ctx, const char *token, const char *cert_id,
    const unsigned char *data, size_t len, int detached, enum uk_hash hash,
    unsigned char **cmsp, size_t *cmslenp)
{
	struct uk_cms_parts parts;
	int r;

	*cmsp = NULL;
	*cmslenp = 0;
	if ((r = uk_token_sign_cms_parts(ctx, token, cert_id, data, len,
	    detached, hash, 0, &parts)) != 0)
		return r;
	r = uk_cms_parts_flatten(&parts, cmsp, cmslenp);
	free(parts.buf);
	return r;
}

int
uk_token_decrypt_cms(struct uk_ctx *ctx, const char *token,
    const char *cert_id, const unsigned char *der, size_t len,
    unsigned char **outp, size_t *outlenp, char *why, size_t whylen)
{
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL, *out = NULL;
	BUF_MEM *bm = NULL;
	X509 *cert = NULL;
	EVP_PKEY *pk = NULL;
	char *idhex = NULL;
	int r;

	*outp = NULL;
	*outlenp = 0;
	if (whylen > 0)
		why[0] = '\0';
	if ((r = uk_token_find_cert(ctx, token, cert_id, &cert, &idhex)) != 0)
		goto out;
	/* OpenSSL's CMS has no SM2 key transport (sign.c, uk_envelope) */
	if (uk_pkey_is_sm2(X509_get0_pubkey(cert))) {
		r = tk_decrypt_env_sm2(ctx, token, idhex, cert, der, len, outp,
		    outlenp, why, whylen);
		goto out;
	}
	if ((r = token_pkey_for(ctx, token, idhex, cert, &pk)) != 0)
		goto out;
	if (len > INT_MAX) {
		r = UK_ERR_MESSAGE_TOO_LARGE;
		goto out;
	}
	r = UK_ERR_ALLOC_FAIL;
	if ((in = BIO_new_mem_buf(der, (int)len)) == NULL ||
	    (out = BIO_new(BIO_s_mem())) == NULL)
		goto out;
	r = UK_ERR_ENVELOPE;
	ERR_clear_error();
	if ((cms = d2i_CMS_bio(in, NULL)) == NULL ||
	    CMS_decrypt(cms, pk, cert, NULL, out, CMS_BINARY) != 1) {
		const char *e = ERR_reason_error_string(ERR_peek_last_error());

		uk_debug("CMS_decrypt: %s", e);
		snprintf(why, whylen, "%s", cms == NULL ? "not a CMS/PKCS#7 "
		    "structure" : e != NULL ? e : "CMS_decrypt failed");
		goto out;
	}
	BIO_get_mem_ptr(out, &bm);
	if ((*outp = malloc(bm->length ? bm->length : 1)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	/* success */
	memcpy(*outp, bm->data, bm->length);
	*outlenp = bm->length;
	r = 0;
 out:
	if (bm != NULL)
		OPENSSL_cleanse(bm->data, bm->length);	/* plaintext */
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(out);
	EVP_PKEY_free(pk);
	X509_free(cert);
	free(idhex);
	return r;
}

static int
cert_entry(struct uk_ctx *ctx, struct tk_token *t, CK_OBJECT_HANDLE h,
    cJSON *arr)
{
	struct uk_token_state *st = ctx->token;
	struct uk_x509 *x = NULL;
	CK_FUNCTION_LIST_PTR fn = tk_fn(st, t);
	unsigned char *der = NULL, *id = NULL, *label = NULL;
	size_t derlen, idlen, labellen;
	char *idhex = NULL, *lab = NULL;
	cJSON *o = NULL;
	int r;

	if (get_attr(fn, t->sess, h, CKA_VALUE, TK_CERT_MAX, &der,
	    &derlen) != 0 || get_attr(fn, t->sess, h, CKA_ID, TK_ID_MAX, &id,
	    &idlen) != 0) {
		r = 0;	/* unreadable object: not listed */
		goto out;
	}
	if (get_attr(fn, t->sess, h, CKA_LABEL, 256, &label, &labellen) ==
	    0 && (lab = calloc(1, labellen + 1)) != NULL)
		memcpy(lab, label, labellen);
	r = UK_ERR_ALLOC_FAIL;
	if ((idhex = uk_hex_encode(id, idlen)) == NULL ||
	    (o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "token", t->handle) == NULL ||
	    cJSON_AddStringToObject(o, "certId", idhex) == NULL ||
	    cJSON_AddStringToObject(o, "label", lab != NULL &&
	    uk_utf8_valid(lab, labellen) == 0 ? lab : "") == NULL ||
	    cJSON_AddBoolToObject(o, "hasKey",
	    has_key(fn, t->sess, id, idlen)) == NULL)
		goto out;
	/* An object that does not parse is not listed (garbage on a token
	 * must not hide the good certificates). */
	if (uk_x509_parse(der, derlen, &x) != 0) {
		r = 0;
		goto out;
	}
	if (uk_json_add_base64(o, "der", der, derlen) != 0 ||
	    (r = uk_x509_to_json(x, ctx->cfg, time(NULL), o)) != 0)
		goto out;
	/* success */
	cJSON_AddItemToArray(arr, o);
	o = NULL;
	r = 0;
 out:
	cJSON_Delete(o);
	uk_x509_free(x);
	free(der);
	free(id);
	free(label);
	free(lab);
	free(idhex);
	return r;
}

static int
certs_of(struct uk_ctx *ctx, struct tk_token *t, cJSON *arr)
{
	struct uk_token_state *st = ctx->token;
	CK_OBJECT_HANDLE objs[TK_MAX_OBJECTS];
	CK_ULONG n = 0, i;
	CK_RV rv;
	int r;

	if ((r = tk_session(st, t)) != 0)
		return r;
	if ((rv = find_objects(tk_fn(st, t), t->sess, CKO_CERTIFICATE, NULL,
	    0, objs, TK_MAX_OBJECTS, &n)) != CKR_OK)
		return tk_fail(st, t, rv, "C_FindObjects",
		    UK_ERR_READ_CERT_DEVICE);
	for (i = 0; i < n; i++)
		if ((r = cert_entry(ctx, t, objs[i], arr)) != 0)
			return r;
	return 0;
}

int
uk_token_cert_list(struct uk_ctx *ctx, const char *token, cJSON **certsp)
{
	struct uk_token_state *st;
	struct tk_token *t;
	cJSON *arr = NULL;
	size_t i;
	int r;

	*certsp = NULL;
	if ((arr = cJSON_CreateArray()) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (token != NULL) {
		if ((r = tk_lookup(ctx, token, &t)) != 0 ||
		    (r = certs_of(ctx, t, arr)) != 0)
			goto out;
	} else {
		if ((r = tk_state(ctx, &st)) != 0 ||
		    (r = tk_enumerate(st)) != 0)
			goto out;
		for (i = 0; i < TK_MAX_TOKENS; i++)
			if (st->toks[i].used &&
			    (r = certs_of(ctx, &st->toks[i], arr)) != 0 &&
			    r != UK_ERR_TOKEN_REMOVED)
				goto out;
	}
	/* success */
	*certsp = arr;
	arr = NULL;
	r = 0;
 out:
	cJSON_Delete(arr);
	return r;
}
