/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * libFuzzer: a page's envelope (crypto.decrypt, SEH_Envelope type 2)
 * through the SM2 envelope parsers of sign.h — the PKCS#7 structure, the
 * recipient lookup (with a certificate made to match each recipient, so
 * that the match path is reached), the GM/T 0009 SM2Cipher of the
 * encrypted key, and SM4-CBC decryption with its padding check.  Seeds:
 * envelopes from tests/support/sm2-env-make.sh (DER, BER, NULL
 * parameters, a 17-byte key) and an RSA CMS one.
 */
#include "uk_setup.h"

#include <stdint.h>
#include <stdlib.h>

#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "sign.h"
#include "wipe.h"

#define MAX_RECIPIENTS	4	/* looked at per input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The encrypted key of each recipient, reached through uk_sm2_env_key. */
static void
recipients(PKCS7 *p7)
{
	STACK_OF(PKCS7_RECIP_INFO) *ris = p7->d.enveloped->recipientinfo;
	PKCS7_RECIP_INFO *ri;
	const unsigned char *ek;
	unsigned char *raw;
	size_t eklen, rawlen;
	char why[256];
	X509 *x;
	int i;

	for (i = 0; i < sk_PKCS7_RECIP_INFO_num(ris) && i < MAX_RECIPIENTS;
	    i++) {
		ri = sk_PKCS7_RECIP_INFO_value(ris, i);
		if (ri->issuer_and_serial == NULL || (x = X509_new()) == NULL)
			continue;
		if (X509_set_issuer_name(x, ri->issuer_and_serial->issuer) &&
		    X509_set_serialNumber(x, ri->issuer_and_serial->serial) &&
		    uk_sm2_env_key(p7, x, &ek, &eklen, why, sizeof(why)) == 0) {
			if (eklen == 0)
				abort();
			if (uk_sm2_cipher_raw(ek, eklen, &raw, &rawlen) == 0) {
				/* C1 (65) ‖ C3 (32) ‖ C2 (at least 1) */
				if (rawlen < 98 || raw[0] != 0x04 ||
				    rawlen - 97 >= eklen)
					abort();
				free(raw);
			}
		}
		X509_free(x);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[17] = "0123456789abcdef";
	unsigned char *out;
	size_t outlen;
	char why[256];
	PKCS7 *p7;

	if (uk_sm2_env_parse(data, size, &p7, why, sizeof(why)) != 0)
		return 0;
	recipients(p7);
	/* A key of the wrong size is refused before any decryption. */
	if (uk_sm2_env_content(p7, key, 15, &out, &outlen, why,
	    sizeof(why)) == 0 || uk_sm2_env_content(p7, key, 17, &out,
	    &outlen, why, sizeof(why)) == 0)
		abort();
	/* Plaintext is never longer than the ciphertext in the input. */
	if (uk_sm2_env_content(p7, key, 16, &out, &outlen, why,
	    sizeof(why)) == 0) {
		if (outlen >= size)
			abort();
		uk_freezero(out, outlen);
	}
	PKCS7_free(p7);
	return 0;
}
