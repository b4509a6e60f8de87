/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * SM2 renewal through the real host binary on the PKCS#11 test token
 * (tests/support/p11test): key pair by the vendor mechanism 0x80008001,
 * the request signed by pkcs11.sm2Mechanism alone (enroll.sm2Mechanisms
 * without "sign"), in both answer forms (0x80008100 r ‖ s, 0x80008101
 * DER), the certificate issued by the test PKI's SM2 CA with the openssl
 * command, installed, committed with the old pair deleted or archived.
 * Every SM2 signature is checked with the openssl command, independently
 * of the host.  Also: the SM2 mechanisms --diagnose reports, the refusals
 * without them, and the test token's object calls on their own (the CKR
 * codes the enrolment relies on).
 */
#include "uk_setup.h"

#include <sys/types.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>
#include <p11-kit/pkcs11.h>

#include "err.h"
#include "hostcall.h"
#include "hostproc.h"
#include "json.h"
#include "p11test_fixture.h"
#include "softhsm.h"

#define PIN		"12345678"
#define MECH_RAW	"2147516672"	/* 0x80008100 CKM_SM3_SM2: r ‖ s */
#define MECH_DER	"2147516673"	/* 0x80008101 CKM_SM3_SM2_DER */
#define MECH_KEYGEN	"2147516417"	/* 0x80008001 CKM_SM2_KEY_PAIR_GEN */
#define SM2_ID		"1234567812345678"

static struct uk_p11t fx;	/* the test token, its PKI, work/ */
static struct uk_hostproc hp;
static char tok[128];

static const char msg[] = "UKeyLink SM2 续期 test signature";

#define okf(...)	uk_hc_call(&hp, UK_HC_RESULT, __VA_ARGS__)
#define errf(code, ...)	uk_hc_call(&hp, code, __VA_ARGS__)

/* --- Host ----------------------------------------------------------- */

/*
 * The configuration (malloc'd): the test token with pkcs11 members pk, the
 * SM2 CA as trust anchor, enroll members en.
 */
static char *
config(const char *pk, const char *en)
{
	char pkcs11[512], more[512];
	char *s;

	snprintf(pkcs11, sizeof(pkcs11), "\"modules\":[\"%s\"]%s%s",
	    UK_TEST_P11TEST_PATH, pk[0] != '\0' ? "," : "", pk);
	snprintf(more, sizeof(more), "\"trustAnchors\":[\"%s/sm2-ca.pem\"],"
	    "\"enroll\":{%s}", fx.pki, en);
	ck_assert_ptr_nonnull(s = uk_test_config_more(pkcs11, NULL, more));
	return s;
}

static void
start(const char *pk, const char *en)
{
	char *cfg = config(pk, en);

	ck_assert_int_eq(uk_hostproc_start_test(&hp, cfg), 0);
	free(cfg);
	uk_hc_only_token(&hp, tok, sizeof(tok));
	cJSON_Delete(okf("token.login", "{\"token\":\"%s\",\"pin\":\"" PIN
	    "\"}", tok));
}

/* --diagnose with config(pk, en): what it printed (malloc'd). */
static char *
diagnose(const char *pk, const char *en)
{
	char *cfg = config(pk, en), *out;

	out = uk_hostproc_diagnose(cfg);
	free(cfg);
	ck_assert_ptr_nonnull(out);
	return out;
}

static void
finish(void)
{
	/* 0 also means: no leak in the host or the module (ASan build). */
	ck_assert_int_eq(uk_hostproc_finish(&hp, 10000), 0);
}

static void
write_work(const char *name, const char *text)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", fx.work, name);
	ck_assert_int_eq(uk_test_write_file(path, text, strlen(text)), 0);
}

/* The certificate of cert.list with certId id, NULL when there is none
 * (detached: the caller deletes it). */
