/** The package version and the User-Agent every upstream request carries. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "./config.js";

const pkg = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { version: string; repository?: string };

export const version: string = pkg.version;
export const repositoryUrl: string = pkg.repository ?? "https://github.com/nix-community/nixie";
export const userAgent = `nixie/${version} (+${repositoryUrl})`;
