/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Token signing benchmark (issue 9), on one SoftHSM2 token, all measured
 * in the same run:
 *   warm         sign.data through the host (one connection, N requests)
 *                vs an in-process loop doing the same work: SHA-256, then
 *                C_SignInit + C_Sign (CKM_RSA_PKCS over a DigestInfo for
 *                RSA-2048, CKM_ECDSA for P-256).  The client spins while
 *                it waits, as the in-process loop never sleeps;
 *   warm, asleep the same with a client that sleeps in poll() as a
 *                browser does, vs a bare C signer process doing the
 *                in-process work behind a pipe (one byte in, the signature
 *                out): on a virtual machine a vCPU that went idle during a
 *                0.6 ms RSA signature takes tens of microseconds to wake,
 *                and that cost belongs to the wait, not to the host;
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
#include <poll.h>
#include <stdint.h>
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

/* The same work the host does per request, minus the host; returns the
 * signature's length. */
static size_t
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
	return siglen;
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

/* --- bare C signer behind a pipe (reference for a sleeping client) -- */

struct pipe_signer {
	pid_t pid;
	int to, from;
};

/* The child: one byte in ('r' RSA, 'e' P-256), the signature length out. */
static void
pipe_signer_main(int in, int out)
{
	unsigned char cmd;
	uint32_t len = 0;
	struct ref r;

	ref_open(&r);
	while (read(in, &cmd, 1) == 1) {
		len = (uint32_t)ref_sign(&r, cmd == 'r');
		if (write(out, &len, sizeof(len)) != sizeof(len))
			break;
	}
	ref_close(&r);
	_exit(0);
}

static void
pipe_signer_start(struct pipe_signer *ps)
{
	int a[2], b[2];

	if (pipe(a) != 0 || pipe(b) != 0 || (ps->pid = fork()) < 0)
		die("pipe signer");
	if (ps->pid == 0) {
		close(a[1]);
		close(b[0]);
		pipe_signer_main(a[0], b[1]);
	}
	close(a[0]);
	close(b[1]);
	ps->to = a[1];
	ps->from = b[0];
}

static void
pipe_signer_stop(struct pipe_signer *ps)
{
	close(ps->to);
	close(ps->from);
	waitpid(ps->pid, NULL, 0);
}

