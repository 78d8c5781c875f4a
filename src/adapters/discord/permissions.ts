/**
 * Room-manager rights on Discord: Manage Channels in the channel (Administrator implies it).
 * Checked at run time for slash and prefix commands alike, because server admins can override
 * a slash command's default member permissions.
 */
import { PermissionsBitField, type PermissionResolvable } from "discord.js";
import { MANAGER_PERMISSION } from "./slash.js";

/**
 * Whether these permissions make someone a room manager. `null` (no permissions known: a direct
 * message, or a member discord.js could not resolve) is never enough.
 */
export function canManageWith(permissions: Readonly<PermissionsBitField> | PermissionResolvable | null | undefined): boolean {
  if (permissions === null || permissions === undefined) return false;
  const bits = permissions instanceof PermissionsBitField ? permissions : new PermissionsBitField(permissions);
  // has() counts Administrator as every permission.
  return bits.has(MANAGER_PERMISSION);
}
