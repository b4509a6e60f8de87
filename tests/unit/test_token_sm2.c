/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The token module through the real host binary on the PKCS#11 test
 * token (tests/support/p11test): SM2 keys signed by a vendor SM3withSM2
 * mechanism (sign.data, sign.cms, SafeEngine), the PIN counter and its
 * flags, and a pinpad.  Every SM2 signature is checked with the openssl
 * command, independently of the host.
 */
#include "uk_setup.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "err.h"
#include "hostcall.h"
#include "hostproc.h"
#include "p11test_fixture.h"
#include "sign.h"
#include "softhsm.h"
#include "token.h"

#define PIN		"12345678"
#define MECH_RAW	"2147516672"	/* 0x80008100 CKM_SM3_SM2: r ‖ s */
#define MECH_DER	"2147516673"	/* 0x80008101 CKM_SM3_SM2_DER */
#define SM2_ID		"1234567812345678"

static struct uk_p11t fx;	/* the test token, its PKI, work/ */
static struct uk_hostproc hp;
static char tok[128];

static const char msg[] = "UKeyLink SM2 签名测试 message";
static const char msg_b64[] =
    "VUtleUxpbmsgU00yIOetvuWQjea1i+ivlSBtZXNzYWdl";

/* --- Calls ---------------------------------------------------------- */

/* The calls of these tests go to hp (hostcall.h). */
#define callf(...)	uk_hc_call(&hp, UK_HC_ANY, __VA_ARGS__)
#define okf(...)	uk_hc_call(&hp, UK_HC_RESULT, __VA_ARGS__)
#define errf(code, ...)	uk_hc_call(&hp, code, __VA_ARGS__)

/* A call whose params do not fit vcall's buffer (big data). */
static cJSON *
bigcall(const char *method, const char *params)
{
	cJSON *resp = uk_hostproc_call(&hp, hp.next_id++, method, params,
	    UK_TEST_ORIGIN);

	ck_assert_msg(resp != NULL, "no response to %s", method);
	return resp;
}

/* se.call; args is a JSON array body (any size). */
static cJSON *
se(const char *method, const char *args)
{
	size_t n = strlen(method) + strlen(args) + 64;
	char *params = malloc(n);
	cJSON *resp;

	ck_assert_ptr_nonnull(params);
	snprintf(params, n, "{\"method\":\"%s\",\"args\":[%s]}", method,
	    args);
	resp = bigcall("se.call", params);
	free(params);
	return resp;
}

static const char *
se_value(const cJSON *resp)
{
	const cJSON *res = uk_hc_res(resp);

	ck_assert_int_eq(cJSON_GetObjectItem(res, "errorCode")->valueint, 0);
	return uk_hc_str(res, "value");
}

/* A call that must succeed with errorCode 0 and value null. */
static void
se_ok(cJSON *resp)
{
	const cJSON *res = uk_hc_res(resp);

	ck_assert_int_eq(cJSON_GetObjectItem(res, "errorCode")->valueint, 0);
	cJSON_Delete(resp);
}

/* --- The token's state directory ------------------------------------ */

static void
state_file(const char *name, const char *text)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", fx.token, name);
	if (text == NULL)
		ck_assert(unlink(path) == 0 || access(path, F_OK) != 0);
	else
		ck_assert_int_eq(uk_test_write_file(path, text,
		    strlen(text)), 0);
}

static void
reset_state(void)
{
	state_file("tries", NULL);
	state_file("pinpad", NULL);
	state_file("pinpad-entry", NULL);
	state_file("to-be-changed", NULL);
	state_file("pin", PIN "\n");
}

/* --- Host ----------------------------------------------------------- */

static void
start(const char *mech)
{
	char pk[512], *cfg;

	snprintf(pk, sizeof(pk), "\"modules\":[\"%s\"]%s%s",
	    UK_TEST_P11TEST_PATH, mech ? ",\"sm2Mechanism\":" : "",
	    mech ? mech : "");
	cfg = uk_test_config(pk, NULL);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_int_eq(uk_hostproc_start_test(&hp, cfg), 0);
	free(cfg);
}

static void
setup(void)
{
	reset_state();
	start(MECH_RAW);
	uk_hc_only_token(&hp, tok, sizeof(tok));
}

static void
teardown(void)
{
	/* 0 also means: no leak in the host or the module (ASan build). */
	ck_assert_int_eq(uk_hostproc_finish(&hp, 10000), 0);
}

static void
login(void)
{
	cJSON_Delete(okf("token.login", "{\"token\":\"%s\",\"pin\":\"" PIN
	    "\"}", tok));
}

static void
save_b64(const char *b64, const char *name)
{
	uk_hc_save_b64(fx.work, name, b64);
}

static void
write_work(const char *name, const char *text)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", fx.work, name);
	ck_assert_int_eq(uk_test_write_file(path, text, strlen(text)), 0);
}

/* openssl's own SM2 verification (GM/T 0009, default ID) of work/sig
 * over work/<file>; 0 when it verifies. */
static int
openssl_sm2_verify(const char *file)
{
	return uk_test_sh("openssl pkeyutl -verify -pubin -inkey %s/sm2.pub "
	    "-rawin -digest sm3 -pkeyopt distid:" SM2_ID " -in %s/%s "
	    "-sigfile %s/sig", fx.pki, fx.work, file, fx.work);
}

/* The PIN state member b of an object with a "pin" member. */
static int
pin_flag(const cJSON *o, const char *b)
{
	const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "pin"),
	    b);

	ck_assert_msg(cJSON_IsBool(v), "pin.%s missing", b);
	return cJSON_IsTrue(v);
}

/* retriesLeft of o, -1 when absent. */
static int
retries_of(const cJSON *o)
{
	const cJSON *v = cJSON_GetObjectItem(o, "retriesLeft");

	return v == NULL ? -1 : v->valueint;
}

static cJSON *
token_entry(void)
{
	cJSON *resp = okf("token.list", "{}");
	cJSON *t = cJSON_DetachItemFromArray(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(resp, "result"), "tokens"), 0);

	cJSON_Delete(resp);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* --- Tests ---------------------------------------------------------- */

START_TEST(test_list_and_certs)
{
	cJSON *t = token_entry(), *resp;
	const cJSON *certs, *c, *subj, *ext;
	int i, seen = 0;

	ck_assert_str_eq(uk_hc_str(t, "label"), "UKeyLink SM2 Test");
	ck_assert_str_eq(uk_hc_str(t, "manufacturer"), "UKeyLink tests");
	ck_assert_str_eq(uk_hc_str(t, "model"), "p11test");
	ck_assert_str_eq(uk_hc_str(t, "module"), UK_TEST_P11TEST_PATH);
	ck_assert_str_eq(uk_hc_str(t, "reader"), "UKeyLink P11Test Reader");
	ck_assert(!pin_flag(t, "countLow") && !pin_flag(t, "finalTry") &&
	    !pin_flag(t, "locked") && !pin_flag(t, "pinpad") &&
	    !pin_flag(t, "loggedIn") && !pin_flag(t, "toBeChanged"));
	ck_assert_int_eq(retries_of(cJSON_GetObjectItem(t, "pin")), -1);
	cJSON_Delete(t);

	resp = okf("cert.list", "{\"token\":\"%s\"}", tok);
	certs = cJSON_GetObjectItem(uk_hc_res(resp), "certs");
	ck_assert_int_eq(cJSON_GetArraySize(certs), 2);
	for (i = 0; i < 2; i++) {
		c = cJSON_GetArrayItem(certs, i);
		ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(c, "hasKey")));
		if (strcmp(uk_hc_str(c, "certId"), "01") != 0) {
			ck_assert_str_eq(uk_hc_str(c, "keyType"), "EC");
			continue;
		}
		seen = 1;
		ck_assert_str_eq(uk_hc_str(c, "keyType"), "SM2");
		ck_assert_int_eq(cJSON_GetObjectItem(c, "keyBits")->valueint,
		    256);
		ck_assert_str_eq(uk_hc_str(c, "label"), "上海测试 SM2 签名");
		subj = cJSON_GetObjectItem(c, "subject");
		ck_assert_str_eq(uk_hc_str(subj, "O"), "上海测试有限公司");
		ck_assert_str_eq(uk_hc_str(subj, "OU"), "法人一证通");
		ck_assert_str_eq(uk_hc_str(subj, "S"), "上海市");
		ck_assert_str_eq(uk_hc_str(cJSON_GetObjectItem(c, "issuer"),
		    "CN"), "UKeyLink Test SM2 CA");
		ext = cJSON_GetObjectItem(c, "extensions");
		ck_assert_str_eq(uk_hc_str(ext, "1.2.156.10260.4.1.4"),
		    "91310000MA1FL0000X");
		ck_assert_str_eq(uk_hc_str(ext, "1.2.156.112570.148"),
		    "SH0000000001UID");
	}
	ck_assert(seen);
	cJSON_Delete(resp);
}
END_TEST

