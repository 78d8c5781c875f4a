import assert from "node:assert/strict";
import { ApplicationCommandOptionType, InteractionContextType, PermissionFlagsBits } from "discord.js";
import { commands } from "../../commands/index.js";
import { SLASH_LIMITS, slashCommandFor, slashCommandsFor, slashProblems, type SlashCommandJson } from "../../src/adapters/discord/slash.js";
import { defineCommand, type CommandDef, type OptionDef } from "../../src/core/command.js";
import { textReply } from "../../src/core/reply.js";

const TYPES: Record<OptionDef["type"], ApplicationCommandOptionType> = {
  string: ApplicationCommandOptionType.String,
  integer: ApplicationCommandOptionType.Integer,
  boolean: ApplicationCommandOptionType.Boolean,
  choice: ApplicationCommandOptionType.String,
  user: ApplicationCommandOptionType.User,
};

type OptionJson = NonNullable<SlashCommandJson["options"]>[number] & Record<string, unknown>;

const run = async () => textReply("ok");

describe("Discord slash command JSON", () => {
  const json = slashCommandsFor(commands);

  it("has one slash command per command, aliases left out", () => {
    assert.deepEqual(
      json.map((c) => c.name),
      commands.map((c) => c.name),
    );
  });

  it("is valid for Discord (names, lengths, counts, order)", () => {
    assert.deepEqual(slashProblems(json), []);
    for (const c of json) {
      assert.match(c.name, /^[a-z0-9_-]{1,32}$/);
      assert.ok([...c.description].length >= 1 && [...c.description].length <= SLASH_LIMITS.description, c.name);
      assert.ok((c.options ?? []).length <= SLASH_LIMITS.options, c.name);
    }
  });

  for (const cmd of commands) {
    it(`/${cmd.name} matches its definition`, () => {
      const c = json.find((x) => x.name === cmd.name)!;
      assert.equal(c.description, cmd.summary);
      assert.equal(c.type, 1);
      const options = (c.options ?? []) as OptionJson[];
      assert.deepEqual([...options.map((o) => o.name)].sort(), cmd.options.map((o) => o.name).sort());
      // Required options first, as Discord demands.
      const firstOptional = options.findIndex((o) => o["required"] !== true);
      assert.ok(firstOptional === -1 || options.slice(firstOptional).every((o) => o["required"] !== true));
      for (const def of cmd.options) {
        const o = options.find((x) => x.name === def.name)!;
        assert.equal(o.type, TYPES[def.type], `${cmd.name} ${def.name} type`);
        assert.equal(o.description, def.description);
        assert.equal(o["required"], def.required === true);
        if (def.type === "choice")
          assert.deepEqual(
            o["choices"],
            def.choices.map((v) => ({ name: v, value: v })),
          );
        else assert.equal(o["choices"], undefined);
        assert.equal(o["autocomplete"], def.type === "string" && def.complete ? true : undefined, `${cmd.name} ${def.name} autocomplete`);
        if (def.type === "string") {
          assert.equal(o["min_length"], def.minLength);
          assert.equal(o["max_length"], def.maxLength);
        }
        if (def.type === "integer") {
          assert.equal(o["min_value"], def.min);
          assert.equal(o["max_value"], def.max);
        }
      }
      if (cmd.needsManager) {
        assert.equal(c.default_member_permissions, PermissionFlagsBits.ManageChannels.toString());
        assert.deepEqual(c.contexts, [InteractionContextType.Guild]);
      } else {
        assert.equal(c.default_member_permissions, undefined);
      }
    });
  }

  it("maps every option type, limit and flag", () => {
    const cmd: CommandDef = defineCommand({
      name: "all",
      summary: "Every kind of option",
      needsManager: true,
      options: [
        { name: "flag", type: "boolean", description: "a flag" },
        { name: "count", type: "integer", description: "a number", min: 1, max: 10 },
        { name: "kind", type: "choice", description: "a kind", choices: ["a", "b"], required: true },
        { name: "text", type: "string", description: "some text", minLength: 2, maxLength: 50, required: true, complete: async () => [] },
      ],
      run,
    });
    assert.deepEqual(slashCommandFor(cmd), {
      type: 1,
      name: "all",
      description: "Every kind of option",
      options: [
        {
          name: "kind",
          description: "a kind",
          required: true,
          type: 3,
          choices: [
            { name: "a", value: "a" },
            { name: "b", value: "b" },
          ],
        },
        { name: "text", description: "some text", required: true, type: 3, min_length: 2, max_length: 50, autocomplete: true },
        { name: "flag", description: "a flag", required: false, type: 5 },
        { name: "count", description: "a number", required: false, type: 4, min_value: 1, max_value: 10 },
      ],
      default_member_permissions: "16",
      contexts: [0],
    });
  });

  it("names what Discord would reject", () => {
    const option = (name: string, extra: Record<string, unknown> = {}) => ({ name, description: "d", type: 3, required: false, ...extra });
    const bad = [
      { type: 1, name: "Bad Name", description: "x".repeat(101) },
      { type: 1, name: "many", description: "d", options: Array.from({ length: 26 }, (_, i) => option(`o${i}`)) },
      { type: 1, name: "order", description: "d", options: [option("a"), option("b", { required: true })] },
      { type: 1, name: "choices", description: "d", options: [option("c", { choices: Array.from({ length: 26 }, (_, i) => ({ name: `c${i}`, value: "v".repeat(101) })) })] },
      { type: 1, name: "both", description: "d", options: [option("c", { autocomplete: true, choices: [{ name: "a", value: "a" }] })] },
      {
        type: 1,
        name: "huge",
        description: "d",
        options: Array.from({ length: 25 }, (_, i) => option(`o${i}`, { description: "x".repeat(100), choices: Array.from({ length: 25 }, (_, j) => ({ name: `n${j}`, value: `v${j}` })) })),
      },
      { type: 1, name: "huge", description: "d" },
    ] as unknown as SlashCommandJson[];
    const problems = slashProblems(bad).join("\n");
    for (const expected of [
      /\/Bad Name: name must match/,
      /\/Bad Name: description must be 1-100/,
      /\/many: 26 options, at most 25/,
      /\/order b: a required option must come before/,
      /\/choices c: 26 choices, at most 25/,
      /\/choices c: choice "c0" value must be 1-100/,
      /\/both c: choices and autocomplete exclude each other/,
      /\/huge: \d+ characters in all, at most 4000/,
      /\/huge: defined twice/,
    ]) {
      assert.match(problems, expected);
    }
  });
});
