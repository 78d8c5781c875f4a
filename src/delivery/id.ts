/** Delivery ids: what makes a re-sent scheduled post recognisable to the platform. */
import { createHash } from "node:crypto";

/** Maximum length of a delivery id: Discord's nonce allows 25 characters. */
export const DELIVERY_ID_LENGTH = 25;

/**
 * A stable id for one post: the same (room, source, entry) always gives the same id, 25 characters
 * of [0-9a-f]. `source` names the feature and what in it the post belongs to (a feed's name,
 * `track:nixpkgs#<pr>:<asker>`), `entry` the thing posted about. Matrix uses the id as the
 * transaction id and Discord as the nonce, so a send retried after a crash is recognised by the
 * platform instead of posted twice.
 */
export function deliveryId(roomKey: string, source: string, entry: string): string {
  return createHash("sha256")
    .update(JSON.stringify([roomKey, source, entry]))
    .digest("hex")
    .slice(0, DELIVERY_ID_LENGTH);
}
