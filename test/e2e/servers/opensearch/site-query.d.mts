// Types of site-query.mjs (the site's own request bodies), for the TypeScript that imports it.
type Body = Record<string, unknown>;
/** Query.elm packagesBody with no bucket selected and sort = relevance. */
export function sitePackagesBody(query: string, from?: number, size?: number): Body;
/** Query.elm optionsBody for one document type ("option", "home-manager-option", ...), sort = relevance. */
export function siteOptionsBody(type: string, query: string, from?: number, size?: number): Body;
/** Typeahead.elm requestBody (packages and NixOS options). */
export function siteTypeaheadBody(kind: "package" | "option", query: string): Body;
