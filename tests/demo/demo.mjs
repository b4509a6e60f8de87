// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
// The README's demo: a demo key (SoftHSM2) with a "法人一证通" certificate,
// the portal replica (served as https://issp.sheca.com through a local
// proxy), the host registered for the demo's Chromium profile, and Chromium
// with the extension on the portal's home page. Headed when $DISPLAY is
// set (Ctrl-C or closing the browser ends it); otherwise the renewal flow
// runs headless, step by step, with screenshots.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { ChromiumSession } from "../e2e/lib/browsers.mjs";
import { Flows } from "../e2e/lib/flows.mjs";
import { PIN, REPO, World } from "../e2e/lib/world.mjs";

const t0 = Date.now();
const log = (m) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${m}`);
const headed = !!process.env.DISPLAY && process.env.UK_DEMO_HEADLESS !== "1";

const world = new World({ name: "demo", log });
let session;
async function cleanup(code) {
  await session?.close();
  await world.stop();
  process.exit(code);
}
process.on("SIGINT", () => cleanup(0));
process.on("SIGTERM", () => cleanup(0));

try {
  log("setting up: portal replica, demo key, host configuration");
  await world.start();
  const udd = path.join(world.tmp, "chromium-profile");
  fs.mkdirSync(udd, { recursive: true });
  // register the host the way a user install does (installer/linux/install.sh),
  // scoped to the demo's Chromium profile
  const installer = path.join(REPO, "installer", "linux", "install.sh");
  let registered = false;
  if (fs.existsSync(installer)) {
    try {
      execFileSync("sh", [installer, "--profile-dir", udd, "--host", world.wrapper,
        "--chromium-id", world.ext.chromiumId, "--firefox-id", world.ext.firefoxId, "-q"], { stdio: "inherit" });
      registered = fs.existsSync(path.join(udd, "NativeMessagingHosts", "cn.sheca.ukeylink.json"));
    } catch (e) {
      log(`installer/linux/install.sh failed (${e.message}); writing the manifest directly`);
    }
  }
  if (!registered) world.registerChromium(udd);
  log(`host manifest: ${path.join(udd, "NativeMessagingHosts", "cn.sheca.ukeylink.json")}${registered ? " (by install.sh)" : ""}`);

  session = await new ChromiumSession("demo", world.artifacts, log)
    .launch({ extDir: world.ext.chromium, userDataDir: udd, proxyPort: world.proxyPort, headless: !headed });
  const tab = await session.newTab();
  await tab.goto(`${world.origin}/`);
  await tab.shot("home");
  log(`Chromium is on the portal home page ${world.origin}/ (replica at ${world.portal.origin})`);
  log(`demo key: "法人一证通" ${world.demo.serial}, PIN ${PIN}`);

  if (headed) {
    log("headed: use the portal in the browser window (证书更新, 添加证件, 印章申请, 介质解锁).");
    log("admin (approve seals/unlocks): curl -k -X POST " + world.portal.origin + "/admin/seal/approve  |  /admin/unlock/approve");
    log("close the browser or press Ctrl-C to stop.");
    await new Promise((r) => session.ctx.on("close", r));
    await cleanup(0);
  }

  log("no display: running the renewal flow headless");
  const flows = new Flows({ world, session, log });
  const r = await flows.renewal("async");
  log(`renewal done: ${r.oldSerial} → ${r.newSerial}`);
  log(`screenshots: ${world.artifacts}`);
  for (const f of fs.readdirSync(world.artifacts).sort()) console.log("    " + path.join(world.artifacts, f));
  await cleanup(0);
} catch (e) {
  log(`DEMO FAILED: ${e.message}`);
  log(`host stderr: ${world.tail(path.join(world.tmp, "host.stderr"), 15)}`);
  log(`screenshots so far: ${world.artifacts}`);
  await cleanup(1);
}
