/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Event latency and idle CPU of a watching ukeylink-host, on a real pcscd
 * with the vpcd driver and the virtual card (run by bench/events.sh inside
 * tests/vcard/vcard-env.sh).
 *
 * Latency: from the card's TCP connect / close (the moment a key is
 * plugged / pulled) to the token.inserted / token.removed event read from
 * the host's stdout; median over N cycles.  Reference in the same run: a
 * bare SCardGetStatusChange loop in this process seeing the same change
 * (what any PC/SC client gets; pcscd polls vpcd every 400 ms).
 *
 * Idle CPU: utime+stime of the watching host from /proc/PID/stat over S
 * seconds with nothing happening; reference: pcscd over the same window.
 */
#include "uk_setup.h"

#include <sys/types.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <winscard.h>
#include <cjson/cJSON.h>

#include "benchutil.h"
#include "hostproc.h"
#include "vcardctl.h"

#define MAX_CYCLES	500

static const char bench_config[] =
    "{\"extensionIds\":{\"chromium\":[\"" UK_TEST_CHROMIUM_ID "\"]},"
    "\"origins\":[{\"origin\":\"https://issp.sheca.com\","
    "\"capabilities\":[\"read\",\"sign\"]}],"
    "\"log\":{\"level\":\"warn\",\"destination\":\"stderr\"}}";

/* The reference client: records when it sees presence change. */
static struct {
	pthread_mutex_t mu;
	long long seen[2];	/* [0] removal, [1] insertion: last time */
	int stop;
	SCARDCONTEXT h;
} ref = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void *
ref_main(void *arg)
{
	SCARD_READERSTATE st;
	const char *reader = arg;
	LONG rv;

	memset(&st, 0, sizeof(st));
	st.szReader = reader;
	st.dwCurrentState = SCARD_STATE_UNAWARE;
	for (;;) {
		rv = SCardGetStatusChange(ref.h, INFINITE, &st, 1);
		if (rv != SCARD_S_SUCCESS || ref.stop)
			break;
		if ((st.dwEventState ^ st.dwCurrentState) &
		    SCARD_STATE_PRESENT) {
			pthread_mutex_lock(&ref.mu);
			ref.seen[(st.dwEventState & SCARD_STATE_PRESENT) !=
			    0] = uk_now_ns();
			pthread_mutex_unlock(&ref.mu);
		}
		st.dwCurrentState = st.dwEventState & ~SCARD_STATE_CHANGED;
	}
	return NULL;
}

static long long
ref_seen(int inserted, long long after, int timeout_ms)
{
	long long t, until = uk_now_ns() + timeout_ms * 1000000LL;

	for (;;) {
		pthread_mutex_lock(&ref.mu);
		t = ref.seen[inserted];
		pthread_mutex_unlock(&ref.mu);
		if (t >= after || uk_now_ns() > until)
			return t >= after ? t : -1;
		usleep(1000);
	}
}

static double
pct(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
	return v[(int)(p * (n - 1) + 0.5)];
}

/* utime+stime of pid in clock ticks, or -1. */
static long long
cpu_ticks(pid_t pid)
{
	char path[64], buf[2048], *p;
	unsigned long long ut, st;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* Fields after the ")" that ends the command name: state is field
	 * 3, utime 14, stime 15. */
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 2,
	    "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
	    &st) != 2)
		return -1;
	return (long long)(ut + st);
}

static pid_t
pcscd_pid(void)
{
	FILE *fp = fopen("/run/pcscd/pcscd.pid", "r");
	int pid = -1;

	if (fp != NULL) {
		if (fscanf(fp, "%d", &pid) != 1)
			pid = -1;
		fclose(fp);
	}
	return (pid_t)pid;
}

