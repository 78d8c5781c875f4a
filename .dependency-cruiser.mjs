// dependency-cruiser's rules for nixie's own modules: `npm run lint:deps` prints what breaks them,
// and test/unit/import-circles.test.ts fails on it (so `npm test` does too).
//
// Type-only imports count (tsPreCompilationDeps): a circle of `import type` compiles away, but it
// still ties the modules together, and the Services <-> command circle that issue 19 removed was
// mostly type-only.
/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A module imports, directly or through others, a module that imports it back. Give the shared part a module of its own, or pass a narrow dependency in.",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^node_modules/" },
    // `.js` import suffixes name the `.ts` files (NodeNext), which the TypeScript resolution above
    // understands; these are the extensions nixie's sources use.
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs", ".cjs", ".json"] },
  },
};
