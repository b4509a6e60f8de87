/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * PKCS#7 EnvelopedData for SM2 certificates, without a token (sign.h;
 * the choices are explained in host/doc/token.md, "SM2 envelopes").
 *
 * OpenSSL 3.0's CMS has no SM2 key transport: for an EC/SM2 key it
 * picks ECDH key agreement, which SM2 tokens do not offer.  So the
 * structure is filled by hand in OpenSSL's PKCS7 types and encoded by
 * i2d_PKCS7, which writes DER by construction (definite, minimal
 * lengths; the SET OF sorted) with no length arithmetic of ours to get
 * wrong, and d2i_PKCS7 reads it back:
 *
 *   ContentInfo { envelopedData 1.2.840.113549.1.7.3, [0] EnvelopedData {
 *     version 0,
 *     recipientInfos SET OF { KeyTransRecipientInfo {
 *       version 0, issuerAndSerialNumber of the certificate,
 *       keyEncryptionAlgorithm SM2 encryption 1.2.156.10197.1.301.3,
 *         parameters absent,
 *       encryptedKey: the SM4 key encrypted with SM2 (SM3), GM/T 0009
 *         DER SM2Cipher } },
 *     encryptedContentInfo { data 1.2.840.113549.1.7.1,
 *       SM4-CBC 1.2.156.10197.1.104.2, parameters the IV (OCTET STRING),
 *       [0] IMPLICIT the ciphertext, PKCS#7 padding } } }
 *
 * Sealing needs only the certificate.  Opening is split so that the key
 * transport can run on a token (token-sm2.c): parse, pick the encrypted
 * key of a recipient, and decrypt the content with the 16-byte key the
 * token recovered.  Every key and plaintext buffer is wiped.
 */
#include "uk_setup.h"

#include <sys/types.h>

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/asn1t.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "err.h"
#include "log.h"
#include "sign.h"
#include "wipe.h"

#define SM4_KEY_LEN	16
#define SM4_BLOCK	16
#define SM2_COORD	32	/* bytes of a coordinate and of C3 (SM3) */
/* GM/T 0006 sm2-3, SM2 public-key encryption (OpenSSL 3.0 has no NID) */
#define OID_SM2_ENCRYPT	"1.2.156.10197.1.301.3"
/* sm2encrypt as GmSSL 3 writes it (GM/T 0006 names this arc sm2-2, key
 * exchange): accepted when opening, never written */
#define OID_SM2_ENCRYPT_GMSSL	"1.2.156.10197.1.301.2"

/* GM/T 0009 SM2Cipher: SEQUENCE { x, y INTEGER, C3 (SM3 hash) OCTET
 * STRING, C2 (ciphertext) OCTET STRING } */
typedef struct {
	ASN1_INTEGER *x, *y;
	ASN1_OCTET_STRING *c3, *c2;
} UK_SM2_CIPHER;

ASN1_SEQUENCE(UK_SM2_CIPHER) = {
	ASN1_SIMPLE(UK_SM2_CIPHER, x, ASN1_INTEGER),
	ASN1_SIMPLE(UK_SM2_CIPHER, y, ASN1_INTEGER),
	ASN1_SIMPLE(UK_SM2_CIPHER, c3, ASN1_OCTET_STRING),
	ASN1_SIMPLE(UK_SM2_CIPHER, c2, ASN1_OCTET_STRING),
} static_ASN1_SEQUENCE_END(UK_SM2_CIPHER)

static void
setwhy(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A detail for the caller's error (why may be NULL). */
static void
setwhy(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/*
 * pk as a key that OpenSSL's SM2 encryption takes (*outp: a new
 * reference).  An SM2 key is used as it is; an EC key on the SM2 curve
 * (how some paths of OpenSSL 3 report SM2 certificates) would do ECDSA
 * arithmetic only, so it is rebuilt as an SM2 key from its public point.
 */
static int
sm2_key(EVP_PKEY *pk, EVP_PKEY **outp)
{
	unsigned char pt[160];
	size_t ptlen = 0;
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = NULL;
	int r = UK_ERR_ENVELOPE;

	*outp = NULL;
	if (EVP_PKEY_is_a(pk, "SM2")) {
		if (EVP_PKEY_up_ref(pk) != 1)
			return UK_ERR_ALLOC_FAIL;
		*outp = pk;
		return 0;
	}
	if (EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pt,
	    sizeof(pt), &ptlen) != 1)
		return UK_ERR_CERT_FORMAT;
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, (char *)"SM2", 0);
	params[1] = OSSL_PARAM_construct_octet_string(
	    OSSL_PKEY_PARAM_PUB_KEY, pt, ptlen);
	params[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, outp, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		uk_debug("SM2 key from an EC key: %s",
		    ERR_reason_error_string(ERR_peek_last_error()));
		goto out;
	}
	/* success */
	r = 0;
 out:
	EVP_PKEY_CTX_free(ctx);
	return r;
}

/* The SM4 key encrypted to pk (GM/T 0009 DER, what OpenSSL's SM2
 * encryption writes) into ek. */
static int
seal_key(EVP_PKEY *pk, const unsigned char *key, ASN1_OCTET_STRING *ek)
{
	EVP_PKEY *sm2 = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	unsigned char *out = NULL;
	size_t outlen = 0;
	int r;

	if ((r = sm2_key(pk, &sm2)) != 0)
		return r;
	r = UK_ERR_ENVELOPE;
	if ((ctx = EVP_PKEY_CTX_new(sm2, NULL)) == NULL ||
	    EVP_PKEY_encrypt_init(ctx) != 1 ||
	    EVP_PKEY_encrypt(ctx, NULL, &outlen, key, SM4_KEY_LEN) != 1 ||
	    (out = OPENSSL_malloc(outlen)) == NULL ||
	    EVP_PKEY_encrypt(ctx, out, &outlen, key, SM4_KEY_LEN) != 1) {
		uk_debug("SM2 encryption: %s",
		    ERR_reason_error_string(ERR_peek_last_error()));
		goto out;
	}
	if (ASN1_OCTET_STRING_set(ek, out, (int)outlen) != 1) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	/* success */
	r = 0;
 out:
	OPENSSL_free(out);	/* ciphertext: nothing secret */
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(sm2);
	return r;
}

/*
 * SM4-CBC of in into out (room for inlen + SM4_BLOCK bytes).  Sealing
 * pads (PKCS#7); opening does not: the caller checks the padding itself.
 */
static int
sm4_cbc(int enc, const unsigned char *key, const unsigned char *iv,
    const unsigned char *in, size_t inlen, unsigned char *out,
    size_t *outlenp)
{
	EVP_CIPHER_CTX *c = NULL;
	const EVP_CIPHER *sm4 = EVP_sm4_cbc();
	int n = 0, m = 0, r = UK_ERR_ENVELOPE;

	*outlenp = 0;
	if (sm4 == NULL)
		return UK_ERR_MECHANISM;	/* OpenSSL built without SM4 */
	if (inlen > INT_MAX - SM4_BLOCK)
		return UK_ERR_MESSAGE_TOO_LARGE;
	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (EVP_CipherInit_ex(c, sm4, NULL, key, iv, enc) != 1 ||
	    EVP_CIPHER_CTX_set_padding(c, enc) != 1 ||
	    EVP_CipherUpdate(c, out, &n, in, (int)inlen) != 1 ||
	    EVP_CipherFinal_ex(c, out + n, &m) != 1)
		goto out;
	/* success */
	*outlenp = (size_t)n + (size_t)m;
	r = 0;
 out:
	EVP_CIPHER_CTX_free(c);		/* cleanses the key schedule */
	return r;
}

/* A KeyTransRecipientInfo for cert whose encryptedKey is *ekp (owned by
 * the PKCS7). */
static int
add_recipient(PKCS7 *p7, X509 *cert, ASN1_OCTET_STRING **ekp)
{
	PKCS7_RECIP_INFO *ri;
	ASN1_INTEGER *serial = NULL;
	ASN1_OBJECT *oid = NULL;

	if ((ri = PKCS7_RECIP_INFO_new()) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (ASN1_INTEGER_set(ri->version, 0) != 1 ||
	    X509_NAME_set(&ri->issuer_and_serial->issuer,
	    X509_get_issuer_name(cert)) != 1 ||
	    (serial = ASN1_INTEGER_dup(X509_get0_serialNumber(cert))) ==
	    NULL || (oid = OBJ_txt2obj(OID_SM2_ENCRYPT, 1)) == NULL)
		goto fail;
	ASN1_INTEGER_free(ri->issuer_and_serial->serial);
	ri->issuer_and_serial->serial = serial;
	serial = NULL;
	/* No parameters: GM/T 0010 defines none for SM2 encryption, and
	 * GmSSL writes none (some of its versions refuse any, even NULL). */
	if (X509_ALGOR_set0(ri->key_enc_algor, oid, V_ASN1_UNDEF, NULL) != 1)
		goto fail;
	oid = NULL;
	if (PKCS7_add_recipient_info(p7, ri) != 1)
		goto fail;
	*ekp = ri->enc_key;
	return 0;
 fail:
	ASN1_OBJECT_free(oid);
	ASN1_INTEGER_free(serial);
	PKCS7_RECIP_INFO_free(ri);
	return UK_ERR_ALLOC_FAIL;
}

/* The encryptedContentInfo: SM4-CBC with iv, content ct (taken). */
static int
set_content(PKCS7 *p7, const unsigned char *iv, unsigned char *ct,
    size_t ctlen)
{
	PKCS7_ENC_CONTENT *ec = p7->d.enveloped->enc_data;
	ASN1_OCTET_STRING *ivos = NULL;

	if ((ivos = ASN1_OCTET_STRING_new()) == NULL ||
	    ASN1_OCTET_STRING_set(ivos, iv, SM4_BLOCK) != 1 ||
	    X509_ALGOR_set0(ec->algorithm, OBJ_nid2obj(NID_sm4_cbc),
	    V_ASN1_OCTET_STRING, ivos) != 1) {
		ASN1_OCTET_STRING_free(ivos);
		OPENSSL_free(ct);
		return UK_ERR_ALLOC_FAIL;
	}
	if ((ec->enc_data = ASN1_OCTET_STRING_new()) == NULL) {
		OPENSSL_free(ct);
		return UK_ERR_ALLOC_FAIL;
	}
	ASN1_STRING_set0(ec->enc_data, ct, (int)ctlen);
	return 0;
}

int
uk_envelope_sm2(X509 *cert, const unsigned char *data, size_t len,
    unsigned char **outp, size_t *outlenp)
{
	unsigned char key[SM4_KEY_LEN], iv[SM4_BLOCK], *ct = NULL, *p;
	ASN1_OCTET_STRING *ek = NULL;
	PKCS7 *p7 = NULL;
	size_t ctlen = 0;
	int n, r;

	*outp = NULL;
	*outlenp = 0;
	if (len > INT_MAX / 2)
		return UK_ERR_MESSAGE_TOO_LARGE;
	ERR_clear_error();
	if (RAND_priv_bytes(key, sizeof(key)) != 1 ||
	    RAND_bytes(iv, sizeof(iv)) != 1) {
		r = UK_ERR_RANDOM;
		goto out;
	}
	r = UK_ERR_ALLOC_FAIL;
	if ((p7 = PKCS7_new()) == NULL ||
	    PKCS7_set_type(p7, NID_pkcs7_enveloped) != 1 ||
	    (ct = OPENSSL_malloc(len + SM4_BLOCK)) == NULL)
		goto out;
	if ((r = add_recipient(p7, cert, &ek)) != 0 ||
	    (r = seal_key(X509_get0_pubkey(cert), key, ek)) != 0 ||
	    (r = sm4_cbc(1, key, iv, data, len, ct, &ctlen)) != 0)
		goto out;
	r = set_content(p7, iv, ct, ctlen);
	ct = NULL;	/* taken */
	if (r != 0)
		goto out;
	r = UK_ERR_ENVELOPE;
	if ((n = i2d_PKCS7(p7, NULL)) <= 0)
		goto out;
	if ((*outp = malloc((size_t)n)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	p = *outp;
	if (i2d_PKCS7(p7, &p) != n) {
		free(*outp);
		*outp = NULL;
		goto out;
	}
	/* success */
	*outlenp = (size_t)n;
	r = 0;
 out:
	uk_wipe(key, sizeof(key));
	OPENSSL_free(ct);
	PKCS7_free(p7);
	return r;
}

int
uk_sm2_env_parse(const unsigned char *der, size_t len, PKCS7 **p7p,
    char *why, size_t whylen)
{
	const unsigned char *p = der;
	PKCS7 *p7;

	*p7p = NULL;
	if (len == 0 || len > LONG_MAX) {
		setwhy(why, whylen, "not a PKCS#7 EnvelopedData");
		return UK_ERR_ENVELOPE;
	}
	/* d2i_PKCS7 takes BER as well (streaming producers); nothing may
	 * follow the structure. */
	ERR_clear_error();
	if ((p7 = d2i_PKCS7(NULL, &p, (long)len)) == NULL ||
	    p != der + len) {
		PKCS7_free(p7);
		setwhy(why, whylen, "not a PKCS#7 EnvelopedData (truncated, "
		    "trailing data, or another structure)");
		return UK_ERR_ENVELOPE;
	}
	if (!PKCS7_type_is_enveloped(p7) || p7->d.enveloped == NULL ||
	    p7->d.enveloped->enc_data == NULL) {
		PKCS7_free(p7);
		setwhy(why, whylen, "a PKCS#7 structure, but not an "
		    "EnvelopedData");
		return UK_ERR_ENVELOPE;
	}
	*p7p = p7;
	return 0;
}

/* 1 when alg is SM2 key transport: sm2-3 (what we write), the SM2 OID
 * itself, or GmSSL's sm2encrypt; parameters absent or NULL. */
static int
is_sm2_transport(const X509_ALGOR *alg)
{
	const ASN1_OBJECT *oid;
	const void *pval;
	char txt[64];
	int ptype;

	X509_ALGOR_get0(&oid, &ptype, &pval, alg);
	if (ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL)
		return 0;
	if (OBJ_obj2nid(oid) == NID_sm2)
		return 1;
	return OBJ_obj2txt(txt, sizeof(txt), oid, 1) > 0 &&
	    (strcmp(txt, OID_SM2_ENCRYPT) == 0 ||
	    strcmp(txt, OID_SM2_ENCRYPT_GMSSL) == 0);
}

int
uk_sm2_env_key(PKCS7 *p7, X509 *cert, const unsigned char **ekp,
    size_t *eklenp, char *why, size_t whylen)
{
	STACK_OF(PKCS7_RECIP_INFO) *ris = p7->d.enveloped->recipientinfo;
	PKCS7_RECIP_INFO *ri;
	int i, other = 0;

	*ekp = NULL;
	*eklenp = 0;
	for (i = 0; i < sk_PKCS7_RECIP_INFO_num(ris); i++) {
		ri = sk_PKCS7_RECIP_INFO_value(ris, i);
		if (ri->issuer_and_serial == NULL ||
		    X509_NAME_cmp(ri->issuer_and_serial->issuer,
		    X509_get_issuer_name(cert)) != 0 ||
		    ASN1_INTEGER_cmp(ri->issuer_and_serial->serial,
		    X509_get0_serialNumber(cert)) != 0)
			continue;
		if (!is_sm2_transport(ri->key_enc_algor)) {
			other = 1;
			continue;
		}
		if (ri->enc_key == NULL || ASN1_STRING_length(ri->enc_key) <=
		    0)
			break;
		*ekp = ASN1_STRING_get0_data(ri->enc_key);
		*eklenp = (size_t)ASN1_STRING_length(ri->enc_key);
		return 0;
	}
	setwhy(why, whylen, other ? "addressed to this certificate, but not "
	    "with SM2 key transport" : "not addressed to this certificate");
	return UK_ERR_ENVELOPE;
}

int
uk_sm2_cipher_raw(const unsigned char *der, size_t len, unsigned char **rawp,
    size_t *rawlenp)
{
	const unsigned char *p = der;
	UK_SM2_CIPHER *c;
	BIGNUM *bn = NULL;
	unsigned char *raw = NULL;
	size_t c2len = 0;
	int r = UK_ERR_ENVELOPE;

	*rawp = NULL;
	*rawlenp = 0;
	if (len == 0 || len > LONG_MAX ||
	    (c = (UK_SM2_CIPHER *)ASN1_item_d2i(NULL, &p, (long)len,
	    ASN1_ITEM_rptr(UK_SM2_CIPHER))) == NULL)
		return UK_ERR_ENVELOPE;
	if (p != der + len ||
	    ASN1_STRING_type(c->x) == V_ASN1_NEG_INTEGER ||
	    ASN1_STRING_type(c->y) == V_ASN1_NEG_INTEGER ||
	    ASN1_STRING_length(c->c3) != SM2_COORD ||
	    ASN1_STRING_length(c->c2) <= 0)
		goto out;
	c2len = (size_t)ASN1_STRING_length(c->c2);
	if ((raw = malloc(1 + 3 * SM2_COORD + c2len)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	/* C1 = 04 ‖ x ‖ y (uncompressed point), then C3, then C2 */
	raw[0] = 0x04;
	if ((bn = ASN1_INTEGER_to_BN(c->x, NULL)) == NULL ||
	    BN_bn2binpad(bn, raw + 1, SM2_COORD) != SM2_COORD)
		goto out;
	BN_free(bn);
	if ((bn = ASN1_INTEGER_to_BN(c->y, NULL)) == NULL ||
	    BN_bn2binpad(bn, raw + 1 + SM2_COORD, SM2_COORD) != SM2_COORD)
		goto out;
	memcpy(raw + 1 + 2 * SM2_COORD, ASN1_STRING_get0_data(c->c3),
	    SM2_COORD);
	memcpy(raw + 1 + 3 * SM2_COORD, ASN1_STRING_get0_data(c->c2), c2len);
	/* success */
	*rawp = raw;
	*rawlenp = 1 + 3 * SM2_COORD + c2len;
	raw = NULL;
	r = 0;
 out:
	BN_free(bn);
	free(raw);
	ASN1_item_free((ASN1_VALUE *)c, ASN1_ITEM_rptr(UK_SM2_CIPHER));
	return r;
}

/*
 * 0 when the last block ends in valid PKCS#7 padding (1..16 bytes, all
 * equal to their count); *padp gets the count.  Every byte of the block
 * is looked at whatever the outcome.
 */
static int
check_padding(const unsigned char *last, size_t *padp)
{
	unsigned pad = last[SM4_BLOCK - 1], bad, i;

	bad = (unsigned)(pad - 1) >= SM4_BLOCK;	/* 0 wraps around */
	for (i = 1; i <= SM4_BLOCK; i++)
		bad |= (unsigned)(i <= pad) & (unsigned)(last[SM4_BLOCK - i] !=
		    pad);
	*padp = pad;
	return bad ? -1 : 0;
}

int
uk_sm2_env_content(PKCS7 *p7, const unsigned char *key, size_t keylen,
    unsigned char **outp, size_t *outlenp, char *why, size_t whylen)
{
	PKCS7_ENC_CONTENT *ec = p7->d.enveloped->enc_data;
	const ASN1_OBJECT *oid;
	const ASN1_OCTET_STRING *iv;
	const void *pval;
	unsigned char *out = NULL;
	size_t ctlen, outlen = 0, pad;
	int ptype, r;

	*outp = NULL;
	*outlenp = 0;
	if (keylen != SM4_KEY_LEN) {
		setwhy(why, whylen, "the decrypted content key is %zu bytes, "
		    "SM4 needs %d", keylen, SM4_KEY_LEN);
		return UK_ERR_ENVELOPE;
	}
	X509_ALGOR_get0(&oid, &ptype, &pval, ec->algorithm);
	if (OBJ_obj2nid(oid) != NID_sm4_cbc) {
		setwhy(why, whylen, "the content is not encrypted with "
		    "SM4-CBC");
		return UK_ERR_ENVELOPE;
	}
	iv = pval;
	if (ptype != V_ASN1_OCTET_STRING ||
	    ASN1_STRING_length(iv) != SM4_BLOCK) {
		setwhy(why, whylen, "the SM4-CBC parameters are not a %d-byte "
		    "IV", SM4_BLOCK);
		return UK_ERR_ENVELOPE;
	}
	if (ec->enc_data == NULL) {
		setwhy(why, whylen, "no encrypted content (a detached one is "
		    "not supported)");
		return UK_ERR_ENVELOPE;
	}
	ctlen = (size_t)ASN1_STRING_length(ec->enc_data);
	if (ctlen == 0 || ctlen % SM4_BLOCK != 0) {
		setwhy(why, whylen, "the encrypted content is not whole SM4 "
		    "blocks");
		return UK_ERR_ENVELOPE;
	}
	if ((out = malloc(ctlen)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if ((r = sm4_cbc(0, key, ASN1_STRING_get0_data(iv),
	    ASN1_STRING_get0_data(ec->enc_data), ctlen, out, &outlen)) != 0)
		goto out;
	r = UK_ERR_ENVELOPE;
	if (outlen != ctlen || check_padding(out + ctlen - SM4_BLOCK,
	    &pad) != 0) {
		setwhy(why, whylen, "bad SM4-CBC padding (a wrong key or "
		    "altered content)");
		goto out;
	}
	/* success */
	outlen = ctlen - pad;
	uk_wipe(out + outlen, pad);
	*outp = out;
	*outlenp = outlen;
	out = NULL;
	r = 0;
 out:
	if (out != NULL)
		uk_freezero(out, ctlen);
	return r;
}