int
main(int argc, char *argv[])
{
	static double lat[2][MAX_CYCLES], reflat[2][MAX_CYCLES];
	int cycles = argc > 1 ? atoi(argv[1]) : 50;
	int idle_s = argc > 2 ? atoi(argv[2]) : 60;
	const char *rd = uk_vcard_reader();
	struct uk_hostproc hp;
	struct uk_vcard vc;
	cJSON *resp, *ev, *pending = NULL;
	long long t0, at, rt, c0, c1, p0, p1;
	pthread_t th;
	pid_t pp;
	int i, k, n[2] = { 0, 0 }, miss = 0, miss_host = 0;
	long hz = sysconf(_SC_CLK_TCK);
	double d;

	if (uk_vcard_dir() == NULL || rd == NULL || cycles < 1 ||
	    cycles > MAX_CYCLES || idle_s < 1) {
		fprintf(stderr, "usage (inside vcard-env.sh, UK_VCARD_DIR "
		    "set): bench_events [cycles] [idle-seconds]\n");
		return 2;
	}
	srand((unsigned)getpid());
	if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ref.h) !=
	    SCARD_S_SUCCESS || pthread_create(&th, NULL, ref_main,
	    (void *)rd) != 0)
		return 1;
	if (uk_hostproc_start_test(&hp, bench_config) != 0)
		return 1;
	resp = uk_hostproc_call(&hp, 1, "reader.watch", "{}",
	    UK_TEST_ORIGIN);
	if (cJSON_GetObjectItem(resp, "result") == NULL)
		return 1;
	cJSON_Delete(resp);
	if (uk_vcard_start(&vc, uk_vcard_dir(), uk_vcard_port(), 0) != 0)
		return 1;
	for (i = 0; i < cycles; i++)
		for (k = 1; k >= 0; k--) {
			/* pcscd polls vpcd every 400 ms: do not phase-lock
			 * to it. */
			usleep((useconds_t)(rand() % 400000));
			t0 = k ? uk_vcard_insert(&vc) : uk_vcard_remove(&vc);
			ev = uk_wait_event(&hp, &pending, k ? "token.inserted" :
			    "token.removed", rd, 3000, &at);
			rt = ref_seen(k, t0, 3000);
			if (t0 < 0 || ev == NULL || at == 0 || rt < 0) {
				/* Whose miss: the host's is one the bare
				 * reference watcher saw; otherwise pcscd, vpcd
				 * or the virtual card lost it. */
				miss++;
				miss_host += t0 >= 0 && rt >= 0 &&
				    (ev == NULL || at == 0);
				cJSON_Delete(ev);
				continue;
			}
			cJSON_Delete(ev);
			lat[k][n[k]] = (at - t0) / 1e6;
			reflat[k][n[k]++] = (rt - t0) / 1e6;
		}
	/* Card in, nothing happening: idle CPU of the watching host. */
	(void)uk_vcard_insert(&vc);
	ev = uk_wait_event(&hp, &pending, "token.inserted", rd, 3000, &at);
	cJSON_Delete(ev);
	sleep(1);
	pp = pcscd_pid();
	c0 = cpu_ticks(hp.pid);
	p0 = cpu_ticks(pp);
	t0 = uk_now_ns();
	sleep((unsigned)idle_s);
	c1 = cpu_ticks(hp.pid);
	p1 = cpu_ticks(pp);
	d = (uk_now_ns() - t0) / 1e9;

	printf("\n| measurement (%d cycles, vpcd) | host | reference: bare "
	    "SCardGetStatusChange | ratio |\n|---|---|---|---|\n", cycles);
	for (k = 1; k >= 0; k--) {
		double m = bench_median(lat[k], n[k]), r = bench_median(reflat[k], n[k]);

		printf("| %s → %s, median | %.1f ms | %.1f ms | %.2f |\n",
		    k ? "connect" : "disconnect", k ? "token.inserted" :
		    "token.removed", m, r, r > 0 ? m / r : 0);
		printf("| %s → %s, p90 / max | %.1f / %.1f ms | %.1f / %.1f "
		    "ms | |\n", k ? "connect" : "disconnect", k ?
		    "token.inserted" : "token.removed", pct(lat[k], n[k], .9),
		    lat[k][n[k] - 1], pct(reflat[k], n[k], .9),
		    reflat[k][n[k] - 1]);
	}
	printf("| missed events (host: one the reference saw) | %d | %d "
	    "(not seen by the reference either) | |\n", miss_host,
	    miss - miss_host);
	printf("| idle CPU over %.0f s (watching, card in) | %.3f %% "
	    "(%lld ticks) | pcscd: %.3f %% (%lld ticks) | |\n", d,
	    100.0 * (double)(c1 - c0) / (double)hz / d, c1 - c0,
	    p0 >= 0 ? 100.0 * (double)(p1 - p0) / (double)hz / d : -1.0,
	    p1 - p0);
	ref.stop = 1;
	(void)SCardCancel(ref.h);
	pthread_join(th, NULL);
	(void)SCardReleaseContext(ref.h);
	uk_vcard_stop(&vc);
	cJSON_Delete(pending);
	/* Fails on the host's misses only: the others are the test
	 * reader's, and the table shows them. */
	return uk_hostproc_finish(&hp, 5000) == 0 && miss_host == 0 ? 0 : 1;
}
