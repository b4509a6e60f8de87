/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Token signing benchmark (issue 9), on one SoftHSM2 token, all measured
 * in the same run:
 *   warm         sign.data through the host (one connection, N requests)
 *                vs an in-process loop doing the same work: SHA-256, then
 *                C_SignInit + C_Sign (CKM_RSA_PKCS over a DigestInfo for
 *                RSA-2048, CKM_ECDSA for P-256);
 *   first        spawn a fresh host + token.list + token.login + sign.data
 *                vs `pkcs11-tool --sign` as a whole process;
 *   setup        in-process C_Initialize + open + login + find (reference);
 *   peak RSS     of the host with the module loaded, after the warm runs.
 * Usage: bench_sign [requests=1000] [cold runs=20]
 */
#include "uk_setup.h"

#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <p11-kit/pkcs11.h>

#include "benchutil.h"
#include "hostproc.h"
#include "sign.h"
#include "softhsm.h"

static const char data_b64[] = "VUtleUxpbmsgYmVuY2htYXJrIGRhdGEgMTIzNDU2";
static const char data[] = "UKeyLink benchmark data 123456";

static void
die(const char *what)
{
	fprintf(stderr, "bench_sign: %s\n", what);
	exit(1);
}

/* --- in-process reference ------------------------------------------ */

struct ref {
	void *dl;
	CK_FUNCTION_LIST_PTR fn;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE rsa, ec;
};

static CK_OBJECT_HANDLE
find_key(struct ref *r, unsigned char id)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof(cls) },
	    { CKA_ID, &id, 1 } };
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	CK_ULONG n = 0;

	if (r->fn->C_FindObjectsInit(r->s, t, 2) != CKR_OK ||
	    r->fn->C_FindObjects(r->s, &h, 1, &n) != CKR_OK ||
	    r->fn->C_FindObjectsFinal(r->s) != CKR_OK || n != 1)
		die("C_FindObjects");
	return h;
}

static void
ref_open(struct ref *r)
{
	CK_C_GetFunctionList getfl;
	CK_SLOT_ID slots[8];
	CK_ULONG n = 8;
	CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };

	if ((r->dl = dlopen(UK_SOFTHSM_MODULE, RTLD_NOW)) == NULL)
		die("dlopen");
	*(void **)&getfl = dlsym(r->dl, "C_GetFunctionList");
	if (getfl(&r->fn) != CKR_OK || r->fn->C_Initialize(&args) != CKR_OK ||
	    r->fn->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK || n < 1 ||
	    r->fn->C_OpenSession(slots[0], CKF_SERIAL_SESSION, NULL, NULL,
	    &r->s) != CKR_OK ||
	    r->fn->C_Login(r->s, CKU_USER, (CK_UTF8CHAR_PTR)UK_SOFTHSM_PIN,
	    strlen(UK_SOFTHSM_PIN)) != CKR_OK)
		die("in-process setup");
	r->rsa = find_key(r, 0x01);
	r->ec = find_key(r, 0x02);
}

static void
ref_close(struct ref *r)
{
	r->fn->C_Logout(r->s);
	r->fn->C_CloseSession(r->s);
	r->fn->C_Finalize(NULL);
	dlclose(r->dl);
}

/* The same work the host does per request, minus the host. */
static void
ref_sign(struct ref *r, int rsa)
{
	unsigned char md[64], *di = NULL, sig[512];
	size_t mdlen, dilen;
	CK_ULONG siglen = sizeof(sig);
	CK_MECHANISM m = { rsa ? CKM_RSA_PKCS : CKM_ECDSA, NULL, 0 };

	if (uk_digest(UK_HASH_SHA256, (const unsigned char *)data,
	    strlen(data), md, &mdlen) != 0)
		die("digest");
	if (rsa && uk_digest_info(UK_HASH_SHA256, md, mdlen, &di, &dilen) != 0)
		die("digestinfo");
	if (r->fn->C_SignInit(r->s, &m, rsa ? r->rsa : r->ec) != CKR_OK ||
	    r->fn->C_Sign(r->s, rsa ? di : md, rsa ? dilen : mdlen, sig,
	    &siglen) != CKR_OK)
		die("C_Sign");
	free(di);
}

static double
ref_loop(struct ref *r, int rsa, int n)
{
	double t0;
	int i;

	ref_sign(r, rsa);
	t0 = bench_now();
	for (i = 0; i < n; i++)
		ref_sign(r, rsa);
	return (bench_now() - t0) / n;
}

static double
ref_setup_time(void)
{
	struct ref r;
	double t0 = bench_now();

	ref_open(&r);
	t0 = bench_now() - t0;
	ref_close(&r);
	return t0;
}

/* --- through the host ---------------------------------------------- */

static char tok[128];
static int64_t next_id = 1;

static cJSON *
call(struct uk_hostproc *hp, const char *method, const char *params)
{
	cJSON *resp = uk_hostproc_call(hp, next_id++, method, params,
	    UK_TEST_ORIGIN);

	if (resp == NULL || cJSON_GetObjectItem(resp, "result") == NULL)
		die(method);
	return resp;
}

static void
host_start(struct uk_hostproc *hp)
{
	char *cfg = uk_softhsm_config(NULL, NULL), params[256];
	cJSON *resp, *t;

	if (cfg == NULL || uk_hostproc_start_test(hp, cfg) != 0)
		die("start host");
	free(cfg);
	resp = call(hp, "token.list", "{}");
	t = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(resp,
	    "result"), "tokens"), 0);
	if (t == NULL)
		die("no token");
	snprintf(tok, sizeof(tok), "%s",
	    cJSON_GetObjectItem(t, "token")->valuestring);
	cJSON_Delete(resp);
	snprintf(params, sizeof(params), "{\"token\":\"%s\",\"pin\":\""
	    UK_SOFTHSM_PIN "\"}", tok);
	cJSON_Delete(call(hp, "token.login", params));
}

