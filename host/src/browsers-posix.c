/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <sys/types.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "browsers.h"

#define UK_POLICY_FILE_MAX	(256 * 1024)	/* bytes */

/* Where each browser looks for host manifests; "~" is $HOME. */
static const struct {
	const char *browser;
	const char *dir;
} manifest_dirs[] = {
#ifdef __APPLE__
	{ "Chrome", "/Library/Google/Chrome/NativeMessagingHosts" },
	{ "Chrome", "~/Library/Application Support/Google/Chrome/"
	    "NativeMessagingHosts" },
	{ "Chromium", "/Library/Application Support/Chromium/"
	    "NativeMessagingHosts" },
	{ "Chromium", "~/Library/Application Support/Chromium/"
	    "NativeMessagingHosts" },
	{ "Edge", "/Library/Microsoft/Edge/NativeMessagingHosts" },
	{ "Edge", "~/Library/Application Support/Microsoft Edge/"
	    "NativeMessagingHosts" },
	{ "Firefox", "/Library/Application Support/Mozilla/"
	    "NativeMessagingHosts" },
	{ "Firefox", "~/Library/Application Support/Mozilla/"
	    "NativeMessagingHosts" },
#else
	{ "Chrome", "/etc/opt/chrome/native-messaging-hosts" },
	{ "Chrome", "~/.config/google-chrome/NativeMessagingHosts" },
	{ "Chromium", "/etc/chromium/native-messaging-hosts" },
	{ "Chromium", "~/.config/chromium/NativeMessagingHosts" },
	{ "Edge", "/etc/opt/edge/native-messaging-hosts" },
	{ "Edge", "~/.config/microsoft-edge/NativeMessagingHosts" },
	{ "Firefox", "/usr/lib/mozilla/native-messaging-hosts" },
	{ "Firefox", "/usr/lib64/mozilla/native-messaging-hosts" },
	{ "Firefox", "~/.mozilla/native-messaging-hosts" },
#endif
};

/*
 * Policy sources: a directory of *.json (Chromium family) or one file
 * (Firefox).  macOS keeps policies in managed preferences (binary plists),
 * which are only reported as present.
 */
static const struct {
	const char *browser;
	const char *path;
	int is_dir;
	int ignored;
} policy_places[] = {
#ifdef __APPLE__
	{ "Chromium", "/Library/Managed Preferences/com.google.Chrome.plist",
	    0, 0 },
	{ "Chromium", "/Library/Managed Preferences/com.microsoft.Edge.plist",
	    0, 0 },
	{ "Firefox", "/Library/Managed Preferences/org.mozilla.firefox.plist",
	    0, 0 },
	{ "Firefox", "/Applications/Firefox.app/Contents/Resources/"
	    "distribution/policies.json", 0, 0 },
#else
	{ "Chromium", "/etc/opt/chrome/policies/managed", 1, 0 },
	{ "Chromium", "/etc/chromium/policies/managed", 1, 0 },
	{ "Chromium", "/etc/opt/edge/policies/managed", 1, 0 },
	{ "Firefox", "/etc/firefox/policies/policies.json", 0, 0 },
	{ "Firefox", "/usr/lib/firefox-esr/distribution/policies.json", 0, 0 },
	{ "Firefox", "/usr/lib/firefox/distribution/policies.json", 0, 0 },
	{ "Firefox", "/usr/lib64/firefox/distribution/policies.json", 0, 0 },
	/* Debian's firefox-esr does not read this one. */
	{ "Firefox", "/etc/firefox-esr/policies/policies.json", 0, 1 },
#endif
};

#ifndef __APPLE__
/* Sandboxed packages, with what they mean for the host. */
static const struct {
	const char *path;	/* "~" is $HOME */
	const char *note;
} sandboxes[] = {
	{ "/snap/chromium", "Chromium is a Snap: it starts only hosts "
	    "inside its sandbox; use a .deb/.rpm Chromium or Chrome" },
	{ "/snap/firefox", "Firefox is a Snap: it reaches native hosts "
	    "only through the WebExtensions portal (xdg-desktop-portal)" },
	{ "~/.var/app/org.chromium.Chromium", "Chromium is a Flatpak: it "
	    "cannot start native hosts outside its sandbox" },
	{ "~/.var/app/com.google.Chrome", "Chrome is a Flatpak: it cannot "
	    "start native hosts outside its sandbox" },
	{ "~/.var/app/com.microsoft.Edge", "Edge is a Flatpak: it cannot "
	    "start native hosts outside its sandbox" },
	{ "~/.var/app/org.mozilla.firefox", "Firefox is a Flatpak: it "
	    "reaches native hosts only through the WebExtensions portal" },
};
#endif

