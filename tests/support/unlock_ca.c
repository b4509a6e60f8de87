/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "unlock_ca.h"

static unsigned char *
b64d(const char *s, size_t *lenp)
{
	size_t n = strlen(s);
	unsigned char *out = malloc(n);
	int len;

	if (out == NULL || (len = EVP_DecodeBlock(out,
	    (const unsigned char *)s, (int)n)) < 0) {
		free(out);
		return NULL;
	}
	while (n > 0 && s[n - 1] == '=') {	/* DecodeBlock keeps pad */
		n--;
		len--;
	}
	*lenp = (size_t)len;
	return out;
}

static int
add_b64(cJSON *o, const char *key, const unsigned char *p, size_t len)
{
	char *s = malloc(4 * ((len + 2) / 3) + 1);
	int ok;

	if (s == NULL)
		return -1;
	EVP_EncodeBlock((unsigned char *)s, p, (int)len);
	ok = cJSON_AddStringToObject(o, key, s) != NULL;
	free(s);
	return ok ? 0 : -1;
}

cJSON *
uk_unlock_ca_answer(const cJSON *request, const char *so_pin,
    const char *new_pin, int tweak)
{
	const cJSON *jc = cJSON_GetObjectItemCaseSensitive(request,
	    "challenge");
	const cJSON *jk = cJSON_GetObjectItemCaseSensitive(request,
	    "ephemeralKey");
	const cJSON *js = cJSON_GetObjectItemCaseSensitive(request,
	    "tokenSerial");
	unsigned char *chal = NULL, *hspki = NULL, *mine = NULL;
	unsigned char z[32], key[32], iv[12], tag[16], info[64], ct[512];
	const unsigned char *q;
	char pt[256], serial[40];
	size_t clen, hlen, zlen = sizeof(z), ilen;
	EVP_PKEY *host = NULL, *eph = NULL;
	EVP_PKEY_CTX *dctx = NULL;
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *kctx = NULL;
	EVP_CIPHER_CTX *c = NULL;
	OSSL_PARAM params[5];
	cJSON *ans = NULL, *ret = NULL;
	int n, ptlen, mlen;

	if (!cJSON_IsString(jc) || !cJSON_IsString(jk) ||
	    !cJSON_IsString(js) ||
	    (chal = b64d(jc->valuestring, &clen)) == NULL ||
	    (hspki = b64d(jk->valuestring, &hlen)) == NULL)
		goto out;
	snprintf(serial, sizeof(serial), "%s", tweak == 2 ? "FOREIGN0001" :
	    js->valuestring);
	if (tweak == 3 && RAND_bytes(chal, (int)clen) != 1)
		goto out;
	q = hspki;
	/* 1. a fresh P-256 key; 2. Z = ECDH x coordinate */
	if ((host = d2i_PUBKEY(NULL, &q, (long)hlen)) == NULL ||
	    (eph = EVP_EC_gen("P-256")) == NULL ||
	    (dctx = EVP_PKEY_CTX_new(eph, NULL)) == NULL ||
	    EVP_PKEY_derive_init(dctx) != 1 ||
	    EVP_PKEY_derive_set_peer(dctx, host) != 1 ||
	    EVP_PKEY_derive(dctx, z, &zlen) != 1)
		goto out;
	/* 3. K = HKDF-SHA256(Z, salt = challenge, info = label || serial) */
	ilen = (size_t)snprintf((char *)info, sizeof(info),
	    "UKeyLink unlock v1%s", serial);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, z,
	    zlen);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    chal, clen);
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    info, ilen);
	params[4] = OSSL_PARAM_construct_end();
	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL ||
	    (kctx = EVP_KDF_CTX_new(kdf)) == NULL ||
	    EVP_KDF_derive(kctx, key, sizeof(key), params) != 1)
		goto out;
	/* 4. AES-256-GCM, 12-byte IV, AAD = challenge || serial */
	ptlen = new_pin != NULL ?
	    snprintf(pt, sizeof(pt), "{\"soPin\":\"%s\",\"newPin\":\"%s\"}",
	    so_pin, new_pin) :
	    snprintf(pt, sizeof(pt), "{\"soPin\":\"%s\"}", so_pin);
	if (RAND_bytes(iv, sizeof(iv)) != 1 ||
	    (c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &n, chal, (int)clen) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &n, (unsigned char *)serial,
	    (int)strlen(serial)) != 1 ||
	    EVP_EncryptUpdate(c, ct, &n, (unsigned char *)pt, ptlen) != 1 ||
	    EVP_EncryptFinal_ex(c, ct + n, &mlen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, sizeof(tag),
	    tag) != 1)
		goto out;
	n += mlen;
	if (tweak == 1)
		ct[0] ^= 0x01;
	mine = NULL;
	{
		unsigned char *spki = NULL;
		int slen = i2d_PUBKEY(eph, &spki);

		if (slen <= 0 || (ans = cJSON_CreateObject()) == NULL ||
		    cJSON_AddNumberToObject(ans, "version", 1) == NULL ||
		    add_b64(ans, "ephemeralKey", spki, (size_t)slen) != 0 ||
		    add_b64(ans, "iv", iv, sizeof(iv)) != 0 ||
		    add_b64(ans, "ciphertext", ct, (size_t)n) != 0 ||
		    add_b64(ans, "tag", tag, sizeof(tag)) != 0) {
			OPENSSL_free(spki);
			goto out;
		}
		OPENSSL_free(spki);
	}
	ret = ans;
	ans = NULL;
 out:
	OPENSSL_cleanse(z, sizeof(z));
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(pt, sizeof(pt));
	cJSON_Delete(ans);
	EVP_CIPHER_CTX_free(c);
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(host);
	EVP_PKEY_free(eph);
	free(chal);
	free(hspki);
	free(mine);
	return ret;
}
