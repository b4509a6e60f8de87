/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The token module through the real host binary, on a SoftHSM2 token:
 * token.*, cert.list, sign.*, crypto.*.  Every signature the host makes
 * is checked with the openssl command.
 */
#include "uk_setup.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "config.h"
#include "err.h"
#include "host.h"
#include "hostcall.h"
#include "hostproc.h"
#include "json.h"
#include "sign.h"
#include "softhsm.h"
#include "token.h"

static struct uk_softhsm fx;
static struct uk_hostproc hp;
static char tok[128];
static char work[160];

/* The calls of these tests go to hp (hostcall.h). */
#define callf(...)	uk_hc_call(&hp, UK_HC_ANY, __VA_ARGS__)
#define okf(...)	uk_hc_call(&hp, UK_HC_RESULT, __VA_ARGS__)

static void
start_host(const char *modules, const char *limits)
{
	char *cfg = uk_softhsm_config(modules, limits);

	ck_assert_ptr_nonnull(cfg);
	ck_assert_int_eq(uk_hostproc_start_test(&hp, cfg), 0);
	free(cfg);
}

static void
setup(void)
{
	start_host(NULL, NULL);
	uk_hc_only_token(&hp, tok, sizeof(tok));
	snprintf(work, sizeof(work), "%s/work", fx.dir);
	ck_assert_int_eq(uk_test_sh("mkdir -p %s", work), 0);
}

static void
teardown(void)
{
	ck_assert_int_eq(uk_hostproc_finish(&hp, 10000), 0);
}

static void
login(void)
{
	cJSON *resp = okf("token.login", "{\"token\":\"%s\",\"pin\":\""
	    UK_SOFTHSM_PIN "\"}", tok);

	cJSON_Delete(resp);
}

/* Writes a base64 member of resp's result to work/name. */
static void
save_b64(const cJSON *resp, const char *member, const char *name)
{
	uk_hc_save_b64(work, name, uk_hc_str(uk_hc_res(resp), member));
}

static const char msg[] = "UKeyLink 签名测试 message";
static const char msg_b64[] = "VUtleUxpbmsg562+5ZCN5rWL6K+VIG1lc3NhZ2U=";

static void
write_msg(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/msg", work);
	ck_assert_int_eq(uk_test_write_file(path, msg, strlen(msg)), 0);
}

START_TEST(test_token_list)
{
	cJSON *resp = okf("token.list", "{}");
	const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(uk_hc_res(resp),
	    "tokens"), 0), *pin = cJSON_GetObjectItem(t, "pin");

	ck_assert_str_eq(uk_hc_str(t, "label"), UK_SOFTHSM_LABEL);
	ck_assert_str_eq(uk_hc_str(t, "manufacturer"), "SoftHSM project");
	ck_assert_str_eq(uk_hc_str(t, "model"), "SoftHSM v2");
	ck_assert_str_eq(uk_hc_str(t, "module"), UK_SOFTHSM_MODULE);
	ck_assert(strncmp(uk_hc_str(t, "token"), "m0-s", 4) == 0);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(pin, "locked")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(pin, "loggedIn")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(pin, "finalTry")));
	/* SoftHSM reports no counter: retriesLeft stays out. */
	ck_assert_ptr_null(cJSON_GetObjectItem(pin, "retriesLeft"));
	ck_assert_ptr_null(cJSON_GetObjectItem(uk_hc_res(resp),
	    "moduleErrors"));
	cJSON_Delete(resp);
}
END_TEST

static const cJSON *
cert_by_id(const cJSON *certs, const char *id)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, certs)
		if (strcmp(uk_hc_str(c, "certId"), id) == 0)
			return c;
	ck_abort_msg("no certificate %s", id);
	return NULL;
}

START_TEST(test_cert_list)
{
	cJSON *resp = okf("cert.list", "{\"token\":\"%s\"}", tok);
	const cJSON *certs = cJSON_GetObjectItem(uk_hc_res(resp), "certs");
	const cJSON *rsa, *ec, *co2, *ca, *subj, *ext;
	char path[200], *der;
	double days;

	ck_assert_int_eq(cJSON_GetArraySize(certs), 4);
	rsa = cert_by_id(certs, "01");
	ec = cert_by_id(certs, "02");
	co2 = cert_by_id(certs, "03");
	ca = cert_by_id(certs, "0a");
	ck_assert_str_eq(uk_hc_str(rsa, "token"), tok);
	subj = cJSON_GetObjectItem(rsa, "subject");
	ck_assert_str_eq(uk_hc_str(subj, "O"), "上海测试有限公司");
	ck_assert_str_eq(uk_hc_str(subj, "CN"), "上海测试有限公司");
	ck_assert_str_eq(uk_hc_str(subj, "OU"), "法人一证通");
	ck_assert_str_eq(uk_hc_str(subj, "S"), "上海市");
	ck_assert_str_eq(uk_hc_str(subj, "L"), "上海市");
	ck_assert_str_eq(uk_hc_str(subj, "C"), "CN");
	ck_assert_str_eq(uk_hc_str(subj, "E"), "admin@test1.example.cn");
	ck_assert_str_eq(uk_hc_str(cJSON_GetObjectItem(rsa, "issuer"), "CN"),
	    "UKeyLink Test Issuing CA");
	ck_assert_str_eq(uk_hc_str(rsa, "serial"),
	    "9F3B2C4D5E6F708192A3B4C5D6E7F0A0");
	ck_assert_str_eq(uk_hc_str(rsa, "label"), "张三 签名");
	ck_assert_str_eq(uk_hc_str(rsa, "keyType"), "RSA");
	ck_assert_int_eq(cJSON_GetObjectItem(rsa, "keyBits")->valueint, 2048);
	days = cJSON_GetObjectItem(rsa, "daysLeft")->valuedouble;
	ck_assert(days > 300 && days < 20 * 366);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(rsa, "hasKey")));
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(ec, "hasKey")));
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(co2, "hasKey")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(ca, "hasKey")));
	ck_assert_str_eq(uk_hc_str(ec, "keyType"), "EC");
	ck_assert_int_eq(cJSON_GetObjectItem(ec, "keyBits")->valueint, 256);
	ext = cJSON_GetObjectItem(rsa, "extensions");
	ck_assert_str_eq(uk_hc_str(ext, "1.2.156.10260.4.1.4"),
	    "91310000MA1FL0000X");
	ck_assert_str_eq(uk_hc_str(ext, "1.2.156.112570.148"),
	    "SH0000000001UID");
	/* UTF8String and OCTET STRING encodings of the same fields */
	ck_assert_str_eq(uk_hc_str(cJSON_GetObjectItem(ec, "extensions"),
	    "1.2.156.112570.11.210"), "沪企E310000000001");
	ck_assert_str_eq(uk_hc_str(cJSON_GetObjectItem(co2, "extensions"),
	    "1.2.156.10260.4.1.4"), "91310000MA1FL0002Y");
	ck_assert_str_eq(uk_hc_str(cJSON_GetObjectItem(co2, "subject"), "O"),
	    "上海第二测试有限公司");
	/* the DER is the certificate on the token, byte for byte */
	snprintf(path, sizeof(path), "%s/rsa.der", fx.pki);
	der = uk_test_file_b64(path);
	ck_assert_ptr_nonnull(der);
	ck_assert_str_eq(uk_hc_str(rsa, "der"), der);
	free(der);
	cJSON_Delete(resp);
	/* without a token: every token's certificates */
	resp = okf("cert.list", "{}");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(uk_hc_res(resp),
	    "certs")), 4);
	cJSON_Delete(resp);
}
END_TEST

