/** JSON text of a value for a log line or a comparison; a value JSON cannot hold (a cycle, a BigInt) is named. */
export const json = (u: unknown): string => {
  try {
    return JSON.stringify(u) ?? "undefined"
  } catch {
    return "[unserialisable]"
  }
}
