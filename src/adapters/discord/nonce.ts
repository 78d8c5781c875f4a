/** Discord message nonces from delivery ids. */
import { createHash } from "node:crypto";

/** Discord accepts string nonces of at most 25 characters. */
export const NONCE_LENGTH = 25;

/**
 * The nonce for a delivery id: the id itself when it fits (the feed job makes 25-character ids),
 * otherwise 25 characters of its hash. The same id always gives the same nonce, so Discord's
 * nonce enforcement turns a repeated send into the first message.
 */
export function nonceFor(deliveryId: string): string {
  if (deliveryId.length > 0 && deliveryId.length <= NONCE_LENGTH) return deliveryId;
  return createHash("sha256").update(deliveryId, "utf8").digest("base64url").slice(0, NONCE_LENGTH);
}