START_TEST(test_sign_needs_login)
{
	cJSON *resp = callf("sign.data", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"data\":\"%s\"}", tok, msg_b64);

	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_NOT_LOGGED_IN);
	cJSON_Delete(resp);
	resp = callf("sign.data", "{\"token\":\"m9-s1-nope\",\"data\":\"%s\"}",
	    msg_b64);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_TOKEN_NOT_FOUND);
	cJSON_Delete(resp);
	/* a read-only origin may list but not sign */
	resp = uk_hostproc_call(&hp, hp.next_id++, "token.login",
	    "{\"token\":\"x\",\"pin\":\"12345678\"}", "https://gov.example.cn");
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_ORIGIN_NOT_ALLOWED);
	cJSON_Delete(resp);
}
END_TEST

START_TEST(test_wrong_pin)
{
	const cJSON *e, *pin;
	cJSON *resp;

	resp = callf("token.login", "{\"token\":\"%s\",\"pin\":\"00000000\"}",
	    tok);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_PIN_INCORRECT);
	e = cJSON_GetObjectItem(resp, "error");
	ck_assert_str_eq(uk_hc_str(e, "name"), "PIN_INCORRECT");
	ck_assert_str_eq(uk_hc_str(e, "message"), "私钥密码错误");
	pin = cJSON_GetObjectItem(e, "pin");
	ck_assert_ptr_nonnull(pin);
	/* SoftHSM sets COUNT_LOW after a wrong PIN (virtual-reader.md). */
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(pin, "countLow")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(pin, "loggedIn")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(pin, "locked")));
	cJSON_Delete(resp);
	/* PIN bytes and length are checked before the module sees them */
	resp = callf("token.login", "{\"token\":\"%s\",\"pin\":\"12\"}", tok);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_PIN_LEN_RANGE);
	cJSON_Delete(resp);
	resp = callf("token.login", "{\"token\":\"%s\",\"pin\":\"1234\\t678\"}",
	    tok);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_PIN_INVALID);
	cJSON_Delete(resp);
	resp = callf("token.login", "{\"token\":\"%s\",\"pin\":\"\"}", tok);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_PIN_LEN_RANGE);
	cJSON_Delete(resp);
	resp = callf("token.login", "{\"token\":\"%s\",\"pin\":1234}", tok);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_INVALID_PARAM);
	cJSON_Delete(resp);
	/* a good login clears COUNT_LOW */
	resp = okf("token.login", "{\"token\":\"%s\",\"pin\":\""
	    UK_SOFTHSM_PIN "\"}", tok);
	pin = cJSON_GetObjectItem(uk_hc_res(resp), "pin");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(pin, "countLow")));
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(pin, "loggedIn")));
	cJSON_Delete(resp);
	/* a wrong PIN while logged in ends that login */
	resp = callf("token.login", "{\"token\":\"%s\",\"pin\":\"99999999\"}",
	    tok);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_PIN_INCORRECT);
	cJSON_Delete(resp);
	resp = callf("sign.data", "{\"token\":\"%s\",\"data\":\"%s\"}", tok,
	    msg_b64);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_NOT_LOGGED_IN);
	cJSON_Delete(resp);
	login();
}
END_TEST

/* sign.data with hash/scheme, then openssl dgst -verify. */
static void
sign_and_check(const char *id, const char *hash, const char *scheme,
    const char *pub, const char *sigopts)
{
	cJSON *resp;

	resp = okf("sign.data", "{\"token\":\"%s\",\"certId\":\"%s\","
	    "\"data\":\"%s\",\"hash\":\"%s\",\"scheme\":\"%s\"}", tok, id,
	    msg_b64, hash, scheme);
	save_b64(resp, "signature", "sig");
	cJSON_Delete(resp);
	ck_assert_msg(uk_test_sh("openssl dgst -%s -verify %s/%s %s "
	    "-signature %s/sig %s/msg", hash, fx.pki, pub, sigopts, work,
	    work) == 0, "openssl rejects %s %s %s", id, hash, scheme);
}

/* RSA with SM3: OpenSSL's command refuses the pair, so the DigestInfo is
 * recovered with the public key and compared with one built here from
 * `openssl dgst -sm3` (SM3 OID 1.2.156.10197.1.401, NULL parameters). */
static void
sm3_rsa_check(void)
{
	static const unsigned char prefix[] = { 0x30, 0x30, 0x30, 0x0c, 0x06,
	    0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x11, 0x05, 0x00,
	    0x04, 0x20 };
	char path[256], *cert, *sig;
	cJSON *resp;

	resp = okf("sign.data", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"data\":\"%s\",\"hash\":\"sm3\"}", tok, msg_b64);
	save_b64(resp, "signature", "sig");
	sig = strdup(uk_hc_str(uk_hc_res(resp), "signature"));
	cJSON_Delete(resp);
	snprintf(path, sizeof(path), "%s/di", work);
	ck_assert_int_eq(uk_test_write_file(path, prefix, sizeof(prefix)), 0);
	ck_assert_int_eq(uk_test_sh("openssl dgst -sm3 -binary %s/msg >> "
	    "%s/di && openssl pkeyutl -verifyrecover -pubin -inkey %s/rsa.pub "
	    "-in %s/sig -out %s/rec && cmp %s/di %s/rec", work, work, fx.pki,
	    work, work, work, work), 0);
	/* and the host's own verification agrees */
	snprintf(path, sizeof(path), "%s/rsa.der", fx.pki);
	cert = uk_test_file_b64(path);
	resp = okf("sign.verify", "{\"cert\":\"%s\",\"data\":\"%s\","
	    "\"hash\":\"sm3\",\"signature\":\"%s\"}", cert, msg_b64, sig);
	cJSON_Delete(resp);
	resp = callf("sign.verify", "{\"cert\":\"%s\",\"data\":\"AAAA\","
	    "\"hash\":\"sm3\",\"signature\":\"%s\"}", cert, sig);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_VERIFY_SIGNATURE);
	cJSON_Delete(resp);
	free(cert);
	free(sig);
}

START_TEST(test_sign_data)
{
	login();
	write_msg();
	sign_and_check("01", "sha256", "pkcs1", "rsa.pub", "");
	sign_and_check("01", "sha1", "pkcs1", "rsa.pub", "");
	sign_and_check("01", "sha512", "pkcs1", "rsa.pub", "");
	sm3_rsa_check();
	sign_and_check("01", "sha256", "pss", "rsa.pub",
	    "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32");
	sign_and_check("02", "sha256", "ecdsa", "ec.pub", "");
	sign_and_check("02", "sha1", "ecdsa", "ec.pub", "");
}
END_TEST

