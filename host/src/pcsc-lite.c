/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * pcsc-lite (Linux, macOS): what differs from winscard.  pcscd may be
 * socket-activated, stopped or restarted under us; a dead daemon shows up
 * as SCARD_E_NO_SERVICE or a communication error on the next call.
 *
 * The library is loaded on first use, like libcurl (net_curl_lazy.c): the
 * host's first message (host.version) needs no reader, and every library
 * linked at start costs each host process its mapping, relocations and
 * page faults.  This file defines the five PC/SC functions pcsc.c and
 * pcsc-watch.c call; when the library cannot be loaded they answer
 * SCARD_E_NO_SERVICE, which the callers already report as "the smart card
 * service is not available", and the rest of the host keeps working.
 */
#include "uk_setup.h"

#include <dlfcn.h>
#include <pthread.h>

#include <winscard.h>

#include "err.h"
#include "log.h"
#include "pcsc.h"

#ifdef __APPLE__
#define UK_PCSC_LIB_NAME	"/System/Library/Frameworks/PCSC.framework/PCSC"
#else
#define UK_PCSC_LIB_NAME	"libpcsclite.so.1"
#endif

static struct {
	void *lib;
	LONG (*establish)(DWORD, LPCVOID, LPCVOID, LPSCARDCONTEXT);
	LONG (*release)(SCARDCONTEXT);
	LONG (*list_readers)(SCARDCONTEXT, LPCSTR, LPSTR, LPDWORD);
	LONG (*get_status_change)(SCARDCONTEXT, DWORD, SCARD_READERSTATE *,
	    DWORD);
	LONG (*cancel)(SCARDCONTEXT);
} pl;

static pthread_once_t pl_once = PTHREAD_ONCE_INIT;

/* POSIX allows converting dlsym's object pointer to a function pointer. */
#define PL_SYM(field, name) \
	(*(void **)(&pl.field) = dlsym(pl.lib, (name)))

static void
pl_load(void)
{
	if ((pl.lib = dlopen(UK_PCSC_LIB_NAME, RTLD_NOW | RTLD_LOCAL)) ==
	    NULL) {
		uk_error("cannot load %s: %s", UK_PCSC_LIB_NAME, dlerror());
		return;
	}
	if (PL_SYM(establish, "SCardEstablishContext") == NULL ||
	    PL_SYM(release, "SCardReleaseContext") == NULL ||
	    PL_SYM(list_readers, "SCardListReaders") == NULL ||
	    PL_SYM(get_status_change, "SCardGetStatusChange") == NULL ||
	    PL_SYM(cancel, "SCardCancel") == NULL) {
		uk_error("%s lacks a function the host needs",
		    UK_PCSC_LIB_NAME);
		dlclose(pl.lib);
		pl.lib = NULL;
	}
}

/* 1 when the PC/SC library is loaded and complete. */
static int
pl_ready(void)
{
	pthread_once(&pl_once, pl_load);
	return pl.lib != NULL;
}

LONG
SCardEstablishContext(DWORD scope, LPCVOID r1, LPCVOID r2,
    LPSCARDCONTEXT hctxp)
{
	return pl_ready() ? pl.establish(scope, r1, r2, hctxp) :
	    SCARD_E_NO_SERVICE;
}

LONG
SCardReleaseContext(SCARDCONTEXT hctx)
{
	return pl_ready() ? pl.release(hctx) : SCARD_E_INVALID_HANDLE;
}

LONG
SCardListReaders(SCARDCONTEXT hctx, LPCSTR groups, LPSTR readers,
    LPDWORD lenp)
{
	return pl_ready() ? pl.list_readers(hctx, groups, readers, lenp) :
	    SCARD_E_NO_SERVICE;
}

LONG
SCardGetStatusChange(SCARDCONTEXT hctx, DWORD timeout,
    SCARD_READERSTATE *states, DWORD n)
{
	return pl_ready() ? pl.get_status_change(hctx, timeout, states, n) :
	    SCARD_E_NO_SERVICE;
}

LONG
SCardCancel(SCARDCONTEXT hctx)
{
	return pl_ready() ? pl.cancel(hctx) : SCARD_E_INVALID_HANDLE;
}

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
