/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Certificates: parsing hostile input, the fields SafeEngine pages read
 * (SEH_GetCertDetail items, SEH_GetCertInfoByOID, SEH_GetCertUniqueID,
 * SEH_GetCertValidDate), the cert.list entry fields, and verification
 * against trust anchors (SEH_VerifyCertificate).  Internal API described in
 * host/doc/x509.md; the protocol methods cert.* are in x509_methods.c.
 *
 * Text out of this module is UTF-8: BMPString, UniversalString, T61String
 * and the rest are converted, never passed through as raw bytes.
 * Every returned string is malloc'd and owned by the caller (free()).
 */
#ifndef UK_X509_H
#define UK_X509_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/x509.h>

#include "uk_setup.h"

struct uk_config;
struct uk_ctx;

/* Input caps: a certificate larger than this is refused unparsed. */
#define UK_X509_MAX_DER		(64 * 1024)	/* bytes of DER */
#define UK_X509_MAX_TEXT	(96 * 1024)	/* bytes of base64/PEM text */
#define UK_X509_MAX_CHAIN	16		/* extra certificates */
#define UK_OID_MAX		128		/* characters of a dotted OID */

/* Opaque parsed certificate. */
struct uk_x509;

/*
 * Parses one certificate given as DER, PEM ("-----BEGIN CERTIFICATE-----")
 * or bare base64 (whitespace allowed), detected from the bytes.  The whole
 * input must be the certificate: trailing bytes after the DER are refused.
 * Returns 0 and *certp (free with uk_x509_free), UK_ERR_CERT_FORMAT
 * (malformed, empty, trailing garbage), UK_ERR_MESSAGE_TOO_LARGE (over the
 * caps above) or UK_ERR_ALLOC_FAIL.
 */
int uk_x509_parse(const void *buf, size_t len, struct uk_x509 **certp) UK_WUR;
/* The same for a C string (a JSON parameter). */
int uk_x509_parse_text(const char *s, struct uk_x509 **certp) UK_WUR;
/* Wraps an X509 that OpenSSL already parsed (takes a new reference). */
int uk_x509_from_X509(X509 *x, struct uk_x509 **certp) UK_WUR;
void uk_x509_free(struct uk_x509 *cert);

/* The OpenSSL object (borrowed; valid while cert lives). */
X509 *uk_x509_get0(const struct uk_x509 *cert);
/* The DER encoding (borrowed) and its length. */
const unsigned char *uk_x509_der(const struct uk_x509 *cert, size_t *lenp);

/*
 * SEH_GetCertDetail: item numbers in one table (x509.c detail_items[],
 * documented in host/doc/x509.md and protocol.md).  Known from the field:
 * 2 serial, 13 C, 14 O, 15 OU, 16 S, 17 CN, 18 L, 19 E (subject).
 * A field the certificate does not have gives "" (success).  Returns 0 and
 * *strp, UK_ERR_CERT_DETAIL for an item number not in the table, or
 * UK_ERR_ALLOC_FAIL.
 */
int uk_x509_detail(const struct uk_x509 *cert, int item, char **strp) UK_WUR;
/* Number of the highest detail item, and its short name ("serial") or
 * NULL when item is not in the table. */
int uk_x509_detail_max(void);
const char *uk_x509_detail_name(int item);

/*
 * SEH_GetCertInfoByOID: the value of the extension oid (dotted text).
 * Text when the value is a string (PrintableString, UTF8String, IA5String,
 * BMPString, …), also when wrapped in an OCTET STRING, or when the OCTET
 * STRING holds bare printable text; otherwise upper-case hex of the
 * extension value.  Returns 0 and *valp, UK_ERR_OID_FORMAT (not a dotted
 * OID: digits and dots, at least two arcs, first arc 0-2, no leading zeros),
 * UK_ERR_NO_SUCH_EXTENSION, or UK_ERR_ALLOC_FAIL.
 */
int uk_x509_info_by_oid(const struct uk_x509 *cert, const char *oid,
    char **valp) UK_WUR;
/* 0 when oid is well-formed dotted text (rules above), else
 * UK_ERR_OID_FORMAT. */
int uk_oid_check(const char *oid) UK_WUR;

/*
 * SEH_GetCertUniqueID: the SHECA unique id, from 1.2.156.112570.148, else
 * 1.2.156.1.8888.148.  Returns 0 and *idp, UK_ERR_CERT_UNIQUE_ID when the
 * certificate has neither, or UK_ERR_ALLOC_FAIL.
 */
int uk_x509_unique_id(const struct uk_x509 *cert, char **idp) UK_WUR;

/*
 * SEH_GetCertValidDate: whole days from now to notAfter, rounded down
 * (floor), so it is negative exactly when the certificate has expired and
 * 0 during its last day.  Returns 0 and *daysp, or UK_ERR_CERT_FORMAT.
 */
int uk_x509_valid_days(const struct uk_x509 *cert, time_t now,
    int64_t *daysp) UK_WUR;

