/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The token module through the real host binary, on a SoftHSM2 token:
 * token.*, cert.list, sign.*, crypto.*.  Every signature the host makes
 * is checked with the openssl command.
 */
#include "uk_setup.h"

#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "err.h"
#include "hostproc.h"
#include "softhsm.h"

static struct uk_softhsm fx;
static struct uk_hostproc hp;
static int64_t next_id = 1;
static char tok[128];
static char work[160];

static cJSON *
callf(const char *method, const char *fmt, ...)
{
	va_list ap;
	char *params;
	cJSON *resp;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	params = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(params);
	va_start(ap, fmt);
	vsnprintf(params, (size_t)n + 1, fmt, ap);
	va_end(ap);
	resp = uk_hostproc_call(&hp, next_id++, method, params,
	    UK_TEST_ORIGIN);
	free(params);
	ck_assert_msg(resp != NULL, "no response to %s", method);
	return resp;
}

static int
code_of(const cJSON *resp)
{
	const cJSON *e = cJSON_GetObjectItem(resp, "error");

	return e ? (int)cJSON_GetObjectItem(e, "code")->valuedouble : 0;
}

static const cJSON *
res_of(const cJSON *resp)
{
	const cJSON *r = cJSON_GetObjectItem(resp, "result");

	if (r == NULL) {
		char *t = cJSON_PrintUnformatted(resp);

		ck_abort_msg("expected a result: %s", t);
	}
	return r;
}

static const char *
str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(o, key);

	ck_assert_msg(cJSON_IsString(v), "member %s missing", key);
	return v->valuestring;
}

/* Calls and expects success; returns the response (caller deletes). */
static cJSON *
okf(const char *method, const char *fmt, ...)
{
	va_list ap;
	char params[8192];
	cJSON *resp;

	va_start(ap, fmt);
	vsnprintf(params, sizeof(params), fmt, ap);
	va_end(ap);
	resp = callf(method, "%s", params);
	(void)res_of(resp);
	return resp;
}

static void
start_host(const char *modules, const char *limits)
{
	char *cfg = uk_softhsm_config(modules, limits);

	ck_assert_ptr_nonnull(cfg);
	ck_assert_int_eq(uk_hostproc_start_test(&hp, cfg), 0);
	free(cfg);
}

static void
find_token(void)
{
	cJSON *resp = okf("token.list", "{}");
	const cJSON *toks = cJSON_GetObjectItem(res_of(resp), "tokens");

	ck_assert_int_eq(cJSON_GetArraySize(toks), 1);
	snprintf(tok, sizeof(tok), "%s",
	    str_of(cJSON_GetArrayItem(toks, 0), "token"));
	cJSON_Delete(resp);
}

static void
setup(void)
{
	start_host(NULL, NULL);
	find_token();
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
	char path[256];
	unsigned char *p;
	size_t len;

	p = uk_test_b64(str_of(res_of(resp), member), &len);
	ck_assert_ptr_nonnull(p);
	snprintf(path, sizeof(path), "%s/%s", work, name);
	ck_assert_int_eq(uk_test_write_file(path, p, len), 0);
	free(p);
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
	const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(res_of(resp),
	    "tokens"), 0), *pin = cJSON_GetObjectItem(t, "pin");

	ck_assert_str_eq(str_of(t, "label"), UK_SOFTHSM_LABEL);
	ck_assert_str_eq(str_of(t, "manufacturer"), "SoftHSM project");
	ck_assert_str_eq(str_of(t, "model"), "SoftHSM v2");
	ck_assert_str_eq(str_of(t, "module"), UK_SOFTHSM_MODULE);
	ck_assert(strncmp(str_of(t, "token"), "m0-s", 4) == 0);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(pin, "locked")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(pin, "loggedIn")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(pin, "finalTry")));
	/* SoftHSM reports no counter: retriesLeft stays out. */
	ck_assert_ptr_null(cJSON_GetObjectItem(pin, "retriesLeft"));
	ck_assert_ptr_null(cJSON_GetObjectItem(res_of(resp), "moduleErrors"));
	cJSON_Delete(resp);
}
END_TEST

