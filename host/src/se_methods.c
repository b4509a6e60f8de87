/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The SafeEngine methods.  Arguments are those of the synchronous (IE)
 * object, which drops the engine's HSE handle; host/doc/se.md lists each
 * one with our choices where the original engine is not documented.
 */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "err.h"
#include "host.h"
#include "json.h"
#include "log.h"
#include "policy.h"
#include "rpc.h"
#include "se.h"
#include "se_int.h"
#include "sign.h"
#include "token.h"
#include "version.h"
#include "wipe.h"
#include "x509.h"

#define SE_DEVPARAM_MAX	16
#define SE_ALG_MAX	32

/*
 * Hash method numbers (SEH_SignData, SEH_Digest, SEH_VerifySignData).
 * 3 = SHA1withRSA is what every page in the field passes; 1 and 2 follow
 * the MD2/MD5/SHA1 numbering of engines of that era and are refused as
 * broken; 4 and 5 are our choices (documented in host/doc/se.md).
 */
static const struct {
	long number;
	enum uk_hash hash;
} hash_methods[] = {
	{ 3, UK_HASH_SHA1 },
	{ 4, UK_HASH_SHA256 },
	{ 5, UK_HASH_SM3 },
	{ 6, UK_HASH_SHA384 },
	{ 7, UK_HASH_SHA512 },
};

/* The hash of argument i: a method number, or "" → the flavour's default
 * (SHA-1 for SEH_, SM3 for ESE_). */
static int
arg_hash(struct se_call *sc, int i, enum uk_hash *hp)
{
	const cJSON *a = se_arg(sc, i);
	long num;
	size_t k;
	int r;

	*hp = sc->sm ? UK_HASH_SM3 : UK_HASH_SHA1;
	if (a == NULL || cJSON_IsNull(a) || (cJSON_IsString(a) &&
	    a->valuestring[0] == '\0'))
		return 0;
	if ((r = se_int(sc, i, 0, 1000, 0, &num)) != 0)
		return r;
	for (k = 0; k < UK_ARRAY_LEN(hash_methods); k++)
		if (hash_methods[k].number == num) {
			*hp = hash_methods[k].hash;
			return 0;
		}
	return uk_call_fail(sc->call, UK_ERR_MECHANISM, "hash method %ld is "
	    "not supported (3 SHA-1, 4 SHA-256, 5 SM3; MD2/MD5 refused)",
	    num);
}

/* Data argument i as bytes: the page's text, UTF-8 encoded. */
static int
arg_data(struct se_call *sc, int i, const unsigned char **pp, size_t *lenp)
{
	const char *s;
	int r;

	if ((r = se_str(sc, i, UK_SE_DATA_MAX, &s)) != 0)
		return r;
	*pp = (const unsigned char *)s;
	*lenp = strlen(s);
	return 0;
}

static int
se_initial_session(struct se_call *sc)
{
	const char *devparam, *pin;
	long devtype;
	int r;

	if ((r = se_int(sc, 0, 0, 0xffff, 1, &devtype)) != 0 ||
	    (r = se_str(sc, 1, SE_DEVPARAM_MAX, &devparam)) != 0 ||
	    (r = se_str(sc, 2, UK_PIN_MAX, &pin)) != 0)
		return r;
	return se_open_session(sc, devparam, pin);
}

static int
se_clear_session(struct se_call *sc)
{
	if (sc->st->token[0] != '\0' &&
	    uk_token_logout(sc->call->ctx, sc->st->token) != 0)
		uk_debug("logout failed: the key may have been removed");
	sc->st->token[0] = '\0';
	return 0;
}

static int
se_set_configuration(struct se_call *sc)
{
	long mode;
	int r;

	if ((r = se_int(sc, 0, 0, 1, 0, &mode)) != 0)
		return r;
	sc->st->revocation = (int)mode;
	return 0;
}

