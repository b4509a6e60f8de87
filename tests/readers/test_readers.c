/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Readers on real components: a private pcscd with the vpcd driver, the
 * virtual CAC card (tests/vcard) and OpenSC's PKCS#11 module.  Run only
 * inside tests/vcard/vcard-env.sh (tests/run.d/readers.sh does that).
 *
 * Host events, ATR mapping, the SafeEngine device list and pcscd restarts
 * go through ukeylink-host; PIN and signing go through OpenSC with raw
 * PKCS#11 calls (two processes = two hosts), verified with OpenSSL.
 */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <p11-kit/pkcs11.h>

#include "hostproc.h"
#include "vcardctl.h"

#define OPENSC		"/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
#define PIN		"12345678"
#define EVENT_MS	3000	/* pcscd polls vpcd every 400 ms */

static cJSON *pending;

static void
report_ms(const char *what, long long from, long long at)
{
	/* Lines the run script collects into its latency summary. */
	fprintf(stderr, "LATENCY %s %.1f ms\n", what, (at - from) / 1e6);
}

static struct uk_vcard
card(int tries)
{
	struct uk_vcard vc;

	ck_assert_ptr_nonnull(uk_vcard_dir());
	ck_assert_int_eq(uk_vcard_start(&vc, uk_vcard_dir(), uk_vcard_port(),
	    tries), 0);
	return vc;
}

static void
start_host(struct uk_hostproc *hp)
{
	cJSON *resp, *res;

	cJSON_Delete(pending);
	pending = NULL;
	ck_assert_int_eq(uk_hostproc_start_test(hp, NULL), 0);
	resp = uk_hostproc_call(hp, 1, "reader.watch", "{\"enable\":true}",
	    UK_TEST_ORIGIN);
	ck_assert_ptr_nonnull(res = cJSON_GetObjectItem(resp, "result"));
	ck_assert_str_eq(cJSON_GetObjectItem(res, "service")->valuestring,
	    "running");
	/* vpcd gives two readers. */
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res,
	    "readers")), 2);
	cJSON_Delete(resp);
}

static cJSON *
call(struct uk_hostproc *hp, int id, const char *method)
{
	char req[256];
	cJSON *resp;

	snprintf(req, sizeof(req), "{\"id\":%d,\"method\":\"%s\","
	    "\"params\":{},\"origin\":\"%s\"}", id, method, UK_TEST_ORIGIN);
	ck_assert_int_eq(uk_hostproc_send(hp, req), 0);
	if (pending == NULL)
		pending = cJSON_CreateArray();
	resp = uk_hostproc_response(hp, id, 5000, &pending);
	ck_assert_ptr_nonnull(resp);
	return resp;
}

static cJSON *
event(struct uk_hostproc *hp, const char *name, const char *reader,
    long long *atp)
{
	cJSON *ev = uk_wait_event(hp, &pending, name, reader, EVENT_MS, atp);

	ck_assert_msg(ev != NULL, "no %s event within %d ms", name, EVENT_MS);
	return ev;
}

static const cJSON *
reader_entry(cJSON *list_resp, const char *name)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(cJSON_GetObjectItem(
	    list_resp, "result"), "readers"))
		if (strcmp(cJSON_GetObjectItem(r, "name")->valuestring,
		    name) == 0)
			return r;
	ck_abort_msg("reader %s not listed", name);
	return NULL;
}