START_TEST(test_sign_sm2)
{
	char path[160], *der;
	const char *sig;
	cJSON *resp, *r2;

	cJSON_Delete(errf(UK_ERR_NOT_LOGGED_IN, "sign.data",
	    "{\"token\":\"%s\",\"certId\":\"01\",\"data\":\"%s\"}", tok,
	    msg_b64));
	login();
	write_work("msg", msg);
	/* scheme sm2, and the default scheme of an SM2 key */
	resp = okf("sign.data", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"data\":\"%s\",\"scheme\":\"sm2\"}", tok, msg_b64);
	sig = uk_hc_str(uk_hc_res(resp), "signature");
	save_b64(sig, "sig");
	ck_assert_int_eq(openssl_sm2_verify("msg"), 0);
	ck_assert_int_eq(uk_test_sh("openssl dgst -sm3 -verify %s/sm2.pub "
	    "-sigopt distid:" SM2_ID " -signature %s/sig %s/msg", fx.pki,
	    fx.work, fx.work), 0);
	/* not vacuous: another message does not verify */
	write_work("other", "UKeyLink SM2 other message");
	ck_assert_int_ne(openssl_sm2_verify("other"), 0);
	/* and the host's own verification */
	snprintf(path, sizeof(path), "%s/token/01.pem", fx.base);
	ck_assert_int_eq(uk_test_sh("openssl x509 -in %s -outform DER -out "
	    "%s/cert.der", path, fx.work), 0);
	snprintf(path, sizeof(path), "%s/cert.der", fx.work);
	der = uk_test_file_b64(path);
	ck_assert_ptr_nonnull(der);
	cJSON_Delete(okf("sign.verify", "{\"cert\":\"%s\",\"data\":\"%s\","
	    "\"hash\":\"sm3\",\"signature\":\"%s\"}", der, msg_b64, sig));
	cJSON_Delete(errf(UK_ERR_VERIFY_SIGNATURE, "sign.verify",
	    "{\"cert\":\"%s\",\"data\":\"AAAA\",\"hash\":\"sm3\","
	    "\"signature\":\"%s\"}", der, sig));
	cJSON_Delete(resp);
	r2 = okf("sign.data", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"data\":\"%s\"}", tok, msg_b64);
	save_b64(uk_hc_str(uk_hc_res(r2), "signature"), "sig");
	ck_assert_int_eq(openssl_sm2_verify("msg"), 0);
	cJSON_Delete(r2);
	free(der);
}
END_TEST

START_TEST(test_sign_sm2_refusals)
{
	login();
	/* The vendor mechanism hashes Z ‖ M itself: a digest cannot be
	 * signed through it (it would be hashed again). */
	cJSON_Delete(errf(UK_ERR_MECHANISM, "sign.digest",
	    "{\"token\":\"%s\",\"certId\":\"01\",\"digest\":"
	    "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"hash\":\"sm3\","
	    "\"scheme\":\"sm2\"}", tok));
	/* an SM2 key is not an ECDSA key, nor the other way round */
	cJSON_Delete(errf(UK_ERR_MECHANISM, "sign.data",
	    "{\"token\":\"%s\",\"certId\":\"01\",\"data\":\"%s\","
	    "\"scheme\":\"ecdsa\"}", tok, msg_b64));
	cJSON_Delete(errf(UK_ERR_MECHANISM, "sign.data",
	    "{\"token\":\"%s\",\"certId\":\"02\",\"data\":\"%s\","
	    "\"scheme\":\"sm2\"}", tok, msg_b64));
	/* SM2 signs with SM3: another hash named by the page is refused,
	 * not silently replaced; sm3 named, or none, signs */
	cJSON_Delete(errf(UK_ERR_MECHANISM, "sign.data",
	    "{\"token\":\"%s\",\"certId\":\"01\",\"data\":\"%s\","
	    "\"hash\":\"sha256\"}", tok, msg_b64));
	cJSON_Delete(errf(UK_ERR_MECHANISM, "sign.cms",
	    "{\"token\":\"%s\",\"certId\":\"01\",\"data\":\"%s\","
	    "\"hash\":\"sha1\"}", tok, msg_b64));
	cJSON_Delete(okf("sign.data", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"data\":\"%s\",\"hash\":\"sm3\"}", tok, msg_b64));
	cJSON_Delete(okf("sign.cms", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"data\":\"%s\",\"hash\":\"sm3\"}", tok, msg_b64));
}
END_TEST

/* A vendor mechanism that answers DER instead of r ‖ s. */
START_TEST(test_sign_sm2_der_mechanism)
{
	cJSON *resp;

	teardown();
	start(MECH_DER);
	login();
	write_work("msg", msg);
	resp = okf("sign.data", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"data\":\"%s\",\"scheme\":\"sm2\"}", tok, msg_b64);
	save_b64(uk_hc_str(uk_hc_res(resp), "signature"), "sig");
	ck_assert_int_eq(openssl_sm2_verify("msg"), 0);
	cJSON_Delete(resp);
	resp = okf("sign.cms", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"data\":\"%s\",\"detached\":true}", tok, msg_b64);
	save_b64(uk_hc_str(uk_hc_res(resp), "cms"), "cms.der");
	ck_assert_int_eq(uk_test_sh("bash %s/tests/support/sm2-cms-check.sh "
	    "%s/cms.der %s/msg %s/sm2.pub %s/chk", UK_TEST_SOURCE_DIR, fx.work,
	    fx.work, fx.pki, fx.work), 0);
	cJSON_Delete(resp);
}
END_TEST

/* Without pkcs11.sm2Mechanism an SM2 key cannot sign. */
START_TEST(test_sign_sm2_unconfigured)
{
	teardown();
	start(NULL);
	login();
	cJSON_Delete(errf(UK_ERR_MECHANISM, "sign.data",
	    "{\"token\":\"%s\",\"certId\":\"01\",\"data\":\"%s\"}", tok,
	    msg_b64));
	cJSON_Delete(errf(UK_ERR_MECHANISM, "sign.cms",
	    "{\"token\":\"%s\",\"certId\":\"01\",\"data\":\"%s\"}", tok,
	    msg_b64));
}
END_TEST

/* The non-SM2 path on the same module: ECDSA P-256. */
START_TEST(test_sign_ecdsa)
{
	cJSON *resp;

	login();
	write_work("msg", msg);
	resp = okf("sign.data", "{\"token\":\"%s\",\"certId\":\"02\","
	    "\"data\":\"%s\",\"hash\":\"sha256\"}", tok, msg_b64);
	save_b64(uk_hc_str(uk_hc_res(resp), "signature"), "sig");
	ck_assert_int_eq(uk_test_sh("openssl dgst -sha256 -verify %s/ec.pub "
	    "-signature %s/sig %s/msg", fx.pki, fx.work, fx.work), 0);
	cJSON_Delete(resp);
}
END_TEST

