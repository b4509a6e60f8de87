/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The CA side of the enroll tests, with OpenSSL's API: issue a certificate
 * from a PKCS#10 request (good ones and every kind of bad one), and sign
 * seal packages.  CA directories come from tests/pki/make-pki.sh
 * (DIR/key.pem, DIR/cert.pem).
 */
#ifndef UK_ENROLL_CA_H
#define UK_ENROLL_CA_H

#include <stddef.h>

struct uk_ca_opts {
	const char *o;		/* replaces the subject's O when set */
	const char *oid;	/* sets extension oid (PrintableString) ... */
	const char *val;	/* ... to val; val NULL removes it */
	int expired;		/* validity 400 days ago .. yesterday */
	const char *pubkey_pem;	/* certifies this public key instead */
};

/*
 * Issues a certificate for the request csr (DER) with the CA in cadir:
 * subject and requested extensions copied from the request, then o
 * applied.  *derp malloc'd.  0 or -1.
 */
int uk_ca_issue(const char *cadir, const unsigned char *csr, size_t len,
    const struct uk_ca_opts *o, unsigned char **derp, size_t *lenp);

/*
 * A seal package: CMS SignedData (attached, signer certificate included)
 * by the CA in cadir over {"version":1,"certSerial":serial,"name":name,
 * "image":"<b64 PNG>","issuedAt":"..."}.  *derp malloc'd.  0 or -1.
 */
int uk_ca_seal(const char *cadir, const char *serial, const char *name,
    unsigned char **derp, size_t *lenp);

#endif /* UK_ENROLL_CA_H */
