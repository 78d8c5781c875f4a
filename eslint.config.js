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
  },
  {
    // Plain JavaScript outside tsconfig.json: the build script, CommonJS helpers, configs.
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
  },
);
