/**
 * The Discord adapter (discord.js v14): slash commands and their autocomplete, prefix commands
 * when enabled, and feed posts. It only translates: parsing, validation, rate limits, rights and
 * error replies belong to the dispatcher, and src/render/discord.ts makes every payload.
 */
import { AutocompleteInteraction, ChatInputCommandInteraction, Client, DiscordAPIError, Events, GatewayIntentBits, MessageFlags, Options, Partials, type Interaction, type Message } from "discord.js";
import type { Logger } from "pino";
import type { Adapter, IncomingMessage, MessageHandler, RoomRef, SendOptions } from "../../core/adapter.js";
import type { Dispatcher } from "../../core/dispatcher.js";
import { errorReply, type Reply } from "../../core/reply.js";
import { renderDiscord } from "../../render/discord.js";
import { IntervalLimiter } from "../../upstream/cache.js";
import { nonceFor } from "./nonce.js";
import { canManageWith } from "./permissions.js";
import { withDeadline } from "../../core/deadline.js";

export interface DiscordAdapterOptions {
  readonly token: string;
  readonly applicationId: string;
  /** REST base like https://discord.com/api; empty or absent: Discord's own. */
  readonly apiUrl?: string;
  /** Answer `!commands` in messages too (needs the privileged message-content intent). */
  readonly prefixCommands: boolean;
  readonly dispatcher: Dispatcher;
  readonly log: Logger;
  /**
   * Called when a channel is gone or forbids nixie (404/403 on a feed post): removes the
   * channel's state (room registry: subscriptions, tracks, settings) and resolves with how many items there were.
   */
  readonly onRoomGone?: (room: RoomRef) => Promise<number>;
  /** Least time between two feed posts from this adapter (ms); 0 for no pause. */
  readonly sendPaceMs?: number;
  /** Autocomplete answers after at most this long (Discord allows 3 s in all). Default 2500. */
  readonly autocompleteTimeoutMs?: number;
  /** A command not marked slow is deferred when it has no answer after this long. Default 2000. */
  readonly deferAfterMs?: number;
  /** start() fails when Discord has not said READY within this long. Default 30000. */
  readonly readyTimeoutMs?: number;
  /** Timeout of one REST request. Default 15000. */
  readonly restTimeoutMs?: number;
  /**
   * discord.js waits out rate limits; a request that would wait longer than this fails instead
   * (a feed post is then retried at the next poll). Default 60000.
   */
  readonly maxRateLimitWaitMs?: number;
}

/** Why a feed post cannot go to a Discord channel any more. */
export class DiscordRoomGoneError extends Error {
  override name = "DiscordRoomGoneError";
  constructor(
    readonly room: RoomRef,
    readonly status: number,
  ) {
    super(`Discord channel ${room.id} is gone or forbids nixie (HTTP ${status})`);
  }
}

const TIMED_OUT = Symbol("timed out");

/** Resolves with the promise's value, or TIMED_OUT after `ms`; the timer never outlives it. */
function within<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  return withDeadline(p, { ms }, () => TIMED_OUT);
}

/** What the renderer makes of a reply: content and embeds within Discord's limits, never empty. */
type Payload = ReturnType<typeof renderDiscord>;