START_TEST(test_insert_remove_events)
{
	struct uk_hostproc hp;
	struct uk_vcard vc = card(0);
	const char *rd = uk_vcard_reader();
	const cJSON *e, *mk;
	cJSON *ev, *resp, *res;
	long long t0, at;

	start_host(&hp);
	ck_assert_int_gt(t0 = uk_vcard_insert(&vc), 0);
	ev = event(&hp, "token.inserted", rd, &at);
	report_ms("insert->token.inserted", t0, at);
	ck_assert_str_eq(cJSON_GetObjectItem(ev, "atr")->valuestring,
	    "3B 89 00 56 43 41 52 44 5F 4E 53 53");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(ev, "known")));
	mk = cJSON_GetObjectItem(ev, "make");
	ck_assert_str_eq(cJSON_GetObjectItem(mk, "id")->valuestring,
	    "virtual-cac");
	ck_assert_int_eq(cJSON_GetObjectItem(mk, "type")->valueint, 10);
	cJSON_Delete(ev);

	resp = call(&hp, 2, "reader.list");
	e = reader_entry(resp, rd);
	ck_assert_str_eq(cJSON_GetObjectItem(e, "state")->valuestring,
	    "present");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "make"),
	    "name")->valuestring, "虚拟CAC测试卡");
	cJSON_Delete(resp);

	resp = call(&hp, 3, "reader.devices");
	res = cJSON_GetObjectItem(resp, "result");
	ck_assert_str_eq(cJSON_GetObjectItem(res,
	    "pluggedTypeList")->valuestring, "a$$1");
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(res, "devices"), 0);
	ck_assert_int_eq(cJSON_GetObjectItem(e, "devType")->valueint, 10);
	ck_assert_str_eq(cJSON_GetObjectItem(e, "devParam")->valuestring,
	    "com1");
	ck_assert_str_eq(cJSON_GetObjectItem(e, "reader")->valuestring, rd);
	cJSON_Delete(resp);

	ck_assert_int_gt(t0 = uk_vcard_remove(&vc), 0);
	ev = event(&hp, "token.removed", rd, &at);
	report_ms("remove->token.removed", t0, at);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(ev, "make"),
	    "id")->valuestring, "virtual-cac");
	cJSON_Delete(ev);
	resp = call(&hp, 4, "reader.list");
	ck_assert_str_eq(cJSON_GetObjectItem(reader_entry(resp, rd),
	    "state")->valuestring, "empty");
	cJSON_Delete(resp);
	resp = call(&hp, 5, "reader.devices");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(resp,
	    "result"), "pluggedTypeList")->valuestring, "");
	cJSON_Delete(resp);

	/* Re-insertion is reported again by the same host. */
	ck_assert_int_gt(uk_vcard_insert(&vc), 0);
	cJSON_Delete(event(&hp, "token.inserted", rd, &at));
	ck_assert_int_eq(uk_hostproc_finish(&hp, 5000), 0);
	uk_vcard_stop(&vc);
}
END_TEST

/* ---- raw PKCS#11 through OpenSC ------------------------------------ */

struct p11 {
	void *dl;
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
};

static CK_RV
p11_open(struct p11 *p)
{
	CK_C_GetFunctionList gfl;
	CK_SLOT_ID slots[8];
	CK_ULONG n = 8;
	CK_RV rv;

	memset(p, 0, sizeof(*p));
	ck_assert_ptr_nonnull(p->dl = dlopen(OPENSC, RTLD_NOW));
	ck_assert_ptr_nonnull(gfl = (CK_C_GetFunctionList)dlsym(p->dl,
	    "C_GetFunctionList"));
	ck_assert_int_eq(gfl(&p->f), CKR_OK);
	ck_assert_int_eq(p->f->C_Initialize(NULL), CKR_OK);
	if ((rv = p->f->C_GetSlotList(CK_TRUE, slots, &n)) != CKR_OK)
		return rv;
	if (n == 0)
		return CKR_TOKEN_NOT_PRESENT;
	p->slot = slots[0];
	return p->f->C_OpenSession(p->slot, CKF_SERIAL_SESSION, NULL, NULL,
	    &p->s);
}

static void
p11_close(struct p11 *p)
{
	if (p->f != NULL)
		(void)p->f->C_Finalize(NULL);
	if (p->dl != NULL)
		dlclose(p->dl);
	memset(p, 0, sizeof(*p));
}

static CK_RV
p11_login(struct p11 *p, const char *pin)
{
	return p->f->C_Login(p->s, CKU_USER, (CK_UTF8CHAR_PTR)pin,
	    strlen(pin));
}

