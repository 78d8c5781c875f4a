/**
 * The ranking table: queries a Nix user types, each with the one result that user expects first.
 * The expectations were written from a user's point of view before looking at what any engine
 * returns; the corpus is test/e2e/servers/opensearch/corpus.ndjson. Shared by the end-to-end suite
 * (test/e2e/search.test.ts, which asserts every row) and the relevance benchmark (bench/search.ts,
 * which compares nixie's bodies with the site's own on the same engine).
 */

/** What is searched: `!pkg`, `!option` (per source) or `!locate`. */
export type RankingKind = "packages" | "option" | "home-manager-option" | "darwin-option" | "programs";

export interface RankingRow {
  readonly kind: RankingKind;
  readonly query: string;
  /** The attribute or option name a user expects as the first result. */
  readonly expected: string;
  /** Why a user expects it. */
  readonly why: string;
}

export const RANKING: readonly RankingRow[] = [
  // !pkg
  { kind: "packages", query: "firefox", expected: "firefox", why: "the browser itself, not a variant" },
  { kind: "packages", query: "hello", expected: "hello", why: "exact attribute name" },
  { kind: "packages", query: "git", expected: "git", why: "exact attribute name among dozens of git-*" },
  { kind: "packages", query: "ripgrep", expected: "ripgrep", why: "exact attribute name" },
  { kind: "packages", query: "rg", expected: "ripgrep", why: "rg is ripgrep's program; rgbds and rgxg only start with rg" },
  { kind: "packages", query: "nvim", expected: "neovim", why: "nvim is neovim's main program" },
  { kind: "packages", query: "code", expected: "vscode", why: "code is VS Code's program" },
  { kind: "packages", query: "7z", expected: "p7zip", why: "7z is p7zip's main program" },
  { kind: "packages", query: "node", expected: "nodejs", why: "people say node for nodejs" },
  { kind: "packages", query: "nodejs", expected: "nodejs", why: "exact attribute name before nodejs_22" },
  { kind: "packages", query: "python", expected: "python3", why: "the default Python" },
  { kind: "packages", query: "python3", expected: "python3", why: "exact attribute name" },
  { kind: "packages", query: "neovim", expected: "neovim", why: "exact attribute name before neovim-qt" },
  { kind: "packages", query: "fd", expected: "fd", why: "exact attribute name" },
  { kind: "packages", query: "gitfull", expected: "gitFull", why: "attribute name typed in lower case" },
  { kind: "packages", query: "git full", expected: "gitFull", why: "attribute name typed as words" },
  { kind: "packages", query: "firefox esr", expected: "firefox-esr", why: "attribute name typed as words" },
  { kind: "packages", query: "python requests", expected: "python313Packages.requests", why: "the library in the default Python set" },
  { kind: "packages", query: "python313packages.requests", expected: "python313Packages.requests", why: "full attribute path in lower case" },
  { kind: "packages", query: "fire*", expected: "firefox", why: "a trailing wildcard: the most popular fire… package" },
  { kind: "packages", query: "imagemagick", expected: "imagemagick", why: "the canonical lower-case attribute" },
  { kind: "packages", query: "postgres", expected: "postgresql", why: "the server, not postgresql_16 or an extension" },
  { kind: "packages", query: "chrome", expected: "google-chrome", why: "Chrome is google-chrome" },
  { kind: "packages", query: "docker", expected: "docker", why: "exact attribute name" },
  // !option (NixOS)
  { kind: "option", query: "nginx", expected: "services.nginx.enable", why: "the module's entry point, not the nginx exporter's" },
  { kind: "option", query: "tor", expected: "services.tor.enable", why: "the module's entry point, not the tor exporter's" },
  { kind: "option", query: "services.nginx", expected: "services.nginx.enable", why: "the module's entry point" },
  { kind: "option", query: "openssh", expected: "services.openssh.enable", why: "the module's entry point" },
  { kind: "option", query: "firefox", expected: "programs.firefox.enable", why: "programs.<name>.enable" },
  { kind: "option", query: "git", expected: "programs.git.enable", why: "programs.<name>.enable" },
  { kind: "option", query: "steam", expected: "programs.steam.enable", why: "programs.<name>.enable" },
  { kind: "option", query: "postgresql", expected: "services.postgresql.enable", why: "services.<name>.enable before .package" },
  { kind: "option", query: "tailscale", expected: "services.tailscale.enable", why: "services.<name>.enable" },
  { kind: "option", query: "docker", expected: "virtualisation.docker.enable", why: "the only docker module" },
  { kind: "option", query: "hostname", expected: "networking.hostName", why: "the option named so" },
  { kind: "option", query: "nginx virtualhosts", expected: "services.nginx.virtualHosts", why: "both words are in its name" },
  { kind: "option", query: "timezone", expected: "time.timeZone", why: "the option named so" },
  // Home Manager and nix-darwin
  { kind: "home-manager-option", query: "git", expected: "programs.git.enable", why: "programs.<name>.enable" },
  { kind: "home-manager-option", query: "direnv", expected: "programs.direnv.enable", why: "programs.<name>.enable before nix-direnv" },
  { kind: "home-manager-option", query: "stateversion", expected: "home.stateVersion", why: "the option named so" },
  { kind: "darwin-option", query: "homebrew", expected: "homebrew.enable", why: "the module's entry point" },
  { kind: "darwin-option", query: "dock autohide", expected: "system.defaults.dock.autohide", why: "both words are in its name" },
  // !locate
  { kind: "programs", query: "rg", expected: "ripgrep", why: "ripgrep ships rg" },
  { kind: "programs", query: "python3", expected: "python3", why: "the package named like the program, before pypy3" },
  { kind: "programs", query: "python", expected: "python3", why: "the default Python, before pypy3" },
  { kind: "programs", query: "convert", expected: "imagemagick", why: "ImageMagick's convert, canonical attribute" },
  { kind: "programs", query: "nvim", expected: "neovim", why: "neovim's main program" },
  { kind: "programs", query: "grep", expected: "gnugrep", why: "GNU grep's main program" },
  { kind: "programs", query: "node", expected: "nodejs", why: "nodejs's main program" },
  { kind: "programs", query: "git", expected: "git", why: "the package named like the program" },
  { kind: "programs", query: "firefox", expected: "firefox", why: "the package named like the program" },
];
