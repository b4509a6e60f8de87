// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

/**
 * Builds the extension from src/ for both browsers, with no dependencies:
 *
 *   dist/chromium/            unpacked, Manifest V3 service worker, manifest `key` (stable id)
 *   dist/firefox/             unpacked, Manifest V3 background.scripts, gecko id
 *   dist/ukeylink-chromium.zip
 *   dist/ukeylink-firefox.xpi
 *   ids.json                  {"chromium", "firefox", "nativeHost"} for the host build and installers
 *
 * Content scripts cannot be ES modules, so content/content.js and
 * page/page.js are bundled here into one classic script each (a tiny
 * module bundler for this tree's import/export forms). The background and
 * the popup stay ES modules.
 *
 * Usage: node build.mjs [--check]   (--check: fail if ids.json would change)
 */

import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, posix, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateRawSync } from "node:zlib";

const ROOT = dirname(fileURLToPath(import.meta.url));
const SRC = join(ROOT, "src");
const DIST = join(ROOT, "dist");
const GECKO_ID = "ukeylink@sheca.com";
const NATIVE_HOST = "cn.sheca.ukeylink";
const FIREFOX_MIN = "128.0";
const CHROME_MIN = "111";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const VERSION = pkg.version;

/**
 * Chromium extension id of a base64 DER SubjectPublicKeyInfo: sha256,
 * first 32 hex digits, 0-9a-f mapped to a-p.
 *
 * @param {string} keyB64
 * @returns {string}
 */
export function chromiumId(keyB64) {
  const hex = createHash("sha256").update(Buffer.from(keyB64, "base64")).digest("hex").slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join("");
}

// ---------------------------------------------------------------- bundler

const IMPORT_RE = /^import\s+([\s\S]*?)\s+from\s+"([^"]+)";[ \t]*$/gm;

/**
 * @param {string} file absolute path
 * @param {Map<string, string>} seen file → transformed module code
 * @param {string[]} order post-order of files
 */
function collect(file, seen, order) {
  if (seen.has(file)) return;
  seen.set(file, "");
  const code = readFileSync(file, "utf8");
  for (const m of code.matchAll(IMPORT_RE)) {
    if (!m[2].startsWith(".")) throw new Error(`${file}: only relative imports can be bundled: ${m[2]}`);
    collect(resolve(dirname(file), m[2]), seen, order);
  }
  order.push(file);
}

/**
 * Rewrites one ES module into a function body returning its exports.
 *
 * @param {string} file
 * @returns {string}
 */
function transform(file) {
  let code = readFileSync(file, "utf8");
  const key = (/** @type {string} */ f) => JSON.stringify(relative(SRC, f).split("\\").join("/"));
  code = code.replace(/^\/\/ SPDX-License-Identifier:.*\n|^\/\/ Copyright.*\n|^\/\/ @ts-check\n/gm, "");
  code = code.replace(IMPORT_RE, (_, clause, spec) => {
    const mod = `__m[${key(resolve(dirname(file), spec))}]`;
    const parts = [];
    const named = /\{([\s\S]*)\}/.exec(clause);
    const def = clause.replace(/,?\s*\{[\s\S]*\}/, "").trim();
    if (def) parts.push(`const ${def} = ${mod}.default;`);
    if (named) {
      const names = named[1].split(",").map((s) => s.trim()).filter(Boolean).map((s) => s.replace(/\s+as\s+/, ": "));
      parts.push(`const { ${names.join(", ")} } = ${mod};`);
    }
    return parts.join(" ");
  });
  const exported = [];
  let defaultExpr = null;
  code = code.replace(/^export default (async function|function|class)\s+([A-Za-z_$][\w$]*)/gm, (_, kw, name) => {
    defaultExpr = name;
    return `${kw} ${name}`;
  });
  code = code.replace(/^export default ([\s\S]*?);$/m, (_, expr) => {
    defaultExpr = "__default";
    return `const __default = ${expr};`;
  });
  code = code.replace(/^export (async function|function|class|const|let)\s+([A-Za-z_$][\w$]*)/gm, (_, kw, name) => {
    exported.push(name);
    return `${kw} ${name}`;
  });
  if (/^export\s/m.test(code)) throw new Error(`${file}: unsupported export form`);
  const entries = [...exported];
  if (defaultExpr) entries.push(`default: ${defaultExpr}`);
  return `__m[${key(file)}] = (() => {\n${code.trim()}\nreturn { ${entries.join(", ")} };\n})();\n`;
}

/**
 * Bundles an entry module into one classic script.
 *
 * @param {string} entry path under src/
 * @returns {string}
 */