static void
host_sign(struct uk_hostproc *hp, const char *id)
{
	char params[256];

	snprintf(params, sizeof(params), "{\"token\":\"%s\",\"certId\":\"%s\","
	    "\"data\":\"%s\",\"hash\":\"sha256\"}", tok, id, data_b64);
	cJSON_Delete(call(hp, "sign.data", params));
}

static double
host_loop(struct uk_hostproc *hp, const char *id, int n)
{
	double t0;
	int i;

	host_sign(hp, id);
	t0 = bench_now();
	for (i = 0; i < n; i++)
		host_sign(hp, id);
	return (bench_now() - t0) / n;
}

static double
host_first(void)
{
	struct uk_hostproc hp;
	double t0 = bench_now();

	host_start(&hp);
	host_sign(&hp, "01");
	t0 = bench_now() - t0;
	if (uk_hostproc_finish(&hp, 5000) != 0)
		die("host exit");
	return t0;
}

static double
pkcs11_tool_once(const char *dir)
{
	double t0 = bench_now();

	if (uk_test_sh("pkcs11-tool --module %s --token-label '%s' --login "
	    "--pin %s --sign --id 01 -m SHA256-RSA-PKCS -i %s/data -o "
	    "%s/sig", UK_SOFTHSM_MODULE, UK_SOFTHSM_LABEL, UK_SOFTHSM_PIN, dir,
	    dir) != 0)
		die("pkcs11-tool --sign");
	return bench_now() - t0;
}

#define BLOCKS	10

static void
warm_pair(struct ref *r, struct uk_hostproc *hp, int n, double *ref_rsap,
    double *h_rsap, double *ref_ecp, double *h_ecp)
{
	double rr[BLOCKS], hr[BLOCKS], re[BLOCKS], he[BLOCKS];
	int b, per = n / BLOCKS > 0 ? n / BLOCKS : 1;

	for (b = 0; b < BLOCKS; b++) {
		rr[b] = ref_loop(r, 1, per);
		hr[b] = host_loop(hp, "01", per);
		re[b] = ref_loop(r, 0, per);
		he[b] = host_loop(hp, "02", per);
	}
	*ref_rsap = bench_median(rr, BLOCKS);
	*h_rsap = bench_median(hr, BLOCKS);
	*ref_ecp = bench_median(re, BLOCKS);
	*h_ecp = bench_median(he, BLOCKS);
}

int
main(int argc, char *argv[])
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	int cold = argc > 2 ? atoi(argv[2]) : 20;
	struct uk_softhsm fx;
	struct uk_hostproc hp;
	struct ref r;
	struct rusage ru;
	double *hf, *pt, *st, ref_rsa, ref_ec, h_rsa, h_ec, first, tool, setup;
	char path[200];
	int i, status;

	if (n < 1 || cold < 1)
		die("usage: bench_sign [requests] [cold runs]");
	if (uk_softhsm_create(&fx) != 0)
		die("SoftHSM token");
	snprintf(path, sizeof(path), "%s/data", fx.dir);
	if (uk_test_write_file(path, data, strlen(data)) != 0)
		die("data file");
	hf = calloc((size_t)cold, sizeof(double));
	pt = calloc((size_t)cold, sizeof(double));
	st = calloc((size_t)cold, sizeof(double));
	/* Interleaved so machine noise hits every series alike. */
	for (i = 0; i < cold; i++) {
		hf[i] = host_first();
		pt[i] = pkcs11_tool_once(fx.dir);
		st[i] = ref_setup_time();
	}
	first = bench_median(hf, cold);
	tool = bench_median(pt, cold);
	setup = bench_median(st, cold);

	ref_open(&r);
	host_start(&hp);
	/* Blocks of the host and the reference alternate, and the medians
	 * of the per-block times are compared: a busy machine slows both. */
	warm_pair(&r, &hp, n, &ref_rsa, &h_rsa, &ref_ec, &h_ec);
	ref_close(&r);
	close(hp.to_host);
	wait4(hp.pid, &status, 0, &ru);
	close(hp.from_host);

	printf("\nUKeyLink token signing benchmark (SoftHSM2; %d requests, "
	    "%d cold runs)\n\n", n, cold);
	printf("| measure                      | host       | reference  | "
	    "ratio | target |\n");
	printf("|------------------------------|------------|------------|"
	    "-------|--------|\n");
	printf("| RSA-2048 sign.data, warm     | %7.3f ms | %7.3f ms | %5.2f "
	    "| ≤ 1.15 |\n", h_rsa * 1e3, ref_rsa * 1e3, h_rsa / ref_rsa);
	printf("| P-256 sign.data, warm        | %7.3f ms | %7.3f ms | %5.2f "
	    "| ≤ 1.6  |\n", h_ec * 1e3, ref_ec * 1e3, h_ec / ref_ec);
	printf("| first sig. vs pkcs11-tool   | %7.2f ms | %7.2f ms | "
	    "%5.2f | ≤ 0.9  |\n", first * 1e3, tool * 1e3, first / tool);
	printf("| in-process setup (ref only)  |            | %7.2f ms |     "
	    "  |        |\n", setup * 1e3);
	printf("| host peak RSS, module loaded | %6.2f MiB |            |     "
	    "  | ≤ 10   |\n", ru.ru_maxrss / 1024.0);
	free(hf);
	free(pt);
	free(st);
	uk_softhsm_destroy(&fx);
	return 0;
}
