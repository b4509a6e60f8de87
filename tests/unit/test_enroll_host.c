/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * enroll.*, seal.*, unlock.* through the real host binary on SoftHSM2
 * tokens: renewal with a seal re-bind and an old-key countersignature,
 * self-service change RSA→EC with an added number, refused certificates,
 * capabilities, unlock (forgotten PIN; replayed / altered / foreign
 * answers), and the fault-injection matrix with ukeylink-host-fault: the
 * host dies at every journal step and before every PKCS#11 write, a new
 * host recovers, and the token must hold a working (certificate, key)
 * pair and no certificate without its key.
 */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "enroll_ca.h"
#include "enroll_fixture.h"
#include "err.h"
#include "hostproc.h"
#include "json.h"
#include "netfix.h"
#include "sign.h"
#include "unlock_ca.h"

static struct uk_hostproc hp;
static int64_t next_id = 1;
static char tok[128];

static char *
config_json(void)
{
	static char buf[4096];
	const char *level = getenv("UK_TEST_VERBOSE") ? "debug" : "error";

	snprintf(buf, sizeof(buf),
	    "{\"extensionIds\":{\"chromium\":[\"" UK_TEST_CHROMIUM_ID "\"]},"
	    "\"origins\":[{\"origin\":\"" UK_TEST_ORIGIN "\","
	    "\"capabilities\":[\"read\",\"sign\",\"enroll\",\"seal\","
	    "\"unlock\"]},{\"origin\":\"https://gov.example.cn\","
	    "\"capabilities\":[\"read\",\"sign\"]}],"
	    "\"log\":{\"level\":\"%s\",\"destination\":\"stderr\"},"
	    "\"pkcs11\":{\"modules\":[\"" UK_EF_MODULE "\"]},"
	    "\"trustAnchors\":[\"%s/root-ca.pem\"],"
	    "\"enroll\":{\"retireOld\":\"delete\",\"sealCA\":"
	    "[\"%s/root-ca.pem\"],\"sealMaxBytes\":65536}}",
	    level, uk_ef_pki(), uk_ef_pki());
	return buf;
}

static int
start_host_cfg(const char *path, const char *text)
{
	static char envbuf[2][600];
	char *cfg, *env[3];
	char *const argv[] = { (char *)path,
	    (char *)"chrome-extension://" UK_TEST_CHROMIUM_ID "/", NULL };

	if ((cfg = uk_test_write_temp("config.json", text)) == NULL)
		return -1;
	snprintf(envbuf[0], sizeof(envbuf[0]), "UKEYLINK_CONFIG=%s", cfg);
	snprintf(envbuf[1], sizeof(envbuf[1]), "XDG_CONFIG_HOME=/nonexistent");
	free(cfg);
	env[0] = envbuf[0];
	env[1] = envbuf[1];
	env[2] = NULL;
	return uk_hostproc_start(&hp, path, argv, env);
}

static int
start_host(const char *path)
{
	return start_host_cfg(path, config_json());
}

static cJSON *vcall(const char *, const char *, const char *, va_list)
    UK_PRINTF(3, 0);
static cJSON *
vcall(const char *origin, const char *method, const char *fmt, va_list ap)
{
	char params[16384];

	vsnprintf(params, sizeof(params), fmt, ap);
	return uk_hostproc_call(&hp, next_id++, method, params, origin);
}

/* The response (caller deletes) or NULL when the host died. */
static cJSON *
call(const char *method, const char *fmt, ...) UK_PRINTF(2, 3);
static cJSON *
call(const char *method, const char *fmt, ...)
{
	va_list ap;
	cJSON *r;

	va_start(ap, fmt);
	r = vcall(UK_TEST_ORIGIN, method, fmt, ap);
	va_end(ap);
	return r;
}

/* The detached result; fails the test on an error response. */
static cJSON *
ok(const char *method, const char *fmt, ...) UK_PRINTF(2, 3);
static cJSON *
ok(const char *method, const char *fmt, ...)
{
	va_list ap;
	cJSON *r, *res;
	char *txt;

	va_start(ap, fmt);
	r = vcall(UK_TEST_ORIGIN, method, fmt, ap);
	va_end(ap);
	ck_assert_msg(r != NULL, "%s: no response", method);
	if ((res = cJSON_DetachItemFromObject(r, "result")) == NULL) {
		txt = cJSON_PrintUnformatted(r);
		ck_abort_msg("%s failed: %s", method, txt);
	}
	cJSON_Delete(r);
	return res;
}

