// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

/**
 * Browser smoke test (not part of `npm test`; the real E2E suite comes with
 * the portal replica): headless Debian Chromium with dist/chromium and the
 * scripted host scripts/fake-host.mjs, a local HTTPS page enabled through
 * the extension's own user-origin list, then an async call and an IE-style
 * onclick login that must post the signature. Usage:
 *   node build.mjs && node scripts/smoke-chromium.mjs
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ids = JSON.parse(readFileSync(join(ROOT, "ids.json"), "utf8"));
const tmp = mkdtempSync(join(tmpdir(), "ukeylink-smoke-"));
const profile = join(tmp, "profile");
const hostLog = join(tmp, "host.log");
mkdirSync(join(profile, "NativeMessagingHosts"), { recursive: true });
const hostScript = join(tmp, "host.sh");
writeFileSync(hostScript, `#!/bin/sh\nUKEYLINK_FAKE_LOG=${hostLog} exec ${process.execPath} ${join(ROOT, "scripts/fake-host.mjs")}\n`);
chmodSync(hostScript, 0o755);
writeFileSync(join(profile, "NativeMessagingHosts", "cn.sheca.ukeylink.json"), JSON.stringify({
  name: "cn.sheca.ukeylink", description: "fake", path: hostScript, type: "stdio",
  allowed_origins: [`chrome-extension://${ids.chromium}/`],
}));
execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1",
  "-keyout", join(tmp, "key.pem"), "-out", join(tmp, "cert.pem")], { stdio: "ignore" });

const posts = [];
const PAGE = `<!doctype html><meta charset="utf-8">
<object id="SafeEngineCtl" classid="CLSID:B48B9648-E9F0-48A3-90A5-8C588CE0898F"></object>
<form id="f" action="/login" method="post"><input id="pin" name="pin" value="1111"><input id="cert" name="cert"><input id="cn" name="cn"><input id="signed" name="signed">
<button id="go" type="submit" onclick="return doLogin()">登录</button></form>
<script>
function doLogin() {
  SafeEngineCtl.SEH_InitialSession(0xa, "com1", document.getElementById("pin").value, 0, 0xa, "com1", "");
  if (SafeEngineCtl.ErrorCode != 0) { alert("私钥密码错误 " + SafeEngineCtl.ErrorCode); return false; }
  var cert = SafeEngineCtl.SEH_GetSelfCertificate(0xa, "com1", "");
  document.getElementById("cn").value = SafeEngineCtl.SEH_GetCertDetail(cert, 17);
  document.getElementById("cert").value = cert;
  document.getElementById("signed").value = SafeEngineCtl.SEH_SignData("nonce-" + Math.random(), 3);
  return true;
}
</script>`;
const server = createServer({ key: readFileSync(join(tmp, "key.pem")), cert: readFileSync(join(tmp, "cert.pem")) }, (req, res) => {
  if (req.method === "POST") {
    let body = "";
    req.on("data", (d) => { body += d; });
    req.on("end", () => {
      posts.push(Object.fromEntries(new URLSearchParams(body)));
      res.end("ok");
    });
    return;
  }
  res.setHeader("content-type", "text/html; charset=utf-8");
  res.end(PAGE);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const origin = `https://127.0.0.1:${server.address().port}`;

const ext = join(ROOT, "dist/chromium");
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  ignoreHTTPSErrors: true,
  args: [`--disable-extensions-except=${ext}`, `--load-extension=${ext}`, "--no-first-run", "--disable-gpu",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  let [sw] = context.serviceWorkers();
  if (!sw) sw = await context.waitForEvent("serviceworker", { timeout: 10000 });
  assert.equal(new URL(sw.url()).host, ids.chromium, "stable extension id");
  await sw.evaluate((o) => chrome.storage.local.set({ userOrigins: [o] }), origin);
  for (let i = 0; i < 50; i++) {
    const n = await sw.evaluate(() => chrome.scripting.getRegisteredContentScripts().then((l) => l.length));
    if (n === 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const page = await context.newPage();
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  await page.goto(`${origin}/`);
  assert.equal(await page.evaluate(() => !!window.UCCGetPluggedeKey), true, "async API injected");
  const list = await page.evaluate(() => new window.UCCGetPluggedeKey().then((r) => r.DevPluggedTypeList));
  assert.equal(list, "a$$1;");
  const sig = await page.evaluate(() => new window.SEH_SignData("a", "com1", "1111", "0", "", "", "", "abc", "3", "0"));
  assert.equal(sig, "sig(abc)");
  const bad = await page.evaluate(() => new window.SEH_InitialSession("a", "com1", "0000", "0", "a", "com1", "", "0").then(() => 0, (e) => e.LastError));
  assert.equal(bad, -2113667069);
  await page.reload();
  await page.click("#go");
  for (let i = 0; i < 100 && posts.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(posts.length, 1, `the form was posted (dialogs: ${dialogs.join("|")})`);
  assert.equal(posts[0].cn, "张三");
  assert.equal(posts[0].cert, "MIIBfake");
  assert.match(posts[0].signed, /^sig\(nonce-0\.\d+\)$/);
  assert.deepEqual(dialogs, []);
  const popup = await context.newPage();
  const popupErrors = [];
  popup.on("console", (m) => popupErrors.push(m.text()));
  popup.on("pageerror", (e) => popupErrors.push(String(e)));
  await popup.goto(`chrome-extension://${ids.chromium}/popup/popup.html`);
  await popup.waitForSelector("#certs li", { timeout: 5000 }).catch(async (e) => {
    console.error("popup:", popupErrors, await popup.textContent("body"));
    throw e;
  });
  const certText = await popup.textContent("#certs");
  assert.match(certText, /张三/);
  console.log("smoke-chromium: ok", { origin, posted: posts[0], hostLog: readFileSync(hostLog, "utf8").trim().split("\n").length });
} finally {
  await context.close();
  server.close();
}
