/** The command table: an explicit list, in the order !help shows them. */
import type { CommandDef } from "../src/core/command.js";
import about from "./about.js";
import help from "./help.js";
import leave from "./leave.js";

export const commands: readonly CommandDef[] = [help, about, leave];
