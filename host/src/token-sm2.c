/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * CMS/PKCS#7 with an SM2 token key: SignedData (token.h,
 * uk_token_sign_cms) and the opening of EnvelopedData
 * (uk_token_decrypt_cms); choices explained in host/doc/token.md, "SM2"
 * and "SM2 envelopes".
 *
 * OpenSSL 3.0 cannot sign CMS with SM2 at all (CMS_sign leaves the
 * SignerInfo's signatureAlgorithm empty and the encoding fails), and an
 * SM2 key cannot be wrapped in a token-backed EVP_PKEY the way RSA and
 * ECDSA keys are (SM2 lives in a provider; Z is computed there, while the
 * token's vendor mechanism wants the message and computes Z itself).  So
 * OpenSSL only lays out the structure (CMS_PARTIAL, the certificate's
 * public key), and the SignerInfo is finished here: signed attributes
 * contentType, signingTime, messageDigest = SM3(content); the token's
 * vendor mechanism signs the DER SET OF those attributes; signature and
 * signatureAlgorithm (SM2-with-SM3) are set by hand.
 *
 * Envelopes: OpenSSL's CMS knows no SM2 key transport either.  The token
 * decrypts the recipient's encryptedKey with the vendor mechanism
 * pkcs11.sm2DecryptMechanism (GM/T 0009 DER in, or C1 ‖ C3 ‖ C2 for
 * CKM_SM2_RAW), and the content is decrypted in software
 * (envelope-sm2.c).
 */
#include "uk_setup.h"

#include <sys/types.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "err.h"
#include "host.h"
#include "log.h"
#include "sign.h"
#include "token-int.h"
#include "token.h"
#include "wipe.h"

/* Room for the content key the token returns: 16 bytes are expected,
 * anything up to this is read and refused by its length. */
#define TK_SM2_KEY_MAX	64
#define TK_SM2_OVERHEAD	(1 + 64 + 32)	/* C1 = 04 ‖ x ‖ y, C3 = SM3 */

/* contentType, signingTime, messageDigest = SM3(data). */
static int
add_attrs(CMS_SignerInfo *si, const unsigned char *data, size_t len)
{
	unsigned char md[UK_HASH_MAX_LEN];
	size_t mdlen = 0;
	ASN1_TIME *now = NULL;
	int r;

	if ((r = uk_digest(UK_HASH_SM3, data, len, md, &mdlen)) != 0)
		return r;
	r = UK_ERR_SIGN;
	if ((now = X509_gmtime_adj(NULL, 0)) == NULL ||
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType,
	    V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1) != 1 ||
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime,
	    now->type, now, -1) != 1 ||
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest,
	    V_ASN1_OCTET_STRING, md, (int)mdlen) != 1)
		goto out;
	/* success */
	r = 0;
 out:
	ASN1_TIME_free(now);
	return r;
}

/* The content, for the attached form (a copy: the lead's splice will
 * replace this for big documents). */
static int
set_content(CMS_ContentInfo *cms, const unsigned char *data, size_t len)
{
	ASN1_OCTET_STRING **pos = CMS_get0_content(cms);

	if (pos == NULL)
		return UK_ERR_SIGN;
	if (*pos == NULL && (*pos = ASN1_OCTET_STRING_new()) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (len > INT_MAX ||
	    ASN1_OCTET_STRING_set(*pos, data, (int)len) != 1)
		return UK_ERR_ALLOC_FAIL;
	/* CMS_set_detached(cms, 0) marked it "to be streamed". */
	(*pos)->flags &= ~ASN1_STRING_FLAG_CONT;
	return 0;
}

/* Signs the attributes on the token and puts signature + algorithm in. */
static int
sign_attrs(struct uk_ctx *ctx, const char *token, const char *idhex,
    CMS_SignerInfo *si)
{
	struct uk_sign_req req;
	X509_ALGOR *alg = NULL;
	unsigned char *der = NULL, *sig = NULL;
	size_t derlen = 0, siglen = 0;
	int r;

	if ((r = uk_cms_attrs_der(si, &der, &derlen)) != 0)
		return r;
	memset(&req, 0, sizeof(req));
	req.token = token;
	req.cert_id = idhex;
	req.data = der;
	req.len = derlen;
	req.hash = UK_HASH_SM3;
	req.scheme = UK_SCHEME_SM2;
	if ((r = uk_token_sign(ctx, &req, &sig, &siglen)) != 0)
		goto out;
	r = UK_ERR_SIGN;
	CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &alg);
	if (alg == NULL || X509_ALGOR_set0(alg, OBJ_nid2obj(NID_SM2_with_SM3),
	    V_ASN1_UNDEF, NULL) != 1 ||
	    ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig,
	    (int)siglen) != 1)
		goto out;
	/* success */
	r = 0;
 out:
	OPENSSL_free(der);
	free(sig);
	return r;
}

