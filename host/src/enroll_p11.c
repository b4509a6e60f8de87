/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Raw PKCS#11 calls for enrolment, seals and unlock (enroll_p11.h).
 */
#include "uk_setup.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <p11-kit/pkcs11.h>

#include "enroll_p11.h"
#include "err.h"
#include "fault.h"
#include "log.h"
#include "sign.h"
#include "wipe.h"

/* DER OIDs of the curves we generate. */
static const unsigned char oid_p256[] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};
static const unsigned char oid_sm2[] = {
	0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d
};

static const struct {
	const char *name;
	enum uk_keytype kt;
} keytypes[] = {
	{ "rsa2048", UK_KT_RSA2048 },
	{ "rsa3072", UK_KT_RSA3072 },
	{ "ec-p256", UK_KT_EC_P256 },
	{ "sm2", UK_KT_SM2 },
};

enum uk_keytype
uk_keytype_parse(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < UK_ARRAY_LEN(keytypes); i++)
		if (strcmp(name, keytypes[i].name) == 0)
			return keytypes[i].kt;
	return UK_KT_NONE;
}

const char *
uk_keytype_name(enum uk_keytype kt)
{
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(keytypes); i++)
		if (keytypes[i].kt == kt)
			return keytypes[i].name;
	return "none";
}

int
uk_p11_err(const char *what, CK_RV rv, int dflt)
{
	uk_debug("%s: CKR 0x%lx", what, (unsigned long)rv);
	switch (rv) {
	case CKR_OK:
		return 0;
	case CKR_HOST_MEMORY:
		return UK_ERR_ALLOC_FAIL;
	case CKR_DEVICE_MEMORY:
		return UK_ERR_TOKEN_FULL;
	case CKR_DEVICE_REMOVED:
	case CKR_TOKEN_NOT_PRESENT:
	case CKR_SESSION_HANDLE_INVALID:
	case CKR_SESSION_CLOSED:
		return UK_ERR_TOKEN_REMOVED;
	case CKR_MECHANISM_INVALID:
	case CKR_MECHANISM_PARAM_INVALID:
	case CKR_KEY_TYPE_INCONSISTENT:
	case CKR_DOMAIN_PARAMS_INVALID:
		return UK_ERR_MECHANISM;
	case CKR_USER_NOT_LOGGED_IN:
		return UK_ERR_NOT_LOGGED_IN;
	case CKR_PIN_INCORRECT:
		return UK_ERR_PIN_INCORRECT;
	case CKR_PIN_LOCKED:
		return UK_ERR_PIN_LOCKED;
	case CKR_PIN_LEN_RANGE:
		return UK_ERR_PIN_LEN_RANGE;
	case CKR_PIN_INVALID:
		return UK_ERR_PIN_INVALID;
	default:
		return dflt;
	}
}

int
uk_p11_find(const struct uk_p11 *p, CK_OBJECT_CLASS cls,
    const unsigned char *id, size_t idlen, const char *app,
    CK_OBJECT_HANDLE *hs, size_t max, size_t *np)
{
	CK_ATTRIBUTE tmpl[4];
	CK_ULONG n = 0, got = 0;
	CK_BBOOL tok = CK_TRUE;
	CK_RV rv;
	int r;

	*np = 0;
	tmpl[n++] = (CK_ATTRIBUTE){ CKA_TOKEN, &tok, sizeof(tok) };
	if (cls != CK_UNAVAILABLE_INFORMATION)
		tmpl[n++] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
	if (id != NULL)
		tmpl[n++] = (CK_ATTRIBUTE){ CKA_ID, (void *)id, idlen };
	if (app != NULL)
		tmpl[n++] = (CK_ATTRIBUTE){ CKA_APPLICATION, (void *)app,
		    strlen(app) };
	if ((rv = p->fn->C_FindObjectsInit(p->s, tmpl, n)) != CKR_OK)
		return uk_p11_err("C_FindObjectsInit", rv,
		    UK_ERR_READ_KEY_DEVICE);
	rv = p->fn->C_FindObjects(p->s, hs, max, &got);
	r = uk_p11_err("C_FindObjects", rv, UK_ERR_READ_KEY_DEVICE);
	(void)p->fn->C_FindObjectsFinal(p->s);
	if (r != 0)
		return r;
	*np = got;
	return 0;
}

