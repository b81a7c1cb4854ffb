/** RFC 3986 percent-encoding, as `request` encodes `qs` and `form`: encodeURIComponent, and `!'()*` too. */
export const rfc3986 = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
