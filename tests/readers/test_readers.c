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
#include <stdarg.h>
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
#include "json.h"
#include "vcardctl.h"

#define OPENSC		"/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
#define PIN		"12345678"
#define EVENT_MS	3000	/* pcscd polls vpcd every 400 ms */

static cJSON *pending;

/* utime+stime of pid in clock ticks. */
static long long
cpu_ticks(pid_t pid)
{
	char path[64], buf[2048], *p;
	unsigned long long ut, st;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(p = strrchr(buf, ')'));
	ck_assert_int_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
	    "%*u %*u %llu %llu", &ut, &st), 2);
	return (long long)(ut + st);
}

/* The host burns no CPU while nothing changes (a busy loop would use
 * every tick of the interval). */
static void
assert_idle(pid_t pid, unsigned seconds, const char *what)
{
	long long t0 = cpu_ticks(pid), t1;

	sleep(seconds);
	t1 = cpu_ticks(pid);
	fprintf(stderr, "IDLE %s: %lld ticks in %u s\n", what, t1 - t0,
	    seconds);
	ck_assert_msg(t1 - t0 <= 3, "%s: %lld ticks in %u s", what, t1 - t0,
	    seconds);
}

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
	assert_idle(hp.pid, 2, "watching, card out");
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
	ck_assert_int_eq(p11_sign(&p, d, sizeof(d), sig, &siglen), CKR_OK);
	siglen = sizeof(sig);
	s.p = &p;
	ck_assert_int_eq(pthread_create(&th, NULL, sign_loop, &s), 0);
	usleep(300000);
	t0 = uk_vcard_remove(&vc);
	pthread_join(th, NULL);
	fprintf(stderr, "removal mid-signature: %d signatures, then CKR "
	    "0x%lx after %.0f ms\n", s.count, (unsigned long)s.last,
	    (s.ended - t0) / 1e6);
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
	assert_idle(hp.pid, 3, "watching, pcscd down");

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

/* ---- through the host's token methods ------------------------------ */

static const char token_config[] =
    "{\"extensionIds\":{\"chromium\":[\"" UK_TEST_CHROMIUM_ID "\"]},"
    "\"origins\":[{\"origin\":\"" UK_TEST_ORIGIN "\","
    "\"capabilities\":[\"read\",\"sign\"]}],"
    "\"pkcs11\":{\"modules\":[\"" OPENSC "\"]},"
    "\"log\":{\"level\":\"info\",\"destination\":\"stderr\"}}";

static int next_id = 100;