int
uk_p11_attr(const struct uk_p11 *p, CK_OBJECT_HANDLE h,
    CK_ATTRIBUTE_TYPE type, unsigned char **valp, size_t *lenp)
{
	CK_ATTRIBUTE a = { type, NULL, 0 };
	unsigned char *v = NULL;
	CK_RV rv;
	int r = UK_ERR_INTERNAL;

	*valp = NULL;
	*lenp = 0;
	rv = p->fn->C_GetAttributeValue(p->s, h, &a, 1);
	if (rv == CKR_ATTRIBUTE_TYPE_INVALID ||
	    rv == CKR_ATTRIBUTE_SENSITIVE ||
	    a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
		return UK_ERR_NOT_SUPPORTED;
	if (rv != CKR_OK)
		return uk_p11_err("C_GetAttributeValue", rv,
		    UK_ERR_READ_KEY_DEVICE);
	if (a.ulValueLen > UK_P11_MAX_VALUE)
		return UK_ERR_MESSAGE_TOO_LARGE;
	if ((v = calloc(1, a.ulValueLen + 1)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	a.pValue = v;
	if ((rv = p->fn->C_GetAttributeValue(p->s, h, &a, 1)) != CKR_OK) {
		r = uk_p11_err("C_GetAttributeValue", rv,
		    UK_ERR_READ_KEY_DEVICE);
		goto out;
	}
	/* success */
	*lenp = a.ulValueLen;
	*valp = v;
	v = NULL;
	r = 0;
 out:
	free(v);
	return r;
}

int
uk_p11_create_data(const struct uk_p11 *p, const char *app,
    const char *label, const unsigned char *val, size_t len, int priv,
    CK_OBJECT_HANDLE *hp)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE, pv = priv ? CK_TRUE : CK_FALSE;
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &pv, sizeof(pv) },
		{ CKA_MODIFIABLE, &yes, sizeof(yes) },
		{ CKA_APPLICATION, (void *)app, strlen(app) },
		{ CKA_LABEL, (void *)label, strlen(label) },
		{ CKA_VALUE, (void *)val, len },
	};
	CK_RV rv;

	*hp = CK_INVALID_HANDLE;
	uk_fault_write();
	rv = p->fn->C_CreateObject(p->s, tmpl, UK_ARRAY_LEN(tmpl), hp);
	return uk_p11_err("C_CreateObject(data)", rv, UK_ERR_TRANSACTION);
}

int
uk_p11_create_cert(const struct uk_p11 *p, X509 *cert,
    const unsigned char *id, size_t idlen, const char *label,
    CK_OBJECT_HANDLE *hp)
{
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_CERTIFICATE_TYPE ct = CKC_X_509;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	unsigned char *der = NULL, *subj = NULL, *iss = NULL, *ser = NULL;
	int derlen, subjlen, isslen, serlen, r = UK_ERR_INTERNAL;
	CK_RV rv;

	*hp = CK_INVALID_HANDLE;
	if ((derlen = i2d_X509(cert, &der)) <= 0 ||
	    (subjlen = i2d_X509_NAME(X509_get_subject_name(cert),
	    &subj)) <= 0 ||
	    (isslen = i2d_X509_NAME(X509_get_issuer_name(cert), &iss)) <= 0 ||
	    (serlen = i2d_ASN1_INTEGER(X509_get_serialNumber(cert),
	    &ser)) <= 0) {
		r = UK_ERR_CERT_FORMAT;
		goto out;
	}
	{
		CK_ATTRIBUTE tmpl[] = {
			{ CKA_CLASS, &cls, sizeof(cls) },
			{ CKA_CERTIFICATE_TYPE, &ct, sizeof(ct) },
			{ CKA_TOKEN, &yes, sizeof(yes) },
			{ CKA_PRIVATE, &no, sizeof(no) },
			{ CKA_ID, (void *)id, idlen },
			{ CKA_LABEL, (void *)label, strlen(label) },
			{ CKA_SUBJECT, subj, (CK_ULONG)subjlen },
			{ CKA_ISSUER, iss, (CK_ULONG)isslen },
			{ CKA_SERIAL_NUMBER, ser, (CK_ULONG)serlen },
			{ CKA_VALUE, der, (CK_ULONG)derlen },
		};

		uk_fault_write();
		rv = p->fn->C_CreateObject(p->s, tmpl, UK_ARRAY_LEN(tmpl),
		    hp);
		r = uk_p11_err("C_CreateObject(cert)", rv,
		    UK_ERR_TRANSACTION);
	}
 out:
	OPENSSL_free(der);
	OPENSSL_free(subj);
	OPENSSL_free(iss);
	OPENSSL_free(ser);
	return r;
}

int
uk_p11_destroy(const struct uk_p11 *p, CK_OBJECT_HANDLE h)
{
	CK_RV rv;

	uk_fault_write();
	rv = p->fn->C_DestroyObject(p->s, h);
	if (rv == CKR_OBJECT_HANDLE_INVALID)
		return 0;
	return uk_p11_err("C_DestroyObject", rv, UK_ERR_TRANSACTION);
}

