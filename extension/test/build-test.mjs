// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import { JSDOM } from "jsdom";

import { chromiumId } from "../build.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const read = (p) => readFileSync(join(ROOT, p), "utf8");
const json = (p) => JSON.parse(read(p));

before(() => {
  execFileSync(process.execPath, ["build.mjs", "--check"], { cwd: ROOT, stdio: "pipe" });
});

describe("build", () => {
  it("ids.json has the exact shape the host build reads, and the id matches the committed key", () => {
    const ids = json("ids.json");
    assert.deepEqual(Object.keys(ids), ["chromium", "firefox", "nativeHost"]);
    assert.match(ids.chromium, /^[a-p]{32}$/);
    assert.equal(ids.chromium, chromiumId(read("keys/chromium-public.b64").trim()));
    assert.equal(ids.firefox, "ukeylink@sheca.com");
    assert.equal(ids.nativeHost, "cn.sheca.ukeylink");
  });

  it("computes Chromium ids as sha256 → first 32 hex digits → a-p", () => {
    // sha256("") = e3b0c442 98fc1c14 9afbf4c8 996fb924 …
    assert.equal(chromiumId(""), "odlameecjipmbmbejkplpemijjgpljce");
  });

  it("writes a Chromium MV3 manifest: service worker, key, portal-only static scripts, strict CSP", () => {
    const m = json("dist/chromium/manifest.json");
    assert.equal(m.manifest_version, 3);
    assert.deepEqual(m.background, { service_worker: "background/background.js", type: "module" });
    assert.equal(m.key, read("keys/chromium-public.b64").trim());
    assert.equal(m.default_locale, "zh_CN");
    assert.deepEqual(m.permissions, ["nativeMessaging", "storage", "scripting", "cookies", "alarms"]);
    assert.deepEqual(m.host_permissions, ["<all_urls>"]);
    assert.equal(m.content_security_policy.extension_pages, "script-src 'self'; object-src 'none'");
    assert.deepEqual(m.content_scripts.map((c) => [c.world, c.run_at, c.js[0], c.matches]), [
      ["ISOLATED", "document_start", "content/content.js", ["https://issp.sheca.com/*", "https://issp.shcca.com/*"]],
      ["MAIN", "document_start", "page/page.js", ["https://issp.sheca.com/*", "https://issp.shcca.com/*"]],
    ]);
    assert.equal(m.storage.managed_schema, "managed_schema.json");
    assert.equal(m.browser_specific_settings, undefined);
  });

  it("writes a Firefox manifest: background scripts, gecko id, min version 128, no key", () => {
    const m = json("dist/firefox/manifest.json");
    assert.deepEqual(m.background, { scripts: ["background/background.js"], type: "module" });
    assert.equal(m.browser_specific_settings.gecko.id, "ukeylink@sheca.com");
    assert.equal(m.browser_specific_settings.gecko.strict_min_version, "128.0");
    assert.equal(m.key, undefined);
  });

  it("declares the managed schema for extraOrigins, portalOrigins, portalUrl, logLevel", () => {
    const s = json("dist/chromium/managed_schema.json");
    assert.deepEqual(Object.keys(s.properties).sort(), ["extraOrigins", "helpUrl", "logLevel", "portalOrigins", "portalUrl"]);
    assert.equal(s.properties.extraOrigins.type, "array");
  });

  it("has every message in both locales and no test files in dist", () => {
    const zh = json("dist/chromium/_locales/zh_CN/messages.json");
    const en = json("dist/chromium/_locales/en/messages.json");
    assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
    const files = execFileSync("python3", ["-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print('\\n'.join(z.namelist()))",
      join(ROOT, "dist/ukeylink-firefox.xpi")], { encoding: "utf8" }).trim().split("\n");
    assert.ok(files.includes("manifest.json"));
    assert.ok(files.includes("page/page.js"));
    assert.ok(!files.some((f) => f.includes("__tests__")));
    const chromiumZip = execFileSync("python3", ["-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(len(z.namelist()))",
      join(ROOT, "dist/ukeylink-chromium.zip")], { encoding: "utf8" }).trim();
    assert.equal(Number(chromiumZip), files.length);
  });

  it("bundles the content scripts into classic scripts that work in a page", async () => {
    const page = read("dist/chromium/page/page.js");
    const content = read("dist/chromium/content/content.js");
    for (const code of [page, content]) {
      assert.doesNotMatch(code, /^\s*(import|export)\s/m);
      assert.doesNotMatch(code, /__UKEYLINK_VERSION__/);
    }
    const dom = new JSDOM(`<!doctype html><object id="SafeEngineCtl" classid="CLSID:B48B9648-E9F0-48A3-90A5-8C588CE0898F"></object>`, {
      url: "https://issp.sheca.com/", runScripts: "outside-only",
    });
    const w = dom.window;
    const sent = [];
    w.chrome = {
      runtime: {
        id: "x",
        onMessage: { addListener() {} },
        sendMessage: async (m) => {
          sent.push(m.action);
          if (m.action === "ukeylink:se.snapshot") return { ok: true, result: { devices: [], pluggedTypeList: "a$$1;", certs: [] } };
          return { ok: true, result: { portal: true, version: "0.1.0", helpUrl: "https://issp.sheca.com/" } };
        },
      },
    };
    w.eval(content);
    w.eval(page);
    assert.equal(typeof w.UCCGetPluggedeKey, "function");
    assert.equal(typeof w.UKeyLink.call, "function");
    const r = await w.eval("new UCCGetPluggedeKey()");
    assert.equal(r.DevPluggedTypeList, "a$$1;");
    assert.match(w.eval("SafeEngineCtl.SEH_ShowVersion()"), /UKeyLink 0\.1\.0/);
    assert.ok(sent.includes("ukeylink:hello"));
  });
});
