/**
 * channels.nixos.org: `<channel>/git-revision` redirects (301) to the release's file, whose body is
 * the revision and whose Last-Modified is when the channel advanced (what the status exporter reads).
 */
import { UpstreamError } from "../core/errors.js";
import type { Http } from "./http.js";

export interface MirrorRevision {
  readonly channel: string;
  /** As served: 40 hex characters expected, checked by the caller. */
  readonly revision: string;
  /** Unix milliseconds from Last-Modified. */
  readonly updatedAt: number;
}

export interface ChannelMirror {
  readonly service: string;
  gitRevision(channel: string): Promise<MirrorRevision>;
}

/** Channel names as they appear in URLs: nixos-unstable, nixos-26.05, nixpkgs-26.05-darwin. */
export const CHANNEL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function createChannelMirror(opts: { baseUrl: string; http: Http }): ChannelMirror {
  const base = opts.baseUrl.replace(/\/+$/, "");
  // Config has checked that it is a URL.
  const service = new URL(base).host;
  return {
    service,
    async gitRevision(channel) {
      if (!CHANNEL_NAME.test(channel)) throw new UpstreamError(service, "bad-response", `not a channel name: ${channel.slice(0, 64)}`);
      const res = await opts.http.request({ service, url: `${base}/${encodeURIComponent(channel)}/git-revision`, maxBytes: 1024, headers: { accept: "text/plain" } });
      const modified = Date.parse(res.headers["last-modified"] ?? "");
      if (Number.isNaN(modified)) throw new UpstreamError(service, "bad-response", `${channel}/git-revision has no Last-Modified date`);
      return { channel, revision: res.body.trim(), updatedAt: modified };
    },
  };
}