int
uk_p11_set_label(const struct uk_p11 *p, CK_OBJECT_HANDLE h,
    const char *label)
{
	CK_ATTRIBUTE a = { CKA_LABEL, (void *)label, strlen(label) };
	CK_RV rv;

	uk_fault_write();
	rv = p->fn->C_SetAttributeValue(p->s, h, &a, 1);
	return uk_p11_err("C_SetAttributeValue(label)", rv,
	    UK_ERR_TRANSACTION);
}

int
uk_p11_has_mechanism(const struct uk_p11 *p, CK_MECHANISM_TYPE m)
{
	CK_SESSION_INFO si;
	CK_MECHANISM_TYPE *list = NULL;
	CK_ULONG n = 0, i;
	int found = 0;

	if (p->fn->C_GetSessionInfo(p->s, &si) != CKR_OK ||
	    p->fn->C_GetMechanismList(si.slotID, NULL, &n) != CKR_OK ||
	    n == 0 || n > 4096 ||
	    (list = calloc(n, sizeof(*list))) == NULL ||
	    p->fn->C_GetMechanismList(si.slotID, list, &n) != CKR_OK)
		goto out;
	for (i = 0; i < n; i++)
		if (list[i] == m)
			found = 1;
 out:
	free(list);
	return found;
}

int
uk_p11_genkey(const struct uk_p11 *p, enum uk_keytype kt,
    const struct uk_sm2_mechs *sm2, const unsigned char *id, size_t idlen,
    const char *label, CK_OBJECT_HANDLE *pubp, CK_OBJECT_HANDLE *privp)
{
	CK_MECHANISM mech = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG bits = 2048;
	CK_BYTE e[] = { 0x01, 0x00, 0x01 };
	CK_ATTRIBUTE pub[8], priv[10];
	CK_ULONG npub = 0, npriv = 0;
	CK_RV rv;

	*pubp = *privp = CK_INVALID_HANDLE;
	pub[npub++] = (CK_ATTRIBUTE){ CKA_TOKEN, &yes, sizeof(yes) };
	pub[npub++] = (CK_ATTRIBUTE){ CKA_PRIVATE, &no, sizeof(no) };
	pub[npub++] = (CK_ATTRIBUTE){ CKA_VERIFY, &yes, sizeof(yes) };
	pub[npub++] = (CK_ATTRIBUTE){ CKA_ID, (void *)id, idlen };
	pub[npub++] = (CK_ATTRIBUTE){ CKA_LABEL, (void *)label,
	    strlen(label) };
	priv[npriv++] = (CK_ATTRIBUTE){ CKA_TOKEN, &yes, sizeof(yes) };
	priv[npriv++] = (CK_ATTRIBUTE){ CKA_PRIVATE, &yes, sizeof(yes) };
	priv[npriv++] = (CK_ATTRIBUTE){ CKA_SENSITIVE, &yes, sizeof(yes) };
	priv[npriv++] = (CK_ATTRIBUTE){ CKA_EXTRACTABLE, &no, sizeof(no) };
	priv[npriv++] = (CK_ATTRIBUTE){ CKA_SIGN, &yes, sizeof(yes) };
	priv[npriv++] = (CK_ATTRIBUTE){ CKA_ID, (void *)id, idlen };
	priv[npriv++] = (CK_ATTRIBUTE){ CKA_LABEL, (void *)label,
	    strlen(label) };
	switch (kt) {
	case UK_KT_RSA3072:
		bits = 3072;
		/* FALLTHROUGH */
	case UK_KT_RSA2048:
		pub[npub++] = (CK_ATTRIBUTE){ CKA_MODULUS_BITS, &bits,
		    sizeof(bits) };
		pub[npub++] = (CK_ATTRIBUTE){ CKA_PUBLIC_EXPONENT, e,
		    sizeof(e) };
		break;
	case UK_KT_EC_P256:
		mech.mechanism = CKM_EC_KEY_PAIR_GEN;
		pub[npub++] = (CK_ATTRIBUTE){ CKA_EC_PARAMS,
		    (void *)oid_p256, sizeof(oid_p256) };
		break;
	case UK_KT_SM2:
		if (sm2 == NULL || sm2->keygen == 0 || sm2->sign == 0 ||
		    !uk_p11_has_mechanism(p, sm2->keygen))
			return UK_ERR_MECHANISM;
		mech.mechanism = sm2->keygen;
		pub[npub++] = (CK_ATTRIBUTE){ CKA_EC_PARAMS,
		    (void *)oid_sm2, sizeof(oid_sm2) };
		break;
	default:
		return UK_ERR_INVALID_PARAM;
	}
	uk_fault_write();
	rv = p->fn->C_GenerateKeyPair(p->s, &mech, pub, npub, priv, npriv,
	    pubp, privp);
	return uk_p11_err("C_GenerateKeyPair", rv, UK_ERR_TRANSACTION);
}

