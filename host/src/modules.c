/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The one registry of modules, and through them of every protocol method.
 * A new module adds its struct uk_module here.
 */
#include "uk_setup.h"

#include <stddef.h>

#include "host.h"

extern const struct uk_module uk_host_module;
extern const struct uk_module uk_token_module;
extern const struct uk_module uk_cert_module;
extern const struct uk_module uk_enroll_module;
extern const struct uk_module uk_seal_module;
extern const struct uk_module uk_unlock_module;

const struct uk_module *const uk_modules[] = {
	&uk_host_module,
	&uk_token_module,
	&uk_cert_module,
	&uk_enroll_module,
	&uk_seal_module,
	&uk_unlock_module,
	NULL,
};
