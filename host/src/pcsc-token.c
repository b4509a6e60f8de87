/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Bridge from PC/SC changes to the token module.  Runs on the request
 * thread (module tick), as token.h requires.
 */
#include "uk_setup.h"

#include <limits.h>
#include <stddef.h>

#include "err.h"
#include "host.h"
#include "log.h"
#include "pcsc.h"
#include "token.h"

void
uk_pcsc_token_changed(struct uk_ctx *ctx, const char *reader, int inserted,
    const unsigned char *atr, size_t atrlen)
{
	char path[PATH_MAX];
	int r;

	if (!inserted) {
		uk_debug("token removed from %s", reader ? reader : "(all)");
		uk_token_on_removed(ctx, reader);
		return;
	}
	r = uk_pcsc_module_for_atr(ctx, atr, atrlen, NULL, path,
	    sizeof(path));
	uk_debug("token inserted in %s: module %s", reader ? reader : "?",
	    r == 0 && path[0] ? path : "(none from the ATR table)");
	if (r == 0 && path[0] != '\0' && uk_token_add_module(ctx, path) != 0)
		uk_warn("cannot add PKCS#11 module %s", path);
	uk_token_on_inserted(ctx, reader);
}
