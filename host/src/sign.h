/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Signature and crypto helpers that need no token (OpenSSL only): hash
 * names, digests, DigestInfo, signature verification (raw and CMS),
 * PKCS#7 envelopes to a certificate.  The token module builds on these;
 * the SafeEngine layer calls them directly for SEH_Digest,
 * SEH_VerifySignData, SEH_Envelope.
 *
 * All outputs are malloc'd and owned by the caller; inputs are borrowed.
 * Errors: UK_ERR_* (DIGEST, VERIFY_SIGNATURE, CERT_FORMAT, ENVELOPE,
 * INVALID_PARAM, MECHANISM, ALLOC_FAIL).
 */
#ifndef UK_SIGN_H
#define UK_SIGN_H

#include <stddef.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "cms_attach.h"
#include "uk_setup.h"

enum uk_hash {
	UK_HASH_NONE = 0,
	UK_HASH_SHA1,
	UK_HASH_SHA256,
	UK_HASH_SHA384,
	UK_HASH_SHA512,
	UK_HASH_SM3,
};

enum uk_sig_scheme {
	UK_SCHEME_AUTO = 0,	/* pkcs1: RSA, ecdsa: EC, sm2: SM2 keys */
	UK_SCHEME_PKCS1,
	UK_SCHEME_PSS,
	UK_SCHEME_ECDSA,	/* DER ECDSA-Sig-Value */
	UK_SCHEME_ECDSA_RAW,	/* r || s, each the size of the order */
	UK_SCHEME_SM2,		/* DER, like ECDSA (GM/T 0009) */
};

#define UK_HASH_MAX_LEN	64
/* The signer ID of GM/T 0009 when none is agreed. */
#define UK_SM2_DEFAULT_ID	"1234567812345678"

/* 1 when pk is an SM2 key: OpenSSL's SM2 type, or an EC key on the SM2
 * curve. */
int uk_pkey_is_sm2(EVP_PKEY *pk);

/* "sha1", "sha256", "sha384", "sha512", "sm3" → enum; NONE when unknown. */
enum uk_hash uk_hash_parse(const char *name);
const char *uk_hash_name(enum uk_hash h);
/* Digest length in bytes, 0 for NONE. */
size_t uk_hash_len(enum uk_hash h);
/* The OpenSSL digest (fetched once); NULL when OpenSSL lacks it. */
const EVP_MD *uk_hash_md(enum uk_hash h);
/* "pkcs1", "pss", "ecdsa", "ecdsa-raw", "sm2" → enum; -1 when unknown. */
int uk_scheme_parse(const char *name);

/* Digest of data into md (UK_HASH_MAX_LEN bytes); *mdlenp its length. */
int uk_digest(enum uk_hash h, const unsigned char *data, size_t len,
    unsigned char *md, size_t *mdlenp) UK_WUR;

/* DER DigestInfo for a digest (PKCS#1 v1.5).  *outp malloc'd. */
int uk_digest_info(enum uk_hash h, const unsigned char *md, size_t mdlen,
    unsigned char **outp, size_t *outlenp) UK_WUR;

/* r||s (2*n bytes) ↔ DER ECDSA-Sig-Value.  *outp malloc'd. */
int uk_ecdsa_raw_to_der(const unsigned char *raw, size_t len,
    unsigned char **outp, size_t *outlenp) UK_WUR;
int uk_ecdsa_der_to_raw(const unsigned char *der, size_t len,
    size_t order_len, unsigned char **outp, size_t *outlenp) UK_WUR;

/*
 * Vendor EC/SM2 mechanisms answer r||s or DER (their _DER variants).
 * uk_ecdsa_sig_is_der: 1 when sig is exactly one canonical DER
 * ECDSA-Sig-Value (nothing trailing, re-encoding gives the same bytes);
 * an r||s that is also that has a probability below 2^-30.
 * uk_ecdsa_sig_to_der: either form → DER, *outp malloc'd; INVALID_PARAM
 * when sig is neither.
 */
int uk_ecdsa_sig_is_der(const unsigned char *sig, size_t len);
int uk_ecdsa_sig_to_der(const unsigned char *sig, size_t len,
    unsigned char **outp, size_t *outlenp) UK_WUR;

/* Parses a DER certificate (a base64 caller decodes first).  CERT_FORMAT
 * when it is not one.  *certp: new X509. */
int uk_cert_from_der(const unsigned char *der, size_t len,
    X509 **certp) UK_WUR;

/*
 * Verifies sig over data (or over a digest when is_digest) with the
 * certificate's public key.  scheme AUTO picks by key type; ECDSA and SM2
 * accept DER and r||s.  SM2 keys need hash SM3: over data, e = SM3(Z ‖ M)
 * with UK_SM2_DEFAULT_ID; a digest must already be that e.  0 when valid,
 * VERIFY_SIGNATURE when not, MECHANISM for a scheme the key cannot do.
 */
int uk_verify(X509 *cert, const unsigned char *data, size_t len,
    int is_digest, enum uk_hash h, enum uk_sig_scheme scheme,
    const unsigned char *sig, size_t siglen) UK_WUR;

/*
 * Verifies a CMS/PKCS#7 SignedData (DER).  data/len: the content for a
 * detached signature (NULL for attached).  The signer's signature only
 * (no chain: cert.verify does that).  On success *contentp (may be NULL)
 * gets the signed content (malloc'd) and *signerp (may be NULL) the
 * signer certificate.
 */