START_TEST(test_sign_default_cert_and_raw_ecdsa)
{
	cJSON *resp, *v;
	const char *sig;
	char cert[4096];
	char *der;
	size_t len;
	unsigned char *raw;

	login();
	write_msg();
	/* no certId: the signing certificate (RSA, digitalSignature) */
	resp = okf("sign.data", "{\"token\":\"%s\",\"data\":\"%s\","
	    "\"hash\":\"sha1\"}", tok, msg_b64);
	save_b64(resp, "signature", "sig");
	cJSON_Delete(resp);
	ck_assert_int_eq(uk_test_sh("openssl dgst -sha1 -verify %s/rsa.pub "
	    "-signature %s/sig %s/msg", fx.pki, work, work), 0);
	/* r||s: 64 bytes for P-256, checked by the host's sign.verify */
	resp = okf("sign.data", "{\"token\":\"%s\",\"certId\":\"02\","
	    "\"data\":\"%s\",\"scheme\":\"ecdsa-raw\"}", tok, msg_b64);
	sig = uk_hc_str(uk_hc_res(resp), "signature");
	raw = uk_test_b64(sig, &len);
	ck_assert_uint_eq(len, 64);
	free(raw);
	snprintf(cert, sizeof(cert), "%s/ec.der", fx.pki);
	der = uk_test_file_b64(cert);
	v = okf("sign.verify", "{\"cert\":\"%s\",\"data\":\"%s\","
	    "\"signature\":\"%s\"}", der, msg_b64, sig);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(uk_hc_res(v), "ok")));
	cJSON_Delete(v);
	/* a changed message does not verify */
	v = callf("sign.verify", "{\"cert\":\"%s\",\"data\":\"%s\","
	    "\"signature\":\"%s\"}", der, "AAAA", sig);
	ck_assert_int_eq(uk_hc_code(v), UK_ERR_VERIFY_SIGNATURE);
	cJSON_Delete(v);
	free(der);
	cJSON_Delete(resp);
	/* an RSA scheme on the EC key */
	resp = callf("sign.data", "{\"token\":\"%s\",\"certId\":\"02\","
	    "\"data\":\"%s\",\"scheme\":\"pss\"}", tok, msg_b64);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_MECHANISM);
	cJSON_Delete(resp);
	resp = callf("sign.data", "{\"token\":\"%s\",\"certId\":\"0a\","
	    "\"data\":\"%s\"}", tok, msg_b64);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_CERT_NOT_FOUND);
	cJSON_Delete(resp);
	resp = callf("sign.data", "{\"token\":\"%s\",\"data\":\"%s\","
	    "\"hash\":\"md5\"}", tok, msg_b64);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_INVALID_PARAM);
	cJSON_Delete(resp);
	resp = callf("sign.data", "{\"token\":\"%s\",\"data\":\"%s\","
	    "\"bogus\":1}", tok, msg_b64);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_INVALID_PARAM);
	cJSON_Delete(resp);
}
END_TEST

START_TEST(test_verify_sm2)
{
	char path[256], *der, *sig;
	cJSON *resp;

	/* an SM2/SM3 signature made by the openssl command (GM/T 0009,
	 * default signer ID), checked by the host */
	write_msg();
	ck_assert_int_eq(uk_test_sh("openssl dgst -sm3 -sign "
	    "%s/leaf-sm2.key -sigopt distid:1234567812345678 -out %s/sm2sig "
	    "%s/msg", fx.pki, work, work), 0);
	snprintf(path, sizeof(path), "%s/leaf-sm2.der", fx.pki);
	der = uk_test_file_b64(path);
	snprintf(path, sizeof(path), "%s/sm2sig", work);
	sig = uk_test_file_b64(path);
	ck_assert_ptr_nonnull(der);
	ck_assert_ptr_nonnull(sig);
	resp = okf("sign.verify", "{\"cert\":\"%s\",\"data\":\"%s\","
	    "\"hash\":\"sm3\",\"signature\":\"%s\"}", der, msg_b64, sig);
	cJSON_Delete(resp);
	resp = callf("sign.verify", "{\"cert\":\"%s\",\"data\":\"AAAA\","
	    "\"hash\":\"sm3\",\"signature\":\"%s\"}", der, sig);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_VERIFY_SIGNATURE);
	cJSON_Delete(resp);
	resp = callf("sign.verify", "{\"cert\":\"%s\",\"data\":\"%s\","
	    "\"hash\":\"sha256\",\"signature\":\"%s\"}", der, msg_b64,
	    sig);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_MECHANISM);
	cJSON_Delete(resp);
	/* the same signature as r ‖ s (what SM2 tokens return) verifies
	 * too, and a flipped bit in it does not */
	{
		size_t dlen = 0;
		unsigned char *d = uk_test_b64(sig, &dlen), rs[64];
		const unsigned char *p = d;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
		char *rsb64;

		ck_assert_ptr_nonnull(es);
		ck_assert_int_eq(BN_bn2binpad(ECDSA_SIG_get0_r(es), rs, 32),
		    32);
		ck_assert_int_eq(BN_bn2binpad(ECDSA_SIG_get0_s(es), rs + 32,
		    32), 32);
		ck_assert_ptr_nonnull(rsb64 = uk_base64_encode(rs, sizeof(rs)));
		resp = okf("sign.verify", "{\"cert\":\"%s\",\"data\":\"%s\","
		    "\"hash\":\"sm3\",\"signature\":\"%s\"}", der, msg_b64,
		    rsb64);
		cJSON_Delete(resp);
		free(rsb64);
		rs[40] ^= 1;
		ck_assert_ptr_nonnull(rsb64 = uk_base64_encode(rs, sizeof(rs)));
		resp = callf("sign.verify", "{\"cert\":\"%s\",\"data\":"
		    "\"%s\",\"hash\":\"sm3\",\"signature\":\"%s\"}", der,
		    msg_b64, rsb64);
		ck_assert_int_eq(uk_hc_code(resp), UK_ERR_VERIFY_SIGNATURE);
		cJSON_Delete(resp);
		free(rsb64);
		ECDSA_SIG_free(es);
		free(d);
	}
	/* SM2 signing needs the vendor mechanism: none is configured */
	login();
	resp = callf("sign.data", "{\"token\":\"%s\",\"certId\":\"02\","
	    "\"data\":\"%s\",\"scheme\":\"sm2\",\"hash\":\"sm3\"}", tok,
	    msg_b64);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_MECHANISM);
	cJSON_Delete(resp);
	free(der);
	free(sig);
}
END_TEST

