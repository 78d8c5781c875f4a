// `npm run lint`: ESLint's recommended rules and typescript-eslint's type-aware recommended ones
// (recommendedTypeChecked), over every TypeScript file tsconfig.json includes (src/, commands/,
// test/, bench/, scripts/) and the few plain JavaScript files. Formatting is Prettier's
// (`npm run format:check`), not ESLint's.
//
// typescript-eslint reads types through the TypeScript JS API, which TypeScript 7 (the native
// compiler, `tsc`) does not have: the package named `typescript` is TypeScript 6's API
// (@typescript/typescript6, the side-by-side package TypeScript 7 documents), and the compiler
// is installed as @typescript/native (see package.json).
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  globalIgnores(["dist/", ".dist-*/", "data/", ".e2e/", ".cache/"]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Off: nixie's interfaces return promises (a command's run, an adapter's send and stop, the
      // fakes of them in tests), and an `async` body with nothing to wait for is how the house
      // writes them: it keeps the declared shape and turns a synchronous throw into a rejection
      // the caller's catch sees. A forgotten await, the mistake this rule hints at, is what
      // no-floating-promises and no-misused-promises report.
      "@typescript-eslint/require-await": "off",
      // A name starting with `_` is unused on purpose (a parameter a signature needs, a property
      // left out of a rest copy), as tsc's noUnusedParameters already accepts.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true }],
      // A promise wrapper passes on what the wrapped call rejected with, unchanged (an
      // UpstreamError stays one); only a rejection with a known non-Error value is reported.
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingUnknown: true }],
      // A timer that a callback set up before it clears must be a `let` assigned later.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Plain JavaScript outside tsconfig.json: the build script, CommonJS helpers, configs.
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    // CommonJS on purpose (a mocha reporter, a fallback loaded with require): require is how it imports.
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
