/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Deployment: the shipped default configuration (manifests/config.json)
 * and --diagnose's reading of browser policies (force-install, block,
 * managed storage) in the Chromium and Firefox formats.
 */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "ck_main.h"
#include "config.h"
#include "diagnose.h"
#include "host.h"
#include "hostproc.h"

#define ID	UK_TEST_CHROMIUM_ID
#define FF	"ukeylink@sheca.com"

static char *
read_source_file(const char *rel, size_t *lenp)
{
	char path[1024];
	FILE *fp;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", UK_TEST_SOURCE_DIR, rel);
	ck_assert_msg((fp = fopen(path, "rb")) != NULL, "%s", path);
	ck_assert_ptr_nonnull(buf = calloc(1, 1024 * 1024));
	*lenp = fread(buf, 1, 1024 * 1024 - 1, fp);
	fclose(fp);
	return buf;
}

/* The conffile the packages install is valid and grants what the
 * built-in defaults grant (it documents them, it must not change them). */
START_TEST(test_default_config)
{
	struct uk_config *defaults = NULL, *shipped = NULL;
	char why[256] = "", *text, *path;
	size_t len;

	text = read_source_file("manifests/config.json", &len);
	ck_assert_msg(uk_config_check_text(text, len, why, sizeof(why)) == 0,
	    "manifests/config.json: %s", why);
	path = uk_test_write_temp("system.json", text);
	unsetenv("UKEYLINK_CONFIG");
	ck_assert_int_eq(uk_config_load(path, "/nonexistent/user.json",
	    &shipped), 0);
	ck_assert_int_eq(uk_config_defaults(&defaults), 0);
	ck_assert(uk_config_files(shipped, &len)[0].used == 1);
	ck_assert(cJSON_Compare(uk_config_section(shipped, "origins"),
	    uk_config_section(defaults, "origins"), 1));
	ck_assert(cJSON_Compare(uk_config_section(shipped, "log"),
	    uk_config_section(defaults, "log"), 1));
	/* It must not pin the ids: they come from the build. */
	ck_assert(cJSON_Compare(uk_config_section(shipped, "extensionIds"),
	    uk_config_section(defaults, "extensionIds"), 1));
	uk_config_free(shipped);
	uk_config_free(defaults);
	unlink(path);
	free(path);
	free(text);
}
END_TEST

static const struct {
	const char *browser, *json;
	int ignored, problem;
	const char *says;
} policy_cases[] = {
	{ "Chromium", "{\"ExtensionSettings\": {\"" ID "\": {"
	    "\"installation_mode\": \"force_installed\"}}, \"3rdparty\": "
	    "{\"extensions\": {\"" ID "\": {\"extraOrigins\": "
	    "[\"https://a.cn\", \"https://b.cn\"]}}}}", 0, 0,
	    "force-installs the extension; managed storage with 2 extra" },
	{ "Chromium", "{\"ExtensionInstallForcelist\": [\"x;y\", \"" ID
	    ";https://clients2.google.com/service/update2/crx\"]}", 0, 0,
	    "force-installs the extension\n" },
	{ "Chromium", "{\"ExtensionInstallForcelist\": [\"" ID "\"]}", 0, 0,
	    "force-installs the extension\n" },
	/* An id that merely starts with ours is another extension. */
	{ "Chromium", "{\"ExtensionInstallForcelist\": [\"" ID "a;u\"]}", 0, 0,
	    "does not mention the extension" },
	{ "Chromium", "{\"ExtensionSettings\": {\"" ID "\": {"
	    "\"installation_mode\": \"normal_installed\"}}}", 0, 0,
	    "force-installs the extension\n" },
	{ "Chromium", "{\"3rdparty\": {\"extensions\": {\"" ID "\": {}}}}",
	    0, 0, ": managed storage with 0 extra origin(s)" },
	{ "Chromium", "{\"ExtensionInstallBlocklist\": [\"*\"]}", 0, 1,
	    "blocks the UKeyLink extension" },
	{ "Chromium", "{\"ExtensionInstallBlocklist\": [\"" ID "\"]}", 0, 1,
	    "blocks" },
	{ "Chromium", "{\"ExtensionInstallBlocklist\": [\"*\"], "
	    "\"ExtensionInstallForcelist\": [\"" ID ";u\"]}", 0, 0,
	    "force-installs" },
	{ "Chromium", "{\"ExtensionSettings\": {\"*\": {\"installation_mode\":"
	    " \"blocked\"}}}", 0, 1, "blocks" },
	{ "Chromium", "{\"ExtensionSettings\": {\"*\": {\"installation_mode\":"
	    " \"blocked\"}, \"" ID "\": {\"installation_mode\": "
	    "\"allowed\"}}}", 0, 0, "does not mention" },
	{ "Chromium", "{\"ExtensionSettings\": {\"" ID "\": {"
	    "\"installation_mode\": \"blocked\"}}}", 0, 1, "blocks" },
	{ "Chromium", "{\"HomepageLocation\": \"https://x.cn\"}", 0, 0,
	    "does not mention the extension" },
	{ "Chromium", "{\"ExtensionSettings\": ", 0, 1, "not valid JSON" },
	{ "Chromium", "[1, 2]", 0, 0, "does not mention" },
	{ "Chromium", NULL, 0, 0, "present (not read by --diagnose)" },
	{ "Firefox", "{\"policies\": {\"ExtensionSettings\": {\"" FF "\": {"
	    "\"installation_mode\": \"force_installed\", \"install_url\": "
	    "\"file:///x.xpi\"}}, \"3rdparty\": {\"Extensions\": {\"" FF "\": {"
	    "\"extraOrigins\": [\"https://a.cn\"]}}}}}", 0, 0,
	    "force-installs the extension; managed storage with 1 extra" },
	/* Firefox wants everything under "policies". */
	{ "Firefox", "{\"ExtensionSettings\": {\"" FF "\": {"
	    "\"installation_mode\": \"force_installed\"}}}", 0, 0,
	    "does not mention" },
	/* ... and does not take the Chromium spelling of 3rdparty. */
	{ "Firefox", "{\"policies\": {\"3rdparty\": {\"extensions\": {\"" FF
	    "\": {}}}}}", 0, 0, "does not mention" },
	{ "Firefox", "{\"policies\": {\"ExtensionSettings\": {\"*\": {"
	    "\"installation_mode\": \"blocked\"}}}}", 0, 1, "blocks" },
	{ "Firefox", "{\"policies\": {}}", 1, 1, "does not read this file" },
};

