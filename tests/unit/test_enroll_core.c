/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The enroll core on SoftHSM2 tokens, driven directly (no host): renewal
 * RSA→RSA and RSA→EC, change mode, every refused certificate, seals, the
 * unlock envelope and C_InitPIN, and the step crash matrix in-process (a
 * child process dies at every journal step; a new process recovers; the
 * token must hold a working pair and no certificate without its key).
 * test_enroll_host.c repeats the flows through the real host binary and
 * runs the full matrix there (every step and every PKCS#11 write).
 */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "enroll.h"
#include "enroll_ca.h"
#include "enroll_fixture.h"
#include "err.h"
#include "fault.h"
#include "json.h"
#include "unlock.h"
#include "unlock_ca.h"
#include "wipe.h"

static const unsigned char id01[] = { 0x01 };
static const unsigned char id02[] = { 0x02 };

static void
cfg_make(struct uk_enroll_cfg *ec, int archive)
{
	char path[512];

	memset(ec, 0, sizeof(*ec));
	ec->archive = archive;
	ec->keytypes = (1u << UK_KT_RSA2048) | (1u << UK_KT_RSA3072) |
	    (1u << UK_KT_EC_P256);
	ec->seal_max = 512 * 1024;
	ec->anchors = X509_STORE_new();
	ec->seal_ca = X509_STORE_new();
	ck_assert_ptr_nonnull(ec->anchors);
	ck_assert_ptr_nonnull(ec->seal_ca);
	X509_STORE_set_purpose(ec->anchors, X509_PURPOSE_ANY);
	X509_STORE_set_purpose(ec->seal_ca, X509_PURPOSE_ANY);
	snprintf(path, sizeof(path), "%s/root-ca.pem", uk_ef_pki());
	ck_assert_int_eq(X509_STORE_load_file(ec->anchors, path), 1);
	ck_assert_int_eq(X509_STORE_load_file(ec->seal_ca, path), 1);
}

static STACK_OF(X509) *
chain_of(const char *name)
{
	char path[512];
	STACK_OF(X509) *sk = sk_X509_new_null();
	FILE *fp;
	X509 *c;

	snprintf(path, sizeof(path), "%s/%s.pem", uk_ef_pki(), name);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	ck_assert_ptr_nonnull(c = PEM_read_X509(fp, NULL, NULL, NULL));
	fclose(fp);
	sk_X509_push(sk, c);
	return sk;
}

static X509 *
issue(const unsigned char *csr, size_t len, const char *ca,
    const struct uk_ca_opts *o)
{
	char dir[512];
	unsigned char *der = NULL;
	const unsigned char *q;
	size_t dlen;
	X509 *c;

	snprintf(dir, sizeof(dir), "%s/%s", uk_ef_pki(), ca);
	ck_assert_int_eq(uk_ca_issue(dir, csr, len, o, &der, &dlen), 0);
	q = der;
	c = d2i_X509(NULL, &q, (long)dlen);
	free(der);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* begin → key → request; returns the CSR. */
static void
start(const struct uk_p11 *p, const struct uk_enroll_cfg *ec,
    struct uk_journal *j, const unsigned char *oid, int change,
    enum uk_keytype kt, const cJSON *add, unsigned char **csrp,
    size_t *lenp)
{
	EVP_PKEY *pub = NULL;

	ck_assert_int_eq(uk_enroll_begin(p, oid, 1, change, j), 0);
	ck_assert_int_eq(j->step, UK_STEP_BEGUN);
	ck_assert_int_eq(uk_enroll_genkey(p, ec, j, kt, &pub), 0);
	ck_assert_ptr_nonnull(pub);
	EVP_PKEY_free(pub);
	ck_assert_int_eq(uk_enroll_request(p, ec, j, NULL, add, csrp, lenp),
	    0);
	ck_assert_int_eq(j->step, UK_STEP_REQUEST);
}

static void
install_ok(const struct uk_p11 *p, const struct uk_enroll_cfg *ec,
    struct uk_journal *j, X509 *cert)
{
	STACK_OF(X509) *chain = chain_of("inter-ca");
	const char *reason = NULL;

	ck_assert_int_eq(uk_enroll_install(p, ec, j, cert, chain, &reason),
	    0);
	ck_assert_ptr_null(reason);
	ck_assert_int_eq(j->step, UK_STEP_INSTALLED);
	sk_X509_pop_free(chain, X509_free);
}

static void
assert_pairs(const struct uk_p11 *p, int usable)
{
	int u, b;

	ck_assert_int_eq(uk_ef_check_pairs(p, &u, &b), 0);
	ck_assert_int_eq(u, usable);
	ck_assert_int_eq(b, 0);
}

START_TEST(renew_rsa_to_rsa)
{
	struct uk_p11 p;
	struct uk_enroll_cfg ec;
	struct uk_journal j, j2;
	unsigned char *csr;
	size_t len;
	X509 *cert, *oldc;
	cJSON *a, *b;
	int archived = -1;

	ck_assert_ptr_nonnull(uk_ef_token(0));
	ck_assert_int_eq(uk_ef_open(&p), 0);
	cfg_make(&ec, 0);
	start(&p, &ec, &j, id01, 0, UK_KT_RSA2048, NULL, &csr, &len);
	/* The new private key: on the token, private, sensitive, not
	 * extractable, new id and label; the old objects untouched. */
	{
		static const struct {
			CK_ATTRIBUTE_TYPE t;
			CK_BBOOL v;
		} want[] = {
			{ CKA_TOKEN, CK_TRUE }, { CKA_PRIVATE, CK_TRUE },
			{ CKA_SENSITIVE, CK_TRUE },
			{ CKA_EXTRACTABLE, CK_FALSE }, { CKA_SIGN, CK_TRUE },
		};
		CK_OBJECT_HANDLE kh;
		unsigned char *v;
		size_t vl, i;

		ck_assert_uint_eq(j.new_idlen, 16);
		ck_assert_int_eq(uk_enroll_find_key(&p, CKO_PRIVATE_KEY,
		    j.new_id, j.new_idlen, &kh), 0);
		for (i = 0; i < UK_ARRAY_LEN(want); i++) {
			ck_assert_int_eq(uk_p11_attr(&p, kh, want[i].t, &v,
			    &vl), 0);
			ck_assert_uint_eq(vl, 1);
			ck_assert_int_eq(v[0], want[i].v);
			free(v);
		}
		ck_assert_int_eq(uk_p11_attr(&p, kh, CKA_LABEL, &v, &vl), 0);
		ck_assert_str_eq((char *)v, j.new_label);
		ck_assert_int_eq(strncmp((char *)v, "UKeyLink ", 9), 0);
		free(v);
		ck_assert_int_eq(uk_ef_count(&p, CKO_CERTIFICATE, "01"), 1);
		ck_assert_int_eq(uk_ef_count(&p, CKO_PRIVATE_KEY, "01"), 1);
		ck_assert_int_eq(uk_ef_count(&p, CKO_PUBLIC_KEY, "01"), 1);
	}
	/* A second transaction on the same token is refused. */
	ck_assert_int_eq(uk_enroll_begin(&p, id01, 1, 0, &j2),
	    UK_ERR_TRANSACTION);
	cert = issue(csr, len, "inter-ca", NULL);
	install_ok(&p, &ec, &j, cert);
	/* Before commit both pairs work. */
	assert_pairs(&p, 2);
	ck_assert_int_eq(uk_enroll_commit(&p, &ec, &j, &archived), 0);
	ck_assert_int_eq(archived, 0);
	ck_assert_int_eq(uk_journal_read(&p, &j2), 0);
	ck_assert_int_eq(j2.step, UK_STEP_NONE);
	ck_assert_int_eq(uk_ef_count(&p, CKO_CERTIFICATE, "01"), 0);
	ck_assert_int_eq(uk_ef_count(&p, CKO_PRIVATE_KEY, "01"), 0);
	ck_assert_int_eq(uk_ef_count(&p, CKO_PUBLIC_KEY, "01"), 0);
	assert_pairs(&p, 1);
	/* Same registry numbers as the old certificate. */
	{
		char path[512];
		FILE *fp;

		snprintf(path, sizeof(path), "%s/leaf-rsa.pem", uk_ef_pki());
		ck_assert_ptr_nonnull(fp = fopen(path, "r"));
		oldc = PEM_read_X509(fp, NULL, NULL, NULL);
		fclose(fp);
	}
	a = uk_registry_numbers(oldc, NULL);
	b = uk_registry_numbers(cert, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(a), 10);
	ck_assert(cJSON_Compare(a, b, 1));
	cJSON_Delete(a);
	cJSON_Delete(b);
	X509_free(oldc);
	X509_free(cert);
	free(csr);
	uk_enroll_cfg_clear(&ec);
	uk_ef_close(&p);
}
END_TEST

START_TEST(renew_rsa_to_ec_archive)
{
	struct uk_p11 p;
	struct uk_enroll_cfg ec;
	struct uk_journal j;
	unsigned char *csr, *label;
	size_t len, llen, n;
	CK_OBJECT_HANDLE h;
	X509 *cert;
	cJSON *subj;
	char cn[128];
	int archived = -1;

	ck_assert_ptr_nonnull(uk_ef_token(0));
	ck_assert_int_eq(uk_ef_open(&p), 0);
	cfg_make(&ec, 1);
	start(&p, &ec, &j, id01, 0, UK_KT_EC_P256, NULL, &csr, &len);
	free(csr);
	/* The request again, with a given subject (same O, new CN). */
	subj = cJSON_Parse("{\"C\":\"CN\",\"O\":\"上海测试有限公司\","
	    "\"CN\":\"上海测试有限公司 2026\"}");
	ck_assert_int_eq(uk_enroll_request(&p, &ec, &j, subj, NULL, &csr,
	    &len), 0);
	cJSON_Delete(subj);
	cert = issue(csr, len, "inter-ca", NULL);
	ck_assert(EVP_PKEY_is_a(X509_get0_pubkey(cert), "EC"));
	ck_assert_int_gt(X509_NAME_get_text_by_NID(
	    X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn)), 0);
	ck_assert_str_eq(cn, "上海测试有限公司 2026");
	install_ok(&p, &ec, &j, cert);
	ck_assert_int_eq(uk_enroll_commit(&p, &ec, &j, &archived), 0);
	ck_assert_int_eq(archived, 1);
	/* Archived: kept, relabelled, still a working pair. */
	ck_assert_int_eq(uk_p11_find(&p, CKO_CERTIFICATE, id01, 1, NULL, &h,
	    1, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(uk_p11_attr(&p, h, CKA_LABEL, &label, &llen), 0);
	ck_assert_str_eq((char *)label, "UKeyLink archived old");
	free(label);
	assert_pairs(&p, 2);
	X509_free(cert);
	free(csr);
	uk_enroll_cfg_clear(&ec);
	uk_ef_close(&p);
}
END_TEST

START_TEST(change_adds_number)
{
	struct uk_p11 p;
	struct uk_enroll_cfg ec;
	struct uk_journal j;
	unsigned char *csr, *csr2;
	size_t len, len2;
	X509 *cert;
	cJSON *add, *nums;
	int archived;

	ck_assert_ptr_nonnull(uk_ef_token(1));
	ck_assert_int_eq(uk_ef_open(&p), 0);
	cfg_make(&ec, 0);
	add = cJSON_Parse("{\"1.2.156.10260.4.1.4\":\"91310000MA1FL0000X\"}");
	/* Numbers may be requested in change mode only. */
	ck_assert_int_eq(uk_enroll_begin(&p, id02, 1, 0, &j), 0);
	{
		EVP_PKEY *pub;

		ck_assert_int_eq(uk_enroll_genkey(&p, &ec, &j, UK_KT_EC_P256,
		    &pub), 0);
		EVP_PKEY_free(pub);
	}
	ck_assert_int_eq(uk_enroll_request(&p, &ec, &j, NULL, add, &csr2,
	    &len2), UK_ERR_INVALID_PARAM);
	ck_assert_ptr_null(csr2);
	ck_assert_int_eq(uk_enroll_rollback(&p, &j), 0);
	ck_assert_int_eq(uk_ef_count(&p, CKO_PRIVATE_KEY, "02"), 1);
	assert_pairs(&p, 1);

	start(&p, &ec, &j, id02, 1, UK_KT_EC_P256, add, &csr, &len);
	cert = issue(csr, len, "inter-ca", NULL);
	nums = uk_registry_numbers(cert, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(nums), 4);
	ck_assert_str_eq(cJSON_GetObjectItem(nums,
	    "1.2.156.10260.4.1.4")->valuestring, "91310000MA1FL0000X");
	cJSON_Delete(nums);
	install_ok(&p, &ec, &j, cert);
	ck_assert_int_eq(uk_enroll_commit(&p, &ec, &j, &archived), 0);
	assert_pairs(&p, 1);
	X509_free(cert);
	free(csr);
	cJSON_Delete(add);
	uk_enroll_cfg_clear(&ec);
	uk_ef_close(&p);
}
END_TEST

START_TEST(renew_refuses_added_number)
{
	struct uk_p11 p;
	struct uk_enroll_cfg ec;
	struct uk_journal j;
	struct uk_ca_opts o = { .oid = "1.2.156.10260.4.1.5",
	    .val = "310104MA1FL00001" };
	STACK_OF(X509) *chain;
	unsigned char *csr;
	size_t len;
	const char *reason;
	X509 *cert;

	ck_assert_ptr_nonnull(uk_ef_token(1));
	ck_assert_int_eq(uk_ef_open(&p), 0);
	cfg_make(&ec, 0);
	start(&p, &ec, &j, id02, 0, UK_KT_EC_P256, NULL, &csr, &len);
	cert = issue(csr, len, "inter-ca", &o);
	chain = chain_of("inter-ca");
	ck_assert_int_eq(uk_enroll_install(&p, &ec, &j, cert, chain,
	    &reason), UK_ERR_CERT_REJECTED);
	ck_assert_str_eq(reason, "registryNumbers");
	ck_assert_int_eq(j.step, UK_STEP_REQUEST);
	sk_X509_pop_free(chain, X509_free);
	X509_free(cert);
	free(csr);
	uk_enroll_cfg_clear(&ec);
	uk_ef_close(&p);
}
END_TEST

START_TEST(install_refuses_bad_certificates)
{
	struct uk_p11 p;
	struct uk_enroll_cfg ec;
	struct uk_journal j, jr;
	unsigned char *csr;
	size_t len, i;
	char *ecpub;
	X509 *cert;
	STACK_OF(X509) *chain;
	const char *reason;
	struct {
		const char *ca, *chain, *reason;
		struct uk_ca_opts o;
	} bad[] = {
		{ "inter-ca", "inter-ca", "keyMismatch",
		    { .pubkey_pem = NULL } },
		{ "foreign-ca", "foreign-ca", "chain", { 0 } },
		{ "inter-ca", "inter-ca", "expired", { .expired = 1 } },
		{ "inter-ca", "inter-ca", "subjectO",
		    { .o = "上海另一家有限公司" } },
		{ "inter-ca", "inter-ca", "registryNumbers",
		    { .oid = "1.2.156.10260.4.1.4",
		    .val = "91310000XXXXXXXXXX" } },
		{ "inter-ca", "inter-ca", "registryNumbers",
		    { .oid = "1.2.156.10260.4.1.2", .val = NULL } },
	};

	ck_assert_ptr_nonnull(uk_ef_token(0));
	ck_assert_int_eq(uk_ef_open(&p), 0);
	cfg_make(&ec, 0);
	start(&p, &ec, &j, id01, 0, UK_KT_EC_P256, NULL, &csr, &len);
	/* Wrong key: the certificate certifies another key. */
	{
		char path[512];
		FILE *fp;
		EVP_PKEY *k;
		BIO *b = BIO_new(BIO_s_mem());
		BUF_MEM *bm;

		snprintf(path, sizeof(path), "%s/leaf-ec.key", uk_ef_pki());
		ck_assert_ptr_nonnull(fp = fopen(path, "r"));
		k = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
		fclose(fp);
		ck_assert_int_eq(PEM_write_bio_PUBKEY(b, k), 1);
		ck_assert_int_eq(BIO_write(b, "", 1), 1);
		BIO_get_mem_ptr(b, &bm);
		ecpub = strdup(bm->data);
		BIO_free(b);
		EVP_PKEY_free(k);
		bad[0].o.pubkey_pem = ecpub;
	}
	for (i = 0; i < UK_ARRAY_LEN(bad); i++) {
		cert = issue(csr, len, bad[i].ca, &bad[i].o);
		chain = chain_of(bad[i].chain);
		reason = NULL;
		ck_assert_msg(uk_enroll_install(&p, &ec, &j, cert, chain,
		    &reason) == UK_ERR_CERT_REJECTED, "case %zu", i);
		ck_assert_ptr_nonnull(reason);
		ck_assert_msg(strcmp(reason, bad[i].reason) == 0,
		    "case %zu: %s", i, reason);
		/* Nothing written; the journal still waits for a cert. */
		ck_assert_int_eq(uk_journal_read(&p, &jr), 0);
		ck_assert_int_eq(jr.step, UK_STEP_REQUEST);
		ck_assert_int_eq(j.step, UK_STEP_REQUEST);
		ck_assert_int_eq(uk_ef_count(&p, CKO_CERTIFICATE, "01"), 1);
		assert_pairs(&p, 1);
		sk_X509_pop_free(chain, X509_free);
		X509_free(cert);
	}
	/* Without the intermediate the chain is incomplete. */
	cert = issue(csr, len, "inter-ca", NULL);
	ck_assert_int_eq(uk_enroll_install(&p, &ec, &j, cert, NULL, &reason),
	    UK_ERR_CERT_REJECTED);
	ck_assert_str_eq(reason, "chain");
	/* The good one is still accepted afterwards. */
	install_ok(&p, &ec, &j, cert);
	X509_free(cert);
	free(ecpub);
	free(csr);
	uk_enroll_cfg_clear(&ec);
	uk_ef_close(&p);
}
END_TEST

static void
make_seal(const char *ca, const char *serial, unsigned char **pkgp,
    size_t *lenp)
{
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/%s", uk_ef_pki(), ca);
	ck_assert_int_eq(uk_ca_seal(dir, serial, "上海测试有限公司合同章", pkgp,
	    lenp), 0);
}

START_TEST(seal_rebound_on_renewal)
{
	struct uk_p11 p;
	struct uk_enroll_cfg ec;
	struct uk_journal j;
	unsigned char *csr, *pkg, *pkg2;
	size_t len, plen, plen2, n;
	char *id, *ser, *oldser = NULL;
	struct uk_seal_obj s[8];
	cJSON *content;
	X509 *cert;
	int archived;

	ck_assert_ptr_nonnull(uk_ef_token(0));
	ck_assert_int_eq(uk_ef_open(&p), 0);
	cfg_make(&ec, 0);
	{
		X509 *oc;

		ck_assert_int_eq(uk_enroll_find_cert(&p, id01, 1, &oc, NULL),
		    0);
		ck_assert_int_eq(uk_cert_serial_hex(oc, &oldser), 0);
		X509_free(oc);
	}
	/* A seal for the current certificate. */
	make_seal("inter-ca", oldser, &pkg, &plen);
	ck_assert_int_eq(uk_seal_verify(&ec, pkg, plen, oldser, &content), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(content, "name")->valuestring,
	    "上海测试有限公司合同章");
	cJSON_Delete(content);
	ck_assert_int_eq(uk_seal_store(&p, pkg, plen, oldser, &id), 0);
	ck_assert_uint_eq(strlen(id), 16);
	free(id);
	ck_assert_uint_eq(uk_seal_count(&p, oldser), 1);

	start(&p, &ec, &j, id01, 0, UK_KT_EC_P256, NULL, &csr, &len);
	cert = issue(csr, len, "inter-ca", NULL);
	install_ok(&p, &ec, &j, cert);
	ck_assert_int_eq(uk_cert_serial_hex(cert, &ser), 0);
	/* The old package does not fit the new certificate. */
	ck_assert_int_eq(uk_seal_verify(&ec, pkg, plen, ser, NULL),
	    UK_ERR_SEAL_INVALID);
	make_seal("inter-ca", ser, &pkg2, &plen2);
	ck_assert_int_eq(uk_seal_verify(&ec, pkg2, plen2, ser, NULL), 0);
	ck_assert_int_eq(uk_seal_store(&p, pkg2, plen2, ser, &id), 0);
	free(id);
	ck_assert_int_eq(uk_journal_write(&p, &j, UK_STEP_SEALED), 0);
	ck_assert_int_eq(uk_enroll_commit(&p, &ec, &j, &archived), 0);
	ck_assert_uint_eq(uk_seal_count(&p, oldser), 0);
	ck_assert_uint_eq(uk_seal_count(&p, ser), 1);
	ck_assert_int_eq(uk_seal_scan(&p, s, 8, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert(uk_seal_same_serial(s[0].serial, ser));
	free(ser);
	free(oldser);
	free(pkg);
	free(pkg2);
	free(csr);
	X509_free(cert);
	uk_enroll_cfg_clear(&ec);
	uk_ef_close(&p);
}
END_TEST

START_TEST(seal_forgeries_refused)
{
	struct uk_enroll_cfg ec;
	unsigned char *pkg;
	size_t plen;

	cfg_make(&ec, 0);
	/* Signed by a CA that is not the seal CA. */
	make_seal("foreign-ca", "1A2B", &pkg, &plen);
	ck_assert_int_eq(uk_seal_verify(&ec, pkg, plen, "1A2B", NULL),
	    UK_ERR_SEAL_INVALID);
	free(pkg);
	make_seal("inter-ca", "1A2B", &pkg, &plen);
	ck_assert_int_eq(uk_seal_verify(&ec, pkg, plen, "001a2b", NULL), 0);
	/* Bound to another certificate. */
	ck_assert_int_eq(uk_seal_verify(&ec, pkg, plen, "1A2C", NULL),
	    UK_ERR_SEAL_INVALID);
	/* Size cap. */
	ec.seal_max = plen - 1;
	ck_assert_int_eq(uk_seal_verify(&ec, pkg, plen, "1A2B", NULL),
	    UK_ERR_MESSAGE_TOO_LARGE);
	ec.seal_max = plen;
	/* One byte of the signed content altered. */
	{
		unsigned char *hit = NULL;
		size_t k;

		for (k = 0; k + 4 <= plen && hit == NULL; k++)
			if (memcmp(pkg + k, "1A2B", 4) == 0)
				hit = pkg + k;

		ck_assert_ptr_nonnull(hit);
		hit[3] = 'C';
		ck_assert_int_eq(uk_seal_verify(&ec, pkg, plen, "1A2C", NULL),
		    UK_ERR_SEAL_INVALID);
	}
	/* Truncated, empty. */
	ck_assert_int_eq(uk_seal_verify(&ec, pkg, plen / 2, "1A2B", NULL),
	    UK_ERR_SEAL_INVALID);
	ck_assert_int_eq(uk_seal_verify(&ec, pkg, 0, "1A2B", NULL),
	    UK_ERR_SEAL_INVALID);
	free(pkg);
	uk_enroll_cfg_clear(&ec);
}
END_TEST

/* --- Unlock ---------------------------------------------------------- */

static cJSON *
fake_request(EVP_PKEY *key, const unsigned char *chal, const char *serial)
{
	unsigned char *spki = NULL;
	int len = i2d_PUBKEY(key, &spki);
	cJSON *r = cJSON_CreateObject();

	ck_assert_int_gt(len, 0);
	cJSON_AddStringToObject(r, "tokenSerial", serial);
	ck_assert_int_eq(uk_json_add_base64(r, "challenge", chal, 32), 0);
	ck_assert_int_eq(uk_json_add_base64(r, "ephemeralKey", spki,
	    (size_t)len), 0);
	OPENSSL_free(spki);
	return r;
}

static int
open_answer(EVP_PKEY *key, const unsigned char *chal, const char *serial,
    const cJSON *ans, unsigned char **ptp, size_t *lenp)
{
	unsigned char *epk, *iv, *ct, *tag;
	size_t el, il, cl, tl;
	int r;

	ck_assert_int_eq(uk_base64_decode(cJSON_GetObjectItem(ans,
	    "ephemeralKey")->valuestring, 512, &epk, &el), 0);
	ck_assert_int_eq(uk_base64_decode(cJSON_GetObjectItem(ans,
	    "iv")->valuestring, 64, &iv, &il), 0);
	ck_assert_int_eq(uk_base64_decode(cJSON_GetObjectItem(ans,
	    "ciphertext")->valuestring, 1024, &ct, &cl), 0);
	ck_assert_int_eq(uk_base64_decode(cJSON_GetObjectItem(ans,
	    "tag")->valuestring, 64, &tag, &tl), 0);
	r = uk_unlock_open(key, epk, el, chal, 32, serial, iv, il, ct, cl,
	    tag, tl, ptp, lenp);
	free(epk);
	free(iv);
	free(ct);
	free(tag);
	return r;
}

START_TEST(unlock_envelope)
{
	EVP_PKEY *key, *other;
	unsigned char chal[32], *pt;
	size_t len;
	cJSON *req, *ans;
	int tweak;
	char pin[9];

	memset(chal, 0x5a, sizeof(chal));
	ck_assert_int_eq(uk_unlock_keygen(&key), 0);
	ck_assert_int_eq(uk_unlock_keygen(&other), 0);
	req = fake_request(key, chal, "A1B2C3D4E5F60718");
	ans = uk_unlock_ca_answer(req, UK_EF_SO_PIN, "24681357", 0);
	ck_assert_ptr_nonnull(ans);
	ck_assert_int_eq(open_answer(key, chal, "A1B2C3D4E5F60718", ans, &pt,
	    &len), 0);
	ck_assert_str_eq((char *)pt,
	    "{\"soPin\":\"87654321\",\"newPin\":\"24681357\"}");
	uk_freezero(pt, len + 1);
	/* Another request's key cannot open it. */
	ck_assert_int_eq(open_answer(other, chal, "A1B2C3D4E5F60718", ans,
	    &pt, &len), UK_ERR_UNLOCK_INVALID);
	ck_assert_ptr_null(pt);
	cJSON_Delete(ans);
	/* Altered ciphertext, foreign serial, another challenge. */
	for (tweak = 1; tweak <= 3; tweak++) {
		ans = uk_unlock_ca_answer(req, UK_EF_SO_PIN, NULL, tweak);
		ck_assert_ptr_nonnull(ans);
		ck_assert_int_eq(open_answer(key, chal, "A1B2C3D4E5F60718",
		    ans, &pt, &len), UK_ERR_UNLOCK_INVALID);
		ck_assert_ptr_null(pt);
		ck_assert_uint_eq(len, 0);
		cJSON_Delete(ans);
	}
	ck_assert_int_eq(uk_unlock_random_pin(pin, 8), 0);
	ck_assert_uint_eq(strlen(pin), 8);
	ck_assert_uint_eq(strspn(pin, "0123456789"), 8);
	cJSON_Delete(req);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}
END_TEST

START_TEST(unlock_init_pin_forgotten)
{
	struct uk_p11 p;

	/* SoftHSM never locks a PIN: a forgotten PIN stands in for it. */
	ck_assert_ptr_nonnull(uk_ef_token(0));
	ck_assert_int_eq(uk_ef_open(&p), 0);
	ck_assert_int_eq(p.fn->C_Logout(p.s), CKR_OK);
	ck_assert_int_eq(uk_p11_init_pin(&p, "00000000", "13572468"),
	    UK_ERR_UNLOCK_INVALID);
	ck_assert_int_eq(p.fn->C_Login(p.s, CKU_USER,
	    (CK_UTF8CHAR_PTR)"13572468", 8), CKR_PIN_INCORRECT);
	ck_assert_int_eq(uk_p11_init_pin(&p, UK_EF_SO_PIN, "13572468"), 0);
	ck_assert_int_eq(p.fn->C_Login(p.s, CKU_USER,
	    (CK_UTF8CHAR_PTR)UK_EF_PIN, 8), CKR_PIN_INCORRECT);
	ck_assert_int_eq(p.fn->C_Login(p.s, CKU_USER,
	    (CK_UTF8CHAR_PTR)"13572468", 8), CKR_OK);
	assert_pairs(&p, 1);
	uk_ef_close(&p);
}
END_TEST

/* --- Fault injection ------------------------------------------------- */

static unsigned long fault_write;
static const char *fault_step;

static void
fault_hook(const char *kind, const char *name, unsigned long n)
{
	if ((fault_write != 0 && strcmp(kind, "write") == 0 &&
	    n == fault_write) ||
	    (fault_step != NULL && strcmp(kind, "step") == 0 &&
	    strcmp(name, fault_step) == 0))
		_exit(42);
}

/* The whole renewal with a seal re-bind; exits 0 when it completes. */
static void
child_flow(void)
{
	struct uk_p11 p;
	struct uk_enroll_cfg ec;
	struct uk_journal j;
	unsigned char *csr, *pkg;
	size_t len, plen;
	char *ser, *id;
	X509 *cert;
	int archived;

	if (uk_ef_open(&p) != 0)
		_exit(3);
	cfg_make(&ec, 0);
	uk_fault_hook = fault_hook;
	start(&p, &ec, &j, id01, 0, UK_KT_EC_P256, NULL, &csr, &len);
	cert = issue(csr, len, "inter-ca", NULL);
	install_ok(&p, &ec, &j, cert);
	if (uk_cert_serial_hex(cert, &ser) != 0)
		_exit(4);
	make_seal("inter-ca", ser, &pkg, &plen);
	if (uk_seal_store(&p, pkg, plen, ser, &id) != 0 ||
	    uk_journal_write(&p, &j, UK_STEP_SEALED) != 0 ||
	    uk_enroll_commit(&p, &ec, &j, &archived) != 0)
		_exit(5);
	_exit(0);
}

/* Recovers; checks the token; finishes an awaited certificate. */
static void
child_recover(void)
{
	struct uk_p11 p;
	struct uk_enroll_cfg ec;
	struct uk_journal j;
	cJSON *res = NULL;
	const char *action;
	unsigned char *csr;
	size_t len;
	X509 *cert;
	int u, b, archived;

	if (uk_ef_open(&p) != 0)
		_exit(3);
	cfg_make(&ec, 0);
	if (uk_enroll_recover(&p, &ec, &res) != 0)
		_exit(10);
	action = cJSON_GetObjectItem(res, "action")->valuestring;
	if (uk_ef_check_pairs(&p, &u, &b) != 0 || u < 1 || b != 0)
		_exit(11);
	if (uk_journal_read(&p, &j) != 0)
		_exit(12);
	if (strcmp(action, "awaitingCertificate") == 0) {
		/* The orphan key is reported; the portal re-delivers. */
		if (j.step != UK_STEP_REQUEST ||
		    cJSON_GetArraySize(cJSON_GetObjectItem(res,
		    "orphanKeys")) != 1 ||
		    uk_enroll_request(&p, &ec, &j, NULL, NULL, &csr,
		    &len) != 0)
			_exit(13);
		cert = issue(csr, len, "inter-ca", NULL);
		install_ok(&p, &ec, &j, cert);
		if (uk_enroll_commit(&p, &ec, &j, &archived) != 0)
			_exit(14);
	} else if (j.step != UK_STEP_NONE)
		_exit(15);
	if (uk_ef_check_pairs(&p, &u, &b) != 0 || u < 1 || b != 0)
		_exit(16);
	/* A second recovery has nothing left to do. */
	cJSON_Delete(res);
	if (uk_enroll_recover(&p, &ec, &res) != 0 ||
	    strcmp(cJSON_GetObjectItem(res, "action")->valuestring,
	    "none") != 0)
		_exit(17);
	cJSON_Delete(res);
	_exit(0);
}

static int
run_child(void (*fn)(void))
{
	pid_t pid;
	int st;

	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0)
		fn();
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

START_TEST(fault_every_step)
{
	static const char *const steps[] = { "begun", "generatingKey",
	    "keyGenerated", "requestIssued", "installingCertificate",
	    "certificateInstalled", "sealRebound", "retiringOld", "done" };
	size_t i;
	int st;

	fault_write = 0;
	for (i = 0; i < UK_ARRAY_LEN(steps); i++) {
		fault_step = steps[i];
		ck_assert_ptr_nonnull(uk_ef_token(0));
		st = run_child(child_flow);
		ck_assert_msg(st == 42, "step %s: flow exit %d", steps[i], st);
		st = run_child(child_recover);
		ck_assert_msg(st == 0, "step %s: recovery check %d", steps[i],
		    st);
	}
}
END_TEST

static Suite *
enroll_core_suite(void)
{
	Suite *s = suite_create("enroll_core");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, uk_ef_global_setup,
	    uk_ef_global_teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, renew_rsa_to_rsa);
	tcase_add_test(tc, renew_rsa_to_ec_archive);
	tcase_add_test(tc, change_adds_number);
	tcase_add_test(tc, renew_refuses_added_number);
	tcase_add_test(tc, install_refuses_bad_certificates);
	tcase_add_test(tc, seal_rebound_on_renewal);
	tcase_add_test(tc, seal_forgeries_refused);
	tcase_add_test(tc, unlock_envelope);
	tcase_add_test(tc, unlock_init_pin_forgotten);
	tcase_add_test(tc, fault_every_step);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(enroll_core_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
