/** The command table: an explicit list, in the order !help shows them. */
import type { CommandDef } from "../src/core/command.js";
import about from "./about.js";
import eval_ from "./eval.js";
import fn from "./fn.js";
import channel from "./channel.js";
import channels from "./channels.js";
import event from "./event.js";
import feeds from "./feeds.js";
import help from "./help.js";
import leave from "./leave.js";
import locate from "./locate.js";
import nixhour from "./nixhour.js";
import option from "./option.js";
import pkg from "./pkg.js";
import subscribe from "./subscribe.js";
import subscriptions from "./subscriptions.js";
import unsubscribe from "./unsubscribe.js";
import versions from "./versions.js";
import wiki from "./wiki.js";
import pr from "./pr.js";
import track from "./track.js";
import tracked from "./tracked.js";
import untrack from "./untrack.js";
import links from "./links.js";
import fact from "./fact.js";
import facts from "./facts.js";
import learn from "./learn.js";
import forget from "./forget.js";
import hydra from "./hydra.js";

export const commands: readonly CommandDef[] = [
  help,
  about,
  pkg,
  option,
  locate,
  versions,
  wiki,
  eval_,
  fn,
  pr,
  track,
  tracked,
  untrack,
  links,
  fact,
  facts,
  learn,
  forget,
  channels,
  channel,
  hydra,
  event,
  nixhour,
  feeds,
  subscriptions,
  subscribe,
  unsubscribe,
  leave,
];