/* Base64 DER of the SM2 certificate (static buffer). */
static const char *
cert_b64(void)
{
	static char b64[8192];
	char path[160], *s;

	snprintf(path, sizeof(path), "%s/cert.der", fx.work);
	ck_assert_int_eq(uk_test_sh("openssl x509 -in %s/01.pem -outform DER "
	    "-out %s", fx.token, path), 0);
	s = uk_test_file_b64(path);
	ck_assert_ptr_nonnull(s);
	snprintf(b64, sizeof(b64), "%s", s);
	free(s);
	return b64;
}

/* The CMS with the last byte (inside the signature's s) changed. */
static char *
tampered_b64(const char *cms)
{
	char path[160], *s;
	unsigned char *p;
	size_t len;

	p = uk_test_b64(cms, &len);
	ck_assert_ptr_nonnull(p);
	p[len - 1] ^= 0x01;
	snprintf(path, sizeof(path), "%s/bad.der", fx.work);
	ck_assert_int_eq(uk_test_write_file(path, p, len), 0);
	free(p);
	s = uk_test_file_b64(path);
	ck_assert_ptr_nonnull(s);
	return s;
}

static void
check_cms(int detached)
{
	cJSON *resp, *v;
	const char *cms;
	char *bad;

	login();
	write_work("msg", msg);
	resp = okf("sign.cms", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"data\":\"%s\",\"detached\":%s}", tok, msg_b64,
	    detached ? "true" : "false");
	cms = uk_hc_str(uk_hc_res(resp), "cms");
	save_b64(cms, "cms.der");
	/* independent: ASN.1 + messageDigest + SM2 over the SET OF */
	ck_assert_int_eq(uk_test_sh("bash %s/tests/support/sm2-cms-check.sh "
	    "%s/cms.der %s/msg %s/sm2.pub %s/chk", UK_TEST_SOURCE_DIR, fx.work,
	    fx.work, fx.pki, fx.work), 0);
	/* (`openssl cms -verify` cannot check it: OpenSSL 3.0 computes
	 * SM2's Z with an empty ID, not GM/T 0009's default.) */
	/* detached: no content inside; attached: the content is there */
	ck_assert_int_eq(uk_test_sh("openssl cms -cmsout -print -inform DER "
	    "-in %s/cms.der | grep -q 'eContent: <ABSENT>'", fx.work),
	    detached ? 0 : 1);
	/* DER exactly as OpenSSL encodes it (the attached form is
	 * re-framed around the content: cms_attach.h) */
	ck_assert_int_eq(uk_test_sh("openssl cms -cmsout -inform DER "
	    "-outform DER -in %s/cms.der | cmp - %s/cms.der", fx.work,
	    fx.work), 0);
	/* and the host's sign.verifyCms, which must also say no */
	if (detached) {
		v = okf("sign.verifyCms", "{\"cms\":\"%s\",\"data\":\"%s\"}",
		    cms, msg_b64);
		cJSON_Delete(errf(UK_ERR_VERIFY_SIGNATURE, "sign.verifyCms",
		    "{\"cms\":\"%s\",\"data\":\"AAAA\"}", cms));
	} else {
		v = okf("sign.verifyCms", "{\"cms\":\"%s\"}", cms);
		ck_assert_str_eq(uk_hc_str(uk_hc_res(v), "content"), msg_b64);
	}
	ck_assert_str_eq(uk_hc_str(uk_hc_res(v), "signer"), cert_b64());
	cJSON_Delete(v);
	bad = tampered_b64(cms);
	/* the checker itself rejects the flipped signature */
	ck_assert_int_ne(uk_test_sh("bash %s/tests/support/sm2-cms-check.sh "
	    "%s/bad.der %s/msg %s/sm2.pub %s/chk", UK_TEST_SOURCE_DIR, fx.work,
	    fx.work, fx.pki, fx.work), 0);
	cJSON_Delete(errf(UK_ERR_VERIFY_SIGNATURE, "sign.verifyCms",
	    detached ? "{\"cms\":\"%s\",\"data\":\"%s\"}" :
	    "{\"cms\":\"%s\"}", bad, msg_b64));
	free(bad);
	cJSON_Delete(resp);
}

START_TEST(test_cms_sm2_detached)
{
	check_cms(1);
}
END_TEST

START_TEST(test_cms_sm2_attached)
{
	check_cms(0);
}
END_TEST

/* CMS over empty content and over content with every byte value. */
START_TEST(test_cms_sm2_binary)
{
	static const char bin_b64[] =
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKiss"
	    "LS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZ"
	    "WltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWG"
	    "h4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKz"
	    "tLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g"
	    "4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==";
	cJSON *resp;

	login();
	/* (a subshell: uk_test_sh appends its own >/dev/null) */
	ck_assert_int_eq(uk_test_sh("printf '' >%s/empty && "
	    "(for i in $(seq 0 255); do printf \"\\\\$(printf %%o $i)\"; "
	    "done >%s/bin)", fx.work, fx.work), 0);
	ck_assert_int_eq(uk_test_sh("test $(wc -c <%s/bin) -eq 256", fx.work),
	    0);
	resp = okf("sign.cms", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"data\":\"\",\"detached\":true}", tok);
	save_b64(uk_hc_str(uk_hc_res(resp), "cms"), "cms.der");
	ck_assert_int_eq(uk_test_sh("bash %s/tests/support/sm2-cms-check.sh "
	    "%s/cms.der %s/empty %s/sm2.pub %s/chk", UK_TEST_SOURCE_DIR,
	    fx.work, fx.work, fx.pki, fx.work), 0);
	cJSON_Delete(resp);
	resp = okf("sign.cms", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"data\":\"%s\"}", tok, bin_b64);
	save_b64(uk_hc_str(uk_hc_res(resp), "cms"), "cms.der");
	ck_assert_int_eq(uk_test_sh("bash %s/tests/support/sm2-cms-check.sh "
	    "%s/cms.der %s/bin %s/sm2.pub %s/chk", UK_TEST_SOURCE_DIR, fx.work,
	    fx.work, fx.pki, fx.work), 0);
	/* the checker is not vacuous: the wrong content fails */
	ck_assert_int_ne(uk_test_sh("bash %s/tests/support/sm2-cms-check.sh "
	    "%s/cms.der %s/empty %s/sm2.pub %s/chk", UK_TEST_SOURCE_DIR,
	    fx.work, fx.work, fx.pki, fx.work), 0);
	cJSON_Delete(resp);
}
END_TEST

START_TEST(test_se_sm2)
{
	cJSON *r, *r2, *r3;
	char args[4096];
	const char *cert, *sig;

	write_work("msg", "server random 1234");
	cJSON_Delete(se("SEH_InitialSession",
	    "10,\"com1\",\"" PIN "\",0,10,\"com1\",\"\""));
	r = se("SEH_GetSelfCertificate", "10,\"com1\",\"\"");
	cert = se_value(r);
	/* SEH_SignData(data, 3): the SM2 key signs SM2/SM3 (method 3 names
	 * SHA-1, which SM2 does not use) */
	r2 = se("SEH_SignData", "\"server random 1234\",3");
	sig = se_value(r2);
	save_b64(sig, "sig");
	ck_assert_int_eq(openssl_sm2_verify("msg"), 0);
	snprintf(args, sizeof(args), "\"server random 1234\",3,\"%s\",\"%s\"",
	    sig, cert);
	se_ok(se("SEH_VerifySignData", args));
	cJSON_Delete(r2);
	/* the SM2 flavour: ESE_SignData(data, "") */
	r2 = se("ESE_SignData", "\"server random 1234\",\"\"");
	sig = se_value(r2);
	save_b64(sig, "sig");
	ck_assert_int_eq(openssl_sm2_verify("msg"), 0);
	snprintf(args, sizeof(args), "\"server random 1234\",\"\",\"%s\","
	    "\"%s\"", sig, cert);
	se_ok(se("ESE_VerifySignData", args));
	/* not vacuous: other data does not verify */
	snprintf(args, sizeof(args), "\"other\",\"\",\"%s\",\"%s\"", sig,
	    cert);
	r3 = se("ESE_VerifySignData", args);
	ck_assert_int_eq(uk_hc_code(r3), UK_ERR_VERIFY_SIGNATURE);
	cJSON_Delete(r3);
	cJSON_Delete(r2);
	cJSON_Delete(r);
}
END_TEST

