/**
 * Who may manage a room (subscribe feeds, make nixie leave): a pure check over the room's
 * m.room.power_levels and m.room.create contents.
 */

export interface PowerInputs {
  readonly userId: string;
  /** Content of m.room.power_levels, or undefined when the room has none. */
  readonly powerLevels: Record<string, unknown> | undefined;
  /** The m.room.create event (its sender and content), or undefined when unknown. */
  readonly create: { readonly sender?: string; readonly content?: Record<string, unknown> } | undefined;
  /** Configured admins (matrix.admins) manage every room. */
  readonly admins: readonly string[];
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : undefined);

/**
 * Room versions whose creators hold unlimited power (MSC4289, room version 12 and later): the
 * create event's sender and content.additional_creators, whatever power_levels says.
 */
export function creatorsArePrivileged(roomVersion: unknown): boolean {
  if (typeof roomVersion !== "string" || !/^\d+$/.test(roomVersion)) return false;
  return Number(roomVersion) >= 12;
}

/** The users a room's create event names as creators (room version 12+), else an empty list. */
export function roomCreators(create: PowerInputs["create"]): string[] {
  if (!create || !creatorsArePrivileged(create.content?.["room_version"] ?? "1")) return [];
  const extra = create.content?.["additional_creators"];
  const creators = Array.isArray(extra) ? extra.filter((u): u is string => typeof u === "string") : [];
  return create.sender ? [create.sender, ...creators] : creators;
}

/**
 * Whether the user manages the room: in the admin list, a creator in room version 12+, or a power
 * level at least the room's state_default (50 when the power-levels event leaves it out). Without
 * any power-levels event, only the room's creator counts (the spec gives the creator 100 then).
 */
export function canManage(p: PowerInputs): boolean {
  if (p.admins.includes(p.userId)) return true;
  if (roomCreators(p.create).includes(p.userId)) return true;
  const pl = p.powerLevels;
  if (!pl) return p.create?.sender === p.userId;
  const users = pl["users"];
  const own = typeof users === "object" && users !== null ? num((users as Record<string, unknown>)[p.userId]) : undefined;
  const level = own ?? num(pl["users_default"]) ?? 0;
  const needed = num(pl["state_default"]) ?? 50;
  return level >= needed;
}