static const cJSON *
cert_by_id(const cJSON *certs, const char *id)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, certs)
		if (strcmp(str_of(c, "certId"), id) == 0)
			return c;
	ck_abort_msg("no certificate %s", id);
	return NULL;
}

START_TEST(test_cert_list)
{
	cJSON *resp = okf("cert.list", "{\"token\":\"%s\"}", tok);
	const cJSON *certs = cJSON_GetObjectItem(res_of(resp), "certs");
	const cJSON *rsa, *ec, *ca, *subj, *ext;
	char *der;
	double days;

	ck_assert_int_eq(cJSON_GetArraySize(certs), 3);
	rsa = cert_by_id(certs, "01");
	ec = cert_by_id(certs, "02");
	ca = cert_by_id(certs, "0a");
	subj = cJSON_GetObjectItem(rsa, "subject");
	ck_assert_str_eq(str_of(subj, "O"), "上海测试有限公司");
	ck_assert_str_eq(str_of(subj, "CN"), "张三");
	ck_assert_str_eq(str_of(subj, "OU"), "信息部");
	ck_assert_str_eq(str_of(subj, "S"), "上海");
	ck_assert_str_eq(str_of(subj, "L"), "上海市");
	ck_assert_str_eq(str_of(subj, "C"), "CN");
	ck_assert_str_eq(str_of(subj, "E"), "zhangsan@example.cn");
	ck_assert_str_eq(str_of(cJSON_GetObjectItem(rsa, "issuer"), "CN"),
	    "UKeyLink Test Root");
	ck_assert_str_eq(str_of(rsa, "serial"), "1A2B3C4D");
	ck_assert_str_eq(str_of(rsa, "label"), "张三 签名");
	ck_assert_str_eq(str_of(rsa, "keyType"), "rsa");
	ck_assert_int_eq(cJSON_GetObjectItem(rsa, "keyBits")->valueint, 2048);
	days = cJSON_GetObjectItem(rsa, "daysLeft")->valuedouble;
	ck_assert(days >= 728 && days <= 730);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(rsa, "hasKey")));
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(ec, "hasKey")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(ca, "hasKey")));
	ck_assert_str_eq(str_of(ec, "keyType"), "ec");
	ck_assert_int_eq(cJSON_GetObjectItem(ec, "keyBits")->valueint, 256);
	ext = cJSON_GetObjectItem(rsa, "extensions");
	ck_assert_str_eq(str_of(ext, "1.2.156.10260.4.1.4"),
	    "91310000MA1FL0000X");
	ck_assert_str_eq(str_of(ext, "1.2.156.10260.4.1.2"), "SI-2026-0001");
	/* wrapped in an OCTET STRING */
	ck_assert_str_eq(str_of(ext, "1.2.156.10260.4.1.5"),
	    "310000MA1FL0000X");
	ck_assert_str_eq(str_of(ext, "1.2.156.112570.148"), "SH0123456789");
	/* the DER is the certificate on the token, byte for byte */
	{
		char path[200];

		snprintf(path, sizeof(path), "%s/rsa.der", fx.pki);
		der = uk_test_file_b64(path);
		ck_assert_ptr_nonnull(der);
		ck_assert_str_eq(str_of(rsa, "der"), der);
		free(der);
	}
	cJSON_Delete(resp);
	/* without a token: every token's certificates */
	resp = okf("cert.list", "{}");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res_of(resp),
	    "certs")), 3);
	cJSON_Delete(resp);
}
END_TEST

START_TEST(test_sign_needs_login)
{
	cJSON *resp = callf("sign.data", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"data\":\"%s\"}", tok, msg_b64);

	ck_assert_int_eq(code_of(resp), UK_ERR_NOT_LOGGED_IN);
	cJSON_Delete(resp);
	resp = callf("sign.data", "{\"token\":\"m9-s1-nope\",\"data\":\"%s\"}",
	    msg_b64);
	ck_assert_int_eq(code_of(resp), UK_ERR_TOKEN_NOT_FOUND);
	cJSON_Delete(resp);
	/* a read-only origin may list but not sign */
	resp = uk_hostproc_call(&hp, next_id++, "token.login",
	    "{\"token\":\"x\",\"pin\":\"12345678\"}", "https://gov.example.cn");
	ck_assert_int_eq(code_of(resp), UK_ERR_ORIGIN_NOT_ALLOWED);
	cJSON_Delete(resp);
}
END_TEST

