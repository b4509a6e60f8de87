/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The unlock envelope, host side (unlock.h): no token, no host, so the
 * tests drive it directly.
 */
#include "uk_setup.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "err.h"
#include "unlock.h"
#include "wipe.h"

/* --- Envelope ---------------------------------------------------------- */

int
uk_unlock_keygen(EVP_PKEY **keyp)
{
	*keyp = EVP_EC_gen("P-256");
	return *keyp == NULL ? UK_ERR_LIBCRYPTO : 0;
}

static int
derive_key(EVP_PKEY *host_key, EVP_PKEY *peer,
    const unsigned char *challenge, size_t clen, const char *serial,
    unsigned char key[32])
{
	EVP_PKEY_CTX *dctx = NULL;
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *kctx = NULL;
	OSSL_PARAM params[5];
	unsigned char z[32], info[64];
	size_t zlen = sizeof(z), ilen;
	int r = UK_ERR_UNLOCK_INVALID;

	ilen = strlen(UK_UNLOCK_INFO) + strlen(serial);
	if (ilen > sizeof(info))
		return r;
	memcpy(info, UK_UNLOCK_INFO, strlen(UK_UNLOCK_INFO));
	memcpy(info + strlen(UK_UNLOCK_INFO), serial, strlen(serial));
	if ((dctx = EVP_PKEY_CTX_new(host_key, NULL)) == NULL ||
	    EVP_PKEY_derive_init(dctx) != 1 ||
	    EVP_PKEY_derive_set_peer(dctx, peer) != 1 ||
	    EVP_PKEY_derive(dctx, z, &zlen) != 1 || zlen != sizeof(z))
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, z,
	    zlen);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)challenge, clen);
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    info, ilen);
	params[4] = OSSL_PARAM_construct_end();
	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL ||
	    (kctx = EVP_KDF_CTX_new(kdf)) == NULL ||
	    EVP_KDF_derive(kctx, key, 32, params) != 1)
		goto out;
	r = 0;
 out:
	uk_wipe(z, sizeof(z));
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	EVP_PKEY_CTX_free(dctx);
	return r;
}

/* The CA's key must be a P-256 point (not another curve, not RSA). */
static EVP_PKEY *
peer_key(const unsigned char *spki, size_t len)
{
	const unsigned char *q = spki;
	EVP_PKEY *k;
	char group[32];
	size_t glen;

	if ((k = d2i_PUBKEY(NULL, &q, (long)len)) == NULL)
		return NULL;
	if (q != spki + len || !EVP_PKEY_is_a(k, "EC") ||
	    EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), &glen) != 1 ||
	    strcmp(group, "prime256v1") != 0) {
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}

int
uk_unlock_open(EVP_PKEY *host_key, const unsigned char *peer_spki,
    size_t peer_len, const unsigned char *challenge, size_t clen,
    const char *serial, const unsigned char *iv, size_t ivlen,
    const unsigned char *ct, size_t ctlen, const unsigned char *tag,
    size_t taglen, unsigned char **ptp, size_t *ptlenp)
{
	EVP_PKEY *peer = NULL;
	EVP_CIPHER_CTX *c = NULL;
	unsigned char key[32], *pt = NULL;
	int n, fin, r = UK_ERR_UNLOCK_INVALID;

	*ptp = NULL;
	*ptlenp = 0;
	if (ivlen != UK_UNLOCK_IV_LEN || taglen != UK_UNLOCK_TAG_LEN ||
	    ctlen == 0 || ctlen > UK_UNLOCK_CT_MAX ||
	    (peer = peer_key(peer_spki, peer_len)) == NULL)
		goto out;
	if ((r = derive_key(host_key, peer, challenge, clen, serial,
	    key)) != 0)
		goto out;
	r = UK_ERR_ALLOC_FAIL;
	if ((pt = calloc(1, ctlen + 1)) == NULL ||
	    (c = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	r = UK_ERR_UNLOCK_INVALID;
	if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, (int)ivlen,
	    NULL) != 1 ||
	    EVP_DecryptInit_ex(c, NULL, NULL, key, iv) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &n, challenge, (int)clen) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &n, (const unsigned char *)serial,
	    (int)strlen(serial)) != 1 ||
	    EVP_DecryptUpdate(c, pt, &n, ct, (int)ctlen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, (int)taglen,
	    (void *)tag) != 1 ||
	    EVP_DecryptFinal_ex(c, pt + n, &fin) != 1)
		goto out;
	/* success */
	*ptlenp = (size_t)(n + fin);
	*ptp = pt;
	pt = NULL;
	r = 0;
 out:
	uk_wipe(key, sizeof(key));
	uk_freezero(pt, ctlen + 1);
	EVP_CIPHER_CTX_free(c);
	EVP_PKEY_free(peer);
	return r;
}

int
uk_unlock_random_pin(char *buf, size_t len)
{
	unsigned char b;
	size_t i = 0;

	while (i < len) {
		if (RAND_priv_bytes(&b, 1) != 1)
			return UK_ERR_RANDOM;
		if (b >= 250)		/* keep the digits uniform */
			continue;
		buf[i++] = (char)('0' + b % 10);
	}
	buf[len] = '\0';
	uk_wipe(&b, sizeof(b));
	return 0;
}

