/** What a feed is to nixie: the name users type, its title, where it is read, and its kind. */

/**
 * How entries of a feed are identified and formatted: the RSS/Atom kinds from config
 * ("discourse", "youtube", "generic"), or the kind of the provider that made it ("channels", …).
 */
export type FeedKind = string;

export interface FeedDef {
  /** Short name users type: `!subscribe announcements`. */
  readonly name: string;
  readonly title: string;
  /** Where it is read; also what its stored state belongs to (a changed URL starts it afresh). */
  readonly url: string;
  readonly kind: FeedKind;
  /** A page for people (the category, the playlist), for "and N more" lines; else the feed URL. */
  readonly siteUrl: string;
}
