/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * ukeylink-host: the native-messaging host.  Started by a browser with the
 * caller's identity as arguments; by a person with --diagnose, --version or
 * --help.
 */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "diagnose.h"
#include "err.h"
#include "host.h"
#include "log.h"
#include "platform.h"
#include "policy.h"
#include "rpc.h"
#include "version.h"

static void
usage(FILE *fp)
{
	const struct uk_method *m;
	size_t i;

	fprintf(fp,
	    "用法 / usage: ukeylink-host [--diagnose | --version | --help]\n"
	    "\n"
	    "UKeyLink 本地组件：由浏览器扩展启动，不需要手动运行。\n"
	    "The UKeyLink native-messaging host.  Browsers start it; people\n"
	    "run it only to check an installation:\n"
	    "  --diagnose   explain what is installed, registered and detected\n"
	    "  --version    print the version\n"
	    "  --help       this text\n"
	    "\nProtocol methods:\n");
	for (i = 0; uk_modules[i] != NULL; i++)
		for (m = uk_modules[i]->methods; m && m->name; m++)
			fprintf(fp, "  %-24s %s\n", m->name, m->summary);
}

/* One framed error for a caller we do not serve, then exit. */
static int
refuse_caller(struct uk_ctx *ctx, const char *why)
{
	char *text = uk_rpc_error_text(-1, UK_ERR_CALLER_NOT_ALLOWED, why);

	uk_error("refusing caller: %s", why);
	if (text != NULL) {
		(void)uk_host_send_text(ctx, -1, text, strlen(text));
		free(text);
	}
	return 1;
}

int
main(int argc, char *argv[])
{
	struct uk_config *cfg = NULL;
	struct uk_ctx ctx;
	const char *browser;
	char why[256];
	int r, status;

	uk_host_init_hooks();
	(void)uk_platform_stdio_init();
	if (uk_config_load(NULL, NULL, &cfg) != 0) {
		fprintf(stderr, "ukeylink-host: out of memory\n");
		return 1;
	}
	if (uk_ctx_init(&ctx, cfg, STDOUT_FILENO) != 0) {
		uk_config_free(cfg);
		return 1;
	}
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("ukeylink-host %s (protocol %d.%d)\n", UK_VERSION,
		    UK_PROTOCOL_MAJOR, UK_PROTOCOL_MINOR);
		status = 0;
	} else if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		status = 0;
	} else if (argc == 2 && strcmp(argv[1], "--diagnose") == 0) {
		(void)uk_log_init(UK_LOG_ERROR, "stderr");
		status = uk_diagnose(&ctx, stdout);
	} else if (argc < 2 || argv[1][0] == '-') {
		usage(stderr);
		status = 2;
	} else {
		(void)uk_log_init(uk_config_log_level(cfg),
		    uk_config_log_destination(cfg));
		r = uk_policy_check_caller(cfg, argc, argv, &browser,
		    ctx.caller_id, sizeof(ctx.caller_id), why, sizeof(why));
		if (r != 0)
			status = refuse_caller(&ctx, why);
		else {
			snprintf(ctx.caller_browser,
			    sizeof(ctx.caller_browser), "%s", browser);
			status = uk_host_serve(&ctx, STDIN_FILENO);
		}
	}
	uk_ctx_fini(&ctx);
	uk_config_free(cfg);
	uk_log_close();
	return status;
}
