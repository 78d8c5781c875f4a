import assert from "node:assert/strict";
import { PermissionFlagsBits, PermissionsBitField } from "discord.js";
import { nonceFor, NONCE_LENGTH } from "../../src/adapters/discord/nonce.js";
import { canManageWith } from "../../src/adapters/discord/permissions.js";
import { discordConfigured } from "../../src/adapters/discord/index.js";
import { loadConfig } from "../../src/config.js";

describe("Discord room-manager check", () => {
  it("needs Manage Channels, or Administrator", () => {
    assert.equal(canManageWith(new PermissionsBitField(PermissionFlagsBits.ManageChannels)), true);
    assert.equal(canManageWith(new PermissionsBitField([PermissionFlagsBits.ViewChannel, PermissionFlagsBits.ManageChannels])), true);
    assert.equal(canManageWith(PermissionFlagsBits.Administrator), true);
    assert.equal(canManageWith(new PermissionsBitField([PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages, PermissionFlagsBits.ManageMessages])), false);
    assert.equal(canManageWith(PermissionFlagsBits.ManageGuild), false);
    assert.equal(canManageWith(0n), false);
  });
  it("is never granted without known permissions (direct messages, unresolved members)", () => {
    assert.equal(canManageWith(null), false);
    assert.equal(canManageWith(undefined), false);
  });
});

describe("Discord nonces", () => {
  it("uses a delivery id that fits as it is", () => {
    assert.equal(nonceFor("0123456789abcdef012345678"), "0123456789abcdef012345678");
  });
  it("hashes a longer id to 25 stable characters", () => {
    const long = "discord:1100000000000000020|announcements|https://discourse.nixos.org/t/12345";
    const n = nonceFor(long);
    assert.equal(n.length, NONCE_LENGTH);
    assert.equal(nonceFor(long), n);
    assert.notEqual(nonceFor(`${long}x`), n);
  });
});

describe("Discord configuration", () => {
  const load = (env: Record<string, string>) => loadConfig({ env: { NIXIE_CONFIG: "", ...env }, ignoreLocal: true });
  it("enables Discord with a token and an application id only", () => {
    const both = load({ DISCORD_TOKEN: "t", DISCORD_APPLICATION_ID: "123456789012345678" });
    assert.equal(discordConfigured(both.config, both.secrets), true);
    const noId = load({ DISCORD_TOKEN: "t" });
    assert.equal(discordConfigured(noId.config, noId.secrets), false);
    const noToken = load({ DISCORD_APPLICATION_ID: "123456789012345678" });
    assert.equal(discordConfigured(noToken.config, noToken.secrets), false);
  });
});
