/** The strings of a list read from the event or left by a rule; anything that is not a list is an empty one. */
export const stringList = (u: unknown): Array<string> =>
  Array.isArray(u) ? u.filter((s): s is string => typeof s === "string") : []