/* One wrong login: the error and token.list carry the state after it. */
static void
wrong_login(int code, int count_low, int final_try, int locked,
    int retries)
{
	cJSON *resp, *e, *t;

	resp = errf(code, "token.login", "{\"token\":\"%s\",\"pin\":"
	    "\"00000000\"}", tok);
	e = cJSON_GetObjectItem(resp, "error");
	ck_assert_int_eq(pin_flag(e, "countLow"), count_low);
	ck_assert_int_eq(pin_flag(e, "finalTry"), final_try);
	ck_assert_int_eq(pin_flag(e, "locked"), locked);
	ck_assert(!pin_flag(e, "loggedIn"));
	ck_assert_int_eq(retries_of(e), retries);
	cJSON_Delete(resp);
	t = token_entry();
	ck_assert_int_eq(pin_flag(t, "countLow"), count_low);
	ck_assert_int_eq(pin_flag(t, "finalTry"), final_try);
	ck_assert_int_eq(pin_flag(t, "locked"), locked);
	ck_assert_int_eq(retries_of(cJSON_GetObjectItem(t, "pin")), retries);
	cJSON_Delete(t);
}

START_TEST(test_pin_count_low_and_reset)
{
	cJSON *resp;
	const cJSON *r;

	wrong_login(UK_ERR_PIN_INCORRECT, 1, 0, 0, -1);
	wrong_login(UK_ERR_PIN_INCORRECT, 1, 0, 0, -1);
	/* a correct PIN resets the counter and the flags */
	resp = okf("token.login", "{\"token\":\"%s\",\"pin\":\"" PIN "\"}",
	    tok);
	r = uk_hc_res(resp);
	ck_assert(!pin_flag(r, "countLow") && pin_flag(r, "loggedIn"));
	cJSON_Delete(resp);
	/* a failed re-login ends the login it replaced */
	wrong_login(UK_ERR_PIN_INCORRECT, 1, 0, 0, -1);
	cJSON_Delete(errf(UK_ERR_NOT_LOGGED_IN, "sign.data",
	    "{\"token\":\"%s\",\"data\":\"%s\"}", tok, msg_b64));
	/* the full count is back: five more wrong tries to the final one */
	login();
	wrong_login(UK_ERR_PIN_INCORRECT, 1, 0, 0, -1);
	wrong_login(UK_ERR_PIN_INCORRECT, 1, 0, 0, -1);
	wrong_login(UK_ERR_PIN_INCORRECT, 1, 0, 0, -1);
	wrong_login(UK_ERR_PIN_INCORRECT, 1, 0, 0, -1);
	wrong_login(UK_ERR_PIN_INCORRECT, 1, 1, 0, 1);
	login();
}
END_TEST

START_TEST(test_pin_lock)
{
	cJSON *resp, *t;
	int i;

	for (i = 0; i < 4; i++)
		wrong_login(UK_ERR_PIN_INCORRECT, 1, 0, 0, -1);
	wrong_login(UK_ERR_PIN_INCORRECT, 1, 1, 0, 1);
	/* The module answers "incorrect" for the try that locks: the host
	 * reads the flags after it and says PIN_LOCKED. */
	wrong_login(UK_ERR_PIN_LOCKED, 0, 0, 1, 0);
	/* now even the right PIN is refused, with the distinct code */
	resp = errf(UK_ERR_PIN_LOCKED, "token.login", "{\"token\":\"%s\","
	    "\"pin\":\"" PIN "\"}", tok);
	ck_assert_int_eq(retries_of(cJSON_GetObjectItem(resp, "error")), 0);
	cJSON_Delete(resp);
	resp = okf("token.pinState", "{\"token\":\"%s\"}", tok);
	ck_assert(pin_flag(uk_hc_res(resp), "locked"));
	ck_assert_int_eq(retries_of(uk_hc_res(resp)), 0);
	cJSON_Delete(resp);
	/* the SafeEngine layer reports the same */
	resp = se("SEH_InitialSession", "10,\"com1\",\"" PIN "\"");
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_PIN_LOCKED);
	ck_assert_int_eq(retries_of(cJSON_GetObjectItem(resp, "error")), 0);
	cJSON_Delete(resp);
	t = token_entry();
	ck_assert(pin_flag(t, "locked") && !pin_flag(t, "loggedIn"));
	cJSON_Delete(t);
}
END_TEST

/* --diagnose of the SM2 token, with config (pkcs11 members) pk. */
static char *
diagnose(const char *pk)
{
	char *cfg = uk_test_config(pk, NULL), *out;

	ck_assert_ptr_nonnull(cfg);
	out = uk_hostproc_diagnose(cfg);
	free(cfg);
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(strstr(out, "PKCS#11 modules:"));
	return out;
}

/*
 * --diagnose: the configured SM2 mechanism is offered and the SM2
 * certificate has no problem; an SM2 key without a configured mechanism,
 * and a locked PIN, are problem lines that say what to do.
 */
START_TEST(test_diagnose_sm2)
{
	char pk[512], *out;

	snprintf(pk, sizeof(pk), "\"modules\":[\"%s\"],\"sm2Mechanism\":"
	    MECH_RAW, UK_TEST_P11TEST_PATH);
	out = diagnose(pk);
	uk_hc_assert_line(out, "    mechanisms: ", "ECDSA yes",
	    "SM2 (0x80008100) yes", NULL);
	uk_hc_assert_line(out, "    certificate ", "SM2 256 bits", NULL);
	uk_hc_assert_line(out, "    PIN: entered on the page", NULL);
	ck_assert_ptr_null(strstr(out, "      ! "));
	ck_assert_ptr_null(strstr(out, "! PIN"));
	free(out);

	snprintf(pk, sizeof(pk), "\"modules\":[\"%s\"]",
	    UK_TEST_P11TEST_PATH);
	out = diagnose(pk);
	uk_hc_assert_line(out, "    mechanisms: ", "SM2 not configured", NULL);
	uk_hc_assert_line(out, "      ! SM2 key, but no SM2 mechanism is "
	    "configured", "pkcs11.sm2Mechanism", NULL);
	free(out);

	state_file("tries", "0\n");
	snprintf(pk, sizeof(pk), "\"modules\":[\"%s\"],\"sm2Mechanism\":"
	    MECH_RAW, UK_TEST_P11TEST_PATH);
	out = diagnose(pk);
	uk_hc_assert_line(out, "    ! PIN: locked", "介质解锁", NULL);
	free(out);
	state_file("tries", NULL);
}
END_TEST

START_TEST(test_pin_to_be_changed)
{
	cJSON *t;

	state_file("to-be-changed", "");
	t = token_entry();
	ck_assert(pin_flag(t, "toBeChanged"));
	cJSON_Delete(t);
	login();
	cJSON_Delete(okf("token.changePin", "{\"token\":\"%s\",\"oldPin\":"
	    "\"" PIN "\",\"newPin\":\"87651234\"}", tok));
	t = token_entry();
	ck_assert(!pin_flag(t, "toBeChanged"));
	cJSON_Delete(t);
	cJSON_Delete(errf(UK_ERR_PIN_INCORRECT, "token.login",
	    "{\"token\":\"%s\",\"pin\":\"" PIN "\"}", tok));
	cJSON_Delete(okf("token.login", "{\"token\":\"%s\",\"pin\":"
	    "\"87651234\"}", tok));
}
END_TEST

