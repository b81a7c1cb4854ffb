/**
 * An http(s) URL as the WHATWG parser reads it (what a browser, and fetch, would follow): surrounding spaces, tabs and
 * newlines inside, backslashes for slashes are all resolved here, so that what was checked is exactly what is sent.
 * Anything else (not a string, not a URL, another scheme) is undefined.
 */
export const httpUrl = (u: unknown): URL | undefined => {
  const url = typeof u === "string" && URL.canParse(u) ? new URL(u) : undefined
  return url && /^https?:$/.test(url.protocol) ? url : undefined
}