static const char *
err_name(const cJSON *resp)
{
	const cJSON *e = cJSON_GetObjectItem(resp, "error");

	ck_assert_msg(e != NULL, "expected an error");
	return cJSON_GetObjectItem(e, "name")->valuestring;
}

static const char *
str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(o, key);

	ck_assert_msg(cJSON_IsString(v), "member %s missing", key);
	return v->valuestring;
}

/* token.list → the fixture token's handle into tok; returns 0 or -1. */
static int
find_token(void)
{
	cJSON *r = call("token.list", "{}"), *res, *t;

	if (r == NULL || (res = cJSON_GetObjectItem(r, "result")) == NULL) {
		cJSON_Delete(r);
		return -1;
	}
	cJSON_ArrayForEach(t, cJSON_GetObjectItem(res, "tokens"))
		if (strcmp(str(t, "label"), UK_EF_LABEL) == 0)
			snprintf(tok, sizeof(tok), "%s", str(t, "token"));
	cJSON_Delete(r);
	return tok[0] != '\0' ? 0 : -1;
}

static void
start_and_login(void)
{
	cJSON *r;

	tok[0] = '\0';
	ck_assert_int_eq(start_host(UK_TEST_HOST_PATH), 0);
	ck_assert_int_eq(find_token(), 0);
	r = ok("token.login", "{\"token\":\"%s\",\"pin\":\"" UK_EF_PIN "\"}",
	    tok);
	cJSON_Delete(r);
}

static char *
file_b64(const char *name)
{
	char path[512];
	unsigned char *der;
	size_t len;
	char *b;

	snprintf(path, sizeof(path), "%s/%s", uk_ef_pki(), name);
	ck_assert_ptr_nonnull(der = uk_ef_read_file(path, &len));
	b = uk_base64_encode(der, len);
	free(der);
	return b;
}

/* CA: issues for the base64 CSR; returns base64 DER. */
static char *
ca_issue(const char *csr_b64, const char *ca, const struct uk_ca_opts *o)
{
	char dir[512];
	unsigned char *csr, *der;
	size_t len, dlen;
	char *b;

	ck_assert_int_eq(uk_base64_decode(csr_b64, 65536, &csr, &len), 0);
	snprintf(dir, sizeof(dir), "%s/%s", uk_ef_pki(), ca);
	ck_assert_int_eq(uk_ca_issue(dir, csr, len, o, &der, &dlen), 0);
	b = uk_base64_encode(der, dlen);
	free(csr);
	free(der);
	return b;
}

static char *
ca_seal(const char *serial)
{
	char dir[512];
	unsigned char *pkg;
	size_t len;
	char *b;

	snprintf(dir, sizeof(dir), "%s/inter-ca", uk_ef_pki());
	ck_assert_int_eq(uk_ca_seal(dir, serial, "上海测试有限公司公章", &pkg,
	    &len), 0);
	b = uk_base64_encode(pkg, len);
	free(pkg);
	return b;
}

/* In a child process (the host is gone): usable pairs, 0 bad; returns
 * the number of usable pairs or -1. */
static int
token_pairs(void)
{
	pid_t pid;
	int st, u, b;

	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		struct uk_p11 p;

		if (uk_ef_open(&p) != 0 || uk_ef_check_pairs(&p, &u, &b) != 0)
			_exit(255);
		uk_ef_close(&p);
		_exit(b != 0 ? 254 : u);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st) >= 254 ? -1 : WEXITSTATUS(st);
}

