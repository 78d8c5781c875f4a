/**
 * Reads the "Failed build steps" table of a Hydra build page (HTML only: the JSON API has no build
 * steps). Columns: Nr | Step | Duration | Machine | Status. Per row: the step number (linking
 * `/build/<id>/step/<nr>`), the output paths after "Build of" / "Substitution of", the status text,
 * the step's log link when there is one, and "(propagated from build N)" when another build ran the
 * failing step. The same columns appear again under "Build Steps" with the succeeded steps too:
 * only the table right after the heading counts. Anything unexpected gives undefined, never a guess.
 */
import { parse, type HTMLElement } from "node-html-parser";

export interface FailedStep {
  readonly stepnr: number;
  /** Output store paths of the step, as shown. */
  readonly outputs: readonly string[];
  /** The dependency's name: the first output path's base name without its hash (`python3.13-bar-2.0.1`). */
  readonly name: string;
  /** "Failed", "Cached failure", "Timed out", … (an error message after ":" is left out). */
  readonly status: string;
  /** The step's log page, when the page links one. */
  readonly logUrl?: string;
  /** The build that really ran the failing step, when it is another one. */
  readonly propagatedFrom?: number;
}

/** Pages larger than this are not read (a real one is about 20 kB). */
export const MAX_PAGE_CHARS = 1_000_000;
/** Rows read from the table: a build with more failed steps is summarised by its first ones. */
const MAX_ROWS = 20;
const STORE_PATH = /^\/nix\/store\/[0-9a-z]{32}-([A-Za-z0-9+._?=-]{1,200})$/;

const text = (el: HTMLElement): string => el.textContent.replace(/\s+/g, " ").trim();

/** A link's href when it points to `pathPattern` on the page's own Hydra, else undefined. */
function hydraLink(el: HTMLElement | null | undefined, baseUrl: string, pathPattern: RegExp): string | undefined {
  const href = el?.getAttribute("href");
  if (href === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(href, baseUrl);
  } catch {
    return undefined;
  }
  if (u.origin !== new URL(baseUrl).origin || !pathPattern.test(u.pathname) || u.search !== "" || u.hash !== "") return undefined;
  return u.href;
}

/**
 * The failed steps of the page, or undefined when it has no such table or the table is not as
 * expected (the caller then says "a dependency failed" and links the build). `baseUrl` is the
 * Hydra the page came from: links to anywhere else are dropped.
 */
export function parseFailedSteps(html: string, baseUrl: string): FailedStep[] | undefined {
  if (html.length > MAX_PAGE_CHARS) return undefined;
  let root: HTMLElement;
  try {
    root = parse(html);
  } catch {
    return undefined;
  }
  const heading = root.querySelectorAll("h3").find((h) => text(h).toLowerCase() === "failed build steps");
  if (!heading) return undefined;
  let table = heading.nextElementSibling;
  while (table && table.tagName !== "TABLE" && !/^H\d$/.test(table.tagName)) table = table.nextElementSibling;
  if (!table || table.tagName !== "TABLE") return undefined;
  const header = table.querySelectorAll("th").map((th) => text(th).toLowerCase());
  if (header.length < 5 || header[0] !== "nr" || header[1] !== "step" || header[4] !== "status") return undefined;
  const rows = table.querySelectorAll("tr").filter((tr) => tr.querySelectorAll("td").length > 0);
  if (rows.length === 0) return undefined;
  const steps: FailedStep[] = [];
  for (const row of rows.slice(0, MAX_ROWS)) {
    const cells = row.querySelectorAll("td");
    if (cells.length < 5) return undefined;
    const stepnr = Number(text(cells[0]!));
    if (!Number.isSafeInteger(stepnr) || stepnr < 0) return undefined;
    const outputs = cells[1]!
      .querySelectorAll("tt")
      .flatMap((tt) => tt.textContent.split(","))
      .map((p) => p.trim())
      .filter((p) => p !== "");
    const name = STORE_PATH.exec(outputs[0] ?? "")?.[1];
    if (name === undefined || !outputs.every((p) => STORE_PATH.test(p))) return undefined;
    const statusCell = cells[4]!;
    // The status text comes before the "(log, raw, tail)" and "(propagated from …)" parts.
    const status = text(statusCell).split("(")[0]!.split(":")[0]!.trim();
    if (status === "") return undefined;
    const links = statusCell.querySelectorAll("a");
    const logUrl = hydraLink(
      links.find((a) => text(a) === "log"),
      baseUrl,
      /^\/build\/\d+\/step\/\d+\/log$/,
    );
    const fromHref = hydraLink(
      links.find((a) => /^build \d+$/.test(text(a))),
      baseUrl,
      /^\/build\/\d+$/,
    );
    const from = fromHref === undefined ? undefined : Number(/\/build\/(\d+)$/.exec(new URL(fromHref).pathname)?.[1]);
    steps.push({
      stepnr,
      outputs: outputs.slice(0, 8),
      name,
      status: status.slice(0, 60),
      ...(logUrl === undefined ? {} : { logUrl }),
      ...(from !== undefined && Number.isSafeInteger(from) ? { propagatedFrom: from } : {}),
    });
  }
  return steps;
}
