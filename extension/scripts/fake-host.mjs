// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

/**
 * A scripted stand-in for ukeylink-host, for the browser smoke test only:
 * native-messaging framing on stdin/stdout, host.version, se.snapshot
 * (sent in chunks), se.call, token.list, cert.list. Logs requests (without
 * PINs) to the file in UKEYLINK_FAKE_LOG.
 */

import { appendFileSync } from "node:fs";

const LOG = process.env.UKEYLINK_FAKE_LOG;
const log = (o) => { if (LOG) appendFileSync(LOG, `${JSON.stringify(o)}\n`); };
const SNAPSHOT = {
  devices: [{ type: 10, slot: 1 }],
  pluggedTypeList: "a$$1;",
  certs: [{ der: "MIIBfake", details: { 2: "0A1B", 14: "上海测试有限公司", 17: "张三" },
    oids: { "1.2.156.10260.4.1.4": "91310000MA1234567X" }, uniqueId: "SH0001", validDays: 42 }],
};
let session = false;

function send(obj) {
  const body = Buffer.from(JSON.stringify(obj), "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32LE(body.length);
  process.stdout.write(Buffer.concat([len, body]));
}

function sendChunked(obj, n) {
  const text = JSON.stringify(obj);
  const size = Math.ceil(text.length / n);
  const parts = Array.from({ length: n }, (_, i) => ({ id: obj.id, chunk: i, of: n, data: text.slice(i * size, (i + 1) * size) }));
  for (const p of parts.reverse()) send(p);
}

function handle(req) {
  const { id, method, params = {}, origin } = req;
  log({ method, se: params.method, args: method === "se.call" && !/InitialSession|ChangePassword/.test(params.method) ? params.args : undefined, session: !!params.session, origin });
  const ok = (result) => send({ id, result });
  switch (method) {
    case "host.version": return ok({ name: "ukeylink-host", version: "0.0.0-fake", protocol: { major: 1, minor: 0 } });
    case "se.snapshot": return sendChunked({ id, result: SNAPSHOT }, 3);
    case "token.list": return ok({ tokens: [{ token: "t1", label: "SHECA", serial: "0001", pin: {} }] });
    case "cert.list": return ok({ certs: [{ token: "t1", certId: "01", der: "MIIBfake", subject: { CN: "张三", O: "上海测试有限公司" }, serial: "0A1B", notBefore: "2025-01-01", notAfter: "2027-01-01", daysLeft: 42 }] });
    case "se.call": {
      const base = params.method.slice(4);
      if (base === "InitialSession") {
        session = params.args[2] === "1111";
        return ok({ value: "", errorCode: session ? 0 : -2113667069 });
      }
      if (base === "SignData") {
        if (params.session) session = params.session[2] === "1111";
        return ok(session ? { value: `sig(${params.args[0]})`, errorCode: 0 } : { value: "", errorCode: -2113667018 });
      }
      if (base === "ClearSession") session = false;
      return ok({ value: "", errorCode: 0 });
    }
    default:
      return send({ id, error: { code: -2113666823, name: "UNKNOWN_METHOD", message: "未知方法", message_en: "Unknown method" } });
  }
}

let buf = Buffer.alloc(0);
process.stdin.on("data", (d) => {
  buf = Buffer.concat([buf, d]);
  while (buf.length >= 4) {
    const n = buf.readUInt32LE(0);
    if (buf.length < 4 + n) break;
    const msg = JSON.parse(buf.subarray(4, 4 + n).toString("utf8"));
    buf = buf.subarray(4 + n);
    handle(msg);
  }
});
process.stdin.on("end", () => process.exit(0));