START_TEST(host_renewal_with_seal)
{
	cJSON *r, *res, *certs, *c;
	char *chain = file_b64("inter-ca.der"), *cert, *seal, *txn;
	char *oldser = NULL, *newid, *newser;
	unsigned char *csr, *cms, *sig, *der;
	size_t csrlen, cmslen, siglen, dlen;
	X509 *signer = NULL, *nc;
	const unsigned char *q;

	ck_assert_ptr_nonnull(uk_ef_token(0));
	start_and_login();
	/* The current certificate's serial (cert.list). */
	res = ok("cert.list", "{\"token\":\"%s\"}", tok);
	certs = cJSON_GetObjectItem(res, "certs");
	cJSON_ArrayForEach(c, certs)
		if (strcmp(str(c, "certId"), "01") == 0)
			oldser = strdup(str(c, "serial"));
	ck_assert_ptr_nonnull(oldser);
	cJSON_Delete(res);
	/* A seal for it. */
	seal = ca_seal(oldser);
	res = ok("seal.install", "{\"token\":\"%s\",\"package\":\"%s\"}", tok,
	    seal);
	ck_assert_uint_eq(strlen(str(res, "id")), 16);
	cJSON_Delete(res);
	free(seal);
	/* Another site may read but not enrol. */
	r = uk_hostproc_call(&hp, next_id++, "enroll.begin", "{}",
	    "https://gov.example.cn");
	ck_assert_str_eq(err_name(r), "ORIGIN_NOT_ALLOWED");
	cJSON_Delete(r);

	res = ok("enroll.begin", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"mode\":\"renew\"}", tok);
	txn = strdup(str(res, "transaction"));
	cJSON_Delete(res);
	res = ok("enroll.status", "{\"token\":\"%s\"}", tok);
	ck_assert_str_eq(str(res, "step"), "begun");
	ck_assert_str_eq(str(res, "mode"), "renew");
	cJSON_Delete(res);
	res = ok("enroll.generateKeyPair", "{\"token\":\"%s\",\"transaction\":"
	    "\"%s\",\"keyType\":\"rsa2048\"}", tok, txn);
	newid = strdup(str(res, "keyId"));
	ck_assert_uint_eq(strlen(newid), 32);
	cJSON_Delete(res);
	res = ok("enroll.createRequest", "{\"token\":\"%s\",\"transaction\":"
	    "\"%s\",\"countersign\":true}", tok, txn);
	/* The countersignature: CMS by the old key over the request. */
	ck_assert_int_eq(uk_base64_decode(str(res, "csr"), 65536, &csr,
	    &csrlen), 0);
	ck_assert_int_eq(uk_base64_decode(str(res, "countersignature"),
	    65536, &cms, &cmslen), 0);
	ck_assert_int_eq(uk_verify_cms(cms, cmslen, csr, csrlen, NULL, NULL,
	    &signer), 0);
	{
		char *s;
		BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(signer),
		    NULL);

		s = BN_bn2hex(bn);
		ck_assert_str_eq(s, oldser);
		OPENSSL_free(s);
		BN_free(bn);
	}
	cert = ca_issue(str(res, "csr"), "inter-ca", NULL);
	cJSON_Delete(res);
	/* Trying to commit before the certificate is refused. */
	r = call("enroll.commit", "{\"token\":\"%s\",\"transaction\":\"%s\"}",
	    tok, txn);
	ck_assert_str_eq(err_name(r), "TRANSACTION");
	cJSON_Delete(r);
	res = ok("enroll.installCertificate", "{\"token\":\"%s\","
	    "\"transaction\":\"%s\",\"cert\":\"%s\",\"chain\":[\"%s\"]}",
	    tok, txn, cert, chain);
	ck_assert_str_eq(str(res, "certId"), newid);
	newser = strdup(str(res, "serial"));
	cJSON_Delete(res);
	seal = ca_seal(newser);
	res = ok("seal.install", "{\"token\":\"%s\",\"package\":\"%s\","
	    "\"transaction\":\"%s\"}", tok, seal, txn);
	cJSON_Delete(res);
	res = ok("enroll.commit", "{\"token\":\"%s\",\"transaction\":\"%s\"}",
	    tok, txn);
	ck_assert_str_eq(str(cJSON_GetObjectItem(res, "retired"), "certId"),
	    "01");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(res, "archived")));
	cJSON_Delete(res);
	/* One seal left, bound to the new certificate. */
	res = ok("seal.list", "{\"token\":\"%s\"}", tok);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res,
	    "seals")), 1);
	ck_assert_str_eq(str(cJSON_GetArrayItem(cJSON_GetObjectItem(res,
	    "seals"), 0), "certSerial"), newser);
	cJSON_Delete(res);
	/* The new pair signs through the host; OpenSSL verifies. */
	res = ok("sign.data", "{\"token\":\"%s\",\"certId\":\"%s\",\"data\":"
	    "\"aGVsbG8=\",\"hash\":\"sha256\"}", tok, newid);
	ck_assert_int_eq(uk_base64_decode(str(res, "signature"), 4096, &sig,
	    &siglen), 0);
	ck_assert_int_eq(uk_base64_decode(cert, 65536, &der, &dlen), 0);
	q = der;
	ck_assert_ptr_nonnull(nc = d2i_X509(NULL, &q, (long)dlen));
	ck_assert_int_eq(uk_verify(nc, (const unsigned char *)"hello", 5, 0,
	    UK_HASH_SHA256, UK_SCHEME_AUTO, sig, siglen), 0);
	cJSON_Delete(res);
	res = ok("enroll.status", "{\"token\":\"%s\"}", tok);
	ck_assert_ptr_null(cJSON_GetObjectItem(res, "transaction"));
	cJSON_Delete(res);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 10000), 0);
	ck_assert_int_eq(token_pairs(), 1);
	X509_free(nc);
	X509_free(signer);
	free(der);
	free(sig);
	free(csr);
	free(cms);
	free(chain);
	free(cert);
	free(seal);
	free(txn);
	free(oldser);
	free(newid);
	free(newser);
}
END_TEST

