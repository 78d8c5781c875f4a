/** The command table: an explicit list, in the order !help shows them. */
import type { CommandDef } from "../src/core/command.js";
import about from "./about.js";
import help from "./help.js";
import leave from "./leave.js";
import locate from "./locate.js";
import option from "./option.js";
import pkg from "./pkg.js";
import wiki from "./wiki.js";

export const commands: readonly CommandDef[] = [help, about, pkg, option, locate, wiki, leave];
