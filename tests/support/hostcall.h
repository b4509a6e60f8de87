/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Test support: JSON-RPC calls to a host started with hostproc.h, checked
 * inside a Check test.  A call sends one request from UK_TEST_ORIGIN with
 * the host's next id (hp->next_id) and waits for its response.  What a
 * helper below says it expects is a Check assertion: when it does not
 * hold, the running test fails with a message that names the method and
 * the params sent (their first UK_HC_SHOWN bytes) and shows the response.
 * Responses returned are the caller's to delete.
 */
#ifndef UK_HOSTCALL_H
#define UK_HOSTCALL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "hostproc.h"

/* Bytes of params a failure message shows: base64 documents would push
 * the response out of Check's message buffer. */
#define UK_HC_SHOWN	200

/*
 * Calls method with params printf(fmt, ...) (a JSON object) and expects a
 * response, and of it want: UK_HC_ANY, UK_HC_RESULT or an error code (the
 * host's are negative).
 */
#define UK_HC_ANY	1
#define UK_HC_RESULT	0
cJSON *uk_hc_call(struct uk_hostproc *hp, int want, const char *method,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The error code of a response, 0 when it has none. */
int uk_hc_code(const cJSON *resp);
/* The result of a response, expecting one. */
const cJSON *uk_hc_res(const cJSON *resp);
/* Member key of o, expecting a string. */
const char *uk_hc_str(const cJSON *o, const char *key);

/* token.list, expecting exactly one token: its handle into buf. */
void uk_hc_only_token(struct uk_hostproc *hp, char *buf, size_t size);
/* Decodes base64 b64 into the file dir/name (for the openssl command). */
void uk_hc_save_b64(const char *dir, const char *name, const char *b64);
/* host.ping with id, expecting its data back: the host still reads
 * messages in step after whatever a test sent it before. */
void uk_hc_assert_alive(struct uk_hostproc *hp, int64_t id);
/* Expects a line of text that holds every one of the pieces (a list ended
 * by NULL), in any order (--diagnose output). */
void uk_hc_assert_line(const char *text, ...) __attribute__((sentinel));

#endif /* UK_HOSTCALL_H */
