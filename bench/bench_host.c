/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Host foundation benchmark (issue 2).  Measures, in one run, the host and
 * its references, and prints ratios:
 *   cold start   spawn → reply to host.version, vs the echo host and vs
 *                fork+exec of /bin/true;
 *   round trip   host.ping over one connection (64 B and 512 KiB), vs the
 *                echo host;
 *   peak RSS     of the host after the round trips.
 * UK_BENCH_HOST=path runs another build of the host (before/after).
 */
#include "uk_setup.h"

#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "benchutil.h"
#include "hostproc.h"

#ifndef UK_ECHO_HOST_PATH
#error "UK_ECHO_HOST_PATH must be set by the build"
#endif

static const char version_req[] = "{\"id\":1,\"method\":\"host.version\","
    "\"params\":{},\"origin\":\"https://issp.sheca.com\"}";

/* The host's configuration (hostproc's default) is written once:
 * uk_hostproc_start_test() writes a file per start, which the cold-start
 * row would time as the host's. */
static char config_env[600];

static int
start(struct uk_hostproc *hp, int echo)
{
	char *const argv[] = { (char *)UK_ECHO_HOST_PATH, NULL };
	/* UK_BENCH_HOST: another build of the host, for before/after. */
	const char *host = getenv("UK_BENCH_HOST") ? getenv("UK_BENCH_HOST") :
	    UK_TEST_HOST_PATH;
	char *const hargv[] = { (char *)host,
	    (char *)"chrome-extension://" UK_TEST_CHROMIUM_ID "/", NULL };
	/* The system file must not leak in (as in the tests). */
	char *const env[] = { config_env,
	    (char *)"XDG_CONFIG_HOME=/nonexistent", NULL };
	char *path;

	if (echo)
		return uk_hostproc_start(hp, UK_ECHO_HOST_PATH, argv, NULL);
	if (config_env[0] == '\0') {
		path = uk_test_write_temp("config.json",
		    uk_hostproc_default_config);
		if (path == NULL)
			return -1;
		snprintf(config_env, sizeof(config_env), "UKEYLINK_CONFIG=%s",
		    path);
		free(path);
	}
	return uk_hostproc_start(hp, host, hargv, env);
}

/* Spawn, one request, reply received.  Returns seconds. */
static double
cold_once(int echo)
{
	struct uk_hostproc hp;
	double t0 = bench_now();
	char *buf = NULL;

	if (start(&hp, echo) != 0 || uk_hostproc_send(&hp, version_req) != 0 ||
	    uk_hostproc_recv(&hp, &buf, 10000) < 0) {
		fprintf(stderr, "cold start failed\n");
		exit(1);
	}
	t0 = bench_now() - t0;
	free(buf);
	(void)uk_hostproc_finish(&hp, 5000);
	return t0;
}

static double
true_once(void)
{
	double t0 = bench_now();
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
	return bench_now() - t0;
}

/* Round trips of one ping with payload bytes; returns seconds each, and the
 * peak RSS (KiB) of the child when rssp != NULL. */
static double
warm(int echo, size_t payload, int count, long *rssp)
{
	struct uk_hostproc hp;
	char *req = malloc(payload + 200), *buf;
	struct rusage ru;
	int status, i;
	double t0;

	snprintf(req, 200, "{\"id\":1,\"method\":\"host.ping\",\"params\":"
	    "{\"data\":\"");
	size_t off = strlen(req);
	memset(req + off, 'x', payload);
	strcpy(req + off + payload, "\"},\"origin\":\"https://issp.sheca."
	    "com\"}");
	if (start(&hp, echo) != 0)
		exit(1);
	/* One warm-up request. */
	if (uk_hostproc_send(&hp, req) != 0 ||
	    uk_hostproc_recv(&hp, &buf, 10000) < 0)
		exit(1);
	free(buf);
	t0 = bench_now();
	for (i = 0; i < count; i++) {
		if (uk_hostproc_send(&hp, req) != 0 ||
		    uk_hostproc_recv(&hp, &buf, 10000) < 0) {
			fprintf(stderr, "round trip failed\n");
			exit(1);
		}
		free(buf);
	}
	t0 = (bench_now() - t0) / count;
	close(hp.to_host);
	wait4(hp.pid, &status, 0, &ru);
	close(hp.from_host);
	if (rssp != NULL)
		*rssp = ru.ru_maxrss;
	free(req);
	return t0;
}

int
main(int argc, char *argv[])
{
	int cold_n = argc > 1 ? atoi(argv[1]) : 200;
	int ping_n = argc > 2 ? atoi(argv[2]) : 10000;
	int big_n = ping_n / 10;
	double *h = calloc((size_t)cold_n, sizeof(double));
	double *e = calloc((size_t)cold_n, sizeof(double));
	double *t = calloc((size_t)cold_n, sizeof(double));
	double hc, ec, tc, hs, es, hb, eb;
	long rss_small = 0, rss_big = 0;
	int i;

	/* Interleaved so that machine noise hits every series alike. */
	for (i = 0; i < cold_n; i++) {
		h[i] = cold_once(0);
		e[i] = cold_once(1);
		t[i] = true_once();
	}
	hc = bench_median(h, cold_n);
	ec = bench_median(e, cold_n);
	tc = bench_median(t, cold_n);
	hs = warm(0, 64, ping_n, &rss_small);
	es = warm(1, 64, ping_n, NULL);
	hb = warm(0, 512 * 1024, big_n, &rss_big);
	eb = warm(1, 512 * 1024, big_n, NULL);

	printf("\nUKeyLink host foundation benchmark (%d cold starts, %d + %d "
	    "round trips)\n\n", cold_n, ping_n, big_n);
	printf("| measure                  | host       | reference  | ratio "
	    "| target |\n");
	printf("|--------------------------|------------|------------|-------"
	    "|--------|\n");
	printf("| cold start vs echo host  | %7.3f ms | %7.3f ms | %5.2f | "
	    "≤ 1.5  |\n", hc * 1e3, ec * 1e3, hc / ec);
	printf("| cold start vs /bin/true  | %7.3f ms | %7.3f ms | %5.2f | "
	    "-      |\n", hc * 1e3, tc * 1e3, hc / tc);
	printf("| ping 64 B round trip     | %7.1f µs | %7.1f µs | %5.2f | "
	    "≤ 1.3  |\n", hs * 1e6, es * 1e6, hs / es);
	printf("| ping 512 KiB round trip  | %7.1f µs | %7.1f µs | %5.2f | "
	    "≤ 1.3  |\n", hb * 1e6, eb * 1e6, hb / eb);
	printf("| peak RSS, 64 B pings     | %6.2f MiB |            |       | "
	    "≤ 8    |\n", rss_small / 1024.0);
	printf("| peak RSS, 512 KiB pings  | %6.2f MiB |            |       | "
	    "≤ 8    |\n", rss_big / 1024.0);
	free(h);
	free(e);
	free(t);
	return 0;
}
