/** Errors that commands and clients throw; the dispatcher turns each kind into a reply. */

/** A mistake in what the user typed. Its message is shown in chat as is. */
export class UserError extends Error {
  override name = "UserError";
  constructor(message: string) {
    super(message);
  }
}

/**
 * Why an upstream request failed, for logs, metrics and the sentence chat sees: "rate-limited"
 * (429, or 403 with Retry-After or an exhausted rate limit, or nixie's own budget for the service
 * is spent) and "unauthorized" (401 or another 403: nixie's credentials were refused) are not
 * outages; "bad-response" and "too-large" are answers nixie cannot read; "not-found" is a clear
 * answer that what was asked for does not exist (callers usually word it themselves).
 */
export type UpstreamFailure = "timeout" | "network" | "status" | "too-large" | "bad-response" | "rate-limited" | "unauthorized" | "not-found" | "moved";

/**
 * What went wrong on the way to a service ("network" failures): its name did not resolve, it
 * refused the connection, its TLS certificate was not accepted, the connection was reset or
 * closed mid-answer, or there is no route to it.
 */
export type NetworkReason = "dns" | "refused" | "tls" | "reset" | "unreachable";

/** Optional facts about an UpstreamError; see its fields. */
export interface UpstreamErrorOptions {
  readonly status?: number | undefined;
  readonly hint?: string | undefined;
  readonly hintUrl?: string | undefined;
  readonly retryAt?: Date | undefined;
  readonly host?: string | undefined;
  readonly reason?: NetworkReason | undefined;
  readonly waitedMs?: number | undefined;
  readonly cause?: unknown;
}

/**
 * An upstream service (search, wiki, Discourse, a feed) did not give a usable answer.
 * Chat sees one sentence by cause (see error-reply.ts), plus an optional hint such as a link to
 * the site. `message` is "<service>: <detail>"; logs that name the service already use `detail`.
 */
export class UpstreamError extends Error {
  override name = "UpstreamError";
  readonly service: string;
  readonly failure: UpstreamFailure;
  readonly status: number | undefined;
  /** What went wrong, without the service name: "HTTP 500", "no answer within 5000 ms". */
  readonly detail: string;
  /** When the service says it accepts requests again (rate-limited only, when it says so). */
  readonly retryAt: Date | undefined;
  /** Shown after the standard sentence, e.g. "Search on the site: https://…". */
  readonly hint: string | undefined;
  /** Link shown with the hint. */
  readonly hintUrl: string | undefined;
  /** The host (and port, when not the default) asked: "search.nixos.org", "127.0.0.1:8080". */
  readonly host: string | undefined;
  /** For "network" failures, when known: what went wrong on the way. */
  readonly reason: NetworkReason | undefined;
  /** For "timeout": how long nixie waited, when known. */
  readonly waitedMs: number | undefined;

  constructor(service: string, failure: UpstreamFailure, detail: string, opts: UpstreamErrorOptions = {}) {
    super(`${service}: ${detail}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.service = service;
    this.failure = failure;
    this.detail = detail;
    this.retryAt = opts.retryAt;
    this.status = opts.status;
    this.hint = opts.hint;
    this.hintUrl = opts.hintUrl;
    this.host = opts.host;
    this.reason = opts.reason;
    this.waitedMs = opts.waitedMs;
  }

  /** The facts of this error as constructor options (absent ones left out). */
  protected facts(): UpstreamErrorOptions {
    const o: { -readonly [K in keyof UpstreamErrorOptions]: UpstreamErrorOptions[K] } = {};
    if (this.status !== undefined) o.status = this.status;
    if (this.retryAt !== undefined) o.retryAt = this.retryAt;
    if (this.host !== undefined) o.host = this.host;
    if (this.reason !== undefined) o.reason = this.reason;
    if (this.waitedMs !== undefined) o.waitedMs = this.waitedMs;
    return o;
  }

  /** The same failure with a hint for the user (clients add the site link they know). */
  withHint(hint: string, hintUrl?: string): UpstreamError {
    return new UpstreamError(this.service, this.failure, this.detail, {
      ...this.facts(),
      hint,
      ...(hintUrl === undefined ? {} : { hintUrl }),
      cause: this,
    });
  }
}

/** A configuration value is wrong; the message names the key and what is expected. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
