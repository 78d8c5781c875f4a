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
 * (429, or 403 with Retry-After or an exhausted rate limit) and "unauthorized" (401 or another
 * 403: nixie's credentials were refused) are not outages; "bad-response" and "too-large" are
 * answers nixie cannot read.
 */
export type UpstreamFailure =
  | "timeout"
  | "network"
  | "status"
  | "too-large"
  | "bad-response"
  | "rate-limited"
  | "unauthorized"
  | "moved";

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

  constructor(
    service: string,
    failure: UpstreamFailure,
    detail: string,
    opts: { status?: number; hint?: string; hintUrl?: string; retryAt?: Date; cause?: unknown } = {},
  ) {
    super(`${service}: ${detail}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.service = service;
    this.failure = failure;
    this.detail = detail;
    this.retryAt = opts.retryAt;
    this.status = opts.status;
    this.hint = opts.hint;
    this.hintUrl = opts.hintUrl;
  }

  /** The same failure with a hint for the user (clients add the site link they know). */
  withHint(hint: string, hintUrl?: string): UpstreamError {
    return new UpstreamError(this.service, this.failure, this.detail, {
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.retryAt === undefined ? {} : { retryAt: this.retryAt }),
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