static cJSON *
listed(const char *id)
{
	cJSON *resp = okf("cert.list", "{\"token\":\"%s\"}", tok), *c, *got;

	got = NULL;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(uk_hc_res(resp), "certs"))
		if (strcmp(uk_hc_str(c, "certId"), id) == 0)
			got = cJSON_Duplicate(c, 1);
	cJSON_Delete(resp);
	return got;
}

/* --- Renewal -------------------------------------------------------- */

/* `openssl req -verify` of OpenSSL 3.0 exits 0 either way: its verdict
 * is in what it prints.  0 when req.der verifies with signer ID opt. */
static int
req_verifies(const char *opt)
{
	return uk_test_sh("openssl req -inform DER -in %s/req.der -noout "
	    "-verify %s 2>&1 | grep -q 'verify OK'", fx.work, opt);
}

/*
 * The CSR of createRequest: an SM2-with-SM3 signature that openssl
 * verifies with the GM/T 0009 default ID (and not with OpenSSL 3.0's
 * empty one: the ID matters, the check is not vacuous), over the public
 * key generateKeyPair reported (new.pub.der).
 */
static void
check_csr(const char *csr)
{
	const char *w = fx.work;

	uk_hc_save_b64(w, "req.der", csr);
	ck_assert_int_eq(req_verifies("-vfyopt distid:" SM2_ID), 0);
	ck_assert_int_ne(req_verifies(""), 0);
	ck_assert_int_eq(uk_test_sh("openssl req -inform DER -in %s/req.der "
	    "-noout -text | grep -q 'Signature Algorithm: SM2-with-SM3'",
	    w), 0);
	ck_assert_int_eq(uk_test_sh("openssl req -inform DER -in %s/req.der "
	    "-noout -pubkey >%s/req.pub && openssl pkey -pubin -inform DER "
	    "-in %s/new.pub.der >%s/new.pub && cmp %s/req.pub %s/new.pub",
	    w, w, w, w, w, w), 0);
	ck_assert_int_eq(uk_test_sh("openssl pkey -pubin -in %s/req.pub "
	    "-noout -text | grep -q 'ASN1 OID: SM2'", w), 0);
}

/*
 * (uk_test_sh appends its own >/dev/null: a command's output goes to a
 * file through -out, or before the last command of a list.)
 *
 * The SM2 CA issues with the openssl command; `openssl ca` checks the
 * request's signature itself, with the GM/T default ID, and signs the
 * certificate with it too, as GM/T 0015 CAs do (SM3; OpenSSL 3.0's own
 * default would be an empty ID): the host's chain check must take it
 * (uk_x509_verify_cb).  Returns base64 DER (malloc'd).
 */
static char *
ca_issue(void)
{
	const char *w = fx.work;
	char path[160], *b64;

	ck_assert_int_eq(uk_test_sh("openssl req -inform DER -in %s/req.der "
	    "-out %s/req.pem && bash %s/tests/pki/issue.sh %s/sm2-ca "
	    "%s/req.pem %s/new.pem -md sm3 -vfyopt distid:" SM2_ID
	    " -sigopt distid:" SM2_ID " && "
	    "openssl x509 -in %s/new.pem -outform DER -out %s/new.der && "
	    "openssl x509 -in %s/new.pem -noout -pubkey -out %s/cert.pub",
	    w, w, UK_TEST_SOURCE_DIR, fx.pki, w, w, w, w, w, w), 0);
	snprintf(path, sizeof(path), "%s/new.der", w);
	ck_assert_ptr_nonnull(b64 = uk_test_file_b64(path));
	return b64;
}

/* A sign.data with the new key, verified by openssl pkeyutl with the
 * new certificate's key (and a different message must not verify). */