START_TEST(test_sign_digest)
{
	cJSON *resp;
	char dgst[128];

	login();
	write_msg();
	resp = okf("crypto.digest", "{\"data\":\"%s\",\"hash\":\"sha256\"}",
	    msg_b64);
	snprintf(dgst, sizeof(dgst), "%s", uk_hc_str(uk_hc_res(resp),
	    "digest"));
	save_b64(resp, "digest", "md");
	cJSON_Delete(resp);
	ck_assert_int_eq(uk_test_sh("openssl dgst -sha256 -binary %s/msg | "
	    "cmp - %s/md", work, work), 0);
	resp = okf("sign.digest", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"digest\":\"%s\",\"hash\":\"sha256\"}", tok, dgst);
	save_b64(resp, "signature", "sig");
	cJSON_Delete(resp);
	ck_assert_int_eq(uk_test_sh("openssl pkeyutl -verify -pubin -inkey "
	    "%s/rsa.pub -pkeyopt digest:sha256 -in %s/md -sigfile %s/sig",
	    fx.pki, work, work), 0);
	resp = okf("sign.digest", "{\"token\":\"%s\",\"certId\":\"02\","
	    "\"digest\":\"%s\"}", tok, dgst);
	save_b64(resp, "signature", "sig");
	cJSON_Delete(resp);
	ck_assert_int_eq(uk_test_sh("openssl pkeyutl -verify -pubin -inkey "
	    "%s/ec.pub -in %s/md -sigfile %s/sig", fx.pki, work, work), 0);
	/* wrong digest length */
	resp = callf("sign.digest", "{\"token\":\"%s\",\"digest\":\"AAAA\"}",
	    tok);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_INVALID_PARAM);
	cJSON_Delete(resp);
}
END_TEST

START_TEST(test_sign_cms)
{
	cJSON *resp, *v;
	const char *cms;

	login();
	write_msg();
	/* attached, RSA */
	resp = okf("sign.cms", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"data\":\"%s\"}", tok, msg_b64);
	save_b64(resp, "cms", "att.der");
	ck_assert_int_eq(uk_test_sh("openssl cms -verify -binary -inform DER "
	    "-in %s/att.der -CAfile %s/ca.pem -purpose any -out %s/out && "
	    "cmp %s/out %s/msg", work, fx.pki, work, work, work), 0);
	ck_assert_int_eq(uk_test_sh("openssl cms -cmsout -print -inform DER "
	    "-in %s/att.der | grep -q signingTime", work), 0);
	cms = uk_hc_str(uk_hc_res(resp), "cms");
	v = okf("sign.verifyCms", "{\"cms\":\"%s\"}", cms);
	ck_assert_str_eq(uk_hc_str(uk_hc_res(v), "content"), msg_b64);
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(uk_hc_res(v), "signer"));
	cJSON_Delete(v);
	cJSON_Delete(resp);
	/* detached, EC */
	resp = okf("sign.cms", "{\"token\":\"%s\",\"certId\":\"02\","
	    "\"data\":\"%s\",\"detached\":true}", tok, msg_b64);
	save_b64(resp, "cms", "det.der");
	ck_assert_int_eq(uk_test_sh("openssl cms -verify -binary -inform DER "
	    "-in %s/det.der -content %s/msg -CAfile %s/ca.pem -purpose any "
	    "-out /dev/null", work, work, fx.pki), 0);
	cms = uk_hc_str(uk_hc_res(resp), "cms");
	v = okf("sign.verifyCms", "{\"cms\":\"%s\",\"data\":\"%s\"}", cms,
	    msg_b64);
	cJSON_Delete(v);
	v = callf("sign.verifyCms", "{\"cms\":\"%s\",\"data\":\"AAAA\"}", cms);
	ck_assert_int_eq(uk_hc_code(v), UK_ERR_VERIFY_SIGNATURE);
	cJSON_Delete(v);
	cJSON_Delete(resp);
}
END_TEST

/*
 * Attached signatures are re-framed around the content (cms_attach.h): at
 * every size where a DER length changes form, the result must verify and
 * be exactly what OpenSSL writes when it re-encodes the structure.
 */
START_TEST(test_sign_cms_attached_der)
{
	static const size_t sizes[] = { 0, 1, 127, 128, 255, 256, 3000,
	    65535, 65536, 70000 };
	char path[256], *b64, *req;
	unsigned char *data;
	cJSON *resp;
	size_t i, k;

	login();
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		data = malloc(sizes[k] + 1);
		ck_assert_ptr_nonnull(data);
		for (i = 0; i < sizes[k]; i++)
			data[i] = (unsigned char)(i * 31 + k);
		snprintf(path, sizeof(path), "%s/in%zu", work, k);
		ck_assert_int_eq(uk_test_write_file(path, data, sizes[k]), 0);
		b64 = uk_base64_encode(data, sizes[k]);
		free(data);
		ck_assert_ptr_nonnull(b64);
		req = malloc(strlen(b64) + 256);
		ck_assert_ptr_nonnull(req);
		sprintf(req, "{\"token\":\"%s\",\"certId\":\"%s\","
		    "\"data\":\"%s\"}", tok, k % 2 ? "02" : "01", b64);
		free(b64);
		resp = uk_hostproc_call(&hp, hp.next_id++, "sign.cms", req,
		    UK_TEST_ORIGIN);
		free(req);
		ck_assert_ptr_nonnull(resp);
		snprintf(path, sizeof(path), "att%zu.der", k);
		save_b64(resp, "cms", path);
		cJSON_Delete(resp);
		ck_assert_msg(uk_test_sh("openssl cms -verify -binary -inform DER "
		    "-in %s/att%zu.der -CAfile %s/ca.pem -purpose any "
		    "-out %s/out%zu && cmp %s/out%zu %s/in%zu", work, k, fx.pki,
		    work, k, work, k, work, k) == 0,
		    "attached CMS of %zu bytes does not verify", sizes[k]);
		ck_assert_msg(uk_test_sh("openssl cms -cmsout -inform DER "
		    "-outform DER -in %s/att%zu.der -out %s/re%zu.der && "
		    "cmp %s/att%zu.der %s/re%zu.der", work, k, work, k, work, k,
		    work, k) == 0,
		    "attached CMS of %zu bytes is not OpenSSL's DER", sizes[k]);
	}
}
END_TEST

START_TEST(test_envelope_decrypt)
{
	char path[256], *der, *env;
	cJSON *resp;

	login();
	write_msg();
	snprintf(path, sizeof(path), "%s/rsa.der", fx.pki);
	der = uk_test_file_b64(path);
	/* host envelope → openssl decrypts with the software key */
	resp = okf("crypto.envelope", "{\"cert\":\"%s\",\"data\":\"%s\"}",
	    der, msg_b64);
	save_b64(resp, "envelope", "env.der");
	cJSON_Delete(resp);
	ck_assert_int_eq(uk_test_sh("openssl cms -decrypt -binary -inform DER "
	    "-in %s/env.der -inkey %s/rsa.key -out %s/out && cmp %s/out "
	    "%s/msg", work, fx.pki, work, work, work), 0);
	/* openssl envelope → the host decrypts with the token key */
	ck_assert_int_eq(uk_test_sh("openssl cms -encrypt -binary -aes256 "
	    "-outform DER -in %s/msg -out %s/env2.der %s/rsa.pem", work, work,
	    fx.pki), 0);
	snprintf(path, sizeof(path), "%s/env2.der", work);
	env = uk_test_file_b64(path);
	resp = okf("crypto.decrypt", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"envelope\":\"%s\"}", tok, env);
	ck_assert_str_eq(uk_hc_str(uk_hc_res(resp), "data"), msg_b64);
	cJSON_Delete(resp);
	/* EC certificate: openssl's ECDH envelope, opened with the token
	 * key (C_DeriveKey) */
	free(env);
	ck_assert_int_eq(uk_test_sh("openssl cms -encrypt -binary -aes256 "
	    "-outform DER -in %s/msg -out %s/env3.der %s/ec.pem", work, work,
	    fx.pki), 0);
	snprintf(path, sizeof(path), "%s/env3.der", work);
	env = uk_test_file_b64(path);
	resp = okf("crypto.decrypt", "{\"token\":\"%s\",\"certId\":\"02\","
	    "\"envelope\":\"%s\"}", tok, env);
	ck_assert_str_eq(uk_hc_str(uk_hc_res(resp), "data"), msg_b64);
	cJSON_Delete(resp);
	/* garbage */
	resp = callf("crypto.decrypt", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"envelope\":\"AAAA\"}", tok);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_ENVELOPE);
	cJSON_Delete(resp);
	free(env);
	free(der);
}
END_TEST

