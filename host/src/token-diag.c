/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * --diagnose for the token layer: the PKCS#11 modules, and for each token
 * what IT needs to tell why a key does not work — make and serial, the PIN
 * state, the mechanisms the module offers for the kinds of keys the
 * certificates hold, and each certificate's validity.  Reads only: no
 * login, no PIN, nothing on the token changes.  Lines that start with "!"
 * are problems, and each is counted in the return value.
 */
#include "uk_setup.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <p11-kit/pkcs11.h>

#include "token-int.h"
#include "token.h"

/* Mechanism lists longer than this are read in part (none seen so far). */
#define DIAG_MECH_MAX	512

/* Days before notAfter from which a certificate is worth a warning: the
 * portal offers renewal in the last month. */
#define DIAG_RENEW_DAYS	30

struct mechs {
	CK_MECHANISM_TYPE m[DIAG_MECH_MAX];
	CK_ULONG n;
	int known;	/* the module answered C_GetMechanismList */
};

static void
read_mechs(struct uk_token_state *st, const struct tk_token *t,
    struct mechs *ms)
{
	ms->n = DIAG_MECH_MAX;
	ms->known = tk_fn(st, t)->C_GetMechanismList(t->slot, ms->m,
	    &ms->n) == CKR_OK;
	if (!ms->known)
		ms->n = 0;
}

static int
has_mech(const struct mechs *ms, CK_MECHANISM_TYPE m)
{
	CK_ULONG i;

	for (i = 0; i < ms->n; i++)
		if (ms->m[i] == m)
			return 1;
	return 0;
}

static const char *
yes_no(const struct mechs *ms, CK_MECHANISM_TYPE m)
{
	return !ms->known ? "unknown" : has_mech(ms, m) ? "yes" : "no";
}

static int
print_pin(struct uk_ctx *ctx, const struct tk_token *t, FILE *fp)
{
	struct uk_pin_state ps;

	if (uk_token_pin_state(ctx, t->handle, &ps) != 0) {
		fprintf(fp, "    ! PIN state: the token did not answer\n");
		return 1;
	}
	if (ps.locked) {
		fprintf(fp, "    ! PIN: locked (PIN 已锁定): unlock the key on "
		    "the portal (介质解锁)\n");
		return 1;
	}
	fprintf(fp, "    PIN: %s%s%s%s\n", ps.final_try ? "final try "
	    "(最后一次机会) " : ps.count_low ? "wrong before (曾输错) " : "",
	    ps.to_be_changed ? "to be changed (需修改) " : "",
	    !ps.initialized ? "not initialised " : "",
	    ps.pinpad ? "entered on the PIN pad (密码键盘)" : "entered on the "
	    "page");
	return 0;
}

/* One certificate line, and its problems. */
static int
print_cert(const struct uk_token_state *st, const cJSON *c,
    const struct mechs *ms, FILE *fp)
{
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(c, "certId"));
	const char *dn = cJSON_GetStringValue(cJSON_GetObjectItem(c,
	    "subjectDN"));
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(c,
	    "keyType"));
	const cJSON *bits = cJSON_GetObjectItem(c, "keyBits");
	const cJSON *days = cJSON_GetObjectItem(c, "daysLeft");
	int has_key = cJSON_IsTrue(cJSON_GetObjectItem(c, "hasKey"));
	int problems = 0;
	double d = cJSON_IsNumber(days) ? days->valuedouble : 0;

	fprintf(fp, "    certificate %s: %s, %s %d bits, %.0f days left%s\n",
	    id != NULL ? id : "?", dn != NULL ? dn : "?",
	    type != NULL ? type : "?", cJSON_IsNumber(bits) ?
	    bits->valueint : 0, d, has_key ? "" : ", no private key "
	    "(not for signing)");
	if (d < 0) {
		fprintf(fp, "      ! expired %.0f days ago (证书已过期): renew it "
		    "on the portal\n", -d);
		problems++;
	} else if (d <= DIAG_RENEW_DAYS)
		fprintf(fp, "      expires soon (即将过期): renew it on the "
		    "portal\n");
	if (!has_key || type == NULL || !ms->known)
		return problems;
	if (strcmp(type, "RSA") == 0 && !has_mech(ms, CKM_RSA_PKCS)) {
		fprintf(fp, "      ! RSA key, but the module offers no "
		    "CKM_RSA_PKCS\n");
		problems++;
	} else if (strcmp(type, "EC") == 0 && !has_mech(ms, CKM_ECDSA)) {
		fprintf(fp, "      ! EC key, but the module offers no "
		    "CKM_ECDSA\n");
		problems++;
	} else if (strcmp(type, "SM2") == 0 && (st->sm2_mech == 0 ||
	    !has_mech(ms, st->sm2_mech))) {
		fprintf(fp, "      ! SM2 key, but %s (pkcs11.sm2Mechanism in "
		    "the configuration)\n", st->sm2_mech == 0 ? "no SM2 "
		    "mechanism is configured" : "the module does not offer "
		    "the configured SM2 mechanism");
		problems++;
	}
	return problems;
}

