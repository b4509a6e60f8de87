#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
// The portal replica:  node tests/portal/server.mjs [--port N] [--dir DIR]
//   PORTAL_PORT (default 0 = any free port), PORTAL_DIR (default: a new temp
//   dir; the CA is created there on first start and reused after).
// Prints "PORTAL_URL=https://127.0.0.1:<port>" and "PORTAL_CA=<root.pem>".
// Subcommand:  node server.mjs demo-cert --dir DIR --out OUTDIR [--days N]
//   issues the demo unit's "法人一证通" key + certificate into OUTDIR.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { Portal } from "./lib/app.mjs";
import { TestCA } from "./lib/ca.mjs";
import { demoUnit, issueDemoCert } from "./lib/demo.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: "string" }, dir: { type: "string" }, out: { type: "string" },
    days: { type: "string" }, quiet: { type: "boolean" },
  },
});
const dir = values.dir || process.env.PORTAL_DIR || fs.mkdtempSync(path.join(os.tmpdir(), "ukeylink-portal-"));

if (positionals[0] === "demo-cert") {
  const ca = new TestCA(path.join(dir, "ca")).init();
  const r = issueDemoCert(ca, demoUnit(), values.out || path.join(dir, "demo"), { days: Number(values.days || 80) });
  console.log(JSON.stringify({ serial: r.serial, notAfter: r.notAfter, key: r.keyPath, cert: r.certPath }));
  process.exit(0);
}

const portal = new Portal({ dir, log: values.quiet ? () => {} : (m) => console.error(m),
  unlockNewPin: process.env.PORTAL_UNLOCK_NEWPIN || "host" });
await portal.listen(Number(values.port || process.env.PORTAL_PORT || 0));
console.log(`PORTAL_URL=${portal.origin}`);
console.log(`PORTAL_CA=${portal.ca.p("root.pem")}`);
console.log(`PORTAL_DIR=${dir}`);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => portal.close().then(() => process.exit(0)));