export function bundle(entry) {
  const seen = new Map();
  const order = [];
  collect(join(SRC, entry), seen, order);
  const body = order.map(transform).join("\n");
  return "// SPDX-License-Identifier: Apache-2.0\n// Copyright (c) 2026 UKeyLink contributors\n"
    + `// Built from src/${entry} by build.mjs; do not edit.\n(() => {\n"use strict";\nconst __m = Object.create(null);\n`
    + `${body.replace(/__UKEYLINK_VERSION__/g, VERSION)}})();\n`;
}

// ---------------------------------------------------------------- zip

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** @param {Buffer} buf */
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Writes a deterministic zip (fixed timestamps, sorted names, deflate).
 *
 * @param {string} dir
 * @param {string} out
 */
export function zipDir(dir, out) {
  const files = listFiles(dir).sort();
  const chunks = [];
  const central = [];
  let offset = 0;
  const DOS_TIME = 0;
  const DOS_DATE = ((2026 - 1980) << 9) | (1 << 5) | 1;
  for (const rel of files) {
    const data = readFileSync(join(dir, rel));
    const comp = deflateRawSync(data, { level: 9 });
    const name = Buffer.from(rel.split("\\").join("/"), "utf8");
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(comp.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    chunks.push(local, name, comp);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt16LE(DOS_TIME, 12);
    cd.writeUInt16LE(DOS_DATE, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(comp.length, 20);
    cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    offset += local.length + name.length + comp.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(out, Buffer.concat([...chunks, cdBuf, end]));
}

/**
 * @param {string} dir
 * @param {string} [base]
 * @returns {string[]} paths relative to dir
 */
function listFiles(dir, base = dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? listFiles(p, base) : [relative(base, p)];
  });
}

// ---------------------------------------------------------------- build

/**
 * @param {"chromium" | "firefox"} target
 * @param {string} keyB64
 * @returns {object} manifest
 */
export function manifestFor(target, keyB64) {
  const m = JSON.parse(readFileSync(join(SRC, "manifest.template.json"), "utf8"));
  m.version = VERSION;
  if (target === "chromium") {
    m.background = { service_worker: "background/background.js", type: "module" };
    m.minimum_chrome_version = CHROME_MIN;
    m.key = keyB64;
  } else {
    m.background = { scripts: ["background/background.js"], type: "module" };
    m.browser_specific_settings = {
      gecko: { id: GECKO_ID, strict_min_version: FIREFOX_MIN, data_collection_permissions: { required: ["none"] } },
    };
  }
  return m;
}

const COPY = ["background", "shared", "popup", "_locales", "icons", "managed_schema.json"];

/**
 * @param {"chromium" | "firefox"} target
 * @param {string} keyB64
 * @param {{content: string, page: string}} bundles
 */
function buildTarget(target, keyB64, bundles) {
  const out = join(DIST, target);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const item of COPY) {
    const from = join(SRC, item);
    if (!existsSync(from)) continue;
    cpSync(from, join(out, item), {
      recursive: true,
      filter: (p) => !p.split(/[\\/]/).includes("__tests__"),
    });
  }
  mkdirSync(join(out, "content"), { recursive: true });
  mkdirSync(join(out, "page"), { recursive: true });
  writeFileSync(join(out, "content", "content.js"), bundles.content);
  writeFileSync(join(out, "page", "page.js"), bundles.page);
  writeFileSync(join(out, "manifest.json"), `${JSON.stringify(manifestFor(target, keyB64), null, 2)}\n`);
  return out;
}

function main() {
  const check = process.argv.includes("--check");
  const keyB64 = readFileSync(join(ROOT, "keys", "chromium-public.b64"), "utf8").trim();
  const ids = { chromium: chromiumId(keyB64), firefox: GECKO_ID, nativeHost: NATIVE_HOST };
  const idsText = `${JSON.stringify(ids, null, 2)}\n`;
  const idsPath = join(ROOT, "ids.json");
  if (check && (!existsSync(idsPath) || readFileSync(idsPath, "utf8") !== idsText)) {
    throw new Error("ids.json is out of date: run node build.mjs");
  }
  writeFileSync(idsPath, idsText);
  const bundles = { content: bundle("content/content.js"), page: bundle("page/page.js") };
  mkdirSync(DIST, { recursive: true });
  const chromium = buildTarget("chromium", keyB64, bundles);
  const firefox = buildTarget("firefox", keyB64, bundles);
  zipDir(chromium, join(DIST, "ukeylink-chromium.zip"));
  zipDir(firefox, join(DIST, "ukeylink-firefox.xpi"));
  console.log(`built ${VERSION}: chromium id ${ids.chromium}, firefox id ${ids.firefox}`);
  console.log(`  ${posix.join("dist", "chromium")}/, dist/firefox/, dist/ukeylink-chromium.zip, dist/ukeylink-firefox.xpi`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