static void
check_new_signs(const char *id)
{
	cJSON *resp;
	char *b64;

	write_work("msg", msg);
	write_work("other", "UKeyLink SM2 another message");
	b64 = uk_base64_encode((const unsigned char *)msg, strlen(msg));
	ck_assert_ptr_nonnull(b64);
	resp = okf("sign.data", "{\"token\":\"%s\",\"certId\":\"%s\","
	    "\"data\":\"%s\"}", tok, id, b64);
	uk_hc_save_b64(fx.work, "sig", uk_hc_str(uk_hc_res(resp), "signature"));
	ck_assert_int_eq(uk_test_sh("openssl pkeyutl -verify -pubin -inkey "
	    "%s/cert.pub -rawin -digest sm3 -pkeyopt distid:" SM2_ID " -in "
	    "%s/msg -sigfile %s/sig", fx.work, fx.work, fx.work), 0);
	ck_assert_int_ne(uk_test_sh("openssl pkeyutl -verify -pubin -inkey "
	    "%s/cert.pub -rawin -digest sm3 -pkeyopt distid:" SM2_ID " -in "
	    "%s/other -sigfile %s/sig", fx.work, fx.work, fx.work), 0);
	cJSON_Delete(resp);
	free(b64);
}

/*
 * One renewal of certificate 01, signing with pkcs11.sm2Mechanism mech
 * (enroll.sm2Mechanisms has keyGen only), retiring the old pair as
 * retire says.
 */
static void
renew(const char *mech, int archive)
{
	char pk[64], en[160], *txn, *id, *cert;
	cJSON *res, *c;

	snprintf(pk, sizeof(pk), "\"sm2Mechanism\":%s", mech);
	snprintf(en, sizeof(en), "\"retireOld\":\"%s\",\"sm2Mechanisms\":"
	    "{\"keyGen\":" MECH_KEYGEN "}", archive ? "archive" : "delete");
	start(pk, en);
	res = okf("enroll.begin", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"mode\":\"renew\"}", tok);
	txn = strdup(uk_hc_str(uk_hc_res(res), "transaction"));
	cJSON_Delete(res);

	res = okf("enroll.generateKeyPair", "{\"token\":\"%s\","
	    "\"transaction\":\"%s\",\"keyType\":\"sm2\"}", tok, txn);
	id = strdup(uk_hc_str(uk_hc_res(res), "keyId"));
	ck_assert_uint_eq(strlen(id), 32);
	ck_assert_ptr_nonnull(strstr(uk_hc_str(uk_hc_res(res), "label"),
	    "UKeyLink "));
	uk_hc_save_b64(fx.work, "new.pub.der", uk_hc_str(uk_hc_res(res),
	    "publicKey"));
	cJSON_Delete(res);

	res = okf("enroll.createRequest", "{\"token\":\"%s\","
	    "\"transaction\":\"%s\"}", tok, txn);
	check_csr(uk_hc_str(uk_hc_res(res), "csr"));
	cJSON_Delete(res);
	cert = ca_issue();

	res = okf("enroll.installCertificate", "{\"token\":\"%s\","
	    "\"transaction\":\"%s\",\"cert\":\"%s\"}", tok, txn, cert);
	ck_assert_str_eq(uk_hc_str(uk_hc_res(res), "certId"), id);
	cJSON_Delete(res);
	res = okf("enroll.commit", "{\"token\":\"%s\",\"transaction\":\"%s\"}",
	    tok, txn);
	ck_assert_str_eq(uk_hc_str(cJSON_GetObjectItem(uk_hc_res(res),
	    "retired"), "certId"), "01");
	ck_assert(cJSON_IsBool(cJSON_GetObjectItem(uk_hc_res(res),
	    "archived")));
	ck_assert_int_eq(cJSON_IsTrue(cJSON_GetObjectItem(uk_hc_res(res),
	    "archived")), archive);
	cJSON_Delete(res);

	/* The new certificate, paired with the new key. */
	ck_assert_ptr_nonnull(c = listed(id));
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(c, "hasKey")));
	ck_assert_str_eq(uk_hc_str(c, "keyType"), "SM2");
	cJSON_Delete(c);
	/* The old pair: gone, or kept under an archive label. */
	c = listed("01");
	if (archive) {
		ck_assert_ptr_nonnull(c);
		ck_assert_ptr_eq(strstr(uk_hc_str(c, "label"),
		    "UKeyLink archived "), uk_hc_str(c, "label"));
		ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(c, "hasKey")));
	} else
		ck_assert_ptr_null(c);
	cJSON_Delete(c);
	check_new_signs(id);
	res = okf("enroll.status", "{\"token\":\"%s\"}", tok);
	ck_assert_ptr_null(cJSON_GetObjectItem(uk_hc_res(res),
	    "transaction"));
	cJSON_Delete(res);
	finish();
	free(cert);
	free(id);
	free(txn);
}