/* The token is a pinpad token from the start (its flags are read when
 * it is enumerated). */
static void
pinpad_token(void)
{
	state_file("pinpad", "");
	teardown();
	start(MECH_RAW);
	uk_hc_only_token(&hp, tok, sizeof(tok));
}

START_TEST(test_pinpad)
{
	cJSON *t, *resp, *e;

	/* The host enumerated the token before it showed a pinpad: a login
	 * reads the flags afresh (here without token.list first). */
	state_file("pinpad", "");
	/* no entry file: the user cancelled on the pinpad */
	resp = errf(UK_ERR_PIN_CANCELLED, "token.login", "{\"token\":\"%s\"}",
	    tok);
	ck_assert(pin_flag(cJSON_GetObjectItem(resp, "error"), "pinpad"));
	cJSON_Delete(resp);
	/* a wrong PIN typed on the pinpad: counted, state in the error */
	state_file("pinpad-entry", "00000000");
	resp = errf(UK_ERR_PIN_INCORRECT, "token.login", "{\"token\":\"%s\"}",
	    tok);
	e = cJSON_GetObjectItem(resp, "error");
	ck_assert(pin_flag(e, "countLow") && pin_flag(e, "pinpad"));
	cJSON_Delete(resp);
	/* the right one; the page heard that the keypad waits */
	state_file("pinpad-entry", PIN);
	{
		char req[512];
		cJSON *events = NULL, *ev;

		snprintf(req, sizeof(req), "{\"id\":%lld,\"method\":"
		    "\"token.login\",\"params\":{\"token\":\"%s\"},"
		    "\"origin\":\"%s\"}", (long long)hp.next_id, tok,
		    UK_TEST_ORIGIN);
		ck_assert_int_eq(uk_hostproc_send(&hp, req), 0);
		resp = uk_hostproc_response(&hp, hp.next_id, 30000, &events);
		ck_assert_ptr_nonnull(resp);
		ck_assert_ptr_nonnull(events);
		ev = cJSON_GetArrayItem(events, 0);
		ck_assert_str_eq(cJSON_GetObjectItem(ev, "event")->valuestring,
		    "progress");
		ck_assert_str_eq(cJSON_GetObjectItem(ev, "stage")->valuestring,
		    "pinpad");
		ck_assert_int_eq(cJSON_GetObjectItem(ev, "id")->valuedouble,
		    hp.next_id);
		ck_assert_int_eq(cJSON_GetObjectItem(ev, "done")->valueint, 0);
		/* and that it has stopped waiting */
		ev = cJSON_GetArrayItem(events, 1);
		ck_assert_ptr_nonnull(ev);
		ck_assert_str_eq(cJSON_GetObjectItem(ev, "stage")->valuestring,
		    "pinpad");
		ck_assert_int_eq(cJSON_GetObjectItem(ev, "done")->valueint, 1);
		hp.next_id++;
		cJSON_Delete(events);
	}
	ck_assert(pin_flag(uk_hc_res(resp), "loggedIn"));
	ck_assert(!pin_flag(uk_hc_res(resp), "countLow"));
	cJSON_Delete(resp);
	t = token_entry();
	ck_assert(pin_flag(t, "pinpad") && pin_flag(t, "loggedIn"));
	cJSON_Delete(t);
	write_work("msg", msg);
	resp = okf("sign.data", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"data\":\"%s\"}", tok, msg_b64);
	save_b64(uk_hc_str(uk_hc_res(resp), "signature"), "sig");
	ck_assert_int_eq(openssl_sm2_verify("msg"), 0);
	cJSON_Delete(resp);
}
END_TEST

/* A PIN sent for a pinpad token is never used: the pinpad decides. */
START_TEST(test_pinpad_ignores_page_pin)
{
	cJSON *resp, *t;

	pinpad_token();
	state_file("pinpad-entry", PIN);
	/* a wrong page PIN: not tried (no count), the pinpad's PIN is */
	resp = okf("token.login", "{\"token\":\"%s\",\"pin\":\"00000000\"}",
	    tok);
	ck_assert(pin_flag(uk_hc_res(resp), "loggedIn"));
	cJSON_Delete(resp);
	t = token_entry();
	ck_assert(!pin_flag(t, "countLow"));
	cJSON_Delete(t);
	/* the right page PIN with a cancelled pinpad: cancelled */
	state_file("pinpad-entry", NULL);
	cJSON_Delete(errf(UK_ERR_PIN_CANCELLED, "token.login",
	    "{\"token\":\"%s\",\"pin\":\"" PIN "\"}", tok));
}
END_TEST

START_TEST(test_pinpad_se)
{
	cJSON *r;

	pinpad_token();
	state_file("pinpad-entry", PIN);
	write_work("msg", "pinpad random");
	/* the IE-style page with an empty PIN field */
	cJSON_Delete(se("SEH_InitialSession", "10,\"com1\",\"\""));
	r = se("SEH_SignData", "\"pinpad random\",3");
	save_b64(se_value(r), "sig");
	ck_assert_int_eq(openssl_sm2_verify("msg"), 0);
	cJSON_Delete(r);
	cJSON_Delete(se("SEH_ClearSession", ""));
	/* cancelled on the pinpad */
	state_file("pinpad-entry", NULL);
	r = se("SEH_InitialSession", "10,\"com1\",\"\"");
	ck_assert_int_eq(uk_hc_code(r), UK_ERR_PIN_CANCELLED);
	cJSON_Delete(r);
	/* the async page API with an empty PIN in the session arguments:
	 * the pinpad is asked (no session yet) */
	state_file("pinpad-entry", PIN);
	r = callf("se.call", "{\"method\":\"SEH_SignData\",\"args\":"
	    "[\"pinpad random\",\"3\"],\"session\":[\"a\",\"com1\",\"\","
	    "\"0\",\"\",\"\",\"\"]}");
	save_b64(se_value(r), "sig");
	ck_assert_int_eq(openssl_sm2_verify("msg"), 0);
	cJSON_Delete(r);
}
END_TEST

/* --- SM2 envelopes -------------------------------------------------- */