static int
se_get_self_certificate(struct se_call *sc)
{
	char token[UK_TOKEN_HANDLE_MAX];
	const char *devparam;
	unsigned char *der = NULL;
	X509 *x = NULL;
	int len, r;

	if ((r = se_str(sc, 1, SE_DEVPARAM_MAX, &devparam)) != 0)
		return r;
	if (sc->st->token[0] != '\0')
		snprintf(token, sizeof(token), "%s", sc->st->token);
	else if ((r = se_pick_token(sc, devparam, token, sizeof(token))) != 0)
		return r;
	if ((r = uk_token_find_cert(sc->call->ctx, token, NULL, &x,
	    NULL)) != 0)
		return uk_call_fail(sc->call, r == UK_ERR_CERT_NOT_FOUND ?
		    UK_ERR_READ_CERT_DEVICE : r, "no signing certificate");
	if ((len = i2d_X509(x, &der)) <= 0)
		r = UK_ERR_CERT_FORMAT;
	else
		r = se_value_b64(sc, der, (size_t)len);
	OPENSSL_free(der);
	X509_free(x);
	return r;
}

static int
se_get_cert_detail(struct se_call *sc)
{
	struct uk_x509 *cert = NULL;
	char *val = NULL;
	long item;
	int r;

	if ((r = se_cert(sc, 0, &cert)) != 0)
		return r;
	if ((r = se_int(sc, 1, 0, 1000, 0, &item)) == 0 &&
	    (r = uk_x509_detail(cert, (int)item, &val)) == 0)
		r = se_value_str(sc, val);
	else if (r == UK_ERR_CERT_DETAIL)
		r = uk_call_fail(sc->call, r, "no detail item %ld", item);
	free(val);
	uk_x509_free(cert);
	return r;
}

static int
se_get_cert_info_by_oid(struct se_call *sc)
{
	struct uk_x509 *cert = NULL;
	const char *oid;
	char *val = NULL;
	int r;

	if ((r = se_cert(sc, 0, &cert)) != 0)
		return r;
	if ((r = se_str(sc, 1, UK_OID_MAX, &oid)) == 0 &&
	    (r = uk_x509_info_by_oid(cert, oid, &val)) == 0)
		r = se_value_str(sc, val);
	free(val);
	uk_x509_free(cert);
	return r;
}

static int
se_get_cert_unique_id(struct se_call *sc)
{
	struct uk_x509 *cert = NULL;
	char *val = NULL;
	int r;

	if ((r = se_cert(sc, 0, &cert)) != 0)
		return r;
	if ((r = uk_x509_unique_id(cert, &val)) == 0)
		r = se_value_str(sc, val);
	free(val);
	uk_x509_free(cert);
	return r;
}

static int
se_get_cert_valid_date(struct se_call *sc)
{
	struct uk_x509 *cert = NULL;
	int64_t days;
	int r;

	if ((r = se_cert(sc, 0, &cert)) != 0)
		return r;
	if ((r = uk_x509_valid_days(cert, time(NULL), &days)) == 0 &&
	    (sc->value = cJSON_CreateNumber((double)days)) == NULL)
		r = UK_ERR_ALLOC_FAIL;
	uk_x509_free(cert);
	return r;
}

static int
se_verify_certificate(struct se_call *sc)
{
	struct uk_x509 *cert = NULL;
	int r;

	if ((r = se_cert(sc, 0, &cert)) != 0)
		return r;
	r = uk_x509_verify(sc->call->ctx, sc->call->ctx->cfg, cert, NULL, 0,
	    sc->st->revocation, time(NULL), sc->call->detail,
	    sizeof(sc->call->detail));
	uk_x509_free(cert);
	return r;
}

static int
se_sign_data(struct se_call *sc)
{
	struct uk_sign_req req;
	const unsigned char *data;
	unsigned char *sig = NULL;
	size_t len, siglen;
	enum uk_hash h;
	int r;

	memset(&req, 0, sizeof(req));
	if ((r = arg_data(sc, 0, &data, &len)) != 0 ||
	    (r = arg_hash(sc, 1, &h)) != 0 ||
	    (r = se_session_token(sc, &req.token)) != 0)
		return r;
	req.data = data;
	req.len = len;
	req.hash = h;
	req.scheme = UK_SCHEME_AUTO;
	if ((r = uk_token_sign(sc->call->ctx, &req, &sig, &siglen)) != 0) {
		if (r == UK_ERR_TOKEN_REMOVED)
			sc->st->token[0] = '\0';
		return uk_call_fail(sc->call, r, "signing with %s failed",
		    uk_hash_name(h));
	}
	r = se_value_b64(sc, sig, siglen);
	free(sig);
	return r;
}