START_TEST(test_random_and_logout)
{
	cJSON *resp;
	unsigned char *p;
	size_t len;

	resp = okf("crypto.random", "{\"length\":32}");
	p = uk_test_b64(uk_hc_str(uk_hc_res(resp), "random"), &len);
	ck_assert_uint_eq(len, 32);
	free(p);
	cJSON_Delete(resp);
	resp = okf("crypto.random", "{\"length\":4096,\"token\":\"%s\"}", tok);
	p = uk_test_b64(uk_hc_str(uk_hc_res(resp), "random"), &len);
	ck_assert_uint_eq(len, 4096);
	free(p);
	cJSON_Delete(resp);
	resp = callf("crypto.random", "{\"length\":0}");
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_INVALID_PARAM);
	cJSON_Delete(resp);
	login();
	resp = okf("sign.data", "{\"token\":\"%s\",\"data\":\"%s\"}", tok,
	    msg_b64);
	cJSON_Delete(resp);
	resp = okf("token.logout", "{\"token\":\"%s\"}", tok);
	cJSON_Delete(resp);
	resp = callf("sign.data", "{\"token\":\"%s\",\"data\":\"%s\"}", tok,
	    msg_b64);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_NOT_LOGGED_IN);
	cJSON_Delete(resp);
}
END_TEST

START_TEST(test_change_pin)
{
	cJSON *resp;

	resp = callf("token.changePin", "{\"token\":\"%s\",\"oldPin\":"
	    "\"00000000\",\"newPin\":\"11112222\"}", tok);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_PIN_INCORRECT);
	cJSON_Delete(resp);
	resp = callf("token.changePin", "{\"token\":\"%s\",\"oldPin\":\""
	    UK_SOFTHSM_PIN "\",\"newPin\":\"1\"}", tok);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_PIN_LEN_RANGE);
	cJSON_Delete(resp);
	resp = okf("token.changePin", "{\"token\":\"%s\",\"oldPin\":\""
	    UK_SOFTHSM_PIN "\",\"newPin\":\"11112222\"}", tok);
	cJSON_Delete(resp);
	resp = callf("token.login", "{\"token\":\"%s\",\"pin\":\""
	    UK_SOFTHSM_PIN "\"}", tok);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_PIN_INCORRECT);
	cJSON_Delete(resp);
	resp = okf("token.login", "{\"token\":\"%s\",\"pin\":\"11112222\"}",
	    tok);
	cJSON_Delete(resp);
	resp = okf("token.changePin", "{\"token\":\"%s\",\"oldPin\":"
	    "\"11112222\",\"newPin\":\"" UK_SOFTHSM_PIN "\"}", tok);
	cJSON_Delete(resp);
	login();
}
END_TEST

/* Module load failures: reported with the path, never a crash. */
START_TEST(test_module_load_failure)
{
	cJSON *resp;
	const cJSON *e, *me;

	ck_assert_int_eq(uk_hostproc_finish(&hp, 10000), 0);
	start_host("\"/nonexistent/libnothing.so\"", NULL);
	resp = callf("token.list", "{}");
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_LOAD_LIBRARY);
	e = cJSON_GetObjectItem(resp, "error");
	ck_assert_str_eq(uk_hc_str(e, "message"), "装载动态库错误");
	{
		char *t = cJSON_PrintUnformatted(e);

		ck_assert_ptr_nonnull(strstr(t, "/nonexistent/libnothing.so"));
		free(t);
	}
	cJSON_Delete(resp);
	resp = callf("token.login", "{\"token\":\"m0-s1-x\",\"pin\":"
	    "\"12345678\"}");
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_LOAD_LIBRARY);
	cJSON_Delete(resp);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 10000), 0);
	/* a bad module next to a good one: the good one works */
	start_host("\"/nonexistent/libnothing.so\",\"" UK_SOFTHSM_MODULE
	    "\",\"/etc/passwd\"", NULL);
	resp = okf("token.list", "{}");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(
	    uk_hc_res(resp), "tokens")), 1);
	me = cJSON_GetObjectItem(uk_hc_res(resp), "moduleErrors");
	ck_assert_int_eq(cJSON_GetArraySize(me), 2);
	ck_assert_str_eq(uk_hc_str(cJSON_GetArrayItem(me, 0), "path"),
	    "/nonexistent/libnothing.so");
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(me, 1),
	    "code")->valueint, UK_ERR_LOAD_LIBRARY);
	ck_assert(strncmp(uk_hc_str(cJSON_GetArrayItem(cJSON_GetObjectItem(
	    uk_hc_res(resp), "tokens"), 0), "token"), "m1-", 3) == 0);
	cJSON_Delete(resp);
}
END_TEST

/* Two modules loaded together (OpenSC, with or without readers, and
 * SoftHSM2): handles name the module, each keeps working. */
START_TEST(test_two_modules)
{
	cJSON *resp;
	const cJSON *toks, *t;
	int found = 0;

	ck_assert_int_eq(uk_hostproc_finish(&hp, 10000), 0);
	start_host("\"/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so\",\""
	    UK_SOFTHSM_MODULE "\"", NULL);
	resp = okf("token.list", "{}");
	ck_assert_ptr_null(cJSON_GetObjectItem(uk_hc_res(resp),
	    "moduleErrors"));
	toks = cJSON_GetObjectItem(uk_hc_res(resp), "tokens");
	cJSON_ArrayForEach(t, toks)
		if (strcmp(uk_hc_str(t, "module"), UK_SOFTHSM_MODULE) == 0) {
			ck_assert(strncmp(uk_hc_str(t, "token"), "m1-", 3) ==
			    0);
			snprintf(tok, sizeof(tok), "%s", uk_hc_str(t, "token"));
			found++;
		}
	ck_assert_int_eq(found, 1);
	cJSON_Delete(resp);
	login();
	write_msg();
	sign_and_check("01", "sha256", "pkcs1", "rsa.pub", "");
}
END_TEST

START_TEST(test_idle_timeout)
{
	cJSON *resp;

	ck_assert_int_eq(uk_hostproc_finish(&hp, 10000), 0);
	start_host(NULL, "\"sessionIdleSeconds\":10");
	uk_hc_only_token(&hp, tok, sizeof(tok));
	login();
	resp = okf("sign.data", "{\"token\":\"%s\",\"data\":\"%s\"}", tok,
	    msg_b64);
	cJSON_Delete(resp);
	sleep(12);
	resp = callf("sign.data", "{\"token\":\"%s\",\"data\":\"%s\"}", tok,
	    msg_b64);
	ck_assert_int_eq(uk_hc_code(resp), UK_ERR_NOT_LOGGED_IN);
	cJSON_Delete(resp);
}
END_TEST


