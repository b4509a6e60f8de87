// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import { pemDecode, pemEncode } from "../shared/pem.js";
import SE_CODES from "../shared/seCodes.js";
import { lookupSeMethod } from "../shared/seMethods.js";

/**
 * Answers the methods of kind "local" in the page (both page APIs).
 *
 * @param {string} method
 * @param {ReadonlyArray<string | number>} args normalized
 * @param {string} version extension version
 * @returns {import("../shared/snapshot.js").SeAnswer}
 */
export default function answerLocal(method, args, version) {
  const m = lookupSeMethod(method);
  switch (m?.base) {
    case "PEMEncode":
      return { value: pemEncode(String(args[0])), errorCode: SE_CODES.OK };
    case "PEMDecode": {
      const v = pemDecode(String(args[0]));
      return v === null ? { value: "", errorCode: SE_CODES.PEM_DECODE } : { value: v, errorCode: SE_CODES.OK };
    }
    case "ShowVersion":
      return { value: `UKeyLink ${version} (SafeEngine compatible)`, errorCode: SE_CODES.OK };
    default:
      return { value: "", errorCode: SE_CODES.NO_SESSION };
  }
}
