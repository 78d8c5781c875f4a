/** !fn <function>: what a lib or builtins function does, its type, an example and where it is defined (src/fn/). */
import { defineCommand } from "../src/core/command.js";
import { fnReply } from "../src/fn/format.js";
import { MAX_QUERY_CHARS } from "../src/fn/index.js";

export default defineCommand({
  name: "fn",
  summary: "What a lib or builtins function does: type, description, example, definition (Noogle)",
  details:
    "A full path (lib.strings.concatMapStrings), its end (concatMapStrings) or a builtin (builtins.foldl'). The data comes from noogle.dev and, for builtins, from the Nix that runs here; it is refreshed daily.",
  examples: ["fn lib.mapAttrs", "fn optionals", "fn builtins.foldl'"],
  options: [
    {
      name: "function",
      type: "string",
      description: "A function name or path, e.g. mapAttrs or lib.strings.concatMapStrings",
      positional: true,
      required: true,
      rest: true,
      maxLength: MAX_QUERY_CHARS,
      async complete(partial, ctx) {
        return ctx.services.fn.complete(partial, 25).map((p) => ({ name: p, value: p }));
      },
    },
  ],
  async run(args, ctx) {
    const fn = ctx.services.fn;
    const query = String(args["function"] ?? "");
    return fnReply(query, fn.lookup(query), fn.status(), fn.links, ctx.prefix);
  },
});