/*
 * Adds the parsed fields to obj (the cert.list / cert.parse entry):
 * subject{C,S,L,O,OU,CN,E}, issuer{…}, subjectDN, issuerDN, version, serial,
 * sigAlg, notBefore, notAfter (ISO 8601 UTC "2026-01-02T03:04:05Z"),
 * daysLeft, keyType ("RSA"/"EC"/"SM2"/…), keyBits, curve (EC/SM2),
 * keyUsage[], extKeyUsage[], isCA, extensions{oid: text}, numbers{name:
 * text} (named by the OID table), uniqueId (when present), sha1, sha256
 * (hex fingerprints).  The DER is not added (the caller has it).
 * cfg may be NULL (built-in OID table only).  Returns 0 or
 * UK_ERR_ALLOC_FAIL / UK_ERR_CERT_FORMAT.
 */
int uk_x509_to_json(const struct uk_x509 *cert, const struct uk_config *cfg,
    time_t now, cJSON *obj) UK_WUR;

/*
 * OID table: built-in GM/T 0015 / SHECA names (x509_oid.c) plus the
 * configuration's "oids" section ({"1.2.3": "name", …}; a configured name
 * replaces a built-in one).  Returns the name or NULL.  cfg may be NULL.
 */
const char *uk_oid_name(const struct uk_config *cfg, const char *oid);
/* Validator of the "oids" configuration section (config.c's table). */
int uk_oid_config_validate(const cJSON *v, char *why, size_t whylen) UK_WUR;

/*
 * SEH_VerifyCertificate: builds a path from cert through chain (extra
 * untrusted certificates, may be NULL) to a trust anchor: the shipped
 * roots (UK_TRUST_DIR, set by the build) and the configuration's
 * "trustAnchors" files; checks signatures, validity at now, and that cert
 * allows digitalSignature when it has a keyUsage extension.  With
 * revocation set, also asks uk_revocation_check() about cert (ctx must
 * then be the host's context: with ctx NULL the answer is
 * UK_ERR_NOT_SUPPORTED).  ctx NULL also means no issuer fetching.
 * Returns 0, UK_ERR_CERT_EXPIRED (cert or a CA outside its dates),
 * UK_ERR_VERIFY_CHAIN (no path, bad signature, key usage, CA constraints),
 * UK_ERR_CERT_FORMAT, whatever uk_revocation_check returns, or
 * UK_ERR_ALLOC_FAIL; a technical reason goes to detail.
 */
int uk_x509_verify(struct uk_ctx *ctx, const struct uk_config *cfg,
    const struct uk_x509 *cert, struct uk_x509 *const *chain,
    size_t nchain, int revocation, time_t now, char *detail,
    size_t detaillen) UK_WUR;

/*
 * Verify callback set on every X509_STORE the host builds (so every path
 * check made from one has it, OpenSSL's inside OCSP_basic_verify and
 * CMS_verify too): an SM2 certificate signature that fails with OpenSSL 3.0's
 * default signer ID (empty) is checked again with the GM/T 0009 default ID
 * 1234567812345678, the one GM/T 0015 CAs sign with; either one verifying
 * is a good signature.  Everything else is left as OpenSSL decided.
 */
int uk_x509_verify_cb(int ok, X509_STORE_CTX *xc);

/*
 * Revocation hook, implemented by the network module (CRL / OCSP through
 * the AIA and CRL distribution point URLs).  leaf and issuer are borrowed;
 * issuer is the next certificate of the verified path (NULL for a
 * self-signed leaf); chain is the whole verified path, leaf first.
 * Returns 0 (good), UK_ERR_CERT_REVOKED, UK_ERR_CERT_STATUS_UNKNOWN, a CRL
 * or OCSP error code, or UK_ERR_NOT_SUPPORTED.
 * revocation-none.c has a weak default answering UK_ERR_NOT_SUPPORTED;
 * a strong definition elsewhere in the library replaces it.
 */
int uk_revocation_check(struct uk_ctx *ctx, X509 *leaf, X509 *issuer,
    STACK_OF(X509) *chain, time_t now, char *detail, size_t detaillen)
    UK_WUR;

/*
 * Missing-issuer hook, implemented by the network module (AIA caIssuers,
 * DER or PKCS#7, cached): uk_x509_verify calls it when the path lacks an
 * issuer.  Returns 0 and *certsp (caller frees with sk_X509_pop_free) or an
 * error.  revocation-none.c has a weak default answering
 * UK_ERR_NOT_SUPPORTED.
 */
int uk_issuer_fetch(struct uk_ctx *ctx, X509 *cert, STACK_OF(X509) **certsp)
    UK_WUR;

/*
 * PEM helpers for SEH_PEMEncode / SEH_PEMDecode: data ⇄ PEM text with the
 * label ("CERTIFICATE" when label is NULL).  Encode returns 0 and *pemp
 * (NUL-terminated text) or UK_ERR_PEM_ENCODE / UK_ERR_ALLOC_FAIL; decode
 * takes the first PEM block of any label and returns 0 with *outp, *lenp
 * or UK_ERR_PEM_DECODE / UK_ERR_MESSAGE_TOO_LARGE (maxlen).
 */
int uk_pem_encode(const unsigned char *p, size_t len, const char *label,
    char **pemp) UK_WUR;
int uk_pem_decode(const char *pem, size_t maxlen, unsigned char **outp,
    size_t *lenp) UK_WUR;

#endif /* UK_X509_H */
