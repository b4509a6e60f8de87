// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
//
// End-to-end smoke test through the INSTALLED package: Debian's Chromium
// with the real extension and a fresh profile that has no manifest of its
// own, so the native host can only come from the package's
// /etc/chromium/native-messaging-hosts/cn.sheca.ukeylink.json. The
// extension's service worker asks the host for host.version.
// Usage: node tests/installer/chromium-smoke.mjs   (exit 0 on success)
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(join(root, "tests", "e2e", "package.json"));
const { chromium } = require("playwright-core");
const extDir = join(root, "extension", "dist", "chromium");
const profile = mkdtempSync(join(tmpdir(), "uk-deb-smoke-"));

let ctx;
try {
  if (!existsSync(join(extDir, "manifest.json"))) throw new Error(`no built extension in ${extDir}`);
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium", headless: true,
    args: [`--disable-extensions-except=${extDir}`, `--load-extension=${extDir}`, "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-gpu"],
  });
  const sw = ctx.serviceWorkers()[0] ?? await ctx.waitForEvent("serviceworker", { timeout: 60000 });
  if (existsSync(join(profile, "NativeMessagingHosts", "cn.sheca.ukeylink.json"))) {
    throw new Error("the profile has a manifest of its own");
  }
  const answer = await sw.evaluate(() => new Promise((resolve) => {
    chrome.runtime.sendNativeMessage("cn.sheca.ukeylink",
      { id: 1, method: "host.version", params: {}, origin: "ukeylink:ui" },
      (reply) => resolve({ reply, error: chrome.runtime.lastError?.message ?? null }));
  }));
  if (answer.error) throw new Error(`native messaging: ${answer.error}`);
  if (answer.reply?.result?.name !== "ukeylink-host" || answer.reply.result.protocol?.major !== 1) {
    throw new Error(`unexpected reply ${JSON.stringify(answer.reply)}`);
  }
  console.log(`chromium-smoke: installed host ${answer.reply.result.version} answered through the package's manifest`);
} catch (e) {
  console.error(`chromium-smoke: ${e.message}`);
  process.exitCode = 1;
} finally {
  await ctx?.close();
  rmSync(profile, { recursive: true, force: true });
}