/* Base64 DER of a PEM certificate (malloc'd). */
static char *
pem_cert_b64(const char *pem)
{
	char path[160], *s;

	snprintf(path, sizeof(path), "%s/c.der", fx.work);
	ck_assert_int_eq(uk_test_sh("openssl x509 -in %s -outform DER "
	    "-out %s", pem, path), 0);
	s = uk_test_file_b64(path);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* Writes data to work/name; returns its base64 (malloc'd). */
static char *
work_data(const char *name, const void *data, size_t len)
{
	char path[160], *s;

	snprintf(path, sizeof(path), "%s/%s", fx.work, name);
	ck_assert_int_eq(uk_test_write_file(path, data, len), 0);
	s = uk_test_file_b64(path);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* crypto.envelope of data (base64) to the certificate (base64); the
 * envelope's base64 (malloc'd), its DER saved as work/env.der. */
static char *
envelope_b64(const char *cert, const char *data)
{
	size_t n = strlen(cert) + strlen(data) + 64;
	char *params = malloc(n), *env;
	cJSON *resp;

	ck_assert_ptr_nonnull(params);
	snprintf(params, n, "{\"cert\":\"%s\",\"data\":\"%s\"}", cert, data);
	resp = bigcall("crypto.envelope", params);
	free(params);
	env = strdup(uk_hc_str(uk_hc_res(resp), "envelope"));
	ck_assert_ptr_nonnull(env);
	cJSON_Delete(resp);
	save_b64(env, "env.der");
	return env;
}

/* The independent check of work/env.der (openssl command only) against
 * work/<content>, for the token's SM2 key and certificate. */
static int
env_check(const char *content)
{
	return uk_test_sh("bash %s/tests/support/sm2-env-check.sh %s/env.der "
	    "%s/%s %s/01.key %s/01.pem %s/chk", UK_TEST_SOURCE_DIR, fx.work,
	    fx.work, content, fx.token, fx.token, fx.work);
}

/* Test data of len bytes (every byte value, not a repeating block). */
static unsigned char *
pattern(size_t len)
{
	unsigned char *p = malloc(len ? len : 1);
	size_t i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + i / 251 + 3);
	return p;
}

static const size_t env_sizes[] = { 0, 1, 15, 16, 17, 1000, 100 * 1024 };
static const char env_text[] = "上海测试有限公司：数字信封 "
    "SM2/SM4 测试，法人一证通。";

/* Sealing to the SM2 certificate: the openssl command opens every
 * envelope with the token's key file. */
START_TEST(test_env_sm2_seal)
{
	char path[160], *cert, *data, *env, *env2;
	unsigned char *p;
	size_t i;

	snprintf(path, sizeof(path), "%s/01.pem", fx.token);
	cert = pem_cert_b64(path);
	for (i = 0; i < UK_ARRAY_LEN(env_sizes); i++) {
		p = pattern(env_sizes[i]);
		data = work_data("data", p, env_sizes[i]);
		env = envelope_b64(cert, data);
		ck_assert_msg(env_check("data") == 0, "size %zu",
		    env_sizes[i]);
		free(env);
		free(data);
		free(p);
	}
	data = work_data("text", env_text, strlen(env_text));
	env = envelope_b64(cert, data);
	ck_assert_int_eq(env_check("text"), 0);
	/* the checker is not vacuous: other content fails */
	write_work("other", "x");
	ck_assert_int_ne(env_check("other"), 0);
	/* a fresh key and IV each time */
	env2 = envelope_b64(cert, data);
	ck_assert_str_ne(env, env2);
	free(env2);
	free(env);
	free(data);
	free(cert);
}
END_TEST

/* An RSA certificate still gets OpenSSL's CMS (AES-256-CBC, RSA key
 * transport), which `openssl cms -decrypt` opens. */
START_TEST(test_env_rsa_still_cms)
{
	char path[160], *cert, *data, *env;

	snprintf(path, sizeof(path), "%s/leaf-rsa.pem", fx.pki);
	cert = pem_cert_b64(path);
	data = work_data("text", env_text, strlen(env_text));
	env = envelope_b64(cert, data);
	ck_assert_int_eq(uk_test_sh("openssl asn1parse -inform DER -in "
	    "%s/env.der >%s/env.txt && grep -q ':rsaEncryption' %s/env.txt "
	    "&& grep -q ':aes-256-cbc' %s/env.txt && ! grep -q sm4 "
	    "%s/env.txt", fx.work, fx.work, fx.work, fx.work, fx.work), 0);
	ck_assert_int_eq(uk_test_sh("openssl cms -decrypt -binary -inform DER "
	    "-in %s/env.der -inkey %s/leaf-rsa.key -recip %s/leaf-rsa.pem "
	    "-out %s/out && cmp %s/out %s/text", fx.work, fx.pki, fx.pki,
	    fx.work, fx.work, fx.work), 0);
	free(env);
	free(data);
	free(cert);
}
END_TEST

/* crypto.decrypt of an envelope (base64) with the key of cert_id
 * (NULL: the token's default); the response. */
static cJSON *
decrypt_call(const char *cert_id, const char *env)
{
	size_t n = strlen(env) + 256;
	char *params = malloc(n);
	cJSON *resp;

	ck_assert_ptr_nonnull(params);
	if (cert_id != NULL)
		snprintf(params, n, "{\"token\":\"%s\",\"certId\":\"%s\","
		    "\"envelope\":\"%s\"}", tok, cert_id, env);
	else
		snprintf(params, n, "{\"token\":\"%s\",\"envelope\":\"%s\"}",
		    tok, env);
	resp = bigcall("crypto.decrypt", params);
	free(params);
	return resp;
}

/* The envelope opens to want (base64). */
static void
decrypt_ok(const char *cert_id, const char *env, const char *want)
{
	cJSON *resp = decrypt_call(cert_id, env);

	ck_assert_msg(strcmp(uk_hc_str(uk_hc_res(resp), "data"), want) == 0,
	    "decrypted data differs");
	cJSON_Delete(resp);
}

/* The envelope is refused with code, and the detail mentions what (when
 * not NULL). */
static void
decrypt_err(int code, const char *what, const char *env)
{
	cJSON *resp = decrypt_call("01", env);
	const cJSON *d;

	ck_assert_msg(uk_hc_code(resp) == code, "expected %d, got %s", code,
	    cJSON_PrintUnformatted(resp));
	if (what != NULL) {
		d = cJSON_GetObjectItem(cJSON_GetObjectItem(resp, "error"),
		    "detail");
		ck_assert_msg(cJSON_IsString(d) &&
		    strstr(d->valuestring, what) != NULL, "detail: %s",
		    cJSON_PrintUnformatted(resp));
	}
	cJSON_Delete(resp);
}

/* An envelope made by the openssl command (sm2-env-make.sh) of
 * work/<content> to the token's SM2 certificate; its base64 (malloc'd). */
static char *
made_env(const char *content, const char *opts)
{
	char path[160], *s;

	ck_assert_int_eq(uk_test_sh("bash %s/tests/support/sm2-env-make.sh "
	    "%s/%s %s/01.pem %s/made.der %s/mk %s", UK_TEST_SOURCE_DIR, fx.work,
	    content, fx.token, fx.work, fx.work, opts), 0);
	snprintf(path, sizeof(path), "%s/made.der", fx.work);
	s = uk_test_file_b64(path);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* Sealed by the host and opened on the token, every size, with either
 * decryption mechanism; and envelopes of the openssl command's. */
/* Options of sm2-env-make.sh for the envelopes the openssl side makes. */
static const char *const made_der_ber[] = { "", "--ber", NULL };
static const char *const made_variants[] = { "--null-params",
    "--oid 1.2.156.10197.1.301", "--oid 1.2.156.10197.1.301.2", NULL };

/* Envelopes of the work file name made by the openssl side with each of
 * opts open through the host to data. */
static void
opened_made(const char *name, const char *data, const char *const *opts)
{
	char *env;

	for (; *opts != NULL; opts++) {
		env = made_env(name, *opts);
		decrypt_ok("01", env, data);
		free(env);
	}
}

static void
check_open(void)
{
	char path[160], *cert, *data, *env;
	unsigned char *p;
	size_t i;

	snprintf(path, sizeof(path), "%s/01.pem", fx.token);
	cert = pem_cert_b64(path);
	login();
	for (i = 0; i < UK_ARRAY_LEN(env_sizes); i++) {
		p = pattern(env_sizes[i]);
		data = work_data("data", p, env_sizes[i]);
		env = envelope_b64(cert, data);
		decrypt_ok("01", env, data);
		free(env);
		/* made by the openssl command: DER, and BER in pieces */
		opened_made("data", data, made_der_ber);
		free(data);
		free(p);
	}
	data = work_data("text", env_text, strlen(env_text));
	env = envelope_b64(cert, data);
	decrypt_ok("01", env, data);
	/* without certId: the token's default certificate is the SM2 one */
	decrypt_ok(NULL, env, data);
	free(env);
	/* NULL parameters and the other SM2 OIDs (the bare SM2 one,
	 * GmSSL 3's sm2encrypt) are read as well */
	opened_made("text", data, made_variants);
	free(data);
	free(cert);
}

START_TEST(test_env_sm2_open)
{
	check_open();
}
END_TEST

/* The vendor mechanism that takes C1 ‖ C3 ‖ C2 instead of DER. */
START_TEST(test_env_sm2_open_raw)
{
	char pk[512], *cfg;

	teardown();
	snprintf(pk, sizeof(pk), "\"modules\":[\"%s\"],\"sm2Mechanism\":"
	    MECH_RAW ",\"sm2DecryptMechanism\":2147516928",
	    UK_TEST_P11TEST_PATH);
	cfg = uk_test_config(pk, NULL);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_int_eq(uk_hostproc_start_test(&hp, cfg), 0);
	free(cfg);
	uk_hc_only_token(&hp, tok, sizeof(tok));
	check_open();
}
END_TEST

/* work/<in> with its last n bytes removed (n < 0: -n bytes appended)
 * as base64 (malloc'd). */
static char *
resized_b64(const char *in, long n)
{
	char path[160], *s;
	unsigned char *p;
	size_t len;
	char *b64;

	snprintf(path, sizeof(path), "%s/%s", fx.work, in);
	b64 = uk_test_file_b64(path);
	ck_assert_ptr_nonnull(b64);
	p = uk_test_b64(b64, &len);
	free(b64);
	ck_assert_ptr_nonnull(p);
	p = realloc(p, len + 16);
	ck_assert_ptr_nonnull(p);
	if (n < 0)
		memset(p + len, 0, (size_t)-n);
	len = (size_t)((long)len - n);
	snprintf(path, sizeof(path), "%s/resized", fx.work);
	ck_assert_int_eq(uk_test_write_file(path, p, len), 0);
	free(p);
	s = uk_test_file_b64(path);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* What must be refused, each with the envelope error and a detail;
 * never a crash (ASan build). */
START_TEST(test_env_sm2_bad)
{
	char path[160], *cert, *data, *env, *bad;

	snprintf(path, sizeof(path), "%s/01.pem", fx.token);
	cert = pem_cert_b64(path);
	data = work_data("text", env_text, strlen(env_text));
	env = envelope_b64(cert, data);
	/* the key first, as for RSA: no login, no opening */
	cJSON_Delete(errf(UK_ERR_NOT_LOGGED_IN, "crypto.decrypt",
	    "{\"token\":\"%s\",\"certId\":\"01\",\"envelope\":\"%s\"}", tok,
	    env));
	login();
	decrypt_ok("01", env, data);
	/* truncated, cut to a header, trailing bytes */
	bad = resized_b64("env.der", 7);
	decrypt_err(UK_ERR_ENVELOPE, "not a PKCS#7 EnvelopedData", bad);
	free(bad);
	bad = resized_b64("env.der", 380);
	decrypt_err(UK_ERR_ENVELOPE, "not a PKCS#7 EnvelopedData", bad);
	free(bad);
	bad = resized_b64("env.der", -2);
	decrypt_err(UK_ERR_ENVELOPE, "not a PKCS#7 EnvelopedData", bad);
	free(bad);
	decrypt_err(UK_ERR_ENVELOPE, NULL, "AAAA");
	free(env);
	/* another SM2 certificate (the CA's): the same error as an RSA
	 * envelope that is not for the key */
	free(cert);
	snprintf(path, sizeof(path), "%s/sm2-ca/cert.pem", fx.pki);
	cert = pem_cert_b64(path);
	env = envelope_b64(cert, data);
	decrypt_err(UK_ERR_ENVELOPE, "not addressed to this certificate", env);
	free(env);
	/* an EC certificate's envelope (OpenSSL's ECDH): no SM2 recipient */
	free(cert);
	snprintf(path, sizeof(path), "%s/02.pem", fx.token);
	cert = pem_cert_b64(path);
	env = envelope_b64(cert, data);
	decrypt_err(UK_ERR_ENVELOPE, NULL, env);
	free(env);
	/* the token decrypts a 15- or 17-byte content key: refused */
	env = made_env("text", "--key-len 15");
	decrypt_err(UK_ERR_ENVELOPE, "content key is 15 bytes", env);
	free(env);
	env = made_env("text", "--key-len 17");
	decrypt_err(UK_ERR_ENVELOPE, "content key is 17 bytes", env);
	free(env);
	/* an altered encrypted key: SM2's C3 check on the token fails */
	env = made_env("text", "--flip-key");
	decrypt_err(UK_ERR_ENVELOPE, "could not decrypt the content key",
	    env);
	free(env);
	/* bad padding: a wrong byte, a count of 0, a count above 16 */
	write_work("five", "hello");
	env = made_env("five", "--pad 0b0b0b0b0b0b0b0b0b0a0b");
	decrypt_err(UK_ERR_ENVELOPE, "padding", env);
	free(env);
	env = made_env("five", "--pad 0b0b0b0b0b0b0b0b0b0b00");
	decrypt_err(UK_ERR_ENVELOPE, "padding", env);
	free(env);
	env = made_env("five", "--pad 1111111111111111111111");
	decrypt_err(UK_ERR_ENVELOPE, "padding", env);
	free(env);
	/* the same maker with the right padding opens (not vacuous) */
	free(data);
	data = work_data("five", "hello", 5);
	env = made_env("five", "--pad 0b0b0b0b0b0b0b0b0b0b0b");
	decrypt_ok("01", env, data);
	free(env);
	/* a recipient of this certificate with another key transport */
	env = made_env("five", "--oid 1.2.840.113549.1.1.1");
	decrypt_err(UK_ERR_ENVELOPE, "not with SM2 key transport", env);
	free(env);
	free(data);
	free(cert);
}
END_TEST

/* sm2DecryptMechanism 0 turns SM2 decryption off; a number the token
 * does not know is the token's refusal. */
START_TEST(test_env_sm2_mechanism_config)
{
	char pk[512], *cfg, *cert, *data, *env, path[160];
	const char *mechs[] = { "0", "2147516930" };	/* 0x80008202 */
	size_t i;

	snprintf(path, sizeof(path), "%s/01.pem", fx.token);
	cert = pem_cert_b64(path);
	data = work_data("text", env_text, strlen(env_text));
	env = envelope_b64(cert, data);
	for (i = 0; i < UK_ARRAY_LEN(mechs); i++) {
		teardown();
		snprintf(pk, sizeof(pk), "\"modules\":[\"%s\"],"
		    "\"sm2DecryptMechanism\":%s", UK_TEST_P11TEST_PATH,
		    mechs[i]);
		cfg = uk_test_config(pk, NULL);
		ck_assert_ptr_nonnull(cfg);
		ck_assert_int_eq(uk_hostproc_start_test(&hp, cfg), 0);
		free(cfg);
		uk_hc_only_token(&hp, tok, sizeof(tok));
		login();
		decrypt_err(UK_ERR_MECHANISM, i == 0 ? "turned off" :
		    "0x80008202", env);
	}
	free(env);
	free(data);
	free(cert);
}
END_TEST

/* SafeEngine: ESE_Envelope (the SM2 flavour) and SEH_Envelope /
 * SEH_EnvelopeEx, sealing (type 1) and opening (type 2). */
START_TEST(test_env_se)
{
	static const char *const flavours[][2] = {
		{ "ESE_Envelope", "" }, { "SEH_Envelope", "" },
		{ "SEH_EnvelopeEx", ",\"SM4\"" },
	};
	char path[160], *cert, *args, *data, *made;
	const char *env;
	cJSON *r, *r2;
	unsigned char *p;
	size_t i, n;

	snprintf(path, sizeof(path), "%s/01.pem", fx.token);
	cert = pem_cert_b64(path);
	n = strlen(cert) + 4096;
	args = malloc(n + 200 * 1024);
	ck_assert_ptr_nonnull(args);
	cJSON_Delete(se("ESE_InitialSession", "36,\"com1\",\"" PIN "\""));
	write_work("text", env_text);
	for (i = 0; i < UK_ARRAY_LEN(flavours); i++) {
		snprintf(args, n, "1,\"%s\",\"%s\"%s", env_text, cert,
		    flavours[i][1]);
		r = se(flavours[i][0], args);
		env = se_value(r);
		save_b64(env, "env.der");
		ck_assert_int_eq(env_check("text"), 0);
		snprintf(args, n, "2,\"%s\"%s", env, *flavours[i][1] ?
		    ",\"\",\"SM4\"" : "");
		r2 = se(flavours[i][0], args);
		ck_assert_str_eq(se_value(r2), env_text);
		cJSON_Delete(r2);
		cJSON_Delete(r);
	}
	/* an envelope of the openssl command's, binary content: base64 */
	p = pattern(100 * 1024);
	data = work_data("data", p, 100 * 1024);
	free(p);
	made = made_env("data", "--ber");
	snprintf(args, n + 200 * 1024, "2,\"%s\"", made);
	r = se("ESE_Envelope", args);
	ck_assert_str_eq(se_value(r), data);
	cJSON_Delete(r);
	free(made);
	free(data);
	/* not for this token: the envelope error, with the reason */
	free(cert);
	snprintf(path, sizeof(path), "%s/sm2-ca/cert.pem", fx.pki);
	cert = pem_cert_b64(path);
	snprintf(args, n, "1,\"%s\",\"%s\"", env_text, cert);
	r = se("ESE_Envelope", args);
	snprintf(args, n, "2,\"%s\"", se_value(r));
	r2 = se("ESE_Envelope", args);
	ck_assert_int_eq(uk_hc_code(r2), UK_ERR_ENVELOPE);
	ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItem(cJSON_GetObjectItem(
	    r2, "error"), "detail")->valuestring, "cannot open the envelope"));
	cJSON_Delete(r2);
	cJSON_Delete(r);
	free(args);
	free(cert);
}
END_TEST

/* A certificate whose key OpenSSL reports as EC on the SM2 curve (not
 * as an SM2 key): still SM2 key transport, which the openssl command
 * opens.  In process: the host would re-read the certificate. */
START_TEST(test_env_sm2_ec_typed_key)
{
	EVP_PKEY *pk;
	X509 *x;
	X509_NAME *n;
	FILE *fp;
	unsigned char *der = NULL;
	size_t derlen = 0;
	char path[160];

	pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "SM2");
	ck_assert_ptr_nonnull(pk);
	ck_assert(EVP_PKEY_is_a(pk, "EC") && !EVP_PKEY_is_a(pk, "SM2"));
	x = X509_new();
	n = X509_NAME_new();
	ck_assert(x != NULL && n != NULL &&
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"EC 类型的 SM2 密钥", -1, -1, 0) == 1 &&
	    X509_set_version(x, 2) == 1 &&
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 0x5a17) == 1 &&
	    X509_set_issuer_name(x, n) == 1 &&
	    X509_set_subject_name(x, n) == 1 &&
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) != NULL &&
	    X509_gmtime_adj(X509_getm_notAfter(x), 3600) != NULL &&
	    X509_set_pubkey(x, pk) == 1 && X509_sign(x, pk, EVP_sha256()) > 0);
	ck_assert(EVP_PKEY_is_a(X509_get0_pubkey(x), "EC"));
	ck_assert(uk_pkey_is_sm2(X509_get0_pubkey(x)));
	ck_assert_int_eq(uk_envelope(x, (const unsigned char *)env_text,
	    strlen(env_text), &der, &derlen), 0);
	snprintf(path, sizeof(path), "%s/env.der", fx.work);
	ck_assert_int_eq(uk_test_write_file(path, der, derlen), 0);
	write_work("text", env_text);
	snprintf(path, sizeof(path), "%s/ecsm2.key", fx.work);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	ck_assert_int_eq(PEM_write_PrivateKey(fp, pk, NULL, NULL, 0, NULL,
	    NULL), 1);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/ecsm2.pem", fx.work);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	ck_assert_int_eq(PEM_write_X509(fp, x), 1);
	fclose(fp);
	ck_assert_int_eq(uk_test_sh("bash %s/tests/support/sm2-env-check.sh "
	    "%s/env.der %s/text %s/ecsm2.key %s/ecsm2.pem %s/chk",
	    UK_TEST_SOURCE_DIR, fx.work, fx.work, fx.work, fx.work, fx.work),
	    0);
	free(der);
	X509_NAME_free(n);
	X509_free(x);
	EVP_PKEY_free(pk);
}
END_TEST