static void
pipe_sign(struct pipe_signer *ps, int rsa)
{
	struct pollfd pfd = { .fd = ps->from, .events = POLLIN };
	unsigned char cmd = rsa ? 'r' : 'e';
	uint32_t len;

	if (write(ps->to, &cmd, 1) != 1 || poll(&pfd, 1, 10000) != 1 ||
	    read(ps->from, &len, sizeof(len)) != sizeof(len) || len == 0)
		die("pipe signer");
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
host_sign(struct uk_hostproc *hp, int rsa)
{
	const char *id = rsa ? "01" : "02";
	char params[256];

	snprintf(params, sizeof(params), "{\"token\":\"%s\",\"certId\":\"%s\","
	    "\"data\":\"%s\",\"hash\":\"sha256\"}", tok, id, data_b64);
	cJSON_Delete(call(hp, "sign.data", params));
}

static double
host_first(void)
{
	struct uk_hostproc hp;
	double t0 = bench_now();

	host_start(&hp);
	host_sign(&hp, 1);
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

/* Mean time of one op(target, rsa) over n, after one untimed. */
static double
per_op(void (*op)(void *, int), void *target, int rsa, int n)
{
	double t0;
	int i;

	op(target, rsa);
	t0 = bench_now();
	for (i = 0; i < n; i++)
		op(target, rsa);
	return (bench_now() - t0) / n;
}

static void
op_ref(void *r, int rsa)
{
	(void)ref_sign(r, rsa);
}

static void
op_host(void *hp, int rsa)
{
	host_sign(hp, rsa);
}

static void
op_pipe(void *ps, int rsa)
{
	pipe_sign(ps, rsa);
}

#define BLOCKS	10

/* Medians of per-block times: [0] RSA, [1] P-256. */
struct warm {
	double ref[2];		/* in-process loop */
	double spin[2];		/* host, client spinning */
	double asleep[2];	/* host, client sleeping in poll() */
	double pipe[2];		/* bare signer process, client sleeping */
};

/*
 * Blocks of every series alternate, and the medians of the per-block times
 * are compared: a busy machine slows all of them alike.
 */
static void
warm_runs(struct ref *r, struct uk_hostproc *hp, struct pipe_signer *ps,
    int n, struct warm *w)
{
	double t[4][2][BLOCKS];
	int b, k, per = n / BLOCKS > 0 ? n / BLOCKS : 1;

	for (b = 0; b < BLOCKS; b++)
		for (k = 0; k < 2; k++) {
			int rsa = k == 0;

			t[0][k][b] = per_op(op_ref, r, rsa, per);
			hp->spin = 1;
			t[1][k][b] = per_op(op_host, hp, rsa, per);
			hp->spin = 0;
			t[2][k][b] = per_op(op_host, hp, rsa, per);
			t[3][k][b] = per_op(op_pipe, ps, rsa, per);
		}
	for (k = 0; k < 2; k++) {
		w->ref[k] = bench_median(t[0][k], BLOCKS);
		w->spin[k] = bench_median(t[1][k], BLOCKS);
		w->asleep[k] = bench_median(t[2][k], BLOCKS);
		w->pipe[k] = bench_median(t[3][k], BLOCKS);
	}
}

int
main(int argc, char *argv[])
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	int cold = argc > 2 ? atoi(argv[2]) : 20;
	struct uk_softhsm fx;
	struct uk_hostproc hp;
	struct pipe_signer ps;
	struct ref r;
	struct rusage ru;
	struct warm w;
	double *hf, *pt, *st, first, tool, setup;
	char path[200];
	int i, k, status;
	static const char *const key_name[2] = { "RSA-2048", "P-256" };
	char label[64];
	static const char *const target[2] = { "≤ 1.15", "≤ 1.6 " };

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

	/* Forked before this process initialises the module again: a
	 * child must not inherit an initialised PKCS#11 library. */
	pipe_signer_start(&ps);
	ref_open(&r);
	host_start(&hp);
	warm_runs(&r, &hp, &ps, n, &w);
	ref_close(&r);
	pipe_signer_stop(&ps);
	close(hp.to_host);
	wait4(hp.pid, &status, 0, &ru);
	close(hp.from_host);

	printf("\nUKeyLink token signing benchmark (SoftHSM2; %d requests, "
	    "%d cold runs)\n\n", n, cold);
	printf("| measure                                  | host       | "
	    "reference  | ratio | target |\n");
	printf("|------------------------------------------|------------|"
	    "------------|-------|--------|\n");
	for (k = 0; k < 2; k++) {
		snprintf(label, sizeof(label), "%s sign.data warm vs in-process",
		    key_name[k]);
		printf("| %-40s | %7.3f ms | %7.3f ms | %5.2f | %s |\n", label,
		    w.spin[k] * 1e3, w.ref[k] * 1e3, w.spin[k] / w.ref[k],
		    target[k]);
	}
	for (k = 0; k < 2; k++) {
		snprintf(label, sizeof(label), "%s warm, client asleep, vs C "
		    "signer", key_name[k]);
		printf("| %-40s | %7.3f ms | %7.3f ms | %5.2f |        |\n",
		    label, w.asleep[k] * 1e3, w.pipe[k] * 1e3,
		    w.asleep[k] / w.pipe[k]);
	}
	printf("| first signature vs pkcs11-tool           | %7.2f ms | "
	    "%7.2f ms | %5.2f | ≤ 0.9  |\n", first * 1e3, tool * 1e3,
	    first / tool);
	printf("| in-process setup (reference only)        |            | "
	    "%7.2f ms |       |        |\n", setup * 1e3);
	printf("| host peak RSS, module loaded             | %6.2f MiB |     "
	    "       |       | ≤ 10   |\n", ru.ru_maxrss / 1024.0);
	printf("\nWarm rows: a client that spins while it waits (the "
	    "in-process loop never sleeps).\n'Client asleep' rows: the "
	    "client sleeps in poll() as a browser does; the reference is a\n"
	    "bare C process doing the in-process work behind a pipe, so both "
	    "pay the same wake-ups.\nIn-process vs asleep C signer: RSA "
	    "%.2fx, P-256 %.2fx (the cost of waking a sleeping client).\n",
	    w.pipe[0] / w.ref[0], w.pipe[1] / w.ref[1]);
	free(hf);
	free(pt);
	free(st);
	uk_softhsm_destroy(&fx);
	return 0;
}
