// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["dist/**", "node_modules/**"] },
  js.configs.recommended,
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: { ...globals.browser, ...globals.webextensions },
    },
    rules: {
      quotes: ["error", "double", { avoidEscape: true, allowTemplateLiterals: true }],
      semi: ["error", "always"],
      indent: ["error", 2, { SwitchCase: 1, flatTernaryExpressions: false }],
      "comma-dangle": ["error", "always-multiline"],
      "no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "prefer-const": "error",
      "no-var": "error",
      "sort-imports": ["error", { ignoreDeclarationSort: true }],
      "max-len": ["error", { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreComments: true }],
    },
  },
  {
    files: ["build.mjs", "eslint.config.mjs", "scripts/**/*.mjs", "test/**/*.mjs", "**/__tests__/**/*.mjs"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ["test/**/*.mjs", "**/__tests__/**/*.mjs"],
    rules: { "no-eval": "off" },
  },
];
