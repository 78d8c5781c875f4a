/** A community event as !event shows it, whatever source it came from. */
export interface CommunityEvent {
  readonly name: string;
  readonly start: Date;
  /** Exclusive end; an event is "happening now" while start ≤ now < end. */
  readonly end: Date;
  /** Announced as whole days: shown as dates (`startDate`…`endDate`, inclusive), not times. */
  readonly allDay: boolean;
  readonly startDate?: string;
  readonly endDate?: string;
  readonly place?: string;
  /** The announcement. */
  readonly url: string;
  readonly tags: readonly string[];
  readonly source: "curated" | "calendar" | "category";
}
