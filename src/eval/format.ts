/**
 * What an evaluation looks like in the room: the value as `nix-instantiate --eval --strict`
 * prints it, or the useful lines of the error, in a code block, cut to a readable size.
 */
import { codeBlock, textBlock, type Block, type Reply } from "../core/reply.js";

/** The result of one evaluation, before it becomes a reply. */
export type EvalOutcome =
  | { readonly kind: "value"; readonly text: string; readonly capped: boolean }
  | { readonly kind: "error"; readonly text: string; readonly capped: boolean; readonly hint?: string; readonly outOfMemory?: boolean }
  /** `waitedMs`: it waited this long in line, so its clock was cut to `timeoutMs`, the time left. */
  | { readonly kind: "timeout"; readonly timeoutMs: number; readonly waitedMs?: number }
  | { readonly kind: "killed"; readonly signal: string };

export interface ShowLimits {
  readonly maxChars: number;
  readonly maxLines: number;
  /** The read cap, named when output was cut there. */
  readonly outputBytes: number;
}

export const SHOW_LIMITS: Omit<ShowLimits, "outputBytes"> = { maxChars: 1000, maxLines: 20 };

export interface Cut {
  readonly shown: string;
  /** Characters (code points) left out. */
  readonly more: number;
}

/** Cuts text to at most `maxChars` characters and `maxLines` lines. */
export function cutText(text: string, maxChars: number, maxLines: number): Cut {
  const chars = [...text];
  let end = Math.min(chars.length, maxChars);
  let lines = 0;
  for (let i = 0; i < end; i++) {
    if (chars[i] === "\n" && ++lines >= maxLines) {
      end = i;
      break;
    }
  }
  return { shown: chars.slice(0, end).join(""), more: chars.length - end };
}

// eslint-disable-next-line no-control-regex -- matches the escape that starts a terminal colour code
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
/** Lines of nix-instantiate's stderr that say nothing about the user's expression. */
const NOISE = [/^GC Warning:/, /^\(use '--show-trace'/, /^trace: /, /^warning: /];

/**
 * The useful lines of nix-instantiate's stderr: no colours, GC warnings, trace output or hints
 * about --show-trace; positions moved back by `lineOffset` lines (the lines nixie put before the
 * user's expression), so they point into what the user typed.
 */
export function cleanError(stderr: string, lineOffset = 0): string {
  const out: string[] = [];
  // Nix's advice to use --impure is no advice here.
  for (const raw of stderr
    .replace(ANSI, "")
    .replace(/ \(use '--impure' to override\)/g, "")
    .split("\n")) {
    const line = raw.trimEnd();
    if (NOISE.some((re) => re.test(line))) continue;
    if (lineOffset > 0) {
      const frame = /^(\s*)(\d+)\|(.*)$/.exec(line);
      if (frame) {
        const n = Number(frame[2]) - lineOffset;
        if (n < 1) continue;
        out.push(`${frame[1]}${String(n).padStart(frame[2]!.length)}|${frame[3]}`);
        continue;
      }
      out.push(line.replace(/«stdin»:(\d+):(\d+)/g, (_m, l: string, c: string) => `«stdin»:${Math.max(1, Number(l) - lineOffset)}:${c}`));
      continue;
    }
    out.push(line);
  }
  return out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function moreNote(cut: Cut, capped: boolean, limits: ShowLimits): Block[] {
  if (capped) return [textBlock(`… over ${cut.more} more characters (nixie stops reading at ${Math.round(limits.outputBytes / 1024)} KiB)`)];
  return cut.more > 0 ? [textBlock(`… ${cut.more} more characters`)] : [];
}

/** The reply for an evaluation's outcome. */
export function outcomeReply(outcome: EvalOutcome, limits: ShowLimits): Reply {
  switch (outcome.kind) {
    case "value": {
      const cut = cutText(outcome.text.replace(/\n+$/, ""), limits.maxChars, limits.maxLines);
      return { blocks: [codeBlock(cut.shown, "nix"), ...moreNote(cut, outcome.capped, limits)] };
    }
    case "error": {
      const text = outcome.text === "" ? "error: the evaluation failed without a message" : outcome.text;
      const cut = cutText(text, limits.maxChars, limits.maxLines);
      const hint = outcome.hint === undefined ? [] : [textBlock(outcome.hint)];
      // Nix's own error for the expression is the person's; running out of memory is a limit.
      return { blocks: [codeBlock(cut.shown), ...moreNote(cut, outcome.capped, limits), ...hint], outcome: outcome.outOfMemory ? "out-of-memory" : "user-error" };
    }
    case "timeout":
      return {
        blocks: [
          textBlock(
            outcome.waitedMs === undefined
              ? `The evaluation took longer than ${formatSeconds(outcome.timeoutMs)} and was stopped.`
              : `The evaluation waited ${formatSeconds(outcome.waitedMs)} in line, then took longer than the ${formatSeconds(outcome.timeoutMs)} left for it, and was stopped: try again when nixie is less busy.`,
          ),
        ],
        outcome: "timeout",
      };
    case "killed":
      return {
        blocks: [textBlock(outcome.signal === "SIGXCPU" ? "The evaluation used too much CPU time and was stopped." : `The evaluator was stopped (${outcome.signal}).`)],
        outcome: outcome.signal === "SIGXCPU" ? "timeout" : "killed",
      };
  }
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
