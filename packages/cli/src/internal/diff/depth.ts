/**
 * How deep `rulefx diff` walks a value: an event's, or one an Action set (a claim, metadata, a cache value). Comparing
 * (`isDeepStrictEqual`), printing (`util.inspect`, `JSON.stringify`) and scrubbing a value recurse once a level, so one
 * nested a hundred thousand levels overflows the stack; a value nested deeper than `maxDepth` is refused (an event) or
 * compared and shown as a marker (an Action's value), never walked by them.
 */
import { types } from "node:util"

/** How deep a value's arrays and objects may nest: deeper, copying, comparing or printing it could overflow the stack. */
export const maxDepth = 256

// The values below an object, as deep equality and util.inspect walk them: a Map's keys and values, a Set's members,
// another object's own enumerable values.
const children = (node: object): Iterator<unknown> =>
  types.isMap(node)
    ? [...node.keys(), ...node.values()][Symbol.iterator]()
    : types.isSet(node)
    ? node.values()
    : Object.values(node)[Symbol.iterator]()

interface Level {
  readonly node: object
  readonly below: Iterator<unknown>
  height: number
}

/**
 * Whether `value` nests deeper than `limit` levels, walked without recursion (which would overflow too). An object
 * already above on the path (a cycle) adds no depth; one met again elsewhere (shared) adds the height it was found to
 * have, so a value of many shared parts is walked once a part.
 */
export const nestsDeeper = (value: unknown, limit: number = maxDepth): boolean => {
  if (typeof value !== "object" || value === null) return false
  const heights = new Map<object, number>()
  const path: Array<Level> = [{ node: value, below: children(value), height: 0 }]
  const onPath = new Set<object>([value])
  while (path.length > 0) {
    const level = path.at(-1)!
    const next = level.below.next()
    if (next.done === true) {
      path.pop()
      onPath.delete(level.node)
      heights.set(level.node, level.height)
      const parent = path.at(-1)
      if (parent !== undefined) parent.height = Math.max(parent.height, level.height + 1)
      continue
    }
    const child = next.value
    if (typeof child !== "object" || child === null || onPath.has(child)) continue
    const known = heights.get(child)
    if (known !== undefined) {
      level.height = Math.max(level.height, known + 1)
      if (path.length + known >= limit) return true
      continue
    }
    if (path.length >= limit) return true
    path.push({ node: child, below: children(child), height: 0 })
    onPath.add(child)
  }
  return false
}