/* --- Unit level: token.h and sign.h in this process ----------------- */

static struct uk_config *ucfg;
static struct uk_ctx uctx;
static char utok[UK_TOKEN_HANDLE_MAX];

static void
unit_setup(void)
{
	char *cfg = uk_softhsm_config(NULL, NULL), *path;
	int fd;

	ck_assert_ptr_nonnull(cfg);
	path = uk_test_write_temp("config.json", cfg);
	ck_assert_ptr_nonnull(path);
	ck_assert_int_eq(setenv("UKEYLINK_CONFIG", path, 1), 0);
	ck_assert_int_eq(uk_config_load("/nonexistent", NULL, &ucfg), 0);
	fd = open("/dev/null", O_WRONLY);
	ck_assert_int_eq(uk_ctx_init(&uctx, ucfg, fd), 0);
	ck_assert_int_eq(uk_token_first(&uctx, utok, sizeof(utok)), 0);
	snprintf(work, sizeof(work), "%s/work", fx.dir);
	ck_assert_int_eq(uk_test_sh("mkdir -p %s", work), 0);
	free(cfg);
	free(path);
}

static void
unit_teardown(void)
{
	uk_ctx_fini(&uctx);
	ck_assert_ptr_null(uctx.token);
	uk_config_free(ucfg);
}

START_TEST(test_unit_helpers)
{
	static const unsigned char sha256_prefix[] = { 0x30, 0x31, 0x30, 0x0d,
	    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	    0x05, 0x00, 0x04, 0x20 };
	static const unsigned char sha1_prefix[] = { 0x30, 0x21, 0x30, 0x09,
	    0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14 };
	unsigned char md[UK_HASH_MAX_LEN], raw[64], *der, *back, *di;
	size_t mdlen, derlen, backlen, dilen, i;

	ck_assert_int_eq(uk_hash_parse("sha256"), UK_HASH_SHA256);
	ck_assert_int_eq(uk_hash_parse("SHA256"), UK_HASH_NONE);
	ck_assert_int_eq(uk_hash_parse(""), UK_HASH_NONE);
	ck_assert_uint_eq(uk_hash_len(UK_HASH_SM3), 32);
	ck_assert_int_eq(uk_scheme_parse("ecdsa-raw"), UK_SCHEME_ECDSA_RAW);
	ck_assert_int_eq(uk_scheme_parse("ecdsa_raw"), -1);
	/* SM3 of "abc" (GB/T 32905 example) */
	ck_assert_int_eq(uk_digest(UK_HASH_SM3, (const unsigned char *)"abc",
	    3, md, &mdlen), 0);
	ck_assert_uint_eq(mdlen, 32);
	ck_assert_uint_eq(md[0], 0x66);
	ck_assert_uint_eq(md[31], 0xe0);
	/* DigestInfo: fixed prefixes of RFC 8017 section 9.2 note 1 */
	ck_assert_int_eq(uk_digest_info(UK_HASH_SHA256, md, 32, &di, &dilen),
	    0);
	ck_assert_uint_eq(dilen, sizeof(sha256_prefix) + 32);
	ck_assert_mem_eq(di, sha256_prefix, sizeof(sha256_prefix));
	ck_assert_mem_eq(di + sizeof(sha256_prefix), md, 32);
	free(di);
	ck_assert_int_eq(uk_digest_info(UK_HASH_SHA1, md, 20, &di, &dilen), 0);
	ck_assert_mem_eq(di, sha1_prefix, sizeof(sha1_prefix));
	free(di);
	ck_assert_int_eq(uk_digest_info(UK_HASH_SHA1, md, 32, &di, &dilen),
	    UK_ERR_INVALID_PARAM);
	ck_assert_ptr_null(di);
	ck_assert_uint_eq(dilen, 0);
	/* r||s <-> DER, with leading zero bytes kept on the way back */
	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)(i < 2 || (i >= 32 && i < 33) ? 0 :
		    0x80 + i);
	ck_assert_int_eq(uk_ecdsa_raw_to_der(raw, 64, &der, &derlen), 0);
	ck_assert_int_eq(uk_ecdsa_der_to_raw(der, derlen, 32, &back,
	    &backlen), 0);
	ck_assert_uint_eq(backlen, 64);
	ck_assert_mem_eq(back, raw, 64);
	free(back);
	ck_assert_int_eq(uk_ecdsa_der_to_raw(der, derlen - 1, 32, &back,
	    &backlen), UK_ERR_VERIFY_SIGNATURE);
	ck_assert_ptr_null(back);
	free(der);
	ck_assert_int_eq(uk_ecdsa_raw_to_der(raw, 63, &der, &derlen),
	    UK_ERR_INVALID_PARAM);
	ck_assert_int_eq(uk_cert_from_der(raw, 64, (X509 **)&der),
	    UK_ERR_CERT_FORMAT);
	ck_assert_ptr_null(der);
}
END_TEST

START_TEST(test_unit_pkey_pss)
{
	struct uk_pin_state ps;
	EVP_MD_CTX *mctx;
	EVP_PKEY_CTX *pctx;
	EVP_PKEY *pk = NULL;
	unsigned char sig[512];
	size_t siglen = sizeof(sig);
	char path[256];

	ck_assert_int_eq(uk_token_pkey(&uctx, utok, "01", &pk),
	    UK_ERR_NOT_LOGGED_IN);
	ck_assert_ptr_null(pk);
	ck_assert_int_eq(uk_token_login(&uctx, utok, UK_SOFTHSM_PIN, &ps), 0);
	ck_assert_int_eq(ps.logged_in, 1);
	ck_assert_int_eq(uk_token_pkey(&uctx, utok, "01", &pk), 0);
	/* RSA-PSS through OpenSSL's EVP with the token key */
	mctx = EVP_MD_CTX_new();
	ck_assert_int_eq(EVP_DigestSignInit(mctx, &pctx, EVP_sha256(), NULL,
	    pk), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PSS_PADDING), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32), 1);
	ck_assert_int_eq(EVP_DigestSign(mctx, sig, &siglen,
	    (const unsigned char *)msg, strlen(msg)), 1);
	EVP_MD_CTX_free(mctx);
	ck_assert_uint_eq(siglen, 256);
	snprintf(path, sizeof(path), "%s/usig", work);
	ck_assert_int_eq(uk_test_write_file(path, sig, siglen), 0);
	write_msg();
	ck_assert_int_eq(uk_test_sh("openssl dgst -sha256 -verify %s/rsa.pub "
	    "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 "
	    "-signature %s/usig %s/msg", fx.pki, work, work), 0);
	/* after logout the key refuses to work, cleanly */
	ck_assert_int_eq(uk_token_logout(&uctx, utok), 0);
	mctx = EVP_MD_CTX_new();
	siglen = sizeof(sig);
	ck_assert_int_eq(EVP_DigestSignInit(mctx, NULL, EVP_sha256(), NULL,
	    pk), 1);
	ck_assert_int_ne(EVP_DigestSign(mctx, sig, &siglen,
	    (const unsigned char *)msg, strlen(msg)), 1);
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_free(pk);
}
END_TEST

