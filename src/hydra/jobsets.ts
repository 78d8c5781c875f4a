/**
 * Which Hydra jobset builds a channel, from config (`hydra.jobsets`): a rename on Hydra is a config
 * change. A channel may carry a release (`nixos-{release}` matches `nixos-26.05`); "stable" means
 * the newest current `nixos-YY.MM` the channel status knows. Also the one check every attribute
 * passes before it goes anywhere near a Hydra URL.
 */
import type { Config } from "../config.js";
import { UserError } from "../core/errors.js";

type HydraConfig = Config["hydra"];

/** A channel resolved to its jobset. */
export interface HydraTarget {
  /** The channel as configured, with the release filled in: `nixos-26.05`. */
  readonly channel: string;
  readonly project: string;
  readonly jobset: string;
  /** "" or "nixpkgs.". */
  readonly jobPrefix: string;
  readonly systems: readonly string[];
}

/** Longest attribute path accepted. */
export const MAX_ATTR_CHARS = 100;
/**
 * A plain attribute path: letters, digits, `_`, `-`, `+`, dot-separated (`python3Packages.requests`);
 * each name starts with a letter, a digit or `_`, as Hydra's job names do.
 */
const ATTR = /^[A-Za-z0-9_][A-Za-z0-9_+-]*(\.[A-Za-z0-9_][A-Za-z0-9_+-]*)*$/;
const RELEASE = "(\\d\\d\\.\\d\\d)";
/** A NixOS release channel in the channel status. */
const STABLE_CHANNEL = /^nixos-(\d\d\.\d\d)$/;

/** The attribute as typed, checked; a UserError says what an attribute looks like. */
export function checkAttr(input: string): string {
  const attr = input.trim();
  if (attr === "") throw new UserError("Which package? Give its attribute name, e.g. hello or python3Packages.requests.");
  if (attr.length > MAX_ATTR_CHARS) throw new UserError(`An attribute name has at most ${MAX_ATTR_CHARS} characters.`);
  if (!ATTR.test(attr)) throw new UserError("Give a plain attribute path: letters, digits, _ - + and dots, e.g. python3Packages.requests.");
  return attr;
}

/** The job of an attribute on a platform in a jobset: `hello.x86_64-linux`, `nixpkgs.hello.x86_64-linux`. */
export function jobName(target: Pick<HydraTarget, "jobPrefix">, attr: string, system: string): string {
  return `${target.jobPrefix}${attr}.${system}`;
}

function patternOf(channel: string): RegExp {
  const escaped = channel.split("{release}").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(RELEASE)}$`);
}

/** The newest release among current `nixos-YY.MM` channels, if the channel status has one. */
export function currentRelease(current: readonly string[]): string | undefined {
  const releases = current.flatMap((c) => STABLE_CHANNEL.exec(c)?.[1] ?? []).sort();
  return releases.at(-1);
}

/**
 * The jobset of a channel as typed (any case; undefined: the default channel). `stable` and
 * `nixos-stable` mean `nixos-<current release>`. A UserError lists the channels there are.
 */
export function resolveChannel(config: HydraConfig, input: string | undefined, release?: string): HydraTarget {
  let name = (input ?? "").trim().toLowerCase() || config.defaultChannel;
  if (name === "stable" || name === "nixos-stable") {
    if (release === undefined) throw new UserError("nixie does not know the current stable release right now; name it, e.g. nixos-26.05.");
    name = `nixos-${release}`;
  }
  for (const j of config.jobsets) {
    const m = patternOf(j.channel).exec(name);
    if (!m) continue;
    const fill = (s: string): string => (m[1] === undefined ? s : s.replaceAll("{release}", m[1]));
    const [project, jobset] = fill(j.jobset).split("/") as [string, string];
    return { channel: name, project, jobset, jobPrefix: j.jobPrefix, systems: j.systems };
  }
  throw new UserError(`nixie knows no Hydra jobset for "${name.slice(0, 40)}". Channels: ${channelNames(config, release).join(", ")}.`);
}

/** The channels users can name, with the current release filled in where it is known (for help and autocomplete). */
export function channelNames(config: HydraConfig, release?: string): string[] {
  return config.jobsets.flatMap((j) =>
    j.channel.includes("{release}") ? (release === undefined ? [j.channel.replace("{release}", "YY.MM")] : [j.channel.replace("{release}", release)]) : [j.channel],
  );
}