/* pkcs11.sm2DecryptMechanism takes a mechanism number (0 included) and
 * nothing else; a bad one names itself (the file is then ignored). */
START_TEST(test_env_config_validation)
{
	static const char *const good[] = { "0", "2147516928", "2147516929",
	    "4294967295" };
	static const char *const bad[] = { "-1", "4294967296", "1.5",
	    "\"0x80008201\"", "true", "null" };
	char json[128], why[256];
	cJSON *v;
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(good) + UK_ARRAY_LEN(bad); i++) {
		snprintf(json, sizeof(json), "{\"sm2DecryptMechanism\":%s}",
		    i < UK_ARRAY_LEN(good) ? good[i] :
		    bad[i - UK_ARRAY_LEN(good)]);
		ck_assert_ptr_nonnull(v = cJSON_Parse(json));
		why[0] = '\0';
		if (i < UK_ARRAY_LEN(good))
			ck_assert_msg(uk_token_validate_config(v, why,
			    sizeof(why)) == 0, "%s: %s", json, why);
		else {
			ck_assert_int_eq(uk_token_validate_config(v, why,
			    sizeof(why)), UK_ERR_CONFIG);
			ck_assert_ptr_nonnull(strstr(why,
			    "'pkcs11.sm2DecryptMechanism'"));
		}
		cJSON_Delete(v);
	}
	ck_assert_ptr_nonnull(v = cJSON_Parse("{\"sm2Decrypt\":1}"));
	ck_assert_int_eq(uk_token_validate_config(v, why, sizeof(why)),
	    UK_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(why, "sm2DecryptMechanism)"));
	cJSON_Delete(v);
}
END_TEST