static int
se_verify_sign_data(struct se_call *sc)
{
	struct uk_x509 *cert = NULL;
	const unsigned char *data;
	const char *sigtext;
	unsigned char *sig = NULL;
	size_t len, siglen;
	enum uk_hash h;
	int r;

	if ((r = arg_data(sc, 0, &data, &len)) != 0 ||
	    (r = arg_hash(sc, 1, &h)) != 0 ||
	    (r = se_str(sc, 2, 16384, &sigtext)) != 0 ||
	    (r = se_cert(sc, 3, &cert)) != 0)
		return r;
	/* As SEH_SignData: an SM2 key signs SM2/SM3 whatever the method
	 * number (3 names SHA-1, which SM2 signatures never use). */
	if (uk_pkey_is_sm2(X509_get0_pubkey(uk_x509_get0(cert))))
		h = UK_HASH_SM3;
	if (uk_base64_decode(sigtext, 8192, &sig, &siglen) != 0)
		r = uk_call_fail(sc->call, UK_ERR_VERIFY_SIGNATURE,
		    "signature is not base64");
	else
		r = uk_verify(uk_x509_get0(cert), data, len, 0, h,
		    UK_SCHEME_AUTO, sig, siglen);
	free(sig);
	uk_x509_free(cert);
	return r;
}

static int
se_change_password(struct se_call *sc)
{
	struct uk_pin_state pst;
	char token[UK_TOKEN_HANDLE_MAX];
	const char *devparam, *oldpin, *newpin;
	int r;

	memset(&pst, 0, sizeof(pst));
	pst.retries_left = -1;
	if ((r = se_str(sc, 1, SE_DEVPARAM_MAX, &devparam)) != 0 ||
	    (r = se_str(sc, 2, UK_PIN_MAX, &oldpin)) != 0 ||
	    (r = se_str(sc, 3, UK_PIN_MAX, &newpin)) != 0 ||
	    (r = se_pick_token(sc, devparam, token, sizeof(token))) != 0)
		return r;
	if ((r = uk_token_change_pin(sc->call->ctx, token, oldpin, newpin,
	    &pst)) != 0) {
		se_pin_errinfo(sc, &pst);
		return uk_call_fail(sc->call, r, "PIN not changed");
	}
	return 0;
}

static int
se_gen_random_bytes(struct se_call *sc)
{
	unsigned char buf[UK_SE_RANDOM_MAX];
	long n;
	int r;

	if ((r = se_int(sc, 0, 1, UK_SE_RANDOM_MAX, 0, &n)) != 0)
		return r;
	if ((r = uk_token_random(sc->call->ctx, NULL, buf, (size_t)n)) != 0)
		return uk_call_fail(sc->call, UK_ERR_RANDOM, "no random bytes");
	r = se_value_b64(sc, buf, (size_t)n);
	uk_wipe(buf, sizeof(buf));
	return r;
}

static int
se_digest(struct se_call *sc)
{
	unsigned char md[UK_HASH_MAX_LEN];
	const unsigned char *data;
	size_t len, mdlen;
	enum uk_hash h;
	int r;

	if ((r = arg_data(sc, 0, &data, &len)) != 0 ||
	    (r = arg_hash(sc, 1, &h)) != 0)
		return r;
	if ((r = uk_digest(h, data, len, md, &mdlen)) != 0)
		return uk_call_fail(sc->call, UK_ERR_DIGEST, "%s unavailable",
		    uk_hash_name(h));
	return se_value_b64(sc, md, mdlen);
}

/*
 * Opens an envelope with whichever key of the token it is addressed to:
 * the page does not say, and a key may hold a signing and an encryption
 * pair.
 */