/* The EC point from CKA_EC_POINT: a DER OCTET STRING (per the standard),
 * or the raw point (some modules). */
static int
ec_point_raw(const unsigned char *v, size_t len, const unsigned char **ptp,
    size_t *ptlenp, ASN1_OCTET_STRING **osp)
{
	const unsigned char *q = v;

	*osp = d2i_ASN1_OCTET_STRING(NULL, &q, (long)len);
	if (*osp != NULL && q == v + len) {
		*ptp = ASN1_STRING_get0_data(*osp);
		*ptlenp = (size_t)ASN1_STRING_length(*osp);
		return 0;
	}
	ASN1_OCTET_STRING_free(*osp);
	*osp = NULL;
	if (len == 0 || v[0] != 0x04)
		return UK_ERR_KEY_FORMAT;
	*ptp = v;
	*ptlenp = len;
	return 0;
}

static int
pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld, EVP_PKEY **pkeyp)
{
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int r = UK_ERR_KEY_FORMAT;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (pctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, pkeyp, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto out;
	r = 0;
 out:
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	return r;
}

int
uk_p11_pubkey(const struct uk_p11 *p, CK_OBJECT_HANDLE h, EVP_PKEY **pkeyp)
{
	unsigned char *a = NULL, *b = NULL;
	size_t alen, blen, ptlen;
	const unsigned char *pt;
	ASN1_OCTET_STRING *os = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	BIGNUM *n = NULL, *e = NULL;
	enum uk_keytype kt;
	int r = UK_ERR_INTERNAL;

	*pkeyp = NULL;
	if ((r = uk_p11_keytype(p, h, &kt)) != 0)
		goto out;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	if (kt == UK_KT_RSA2048 || kt == UK_KT_RSA3072) {
		if ((r = uk_p11_attr(p, h, CKA_MODULUS, &a, &alen)) != 0 ||
		    (r = uk_p11_attr(p, h, CKA_PUBLIC_EXPONENT, &b,
		    &blen)) != 0)
			goto out;
		r = UK_ERR_KEY_FORMAT;
		if ((n = BN_bin2bn(a, (int)alen, NULL)) == NULL ||
		    (e = BN_bin2bn(b, (int)blen, NULL)) == NULL ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
			goto out;
		r = pkey_fromdata("RSA", bld, pkeyp);
		goto out;
	}
	if ((r = uk_p11_attr(p, h, CKA_EC_POINT, &a, &alen)) != 0 ||
	    (r = ec_point_raw(a, alen, &pt, &ptlen, &os)) != 0)
		goto out;
	r = UK_ERR_KEY_FORMAT;
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    kt == UK_KT_SM2 ? "SM2" : "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pt, ptlen))
		goto out;
	r = pkey_fromdata(kt == UK_KT_SM2 ? "SM2" : "EC", bld, pkeyp);
 out:
	ASN1_OCTET_STRING_free(os);
	BN_free(n);
	BN_free(e);
	OSSL_PARAM_BLD_free(bld);
	free(a);
	free(b);
	return r;
}

int
uk_p11_keytype(const struct uk_p11 *p, CK_OBJECT_HANDLE h,
    enum uk_keytype *ktp)
{
	unsigned char *v = NULL;
	size_t len;
	CK_KEY_TYPE kt;
	int r;

	*ktp = UK_KT_NONE;
	if ((r = uk_p11_attr(p, h, CKA_KEY_TYPE, &v, &len)) != 0)
		return r;
	if (len != sizeof(kt)) {
		free(v);
		return UK_ERR_KEY_FORMAT;
	}
	memcpy(&kt, v, sizeof(kt));
	free(v);
	v = NULL;
	if (kt == CKK_RSA) {
		if ((r = uk_p11_attr(p, h, CKA_MODULUS, &v, &len)) != 0)
			return r;
		*ktp = len > 256 ? UK_KT_RSA3072 : UK_KT_RSA2048;
	} else if (kt == CKK_EC) {
		if ((r = uk_p11_attr(p, h, CKA_EC_PARAMS, &v, &len)) != 0)
			return r;
		if (len == sizeof(oid_p256) &&
		    memcmp(v, oid_p256, len) == 0)
			*ktp = UK_KT_EC_P256;
		else if (len == sizeof(oid_sm2) &&
		    memcmp(v, oid_sm2, len) == 0)
			*ktp = UK_KT_SM2;
	} else if (kt >= CKK_VENDOR_DEFINED)
		*ktp = UK_KT_SM2;
	free(v);
	return *ktp == UK_KT_NONE ? UK_ERR_MECHANISM : 0;
}

int
uk_p11_sign(const struct uk_p11 *p, CK_OBJECT_HANDLE h, enum uk_keytype kt,
    const struct uk_sm2_mechs *sm2, const unsigned char *msg, size_t len,
    unsigned char **sigp, size_t *siglenp)
{
	CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	unsigned char md[32], *sig = NULL;
	const unsigned char *in = msg;
	CK_ULONG inlen = len, slen = 0;
	CK_RV rv;
	int r = UK_ERR_INTERNAL, ec = 0;

	*sigp = NULL;
	*siglenp = 0;
	if (kt == UK_KT_EC_P256) {
		if (EVP_Digest(msg, len, md, NULL, EVP_sha256(), NULL) != 1)
			return UK_ERR_DIGEST;
		mech.mechanism = CKM_ECDSA;
		in = md;
		inlen = sizeof(md);
		ec = 1;
	} else if (kt == UK_KT_SM2) {
		if (sm2 == NULL || sm2->sign == 0)
			return UK_ERR_MECHANISM;
		mech.mechanism = sm2->sign;
		ec = 1;
	}
	if ((rv = p->fn->C_SignInit(p->s, &mech, h)) != CKR_OK ||
	    (rv = p->fn->C_Sign(p->s, (CK_BYTE_PTR)in, inlen, NULL,
	    &slen)) != CKR_OK) {
		r = uk_p11_err("C_Sign", rv, UK_ERR_SIGN);
		goto out;
	}
	if (slen == 0 || slen > 4096 || (sig = malloc(slen)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	if ((rv = p->fn->C_Sign(p->s, (CK_BYTE_PTR)in, inlen, sig,
	    &slen)) != CKR_OK) {
		r = uk_p11_err("C_Sign", rv, UK_ERR_SIGN);
		goto out;
	}
	if (ec) {
		/* CKM_ECDSA answers r || s (PKCS#11); a vendor SM2
		 * mechanism r || s or DER, as token-key.c's sign path
		 * takes them. */
		r = kt == UK_KT_SM2 ?
		    uk_ecdsa_sig_to_der(sig, slen, sigp, siglenp) :
		    uk_ecdsa_raw_to_der(sig, slen, sigp, siglenp);
		if (r != 0 && r != UK_ERR_ALLOC_FAIL)
			r = UK_ERR_SIGN;
		goto out;
	}
	/* success */
	*sigp = sig;
	*siglenp = slen;
	sig = NULL;
	r = 0;
 out:
	free(sig);
	return r;
}

int
uk_p11_random(const struct uk_p11 *p, unsigned char *buf, size_t len)
{
	CK_RV rv;

	rv = p->fn->C_GenerateRandom(p->s, buf, len);
	return uk_p11_err("C_GenerateRandom", rv, UK_ERR_RANDOM);
}

int
uk_p11_init_pin(const struct uk_p11 *p, const char *so_pin,
    const char *new_pin)
{
	CK_RV rv;
	int r;

	rv = p->fn->C_Login(p->s, CKU_SO, (CK_UTF8CHAR_PTR)so_pin,
	    strlen(so_pin));
	if (rv == CKR_USER_ALREADY_LOGGED_IN ||
	    rv == CKR_USER_ANOTHER_ALREADY_LOGGED_IN) {
		/* A user login is in the way: end it, try once more. */
		(void)p->fn->C_Logout(p->s);
		rv = p->fn->C_Login(p->s, CKU_SO, (CK_UTF8CHAR_PTR)so_pin,
		    strlen(so_pin));
	}
	if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED ||
	    rv == CKR_PIN_LEN_RANGE) {
		uk_debug("C_Login(SO): CKR 0x%lx", (unsigned long)rv);
		return UK_ERR_UNLOCK_INVALID;
	}
	if (rv != CKR_OK)
		return uk_p11_err("C_Login(SO)", rv, UK_ERR_UNLOCK_INVALID);
	uk_fault_write();
	rv = p->fn->C_InitPIN(p->s, (CK_UTF8CHAR_PTR)new_pin,
	    strlen(new_pin));
	r = uk_p11_err("C_InitPIN", rv, UK_ERR_PIN_INVALID);
	(void)p->fn->C_Logout(p->s);
	return r;
}