START_TEST(host_change_rsa_to_ec)
{
	cJSON *res, *r, *ei;
	char *chain = file_b64("inter-ca.der"), *cert, *txn;
	struct uk_ca_opts bad = { .o = "上海冒名有限公司" };

	ck_assert_ptr_nonnull(uk_ef_token(1));
	start_and_login();
	res = ok("enroll.begin", "{\"token\":\"%s\",\"certId\":\"02\","
	    "\"mode\":\"change\"}", tok);
	txn = strdup(str(res, "transaction"));
	cJSON_Delete(res);
	r = call("enroll.begin", "{\"token\":\"%s\",\"certId\":\"02\","
	    "\"mode\":\"change\"}", tok);
	ck_assert_str_eq(err_name(r), "TRANSACTION");
	cJSON_Delete(r);
	r = call("enroll.generateKeyPair", "{\"token\":\"%s\",\"transaction\":"
	    "\"%s\",\"keyType\":\"dsa1024\"}", tok, txn);
	ck_assert_str_eq(err_name(r), "INVALID_PARAM");
	cJSON_Delete(r);
	res = ok("enroll.generateKeyPair", "{\"token\":\"%s\",\"transaction\":"
	    "\"%s\",\"keyType\":\"ec-p256\"}", tok, txn);
	cJSON_Delete(res);
	res = ok("enroll.createRequest", "{\"token\":\"%s\",\"transaction\":"
	    "\"%s\",\"addRegistryNumbers\":{\"1.2.156.10260.4.1.4\":"
	    "\"91310000MA1FL0000X\"}}", tok, txn);
	/* Altered O: refused with its reason, nothing written. */
	cert = ca_issue(str(res, "csr"), "inter-ca", &bad);
	r = call("enroll.installCertificate", "{\"token\":\"%s\","
	    "\"transaction\":\"%s\",\"cert\":\"%s\",\"chain\":[\"%s\"]}",
	    tok, txn, cert, chain);
	ck_assert_str_eq(err_name(r), "CERT_REJECTED");
	ei = cJSON_GetObjectItem(r, "error");
	ck_assert_str_eq(str(ei, "reason"), "subjectO");
	cJSON_Delete(r);
	free(cert);
	cert = ca_issue(str(res, "csr"), "inter-ca", NULL);
	cJSON_Delete(res);
	res = ok("enroll.installCertificate", "{\"token\":\"%s\","
	    "\"transaction\":\"%s\",\"cert\":\"%s\",\"chain\":[\"%s\"]}",
	    tok, txn, cert, chain);
	cJSON_Delete(res);
	res = ok("enroll.commit", "{\"token\":\"%s\",\"transaction\":\"%s\"}",
	    tok, txn);
	cJSON_Delete(res);
	/* The new certificate carries the added number. */
	res = ok("cert.list", "{\"token\":\"%s\"}", tok);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res,
	    "certs")), 1);
	cJSON_Delete(res);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 10000), 0);
	ck_assert_int_eq(token_pairs(), 1);
	free(cert);
	free(chain);
	free(txn);
}
END_TEST

