/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Strict JSON input and typed access to request parameters.
 *
 * Every value from the browser passes through here: UTF-8 is checked before
 * parsing, nesting depth is bounded, "\u0000" is refused (it would truncate a
 * C string), and parameter getters check type, range and size before handing
 * anything out.  Getters return 0, or UK_ERR_INVALID_PARAM with a message in
 * the caller-supplied why[] naming the member (never quoting its value: it
 * may be a PIN).  Outputs are cleared on failure.
 */
#ifndef UK_JSON_H
#define UK_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "uk_setup.h"

#define UK_JSON_MAX_DEPTH	16
#define UK_JSON_WHY_MAX		160

/* 0 when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
int uk_utf8_valid(const char *s, size_t len);

/*
 * Parses a complete JSON text s[0..len) (no terminator needed).  Returns 0
 * and *rootp (caller deletes), or
 * UK_ERR_NOT_UTF8, UK_ERR_TOO_DEEP, UK_ERR_BAD_REQUEST ("\u0000"),
 * UK_ERR_NOT_JSON (syntax or trailing garbage), UK_ERR_ALLOC_FAIL.
 */
int uk_json_parse(const char *s, size_t len, cJSON **rootp) UK_WUR;

/*
 * As uk_json_parse, for a request text the caller keeps until the tree is
 * deleted: string values of UK_JSON_LIFT_MIN bytes or more that contain no
 * escape are not copied — their nodes point into s (marked
 * cJSON_IsReference; the closing quote becomes the terminator).  A 20 MiB
 * document costs its text once, not twice.
 */
#define UK_JSON_LIFT_MIN	4096
#define UK_JSON_LIFT_MAX	16	/* strings left in place, at most */
int uk_json_parse_inplace(char *s, size_t len, cJSON **rootp) UK_WUR;

/* 1 when s[0..len) is printable ASCII without '"' and '\\': text that is
 * the same inside a JSON string (frame.h's UK_PART_PLAIN). */
int uk_json_plain(const char *s, size_t len);

/* Fails when obj has a member not in the NULL-terminated list allowed. */
int uk_json_only_members(const cJSON *obj, const char *const *allowed,
    char *why, size_t whylen) UK_WUR;

/* The getters below: required=0 makes a missing member a success that leaves
 * the default in the output (NULL / def).  why may be NULL. */
int uk_param_string(const cJSON *obj, const char *key, int required,
    size_t maxlen, const char **valp, char *why, size_t whylen) UK_WUR;
int uk_param_int(const cJSON *obj, const char *key, int required,
    int64_t min, int64_t max, int64_t def, int64_t *valp,
    char *why, size_t whylen) UK_WUR;
int uk_param_bool(const cJSON *obj, const char *key, int required, int def,
    int *valp, char *why, size_t whylen) UK_WUR;
/* Decodes base64 (standard alphabet, padding, CR/LF/space ignored) of at
 * most maxlen decoded bytes.  *outp is malloc'd (caller frees). */
int uk_param_base64(const cJSON *obj, const char *key, int required,
    size_t maxlen, unsigned char **outp, size_t *lenp,
    char *why, size_t whylen) UK_WUR;

/*
 * As uk_param_base64, decoding in place: *outp points into the member's own
 * storage (valid as long as the tree and its request text), nothing is
 * allocated, and the member's text is spent — read it no more.
 */
int uk_param_base64_take(const cJSON *obj, const char *key, int required,
    size_t maxlen, const unsigned char **outp, size_t *lenp,
    char *why, size_t whylen) UK_WUR;

/* Strict base64 decode of a C string; same rules as uk_param_base64.
 * Returns 0, UK_ERR_INVALID_PARAM, UK_ERR_MESSAGE_TOO_LARGE or ALLOC_FAIL. */
int uk_base64_decode(const char *s, size_t maxlen, unsigned char **outp,
    size_t *lenp) UK_WUR;
/* Base64 (no line breaks) as a malloc'd C string, or NULL. */
char *uk_base64_encode(const unsigned char *p, size_t len);
/* Adds a base64 member to obj.  Returns 0 or UK_ERR_ALLOC_FAIL. */
int uk_json_add_base64(cJSON *obj, const char *key, const unsigned char *p,
    size_t len) UK_WUR;
/*
 * Adds an integer member written exactly (cJSON prints numbers as doubles
 * and accepts a print that reads back within a relative epsilon: a request
 * id of 2^53 - 1 came out as 9.00719925474099e+15).  Returns the item or
 * NULL (out of memory).
 */
cJSON *uk_json_add_int(cJSON *obj, const char *key, int64_t n);
/* Lower-case hex as a malloc'd C string, or NULL. */
char *uk_hex_encode(const unsigned char *p, size_t len);

#endif /* UK_JSON_H */