/* Calls method with params (printf-style); returns the response. */
static cJSON *callp(struct uk_hostproc *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static cJSON *
callp(struct uk_hostproc *hp, const char *method, const char *fmt, ...)
{
	char params[2048], req[2400];
	va_list ap;
	int id = next_id++;
	cJSON *resp;

	va_start(ap, fmt);
	vsnprintf(params, sizeof(params), fmt, ap);
	va_end(ap);
	snprintf(req, sizeof(req), "{\"id\":%d,\"method\":\"%s\","
	    "\"params\":%s,\"origin\":\"%s\"}", id, method, params,
	    UK_TEST_ORIGIN);
	ck_assert_int_eq(uk_hostproc_send(hp, req), 0);
	if (pending == NULL)
		pending = cJSON_CreateArray();
	ck_assert_ptr_nonnull(resp = uk_hostproc_response(hp, id, 20000,
	    &pending));
	return resp;
}

static const char *
errname(const cJSON *resp)
{
	const cJSON *e = cJSON_GetObjectItem(resp, "error");

	return e ? cJSON_GetObjectItem(e, "name")->valuestring : "OK";
}

static const cJSON *
result(const cJSON *resp)
{
	const cJSON *r = cJSON_GetObjectItem(resp, "result");

	ck_assert_msg(r != NULL, "error %s", errname(resp));
	return r;
}

/* Starts a watching host that uses OpenSC; waits for the card. */
static void
start_token_host(struct uk_hostproc *hp)
{
	cJSON *resp;

	ck_assert_int_eq(uk_hostproc_start_test(hp, token_config), 0);
	resp = callp(hp, "reader.watch", "{}");
	(void)result(resp);
	cJSON_Delete(resp);
}

/* The handle of the virtual card's token (malloc'd). */
static char *
token_handle(struct uk_hostproc *hp)
{
	const cJSON *t;
	cJSON *resp = callp(hp, "token.list", "{}");
	char *h = NULL;

	cJSON_ArrayForEach(t, cJSON_GetObjectItem(result(resp), "tokens"))
		if (strcmp(cJSON_GetObjectItem(t, "label")->valuestring,
		    "上海测试有限公司") == 0)
			h = strdup(cJSON_GetObjectItem(t,
			    "token")->valuestring);
	cJSON_Delete(resp);
	ck_assert_msg(h != NULL, "virtual card not in token.list");
	return h;
}

/* sign.data through the host, verified; returns the error name. */
static const char *
host_sign(struct uk_hostproc *hp, const char *tok, int n)
{
	static char name[64];
	unsigned char d[24], *sig = NULL;
	char *b64;
	size_t siglen = 0;
	const cJSON *r;
	cJSON *resp;

	memset(d, 'a' + n % 26, sizeof(d));
	b64 = uk_base64_encode(d, sizeof(d));
	resp = callp(hp, "sign.data", "{\"token\":\"%s\",\"data\":\"%s\","
	    "\"hash\":\"sha256\"}", tok, b64);
	free(b64);
	snprintf(name, sizeof(name), "%s", errname(resp));
	if ((r = cJSON_GetObjectItem(resp, "result")) != NULL) {
		ck_assert_int_eq(uk_base64_decode(cJSON_GetObjectItem(r,
		    "signature")->valuestring, 4096, &sig, &siglen), 0);
		ck_assert_msg(verify(d, sizeof(d), sig, siglen),
		    "host signature does not verify");
		free(sig);
	}
	cJSON_Delete(resp);
	return name;
}

static void
host_login(struct uk_hostproc *hp, const char *tok, const char *pin,
    const char *want)
{
	cJSON *resp = callp(hp, "token.login", "{\"token\":\"%s\","
	    "\"pin\":\"%s\"}", tok, pin);

	ck_assert_str_eq(errname(resp), want);
	cJSON_Delete(resp);
}

/* Certificate, login and signature through ukeylink-host and OpenSC. */
START_TEST(test_host_token_sign)
{
	struct uk_hostproc hp;
	struct uk_vcard vc = card(0);
	char path[4096], *tok, *b64;
	unsigned char der[4096];
	const cJSON *c;
	cJSON *resp;
	long long at;
	size_t n;
	FILE *fp;

	start_token_host(&hp);
	ck_assert_int_gt(uk_vcard_insert(&vc), 0);
	cJSON_Delete(event(&hp, "token.inserted", uk_vcard_reader(), &at));
	tok = token_handle(&hp);
	resp = callp(&hp, "cert.list", "{\"token\":\"%s\"}", tok);
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(result(resp), "certs"), 0);
	ck_assert_ptr_nonnull(c);
	snprintf(path, sizeof(path), "%s/cert.der", uk_vcard_dir());
	ck_assert_ptr_nonnull(fp = fopen(path, "rb"));
	n = fread(der, 1, sizeof(der), fp);
	fclose(fp);
	b64 = uk_base64_encode(der, n);
	ck_assert_str_eq(cJSON_GetObjectItem(c, "der")->valuestring, b64);
	free(b64);
	cJSON_Delete(resp);
	ck_assert_str_eq(host_sign(&hp, tok, 0), "NOT_LOGGED_IN");
	host_login(&hp, tok, "87654321", "PIN_INCORRECT");
	host_login(&hp, tok, PIN, "OK");
	ck_assert_str_eq(host_sign(&hp, tok, 1), "OK");
	ck_assert_str_eq(host_sign(&hp, tok, 2), "OK");
	free(tok);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 5000), 0);
	uk_vcard_stop(&vc);
}
END_TEST

