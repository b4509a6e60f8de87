/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Fixtures of the enroll tests: the shared test PKI (tests/pki/make-pki.sh)
 * and SoftHSM2 tokens made by tests/support/enroll-token.sh, built once per
 * test process (uk_ef_global_setup, as an unchecked fixture) and copied for
 * every test; direct PKCS#11 access to such a token for the tests that
 * drive the enroll core without a host, and checks of what a token holds.
 */
#ifndef UK_ENROLL_FIXTURE_H
#define UK_ENROLL_FIXTURE_H

#include <stddef.h>

#include "enroll_p11.h"

#define UK_EF_PIN	"12345678"
#define UK_EF_SO_PIN	"87654321"
#define UK_EF_LABEL	"UKeyLink Enroll"
#define UK_EF_MODULE	"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"

/* Builds the PKI and the two token templates; aborts the test run on
 * failure.  Idempotent. */
void uk_ef_global_setup(void);
/* Removes what uk_ef_global_setup made. */
void uk_ef_global_teardown(void);
/* The PKI directory. */
const char *uk_ef_pki(void);
/* A fresh copy of a template token (part: the "change" token with id 02
 * and fewer numbers; else id 01 with all numbers).  Sets SOFTHSM2_CONF in
 * this process; returns the token's directory (static buffer). */
const char *uk_ef_token(int part);

/* Loads SoftHSM, logs in to the fixture token; 0 or -1. */
int uk_ef_open(struct uk_p11 *p);
/* Logs out and finalises. */
void uk_ef_close(struct uk_p11 *p);

/*
 * Checks every certificate on the token: its private key (same CKA_ID)
 * must exist and a signature made with it on the token must verify with
 * the certificate's public key (OpenSSL).  *usablep: number of such
 * pairs; *badp: certificates without a working key.  0 or -1.
 */
int uk_ef_check_pairs(const struct uk_p11 *p, int *usablep, int *badp);
/* Number of objects of class cls with CKA_ID given as hex. */
int uk_ef_count(const struct uk_p11 *p, unsigned long cls, const char *idhex);

/* Reads a whole file (malloc'd); NULL on error. */
unsigned char *uk_ef_read_file(const char *path, size_t *lenp);

#endif /* UK_ENROLL_FIXTURE_H */
