/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * winscard (Windows): what differs from pcsc-lite.  Since Windows 8 the
 * Smart Card service stops when the last reader goes away, invalidating
 * every context (SCARD_E_SERVICE_STOPPED); SCardAccessStartedEvent tells
 * when it runs again.  XXX not yet built or run on Windows.
 */
#include "uk_setup.h"

#include <windows.h>
#include <winscard.h>

#include "err.h"
#include "pcsc.h"

const char *
uk_pcsc_sys_name(void)
{
	return "winscard";
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
	HANDLE ev = SCardAccessStartedEvent();
	DWORD w;

	if (ev == NULL)
		return 0;
	w = WaitForSingleObject(ev, ms);
	SCardReleaseStartedEvent();
	return w == WAIT_OBJECT_0;
}