static cJSON *
unlock_req(void)
{
	cJSON *res = ok("unlock.request", "{\"token\":\"%s\"}", tok);
	cJSON *req = cJSON_DetachItemFromObject(res, "request");

	cJSON_Delete(res);
	ck_assert_ptr_nonnull(req);
	return req;
}

static cJSON *
apply(const cJSON *ans)
{
	char *a = cJSON_PrintUnformatted(ans);
	cJSON *r = call("unlock.apply", "{\"token\":\"%s\",\"response\":%s}",
	    tok, a);

	free(a);
	ck_assert_ptr_nonnull(r);
	return r;
}

START_TEST(host_unlock_forgotten_pin)
{
	cJSON *req, *ans, *r, *res;
	const cJSON *cert;
	char pin[16];
	int tweak;

	/* SoftHSM never locks a PIN: the user "forgot" it instead. */
	ck_assert_ptr_nonnull(uk_ef_token(0));
	ck_assert_int_eq(start_host(UK_TEST_HOST_PATH), 0);
	ck_assert_int_eq(find_token(), 0);
	r = call("token.login", "{\"token\":\"%s\",\"pin\":\"99999999\"}",
	    tok);
	ck_assert_str_eq(err_name(r), "PIN_INCORRECT");
	cJSON_Delete(r);
	/* Readable without PIN. */
	req = unlock_req();
	ck_assert_int_eq(cJSON_GetObjectItem(req, "version")->valueint, 1);
	cert = cJSON_GetObjectItem(req, "cert");
	ck_assert_ptr_nonnull(strstr(str(cert, "subject"), "上海测试有限公司"));
	ck_assert_uint_gt(strlen(str(req, "tokenSerial")), 0);
	/* Altered, foreign serial, foreign challenge: each refused, and
	 * each consumes the request. */
	for (tweak = 1; tweak <= 3; tweak++) {
		ans = uk_unlock_ca_answer(req, UK_EF_SO_PIN, NULL, tweak);
		r = apply(ans);
		ck_assert_str_eq(err_name(r), "UNLOCK_INVALID");
		cJSON_Delete(r);
		cJSON_Delete(ans);
		cJSON_Delete(req);
		req = unlock_req();
	}
	/* A wrong SO PIN inside a valid envelope. */
	ans = uk_unlock_ca_answer(req, "11111111", NULL, 0);
	r = apply(ans);
	ck_assert_str_eq(err_name(r), "UNLOCK_INVALID");
	cJSON_Delete(r);
	cJSON_Delete(ans);
	cJSON_Delete(req);
	/* The real answer. */
	req = unlock_req();
	ans = uk_unlock_ca_answer(req, UK_EF_SO_PIN, NULL, 0);
	r = apply(ans);
	res = cJSON_GetObjectItem(r, "result");
	ck_assert_ptr_nonnull(res);
	snprintf(pin, sizeof(pin), "%s", str(res, "newPin"));
	ck_assert_uint_eq(strlen(pin), 8);
	ck_assert_uint_eq(strspn(pin, "0123456789"), 8);
	cJSON_Delete(r);
	/* Replayed: refused. */
	r = apply(ans);
	ck_assert_str_eq(err_name(r), "UNLOCK_INVALID");
	cJSON_Delete(r);
	cJSON_Delete(ans);
	cJSON_Delete(req);
	res = ok("enroll.status", "{\"token\":\"%s\"}", tok);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(res, "pinToBeChanged")));
	cJSON_Delete(res);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 10000), 0);
	/* A new host logs in with the new PIN; the old one is gone. */
	ck_assert_int_eq(start_host(UK_TEST_HOST_PATH), 0);
	ck_assert_int_eq(find_token(), 0);
	r = call("token.login", "{\"token\":\"%s\",\"pin\":\"" UK_EF_PIN "\"}",
	    tok);
	ck_assert_str_eq(err_name(r), "PIN_INCORRECT");
	cJSON_Delete(r);
	res = ok("token.login", "{\"token\":\"%s\",\"pin\":\"%s\"}", tok, pin);
	cJSON_Delete(res);
	res = ok("token.changePin", "{\"token\":\"%s\",\"oldPin\":\"%s\","
	    "\"newPin\":\"" UK_EF_PIN "\"}", tok, pin);
	cJSON_Delete(res);
	res = ok("unlock.pinChanged", "{\"token\":\"%s\"}", tok);
	cJSON_Delete(res);
	res = ok("enroll.status", "{\"token\":\"%s\"}", tok);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(res, "pinToBeChanged")));
	cJSON_Delete(res);
	/* The answer's own newPin is used when given. */
	req = unlock_req();
	ans = uk_unlock_ca_answer(req, UK_EF_SO_PIN, UK_EF_PIN, 0);
	r = apply(ans);
	ck_assert_str_eq(str(cJSON_GetObjectItem(r, "result"), "newPin"),
	    UK_EF_PIN);
	cJSON_Delete(r);
	cJSON_Delete(ans);
	cJSON_Delete(req);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 10000), 0);
	ck_assert_int_eq(token_pairs(), 1);
}
END_TEST

