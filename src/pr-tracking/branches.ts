/**
 * The way a nixpkgs change travels from the branch it was merged into to the channels
 * (pr-tracker's table): staging → staging-next → master → nixos-unstable-small → nixos-unstable,
 * master → nixpkgs-unstable; release-YY.MM → nixos-YY.MM-small → nixos-YY.MM and
 * nixpkgs-YY.MM-darwin; staging-YY.MM → staging-next-YY.MM → release-YY.MM.
 */

const NEXT: readonly { readonly from: RegExp; readonly to: string }[] = [
  { from: /^staging$/, to: "staging-next" },
  { from: /^staging-next$/, to: "master" },
  { from: /^staging-next-(\d{2}\.\d{2})$/, to: "release-$1" },
  { from: /^master$/, to: "nixos-unstable-small" },
  { from: /^master$/, to: "nixpkgs-unstable" },
  { from: /^nixos-(.+)-small$/, to: "nixos-$1" },
  { from: /^release-(\d{2}\.\d{2})$/, to: "nixos-$1-small" },
  { from: /^release-(\d{2}\.\d{2})$/, to: "nixpkgs-$1-darwin" },
  // Before 21.05 stable staging went straight to the release branch.
  { from: /^staging-((?:1\d|20)\.\d{2})$/, to: "release-$1" },
  { from: /^staging-((?:2[1-9]|[3-9]\d)\.\d{2})$/, to: "staging-next-$1" },
];

/** A branch on a pull request's way, and the one it comes from (undefined for the base). */
export interface BranchStep {
  readonly name: string;
  readonly parent?: string;
}

/** The branches that directly follow `branch`. */
export function nextBranches(branch: string): string[] {
  return NEXT.filter((n) => n.from.test(branch)).map((n) => branch.replace(n.from, n.to));
}

/**
 * Every branch from `base` to the channels, the base first, then depth first (each branch before
 * the ones that follow it). Bounded: the table has no cycles, and at most 16 steps are followed.
 */
export function branchesFrom(base: string): BranchStep[] {
  const out: BranchStep[] = [];
  const visit = (name: string, parent: string | undefined): void => {
    if (out.length >= 16 || out.some((s) => s.name === name)) return;
    out.push(parent === undefined ? { name } : { name, parent });
    for (const n of nextBranches(name)) visit(n, name);
  };
  visit(base, undefined);
  return out;
}

/** Channel branches (nixos-*, nixpkgs-*) move only when Hydra has tested a revision. */
export function isChannel(branch: string): boolean {
  return /^(nixos|nixpkgs)-/.test(branch);
}

/**
 * The branch whose containing the commit is a precondition for `step` containing it: its parent,
 * except that a channel fed by another channel (nixos-unstable after nixos-unstable-small) is
 * gated by the development branch above both, since both channels are cut from it separately.
 */
export function gateOf(steps: readonly BranchStep[], step: BranchStep): string | undefined {
  let gate = step.parent;
  while (gate !== undefined && isChannel(gate)) gate = steps.find((s) => s.name === gate)?.parent;
  return gate;
}