int uk_verify_cms(const unsigned char *cms, size_t cmslen,
    const unsigned char *data, size_t len, unsigned char **contentp,
    size_t *contentlenp, X509 **signerp) UK_WUR;

/* GM/T 0009 verification of an SM2 signature (DER) over data:
 * e = SM3(Z(default ID, key) ‖ M).  0 or VERIFY_SIGNATURE/ALLOC_FAIL. */
int uk_verify_sm2(EVP_PKEY *pk, const unsigned char *data, size_t len,
    const unsigned char *sig, size_t siglen) UK_WUR;

/* SM2 in CMS (sign-sm2.c).  uk_cms_attrs_der: the DER SET OF (0x31) of
 * si's signed attributes, what the signature covers; *derp
 * OPENSSL_malloc'd; INVALID_PARAM when si has none.  uk_cms_is_sm2: 1
 * when a SignerInfo's signature algorithm is SM2.  uk_verify_cms_sm2:
 * uk_verify_cms's work for those (OpenSSL 3.0 uses an empty SM2 ID);
 * the content goes to out. */
int uk_cms_attrs_der(CMS_SignerInfo *si, unsigned char **derp,
    size_t *lenp) UK_WUR;
int uk_cms_is_sm2(CMS_ContentInfo *cms);
int uk_verify_cms_sm2(CMS_ContentInfo *cms, BIO *dcont, BIO *out) UK_WUR;

/* PKCS#7/CMS EnvelopedData (DER) of data for cert: AES-256-CBC with RSA
 * key transport, or ECDH for EC certificates (OpenSSL's CMS); for SM2
 * certificates SM4-CBC with SM2 key transport (uk_envelope_sm2).
 * *outp malloc'd. */
int uk_envelope(X509 *cert, const unsigned char *data, size_t len,
    unsigned char **outp, size_t *outlenp) UK_WUR;

/*
 * SM2 envelopes (envelope-sm2.c; host/doc/token.md, "SM2 envelopes"):
 * PKCS#7 EnvelopedData, one KeyTransRecipientInfo (issuer and serial of
 * cert, SM2 encryption 1.2.156.10197.1.301.3 of a fresh SM4 key, GM/T
 * 0009 DER), content SM4-CBC (IV in the parameters, PKCS#7 padding).
 * cert's key must be SM2 (uk_pkey_is_sm2).  *outp malloc'd.  Errors:
 * ENVELOPE, RANDOM, MESSAGE_TOO_LARGE, ALLOC_FAIL.
 */
int uk_envelope_sm2(X509 *cert, const unsigned char *data, size_t len,
    unsigned char **outp, size_t *outlenp) UK_WUR;

/*
 * Opening an SM2 envelope, in steps, so that the key transport can run
 * on a token (token-sm2.c).  Errors are ENVELOPE (ALLOC_FAIL, MECHANISM
 * when OpenSSL lacks SM4) with a detail in why (whylen bytes; may be
 * NULL), never a secret.
 * uk_sm2_env_parse: *p7p (PKCS7_free) from DER or BER, exactly len bytes,
 *   an EnvelopedData.
 * uk_sm2_env_key: the encryptedKey of cert's recipient (issuer and
 *   serial; SM2 key transport: 1.2.156.10197.1.301.3, .301 or GmSSL's
 *   .301.2, parameters absent or NULL); *ekp points into p7.
 * uk_sm2_env_content: SM4-CBC decryption with the recovered key, which
 *   must be 16 bytes; the padding is checked strictly.  *outp malloc'd,
 *   the caller wipes it (uk_freezero).
 * uk_sm2_cipher_raw: GM/T 0009 DER SM2Cipher → C1 ‖ C3 ‖ C2 with C1 =
 *   04 ‖ x ‖ y (32-byte coordinates), for vendor mechanisms that take the
 *   raw form.  *rawp malloc'd.
 */
int uk_sm2_env_parse(const unsigned char *der, size_t len, PKCS7 **p7p,
    char *why, size_t whylen) UK_WUR;
int uk_sm2_env_key(PKCS7 *p7, X509 *cert, const unsigned char **ekp,
    size_t *eklenp, char *why, size_t whylen) UK_WUR;
int uk_sm2_env_content(PKCS7 *p7, const unsigned char *key, size_t keylen,
    unsigned char **outp, size_t *outlenp, char *why, size_t whylen) UK_WUR;
int uk_sm2_cipher_raw(const unsigned char *der, size_t len,
    unsigned char **rawp, size_t *rawlenp) UK_WUR;

/*
 * CMS SignedData (DER) of data with an existing private key (token or
 * software): signingTime, contentType and messageDigest signed, the signer
 * certificate included.  The attached form points at data instead of
 * copying it (cms_attach.h): data must outlive *parts.  Caller frees
 * parts->buf.
 */
int uk_cms_sign_parts(EVP_PKEY *pkey, X509 *cert, const unsigned char *data,
    size_t len, int detached, enum uk_hash h, struct uk_cms_parts *parts)
    UK_WUR;

/* The same as one malloc'd DER buffer. */
int uk_cms_sign(EVP_PKEY *pkey, X509 *cert, const unsigned char *data,
    size_t len, int detached, enum uk_hash h, unsigned char **outp,
    size_t *outlenp) UK_WUR;

#endif /* UK_SIGN_H */