/* Seal download: the network module's HTTPS test server, its allowlist. */
START_TEST(host_seal_by_url)
{
	struct uk_netfix nf;
	char path[PATH_MAX + 96], root[512], url[256], *text, *seal;
	unsigned char *pkg;
	size_t len;
	cJSON *cfg, *anchors, *en, *r, *res;
	FILE *fp;

	ck_assert_int_eq(uk_netfix_start(&nf), 0);
	ck_assert_ptr_nonnull(uk_ef_token(0));
	/* The netfix configuration plus token, our anchors and seal CA. */
	ck_assert_ptr_nonnull(text = uk_netfix_config(&nf, ""));
	ck_assert_ptr_nonnull(cfg = cJSON_Parse(text));
	free(text);
	snprintf(root, sizeof(root), "%s/root-ca.pem", uk_ef_pki());
	anchors = cJSON_GetObjectItem(cfg, "trustAnchors");
	cJSON_AddItemToArray(anchors, cJSON_CreateString(root));
	cJSON_AddItemToObject(cfg, "pkcs11", cJSON_Parse("{\"modules\":[\""
	    UK_EF_MODULE "\"]}"));
	en = cJSON_AddObjectToObject(cfg, "enroll");
	cJSON_AddItemToObject(en, "sealCA", cJSON_CreateStringArray(
	    (const char *const []){ root }, 1));
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cfg, "log"), "level",
	    cJSON_CreateString("error"));
	ck_assert_ptr_nonnull(text = cJSON_PrintUnformatted(cfg));
	cJSON_Delete(cfg);
	ck_assert_int_eq(start_host_cfg(UK_TEST_HOST_PATH, text), 0);
	free(text);
	ck_assert_int_eq(find_token(), 0);
	res = ok("token.login", "{\"token\":\"%s\",\"pin\":\"" UK_EF_PIN
	    "\"}", tok);
	cJSON_Delete(res);
	/* leaf-rsa's serial (tests/pki/README.md). */
	seal = ca_seal("9F3B2C4D5E6F708192A3B4C5D6E7F0A0");
	ck_assert_int_eq(uk_base64_decode(seal, 65536, &pkg, &len), 0);
	snprintf(path, sizeof(path), "%s/static/seal.der", nf.dir);
	ck_assert_ptr_nonnull(fp = fopen(path, "wb"));
	ck_assert_uint_eq(fwrite(pkg, 1, len, fp), len);
	fclose(fp);
	snprintf(url, sizeof(url), "%s/static/seal.der", nf.sbase);
	res = ok("seal.install", "{\"token\":\"%s\",\"url\":\"%s\"}",
	    tok, url);
	ck_assert_str_eq(str(res, "certSerial"),
	    "9F3B2C4D5E6F708192A3B4C5D6E7F0A0");
	cJSON_Delete(res);
	ck_assert_int_eq(uk_netfix_hits(&nf, "/static/seal.der"), 1);
	/* Not on network.allowHosts. */
	r = call("seal.install", "{\"token\":\"%s\",\"url\":"
	    "\"https://seal.example.cn/seal.der\"}", tok);
	ck_assert_str_eq(err_name(r), "HOST_NOT_ALLOWED");
	cJSON_Delete(r);
	/* Both package and url. */
	r = call("seal.install", "{\"token\":\"%s\",\"url\":\"%s\","
	    "\"package\":\"%s\"}", tok, url, seal);
	ck_assert_str_eq(err_name(r), "INVALID_PARAM");
	cJSON_Delete(r);
	res = ok("seal.list", "{\"token\":\"%s\"}", tok);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res,
	    "seals")), 1);
	cJSON_Delete(res);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 10000), 0);
	uk_netfix_stop(&nf);
	free(pkg);
	free(seal);
}
END_TEST

