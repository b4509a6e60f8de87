// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import config from "../../shared/config.js";
import { serializeError } from "../../shared/errors/errorSerializer.js";

/**
 * "Copy diagnostics" for IT: versions, browser, origins configuration,
 * readers with ATRs (and the ones no token make matched), last errors.
 * Never a PIN, never request parameters.
 *
 * @param {import("./types.js").Context} ctx
 * @returns {Promise<{text: string}>}
 */
export default async function uiDiagnostics(ctx) {
  const p = ctx.policy.policy;
  const s = ctx.sessions.get("ui", config.UI_ORIGIN);
  const lines = [
    "UKeyLink diagnostics",
    `time: ${new Date().toISOString()}`,
    `extension: ${ctx.extension.version} (${ctx.extension.id})`,
    `browser: ${ctx.extension.userAgent}`,
  ];
  try {
    const info = await s.service.connect();
    lines.push(`host: ${info.name} ${info.version}, protocol ${info.protocol.major}.${info.protocol.minor}`);
    const readers = /** @type {any[]} */ ((await s.service.request("reader.list", {})).readers);
    lines.push(`readers: ${readers.length}`);
    for (const r of readers) {
      const make = r.make && typeof r.make === "object" ? `${r.make.name ?? ""} (type ${r.make.type ?? "?"})` : "UNKNOWN ATR";
      lines.push(`  - ${r.name} | state ${r.state ?? "?"} | ATR ${r.atr ?? "-"} | ${make}`);
    }
    const unknown = readers.filter((r) => r.atr && !r.make).map((r) => r.atr);
    lines.push(`unknown ATRs: ${unknown.length ? unknown.join(", ") : "none"}`);
  } catch (e) {
    const err = serializeError(e);
    lines.push(`host: ERROR ${err.code} (${err.lastError}) ${err.messageEn}`);
  }
  lines.push(`portal origins: ${p.portalOrigins.join(", ")}`);
  lines.push(`policy extraOrigins: ${p.extraOrigins.join(", ") || "none"}`);
  lines.push(`user-enabled origins: ${p.userOrigins.join(", ") || "none"}`);
  const insecure = p.allowedOrigins.filter((o) => o.startsWith("http:"));
  if (insecure.length) lines.push(`WARNING insecure http origins: ${insecure.join(", ")}`);
  if (p.rejected.length) lines.push(`rejected policy entries: ${JSON.stringify(p.rejected)}`);
  lines.push(`portalUrl: ${p.config.portalUrl}, logLevel: ${p.config.logLevel}`);
  lines.push(`badge: ${ctx.badge.current.days === null ? "no certificate seen" : `${ctx.badge.current.days} days left`}`);
  lines.push("last errors:");
  for (const e of ctx.errors.entries) lines.push(`  ${e.time} ${e.action} ${e.method} ${e.code} ${e.lastError}`);
  if (!ctx.errors.entries.length) lines.push("  none");
  return { text: lines.join("\n") };
}