/* 63C2, 63C1 (final try), 6983 as the host reports them. */
START_TEST(test_host_pin_retries)
{
	struct uk_hostproc hp;
	struct uk_vcard vc = card(3);
	const cJSON *e;
	cJSON *resp;
	long long at;
	char *tok;

	start_token_host(&hp);
	ck_assert_int_gt(uk_vcard_insert(&vc), 0);
	cJSON_Delete(event(&hp, "token.inserted", uk_vcard_reader(), &at));
	tok = token_handle(&hp);
	host_login(&hp, tok, "00000000", "PIN_INCORRECT");
	resp = callp(&hp, "token.login", "{\"token\":\"%s\",\"pin\":"
	    "\"00000000\"}", tok);
	ck_assert_str_eq(errname(resp), "PIN_INCORRECT");
	e = cJSON_GetObjectItem(resp, "error");
	ck_assert_int_eq(cJSON_GetObjectItem(e, "retriesLeft")->valueint, 1);
	cJSON_Delete(resp);
	host_login(&hp, tok, "00000000", "PIN_LOCKED");
	host_login(&hp, tok, PIN, "PIN_LOCKED");
	free(tok);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 5000), 0);
	uk_vcard_stop(&vc);
}
END_TEST

struct remover {
	struct uk_vcard *vc;
	long long at;
};

static void *
remove_later(void *arg)
{
	struct remover *rm = arg;

	usleep(400000);
	rm->at = uk_vcard_remove(rm->vc);
	return NULL;
}

/* Pulled while the host signs: an error, never a hang; the login is gone
 * after re-insertion and a new login signs again. */
START_TEST(test_host_removal_mid_signature)
{
	struct uk_hostproc hp;
	struct uk_vcard vc = card(0);
	struct remover rm = { &vc, 0 };
	const char *name = "OK";
	long long at;
	pthread_t th;
	char *tok;
	int i, ok = 0;

	start_token_host(&hp);
	ck_assert_int_gt(uk_vcard_insert(&vc), 0);
	cJSON_Delete(event(&hp, "token.inserted", uk_vcard_reader(), &at));
	tok = token_handle(&hp);
	host_login(&hp, tok, PIN, "OK");
	/* The first signature also finds the key: not timed. */
	ck_assert_str_eq(host_sign(&hp, tok, 0), "OK");
	ck_assert_int_eq(pthread_create(&th, NULL, remove_later, &rm), 0);
	for (i = 0; i < 200; i++) {
		name = host_sign(&hp, tok, i);
		if (strcmp(name, "OK") != 0)
			break;
		ok++;
	}
	at = uk_now_ns();
	pthread_join(th, NULL);
	fprintf(stderr, "host removal mid-signature: %d signatures, then "
	    "%s %.0f ms after the pull\n", ok, name, (at - rm.at) / 1e6);
	ck_assert_msg(strcmp(name, "TOKEN_REMOVED") == 0 ||
	    strcmp(name, "READ_KEY_DEVICE") == 0 ||
	    strcmp(name, "TOKEN_NOT_FOUND") == 0, "got %s", name);
	ck_assert_msg(at - rm.at < 5000000000LL, "signing hung");
	cJSON_Delete(event(&hp, "token.removed", uk_vcard_reader(), &at));
	free(tok);

	ck_assert_int_gt(uk_vcard_insert(&vc), 0);
	cJSON_Delete(event(&hp, "token.inserted", uk_vcard_reader(), &at));
	tok = token_handle(&hp);
	ck_assert_str_eq(host_sign(&hp, tok, 0), "NOT_LOGGED_IN");
	host_login(&hp, tok, PIN, "OK");
	ck_assert_str_eq(host_sign(&hp, tok, 1), "OK");
	free(tok);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 5000), 0);
	uk_vcard_stop(&vc);
}
END_TEST