START_TEST(test_unit_raw_and_events)
{
	CK_FUNCTION_LIST_PTR fn;
	CK_SESSION_HANDLE sess;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl = { CKA_CLASS, &cls, sizeof(cls) };
	CK_OBJECT_HANDLE objs[8];
	CK_ULONG n = 0;
	CK_TOKEN_INFO info;
	CK_SLOT_ID slot;
	unsigned char rnd[16];
	struct uk_pin_state ps;

	ck_assert_int_eq(uk_token_raw(&uctx, utok, &fn, &sess),
	    UK_ERR_NOT_LOGGED_IN);
	ck_assert_ptr_null(fn);
	ck_assert_int_eq(uk_token_raw(&uctx, "m7-s0-none", &fn, &sess),
	    UK_ERR_TOKEN_NOT_FOUND);
	ck_assert_int_eq(uk_token_login(&uctx, utok, UK_SOFTHSM_PIN, NULL), 0);
	ck_assert_int_eq(uk_token_raw(&uctx, utok, &fn, &sess), 0);
	/* the borrowed session sees the private keys: 3 of them */
	ck_assert_int_eq(fn->C_FindObjectsInit(sess, &tmpl, 1), CKR_OK);
	ck_assert_int_eq(fn->C_FindObjects(sess, objs, 8, &n), CKR_OK);
	ck_assert_int_eq(fn->C_FindObjectsFinal(sess), CKR_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(fn->C_GenerateRandom(sess, rnd, sizeof(rnd)), CKR_OK);
	ck_assert_int_eq(uk_token_info(&uctx, utok, &slot, &info), 0);
	ck_assert_mem_eq(info.label, UK_SOFTHSM_LABEL,
	    strlen(UK_SOFTHSM_LABEL));
	/* a removal in another reader changes nothing */
	uk_token_on_removed(&uctx, "Some Other Reader 00 00");
	ck_assert_int_eq(uk_token_pin_state(&uctx, utok, &ps), 0);
	ck_assert_int_eq(ps.logged_in, 1);
	/* "something was removed" ends every login */
	uk_token_on_removed(&uctx, NULL);
	ck_assert_int_eq(uk_token_raw(&uctx, utok, &fn, &sess),
	    UK_ERR_NOT_LOGGED_IN);
	uk_token_on_inserted(&uctx, NULL);
	/* the idle timeout, driven by the module's tick */
	ck_assert_int_eq(uk_token_login(&uctx, utok, UK_SOFTHSM_PIN, NULL), 0);
	uk_token_module.tick(&uctx, time(NULL));
	ck_assert_int_eq(uk_token_raw(&uctx, utok, &fn, &sess), 0);
	uk_token_module.tick(&uctx, time(NULL) + 901);
	ck_assert_int_eq(uk_token_raw(&uctx, utok, &fn, &sess),
	    UK_ERR_NOT_LOGGED_IN);
	/* module paths are checked */
	ck_assert_int_eq(uk_token_add_module(&uctx, "relative.so"),
	    UK_ERR_INVALID_PARAM);
	ck_assert_int_eq(uk_token_add_module(&uctx, UK_SOFTHSM_MODULE), 0);
}
END_TEST

START_TEST(test_unit_sign_api)
{
	struct uk_sign_req req;
	unsigned char *sig = NULL, *cms = NULL;
	size_t siglen = 0, cmslen = 0;
	X509 *cert = NULL;
	char *idhex = NULL;

	memset(&req, 0, sizeof(req));
	req.token = utok;
	req.cert_id = "02";
	req.data = (const unsigned char *)msg;
	req.len = strlen(msg);
	req.hash = UK_HASH_SHA256;
	ck_assert_int_eq(uk_token_sign(&uctx, &req, &sig, &siglen),
	    UK_ERR_NOT_LOGGED_IN);
	ck_assert_ptr_null(sig);
	ck_assert_int_eq(uk_token_login(&uctx, utok, UK_SOFTHSM_PIN, NULL), 0);
	ck_assert_int_eq(uk_token_sign(&uctx, &req, &sig, &siglen), 0);
	ck_assert_int_eq(uk_token_find_cert(&uctx, utok, "02", &cert, &idhex),
	    0);
	ck_assert_str_eq(idhex, "02");
	ck_assert_int_eq(uk_verify(cert, req.data, req.len, 0, req.hash,
	    UK_SCHEME_AUTO, sig, siglen), 0);
	sig[siglen / 2] ^= 1;
	ck_assert_int_eq(uk_verify(cert, req.data, req.len, 0, req.hash,
	    UK_SCHEME_AUTO, sig, siglen), UK_ERR_VERIFY_SIGNATURE);
	free(sig);
	/* the signing certificate by default: leaf-rsa (lowest id of the
	 * certificates with a signing key) */
	X509_free(cert);
	free(idhex);
	ck_assert_int_eq(uk_token_find_cert(&uctx, utok, NULL, &cert, &idhex),
	    0);
	ck_assert_str_eq(idhex, "01");
	ck_assert_int_eq(uk_token_sign_cms(&uctx, utok, NULL,
	    req.data, req.len, 1, UK_HASH_SHA256, &cms, &cmslen), 0);
	ck_assert_int_eq(uk_verify_cms(cms, cmslen, req.data, req.len, NULL,
	    NULL, NULL), 0);
	free(cms);
	X509_free(cert);
	free(idhex);
	ck_assert_int_eq(uk_token_find_cert(&uctx, utok, "zz", &cert, &idhex),
	    UK_ERR_CERT_NOT_FOUND);
	ck_assert_int_eq(uk_token_find_cert(&uctx, utok, "77", &cert, &idhex),
	    UK_ERR_CERT_NOT_FOUND);
	ck_assert_ptr_null(cert);
}
END_TEST

/* --- Resources: RSS over 10,000 signatures, a 20 MiB document ------- */

/* ASan's quarantine holds freed memory back on purpose; RSS only says
 * something about leaks without it. */
static void
resources_setup(void)
{
	const char *old = getenv("ASAN_OPTIONS");
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s%squarantine_size_mb=0",
	    old ? old : "", old && *old ? ":" : "");
	ck_assert_int_eq(setenv("ASAN_OPTIONS", buf, 1), 0);
	setup();
}

static long
rss_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	long kib = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, field, strlen(field)) == 0)
			kib = strtol(line + strlen(field) + 1, NULL, 10);
	fclose(fp);
	return kib;
}

static void
sign_loop(int count)
{
	char req[512];
	cJSON *resp;
	int i;

	for (i = 0; i < count; i++) {
		snprintf(req, sizeof(req), "{\"token\":\"%s\",\"certId\":"
		    "\"02\",\"data\":\"%s\"}", tok, msg_b64);
		resp = uk_hostproc_call(&hp, hp.next_id++, "sign.data", req,
		    UK_TEST_ORIGIN);
		ck_assert_ptr_nonnull(resp);
		ck_assert_ptr_nonnull(cJSON_GetObjectItem(resp, "result"));
		cJSON_Delete(resp);
	}
}