/* _i: bit 0 the mechanism's form (r ‖ s, DER), bit 1 archive. */
START_TEST(test_renew_sm2)
{
	renew(_i & 1 ? MECH_DER : MECH_RAW, (_i & 2) != 0);
}
END_TEST

/* Without a signing mechanism, or without keyGen, sm2 is MECHANISM and
 * the transaction stays where it was. */
START_TEST(test_renew_sm2_unconfigured)
{
	static const struct {
		const char *pk, *en;
	} cases[] = {
		{ "", "\"sm2Mechanisms\":{\"keyGen\":" MECH_KEYGEN "}" },
		{ "\"sm2Mechanism\":" MECH_RAW, "" },
		{ "\"sm2Mechanism\":" MECH_RAW, "\"sm2Mechanisms\":"
		    "{\"keyGen\":" MECH_KEYGEN ",\"sign\":0}" },
		/* a keyGen number the token does not offer */
		{ "\"sm2Mechanism\":" MECH_RAW, "\"sm2Mechanisms\":"
		    "{\"keyGen\":2147516418}" },
	};
	cJSON *res;
	char *txn;
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(cases); i++) {
		start(cases[i].pk, cases[i].en);
		res = okf("enroll.begin", "{\"token\":\"%s\",\"certId\":"
		    "\"01\",\"mode\":\"renew\"}", tok);
		txn = strdup(uk_hc_str(uk_hc_res(res), "transaction"));
		cJSON_Delete(res);
		cJSON_Delete(errf(UK_ERR_MECHANISM, "enroll.generateKeyPair",
		    "{\"token\":\"%s\",\"transaction\":\"%s\",\"keyType\":"
		    "\"sm2\"}", tok, txn));
		res = okf("enroll.status", "{\"token\":\"%s\"}", tok);
		ck_assert_str_eq(uk_hc_str(uk_hc_res(res), "step"), "begun");
		cJSON_Delete(res);
		cJSON_Delete(okf("enroll.abort", "{\"token\":\"%s\","
		    "\"transaction\":\"%s\"}", tok, txn));
		finish();
		free(txn);
	}
}
END_TEST

/* --diagnose names the SM2 mechanisms in effect and where they come
 * from. */
START_TEST(test_diagnose_sm2_mechanisms)
{
	char *out;

	out = diagnose("\"sm2Mechanism\":" MECH_RAW, "\"sm2Mechanisms\":"
	    "{\"keyGen\":" MECH_KEYGEN "}");
	uk_hc_assert_line(out, "  sm2 key generation: 0x80008001 "
	    "(enroll.sm2Mechanisms.keyGen)", NULL);
	uk_hc_assert_line(out, "  sm2 request signing: 0x80008100 "
	    "(pkcs11.sm2Mechanism)", NULL);
	free(out);
	out = diagnose("\"sm2Mechanism\":" MECH_RAW, "\"sm2Mechanisms\":"
	    "{\"keyGen\":" MECH_KEYGEN ",\"sign\":" MECH_DER "}");
	uk_hc_assert_line(out, "  sm2 request signing: 0x80008101 "
	    "(enroll.sm2Mechanisms.sign)", NULL);
	free(out);
	out = diagnose("", "");
	uk_hc_assert_line(out, "  sm2 key generation: none", "refused",
	    NULL);
	uk_hc_assert_line(out, "  sm2 request signing: none",
	    "pkcs11.sm2Mechanism", NULL);
	free(out);
}
END_TEST

