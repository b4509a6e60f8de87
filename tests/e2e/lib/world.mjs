// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
// Everything an end-to-end run needs besides the browser: the portal
// replica (in this process), a CONNECT proxy that makes it reachable as
// https://issp.sheca.com (the extension's and host's default portal
// origin, so no policy file has to be written into /etc), a SoftHSM2 demo
// token with a "法人一证通" certificate from the replica's CA, the host's
// configuration, a wrapper that execs the built host, and the host
// manifests for a Chromium profile and a Firefox HOME.
//
// Each missing component is a loud failure that names what to build.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Portal } from "../../portal/lib/app.mjs";
import { demoUnit, issueDemoCert } from "../../portal/lib/demo.mjs";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const HOST_NAME = "cn.sheca.ukeylink";
export const PORTAL_HOST = "issp.sheca.com";
export const PORTAL_ORIGIN = "https://" + PORTAL_HOST;
export const PIN = "12345678";
export const SO_PIN = "87654321";
export const TOKEN_LABEL = "UKeyLink Demo";
const CAPS = ["read", "sign", "enroll", "seal", "unlock"];

const SOFTHSM_MODULES = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
  "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"];

export class MissingComponent extends Error {
  constructor(what, how) {
    super(`MISSING COMPONENT: ${what}. ${how}`);
    this.name = "MissingComponent";
  }
}

/** Paths of the built extension and its ids; throws MissingComponent. */
export function extensionBuild() {
  const dist = process.env.UK_EXT_DIST || path.join(REPO, "extension", "dist");
  const chromium = path.join(dist, "chromium");
  const firefox = path.join(dist, "firefox");
  const idsFile = [process.env.UK_EXT_IDS, path.join(REPO, "extension", "ids.json"), path.join(dist, "ids.json"),
    path.join(dist, "..", "ids.json")].find((f) => f && fs.existsSync(f));
  for (const d of [chromium, firefox]) {
    if (!fs.existsSync(path.join(d, "manifest.json")))
      throw new MissingComponent(`the built extension (${d}/manifest.json)`, "Run `node extension/build.mjs` (branch ext).");
  }
  if (!idsFile) throw new MissingComponent("extension/ids.json", "Branch ext writes it (the Chromium id from the manifest key, the gecko id).");
  const ids = JSON.parse(fs.readFileSync(idsFile, "utf8"));
  const chromiumId = ids.chromium || ids.chromiumId;
  const firefoxId = ids.firefox || ids.firefoxId || ids.gecko;
  if (!/^[a-p]{32}$/.test(chromiumId || "") || !firefoxId)
    throw new MissingComponent(`usable ids in ${idsFile} (${JSON.stringify(ids)})`, "Need {chromium: <32 a-p>, firefox: <gecko id>}.");
  return { chromium, firefox, chromiumId, firefoxId };
}

/** The built host; throws MissingComponent. */
export function hostBinary() {
  const dir = path.resolve(REPO, process.env.UK_BUILD_DIR || "build/release");
  const bin = path.join(dir, "host", "ukeylink-host");
  if (!fs.existsSync(bin))
    throw new MissingComponent(`the host binary ${bin}`, "Build it: cmake -S . -B build/release && cmake --build build/release (or set UK_BUILD_DIR).");
  return bin;
}

export function softhsmModule() {
  const m = process.env.UK_SOFTHSM_MODULE || SOFTHSM_MODULES.find((f) => fs.existsSync(f));
  if (!m) throw new MissingComponent("SoftHSM2 (libsofthsm2.so)", "apt-get install softhsm2 opensc");
  return m;
}

function sh(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...opts }).toString();
  } catch (e) {
    throw new Error(`${cmd} ${args.join(" ")}: ${e.stderr?.toString() || e.message}`);
  }
}

export class World {
  constructor({ name = "e2e", log = console.log } = {}) {
    this.log = log;
    this.tmp = fs.mkdtempSync(path.join(process.env.UK_E2E_TMP || os.tmpdir(), `ukeylink-${name}-`));
    this.artifacts = process.env.UK_E2E_ARTIFACTS || path.join(this.tmp, "artifacts");
    fs.mkdirSync(this.artifacts, { recursive: true });
    this.pidFile = path.join(this.tmp, "host.pids");
    this.hostLog = path.join(this.tmp, "host.log");
  }

  /** Portal + proxy + token + host configuration. */
  async start({ host = true } = {}) {
    this.portal = new Portal({ dir: path.join(this.tmp, "portal"), log: (m) => this.trace(m) });
    await this.portal.listen(0);
    this.proxyPort = await this.startProxy();
    this.origin = PORTAL_ORIGIN;
    this.log(`portal replica ${this.portal.origin}, served as ${PORTAL_ORIGIN} through the proxy 127.0.0.1:${this.proxyPort}`);
    this.makeToken();
    if (host) this.writeHostWrapper();
    return this;
  }

