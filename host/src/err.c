/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include "err.h"

/*
 * A switch rather than a table lookup: -Wswitch flags a code that lost its
 * text, and there is no default label so that the warning stays on.
 */
#define UK_ERR_CASE(field) \
	switch ((enum uk_err)code) { \
	UK_ERROR_LIST(field) \
	}

const char *
uk_err_name(int code)
{
#define X_NAME(sym, val, name, zh, en) case sym: return name;
	UK_ERR_CASE(X_NAME)
#undef X_NAME
	return "UNKNOWN";
}

const char *
uk_err_zh(int code)
{
#define X_ZH(sym, val, name, zh, en) case sym: return zh;
	UK_ERR_CASE(X_ZH)
#undef X_ZH
	return "未知错误";
}

const char *
uk_err_en(int code)
{
#define X_EN(sym, val, name, zh, en) case sym: return en;
	UK_ERR_CASE(X_EN)
#undef X_EN
	return "Unknown error";
}

int
uk_err_known(int code)
{
#define X_KNOWN(sym, val, name, zh, en) case sym: return 1;
	UK_ERR_CASE(X_KNOWN)
#undef X_KNOWN
	return 0;
}
