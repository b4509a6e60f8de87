/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Fetched revocation data is outside input: the same bytes go to the OCSP
 * response check, the CRL check and the caIssuers parser, against a small
 * issuer/leaf pair made at start-up.
 */
#include "uk_setup.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "net_int.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static X509 *issuer, *leaf;
static STACK_OF(X509) *chain;
static X509_STORE *store;

static X509 *
make_cert(EVP_PKEY *key, EVP_PKEY *signer, const char *cn, const char *icn,
    long serial)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new(), *in = X509_NAME_new();

	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_NAME_add_entry_by_txt(in, "CN", MBSTRING_ASC,
	    (const unsigned char *)icn, -1, -1, 0);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, in);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
	X509_set_pubkey(x, key);
	X509_sign(x, signer, EVP_sha256());
	X509_NAME_free(n);
	X509_NAME_free(in);
	return x;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	EVP_PKEY *ik = EVP_EC_gen("P-256"), *lk = EVP_EC_gen("P-256");

	(void)argc;
	(void)argv;
	issuer = make_cert(ik, ik, "Fuzz CA", "Fuzz CA", 1);
	leaf = make_cert(lk, ik, "Fuzz leaf", "Fuzz CA", 2);
	chain = sk_X509_new_null();
	sk_X509_push(chain, leaf);
	sk_X509_push(chain, issuer);
	store = X509_STORE_new();
	X509_STORE_add_cert(store, issuer);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(lk);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	STACK_OF(X509) *sk;
	char detail[256];

	(void)uk_net_check_response("ocsp", data, size, leaf, issuer, chain,
	    store, time(NULL), detail, sizeof(detail));
	(void)uk_net_check_response("crl", data, size, leaf, issuer, chain,
	    store, time(NULL), detail, sizeof(detail));
	sk = uk_net_parse_certs(data, size);
	sk_X509_pop_free(sk, X509_free);
	return 0;
}