static CK_FLAGS
p11_token_flags(struct p11 *p)
{
	CK_TOKEN_INFO ti;

	ck_assert_int_eq(p->f->C_GetTokenInfo(p->slot, &ti), CKR_OK);
	return ti.flags;
}

static CK_RV
p11_find_key(struct p11 *p)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t = { CKA_CLASS, &cls, sizeof(cls) };
	CK_ULONG n = 0;
	CK_RV rv;

	if ((rv = p->f->C_FindObjectsInit(p->s, &t, 1)) != CKR_OK)
		return rv;
	rv = p->f->C_FindObjects(p->s, &p->key, 1, &n);
	(void)p->f->C_FindObjectsFinal(p->s);
	return rv != CKR_OK ? rv : n == 1 ? CKR_OK : CKR_KEY_HANDLE_INVALID;
}

static CK_RV
p11_sign(struct p11 *p, const unsigned char *d, size_t len,
    unsigned char *sig, CK_ULONG *siglen)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_RV rv;

	if ((rv = p->f->C_SignInit(p->s, &m, p->key)) != CKR_OK)
		return rv;
	return p->f->C_Sign(p->s, (CK_BYTE_PTR)d, len, sig, siglen);
}

/* Verifies an RSA-SHA256 signature with the card's certificate. */
static int
verify(const unsigned char *d, size_t len, const unsigned char *sig,
    size_t siglen)
{
	char path[4096];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY *pk;
	X509 *x;
	FILE *fp;
	int ok;

	snprintf(path, sizeof(path), "%s/cert.pem", uk_vcard_dir());
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	ck_assert_ptr_nonnull(x = PEM_read_X509(fp, NULL, NULL, NULL));
	fclose(fp);
	pk = X509_get0_pubkey(x);
	ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pk) == 1 &&
	    EVP_DigestVerify(md, sig, siglen, d, len) == 1;
	EVP_MD_CTX_free(md);
	X509_free(x);
	return ok;
}

START_TEST(test_login_sign_verify)
{
	static const unsigned char data[] = "UKeyLink server random 0123";
	unsigned char sig[512];
	CK_ULONG siglen = sizeof(sig);
	struct uk_vcard vc = card(0);
	struct p11 p;

	ck_assert_int_gt(uk_vcard_insert(&vc), 0);
	usleep(800000);		/* pcscd sees the card within 400 ms */
	ck_assert_int_eq(p11_open(&p), CKR_OK);
	ck_assert_int_eq(p11_login(&p, PIN), CKR_OK);
	ck_assert_int_eq(p11_find_key(&p), CKR_OK);
	ck_assert_int_eq(p11_sign(&p, data, sizeof(data), sig, &siglen),
	    CKR_OK);
	ck_assert_uint_eq(siglen, 256);
	ck_assert(verify(data, sizeof(data), sig, siglen));
	sig[10] ^= 1;
	ck_assert(!verify(data, sizeof(data), sig, siglen));
	p11_close(&p);
	uk_vcard_stop(&vc);
}
END_TEST

/* 63Cx → PIN_INCORRECT, FINAL_TRY at one left, 6983 → LOCKED. */
START_TEST(test_wrong_pin_retries)
{
	struct uk_vcard vc = card(3);
	struct p11 p;

	ck_assert_int_gt(uk_vcard_insert(&vc), 0);
	usleep(800000);
	ck_assert_int_eq(p11_open(&p), CKR_OK);
	ck_assert_int_eq(p11_token_flags(&p) & (CKF_USER_PIN_FINAL_TRY |
	    CKF_USER_PIN_LOCKED), 0);
	ck_assert_int_eq(p11_login(&p, "00000000"), CKR_PIN_INCORRECT);
	ck_assert_int_eq(p11_token_flags(&p) & CKF_USER_PIN_LOCKED, 0);
	ck_assert_int_eq(p11_login(&p, "00000000"), CKR_PIN_INCORRECT);
	ck_assert(p11_token_flags(&p) & CKF_USER_PIN_FINAL_TRY);
	ck_assert_int_eq(p11_login(&p, "00000000"), CKR_PIN_LOCKED);
	ck_assert(p11_token_flags(&p) & CKF_USER_PIN_LOCKED);
	/* The right PIN no longer helps. */
	ck_assert_int_eq(p11_login(&p, PIN), CKR_PIN_LOCKED);
	p11_close(&p);
	uk_vcard_stop(&vc);
}
END_TEST