static Suite *
token_sm2_suite(void)
{
	Suite *s = suite_create("token_sm2");
	TCase *tc = tcase_create("host");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_list_and_certs);
	tcase_add_test(tc, test_sign_sm2);
	tcase_add_test(tc, test_sign_sm2_refusals);
	tcase_add_test(tc, test_sign_sm2_der_mechanism);
	tcase_add_test(tc, test_sign_sm2_unconfigured);
	tcase_add_test(tc, test_diagnose_sm2);
	tcase_add_test(tc, test_sign_ecdsa);
	tcase_add_test(tc, test_cms_sm2_detached);
	tcase_add_test(tc, test_cms_sm2_attached);
	tcase_add_test(tc, test_cms_sm2_binary);
	tcase_add_test(tc, test_se_sm2);
	tcase_add_test(tc, test_pin_count_low_and_reset);
	tcase_add_test(tc, test_pin_lock);
	tcase_add_test(tc, test_pin_to_be_changed);
	tcase_add_test(tc, test_pinpad);
	tcase_add_test(tc, test_pinpad_ignores_page_pin);
	tcase_add_test(tc, test_pinpad_se);
	suite_add_tcase(s, tc);
	/* SM2 envelopes (crypto.envelope/decrypt, SafeEngine Envelope) */
	tc = tcase_create("envelope");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_env_sm2_seal);
	tcase_add_test(tc, test_env_rsa_still_cms);
	tcase_add_test(tc, test_env_sm2_open);
	tcase_add_test(tc, test_env_sm2_open_raw);
	tcase_add_test(tc, test_env_sm2_bad);
	tcase_add_test(tc, test_env_sm2_mechanism_config);
	tcase_add_test(tc, test_env_se);
	suite_add_tcase(s, tc);
	/* the library alone, no host */
	tc = tcase_create("lib");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_env_sm2_ec_typed_key);
	tcase_add_test(tc, test_env_config_validation);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return uk_p11t_main(&fx, token_sm2_suite());
}