/* --- Fault matrix ---------------------------------------------------- */

/* The renewal through a host that may die; 0 when it completed, 1 when
 * the host went away. */
static int
faulty_flow(void)
{
	cJSON *r, *res;
	char txn[40], *cert = NULL, *chain = file_b64("inter-ca.der");
	char *seal = NULL, ser[80];
	int died = 1;

#define STEP(expr) do { \
		if ((r = (expr)) == NULL) \
			goto out; \
		if ((res = cJSON_GetObjectItem(r, "result")) == NULL) { \
			char *t = cJSON_PrintUnformatted(r); \
			ck_abort_msg("unexpected error: %s", t); \
		} \
	} while (0)
	tok[0] = '\0';
	ck_assert_int_eq(start_host(UK_TEST_FAULT_HOST_PATH), 0);
	if (find_token() != 0)
		goto out;
	STEP(call("token.login", "{\"token\":\"%s\",\"pin\":\"" UK_EF_PIN
	    "\"}", tok));
	cJSON_Delete(r);
	STEP(call("enroll.begin", "{\"token\":\"%s\",\"certId\":\"01\","
	    "\"mode\":\"renew\"}", tok));
	snprintf(txn, sizeof(txn), "%s", str(res, "transaction"));
	cJSON_Delete(r);
	STEP(call("enroll.generateKeyPair", "{\"token\":\"%s\","
	    "\"transaction\":\"%s\",\"keyType\":\"ec-p256\"}", tok, txn));
	cJSON_Delete(r);
	STEP(call("enroll.createRequest", "{\"token\":\"%s\","
	    "\"transaction\":\"%s\"}", tok, txn));
	cert = ca_issue(str(res, "csr"), "inter-ca", NULL);
	cJSON_Delete(r);
	STEP(call("enroll.installCertificate", "{\"token\":\"%s\","
	    "\"transaction\":\"%s\",\"cert\":\"%s\",\"chain\":[\"%s\"]}",
	    tok, txn, cert, chain));
	snprintf(ser, sizeof(ser), "%s", str(res, "serial"));
	cJSON_Delete(r);
	seal = ca_seal(ser);
	STEP(call("seal.install", "{\"token\":\"%s\",\"package\":\"%s\","
	    "\"transaction\":\"%s\"}", tok, seal, txn));
	cJSON_Delete(r);
	STEP(call("enroll.commit", "{\"token\":\"%s\",\"transaction\":"
	    "\"%s\"}", tok, txn));
	cJSON_Delete(r);
	died = 0;
#undef STEP
 out:
	free(cert);
	free(seal);
	free(chain);
	return died;
}

/* A normal host after the crash: recover (explicitly), re-deliver the
 * certificate when the portal is awaited, then check the token. */