struct signer {
	struct p11 *p;
	CK_RV last;
	int count;
	long long ended;
};

static void *
sign_loop(void *arg)
{
	struct signer *s = arg;
	unsigned char sig[512], d[32] = { 1 };
	CK_ULONG siglen;

	for (;;) {
		siglen = sizeof(sig);
		if ((s->last = p11_sign(s->p, d, sizeof(d), sig, &siglen)) !=
		    CKR_OK)
			break;
		s->count++;
	}
	s->ended = uk_now_ns();
	return NULL;
}

/* Pulling the card during signing ends it with an error, not a hang;
 * after re-insertion a fresh session signs again. */
START_TEST(test_removal_mid_signature)
{
	struct uk_hostproc hp;
	struct uk_vcard vc = card(0);
	struct signer s = { 0 };
	unsigned char sig[512], d[32] = { 2 };
	CK_ULONG siglen = sizeof(sig);
	struct p11 p;
	pthread_t th;
	long long t0, at;

	start_host(&hp);
	ck_assert_int_gt(uk_vcard_insert(&vc), 0);
	cJSON_Delete(event(&hp, "token.inserted", uk_vcard_reader(), &at));
	ck_assert_int_eq(p11_open(&p), CKR_OK);
	ck_assert_int_eq(p11_login(&p, PIN), CKR_OK);
	ck_assert_int_eq(p11_find_key(&p), CKR_OK);
	s.p = &p;
	ck_assert_int_eq(pthread_create(&th, NULL, sign_loop, &s), 0);
	usleep(300000);
	t0 = uk_vcard_remove(&vc);
	pthread_join(th, NULL);
	fprintf(stderr, "removal mid-signature: %d signatures, then CKR "
	    "0x%lx after %.0f ms\n", s.count, (unsigned long)s.last,
	    (s.ended - t0) / 1e6);
	ck_assert_int_gt(s.count, 0);
	ck_assert_int_ne(s.last, CKR_OK);
	ck_assert_msg(s.ended - t0 < 5000000000LL, "signing hung");
	cJSON_Delete(event(&hp, "token.removed", uk_vcard_reader(), &at));
	p11_close(&p);

	ck_assert_int_gt(uk_vcard_insert(&vc), 0);
	cJSON_Delete(event(&hp, "token.inserted", uk_vcard_reader(), &at));
	ck_assert_int_eq(p11_open(&p), CKR_OK);
	ck_assert_int_eq(p11_login(&p, PIN), CKR_OK);
	ck_assert_int_eq(p11_find_key(&p), CKR_OK);
	ck_assert_int_eq(p11_sign(&p, d, sizeof(d), sig, &siglen), CKR_OK);
	ck_assert(verify(d, sizeof(d), sig, siglen));
	p11_close(&p);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 5000), 0);
	uk_vcard_stop(&vc);
}
END_TEST