START_TEST(test_wrong_pin)
{
	const cJSON *e, *pin;
	cJSON *resp;

	resp = callf("token.login", "{\"token\":\"%s\",\"pin\":\"00000000\"}",
	    tok);
	ck_assert_int_eq(code_of(resp), UK_ERR_PIN_INCORRECT);
	e = cJSON_GetObjectItem(resp, "error");
	ck_assert_str_eq(str_of(e, "name"), "PIN_INCORRECT");
	ck_assert_str_eq(str_of(e, "message"), "私钥密码错误");
	pin = cJSON_GetObjectItem(e, "pin");
	ck_assert_ptr_nonnull(pin);
	/* SoftHSM sets COUNT_LOW after a wrong PIN (virtual-reader.md). */
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(pin, "countLow")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(pin, "loggedIn")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(pin, "locked")));
	cJSON_Delete(resp);
	/* PIN bytes and length are checked before the module sees them */
	resp = callf("token.login", "{\"token\":\"%s\",\"pin\":\"12\"}", tok);
	ck_assert_int_eq(code_of(resp), UK_ERR_PIN_LEN_RANGE);
	cJSON_Delete(resp);
	resp = callf("token.login", "{\"token\":\"%s\",\"pin\":\"1234\\t678\"}",
	    tok);
	ck_assert_int_eq(code_of(resp), UK_ERR_PIN_INVALID);
	cJSON_Delete(resp);
	resp = callf("token.login", "{\"token\":\"%s\",\"pin\":\"\"}", tok);
	ck_assert_int_eq(code_of(resp), UK_ERR_PIN_LEN_RANGE);
	cJSON_Delete(resp);
	resp = callf("token.login", "{\"token\":\"%s\",\"pin\":1234}", tok);
	ck_assert_int_eq(code_of(resp), UK_ERR_INVALID_PARAM);
	cJSON_Delete(resp);
	/* a good login clears COUNT_LOW */
	resp = okf("token.login", "{\"token\":\"%s\",\"pin\":\""
	    UK_SOFTHSM_PIN "\"}", tok);
	pin = cJSON_GetObjectItem(res_of(resp), "pin");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(pin, "countLow")));
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(pin, "loggedIn")));
	cJSON_Delete(resp);
	/* a wrong PIN while logged in ends that login */
	resp = callf("token.login", "{\"token\":\"%s\",\"pin\":\"99999999\"}",
	    tok);
	ck_assert_int_eq(code_of(resp), UK_ERR_PIN_INCORRECT);
	cJSON_Delete(resp);
	resp = callf("sign.data", "{\"token\":\"%s\",\"data\":\"%s\"}", tok,
	    msg_b64);
	ck_assert_int_eq(code_of(resp), UK_ERR_NOT_LOGGED_IN);
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

