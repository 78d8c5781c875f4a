import assert from "node:assert/strict";
import { cleanError, cutText, outcomeReply, SHOW_LIMITS } from "../../src/eval/format.js";
import { renderPlain } from "../../src/render/plain.js";

const limits = { ...SHOW_LIMITS, outputBytes: 65536 };

describe("eval output formatting", () => {
  it("cuts at 1000 characters or 20 lines and counts what is left", () => {
    assert.deepEqual(cutText("abc", 1000, 20), { shown: "abc", more: 0 });
    const long = cutText("x".repeat(1500), 1000, 20);
    assert.equal(long.shown.length, 1000);
    assert.equal(long.more, 500);
    const lines = Array.from({ length: 30 }, (_, i) => `l${i}`).join("\n");
    const cut = cutText(lines, 1000, 20);
    assert.equal(cut.shown.split("\n").length, 20);
    assert.equal(cut.shown.split("\n")[19], "l19");
    assert.equal(cut.more, [...lines].length - [...cut.shown].length);
    // Code points, not UTF-16 units.
    assert.deepEqual(cutText("é😀x", 2, 20), { shown: "é😀", more: 1 });
  });

  it("shows a value in a nix code block with the note of what was cut", () => {
    const r = outcomeReply({ kind: "value", text: `"${"a".repeat(1200)}"\n`, capped: false }, limits);
    assert.equal(r.blocks[0]!.kind, "code");
    assert.equal((r.blocks[0] as { language?: string }).language, "nix");
    assert.match(renderPlain(r), /\n… 202 more characters$/);
    const capped = outcomeReply({ kind: "value", text: "a".repeat(65536), capped: true }, limits);
    assert.match(renderPlain(capped), /… over 64536 more characters \(nixie stops reading at 64 KiB\)$/);
    assert.equal(renderPlain(outcomeReply({ kind: "value", text: '[ "a" "b" ]\n', capped: false }, limits)), '[ "a" "b" ]');
  });

  it("keeps the error and its position, drops GC warnings, traces and --show-trace hints", () => {
    const stderr = [
      "GC Warning: Failed to expand heap by 800133120 bytes",
      "trace: x",
      "\u001b[31;1merror:\u001b[0m undefined variable 'x'",
      "",
      "       at «stdin»:1:1:",
      "",
      "            1| x + 1",
      "             | ^",
      "(use '--show-trace' to show detailed location information)",
    ].join("\n");
    assert.equal(cleanError(stderr), "error: undefined variable 'x'\n\n       at «stdin»:1:1:\n\n            1| x + 1\n             | ^");
    assert.equal(cleanError("error: cannot look up '<nixpkgs>' in pure evaluation mode (use '--impure' to override)"), "error: cannot look up '<nixpkgs>' in pure evaluation mode");
  });

  it("moves positions back over the lines nixie put before the expression", () => {
    const stderr = "error: undefined variable 'y'\n\n       at «stdin»:3:5:\n\n            1| let lib = import <nixpkgs/lib>; in\n            2| {\n            3|   a = y;\n             |     ^";
    assert.equal(cleanError(stderr, 1), "error: undefined variable 'y'\n\n       at «stdin»:2:5:\n\n            1| {\n            2|   a = y;\n             |     ^");
  });

  it("says so when the evaluation was stopped", () => {
    assert.equal(renderPlain(outcomeReply({ kind: "timeout", timeoutMs: 5000 }, limits)), "The evaluation took longer than 5 s and was stopped.");
    const err = outcomeReply({ kind: "error", text: "error: boom", capped: false, hint: "A hint." }, limits);
    assert.equal(renderPlain(err), "error: boom\nA hint.");
    assert.equal(err.isError, undefined, "a Nix error is an answer for the room, not a refusal");
  });
});
