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
  {
    // The page's scripts: classic browser scripts, each adding one global the later ones use
    // (typed and checked by `npm run typecheck` through src/web/page/assets/tsconfig.json).
    files: ["src/web/page/assets/*.js", "src/sandbox/sandbox-app-bridge.js"],
    languageOptions: {
      sourceType: "script",
      globals: {
        I18n: "readonly", Views: "readonly", Checklist: "readonly", Tracking: "readonly", shopify: "readonly",
        MouseEvent: "readonly", KeyboardEvent: "readonly", HTMLElement: "readonly", Element: "readonly", Event: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^(I18n|Views|Checklist|Tracking)$" }],
      "no-redeclare": "off",
    },
  },
);
