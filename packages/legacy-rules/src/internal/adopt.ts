/**
 * A copy of what rule code left in `user` and `context` (or of the event), made of the arrays and objects `into`
 * makes: the data realm's (Realm.empty) for the rules, rulefx's own (`own`) for what the last rule leaves. A value a
 * rule created carries its realm's prototypes, whose methods that rule may have patched (`Array.prototype.includes`):
 * the rules after it, the typed rules and rulefx must not call them. Arrays and plain objects (of any realm) are
 * copied, own enumerable string keys only (never `__proto__`); anything else (a function, a Date, a class instance) is
 * kept as it is, and a cycle stays a cycle.
 */
import { empty } from "../Realm.ts"

/** A new empty array (`array` true) or object of rulefx's own realm. */
export const own = (array: boolean): object => array ? [] : {}

export const adopt = <A>(u: A, into = empty, seen = new Map<object, unknown>()): A => {
  if (typeof u !== "object" || u === null) return u
  const proto: unknown = Array.isArray(u) ? null : Object.getPrototypeOf(u)
  if (seen.has(u) || (proto !== null && Object.getPrototypeOf(proto) !== null)) return (seen.get(u) ?? u) as A
  const out = into(Array.isArray(u)) as Record<string, unknown>
  seen.set(u, out)
  for (const key of Object.keys(u)) {
    if (key !== "__proto__") out[key] = adopt((u as Record<string, unknown>)[key], into, seen)
  }
  return out as A
}
