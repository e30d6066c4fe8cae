import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "data/", "test-results/", "bench/results/", "migrations/", "extensions/**/assets/*.min.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly", console: "readonly", URL: "readonly", setTimeout: "readonly",
        clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", Buffer: "readonly",
        fetch: "readonly", AbortController: "readonly", AbortSignal: "readonly", Response: "readonly",
        Request: "readonly", Headers: "readonly", TextEncoder: "readonly", TextDecoder: "readonly",
        URLSearchParams: "readonly", crypto: "readonly", performance: "readonly", queueMicrotask: "readonly",
        setImmediate: "readonly", structuredClone: "readonly", window: "readonly", document: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      // Late-bound closures (the server is listening before its routes exist) read before assignment.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
);