/* pcscd goes away and comes back: events, clear errors, recovery. */
START_TEST(test_pcscd_restart)
{
	struct uk_hostproc hp;
	struct uk_vcard vc = card(0);
	const char *rd = uk_vcard_reader();
	cJSON *resp;
	long long t0, at;

	start_host(&hp);
	ck_assert_int_gt(uk_vcard_insert(&vc), 0);
	cJSON_Delete(event(&hp, "token.inserted", rd, &at));
	t0 = uk_now_ns();
	ck_assert_int_eq(uk_pcscd_ctl("stop"), 0);
	cJSON_Delete(event(&hp, "token.removed", rd, &at));
	cJSON_Delete(event(&hp, "reader.removed", rd, &at));
	cJSON_Delete(event(&hp, "reader.removed", NULL, &at));
	resp = call(&hp, 2, "reader.list");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(resp,
	    "error"), "name")->valuestring, "PCSC_UNAVAILABLE");
	cJSON_Delete(resp);
	uk_vcard_stop(&vc);	/* vpcd closed its socket anyway */

	ck_assert_int_eq(uk_pcscd_ctl("start"), 0);
	t0 = uk_now_ns();
	/* The back-off retries at most every 5 s. */
	ck_assert_ptr_nonnull(resp = uk_wait_event(&hp, &pending,
	    "reader.added", rd, 7000, &at));
	report_ms("pcscd start->reader.added", t0, at);
	cJSON_Delete(resp);
	resp = call(&hp, 3, "reader.list");
	ck_assert_str_eq(cJSON_GetObjectItem(reader_entry(resp, rd),
	    "state")->valuestring, "empty");
	cJSON_Delete(resp);
	vc = card(0);
	ck_assert_int_gt(uk_vcard_insert(&vc), 0);
	cJSON_Delete(event(&hp, "token.inserted", rd, &at));
	ck_assert_int_eq(uk_hostproc_finish(&hp, 5000), 0);
	uk_vcard_stop(&vc);
}
END_TEST

/* One "host" process: login and n signatures, verified; exit status. */
static int
signer_process(int n)
{
	unsigned char sig[512], d[32];
	CK_ULONG siglen;
	struct p11 p;
	int i;

	if (p11_open(&p) != CKR_OK || p11_login(&p, PIN) != CKR_OK ||
	    p11_find_key(&p) != CKR_OK)
		return 1;
	for (i = 0; i < n; i++) {
		memset(d, getpid() + i, sizeof(d));
		siglen = sizeof(sig);
		if (p11_sign(&p, d, sizeof(d), sig, &siglen) != CKR_OK ||
		    !verify(d, sizeof(d), sig, siglen))
			return 2;
		usleep(10000);
	}
	p11_close(&p);
	return 0;
}

/* Two hosts see the same events; two processes sign interleaved. */
START_TEST(test_two_hosts)
{
	struct uk_hostproc a, b;
	struct uk_vcard vc = card(0);
	cJSON *sa, *sb;
	pid_t pid[2];
	long long at;
	int i, st;

	start_host(&a);
	sa = pending;
	pending = NULL;
	start_host(&b);
	sb = pending;
	ck_assert_int_gt(uk_vcard_insert(&vc), 0);
	pending = sa;
	cJSON_Delete(event(&a, "token.inserted", uk_vcard_reader(), &at));
	sa = pending;
	pending = sb;
	cJSON_Delete(event(&b, "token.inserted", uk_vcard_reader(), &at));
	for (i = 0; i < 2; i++) {
		ck_assert_int_ge(pid[i] = fork(), 0);
		if (pid[i] == 0)
			_exit(signer_process(10));
	}
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(waitpid(pid[i], &st, 0), pid[i]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "signer %d failed: status %d", i, st);
	}
	cJSON_Delete(sa);
	ck_assert_int_eq(uk_hostproc_finish(&a, 5000), 0);
	ck_assert_int_eq(uk_hostproc_finish(&b, 5000), 0);
	uk_vcard_stop(&vc);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("readers");
	TCase *tc = tcase_create("vpcd");
	SRunner *sr;
	int failed;

	if (uk_vcard_dir() == NULL || uk_vcard_port() == 0) {
		fprintf(stderr, "test_readers: run me inside "
		    "tests/vcard/vcard-env.sh with UK_VCARD_DIR set\n");
		return 2;
	}
	tcase_add_test(tc, test_insert_remove_events);
	tcase_add_test(tc, test_login_sign_verify);
	tcase_add_test(tc, test_wrong_pin_retries);
	tcase_add_test(tc, test_removal_mid_signature);
	tcase_add_test(tc, test_pcscd_restart);
	tcase_add_test(tc, test_two_hosts);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
