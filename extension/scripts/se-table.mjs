// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

/**
 * Prints the SafeEngine mapping table of README.md from the one table in
 * src/shared/seMethods.js (test/readme-test.mjs checks they agree).
 * Usage: node scripts/se-table.mjs
 */

import { fileURLToPath } from "node:url";

import { SESSION_ARGS, SE_METHODS } from "../src/shared/seMethods.js";

const KIND = {
  snapshot: "snapshot (host on a miss)",
  token: "token: suspend + replay",
  post: "sent, ErrorCode 0 at once",
  local: "computed in the page",
};

/** @returns {string} the markdown table */
export default function seTable() {
  const rows = [
    "| method (SEH_ / ESE_) | IE arguments (numeric in *italics*) | async form after the 7 session args | se.call params sent | sync object | cap |",
    "|---|---|---|---|---|---|",
  ];
  for (const [base, spec] of Object.entries(SE_METHODS)) {
    const own = spec.own.map((a, i) => (spec.numeric.includes(i) ? `*${a}*` : a)).join(", ") || "—";
    const asyncOwn = (spec.asyncOwn ?? spec.own).join(", ") || "—";
    const from = spec.fromSession ? ` (${spec.own.filter((a) => !(spec.asyncOwn ?? []).includes(a)).join(", ")} ← session)` : "";
    const sent = spec.kind === "local" ? "— (not sent)" : `{method, args${spec.session ? ", session" : ""}}`;
    rows.push(`| ${base} | ${own} | ${asyncOwn}${from}, flag | ${sent} | ${KIND[spec.kind]} | ${spec.cap} |`);
  }
  return `${rows.join("\n")}\n\nSession arguments: ${SESSION_ARGS.join(", ")}.\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(seTable());
