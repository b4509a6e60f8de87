/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The SafeEngine layer through the real host on a SoftHSM2 token: the
 * government-site login sequence, the async session form, PIN errors,
 * per-origin capabilities, the helpers, and se.snapshot.  Signatures are
 * checked with the openssl command.
 */
#include "uk_setup.h"

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
static char work[160];

#define PIN	UK_SOFTHSM_PIN
#define GOV	"https://gov.example.cn"	/* read only in the config */

/* se.call with args given as a JSON array body. */
static cJSON *se_from(const char *, const char *, const char *, ...)
    UK_PRINTF(3, 4);
static cJSON *
se_from(const char *origin, const char *method, const char *fmt, ...)
{
	char args[8192], params[8400];
	va_list ap;
	cJSON *resp;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(params, sizeof(params), "{\"method\":\"%s\",\"args\":[%s]}",
	    method, args);
	resp = uk_hostproc_call(&hp, next_id++, "se.call", params, origin);
	ck_assert_msg(resp != NULL, "no response to %s", method);
	return resp;
}

#define se(...) se_from(UK_TEST_ORIGIN, __VA_ARGS__)

static int
code_of(const cJSON *resp)
{
	const cJSON *e = cJSON_GetObjectItem(resp, "error");

	return e ? (int)cJSON_GetObjectItem(e, "code")->valuedouble : 0;
}

/* The value of a successful call (the response stays owned by caller). */
static const cJSON *
value_of(const cJSON *resp)
{
	const cJSON *res = cJSON_GetObjectItem(resp, "result");

	ck_assert_msg(res != NULL, "error %d: %s", code_of(resp),
	    cJSON_PrintUnformatted(resp));
	ck_assert_int_eq(cJSON_GetObjectItem(res, "errorCode")->valueint, 0);
	return cJSON_GetObjectItem(res, "value");
}

/* The string value of a call with args (a JSON array body). */
static char *
str_value(const char *method, const char *args)
{
	cJSON *r = se(method, "%s", args);
	char *s = strdup(value_of(r)->valuestring);

	cJSON_Delete(r);
	return s;
}

static void
setup(void)
{
	char *cfg = uk_softhsm_config(NULL, NULL);

	ck_assert_int_eq(uk_hostproc_start_test(&hp, cfg), 0);
	free(cfg);
	snprintf(work, sizeof(work), "%s/se-work", fx.dir);
	ck_assert_int_eq(uk_test_sh("mkdir -p %s", work), 0);
}

static void
teardown(void)
{
	uk_hostproc_kill(&hp);
}

/* Writes the base64 certificate as PEM and its public key for openssl. */
static void
cert_to_files(const char *b64)
{
	char path[256];
	size_t len;
	unsigned char *der = uk_test_b64(b64, &len);

	ck_assert_ptr_nonnull(der);
	snprintf(path, sizeof(path), "%s/cert.der", work);
	ck_assert_int_eq(uk_test_write_file(path, der, len), 0);
	free(der);
	/* In a subshell: uk_test_sh may redirect the command's stdout. */
	ck_assert_int_eq(uk_test_sh("sh -c 'openssl x509 -inform DER -in "
	    "%s/cert.der -pubkey -noout > %s/pub.pem'", work, work), 0);
}

/* Checks sig (base64) over text with openssl dgst -<md>. */
static int
openssl_verifies(const char *md, const char *text, const char *sigb64)
{
	char path[256];
	size_t len;
	unsigned char *sig = uk_test_b64(sigb64, &len);

	ck_assert_ptr_nonnull(sig);
	snprintf(path, sizeof(path), "%s/sig.bin", work);
	ck_assert_int_eq(uk_test_write_file(path, sig, len), 0);
	free(sig);
	snprintf(path, sizeof(path), "%s/data.txt", work);
	ck_assert_int_eq(uk_test_write_file(path, text, strlen(text)), 0);
	return uk_test_sh("openssl dgst -%s -verify %s/pub.pem -signature "
	    "%s/sig.bin %s/data.txt", md, work, work, work) == 0;
}

