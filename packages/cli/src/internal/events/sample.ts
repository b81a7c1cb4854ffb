/**
 * Seeded choices for `rulefx events`: a small deterministic generator (mulberry32) and a sample of distinct indices,
 * so that the same seed reads the same users of the same tenant.
 */

/** A generator of numbers in [0, 1), the same sequence for the same seed. */
export const random = (seed: number): () => number => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `count` distinct indices of [0, size), ascending (Floyd's algorithm); all of them when `count >= size`. */
export const indices = (size: number, count: number, seed: number): ReadonlyArray<number> => {
  if (count >= size) return Array.from({ length: size }, (_, i) => i)
  const next = random(seed)
  const chosen = new Set<number>()
  for (let j = size - count; j < size; j++) {
    const t = Math.floor(next() * (j + 1))
    chosen.add(chosen.has(t) ? j : t)
  }
  return [...chosen].toSorted((a, b) => a - b)
}
