/**
 * The dispatcher's fallback for `!<name>` that names no command: a factoid this room knows runs
 * as `!fact <name> …` (so it counts for the rate limit and answers like any command), and the
 * room's factoid names join the command names for the one "did you mean".
 */
import type { IncomingMessage } from "../core/adapter.js";
import type { UnknownName } from "../core/dispatcher.js";
import type { Factoids } from "./store.js";

/** The command a known factoid name runs as. */
export const FACT_COMMAND = "fact";

/** The names `message`'s room can call: in a direct message only the defaults (no room of its own). */
export async function callableNames(factoids: Factoids, message: Pick<IncomingMessage, "room" | "direct">): Promise<string[]> {
  return message.direct ? [...factoids.defaults.keys()] : factoids.names(message.room);
}

export function factoidFallback(factoids: Factoids): (name: string, message: IncomingMessage) => Promise<UnknownName> {
  return async (name, message) => {
    const names = await callableNames(factoids, message);
    return names.includes(name) ? { run: FACT_COMMAND } : { names };
  };
}