/* The login sequence of many government sites, call for call. */
START_TEST(test_gov_login_sequence)
{
	const char *random = "8f2c41e0-服务器随机数-20261126";
	char *cert, *org, *cn, *code, *sig;
	cJSON *r;

	r = se("SEH_InitialSession", "10,\"com1\",\"%s\",0,10,\"com1\",\"\"",
	    PIN);
	ck_assert_int_eq(code_of(r), 0);
	cJSON_Delete(r);
	r = se("SEH_SetConfiguration", "%s", "0");
	ck_assert_int_eq(code_of(r), 0);
	cJSON_Delete(r);
	cert = str_value("SEH_GetSelfCertificate", "10,\"com1\",\"\"");
	cert_to_files(cert);
	org = NULL;
	{
		char args[8192];

		snprintf(args, sizeof(args), "\"%s\",14", cert);
		org = str_value("SEH_GetCertDetail", args);
		snprintf(args, sizeof(args), "\"%s\",17", cert);
		cn = str_value("SEH_GetCertDetail", args);
		snprintf(args, sizeof(args), "\"%s\",\"1.2.156.10260.4.1.4\"",
		    cert);
		code = str_value("SEH_GetCertInfoByOID", args);
		snprintf(args, sizeof(args), "\"%s\",3", random);
		sig = str_value("SEH_SignData", args);
	}
	ck_assert_str_eq(org, "上海测试有限公司");
	ck_assert(strlen(cn) > 0);
	ck_assert_str_eq(code, "91310000MA1FL0000X");
	/* Method 3 is SHA1withRSA over the text's UTF-8 bytes. */
	ck_assert(openssl_verifies("sha1", random, sig));
	ck_assert(!openssl_verifies("sha1", "another random", sig));
	r = se("SEH_ClearSession", "%s", "");
	ck_assert_int_eq(code_of(r), 0);
	cJSON_Delete(r);
	/* After ClearSession the key is not loaded: 私钥未载入. */
	r = se("SEH_SignData", "\"%s\",3", random);
	ck_assert_int_eq(code_of(r), -2113667018);
	cJSON_Delete(r);
	free(cert);
	free(org);
	free(cn);
	free(code);
	free(sig);
}
END_TEST

START_TEST(test_wrong_pin)
{
	cJSON *r = se("SEH_InitialSession", "10,\"com1\",\"%s\",0,10,"
	    "\"com1\",\"\"", "00000000"), *e;

	ck_assert_int_eq(code_of(r), -2113667069);	/* 私钥密码错误 */
	e = cJSON_GetObjectItem(r, "error");
	ck_assert_str_eq(cJSON_GetObjectItem(e, "message")->valuestring,
	    "私钥密码错误");
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(e, "pin"));
	cJSON_Delete(r);
	/* A failed session leaves nothing logged in. */
	r = se("SEH_SignData", "%s", "\"x\",3");
	ck_assert_int_eq(code_of(r), -2113667018);
	cJSON_Delete(r);
}
END_TEST

/* The async page API sends the session arguments with the call. */
START_TEST(test_async_session_form)
{
	char params[512];
	cJSON *r;
	char *cert;

	snprintf(params, sizeof(params), "{\"method\":\"SEH_SignData\","
	    "\"args\":[\"async data\",\"3\"],\"session\":[\"a\",\"com1\","
	    "\"%s\",\"0\",\"\",\"\",\"\"]}", PIN);
	r = uk_hostproc_call(&hp, next_id++, "se.call", params,
	    UK_TEST_ORIGIN);
	cert = str_value("SEH_GetSelfCertificate", "");
	cert_to_files(cert);
	ck_assert(openssl_verifies("sha1", "async data",
	    value_of(r)->valuestring));
	cJSON_Delete(r);
	/* A wrong PIN in the session arguments is reported, not ignored. */
	snprintf(params, sizeof(params), "{\"method\":\"SEH_SignData\","
	    "\"args\":[\"x\",\"3\"],\"session\":[\"a\",\"com1\",\"99999999\","
	    "\"0\",\"\",\"\",\"\"]}");
	r = uk_hostproc_call(&hp, next_id++, "se.call", params,
	    UK_TEST_ORIGIN);
	ck_assert_int_eq(code_of(r), -2113667069);
	cJSON_Delete(r);
	free(cert);
}
END_TEST

