/**
 * Statistics and formatting shared by the bench sections: medians and percentiles, byte and time units, ratios,
 * goal verdicts, and tables for the terminal and for RESULTS.md.
 */

/** The value at quantile `q` (0..1) of `values`, nearest-rank on the sorted copy. */
export const quantile = (values: ReadonlyArray<number>, q: number): number => {
  const sorted = values.toSorted((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank] ?? Number.NaN
}

/** The median of `values`. */
export const median = (values: ReadonlyArray<number>): number => {
  const sorted = values.toSorted((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] ?? Number.NaN : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

/** Bytes as kB with one decimal (1 kB = 1000 bytes, as the bundler counts: Auth0's 100 kB read strictly). */
export const kB = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`

/** Bytes with thousands separators and kB, e.g. `83,177 B (83.2 kB)`. */
export const bytesAndKb = (bytes: number): string => `${bytes.toLocaleString("en-US")} B (${kB(bytes)})`

/** Signed bytes, e.g. `-2,304 B`. */
export const signedBytes = (bytes: number): string =>
  `${bytes > 0 ? "+" : bytes < 0 ? "-" : "±"}${Math.abs(bytes).toLocaleString("en-US")} B`

/** Milliseconds with a precision that suits their size. */
export const ms = (millis: number): string =>
  `${millis >= 100 ? millis.toFixed(0) : millis >= 10 ? millis.toFixed(1) : millis.toFixed(2)} ms`

/** Microseconds, one decimal. */
export const us = (micros: number): string => `${micros.toFixed(1)} µs`

/** A ratio such as `2.41×`. */
export const ratio = (value: number, baseline: number): string => `${(value / baseline).toFixed(2)}×`

/** A goal's verdict. */
export const verdict = (met: boolean): string => (met ? "met" : "NOT met")

/** A row of the summary: one figure for rulefx and the baseline, the ratio, the goal and its verdict. */
export interface SummaryRow {
  readonly what: string
  readonly rulefx: string
  readonly baseline: string
  readonly ratio: string
  readonly goal: string
  readonly met: string
}

/** A plain-text table with padded columns, for the terminal. */
export const textTable = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ").trimEnd()
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n")
}

const escapeCell = (cell: string): string => cell.replace(/\|/g, "\\|")

/** A Markdown table; `align` gives "l" or "r" per column (default left). */
export const markdownTable = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  align: ReadonlyArray<"l" | "r"> = []
): string =>
  [
    `| ${header.map(escapeCell).join(" | ")} |`,
    `|${header.map((_, i) => (align[i] === "r" ? "---:" : "---")).join("|")}|`,
    ...rows.map((row) => `| ${row.map(escapeCell).join(" | ")} |`)
  ].join("\n")

/** The summary as [header, rows], shared by the terminal and RESULTS.md. */
export const summaryTable = (
  rows: ReadonlyArray<SummaryRow>
): [ReadonlyArray<string>, ReadonlyArray<ReadonlyArray<string>>] => [
  ["figure", "rulefx", "hand-written", "ratio", "goal", "verdict"],
  rows.map((r) => [r.what, r.rulefx, r.baseline, r.ratio, r.goal, r.met])
]
