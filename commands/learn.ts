/** !learn <name> <text>, !learn --undo <name>: defines, redefines or restores a factoid of this room (room managers only). */
import { defineCommand } from "../src/core/command.js";
import { UserError } from "../src/core/errors.js";
import { textBlock, type Reply } from "../src/core/reply.js";
import { called, factNameOption } from "../src/factoids/command-helpers.js";
import { factoidRich } from "../src/factoids/markup.js";
import { MAX_TEXT } from "../src/factoids/rules.js";

export default defineCommand({
  name: "learn",
  summary: "Teach this room a factoid, or change one (room managers only)",
  details: `Names: lower-case letters, digits and -, up to 32, starting with a letter; never a command's name. Text: up to ${MAX_TEXT} characters, with \`code\`, **bold** and links. A redefinition shows the previous text; --undo restores it (5 versions are kept).`,
  examples: ["learn dontask Don't ask to ask, just ask: https://dontasktoask.com", "learn --undo dontask"],
  options: [
    factNameOption("The factoid's name: a-z, 0-9 and -, starting with a letter"),
    { name: "text", type: "string", positional: true, rest: true, verbatim: true, maxLength: 4000, description: `What it says: up to ${MAX_TEXT} characters, with \`code\`, **bold** and links` },
    { name: "undo", type: "boolean", description: "Go back to the previous text instead" },
  ],
  needsManager: true,
  async run(args, ctx) {
    const name = String(args["name"]).toLowerCase();
    const text = args["text"];
    const { factoids } = ctx.services;
    if (args["undo"] === true) {
      if (text !== undefined) throw new UserError(`--undo takes only the name: ${ctx.prefix === "/" ? "/learn name:" : `${ctx.prefix}learn --undo `}${name}`);
      const { restored, replaced } = await factoids.undo(ctx.room, name, { signal: ctx.signal });
      return said(`${called(ctx, name)} is back to its previous text:`, restored, "It said:", replaced);
    }
    if (text === undefined) throw new UserError(`What should ${called(ctx, name)} say? ${ctx.prefix === "/" ? "/learn name:… text:…" : `${ctx.prefix}learn ${name} <text>`}`);
    const learned = await factoids.learn(ctx.room, name, String(text), ctx.user, { signal: ctx.signal });
    if (!learned.previous) return { blocks: [textBlock(`Learned ${called(ctx, name)}.`)] };
    if (learned.previous.isDefault) return said(`${called(ctx, name)} now says this room's own text. The default said:`, learned.previous.text);
    return said(`Changed ${called(ctx, name)}. It said before:`, learned.previous.text);
  },
});

/** A line, a text (as the factoid shows it), and optionally another line and text. */
function said(line: string, text: string, line2?: string, text2?: string): Reply {
  const blocks = [textBlock(line), { kind: "text" as const, text: factoidRich(text) }];
  if (line2 !== undefined && text2 !== undefined) blocks.push(textBlock(line2), { kind: "text", text: factoidRich(text2) });
  return { blocks };
}
