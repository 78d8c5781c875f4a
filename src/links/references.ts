/**
 * Bare references to issues and pull requests in ordinary chat: `nixpkgs#123`, `NixOS/nix#45`,
 * `home-manager#678`. Text in code (``` blocks and `spans`), quoted lines and URLs is never read
 * (clients already preview URLs).
 */

export interface Reference {
  /** owner/name on GitHub. */
  readonly repo: string;
  readonly number: number;
  /** As written, normalised: "nixpkgs#123". */
  readonly label: string;
}

const REPOS: Readonly<Record<string, { repo: string; short: string }>> = {
  nixpkgs: { repo: "NixOS/nixpkgs", short: "nixpkgs" },
  "nixos/nixpkgs": { repo: "NixOS/nixpkgs", short: "nixpkgs" },
  "nixos/nix": { repo: "NixOS/nix", short: "NixOS/nix" },
  "home-manager": { repo: "nix-community/home-manager", short: "home-manager" },
  "nix-community/home-manager": { repo: "nix-community/home-manager", short: "home-manager" },
};

const REF = /(?<![\w/.#-])((?:nixos\/)?nixpkgs|nixos\/nix|(?:nix-community\/)?home-manager)#(\d{1,9})(?![\w#/])/gi;

/** The text without code, quotes and URLs. */
export function readableText(text: string): string {
  return text
    .replace(/```[\s\S]*?(?:```|$)/g, " ")
    .replace(/`[^`\n]*`/g, " ")
    .split("\n")
    .filter((l) => !/^\s*>/.test(l))
    .join("\n")
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, " ")
    .replace(/\bwww\.\S+/gi, " ");
}

/**
 * Characters of an ordinary message read for references. Every message in a room that turned
 * expansion on passes here (a Matrix event may carry 64 KiB): references are in the first lines.
 */
export const READ_LIMIT = 4000;

/** The distinct references in a message, in order, at most `max`; only its first READ_LIMIT characters are read. */
export function findReferences(text: string, max: number): Reference[] {
  const out: Reference[] = [];
  for (const m of readableText(text.slice(0, READ_LIMIT)).matchAll(REF)) {
    const r = REPOS[m[1]!.toLowerCase()];
    const n = Number(m[2]);
    if (!r || n < 1) continue;
    const label = `${r.short}#${n}`;
    if (out.some((o) => o.label === label)) continue;
    out.push({ repo: r.repo, number: n, label });
    if (out.length >= max) break;
  }
  return out;
}

const EXACT_REF = /^((?:nixos\/)?nixpkgs|nixos\/nix|(?:nix-community\/)?home-manager)#(\d{1,9})$/i;
const URL_REF = /^https?:\/\/(?:www\.)?github\.com\/([^/\s]+\/[^/\s]+)\/(?:pull|issues)\/(\d{1,9})(?:[/?#]\S*)?$/i;

/**
 * The reference that `text` is as a whole (`NixOS/nix#1`, `home-manager#2`, or the GitHub URL of
 * an issue or pull request of a repository expansion knows), or undefined.
 */
export function parseReference(text: string): Reference | undefined {
  const s = text.trim();
  const m = EXACT_REF.exec(s) ?? URL_REF.exec(s);
  if (!m) return undefined;
  const r = REPOS[m[1]!.toLowerCase()];
  const n = Number(m[2]);
  if (!r || n < 1) return undefined;
  return { repo: r.repo, number: n, label: `${r.short}#${n}` };
}
