/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Default revocation hook: no CRL / OCSP support in this build.  Weak, so
 * that the network module's uk_revocation_check() replaces it when linked.
 */
#include "uk_setup.h"

#include <stdio.h>

#include "err.h"
#include "x509.h"

__attribute__((weak)) int
uk_revocation_check(struct uk_ctx *ctx, X509 *leaf, X509 *issuer,
    STACK_OF(X509) *chain, time_t now, char *detail, size_t detaillen)
{
	(void)ctx;
	(void)leaf;
	(void)issuer;
	(void)chain;
	(void)now;
	snprintf(detail, detaillen, "revocation checking (CRL/OCSP) is not "
	    "available in this build; call with revocation false or "
	    "SEH_SetConfiguration(0)");
	return UK_ERR_NOT_SUPPORTED;
}

__attribute__((weak)) int
uk_issuer_fetch(struct uk_ctx *ctx, X509 *cert, STACK_OF(X509) **certsp)
{
	(void)ctx;
	(void)cert;
	*certsp = NULL;
	return UK_ERR_NOT_SUPPORTED;
}