static int
open_envelope(struct se_call *sc, const char *token, const unsigned char *der,
    size_t len, unsigned char **outp, size_t *outlenp, char *why,
    size_t whylen)
{
	cJSON *certs = NULL, *c, *id, *haskey;
	int r;

	if ((r = uk_token_decrypt_cms(sc->call->ctx, token, NULL, der, len,
	    outp, outlenp, why, whylen)) == 0 || r == UK_ERR_TOKEN_REMOVED ||
	    uk_token_cert_list(sc->call->ctx, token, &certs) != 0)
		return r;
	cJSON_ArrayForEach(c, certs) {
		id = cJSON_GetObjectItemCaseSensitive(c, "certId");
		haskey = cJSON_GetObjectItemCaseSensitive(c, "hasKey");
		if (!cJSON_IsString(id) || !cJSON_IsTrue(haskey))
			continue;
		if ((r = uk_token_decrypt_cms(sc->call->ctx, token,
		    id->valuestring, der, len, outp, outlenp, why,
		    whylen)) == 0)
			break;
	}
	cJSON_Delete(certs);
	return r;
}

/*
 * SEH_Envelope(type, data, cert): type 1 seals data (text) to cert and
 * returns base64 PKCS#7 EnvelopedData; type 2 opens base64 EnvelopedData
 * with the session's token key and returns the text (base64 when the
 * content is not UTF-8).
 */
static int
se_envelope(struct se_call *sc)
{
	struct uk_x509 *cert = NULL;
	const unsigned char *data;
	unsigned char *out = NULL, *der = NULL;
	const char *token;
	size_t len, outlen = 0, derlen;
	char why[UK_DETAIL_MAX];
	long type;
	int r;

	if ((r = se_int(sc, 0, 1, 2, 0, &type)) != 0 ||
	    (r = arg_data(sc, 1, &data, &len)) != 0)
		return r;
	if (type == 1) {
		if ((r = se_cert(sc, 2, &cert)) != 0)
			return r;
		if ((r = uk_envelope(uk_x509_get0(cert), data, len, &out,
		    &outlen)) == 0)
			r = se_value_b64(sc, out, outlen);
		free(out);
		uk_x509_free(cert);
		return r;
	}
	if ((r = se_session_token(sc, &token)) != 0)
		return r;
	if (uk_base64_decode((const char *)data, UK_SE_DATA_MAX, &der,
	    &derlen) != 0)
		return uk_call_fail(sc->call, UK_ERR_ENVELOPE,
		    "envelope is not base64");
	r = open_envelope(sc, token, der, derlen, &out, &outlen, why,
	    sizeof(why));
	free(der);
	if (r != 0)
		return uk_call_fail(sc->call, r, "cannot open the envelope%s%s",
		    why[0] != '\0' ? ": " : "", why);
	if (uk_utf8_valid((const char *)out, outlen) == 0 &&
	    memchr(out, '\0', outlen) == NULL) {
		char *text = malloc(outlen + 1);

		if (text == NULL)
			r = UK_ERR_ALLOC_FAIL;
		else {
			memcpy(text, out, outlen);
			text[outlen] = '\0';
			r = se_value_str(sc, text);
			uk_freezero(text, outlen + 1);
		}
	} else
		r = se_value_b64(sc, out, outlen);
	uk_freezero(out, outlen);
	return r;
}

static int
se_envelope_ex(struct se_call *sc)
{
	const char *alg;
	int r;

	/* The algorithm argument is accepted; the certificate's key type
	 * decides: AES-256 for RSA/EC, SM4 for SM2. */
	if ((r = se_str(sc, 3, SE_ALG_MAX, &alg)) != 0)
		return r;
	return se_envelope(sc);
}

/*
 * SEH_EncryptData / SEH_DecryptData(data, key): our choice, documented:
 * AES-256-GCM with key = SHA-256(key text), output base64(iv ‖ ct ‖ tag).
 */
#define SE_GCM_IV	12
#define SE_GCM_TAG	16

