// SPDX-License-Identifier: Apache-2.0
// Test server for the network module: plain HTTP and HTTPS on 127.0.0.1
// (random ports), serving the test PKI of netpki.sh, answering OCSP with the
// real `openssl ocsp` responder, and misbehaving on purpose.
//
//   node netserver.mjs DIR     (DIR holds server.pem/server.key from
//                               `netpki.sh tls DIR`)
//
// Prints one line {"http":PORT,"https":PORT} when listening.  Routes (both
// servers):
//   GET  /static/NAME          DIR/static/NAME
//   POST /ocsp/CA              openssl ocsp with CA's index (CA = inter,
//                              sm2ca); /ocsp/wrong signs with "foreign"
//   GET  /pki/NAME             DIR/pki/NAME (tests/pki/make-pki.sh output,
//                              built with UK_PKI_BASE_URL=BASE/pki)
//   POST /pki/ocsp/CA          openssl ocsp for that PKI's CA directory
//   GET  /slow                 headers, then one byte every second
//   GET  /hang                 never answers
//   GET  /truncated            promises 5000 bytes, sends 1000, closes
//   GET  /garbage              200 with bytes that are no DER
//   GET  /big?n=BYTES          200 with BYTES bytes (Content-Length set)
//   GET  /chunked?n=BYTES      the same without Content-Length
//   GET  /redirect?to=URL      302 to URL
//   GET  /status/CODE          that status
//   GET  /_hits                {path: count} of requests so far
//   POST /_reset               clears the counts
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";

const dir = process.argv[2];
const hits = {};
const sockets = new Set();

function types(name) {
  if (name.endsWith(".crl")) return "application/pkix-crl";
  if (name.endsWith(".der")) return "application/pkix-cert";
  if (name.endsWith(".p7c")) return "application/pkcs7-mime";
  if (name.endsWith(".ocsp")) return "application/ocsp-response";
  return "application/octet-stream";
}

function body(req) {
  return new Promise((resolve) => {
    const parts = [];
    req.on("data", (c) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts)));
  });
}

// Files of the responder for CA: netpki.sh's layout, or tests/pki's
// (make-pki.sh) under DIR/pki for /pki/ocsp/NAME.
function responder(ca, shared) {
  if (shared) {
    const d = path.join(dir, "pki");
    return { index: path.join(d, ca, "index.txt"),
      cert: path.join(d, ca + ".pem"), key: path.join(d, ca, "key.pem"),
      signer: path.join(d, ca + ".pem"), sm3: ca === "sm2-ca" };
  }
  const signer = ca === "wrong" ? "foreign" : ca;
  const issuer = ca === "wrong" ? "inter" : ca;
  return { index: path.join(dir, issuer, "index.txt"),
    cert: path.join(dir, issuer + ".pem"),
    key: path.join(dir, signer + ".key"),
    signer: path.join(dir, signer + ".pem"), sm3: ca === "sm2ca" };
}

function ocsp(ca, shared, reqDer, res) {
  const f = responder(ca, shared);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ukocsp-"));
  fs.writeFileSync(path.join(tmp, "req.der"), reqDer);
  const args = ["ocsp", "-index", f.index, "-rsigner", f.signer,
    "-rkey", f.key, "-CA", f.cert,
    "-reqin", path.join(tmp, "req.der"),
    "-respout", path.join(tmp, "resp.der"), "-ndays", "1"];
  // SM2 responses signed as GM/T 0015 CAs sign (GM/T 0009's default ID;
  // OpenSSL 3.0's own default is an empty one).
  if (f.sm3) args.push("-rmd", "sm3", "-rsigopt", "distid:1234567812345678");
  execFile("openssl", args, (err) => {
    let out = null;
    try { out = fs.readFileSync(path.join(tmp, "resp.der")); } catch { }
    fs.rmSync(tmp, { recursive: true, force: true });
    if (err || !out) { res.writeHead(500); res.end(); return; }
    res.writeHead(200, { "Content-Type": "application/ocsp-response",
      "Content-Length": out.length });
    res.end(out);
  });
}

async function handle(req, res) {
  const url = new URL(req.url, "http://127.0.0.1");
  const p = url.pathname;
  hits[p] = (hits[p] || 0) + 1;
  if (p === "/_hits") { res.end(JSON.stringify(hits)); return; }
  if (p === "/_reset") {
    for (const k of Object.keys(hits)) delete hits[k];
    res.end("{}"); return;
  }
  if (p.startsWith("/static/")) {
    const name = path.basename(p);
    let data;
    try { data = fs.readFileSync(path.join(dir, "static", name)); } catch {
      res.writeHead(404); res.end(); return;
    }
    res.writeHead(200, { "Content-Type": types(name),
      "Content-Length": data.length });
    res.end(data); return;
  }
  if (p.startsWith("/ocsp/") && req.method === "POST") {
    ocsp(path.basename(p), false, await body(req), res); return;
  }
  if (p.startsWith("/pki/ocsp/") && req.method === "POST") {
    ocsp(path.basename(p), true, await body(req), res); return;
  }
  if (p.startsWith("/pki/")) {
    const name = path.basename(p);
    let data;
    try { data = fs.readFileSync(path.join(dir, "pki", name)); } catch {
      res.writeHead(404); res.end(); return;
    }
    res.writeHead(200, { "Content-Type": types(name),
      "Content-Length": data.length });
    res.end(data); return;
  }
  if (p === "/slow") {
    res.writeHead(200, { "Content-Length": 1000 });
    const t = setInterval(() => { if (!res.destroyed) res.write("x"); }, 1000);
    res.on("close", () => clearInterval(t));
    return;
  }
  if (p === "/hang") return;
  if (p === "/truncated") {
    res.writeHead(200, { "Content-Length": 5000 });
    res.write(Buffer.alloc(1000, 0x30));
    setTimeout(() => res.socket && res.socket.destroy(), 50);
    return;
  }
  if (p === "/garbage") {
    res.writeHead(200, { "Content-Type": "application/ocsp-response" });
    res.end("this is not DER, just garbage\n"); return;
  }
  if (p === "/big" || p === "/chunked") {
    const n = Number(url.searchParams.get("n") || 0);
    const h = { "Content-Type": "application/octet-stream" };
    if (p === "/big") h["Content-Length"] = n;
    res.writeHead(200, h);
    const chunk = Buffer.alloc(65536, 0x55);
    let left = n;
    const pump = () => {
      while (left > 0) {
        const c = chunk.subarray(0, Math.min(left, chunk.length));
        left -= c.length;
        if (!res.write(c)) { res.once("drain", pump); return; }
      }
      res.end();
    };
    pump(); return;
  }
  if (p === "/redirect") {
    res.writeHead(302, { Location: url.searchParams.get("to") });
    res.end(); return;
  }
  if (p.startsWith("/status/")) {
    res.writeHead(Number(p.slice(8)) || 500); res.end(); return;
  }
  res.writeHead(404); res.end();
}

function track(server) {
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return server;
}

const plain = track(http.createServer(handle));
const tls = track(https.createServer({
  key: fs.readFileSync(path.join(dir, "server.key")),
  cert: fs.readFileSync(path.join(dir, "server.pem")),
}, handle));
let ready = 0;
const done = () => {
  if (++ready === 2) {
    process.stdout.write(JSON.stringify({ http: plain.address().port,
      https: tls.address().port }) + "\n");
  }
};
plain.listen(0, "127.0.0.1", done);
tls.listen(0, "127.0.0.1", done);
// Stop when the test that started us goes away.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