START_TEST(test_rss_10000_signatures)
{
	long before, after;

	login();
	/* warm up: allocator pools, OpenSSL's caches, the key cache */
	sign_loop(1000);
	before = rss_kib(hp.pid, "VmRSS:");
	sign_loop(10000);
	after = rss_kib(hp.pid, "VmRSS:");
	ck_assert_int_gt(before, 0);
	fprintf(stderr, "host RSS before %ld KiB, after 10000 signatures "
	    "%ld KiB\n", before, after);
	/* a leak check, not a timing: 10,000 leaked 100-byte blocks would
	 * already be 1 MiB */
	ck_assert_int_lt(after - before, 2048);
}
END_TEST

START_TEST(test_cms_20mib)
{
	const size_t len = 20 * 1024 * 1024;
	unsigned char *data;
	char *b64, *req, path[256];
	cJSON *resp;
	size_t i, reqlen;
	long hwm, base;

	ck_assert_int_eq(uk_hostproc_finish(&hp, 10000), 0);
	start_host(NULL, "\"maxRequestBytes\":67108864");
	uk_hc_only_token(&hp, tok, sizeof(tok));
	login();
	/* warm up: the module, the key, OpenSSL's CMS code */
	cJSON_Delete(okf("sign.cms", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"data\":\"%s\"}", tok, msg_b64));
	base = rss_kib(hp.pid, "VmHWM:");
	data = malloc(len);
	ck_assert_ptr_nonnull(data);
	for (i = 0; i < len; i++)
		data[i] = (unsigned char)(i * 2654435761u >> 24);
	snprintf(path, sizeof(path), "%s/big", work);
	ck_assert_int_eq(uk_test_write_file(path, data, len), 0);
	b64 = uk_base64_encode(data, len);
	free(data);
	ck_assert_ptr_nonnull(b64);
	req = malloc(strlen(b64) + 256);
	sprintf(req, "{\"token\":\"%s\",\"certId\":\"01\",\"data\":\"%s\"}",
	    tok, b64);
	reqlen = strlen(req);
	free(b64);
	resp = uk_hostproc_call(&hp, hp.next_id++, "sign.cms", req,
	    UK_TEST_ORIGIN);
	free(req);
	ck_assert_ptr_nonnull(resp);
	save_b64(resp, "cms", "big.p7");
	cJSON_Delete(resp);
	hwm = rss_kib(hp.pid, "VmHWM:");
	fprintf(stderr, "host peak RSS after a 20 MiB sign.cms: %ld KiB "
	    "(%ld KiB before; request %zu KiB)\n", hwm, base, reqlen / 1024);
	/*
	 * Bounded: the request text is the one copy of the document (decoded
	 * in place, signed detached, the attached result sent from it in
	 * 1 MiB chunks).  Growth beyond it: the chunk buffer and allocator
	 * slack — not another document (that would be ≥ 20 MiB more).
	 */
	ck_assert_int_gt(base, 0);
	ck_assert_msg(hwm - base < (long)(reqlen / 1024) + 8 * 1024,
	    "peak RSS grew by %ld KiB for a %zu KiB request", hwm - base,
	    reqlen / 1024);
	ck_assert_int_eq(uk_test_sh("openssl cms -cmsout -inform DER "
	    "-outform DER -in %s/big.p7 | cmp - %s/big.p7", work, work), 0);
	ck_assert_int_eq(uk_test_sh("openssl cms -verify -binary -inform DER "
	    "-in %s/big.p7 -CAfile %s/ca.pem -purpose any -out %s/big.out && "
	    "cmp %s/big %s/big.out", work, fx.pki, work, work, work), 0);
}
END_TEST

/*
 * --diagnose: each token's make, PIN state, mechanisms and certificates
 * (key type, the one without a key), and a module that does not load as a
 * problem; no problem line for the good token.
 */
START_TEST(test_diagnose)
{
	char *cfg = uk_softhsm_config("\"" UK_SOFTHSM_MODULE "\","
	    "\"/nonexistent/libnothing.so\"", NULL), *out;
	const char *sec;

	ck_assert_ptr_nonnull(cfg);
	out = uk_hostproc_diagnose(cfg);
	free(cfg);
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(sec = strstr(out, "PKCS#11 modules:"));
	uk_hc_assert_line(sec, "  ! ", "/nonexistent/libnothing.so", NULL);
	uk_hc_assert_line(sec, "  token m", "(reader \"SoftHSM slot", NULL);
	uk_hc_assert_line(sec, "SoftHSM project SoftHSM v2, serial ",
	    "label \"" UK_SOFTHSM_LABEL "\"", NULL);
	uk_hc_assert_line(sec, "    PIN: entered on the page", NULL);
	uk_hc_assert_line(sec, "    mechanisms: RSA PKCS#1 yes, RSA-PSS yes, ECDSA "
	    "yes, SM2 not configured", NULL);
	uk_hc_assert_line(sec, "certificate 01: ", "O=上海测试有限公司",
	    "RSA 2048 bits", "days left", NULL);
	uk_hc_assert_line(sec, "certificate 02: ", "EC 256 bits", NULL);
	uk_hc_assert_line(sec, "certificate 0a: ", "CN=UKeyLink Test Root CA",
	    "no private key", NULL);
	ck_assert_ptr_null(strstr(sec, "! PIN"));
	ck_assert_ptr_null(strstr(sec, "! no certificate"));
	ck_assert_ptr_null(strstr(sec, "      ! "));	/* certificates */
	free(out);
}
END_TEST

static Suite *
token_suite(void)
{
	Suite *s = suite_create("token");
	TCase *tc = tcase_create("host");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_token_list);
	tcase_add_test(tc, test_cert_list);
	tcase_add_test(tc, test_sign_needs_login);
	tcase_add_test(tc, test_wrong_pin);
	tcase_add_test(tc, test_sign_data);
	tcase_add_test(tc, test_sign_default_cert_and_raw_ecdsa);
	tcase_add_test(tc, test_sign_digest);
	tcase_add_test(tc, test_verify_sm2);
	tcase_add_test(tc, test_sign_cms);
	tcase_add_test(tc, test_sign_cms_attached_der);
	tcase_add_test(tc, test_envelope_decrypt);
	tcase_add_test(tc, test_random_and_logout);
	tcase_add_test(tc, test_change_pin);
	tcase_add_test(tc, test_module_load_failure);
	tcase_add_test(tc, test_two_modules);
	tcase_add_test(tc, test_idle_timeout);
	tcase_add_test(tc, test_diagnose);
	suite_add_tcase(s, tc);
	tc = tcase_create("unit");
	tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
	tcase_add_test(tc, test_unit_helpers);
	tcase_add_test(tc, test_unit_pkey_pss);
	tcase_add_test(tc, test_unit_raw_and_events);
	tcase_add_test(tc, test_unit_sign_api);
	suite_add_tcase(s, tc);
	tc = tcase_create("resources");
	tcase_add_checked_fixture(tc, resources_setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_rss_10000_signatures);
	tcase_add_test(tc, test_cms_20mib);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (uk_softhsm_create(&fx) != 0) {
		fprintf(stderr, "cannot create the SoftHSM token\n");
		uk_softhsm_destroy(&fx);
		return 1;
	}
	sr = srunner_create(token_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	uk_softhsm_destroy(&fx);
	return failed == 0 ? 0 : 1;
}
