// The URLs a login may be sent to: https, or plain http to this machine only (local development). A redirect to any
// other http URL would carry its signed token, and the user, over an unencrypted connection.
const localHosts: ReadonlySet<string> = /* @__PURE__ */ new Set(["localhost", "127.0.0.1", "[::1]"])

/** Whether `url` parses and is http(s). */
export const isHttpUrl = (url: string): boolean => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol)

/** Whether an http(s) `url` is https, or http to localhost, 127.0.0.1 or [::1]. */
export const isSecureUrl = (url: string): boolean => {
  const parsed = new URL(url)
  return parsed.protocol === "https:" || localHosts.has(parsed.hostname)
}