/* Expands a leading "~" with $HOME; 0, or -1 when it cannot. */
static int
expand(const char *in, char *buf, size_t size)
{
	const char *home;
	int n;

	if (in[0] == '~') {
		if ((home = getenv("HOME")) == NULL || home[0] != '/')
			return -1;
		n = snprintf(buf, size, "%s%s", home, in + 1);
	} else
		n = snprintf(buf, size, "%s", in);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int
uk_browsers_registrations(const char *name, uk_browsers_reg_fn *fn,
    void *arg)
{
	char dir[PATH_MAX], path[PATH_MAX];
	size_t i;
	int n, found = 0;

	for (i = 0; i < UK_ARRAY_LEN(manifest_dirs); i++) {
		if (expand(manifest_dirs[i].dir, dir, sizeof(dir)) != 0)
			continue;
		n = snprintf(path, sizeof(path), "%s/%s.json", dir, name);
		if (n < 0 || (size_t)n >= sizeof(path) ||
		    access(path, F_OK) != 0)
			continue;
		fn(arg, manifest_dirs[i].browser, dir, path);
		found++;
	}
	return found;
}

/* The whole file as a string, or NULL (missing, too large, unreadable). */
static char *
slurp(const char *path)
{
	FILE *fp;
	char *buf;
	size_t n;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	if ((buf = malloc(UK_POLICY_FILE_MAX + 1)) == NULL) {
		fclose(fp);
		return NULL;
	}
	n = fread(buf, 1, UK_POLICY_FILE_MAX + 1, fp);
	fclose(fp);
	if (n > UK_POLICY_FILE_MAX) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static int
report_file(const char *browser, const char *path, int ignored,
    uk_browsers_policy_fn *fn, void *arg)
{
	char *text;
	size_t len = strlen(path);

	if (access(path, F_OK) != 0)
		return 0;
	/* Managed preferences are plists: present, but not parsed here. */
	text = len > 6 && strcmp(path + len - 6, ".plist") == 0 ? NULL :
	    slurp(path);
	fn(arg, browser, path, text, ignored);
	free(text);
	return 1;
}

/* Chromium reads every *.json of the directory, in name order. */
static int
report_dir(const char *browser, const char *dir, uk_browsers_policy_fn *fn,
    void *arg)
{
	struct dirent **list = NULL;
	char path[PATH_MAX];
	int i, n, found = 0;
	size_t len;

	if ((n = scandir(dir, &list, NULL, alphasort)) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		const char *name = list[i]->d_name;

		len = strlen(name);
		if (len > 5 && strcmp(name + len - 5, ".json") == 0 &&
		    snprintf(path, sizeof(path), "%s/%s", dir, name) <
		    (int)sizeof(path))
			found += report_file(browser, path, 0, fn, arg);
		free(list[i]);
	}
	free(list);
	return found;
}

int
uk_browsers_policies(uk_browsers_policy_fn *fn, void *arg)
{
	size_t i;
	int found = 0;

	for (i = 0; i < UK_ARRAY_LEN(policy_places); i++)
		found += policy_places[i].is_dir ?
		    report_dir(policy_places[i].browser, policy_places[i].path,
		    fn, arg) :
		    report_file(policy_places[i].browser, policy_places[i].path,
		    policy_places[i].ignored, fn, arg);
	return found;
}

int
uk_browsers_sandboxed(uk_browsers_note_fn *fn, void *arg)
{
#ifdef __APPLE__
	(void)fn;
	(void)arg;
	return 0;
#else
	char path[PATH_MAX];
	size_t i;
	int found = 0;

	for (i = 0; i < UK_ARRAY_LEN(sandboxes); i++) {
		if (expand(sandboxes[i].path, path, sizeof(path)) != 0 ||
		    access(path, F_OK) != 0)
			continue;
		fn(arg, sandboxes[i].note);
		found++;
	}
	return found;
#endif
}