START_TEST(test_capabilities)
{
	cJSON *r;

	/* A read-only origin reads, but may not log in or sign. */
	r = se_from(GOV, "SEH_GetSelfCertificate", "%s", "");
	ck_assert_int_eq(code_of(r), 0);
	cJSON_Delete(r);
	r = se_from(GOV, "SEH_InitialSession", "10,\"com1\",\"%s\"", PIN);
	ck_assert_int_eq(code_of(r), -2113662968);	/* ORIGIN_NOT_ALLOWED */
	cJSON_Delete(r);
	/* An origin not in the configuration gets nothing. */
	r = se_from("https://evil.example", "SEH_GetSelfCertificate", "%s",
	    "");
	ck_assert_int_eq(code_of(r), -2113662968);
	cJSON_Delete(r);
	r = uk_hostproc_call(&hp, next_id++, "se.snapshot", "{}",
	    "https://evil.example");
	ck_assert_int_eq(code_of(r), -2113662968);
	cJSON_Delete(r);
}
END_TEST

static const struct {
	const char *method;
	const char *args;
	int code;
} bad_calls[] = {
	{ "SEH_Nope", "", -2113662970 },
	{ "GetCertDetail", "\"x\",1", -2113662970 },	/* no prefix */
	{ "SEH_GetCertDetail", "\"x\"", -2113662969 },	/* too few */
	{ "SEH_GetCertDetail", "\"MIIB\",14", -2113667057 },
	{ "SEH_GetCertDetail", "\"\",14", -2113667057 },
	{ "SEH_SetConfiguration", "7", -2113662969 },
	{ "SEH_SetConfiguration", "{}", -2113662969 },
	{ "SEH_GenRandomBytes", "0", -2113662969 },
	{ "SEH_GenRandomBytes", "100000", -2113662969 },
	{ "SEH_Digest", "\"abc\",2", -2113662956 },	/* MD5 refused */
	{ "SEH_DecryptData", "\"bm90IGNpcGhlcg==\",\"k\"", -2113667041 },
	{ "SEH_PEMDecode", "\"!!\"", -2113667035 },
	{ "SEH_VerifySignData", "\"a\",3,\"AAAA\",\"x\"", -2113667057 },
};

START_TEST(test_bad_calls_answered)
{
	cJSON *r = se(bad_calls[_i].method, "%s", bad_calls[_i].args);

	ck_assert_msg(code_of(r) == bad_calls[_i].code, "%s(%s): %d",
	    bad_calls[_i].method, bad_calls[_i].args, code_of(r));
	cJSON_Delete(r);
	r = se("SEH_ShowVersion", "%s", "");
	ck_assert_int_eq(code_of(r), 0);
	cJSON_Delete(r);
}
END_TEST