START_TEST(test_sign_data)
{
	login();
	write_msg();
	sign_and_check("01", "sha256", "pkcs1", "rsa.pub", "");
	sign_and_check("01", "sha1", "pkcs1", "rsa.pub", "");
	sign_and_check("01", "sha512", "pkcs1", "rsa.pub", "");
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
	sig = str_of(res_of(resp), "signature");
	raw = uk_test_b64(sig, &len);
	ck_assert_uint_eq(len, 64);
	free(raw);
	snprintf(cert, sizeof(cert), "%s/ec.der", fx.pki);
	der = uk_test_file_b64(cert);
	v = okf("sign.verify", "{\"cert\":\"%s\",\"data\":\"%s\","
	    "\"signature\":\"%s\"}", der, msg_b64, sig);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(res_of(v), "ok")));
	cJSON_Delete(v);
	/* a changed message does not verify */
	v = callf("sign.verify", "{\"cert\":\"%s\",\"data\":\"%s\","
	    "\"signature\":\"%s\"}", der, "AAAA", sig);
	ck_assert_int_eq(code_of(v), UK_ERR_VERIFY_SIGNATURE);
	cJSON_Delete(v);
	free(der);
	cJSON_Delete(resp);
	/* an RSA scheme on the EC key */
	resp = callf("sign.data", "{\"token\":\"%s\",\"certId\":\"02\","
	    "\"data\":\"%s\",\"scheme\":\"pss\"}", tok, msg_b64);
	ck_assert_int_eq(code_of(resp), UK_ERR_MECHANISM);
	cJSON_Delete(resp);
	resp = callf("sign.data", "{\"token\":\"%s\",\"certId\":\"0a\","
	    "\"data\":\"%s\"}", tok, msg_b64);
	ck_assert_int_eq(code_of(resp), UK_ERR_CERT_NOT_FOUND);
	cJSON_Delete(resp);
	resp = callf("sign.data", "{\"token\":\"%s\",\"data\":\"%s\","
	    "\"hash\":\"md5\"}", tok, msg_b64);
	ck_assert_int_eq(code_of(resp), UK_ERR_INVALID_PARAM);
	cJSON_Delete(resp);
	resp = callf("sign.data", "{\"token\":\"%s\",\"data\":\"%s\","
	    "\"bogus\":1}", tok, msg_b64);
	ck_assert_int_eq(code_of(resp), UK_ERR_INVALID_PARAM);
	cJSON_Delete(resp);
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
	snprintf(dgst, sizeof(dgst), "%s", str_of(res_of(resp), "digest"));
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
	ck_assert_int_eq(code_of(resp), UK_ERR_INVALID_PARAM);
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
	cms = str_of(res_of(resp), "cms");
	v = okf("sign.verifyCms", "{\"cms\":\"%s\"}", cms);
	ck_assert_str_eq(str_of(res_of(v), "content"), msg_b64);
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(res_of(v), "signer"));
	cJSON_Delete(v);
	cJSON_Delete(resp);
	/* detached, EC */
	resp = okf("sign.cms", "{\"token\":\"%s\",\"certId\":\"02\","
	    "\"data\":\"%s\",\"detached\":true}", tok, msg_b64);
	save_b64(resp, "cms", "det.der");
	ck_assert_int_eq(uk_test_sh("openssl cms -verify -binary -inform DER "
	    "-in %s/det.der -content %s/msg -CAfile %s/ca.pem -purpose any "
	    "-out /dev/null", work, work, fx.pki), 0);
	cms = str_of(res_of(resp), "cms");
	v = okf("sign.verifyCms", "{\"cms\":\"%s\",\"data\":\"%s\"}", cms,
	    msg_b64);
	cJSON_Delete(v);
	v = callf("sign.verifyCms", "{\"cms\":\"%s\",\"data\":\"AAAA\"}", cms);
	ck_assert_int_eq(code_of(v), UK_ERR_VERIFY_SIGNATURE);
	cJSON_Delete(v);
	cJSON_Delete(resp);
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
	ck_assert_str_eq(str_of(res_of(resp), "data"), msg_b64);
	cJSON_Delete(resp);
	/* garbage */
	resp = callf("crypto.decrypt", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"envelope\":\"AAAA\"}", tok);
	ck_assert_int_eq(code_of(resp), UK_ERR_ENVELOPE);
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
	p = uk_test_b64(str_of(res_of(resp), "random"), &len);
	ck_assert_uint_eq(len, 32);
	free(p);
	cJSON_Delete(resp);
	resp = okf("crypto.random", "{\"length\":4096,\"token\":\"%s\"}", tok);
	p = uk_test_b64(str_of(res_of(resp), "random"), &len);
	ck_assert_uint_eq(len, 4096);
	free(p);
	cJSON_Delete(resp);
	resp = callf("crypto.random", "{\"length\":0}");
	ck_assert_int_eq(code_of(resp), UK_ERR_INVALID_PARAM);
	cJSON_Delete(resp);
	login();
	resp = okf("sign.data", "{\"token\":\"%s\",\"data\":\"%s\"}", tok,
	    msg_b64);
	cJSON_Delete(resp);
	resp = okf("token.logout", "{\"token\":\"%s\"}", tok);
	cJSON_Delete(resp);
	resp = callf("sign.data", "{\"token\":\"%s\",\"data\":\"%s\"}", tok,
	    msg_b64);
	ck_assert_int_eq(code_of(resp), UK_ERR_NOT_LOGGED_IN);
	cJSON_Delete(resp);
}
END_TEST

