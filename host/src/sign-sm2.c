/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * SM2 in CMS/PKCS#7 SignedData without a token (sign.h): the DER of a
 * SignerInfo's signed attributes, and verification.
 *
 * OpenSSL 3.0's CMS_verify computes the SM2 Z value with an empty signer
 * ID, so a signature made with the GM/T 0009 default ID (every Chinese
 * token, and the host's own sign.cms) fails there.  For SM2 signers
 * CMS_verify checks only the content against messageDigest
 * (CMS_NO_ATTR_VERIFY) and the signature over the signed attributes is
 * verified here with UK_SM2_DEFAULT_ID.
 */
#include "uk_setup.h"

#include <sys/types.h>

#include <string.h>

#include <openssl/asn1.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "err.h"
#include "log.h"
#include "sign.h"

int
uk_cms_attrs_der(CMS_SignerInfo *si, unsigned char **derp, size_t *lenp)
{
	STACK_OF(X509_ATTRIBUTE) *sk;
	unsigned char *der = NULL;
	int i, n;

	*derp = NULL;
	*lenp = 0;
	if (CMS_signed_get_attr_count(si) <= 0)
		return UK_ERR_INVALID_PARAM;
	if ((sk = sk_X509_ATTRIBUTE_new_null()) == NULL)
		return UK_ERR_ALLOC_FAIL;
	for (i = 0; i < CMS_signed_get_attr_count(si); i++)
		if (sk_X509_ATTRIBUTE_push(sk, CMS_signed_get_attr(si,
		    i)) <= 0) {
			sk_X509_ATTRIBUTE_free(sk);	/* borrowed items */
			return UK_ERR_ALLOC_FAIL;
		}
	/* SET OF (0x31), DER-sorted: PKCS7_ATTR_SIGN is that item. */
	n = ASN1_item_i2d((ASN1_VALUE *)sk, &der,
	    ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));
	sk_X509_ATTRIBUTE_free(sk);
	if (n <= 0)
		return UK_ERR_ALLOC_FAIL;
	*derp = der;
	*lenp = (size_t)n;
	return 0;
}

/* 1 when si's signature algorithm is SM2 (SM2-with-SM3, sm2, or
 * GM/T 0006's sm2-1 signature 1.2.156.10197.1.301.1). */
static int
si_is_sm2(CMS_SignerInfo *si)
{
	X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *oid = NULL;
	char txt[64];
	int nid;

	CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &alg);
	if (alg == NULL)
		return 0;
	X509_ALGOR_get0(&oid, NULL, NULL, alg);
	if ((nid = OBJ_obj2nid(oid)) == NID_SM2_with_SM3 || nid == NID_sm2)
		return 1;
	return OBJ_obj2txt(txt, sizeof(txt), oid, 1) > 0 &&
	    strcmp(txt, "1.2.156.10197.1.301.1") == 0;
}

int
uk_cms_is_sm2(CMS_ContentInfo *cms)
{
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	int i;

	for (i = 0; i < sk_CMS_SignerInfo_num(sis); i++)
		if (si_is_sm2(sk_CMS_SignerInfo_value(sis, i)))
			return 1;
	return 0;
}

/* SM2/SM3 with the default ID over the signed attributes of si. */
static int
verify_si(CMS_SignerInfo *si)
{
	EVP_PKEY *pk = NULL;
	ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
	unsigned char *der = NULL;
	size_t derlen = 0;
	int r;

	CMS_SignerInfo_get0_algs(si, &pk, NULL, NULL, NULL);
	/* SM2 signs the attributes: a SignerInfo without them is not
	 * accepted (nothing we know produces one). */
	if (pk == NULL || !uk_pkey_is_sm2(pk) || sig == NULL)
		return UK_ERR_VERIFY_SIGNATURE;
	if ((r = uk_cms_attrs_der(si, &der, &derlen)) != 0)
		return r == UK_ERR_INVALID_PARAM ? UK_ERR_VERIFY_SIGNATURE : r;
	r = uk_verify_sm2(pk, der, derlen, ASN1_STRING_get0_data(sig),
	    (size_t)ASN1_STRING_length(sig));
	OPENSSL_free(der);
	return r;
}

int
uk_verify_cms_sm2(CMS_ContentInfo *cms, BIO *dcont, BIO *out)
{
	STACK_OF(CMS_SignerInfo) *sis;
	int i, r;

	ERR_clear_error();
	/* Content against messageDigest, signer certificates attached to
	 * the SignerInfos; the signatures are ours to check. */
	if (CMS_verify(cms, NULL, NULL, dcont, out,
	    CMS_NO_SIGNER_CERT_VERIFY | CMS_NO_ATTR_VERIFY | CMS_BINARY) !=
	    1) {
		uk_debug("CMS_verify (SM2 content): %s",
		    ERR_reason_error_string(ERR_peek_last_error()));
		return UK_ERR_VERIFY_SIGNATURE;
	}
	sis = CMS_get0_SignerInfos(cms);
	for (i = 0; i < sk_CMS_SignerInfo_num(sis); i++)
		if ((r = verify_si(sk_CMS_SignerInfo_value(sis, i))) != 0)
			return r;
	return 0;
}