START_TEST(test_policy_reading)
{
	struct uk_config *cfg = NULL;
	struct uk_ctx ctx;
	char *out = NULL, *path;
	size_t outlen = 0;
	FILE *fp;
	int r;

	path = uk_test_write_temp("config.json", "{\"extensionIds\": "
	    "{\"chromium\": [\"" ID "\"], \"firefox\": [\"" FF "\"]}}");
	unsetenv("UKEYLINK_CONFIG");
	ck_assert_int_eq(uk_config_load(path, "/nonexistent", &cfg), 0);
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = cfg;
	ck_assert_ptr_nonnull(fp = open_memstream(&out, &outlen));
	r = uk_diagnose_policy(fp, &ctx, policy_cases[_i].browser, "/where",
	    policy_cases[_i].json, policy_cases[_i].ignored);
	fclose(fp);
	ck_assert_msg(r == policy_cases[_i].problem, "case %d: returned %d: %s",
	    _i, r, out);
	ck_assert_msg(strstr(out, policy_cases[_i].says) != NULL,
	    "case %d: '%s' lacks '%s'", _i, out, policy_cases[_i].says);
	/* One line, marked as a problem exactly when it is one. */
	ck_assert_msg(strchr(out, '\n') == out + outlen - 1, "%s", out);
	ck_assert_int_eq(strncmp(out, "  ! ", 4) == 0,
	    policy_cases[_i].problem);
	free(out);
	uk_config_free(cfg);
	unlink(path);
	free(path);
}
END_TEST

/* The shipped examples force-install the extension they name. */
START_TEST(test_policy_examples)
{
	static const char *const files[][2] = {
		{ "Chromium", "installer/policies/chrome/ukeylink.json" },
		{ "Firefox", "installer/policies/firefox/policies.json" },
	};
	struct uk_config *cfg = NULL;
	struct uk_ctx ctx;
	char *out = NULL, *text, *path, conf[256];
	cJSON *root;
	size_t len, outlen = 0;
	FILE *fp;

	text = read_source_file(files[_i][1], &len);
	ck_assert_ptr_nonnull(root = cJSON_Parse(text));
	/* The Chrome example's id is whatever update-ids.sh wrote. */
	snprintf(conf, sizeof(conf), "{\"extensionIds\": {\"chromium\": "
	    "[\"%s\"], \"firefox\": [\"" FF "\"]}}", _i == 0 ?
	    cJSON_GetObjectItem(root, "ExtensionSettings")->child->string : ID);
	cJSON_Delete(root);
	path = uk_test_write_temp("config.json", conf);
	unsetenv("UKEYLINK_CONFIG");
	ck_assert_int_eq(uk_config_load(path, "/nonexistent", &cfg), 0);
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = cfg;
	ck_assert_ptr_nonnull(fp = open_memstream(&out, &outlen));
	ck_assert_int_eq(uk_diagnose_policy(fp, &ctx, files[_i][0],
	    files[_i][1], text, 0), 0);
	fclose(fp);
	ck_assert_msg(strstr(out, "force-installs the extension; managed "
	    "storage with 0 extra origin(s)") != NULL, "%s", out);
	free(out);
	uk_config_free(cfg);
	unlink(path);
	free(path);
	free(text);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("deploy");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_default_config);
	tcase_add_loop_test(tc, test_policy_reading, 0,
	    UK_ARRAY_LEN(policy_cases));
	tcase_add_loop_test(tc, test_policy_examples, 0, 2);
	suite_add_tcase(s, tc);
	return uk_ck_run(s);
}