/* Two hosts (two tabs) on one key, signing interleaved. */
START_TEST(test_host_two_signing)
{
	struct uk_hostproc a, b;
	struct uk_vcard vc = card(0);
	char *ta, *tb;
	long long at;
	cJSON *pa, *pb;
	int i;

	start_token_host(&a);
	pa = pending;
	pending = NULL;
	start_token_host(&b);
	pb = pending;
	ck_assert_int_gt(uk_vcard_insert(&vc), 0);
	pending = pa;
	cJSON_Delete(event(&a, "token.inserted", uk_vcard_reader(), &at));
	ta = token_handle(&a);
	host_login(&a, ta, PIN, "OK");
	pa = pending;
	pending = pb;
	cJSON_Delete(event(&b, "token.inserted", uk_vcard_reader(), &at));
	tb = token_handle(&b);
	host_login(&b, tb, PIN, "OK");
	pb = pending;
	for (i = 0; i < 5; i++) {
		pending = pa;
		ck_assert_str_eq(host_sign(&a, ta, i), "OK");
		pa = pending;
		pending = pb;
		ck_assert_str_eq(host_sign(&b, tb, i + 10), "OK");
		pb = pending;
	}
	cJSON_Delete(pa);
	free(ta);
	free(tb);
	ck_assert_int_eq(uk_hostproc_finish(&a, 5000), 0);
	ck_assert_int_eq(uk_hostproc_finish(&b, 5000), 0);
	uk_vcard_stop(&vc);
}
END_TEST

/* pcscd without any reader (UK_VCARD_ENV_NO_READER=1). */
START_TEST(test_no_reader)
{
	struct uk_hostproc hp;
	const cJSON *res;
	cJSON *resp;

	cJSON_Delete(pending);
	pending = NULL;
	ck_assert_int_eq(uk_hostproc_start_test(&hp, NULL), 0);
	resp = call(&hp, 1, "reader.list");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(resp,
	    "error"), "name")->valuestring, "NO_READER");
	cJSON_Delete(resp);
	resp = call(&hp, 2, "reader.devices");
	ck_assert_ptr_nonnull(res = cJSON_GetObjectItem(resp, "result"));
	ck_assert_str_eq(cJSON_GetObjectItem(res,
	    "pluggedTypeList")->valuestring, "");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res,
	    "devices")), 0);
	cJSON_Delete(resp);
	resp = call(&hp, 3, "reader.watch");
	ck_assert_ptr_nonnull(res = cJSON_GetObjectItem(resp, "result"));
	ck_assert_str_eq(cJSON_GetObjectItem(res, "service")->valuestring,
	    "running");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res,
	    "readers")), 0);
	cJSON_Delete(resp);
	assert_idle(hp.pid, 3, "watching, no reader");
	ck_assert_int_eq(uk_hostproc_finish(&hp, 5000), 0);
}
END_TEST

int
main(int argc, char *argv[])
{
	Suite *s = suite_create("readers");
	TCase *tc = tcase_create("vpcd");
	SRunner *sr;
	int failed;

	if (argc == 2 && strcmp(argv[1], "no-reader") == 0) {
		tcase_add_test(tc, test_no_reader);
		goto run;
	}
	if (uk_vcard_dir() == NULL || uk_vcard_port() == 0) {
		fprintf(stderr, "test_readers: run me inside "
		    "tests/vcard/vcard-env.sh with UK_VCARD_DIR set\n");
		return 2;
	}
	tcase_add_test(tc, test_insert_remove_events);
	tcase_add_test(tc, test_login_sign_verify);
	tcase_add_test(tc, test_wrong_pin_retries);
	tcase_add_test(tc, test_removal_mid_signature);
	tcase_add_test(tc, test_two_hosts);
	tcase_add_test(tc, test_host_token_sign);
	tcase_add_test(tc, test_host_pin_retries);
	tcase_add_test(tc, test_host_removal_mid_signature);
	tcase_add_test(tc, test_host_two_signing);
	/* Last: it stops and restarts pcscd, and vpcd's readers take a few
	 * seconds to settle after that. */
	tcase_add_test(tc, test_pcscd_restart);
 run:
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
