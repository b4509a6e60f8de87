/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The one registry of modules, and through them of every protocol method.
 * A new module adds one X(name) line (for its uk_<name>_module); the order
 * is the order of fini calls and of --diagnose sections.
 */
#include "uk_setup.h"

#include <stddef.h>

#include "host.h"

#define UK_MODULE_LIST(X) \
	X(host) \
	X(cert) \
	X(pcsc) \
	X(net) \
	X(se) \
	X(enroll) \
	X(seal) \
	X(unlock) \
	X(token)	/* last: others use it in their fini */ \
	/* end of list */

#define UK_MODULE_EXTERN(name) extern const struct uk_module uk_##name##_module;
UK_MODULE_LIST(UK_MODULE_EXTERN)
#undef UK_MODULE_EXTERN

const struct uk_module *const uk_modules[] = {
#define UK_MODULE_ENTRY(name) &uk_##name##_module,
	UK_MODULE_LIST(UK_MODULE_ENTRY)
#undef UK_MODULE_ENTRY
	NULL,
};