int
tk_sign_cms_sm2(struct uk_ctx *ctx, const char *token, const char *idhex,
    X509 *cert, const unsigned char *data, size_t len, int detached,
    unsigned char **cmsp, size_t *cmslenp)
{
	unsigned flags = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	unsigned char *out = NULL, *p;
	int n, r = UK_ERR_SIGN;

	*cmsp = NULL;
	*cmslenp = 0;
	ERR_clear_error();
	if ((cms = CMS_sign(NULL, NULL, NULL, NULL, flags |
	    (detached ? CMS_DETACHED : 0))) == NULL ||
	    (si = CMS_add1_signer(cms, cert, X509_get0_pubkey(cert),
	    uk_hash_md(UK_HASH_SM3), flags)) == NULL) {
		uk_debug("CMS_add1_signer: %s",
		    ERR_reason_error_string(ERR_peek_last_error()));
		goto out;
	}
	if ((r = add_attrs(si, data, len)) != 0 ||
	    (!detached && (r = set_content(cms, data, len)) != 0) ||
	    (r = sign_attrs(ctx, token, idhex, si)) != 0)
		goto out;
	r = UK_ERR_SIGN;
	if ((n = i2d_CMS_ContentInfo(cms, NULL)) <= 0 ||
	    (out = malloc((size_t)n)) == NULL)
		goto out;
	p = out;
	if (i2d_CMS_ContentInfo(cms, &p) != n)
		goto out;
	/* success */
	*cmsp = out;
	*cmslenp = (size_t)n;
	out = NULL;
	r = 0;
 out:
	free(out);
	CMS_ContentInfo_free(cms);
	return r;
}

int
tk_decrypt_env_sm2(struct uk_ctx *ctx, const char *token, const char *idhex,
    X509 *cert, const unsigned char *der, size_t len, unsigned char **outp,
    size_t *outlenp, char *why, size_t whylen)
{
	struct uk_token_state *st;
	struct tk_token *t;
	struct tk_key *k;
	CK_MECHANISM mech = { 0, NULL, 0 };
	PKCS7 *p7 = NULL;
	const unsigned char *ek;
	unsigned char key[TK_SM2_KEY_MAX], *raw = NULL;
	size_t eklen, keylen = sizeof(key), rawlen = 0;
	int r;

	*outp = NULL;
	*outlenp = 0;
	/* The key and a login first, as for RSA: NOT_LOGGED_IN comes
	 * before anything about the envelope. */
	if ((r = tk_resolve_key(ctx, token, idhex, &t, &k)) != 0)
		return r;
	st = ctx->token;
	if (st->sm2_dec_mech == 0 || !k->sm2) {
		snprintf(why, whylen, "%s", !k->sm2 ? "the token key is not "
		    "an SM2 key" : "SM2 decryption is turned off "
		    "(pkcs11.sm2DecryptMechanism 0)");
		return UK_ERR_MECHANISM;
	}
	if ((r = uk_sm2_env_parse(der, len, &p7, why, whylen)) != 0 ||
	    (r = uk_sm2_env_key(p7, cert, &ek, &eklen, why, whylen)) != 0)
		goto out;
	/* The raw form is also the check of the DER: a content key is 16
	 * bytes, so a C2 beyond the buffer is refused here. */
	if ((r = uk_sm2_cipher_raw(ek, eklen, &raw, &rawlen)) != 0 ||
	    rawlen > TK_SM2_OVERHEAD + TK_SM2_KEY_MAX) {
		if (r != UK_ERR_ALLOC_FAIL) {
			snprintf(why, whylen, "the encrypted key is not a GM/T "
			    "0009 SM2 ciphertext of a content key");
			r = UK_ERR_ENVELOPE;
		}
		goto out;
	}
	mech.mechanism = st->sm2_dec_mech;
	if (st->sm2_dec_mech == TK_CKM_SM2_RAW)
		r = tk_key_decrypt(st, t, k, &mech, raw, rawlen, key, &keylen);
	else
		r = tk_key_decrypt(st, t, k, &mech, ek, eklen, key, &keylen);
	if (r != 0) {
		if (r == UK_ERR_MECHANISM)
			snprintf(why, whylen, "the token refused SM2 "
			    "decryption with mechanism 0x%lx "
			    "(pkcs11.sm2DecryptMechanism)",
			    (unsigned long)st->sm2_dec_mech);
		else if (r == UK_ERR_ASYMMETRIC) {
			/* as OpenSSL's CMS reports an RSA key that does not
			 * decrypt: the envelope is not for this key */
			snprintf(why, whylen, "the token could not decrypt the "
			    "content key (altered, or for another key)");
			r = UK_ERR_ENVELOPE;
		}
		goto out;
	}
	r = uk_sm2_env_content(p7, key, keylen, outp, outlenp, why, whylen);
 out:
	uk_wipe(key, sizeof(key));
	free(raw);
	PKCS7_free(p7);
	return r;
}