/* --- The test token's object calls, without the host ---------------- */

static void *mod;
static CK_FUNCTION_LIST_PTR fn;

static void
mod_open(void)
{
	CK_RV (*gfl)(CK_FUNCTION_LIST_PTR_PTR);

	ck_assert_ptr_nonnull(mod = dlopen(UK_TEST_P11TEST_PATH, RTLD_NOW));
	ck_assert_ptr_nonnull(gfl = (CK_RV (*)(CK_FUNCTION_LIST_PTR_PTR))
	    dlsym(mod, "C_GetFunctionList"));
	ck_assert_uint_eq(gfl(&fn), CKR_OK);
	ck_assert_uint_eq(fn->C_Initialize(NULL), CKR_OK);
}

static void
mod_close(void)
{
	ck_assert_uint_eq(fn->C_Finalize(NULL), CKR_OK);
	dlclose(mod);
}

static CK_SESSION_HANDLE
session(int rw)
{
	CK_SESSION_HANDLE s;

	ck_assert_uint_eq(fn->C_OpenSession(1, CKF_SERIAL_SESSION |
	    (rw ? CKF_RW_SESSION : 0), NULL, NULL, &s), CKR_OK);
	return s;
}

static CK_ULONG
count(CK_SESSION_HANDLE s, CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_OBJECT_HANDLE hs[64];
	CK_ULONG got;

	ck_assert_uint_eq(fn->C_FindObjectsInit(s, t, n), CKR_OK);
	ck_assert_uint_eq(fn->C_FindObjects(s, hs, 64, &got), CKR_OK);
	ck_assert_uint_eq(fn->C_FindObjectsFinal(s), CKR_OK);
	return got;
}

static const unsigned char oid_sm2[] = {
	0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d
};
static const unsigned char oid_p256[] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};