static int
print_token(struct uk_ctx *ctx, struct uk_token_state *st,
    struct tk_token *t, FILE *fp)
{
	char manuf[33], model[17], serial[17], label[33];
	struct mechs *ms;
	cJSON *certs = NULL, *c;
	int problems = 0, r;

	tk_trim(manuf, t->info.manufacturerID, sizeof(t->info.manufacturerID));
	tk_trim(model, t->info.model, sizeof(t->info.model));
	tk_trim(serial, t->info.serialNumber, sizeof(t->info.serialNumber));
	tk_trim(label, t->info.label, sizeof(t->info.label));
	fprintf(fp, "  token %s (reader \"%s\")\n", t->handle, t->reader);
	fprintf(fp, "    %s %s, serial %s, label \"%s\"\n", manuf, model,
	    serial, label);
	problems += print_pin(ctx, t, fp);
	if ((ms = calloc(1, sizeof(*ms))) == NULL)
		return problems + 1;
	read_mechs(st, t, ms);
	if (!ms->known)
		fprintf(fp, "    mechanisms: the module did not list them\n");
	else if (st->sm2_mech != 0)
		fprintf(fp, "    mechanisms: RSA PKCS#1 %s, RSA-PSS %s, ECDSA "
		    "%s, SM2 (0x%lx) %s\n", yes_no(ms, CKM_RSA_PKCS),
		    yes_no(ms, CKM_RSA_PKCS_PSS), yes_no(ms, CKM_ECDSA),
		    (unsigned long)st->sm2_mech, yes_no(ms, st->sm2_mech));
	else
		fprintf(fp, "    mechanisms: RSA PKCS#1 %s, RSA-PSS %s, ECDSA "
		    "%s, SM2 not configured\n", yes_no(ms, CKM_RSA_PKCS),
		    yes_no(ms, CKM_RSA_PKCS_PSS), yes_no(ms, CKM_ECDSA));
	if ((r = uk_token_cert_list(ctx, t->handle, &certs)) != 0) {
		fprintf(fp, "    ! certificates: cannot read them (%d)\n", r);
		problems++;
	} else if (cJSON_GetArraySize(certs) == 0) {
		fprintf(fp, "    ! no certificate on the token (未找到证书)\n");
		problems++;
	} else
		cJSON_ArrayForEach(c, certs)
			problems += print_cert(st, c, ms, fp);
	cJSON_Delete(certs);
	free(ms);
	return problems;
}

int
tk_diagnose(struct uk_ctx *ctx, FILE *fp)
{
	struct uk_token_state *st;
	size_t i, ntok = 0;
	int problems = 0;

	fprintf(fp, "PKCS#11 modules:\n");
	if (tk_state(ctx, &st) != 0)
		return 1;
	if (tk_enumerate(st) != 0)
		problems++;
	if (st->nmods == 0) {
		fprintf(fp, "  ! no PKCS#11 module configured or installed "
		    "(install OpenSC or the key vendor's driver)\n");
		problems++;
	}
	for (i = 0; i < st->nmods; i++) {
		if (st->mods[i].err != 0) {
			fprintf(fp, "  ! %s\n", st->mods[i].problem);
			problems++;
		} else
			fprintf(fp, "  %s: loaded\n", st->mods[i].path);
	}
	for (i = 0; i < TK_MAX_TOKENS; i++)
		if (st->toks[i].used) {
			problems += print_token(ctx, st, &st->toks[i], fp);
			ntok++;
		}
	if (ntok == 0)
		fprintf(fp, "  no token present\n");
	return problems;
}
