// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import { lookupSeMethod } from "./seMethods.js";
import SE_CODES from "./seCodes.js";

/**
 * @typedef {object} SnapshotCert
 * @property {string} der base64 DER
 * @property {Record<string, string>} details SEH_GetCertDetail item → value
 * @property {Record<string, string>} oids extension OID → text value
 * @property {string} uniqueId
 * @property {number} validDays
 *
 * @typedef {object} Snapshot host se.snapshot result
 * @property {unknown[]} devices
 * @property {string} pluggedTypeList e.g. "a$$1;"
 * @property {SnapshotCert[]} certs signing certificate of each plugged token first
 *
 * @typedef {{value: string | number, errorCode: number}} SeAnswer
 */

const OID_RE = /^[0-2](\.(0|[1-9]\d*)){1,30}$/;

/**
 * Normalizes a certificate argument for comparison: PEM armour and
 * whitespace removed.
 *
 * @param {string} cert
 * @returns {string}
 */
export function normalizeCert(cert) {
  return cert.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
}

/**
 * @param {Snapshot} snapshot
 * @param {string} cert
 * @returns {SnapshotCert | undefined}
 */
function findCert(snapshot, cert) {
  const der = normalizeCert(cert);
  return snapshot.certs.find((c) => c.der === der);
}

/**
 * Answers a read-only SafeEngine call from the token snapshot. Returns null
 * when the snapshot cannot answer it (no snapshot yet, a certificate that is
 * not on a plugged token, a PIN to verify): the caller then asks the host.
 *
 * Choices where the engine's behaviour is unknown (README.md):
 * GetSelfCertificate takes the signing certificate of the first plugged
 * token ("com2" → the second, when there is one); GetDeviceList answers the
 * DevPluggedTypeList string; GetDeviceInfo the devices as JSON text.
 *
 * @param {Snapshot | null | undefined} snapshot
 * @param {string} method e.g. "SEH_GetCertDetail"
 * @param {ReadonlyArray<string | number>} args normalized IE-style arguments
 * @returns {SeAnswer | null}
 */
export default function answerFromSnapshot(snapshot, method, args) {
  const m = lookupSeMethod(method);
  if (!m || m.spec.kind !== "snapshot" || !snapshot) return null;
  switch (m.base) {
    case "GetSelfCertificate": {
      if (args[2] !== "") return null;
      if (snapshot.certs.length === 0) return { value: "", errorCode: SE_CODES.NO_DEVICE };
      const slot2 = /2/.test(String(args[1])) && snapshot.certs.length > 1;
      return { value: snapshot.certs[slot2 ? 1 : 0].der, errorCode: SE_CODES.OK };
    }
    case "GetDeviceList":
      return { value: snapshot.pluggedTypeList, errorCode: SE_CODES.OK };
    case "GetDeviceInfo":
      return { value: JSON.stringify(snapshot.devices), errorCode: SE_CODES.OK };
    default:
      break;
  }
  const cert = findCert(snapshot, String(args[0]));
  if (!cert) return null;
  switch (m.base) {
    case "GetCertDetail": {
      const key = String(args[1]);
      return Object.hasOwn(cert.details, key)
        ? { value: cert.details[key], errorCode: SE_CODES.OK }
        : { value: "", errorCode: SE_CODES.CERT_DETAIL };
    }
    case "GetCertInfoByOID": {
      const oid = String(args[1]).trim();
      if (!OID_RE.test(oid)) return { value: "", errorCode: SE_CODES.OID_FORMAT };
      return Object.hasOwn(cert.oids, oid)
        ? { value: cert.oids[oid], errorCode: SE_CODES.OK }
        : { value: "", errorCode: SE_CODES.NO_EXTENSION };
    }
    case "GetCertUniqueID":
      return cert.uniqueId
        ? { value: cert.uniqueId, errorCode: SE_CODES.OK }
        : { value: "", errorCode: SE_CODES.CERT_UNIQUE_ID };
    case "GetCertValidDate":
      return { value: cert.validDays, errorCode: SE_CODES.OK };
    default:
      return null;
  }
}