/** Creates the adapter; nothing connects before start(). Several adapters may share a process. */
export function createDiscordAdapter(opts: DiscordAdapterOptions): Adapter {
  const log = opts.log.child({ adapter: "discord" });
  const dispatcher = opts.dispatcher;
  const autocompleteMs = opts.autocompleteTimeoutMs ?? 2500;
  const deferAfterMs = opts.deferAfterMs ?? 2000;
  const maxRateLimitWaitMs = opts.maxRateLimitWaitMs ?? 60_000;
  const pace = opts.sendPaceMs && opts.sendPaceMs > 0 ? new IntervalLimiter(1000 / opts.sendPaceMs) : undefined;
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages];
  if (opts.prefixCommands) intents.push(GatewayIntentBits.MessageContent);

  const client = new Client({
    intents,
    // As many gateway shards as Discord recommends (GET /gateway/bot), all in this process:
    // Discord requires sharding from 2,500 guilds on, and one process keeps one lease holder.
    shards: "auto",
    // Direct-message channels are not cached before their first event.
    partials: [Partials.Channel],
    // Also set on every payload by the renderer; this covers anything else.
    allowedMentions: { parse: [], repliedUser: false },
    // A reply to a message deleted meanwhile is still posted (as a plain message).
    failIfNotExists: false,
    // nixie never reads old messages: do not keep them.
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0 }),
    rest: {
      timeout: opts.restTimeoutMs ?? 15_000,
      rejectOnRateLimit: (r) => Math.max(r.retryAfter, r.timeToReset) > maxRateLimitWaitMs,
      ...(opts.apiUrl ? { api: opts.apiUrl.replace(/\/+$/, "") } : {}),
    },
  });
  let connected = false;
  let handler: MessageHandler | undefined;
  // Feed posts go out one at a time, paced.
  let sendQueue: Promise<unknown> = Promise.resolve();

  client.on(Events.ShardReady, () => (connected = true));
  client.on(Events.ShardResume, () => {
    connected = true;
    log.info("gateway session resumed");
  });
  client.on(Events.ShardDisconnect, (ev) => {
    connected = false;
    log.warn({ code: ev.code }, "gateway disconnected");
  });
  client.on(Events.ShardReconnecting, () => {
    connected = false;
    log.info("gateway reconnecting");
  });
  client.on(Events.Error, (err) => log.error({ err: err.message }, "discord.js error"));
  client.on(Events.Warn, (w) => log.warn({ warning: w }, "discord.js warning"));
  client.on(Events.Debug, (m) => log.trace({ debug: m }, "discord.js"));
  client.rest.on("rateLimited", (r) => log.warn({ route: r.route, retryAfterMs: r.retryAfter, global: r.global }, "Discord rate limit, queued"));

  client.on(Events.InteractionCreate, (i: Interaction) => {
    const work = i.isAutocomplete() ? onAutocomplete(i) : i.isChatInputCommand() ? onSlashCommand(i) : Promise.resolve();
    work.catch((err: unknown) => log.warn({ err: errText(err), interaction: i.id }, "interaction failed"));
  });
  if (opts.prefixCommands) {
    client.on(Events.MessageCreate, (m: Message) => {
      onMessage(m).catch((err: unknown) => log.warn({ err: errText(err), channel: m.channelId }, "message reply failed"));
    });
  }

  function incoming(
    room: string,
    user: { id: string; username: string },
    text: string,
    canManage: () => Promise<boolean>,
    where: { direct: boolean; mentions: readonly { id: string; username: string }[] },
  ): IncomingMessage {
    return {
      room: { platform: "discord", id: room },
      user: { id: user.id, name: user.username },
      text,
      mentions: where.mentions.slice(0, 20).map((u) => ({ id: u.id, name: u.username })),
      ...(where.direct ? { direct: true } : {}),
      canManageRoom: async () => {
        try {
          return await canManage();
        } catch (err) {
          log.debug({ err: errText(err) }, "permission check failed");
          return false;
        }
      },
    };
  }

  async function onAutocomplete(i: AutocompleteInteraction): Promise<void> {
    const focused = i.options.getFocused(true);
    const others: Record<string, string | number | boolean> = {};
    for (const o of i.options.data) if (o.name !== focused.name && o.value !== undefined && o.value !== null) others[o.name] = o.value;
    const found = await within(dispatcher.complete(i.commandName, focused.name, String(focused.value), "discord", others, { platform: "discord", id: i.channelId }), autocompleteMs);
    // Discord cannot defer autocomplete: late or failed means an empty list, never silence.
    const choices = found === TIMED_OUT ? [] : found;
    if (found === TIMED_OUT) log.debug({ command: i.commandName, option: focused.name }, "autocomplete timed out");
    await i.respond(choices.map((c) => ({ name: c.name, value: c.value })));
  }

  async function onSlashCommand(i: ChatInputCommandInteraction): Promise<void> {
    const raw = new Map<string, string | number | boolean>();
    for (const o of i.options.data) if (o.value !== undefined && o.value !== null) raw.set(o.name, o.value);
    const text = [`/${i.commandName}`, ...[...raw].map(([k, v]) => `${k}:${String(v)}`)].join(" ");
    // A user option's value is the user's id; the user it names is a mention the platform made.
    const users = i.options.data.flatMap((o) => (o.user ? [o.user] : []));
    const where = { direct: !i.inGuild(), mentions: users };
    const message: IncomingMessage = { ...incoming(i.channelId, i.user, text, async () => i.inGuild() && canManageWith(i.memberPermissions), where), slash: true };
    const work = dispatcher.invoke(message, i.commandName, raw);
    // If acknowledging fails below, the answer is dropped; it must not become an unhandled rejection.
    work.catch(() => undefined);
    // Acknowledge within Discord's 3 s: defer at once for commands that call an upstream, and
    // for any other command that has not answered by deferAfterMs.
    let deferred = false;
    if (dispatcher.find(i.commandName)?.slow) {
      await i.deferReply();
      deferred = true;
    } else if ((await within(work, deferAfterMs)) === TIMED_OUT) {
      await i.deferReply();
      deferred = true;
    }
    // The dispatcher stays silent after its one "slow down" notice, but an interaction must be
    // answered, so it gets the short form of that notice (only the user sees it).
    const reply: Reply = (await work) ?? errorReply("Slow down, please.");
    const payload = renderDiscord(reply);
    if (reply.isError) {
      // Errors are ephemeral. A deferred reply is already public, so it is replaced.
      if (deferred) {
        await i.deleteReply();
        await i.followUp({ ...payload, flags: MessageFlags.Ephemeral });
      } else {
        await i.reply({ ...payload, flags: MessageFlags.Ephemeral });
      }
    } else if (deferred) {
      await i.editReply(payload);
    } else {
      await i.reply(payload);
    }
  }

  /** "<@nixie's id> help" → "!help": a mention of nixie addresses it, as its name does. */
  function addressedByMention(text: string): string {
    const id = client.user?.id;
    const m = id === undefined ? null : new RegExp(`^\\s*<@!?${id}>[:,]?\\s*(\\S[\\s\\S]*)$`).exec(text);
    if (!m) return text;
    const rest = m[1]!;
    return rest.startsWith(opts.dispatcher.prefix) ? rest : `${opts.dispatcher.prefix}${rest}`;
  }

  async function onMessage(m: Message): Promise<void> {
    if (!handler || m.author.bot || m.webhookId !== null || m.system) return;
    const h = handler;
    const canManage = async (): Promise<boolean> => {
      if (!m.inGuild()) return false;
      const member = m.member ?? (await m.guild.members.fetch(m.author.id));
      return canManageWith(member.permissionsIn(m.channel));
    };
    // Mentions of nixie itself (`@nixie dontask @bob`) only address nixie.
    const mentions = [...m.mentions.users.values()].filter((u) => u.id !== client.user?.id);
    const reply = await h(incoming(m.channelId, m.author, addressedByMention(m.content), canManage, { direct: !m.inGuild(), mentions }));
    if (!reply) return;
    const payload: Payload = renderDiscord(reply);
    await m.reply({ ...payload, allowedMentions: { ...payload.allowedMentions, repliedUser: false } });
  }

  /** Discord's JSON error code for a channel the bot cannot see. */
  const MISSING_ACCESS = 50001;

  async function post(room: RoomRef, reply: Reply, sendOpts: SendOptions | undefined): Promise<void> {
    if (pace) await pace.wait();
    const payload = renderDiscord(reply);
    const nonce = sendOpts?.deliveryId !== undefined ? { nonce: nonceFor(sendOpts.deliveryId), enforceNonce: true } : {};
    try {
      const channel = await client.channels.fetch(room.id);
      if (!channel) throw new DiscordRoomGoneError(room, 404);
      if (!channel.isSendable()) throw new Error(`Discord channel ${room.id} does not take messages`);
      await channel.send({ ...payload, ...nonce });
    } catch (err) {
      const status = err instanceof DiscordRoomGoneError ? err.status : err instanceof DiscordAPIError ? err.status : undefined;
      // Gone: 404, or 403 "Missing Access" (nixie can no longer see the channel). A 403 for a
      // missing permission (50013, e.g. a moderator's lockdown) is passing: the post fails and is
      // tried again at the next poll, and the subscription stays.
      const noAccess = status === 403 && (err instanceof DiscordRoomGoneError || (err instanceof DiscordAPIError && err.code === MISSING_ACCESS));
      if (status !== 404 && !noAccess) throw err;
      const removed = opts.onRoomGone ? await opts.onRoomGone(room) : 0;
      log.warn({ channel: room.id, status, removed }, "Discord channel is gone or forbids nixie: its room state was removed");
      throw err instanceof DiscordRoomGoneError ? err : new DiscordRoomGoneError(room, status);
    }
  }

  /**
   * Shuts the client down, waiting at most 2 s: discord.js's destroy() never resolves when it
   * meets a shard that is still waiting for READY (the shard's own timeout handler destroys it
   * a second time, and the first close is never reported).
   */
  async function destroy(): Promise<void> {
    const done = client.destroy().catch((err: unknown) => log.debug({ err: errText(err) }, "destroy failed"));
    if ((await within(done, 2000)) === TIMED_OUT) log.warn("the Discord client did not shut down within 2 s");
  }

  return {
    platform: "discord",

    async start(h) {
      handler = h;
      const readyMs = opts.readyTimeoutMs ?? 30_000;
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      try {
        // login() itself waits until every shard is ready (retrying the gateway meanwhile), so
        // the bound covers it too.
        const login = client.login(opts.token);
        login.catch(() => undefined); // after a timeout nobody awaits it any more
        if (
          (await within(
            login.then(() => ready),
            readyMs,
          )) === TIMED_OUT
        )
          throw new Error(`Discord did not say READY within ${readyMs / 1000} s`);
      } catch (err) {
        handler = undefined;
        await destroy();
        const hint =
          opts.prefixCommands && /disallowed intents/i.test(errText(err))
            ? " (prefix commands need the Message Content intent: switch it on under Bot in the developer portal, or set discord.prefixCommands to false)"
            : "";
        throw new Error(`Discord: ${errText(err)}${hint}`, { cause: err });
      }
      connected = true;
      if (client.application?.id && client.application.id !== opts.applicationId)
        log.warn({ configured: opts.applicationId, actual: client.application.id }, "DISCORD_APPLICATION_ID differs from the token's application");
      log.info({ user: client.user?.tag, guilds: client.guilds.cache.size, prefixCommands: opts.prefixCommands }, "connected to Discord");
    },

    send(room, reply, sendOpts) {
      if (room.platform !== "discord") return Promise.reject(new Error(`the Discord adapter cannot send to ${room.platform}`));
      const result = sendQueue.then(() => post(room, reply, sendOpts));
      sendQueue = result.catch(() => undefined);
      return result;
    },

    async stop() {
      handler = undefined;
      connected = false;
      await destroy();
    },

    isConnected: () => connected && client.isReady(),
  };
}

/** An error's message for logs (discord.js errors never include the token). */
function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
