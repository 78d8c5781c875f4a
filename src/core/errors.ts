/** Errors that commands and clients throw; the dispatcher turns each kind into a reply. */

/** A mistake in what the user typed. Its message is shown in chat as is. */
export class UserError extends Error {
  override name = "UserError";
  constructor(message: string) {
    super(message);
  }
}

/** Why an upstream request failed, for logs and metrics. */
export type UpstreamFailure =
  | "timeout"
  | "network"
  | "status"
  | "too-large"
  | "bad-response"
  | "rate-limited"
  | "moved";

/**
 * An upstream service (search, wiki, Discourse, a feed) did not give a usable answer.
 * Chat sees only "<service> did not answer", plus an optional hint such as a link to the site.
 */
export class UpstreamError extends Error {
  override name = "UpstreamError";
  readonly service: string;
  readonly failure: UpstreamFailure;
  readonly status: number | undefined;
  /** Shown after the standard sentence, e.g. "Search on the site: https://…". */
  readonly hint: string | undefined;
  /** Link shown with the hint. */
  readonly hintUrl: string | undefined;

  constructor(
    service: string,
    failure: UpstreamFailure,
    detail: string,
    opts: { status?: number; hint?: string; hintUrl?: string; cause?: unknown } = {},
  ) {
    super(`${service}: ${detail}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.service = service;
    this.failure = failure;
    this.status = opts.status;
    this.hint = opts.hint;
    this.hintUrl = opts.hintUrl;
  }

  /** The same failure with a hint for the user (clients add the site link they know). */
  withHint(hint: string, hintUrl?: string): UpstreamError {
    return new UpstreamError(this.service, this.failure, this.message, {
      ...(this.status === undefined ? {} : { status: this.status }),
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