START_TEST(test_helpers)
{
	char *s, *enc, args[8192];
	cJSON *r;
	size_t len;
	unsigned char *raw;

	/* SHA-1("abc") */
	s = str_value("SEH_Digest", "\"abc\",3");
	ck_assert_str_eq(s, "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
	free(s);
	s = str_value("SEH_GenRandomBytes", "32");
	raw = uk_test_b64(s, &len);
	ck_assert_uint_eq(len, 32);
	free(raw);
	free(s);
	enc = str_value("SEH_PEMEncode", "\"上海 PEM\"");
	snprintf(args, sizeof(args), "\"%s\"", enc);
	s = str_value("SEH_PEMDecode", args);
	ck_assert_str_eq(s, "上海 PEM");
	free(s);
	free(enc);
	enc = str_value("SEH_EncryptData", "\"秘密数据\",\"key-1\"");
	snprintf(args, sizeof(args), "\"%s\",\"key-1\"", enc);
	s = str_value("SEH_DecryptData", args);
	ck_assert_str_eq(s, "秘密数据");
	free(s);
	snprintf(args, sizeof(args), "\"%s\",\"key-2\"", enc);
	r = se("SEH_DecryptData", "%s", args);
	ck_assert_int_eq(code_of(r), -2113667041);
	cJSON_Delete(r);
	free(enc);
	s = str_value("SEH_GetDeviceList", "");
	ck_assert_str_eq(s, "a$$1");
	free(s);
	s = str_value("SEH_GetDeviceInfo", "");
	ck_assert_ptr_nonnull(strstr(s, "\"devType\":10"));
	ck_assert_ptr_nonnull(strstr(s, "\"devParam\":\"com1\""));
	free(s);
}
END_TEST

/* Certificate fields, verification of a signature, envelopes. */
START_TEST(test_cert_and_envelope)
{
	char *cert, *sig, *env, args[16384];
	cJSON *r;

	cert = str_value("SEH_GetSelfCertificate", "");
	snprintf(args, sizeof(args), "\"%s\"", cert);
	r = se("SEH_GetCertValidDate", "%s", args);
	ck_assert(cJSON_IsNumber(value_of(r)));
	ck_assert_int_gt(value_of(r)->valueint, 0);
	cJSON_Delete(r);
	snprintf(args, sizeof(args), "\"%s\",\"1.2.3.4.5\"", cert);
	r = se("SEH_GetCertInfoByOID", "%s", args);
	ck_assert_int_eq(code_of(r), -2113667021);	/* no such extension */
	cJSON_Delete(r);
	snprintf(args, sizeof(args), "\"%s\",\"1..2\"", cert);
	r = se("SEH_GetCertInfoByOID", "%s", args);
	ck_assert_int_eq(code_of(r), -2113667026);	/* OID format */
	cJSON_Delete(r);
	/* Sign, then verify with SEH_VerifySignData, good and altered. */
	r = se("SEH_InitialSession", "10,\"com1\",\"%s\"", PIN);
	ck_assert_int_eq(code_of(r), 0);
	cJSON_Delete(r);
	sig = str_value("SEH_SignData", "\"签名数据\",4");
	snprintf(args, sizeof(args), "\"签名数据\",4,\"%s\",\"%s\"", sig, cert);
	r = se("SEH_VerifySignData", "%s", args);
	ck_assert_int_eq(code_of(r), 0);
	cJSON_Delete(r);
	snprintf(args, sizeof(args), "\"改过的数据\",4,\"%s\",\"%s\"", sig,
	    cert);
	r = se("SEH_VerifySignData", "%s", args);
	ck_assert_int_eq(code_of(r), -2113667059);
	cJSON_Delete(r);
	cert_to_files(cert);
	ck_assert(openssl_verifies("sha256", "签名数据", sig));
	/* Envelope to the certificate, opened with the token's key. */
	snprintf(args, sizeof(args), "1,\"信封内容\",\"%s\"", cert);
	env = str_value("SEH_Envelope", args);
	snprintf(args, sizeof(args), "2,\"%s\"", env);
	free(sig);
	sig = str_value("SEH_Envelope", args);
	ck_assert_str_eq(sig, "信封内容");
	free(sig);
	free(env);
	free(cert);
}
END_TEST

START_TEST(test_snapshot)
{
	cJSON *r = uk_hostproc_call(&hp, next_id++, "se.snapshot", "{}",
	    GOV), *res, *certs, *c, *found = NULL;

	res = cJSON_GetObjectItem(r, "result");
	ck_assert_ptr_nonnull(res);
	ck_assert_str_eq(cJSON_GetObjectItem(res, "pluggedTypeList")->
	    valuestring, "a$$1");
	certs = cJSON_GetObjectItem(res, "certs");
	ck_assert_int_ge(cJSON_GetArraySize(certs), 2);
	cJSON_ArrayForEach(c, certs) {
		const cJSON *oids = cJSON_GetObjectItem(c, "oids");
		const cJSON *code = cJSON_GetObjectItem(oids,
		    "1.2.156.10260.4.1.4");

		/* Company 1's certificate (the token may hold others). */
		if (cJSON_IsString(code) && strcmp(code->valuestring,
		    "91310000MA1FL0000X") == 0)
			found = c;
	}
	ck_assert_ptr_nonnull(found);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(found,
	    "details"), "14")->valuestring, "上海测试有限公司");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(found,
	    "oids"), "1.2.156.10260.4.1.4")->valuestring,
	    "91310000MA1FL0000X");
	ck_assert_int_gt(cJSON_GetObjectItem(found, "validDays")->valueint,
	    0);
	cJSON_Delete(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("se");
	TCase *tc = tcase_create("softhsm");
	SRunner *sr;
	int failed;

	if (uk_softhsm_create(&fx) != 0) {
		fprintf(stderr, "cannot create the SoftHSM token\n");
		uk_softhsm_destroy(&fx);
		return 1;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_gov_login_sequence);
	tcase_add_test(tc, test_wrong_pin);
	tcase_add_test(tc, test_async_session_form);
	tcase_add_test(tc, test_capabilities);
	tcase_add_loop_test(tc, test_bad_calls_answered, 0,
	    UK_ARRAY_LEN(bad_calls));
	tcase_add_test(tc, test_helpers);
	tcase_add_test(tc, test_cert_and_envelope);
	tcase_add_test(tc, test_snapshot);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	uk_softhsm_destroy(&fx);
	return failed ? 1 : 0;
}