START_TEST(test_module_keygen)
{
	CK_MECHANISM m = { 0x80008001UL, NULL, 0 }, ec = {
	    CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE, b;
	CK_KEY_TYPE kt;
	CK_OBJECT_CLASS cpriv = CKO_PRIVATE_KEY;
	unsigned char id[] = { 0x5b, 0xe0, 0x3a, 0x11 }, ep[16];
	char label[] = "UKeyLink 20261126 5be03a11", got[64];
	CK_ATTRIBUTE pub[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_VERIFY, &yes, sizeof(yes) },
		{ CKA_ID, id, sizeof(id) },
		{ CKA_LABEL, label, sizeof(label) - 1 },
		{ CKA_EC_PARAMS, (void *)oid_sm2, sizeof(oid_sm2) },
	}, priv[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &no, sizeof(no) },
		{ CKA_SIGN, &yes, sizeof(yes) },
		{ CKA_ID, id, sizeof(id) },
		{ CKA_LABEL, label, sizeof(label) - 1 },
	}, byid[] = { { CKA_ID, id, sizeof(id) } },
	    privid[] = { { CKA_CLASS, &cpriv, sizeof(cpriv) },
	    { CKA_ID, id, sizeof(id) } }, a;
	CK_OBJECT_HANDLE hpub, hpriv;
	CK_SESSION_HANDLE ro, rw;

	mod_open();
	ro = session(0);
	rw = session(1);
	/* a private key needs a user login; a token object a R/W session */
	ck_assert_uint_eq(fn->C_GenerateKeyPair(rw, &m, pub, 6, priv, 7,
	    &hpub, &hpriv), CKR_USER_NOT_LOGGED_IN);
	ck_assert_uint_eq(fn->C_Login(rw, CKU_USER, (CK_UTF8CHAR_PTR)PIN,
	    strlen(PIN)), CKR_OK);
	ck_assert_uint_eq(fn->C_GenerateKeyPair(ro, &m, pub, 6, priv, 7,
	    &hpub, &hpriv), CKR_SESSION_READ_ONLY);
	/* SM2 only, and only through the SM2 mechanism */
	ck_assert_uint_eq(fn->C_GenerateKeyPair(rw, &ec, pub, 6, priv, 7,
	    &hpub, &hpriv), CKR_MECHANISM_INVALID);
	pub[5].pValue = (void *)oid_p256;
	ck_assert_uint_eq(fn->C_GenerateKeyPair(rw, &m, pub, 6, priv, 7,
	    &hpub, &hpriv), CKR_DOMAIN_PARAMS_INVALID);
	pub[5].pValue = (void *)oid_sm2;
	/* what the module cannot give is refused, not ignored */
	priv[3].pValue = &yes;
	ck_assert_uint_eq(fn->C_GenerateKeyPair(rw, &m, pub, 6, priv, 7,
	    &hpub, &hpriv), CKR_ATTRIBUTE_VALUE_INVALID);
	priv[3].pValue = &no;
	ck_assert_uint_eq(count(rw, byid, 1), 0);
	ck_assert_uint_eq(fn->C_GenerateKeyPair(rw, &m, pub, 6, priv, 7,
	    &hpub, &hpriv), CKR_OK);
	ck_assert_uint_ne(hpub, hpriv);
	/* the pair as the spec and the model say */
	a = (CK_ATTRIBUTE){ CKA_KEY_TYPE, &kt, sizeof(kt) };
	ck_assert_uint_eq(fn->C_GetAttributeValue(rw, hpriv, &a, 1), CKR_OK);
	ck_assert_uint_eq(kt, CKK_EC);
	a = (CK_ATTRIBUTE){ CKA_EC_PARAMS, ep, sizeof(ep) };
	ck_assert_uint_eq(fn->C_GetAttributeValue(rw, hpub, &a, 1), CKR_OK);
	ck_assert_uint_eq(a.ulValueLen, sizeof(oid_sm2));
	ck_assert_mem_eq(ep, oid_sm2, sizeof(oid_sm2));
	a = (CK_ATTRIBUTE){ CKA_LABEL, got, sizeof(got) };
	ck_assert_uint_eq(fn->C_GetAttributeValue(rw, hpriv, &a, 1), CKR_OK);
	ck_assert_uint_eq(a.ulValueLen, strlen(label));
	ck_assert_mem_eq(got, label, strlen(label));
	a = (CK_ATTRIBUTE){ CKA_DECRYPT, &b, sizeof(b) };
	ck_assert_uint_eq(fn->C_GetAttributeValue(rw, hpriv, &a, 1), CKR_OK);
	ck_assert_uint_eq(b, CK_TRUE);
	a = (CK_ATTRIBUTE){ CKA_LOCAL, &b, sizeof(b) };
	ck_assert_uint_eq(fn->C_GetAttributeValue(rw, hpriv, &a, 1), CKR_OK);
	ck_assert_uint_eq(b, CK_TRUE);
	a = (CK_ATTRIBUTE){ CKA_VALUE, got, sizeof(got) };
	ck_assert_uint_eq(fn->C_GetAttributeValue(rw, hpriv, &a, 1),
	    CKR_ATTRIBUTE_SENSITIVE);
	/* found by CKA_ID in every session; the private key after a login
	 * only */
	ck_assert_uint_eq(count(ro, byid, 1), 2);
	ck_assert_uint_eq(count(ro, privid, 2), 1);
	ck_assert_uint_eq(fn->C_Logout(rw), CKR_OK);
	ck_assert_uint_eq(count(ro, byid, 1), 1);
	ck_assert_uint_eq(fn->C_DestroyObject(rw, hpriv),
	    CKR_OBJECT_HANDLE_INVALID);
	ck_assert_uint_eq(fn->C_CloseSession(ro), CKR_OK);
	ck_assert_uint_eq(fn->C_CloseSession(rw), CKR_OK);
	/* in memory only: a new C_Initialize has the fixtures again */
	mod_close();
	mod_open();
	ro = session(0);
	ck_assert_uint_eq(count(ro, byid, 1), 0);
	mod_close();
}
END_TEST

