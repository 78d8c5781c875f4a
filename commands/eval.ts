/** !eval <expr> (or a ```nix block): evaluates a Nix expression in the sandbox of src/eval/. */
import { COMMAND_GRACE_MS, defineCommand } from "../src/core/command.js";
import { outcomeReply } from "../src/eval/format.js";
import { MAX_EXPRESSION_CHARS } from "../src/eval/service.js";

export default defineCommand({
  name: "eval",
  summary: "Evaluate a Nix expression (like nix-instantiate --eval --strict)",
  details:
    "The expression is read exactly as typed; a ```nix code block may span several lines. Nix runs in a sandbox: a few seconds, limited memory, no files, network or store, one evaluation per person every few seconds.",
  examples: ["eval builtins.attrNames { a = 1; b = 2; }", 'eval builtins.replaceStrings [ "a" ] [ "o" ] "nix"'],
  slow: true,
  available: (services) => services.eval.available(),
  options: [
    {
      name: "expression",
      type: "string",
      description: "The Nix expression",
      required: true,
      positional: true,
      rest: true,
      raw: true,
      maxLength: MAX_EXPRESSION_CHARS,
    },
  ],
  async run(args, ctx) {
    const expr = String(args["expression"]);
    const outcome = await ctx.services.eval.evaluate(expr, `${ctx.platform}:${ctx.user.id}`, {
      // The answer is due by the command's deadline and grace: a wait in line ends before that.
      answerBy: ctx.deadline + COMMAND_GRACE_MS,
      // The console is one local person: no per-person cooldown.
      cooldown: ctx.platform !== "console",
    });
    return outcomeReply(outcome, ctx.services.eval.showLimits);
  },
});
