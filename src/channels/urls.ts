/** Links shown with channels: commits and comparisons on GitHub, Hydra jobs, status.nixos.org. */
import type { Config } from "../config.js";

export interface ChannelUrls {
  commit(rev: string): string;
  compare(from: string, to: string): string;
  hydraJob(job: string): string;
  readonly status: string;
}

const trim = (u: string): string => u.replace(/\/+$/, "");

export function channelUrls(c: Config["channels"]): ChannelUrls {
  const gh = trim(c.githubUrl);
  const hydra = trim(c.hydraUrl);
  return {
    commit: (rev) => `${gh}/commit/${rev}`,
    compare: (from, to) => `${gh}/compare/${from}...${to}`,
    // Job names are project/jobset/job: each part is encoded, the slashes kept.
    hydraJob: (job) => `${hydra}/job/${job.split("/").map(encodeURIComponent).join("/")}`,
    status: c.statusUrl,
  };
}