  trace(m) {
    fs.appendFileSync(path.join(this.tmp, "portal.log"), m + "\n");
  }

  /** HTTP CONNECT proxy: issp.sheca.com:443 → the replica. Everything else is refused. */
  startProxy() {
    this.proxy = http.createServer((req, res) => { res.writeHead(403); res.end("proxy: CONNECT only\n"); });
    this.proxy.on("connect", (req, sock, head) => {
      const [h, p] = req.url.split(":");
      const replica = h === "127.0.0.1" && p === String(this.portal.port);
      if (!replica && (![PORTAL_HOST, "issp.shcca.com"].includes(h) || p !== "443")) {
        sock.end("HTTP/1.1 403 Forbidden\r\n\r\n");
        return;
      }
      const up = net.connect(this.portal.port, "127.0.0.1", () => {
        sock.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        if (head?.length) up.write(head);
        up.pipe(sock);
        sock.pipe(up);
      });
      up.on("error", () => sock.destroy());
      sock.on("error", () => up.destroy());
    });
    return new Promise((resolve) => this.proxy.listen(0, "127.0.0.1", () => resolve(this.proxy.address().port)));
  }

  /** A SoftHSM2 token holding the demo unit's key and certificate (80 days left). */
  makeToken({ days = 80 } = {}) {
    const module = softhsmModule();
    const dir = path.join(this.tmp, "softhsm");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, "tokens"), { recursive: true });
    this.softhsmConf = path.join(dir, "softhsm2.conf");
    fs.writeFileSync(this.softhsmConf, `directories.tokendir = ${dir}/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
    const env = { ...process.env, SOFTHSM2_CONF: this.softhsmConf };
    sh("softhsm2-util", ["--init-token", "--free", "--label", TOKEN_LABEL, "--so-pin", SO_PIN, "--pin", PIN], { env });
    const d = issueDemoCert(this.portal.ca, demoUnit(), path.join(this.tmp, "demo"), { days });
    const pub = path.join(this.tmp, "demo", "pub.pem");
    sh("openssl", ["pkey", "-in", d.keyPath, "-pubout", "-out", pub]);
    const w = (file, type) => sh("pkcs11-tool", ["--module", module, "--token-label", TOKEN_LABEL, "--login", "--pin", PIN,
      "--write-object", file, "--type", type, "--id", "01", "--label", "法人一证通"], { env });
    w(d.keyPath, "privkey");
    w(pub, "pubkey");
    w(path.join(this.tmp, "demo", "cert.der"), "cert");
    const info = sh("pkcs11-tool", ["--module", module, "-L"], { env });
    const m = /token label\s*:\s*UKeyLink Demo[\s\S]*?serial num\s*:\s*(\S+)/.exec(info);
    this.tokenSerial = m ? m[1] : "";
    this.portal.tokens.set(this.tokenSerial, { soPin: SO_PIN });
    this.demo = d;
    this.module = module;
    this.log(`demo token "${TOKEN_LABEL}" (serial ${this.tokenSerial}) in ${dir}: certificate ${d.serial}, PIN ${PIN}`);
    return d;
  }

  /** Objects on the token (pkcs11-tool -O), for assertions from outside the browser. */
  tokenObjects() {
    return sh("pkcs11-tool", ["--module", this.module, "--token-label", TOKEN_LABEL, "--login", "--pin", this.currentPin || PIN, "-O"],
      { env: { ...process.env, SOFTHSM2_CONF: this.softhsmConf } });
  }

  hostConfig(ids) {
    return {
      extensionIds: { chromium: [ids.chromiumId], firefox: [ids.firefoxId] },
      // the replica's own address stands for a government site: read + sign only
      origins: [{ origin: PORTAL_ORIGIN, capabilities: CAPS }, { origin: this.portal.origin, capabilities: ["read", "sign"] }],
      log: { level: "debug", destination: this.hostLog },
      pkcs11: { modules: [this.module] },
      trustAnchors: [this.portal.ca.p("root.pem")],
      // host/doc/enroll.md: seal packages must chain to sealCA
      enroll: { sealCA: [this.portal.ca.p("root.pem")] },
    };
  }

  /** Host config + the wrapper script the manifests point at. */
  writeHostWrapper() {
    this.ext = extensionBuild();
    const bin = hostBinary();
    this.configFile = path.join(this.tmp, "host-config.json");
    fs.writeFileSync(this.configFile, JSON.stringify(this.hostConfig(this.ext), null, 2));
    this.wrapper = path.join(this.tmp, "ukeylink-host-wrapper.sh");
    fs.writeFileSync(this.wrapper, `#!/bin/sh
# E2E wrapper: the test's token and configuration, then the real host.
echo $$ >> '${this.pidFile}'
export SOFTHSM2_CONF='${this.softhsmConf}'
export UKEYLINK_CONFIG='${this.configFile}'
export XDG_STATE_HOME='${this.tmp}/state'
exec '${bin}' "$@" 2>>'${this.tmp}/host.stderr'
`, { mode: 0o755 });
    this.log(`host ${bin} via ${this.wrapper}; config ${this.configFile}`);
  }

  /** Registers the host for a Chromium started with --user-data-dir=dir. */
  registerChromium(userDataDir) {
    const d = path.join(userDataDir, "NativeMessagingHosts");
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, HOST_NAME + ".json"), JSON.stringify({ name: HOST_NAME,
      description: "UKeyLink (E2E)", path: this.wrapper, type: "stdio",
      allowed_origins: [`chrome-extension://${this.ext.chromiumId}/`] }, null, 2));
  }

  /** Registers the host for a Firefox running with HOME=home. */
  registerFirefox(home) {
    const d = path.join(home, ".mozilla", "native-messaging-hosts");
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, HOST_NAME + ".json"), JSON.stringify({ name: HOST_NAME,
      description: "UKeyLink (E2E)", path: this.wrapper, type: "stdio",
      allowed_extensions: [this.ext.firefoxId] }, null, 2));
  }

  /**
   * Enterprise policy (reference/extension-permissions.md): managed storage
   * lists the replica's own origin (https://127.0.0.1:<port>) as an extra
   * origin. Chromium: a uniquely named file in the global managed-policy
   * directory; Firefox: policies.json in /etc/firefox/policies (merged into
   * an existing one, restored byte for byte). Returns the undo function.
   * Both browsers read these at startup: launch after calling this.
   */
  applyPolicy(browser) {
    const managed = { extraOrigins: [this.portal.origin] };
    if (browser === "chromium") {
      const dir = "/etc/chromium/policies/managed";
      const created = !fs.existsSync(dir);
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `ukeylink-e2e-${process.pid}-${path.basename(this.tmp)}.json`);
      fs.writeFileSync(file, JSON.stringify({ "3rdparty": { extensions: { [this.ext.chromiumId]: managed } } }, null, 2));
      this.log(`policy: ${file}`);
      return () => {
        fs.rmSync(file, { force: true });
        if (created) { try { fs.rmdirSync(dir); fs.rmdirSync(path.dirname(dir)); } catch { /* not empty */ } }
      };
    }
    const dir = "/etc/firefox/policies";
    const file = path.join(dir, "policies.json");
    const created = [dir, path.dirname(dir)].filter((d) => !fs.existsSync(d));
    const before = fs.existsSync(file) ? fs.readFileSync(file) : null;
    const doc = before ? JSON.parse(before.toString("utf8")) : { policies: {} };
    doc.policies ??= {};
    doc.policies["3rdparty"] ??= {};
    doc.policies["3rdparty"].Extensions ??= {};
    doc.policies["3rdparty"].Extensions[this.ext.firefoxId] = managed;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(doc, null, 2));
    this.log(`policy: ${file}${before ? " (merged, restored afterwards)" : ""}`);
    return () => {
      if (before) fs.writeFileSync(file, before);
      else fs.rmSync(file, { force: true });
      for (const d of created) { try { fs.rmdirSync(d); } catch { /* not empty */ } }
    };
  }

  hostPids() {
    if (!fs.existsSync(this.pidFile)) return [];
    return fs.readFileSync(this.pidFile, "utf8").split("\n").filter(Boolean).map(Number)
      .filter((p) => { try { process.kill(p, 0); return true; } catch { return false; } });
  }

  /** Kills every running host process this world started (SIGKILL: a crash). */
  killHosts() {
    const pids = this.hostPids();
    for (const p of pids) { try { process.kill(p, "SIGKILL"); } catch { /* gone */ } }
    return pids;
  }

  tail(file, n = 40) {
    try { return fs.readFileSync(file, "utf8").split("\n").slice(-n).join("\n"); } catch { return "(none)"; }
  }

  async stop() {
    this.killHosts();
    await new Promise((r) => this.proxy ? this.proxy.close(() => r()) : r());
    this.proxy?.closeAllConnections?.();
    if (this.portal) await this.portal.close();
    // screenshots kept elsewhere: the rest (profiles, token, CA) goes
    if (process.env.UK_E2E_ARTIFACTS && !this.artifacts.startsWith(this.tmp) && process.env.UK_E2E_KEEP !== "1")
      fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}
