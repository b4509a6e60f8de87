/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * pcsc-lite (Linux, macOS): what differs from winscard.  pcscd may be
 * socket-activated, stopped or restarted under us; a dead daemon shows up
 * as SCARD_E_NO_SERVICE or a communication error on the next call.
 */
#include "uk_setup.h"

#include <winscard.h>

#include "err.h"
#include "pcsc.h"

const char *
uk_pcsc_sys_name(void)
{
	return "pcsc-lite";
}

int
uk_pcsc_sys_service_lost(long rv)
{
	switch (rv) {
	case SCARD_E_NO_SERVICE:
	case SCARD_E_SERVICE_STOPPED:
	case SCARD_F_COMM_ERROR:
	case SCARD_E_INVALID_HANDLE:
		return 1;
	default:
		return 0;
	}
}

int
uk_pcsc_sys_wait_service(unsigned ms)
{
	/* pcsc-lite has no "service started" event: the caller sleeps. */
	(void)ms;
	return 0;
}
