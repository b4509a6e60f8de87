/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Shared by x509.c, x509_oid.c, x509_verify.c and x509_methods.c only; the
 * module's API is x509.h.
 */
#ifndef UK_X509_INT_H
#define UK_X509_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>
#include <openssl/asn1.h>
#include <openssl/x509.h>

#include "uk_setup.h"

struct uk_config;
struct uk_x509;

/*
 * An ASN.1 string as UTF-8 (malloc'd, NUL-terminated, *lenp its length).
 * BMPString and UniversalString are converted; PrintableString, IA5String,
 * T61String, VisibleString and NumericString are taken as they are when
 * their bytes are valid UTF-8 (some issuers put UTF-8 there) and as
 * Latin-1 otherwise; a UTF8String must be valid.  NUL characters become
 * U+FFFD so that no C consumer sees a truncated value.  Returns 0,
 * UK_ERR_CERT_FORMAT (not a string type, invalid encoding) or
 * UK_ERR_ALLOC_FAIL.
 */
int uk_asn1_string_utf8(const ASN1_STRING *s, char **outp, size_t *lenp)
    UK_WUR;
/* Seconds since the epoch (UTC) of an ASN.1 time; 0 or UK_ERR_CERT_FORMAT. */
int uk_asn1_time_epoch(const ASN1_TIME *t, int64_t *secp) UK_WUR;
/* "YYYY-MM-DDTHH:MM:SSZ" into buf; 0 or UK_ERR_CERT_FORMAT. */
int uk_asn1_time_iso(const ASN1_TIME *t, char *buf, size_t len);
/* A DN as "C=CN, ST=…, E=…" (certificate order, RFC 4514 escapes). */
int uk_x509_name_string(const X509_NAME *name, char **strp) UK_WUR;
int uk_x509_hex_upper(const unsigned char *p, size_t len, char **strp)
    UK_WUR;
/* Key type ("RSA", "EC", "SM2", …), bits, curve ("P-256", "SM2", ""). */
int uk_x509_key_info(X509 *x, char *type, size_t typelen, int *bitsp,
    char *curve, size_t curvelen);
/* Adds extensions{oid: text} and numbers{name: text} to obj. */
int uk_x509_add_extensions(const struct uk_x509 *cert,
    const struct uk_config *cfg, cJSON *obj) UK_WUR;
/*
 * Text of an extension value (the contents of extnValue): a DER string,
 * an OCTET STRING holding a DER string or bare text, or bare text.
 * Returns 0 and *textp, 1 when the value is not text, or an error.
 */
int uk_x509_ext_text(const unsigned char *p, size_t len, char **textp)
    UK_WUR;

/* UK_TRUST_DIR: where the shipped roots are installed. */
const char *uk_x509_trust_dir(void);
/* Adds the certificates of one PEM or DER file to st (NULL: just count).
 * Returns 0 with *countp > 0, or UK_ERR_SYSTEM / UK_ERR_CERT_FORMAT. */
int uk_x509_load_anchors(X509_STORE *st, const char *path, int *countp);
/* Frees the trust anchor store uk_x509_verify keeps between calls (the
 * cert module's fini); the next verification builds it again. */
void uk_x509_anchor_cache_free(void);
/* How many times that store has been built (tests). */
unsigned long uk_x509_anchor_builds(void);
/* --diagnose section for the anchors; returns the number of problems. */
int uk_x509_diagnose_anchors(const struct uk_config *cfg, FILE *fp);

#endif /* UK_X509_INT_H */