START_TEST(test_module_objects)
{
	CK_OBJECT_CLASS cdata = CKO_DATA, ccert = CKO_CERTIFICATE;
	CK_CERTIFICATE_TYPE x509 = CKC_X_509;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	char app[] = "UKeyLink enroll journal", val[] = "{\"version\":1}";
	char newlabel[] = "UKeyLink archived old", got[64];
	unsigned char id[] = { 0x01 }, junk[] = { 0x30, 0x03, 0x02, 0x01,
	    0x01 };
	CK_ATTRIBUTE data[] = {
		{ CKA_CLASS, &cdata, sizeof(cdata) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_MODIFIABLE, &yes, sizeof(yes) },
		{ CKA_APPLICATION, app, sizeof(app) - 1 },
		{ CKA_LABEL, app, sizeof(app) - 1 },
		{ CKA_VALUE, val, sizeof(val) - 1 },
	}, cert[] = {
		{ CKA_CLASS, &ccert, sizeof(ccert) },
		{ CKA_CERTIFICATE_TYPE, &x509, sizeof(x509) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_ID, id, sizeof(id) },
		{ CKA_VALUE, junk, sizeof(junk) },
	}, byapp[] = {
		{ CKA_CLASS, &cdata, sizeof(cdata) },
		{ CKA_APPLICATION, app, sizeof(app) - 1 },
	}, a;
	CK_OBJECT_HANDLE h, h2, hs[8];
	CK_SESSION_HANDLE ro, rw;
	CK_ULONG n;

	mod_open();
	ro = session(0);
	rw = session(1);
	/* a public data object needs no login, but a R/W session */
	ck_assert_uint_eq(fn->C_CreateObject(ro, data, 7, &h),
	    CKR_SESSION_READ_ONLY);
	ck_assert_uint_eq(fn->C_CreateObject(rw, data, 7, &h), CKR_OK);
	ck_assert_uint_eq(count(ro, byapp, 2), 1);
	a = (CK_ATTRIBUTE){ CKA_VALUE, got, sizeof(got) };
	ck_assert_uint_eq(fn->C_GetAttributeValue(ro, h, &a, 1), CKR_OK);
	ck_assert_uint_eq(a.ulValueLen, strlen(val));
	/* data objects have no CKA_ID */
	a = (CK_ATTRIBUTE){ CKA_ID, got, sizeof(got) };
	ck_assert_uint_eq(fn->C_GetAttributeValue(ro, h, &a, 1),
	    CKR_ATTRIBUTE_TYPE_INVALID);
	/* session objects are not made; private ones need a login */
	data[1].pValue = &no;
	ck_assert_uint_eq(fn->C_CreateObject(rw, data, 7, &h2),
	    CKR_ATTRIBUTE_VALUE_INVALID);
	data[1].pValue = &yes;
	data[2].pValue = &yes;
	ck_assert_uint_eq(fn->C_CreateObject(rw, data, 7, &h2),
	    CKR_USER_NOT_LOGGED_IN);
	data[2].pValue = &no;
	/* a certificate needs its type and a value that is one */
	ck_assert_uint_eq(fn->C_CreateObject(rw, cert, 1, &h2),
	    CKR_TEMPLATE_INCOMPLETE);
	ck_assert_uint_eq(fn->C_CreateObject(rw, cert, 5, &h2),
	    CKR_ATTRIBUTE_VALUE_INVALID);
	ck_assert_uint_eq(fn->C_CreateObject(rw, data + 1, 6, &h2),
	    CKR_TEMPLATE_INCOMPLETE);
	/* relabel: CKA_LABEL changes, CKA_CLASS is read-only, a type the
	 * object does not have is invalid; nothing changes on a refusal */
	ck_assert_uint_eq(fn->C_Login(rw, CKU_USER, (CK_UTF8CHAR_PTR)PIN,
	    strlen(PIN)), CKR_OK);
	ck_assert_uint_eq(fn->C_FindObjectsInit(rw, cert + 3, 1), CKR_OK);
	ck_assert_uint_eq(fn->C_FindObjects(rw, hs, 8, &n), CKR_OK);
	ck_assert_uint_eq(fn->C_FindObjectsFinal(rw), CKR_OK);
	ck_assert_uint_eq(n, 3);	/* fixture 01: cert, public, private */
	a = (CK_ATTRIBUTE){ CKA_LABEL, newlabel, sizeof(newlabel) - 1 };
	ck_assert_uint_eq(fn->C_SetAttributeValue(ro, hs[0], &a, 1),
	    CKR_SESSION_READ_ONLY);
	{
		CK_ATTRIBUTE two[] = {
			{ CKA_LABEL, newlabel, sizeof(newlabel) - 1 },
			{ CKA_CLASS, &cdata, sizeof(cdata) },
		}, bad = { CKA_APPLICATION, app, sizeof(app) - 1 };

		ck_assert_uint_eq(fn->C_SetAttributeValue(rw, hs[0], two, 2),
		    CKR_ATTRIBUTE_READ_ONLY);
		ck_assert_uint_eq(fn->C_SetAttributeValue(rw, hs[0], &bad, 1),
		    CKR_ATTRIBUTE_TYPE_INVALID);
	}
	a = (CK_ATTRIBUTE){ CKA_LABEL, got, sizeof(got) };
	ck_assert_uint_eq(fn->C_GetAttributeValue(rw, hs[0], &a, 1), CKR_OK);
	ck_assert(a.ulValueLen != strlen(newlabel) ||
	    memcmp(got, newlabel, a.ulValueLen) != 0);
	a = (CK_ATTRIBUTE){ CKA_LABEL, newlabel, sizeof(newlabel) - 1 };
	ck_assert_uint_eq(fn->C_SetAttributeValue(rw, hs[0], &a, 1), CKR_OK);
	a = (CK_ATTRIBUTE){ CKA_LABEL, got, sizeof(got) };
	ck_assert_uint_eq(fn->C_GetAttributeValue(ro, hs[0], &a, 1), CKR_OK);
	ck_assert_uint_eq(a.ulValueLen, strlen(newlabel));
	ck_assert_mem_eq(got, newlabel, strlen(newlabel));
	/* destroy: gone for every session; a handle is never reused */
	ck_assert_uint_eq(fn->C_DestroyObject(ro, h), CKR_SESSION_READ_ONLY);
	ck_assert_uint_eq(fn->C_DestroyObject(rw, h), CKR_OK);
	ck_assert_uint_eq(fn->C_DestroyObject(rw, h),
	    CKR_OBJECT_HANDLE_INVALID);
	a = (CK_ATTRIBUTE){ CKA_VALUE, got, sizeof(got) };
	ck_assert_uint_eq(fn->C_GetAttributeValue(ro, h, &a, 1),
	    CKR_OBJECT_HANDLE_INVALID);
	ck_assert_uint_eq(count(ro, byapp, 2), 0);
	ck_assert_uint_eq(fn->C_CreateObject(rw, data, 7, &h2), CKR_OK);
	ck_assert_uint_ne(h2, h);
	mod_close();
}
END_TEST

static Suite *
enroll_sm2_suite(void)
{
	Suite *s = suite_create("enroll_sm2");
	TCase *tc = tcase_create("host");

	tcase_set_timeout(tc, 180);
	/* r ‖ s and DER answers, old pair deleted and archived */
	tcase_add_loop_test(tc, test_renew_sm2, 0, 4);
	tcase_add_test(tc, test_renew_sm2_unconfigured);
	tcase_add_test(tc, test_diagnose_sm2_mechanisms);
	suite_add_tcase(s, tc);
	tc = tcase_create("module");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_module_keygen);
	tcase_add_test(tc, test_module_objects);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return uk_p11t_main(&fx, enroll_sm2_suite());
}
