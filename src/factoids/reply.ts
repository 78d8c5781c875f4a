/**
 * A factoid as a reply: its text in the reply model, addressed to one person when asked
 * (`!dontask @bob`). Only a person the platform itself says the message mentions (a Matrix pill
 * or `m.mentions`, a Discord mention, a slash command's user option) is pinged, and only that one;
 * a typed name is shown as plain text.
 */
import type { UserRef } from "../core/adapter.js";
import { mention, type Reply, type RichText } from "../core/reply.js";
import { defuseRoomPings, factoidRich } from "./markup.js";

/** Who a factoid is addressed to: `id` when the platform identified the person (pinged). */
export interface Addressee {
  readonly name: string;
  readonly id?: string;
}

const DISCORD_MENTION = /^<@!?(\d{5,25})>$/;

/**
 * The person `typed` names: one of `mentions` when it is their mention (`<@id>`), their id or
 * their name (with or without a leading @, case ignored), else just the typed name.
 */
export function addressee(typed: string, mentions: readonly UserRef[]): Addressee {
  const t = typed.trim();
  const discordId = DISCORD_MENTION.exec(t)?.[1];
  const bare = t.replace(/^@/, "").toLowerCase();
  const found = mentions.find((m) => m.id === discordId || m.id === t || (m.name !== undefined && (m.name.toLowerCase() === bare || m.name.toLowerCase() === t.toLowerCase())));
  if (found) return { id: found.id, name: found.name ?? found.id };
  return { name: t };
}

/** The reply showing a factoid's text, addressed to `to` when given. */
export function factoidReply(text: string, to?: Addressee): Reply {
  const body = factoidRich(text);
  if (!to) return { blocks: [{ kind: "text", text: body }] };
  if (to.id === undefined) {
    const named: RichText = [{ kind: "text", text: `${defuseRoomPings(to.name)}: ` }, ...body];
    return { blocks: [{ kind: "text", text: named }] };
  }
  return { blocks: [{ kind: "text", text: [mention(to.name, to.id), { kind: "text", text: ": " }, ...body] }], mentions: [to.id] };
}
