/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Certificate parsing cost: what a SafeEngine page does per certificate
 * (parse, read fields, read registry numbers) against OpenSSL's bare
 * d2i_X509 measured in the same run.  Each path runs interleaved in rounds;
 * the fastest round is reported (the machine is shared).
 *
 *   bench_x509 [N] [cert.der]   (default N = 10000, the seed corpus' BMP /
 *                                OCTET STRING company certificate)
 */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/x509.h>

#include "x509.h"

#define ROUNDS	10

static unsigned char *der;
static size_t derlen;

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void
fail(const char *what)
{
	fprintf(stderr, "bench_x509: %s\n", what);
	exit(1);
}

/* Reference: OpenSSL's decoder alone. */
static void
run_d2i(void)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)derlen);

	if (x == NULL)
		fail("d2i_X509");
	X509_free(x);
}

static void
run_parse(void)
{
	struct uk_x509 *c;

	if (uk_x509_parse(der, derlen, &c) != 0)
		fail("parse");
	uk_x509_free(c);
}

/* A typical login page: O, CN, organisation code, days left. */
static void
run_page(void)
{
	struct uk_x509 *c;
	char *v;
	int64_t days;

	if (uk_x509_parse(der, derlen, &c) != 0)
		fail("parse");
	if (uk_x509_detail(c, 14, &v) != 0)
		fail("detail 14");
	free(v);
	if (uk_x509_detail(c, 17, &v) != 0)
		fail("detail 17");
	free(v);
	if (uk_x509_info_by_oid(c, "1.2.156.10260.4.1.4", &v) != 0)
		fail("info_by_oid");
	free(v);
	if (uk_x509_valid_days(c, time(NULL), &days) != 0)
		fail("valid_days");
	uk_x509_free(c);
}

/* Every SEH_GetCertDetail item. */
static void
run_all_details(void)
{
	struct uk_x509 *c;
	char *v;
	int i;

	if (uk_x509_parse(der, derlen, &c) != 0)
		fail("parse");
	for (i = 1; i <= uk_x509_detail_max(); i++) {
		if (uk_x509_detail(c, i, &v) != 0)
			fail("detail");
		free(v);
	}
	uk_x509_free(c);
}

/* A cert.list entry, serialized. */
static void
run_json(void)
{
	struct uk_x509 *c;
	cJSON *o;
	char *text;

	if (uk_x509_parse(der, derlen, &c) != 0)
		fail("parse");
	if ((o = cJSON_CreateObject()) == NULL ||
	    uk_x509_to_json(c, NULL, time(NULL), o) != 0 ||
	    (text = cJSON_PrintUnformatted(o)) == NULL)
		fail("to_json");
	free(text);
	cJSON_Delete(o);
	uk_x509_free(c);
}

static const struct {
	const char *name;
	void (*fn)(void);
} paths[] = {
	{ "d2i_X509 alone (reference)", run_d2i },
	{ "uk_x509_parse (size caps, exact DER, copy)", run_parse },
	{ "page: parse + detail 14, 17 + infoByOid + validDays", run_page },
	{ "parse + all 27 detail items", run_all_details },
	{ "parse + cert.list fields + JSON text", run_json },
};

static unsigned char *
slurp(const char *path, size_t *lenp)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	if (n <= 0 || (buf = malloc((size_t)n)) == NULL ||
	    fread(buf, 1, (size_t)n, fp) != (size_t)n)
		fail("read");
	fclose(fp);
	*lenp = (size_t)n;
	return buf;
}

int
main(int argc, char **argv)
{
	double best[UK_ARRAY_LEN(paths)], t0, t;
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
	const char *file = argc > 2 ? argv[2] : UK_BENCH_CERT;
	size_t i;
	long k;
	int round;

	if (n < ROUNDS || (der = slurp(file, &derlen)) == NULL)
		fail("usage: bench_x509 [N >= 10] [cert.der]");
	for (i = 0; i < UK_ARRAY_LEN(paths); i++) {
		paths[i].fn();	/* warm up */
		best[i] = 1e300;
	}
	for (round = 0; round < ROUNDS; round++)
		for (i = 0; i < UK_ARRAY_LEN(paths); i++) {
			t0 = now_us();
			for (k = 0; k < n / ROUNDS; k++)
				paths[i].fn();
			t = (now_us() - t0) / (double)(n / ROUNDS);
			if (t < best[i])
				best[i] = t;
		}
	printf("certificate: %s (%zu bytes), %ld per path, fastest of %d "
	    "rounds\n\n", file, derlen, n, ROUNDS);
	printf("| path | us/cert | ratio to d2i_X509 |\n|---|---:|---:|\n");
	for (i = 0; i < UK_ARRAY_LEN(paths); i++)
		printf("| %s | %.2f | %.2fx |\n", paths[i].name, best[i],
		    best[i] / best[0]);
	free(der);
	return 0;
}