static int
gcm(int enc, const char *keytext, const unsigned char *in, size_t inlen,
    unsigned char *out, unsigned char *iv, unsigned char *tag)
{
	unsigned char key[32];
	size_t klen;
	EVP_CIPHER_CTX *c = NULL;
	int n, r = UK_ERR_SYMMETRIC;

	if (uk_digest(UK_HASH_SHA256, (const unsigned char *)keytext,
	    strlen(keytext), key, &klen) != 0 || inlen > INT32_MAX)
		goto out;
	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv, enc) != 1)
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, SE_GCM_TAG,
	    tag) != 1)
		goto out;
	if (EVP_CipherUpdate(c, out, &n, in, (int)inlen) != 1 ||
	    EVP_CipherFinal_ex(c, out + n, &n) != 1)
		goto out;
	if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, SE_GCM_TAG,
	    tag) != 1)
		goto out;
	r = 0;
 out:
	EVP_CIPHER_CTX_free(c);
	uk_wipe(key, sizeof(key));
	return r;
}

static int
se_encrypt_data(struct se_call *sc)
{
	const unsigned char *data;
	const char *key;
	unsigned char *buf = NULL;
	size_t len;
	int r;

	if ((r = arg_data(sc, 0, &data, &len)) != 0 ||
	    (r = se_str(sc, 1, 1024, &key)) != 0)
		return r;
	if ((buf = malloc(SE_GCM_IV + len + SE_GCM_TAG)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (RAND_bytes(buf, SE_GCM_IV) != 1)
		r = UK_ERR_RANDOM;
	else if ((r = gcm(1, key, data, len, buf + SE_GCM_IV, buf,
	    buf + SE_GCM_IV + len)) == 0)
		r = se_value_b64(sc, buf, SE_GCM_IV + len + SE_GCM_TAG);
	free(buf);
	return r;
}

static int
se_decrypt_data(struct se_call *sc)
{
	const char *text, *key;
	unsigned char *in = NULL, *out = NULL;
	size_t len, n;
	int r;

	if ((r = se_str(sc, 0, UK_SE_DATA_MAX, &text)) != 0 ||
	    (r = se_str(sc, 1, 1024, &key)) != 0)
		return r;
	if (uk_base64_decode(text, UK_SE_DATA_MAX, &in, &len) != 0 ||
	    len < SE_GCM_IV + SE_GCM_TAG) {
		free(in);
		return uk_call_fail(sc->call, UK_ERR_SYMMETRIC,
		    "not data from SEH_EncryptData");
	}
	n = len - SE_GCM_IV - SE_GCM_TAG;
	if ((out = malloc(n + 1)) == NULL)
		r = UK_ERR_ALLOC_FAIL;
	else if ((r = gcm(0, key, in + SE_GCM_IV, n, out, in,
	    in + SE_GCM_IV + n)) != 0)
		r = uk_call_fail(sc->call, r, "wrong key or altered data");
	else if (out[n] = '\0', uk_utf8_valid((char *)out, n) != 0 ||
	    strlen((char *)out) != n)
		r = uk_call_fail(sc->call, UK_ERR_SYMMETRIC,
		    "decrypted data is not text");
	else
		r = se_value_str(sc, (char *)out);
	if (out != NULL)
		uk_freezero(out, n + 1);
	free(in);
	return r;
}

/* SEH_PEMEncode / SEH_PEMDecode: base64 of the text and back. */
static int
se_pem_encode(struct se_call *sc)
{
	const unsigned char *data;
	size_t len;
	int r;

	if ((r = arg_data(sc, 0, &data, &len)) != 0)
		return r;
	return se_value_b64(sc, data, len);
}

static int
se_pem_decode(struct se_call *sc)
{
	const char *text;
	unsigned char *out = NULL;
	size_t len;
	int r;

	if ((r = se_str(sc, 0, UK_SE_DATA_MAX, &text)) != 0)
		return r;
	if (uk_base64_decode(text, UK_SE_DATA_MAX, &out, &len) != 0)
		return uk_call_fail(sc->call, UK_ERR_PEM_DECODE,
		    "not base64");
	if (uk_utf8_valid((char *)out, len) != 0 ||
	    memchr(out, '\0', len) != NULL)
		r = uk_call_fail(sc->call, UK_ERR_PEM_DECODE,
		    "decoded data is not text");
	else {
		char *s = malloc(len + 1);

		if (s == NULL)
			r = UK_ERR_ALLOC_FAIL;
		else {
			memcpy(s, out, len);
			s[len] = '\0';
			r = se_value_str(sc, s);
			free(s);
		}
	}
	free(out);
	return r;
}

static int
se_show_version(struct se_call *sc)
{
	return se_value_str(sc, "UKeyLink " UK_VERSION
	    " (SafeEngine compatible)");
}

static int
se_get_device_list(struct se_call *sc)
{
	cJSON *dev = NULL, *list;
	int r;

	if ((r = se_devices(sc->call->ctx, &dev)) != 0)
		return r;
	list = cJSON_GetObjectItemCaseSensitive(dev, "pluggedTypeList");
	r = se_value_str(sc, cJSON_IsString(list) ? list->valuestring : "");
	cJSON_Delete(dev);
	return r;
}

/*
 * SEH_GetDeviceInfo: the plugged devices as JSON text
 * ([{devType, devParam, reader, make, …}]), the same text the extension
 * answers from se.snapshot.  Arguments, if a page passes any, are ignored.
 */
static int
se_get_device_info(struct se_call *sc)
{
	cJSON *dev = NULL;
	char *text;
	int r;

	if ((r = se_devices(sc->call->ctx, &dev)) != 0)
		return r;
	text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(dev,
	    "devices"));
	r = text == NULL ? UK_ERR_ALLOC_FAIL : se_value_str(sc, text);
	cJSON_free(text);
	cJSON_Delete(dev);
	return r;
}

const struct se_method se_methods[] = {
	{ "InitialSession", se_initial_session, 3, 7, UK_CAP_SIGN, 0 },
	{ "ClearSession", se_clear_session, 0, 0, 0, 0 },
	{ "SetConfiguration", se_set_configuration, 1, 1, UK_CAP_READ, 0 },
	{ "GetSelfCertificate", se_get_self_certificate, 0, 3, UK_CAP_READ,
	    0 },
	{ "GetCertDetail", se_get_cert_detail, 2, 2, UK_CAP_READ, 0 },
	{ "GetCertInfoByOID", se_get_cert_info_by_oid, 2, 2, UK_CAP_READ, 0 },
	{ "GetCertUniqueID", se_get_cert_unique_id, 1, 1, UK_CAP_READ, 0 },
	{ "GetCertValidDate", se_get_cert_valid_date, 1, 1, UK_CAP_READ, 0 },
	{ "VerifyCertificate", se_verify_certificate, 1, 1, UK_CAP_READ, 0 },
	{ "SignData", se_sign_data, 1, 2, UK_CAP_SIGN, 1 },
	{ "VerifySignData", se_verify_sign_data, 4, 4, UK_CAP_READ, 0 },
	{ "ChangePassword", se_change_password, 4, 4, UK_CAP_SIGN, 0 },
	{ "GenRandomBytes", se_gen_random_bytes, 1, 1, UK_CAP_READ, 0 },
	{ "Digest", se_digest, 1, 2, UK_CAP_READ, 0 },
	{ "Envelope", se_envelope, 2, 3, UK_CAP_SIGN, 1 },
	{ "EnvelopeEx", se_envelope_ex, 3, 4, UK_CAP_SIGN, 1 },
	{ "EncryptData", se_encrypt_data, 2, 2, UK_CAP_READ, 0 },
	{ "DecryptData", se_decrypt_data, 2, 2, UK_CAP_READ, 0 },
	{ "PEMEncode", se_pem_encode, 1, 1, UK_CAP_READ, 0 },
	{ "PEMDecode", se_pem_decode, 1, 1, UK_CAP_READ, 0 },
	{ "ShowVersion", se_show_version, 0, 0, 0, 0 },
	{ "GetDeviceList", se_get_device_list, 0, 0, UK_CAP_READ, 0 },
	{ "GetDeviceInfo", se_get_device_info, 0, 2, UK_CAP_READ, 0 },
	{ NULL, NULL, 0, 0, 0, 0 },
};
