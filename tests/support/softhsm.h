/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * SoftHSM2 test token (tests/support/softhsm-token.sh) in a fresh temp
 * directory, and helpers to check the host's output with the openssl
 * command.  The token: label "UKeyLink Test", PINs below; objects id 01
 * (RSA-2048 + certificate, Chinese subject, GM/T 0015 extensions), id 02
 * (EC P-256 + certificate), id 0a (CA certificate, no key).  PEM/DER files
 * of every key and certificate are in <dir>/pki.
 */
#ifndef UK_SOFTHSM_H
#define UK_SOFTHSM_H

#include <stddef.h>

#define UK_SOFTHSM_PIN		"12345678"
#define UK_SOFTHSM_SO_PIN	"87654321"
#define UK_SOFTHSM_LABEL	"UKeyLink Test"
#define UK_SOFTHSM_MODULE \
	"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"

struct uk_softhsm {
	char dir[64];		/* temp dir (removed by destroy) */
	char pki[96];		/* dir/pki */
	char conf[96];		/* SOFTHSM2_CONF */
};

/* Creates the token and sets SOFTHSM2_CONF in this process (children
 * inherit it).  Returns 0 or -1. */
int uk_softhsm_create(struct uk_softhsm *f);
/* Removes the directory. */
void uk_softhsm_destroy(struct uk_softhsm *f);
/*
 * A host configuration (malloc'd JSON) like the default test one, with
 * "pkcs11": {"modules": [modules_json array body]} and "limits" extra
 * (limits_json: body of the limits object, may be NULL).  modules_json
 * NULL = the SoftHSM module.
 */
char *uk_softhsm_config(const char *modules_json, const char *limits_json);
/* The same with the whole "pkcs11" section body given (e.g.
 * "\"modules\":[...],\"sm2Mechanism\":2147516672"). */
char *uk_test_config(const char *pkcs11_json, const char *limits_json);
/* The same with more top-level members (more_json: "\"name\":value,..."
 * without braces; NULL or "" = none). */
char *uk_test_config_more(const char *pkcs11_json, const char *limits_json,
    const char *more_json);
/* Runs a shell command (sh -c) with stdout/stderr to /dev/null unless
 * UK_TEST_VERBOSE is set; returns its exit status. */
int uk_test_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes len bytes to dir/name (dir from f); returns 0 or -1. */
int uk_test_write_file(const char *path, const void *p, size_t len);
/* Decodes base64 into a malloc'd buffer; NULL on error. */
unsigned char *uk_test_b64(const char *s, size_t *lenp);
/* Base64 of a file's contents (malloc'd), NULL on error. */
char *uk_test_file_b64(const char *path);

#endif /* UK_SOFTHSM_H */