static void
recover_and_check(const char *what)
{
	cJSON *res, *r2;
	char *cert, *chain = file_b64("inter-ca.der"), txn[40];
	const char *action;

	start_and_login();
	res = ok("enroll.recover", "{\"token\":\"%s\"}", tok);
	action = str(res, "action");
	if (strcmp(action, "awaitingCertificate") == 0) {
		ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res,
		    "orphanKeys")), 1);
		snprintf(txn, sizeof(txn), "%s", str(res, "transaction"));
		r2 = ok("enroll.createRequest", "{\"token\":\"%s\","
		    "\"transaction\":\"%s\"}", tok, txn);
		cert = ca_issue(str(r2, "csr"), "inter-ca", NULL);
		cJSON_Delete(r2);
		r2 = ok("enroll.installCertificate", "{\"token\":\"%s\","
		    "\"transaction\":\"%s\",\"cert\":\"%s\",\"chain\":"
		    "[\"%s\"]}", tok, txn, cert, chain);
		cJSON_Delete(r2);
		r2 = ok("enroll.commit", "{\"token\":\"%s\",\"transaction\":"
		    "\"%s\"}", tok, txn);
		cJSON_Delete(r2);
		free(cert);
	} else
		ck_assert_msg(strcmp(action, "none") == 0 ||
		    strcmp(action, "rolledBack") == 0 ||
		    strcmp(action, "finished") == 0, "%s: action %s", what,
		    action);
	cJSON_Delete(res);
	res = ok("enroll.status", "{\"token\":\"%s\"}", tok);
	ck_assert_msg(cJSON_GetObjectItem(res, "transaction") == NULL,
	    "%s: transaction left open", what);
	cJSON_Delete(res);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 10000), 0);
	ck_assert_msg(token_pairs() >= 1, "%s: no usable pair", what);
	free(chain);
}

static void
one_fault(const char *spec)
{
	int st;

	ck_assert_ptr_nonnull(uk_ef_token(0));
	setenv("UKEYLINK_FAULT", spec, 1);
	ck_assert_msg(faulty_flow() == 1, "%s: host did not stop", spec);
	st = uk_hostproc_finish(&hp, 10000);
	ck_assert_msg(st == 42, "%s: exit status %d", spec, st);
	unsetenv("UKEYLINK_FAULT");
	/* Right after the crash: never zero pairs, never a lone cert. */
	ck_assert_msg(token_pairs() >= 1, "%s: no usable pair after crash",
	    spec);
	recover_and_check(spec);
}

START_TEST(host_fault_every_step)
{
	static const char *const steps[] = { "begun", "generatingKey",
	    "keyGenerated", "requestIssued", "installingCertificate",
	    "certificateInstalled", "sealRebound", "retiringOld", "done" };
	char spec[64];
	size_t i;

	for (i = 0; i < UK_ARRAY_LEN(steps); i++) {
		snprintf(spec, sizeof(spec), "step:%s", steps[i]);
		one_fault(spec);
	}
}
END_TEST

START_TEST(host_fault_every_write)
{
	char spec[64];
	unsigned n;
	int st;

	for (n = 1; n < 100; n++) {
		ck_assert_ptr_nonnull(uk_ef_token(0));
		snprintf(spec, sizeof(spec), "write:%u", n);
		setenv("UKEYLINK_FAULT", spec, 1);
		if (faulty_flow() == 0) {
			/* Fewer writes than n: the matrix is complete. */
			ck_assert_int_eq(uk_hostproc_finish(&hp, 10000), 0);
			break;
		}
		st = uk_hostproc_finish(&hp, 10000);
		ck_assert_msg(st == 42, "%s: exit status %d", spec, st);
		unsetenv("UKEYLINK_FAULT");
		ck_assert_msg(token_pairs() >= 1, "%s: no usable pair", spec);
		recover_and_check(spec);
	}
	unsetenv("UKEYLINK_FAULT");
	ck_assert_uint_gt(n, 15);
	ck_assert_uint_lt(n, 100);
}
END_TEST

static Suite *
enroll_host_suite(void)
{
	Suite *s = suite_create("enroll_host");
	TCase *tc = tcase_create("host");

	tcase_add_unchecked_fixture(tc, uk_ef_global_setup,
	    uk_ef_global_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, host_renewal_with_seal);
	tcase_add_test(tc, host_change_rsa_to_ec);
	tcase_add_test(tc, host_unlock_forgotten_pin);
	tcase_add_test(tc, host_seal_by_url);
	tcase_add_test(tc, host_fault_every_step);
	tcase_add_test(tc, host_fault_every_write);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(enroll_host_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