START_TEST(test_change_pin)
{
	cJSON *resp;

	resp = callf("token.changePin", "{\"token\":\"%s\",\"oldPin\":"
	    "\"00000000\",\"newPin\":\"11112222\"}", tok);
	ck_assert_int_eq(code_of(resp), UK_ERR_PIN_INCORRECT);
	cJSON_Delete(resp);
	resp = callf("token.changePin", "{\"token\":\"%s\",\"oldPin\":\""
	    UK_SOFTHSM_PIN "\",\"newPin\":\"1\"}", tok);
	ck_assert_int_eq(code_of(resp), UK_ERR_PIN_LEN_RANGE);
	cJSON_Delete(resp);
	resp = okf("token.changePin", "{\"token\":\"%s\",\"oldPin\":\""
	    UK_SOFTHSM_PIN "\",\"newPin\":\"11112222\"}", tok);
	cJSON_Delete(resp);
	resp = callf("token.login", "{\"token\":\"%s\",\"pin\":\""
	    UK_SOFTHSM_PIN "\"}", tok);
	ck_assert_int_eq(code_of(resp), UK_ERR_PIN_INCORRECT);
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
	ck_assert_int_eq(code_of(resp), UK_ERR_LOAD_LIBRARY);
	e = cJSON_GetObjectItem(resp, "error");
	ck_assert_str_eq(str_of(e, "message"), "装载动态库错误");
	{
		char *t = cJSON_PrintUnformatted(e);

		ck_assert_ptr_nonnull(strstr(t, "/nonexistent/libnothing.so"));
		free(t);
	}
	cJSON_Delete(resp);
	resp = callf("token.login", "{\"token\":\"m0-s1-x\",\"pin\":"
	    "\"12345678\"}");
	ck_assert_int_eq(code_of(resp), UK_ERR_LOAD_LIBRARY);
	cJSON_Delete(resp);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 10000), 0);
	/* a bad module next to a good one: the good one works */
	start_host("\"/nonexistent/libnothing.so\",\"" UK_SOFTHSM_MODULE
	    "\",\"/etc/passwd\"", NULL);
	resp = okf("token.list", "{}");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(
	    res_of(resp), "tokens")), 1);
	me = cJSON_GetObjectItem(res_of(resp), "moduleErrors");
	ck_assert_int_eq(cJSON_GetArraySize(me), 2);
	ck_assert_str_eq(str_of(cJSON_GetArrayItem(me, 0), "path"),
	    "/nonexistent/libnothing.so");
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(me, 1),
	    "code")->valueint, UK_ERR_LOAD_LIBRARY);
	ck_assert(strncmp(str_of(cJSON_GetArrayItem(cJSON_GetObjectItem(
	    res_of(resp), "tokens"), 0), "token"), "m1-", 3) == 0);
	cJSON_Delete(resp);
}
END_TEST

START_TEST(test_idle_timeout)
{
	cJSON *resp;

	ck_assert_int_eq(uk_hostproc_finish(&hp, 10000), 0);
	start_host(NULL, "\"sessionIdleSeconds\":10");
	find_token();
	login();
	resp = okf("sign.data", "{\"token\":\"%s\",\"data\":\"%s\"}", tok,
	    msg_b64);
	cJSON_Delete(resp);
	sleep(12);
	resp = callf("sign.data", "{\"token\":\"%s\",\"data\":\"%s\"}", tok,
	    msg_b64);
	ck_assert_int_eq(code_of(resp), UK_ERR_NOT_LOGGED_IN);
	cJSON_Delete(resp);
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
	tcase_add_test(tc, test_sign_cms);
	tcase_add_test(tc, test_envelope_decrypt);
	tcase_add_test(tc, test_random_and_logout);
	tcase_add_test(tc, test_change_pin);
	tcase_add_test(tc, test_module_load_failure);
	tcase_add_test(tc, test_idle_timeout);
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
