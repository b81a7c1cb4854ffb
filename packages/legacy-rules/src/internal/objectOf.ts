/**
 * A part of the event, or a value a rule left, read as an object: anything that is not one (an array too) is an empty
 * one.
 */
import * as Predicate from "effect/Predicate"

export const objectOf = (u: unknown): Record<string, unknown> => Predicate.isObject(u) ? u : {}
