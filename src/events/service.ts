/** !event's source of truth: the Discourse calendar plugin or Events category, plus the curated list. */
import { upstreamCause } from "../core/error-reply.js";
import type { Logger } from "pino";
import { UpstreamError } from "../core/errors.js";
import type { DiscourseEvents } from "../upstream/discourse.js";
import type { Deadline } from "../upstream/http.js";
import { mergeEvents, upcomingEvents } from "./merge.js";
import type { CommunityEvent } from "./types.js";

export interface UpcomingResult {
  readonly events: readonly CommunityEvent[];
  /** The Events category page. */
  readonly categoryUrl: string;
  /**
   * Set when Discourse did not answer and only the curated list was used: what went wrong, in
   * words ("nixie cannot find discourse.nixos.org (DNS lookup failed)", "… did not answer").
   */
  readonly discourseFailed?: string;
}

export interface EventsService {
  /** Discourse's events merged with the curated ones; only the curated ones when Discourse fails or is late. */
  upcoming(now: Date, filter: string | undefined, count: number, opts?: Deadline): Promise<UpcomingResult>;
}

export function createEventsService(deps: { discourse: DiscourseEvents; curated: () => readonly CommunityEvent[]; log: Logger }): EventsService {
  return {
    async upcoming(now, filter, count, opts = {}) {
      let fromDiscourse: CommunityEvent[] = [];
      let failed: string | undefined;
      try {
        // Until it is known whether the calendar plugin is there, both sources are asked together:
        // one round trip within the deadline, not two in a row.
        const calendar = deps.discourse.calendarEvents(opts);
        const category = deps.discourse.hasCalendar() === undefined ? deps.discourse.categoryEvents(opts) : undefined;
        category?.catch(() => undefined);
        fromDiscourse = (await calendar) ?? (await (category ?? deps.discourse.categoryEvents(opts)));
      } catch (e) {
        if (!(e instanceof UpstreamError)) throw e;
        failed = e.failure === "network" || e.failure === "timeout" ? upstreamCause(e) : `${e.service} did not answer`;
        deps.log.warn({ service: e.service, err: e.detail }, "Discourse events unavailable; using the curated list only");
      }
      const events = upcomingEvents(mergeEvents([deps.curated(), fromDiscourse]), now, filter, count);
      return { events, categoryUrl: deps.discourse.categoryUrl, ...(failed === undefined ? {} : { discourseFailed: failed }) };
    },
  };
}
