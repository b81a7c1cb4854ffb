/**
 * Measures `rulefx convert` on the classic Auth0 Rules templates: every `src/rules/*.js` file ever in the public
 * auth0/rules repository, at its newest version (116 templates; its `test-require.js`, a test of the sandbox's
 * modules, and the `*.test.js` files are left out). Each is converted; the converted modules and their generated
 * tests are type-checked together; each converted rule that type-checks runs its differential test (300 generated
 * logins against the legacy rule); the results go into docs/convert.md between its `templates` markers.
 *
 *   node examples/converted-templates/scripts/convert-templates.ts <auth0/rules git dir> [--vendor]
 *
 * `--vendor` also copies the fully converted templates into examples/converted-templates/rules/ (with their license)
 * and converts them there, so that their generated tests run with the repository's (`pnpm test`).
 */
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Convert from "@rulefx/cli/Convert"
import * as RuleDifferential from "@rulefx/cli/RuleDifferential"
import type { Denial } from "@rulefx/core/Denial"
import * as Pipeline from "@rulefx/core/Pipeline"
import type * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { basename, join, relative } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = fileURLToPath(new URL("../../..", import.meta.url))
const example = join(root, "examples/converted-templates")
const work = join(example, ".measure")
const docs = join(root, "docs/convert.md")
const count = 300

const [gitDir, ...flags] = process.argv.slice(2)
if (gitDir === undefined || !existsSync(gitDir)) {
  console.error(
    "usage: node examples/converted-templates/scripts/convert-templates.ts <auth0/rules git dir> [--vendor]"
  )
  process.exit(2)
}
const vendor = flags.includes("--vendor")
const git = (...args: Array<string>): string =>
  execFileSync("git", [`--git-dir=${gitDir}`, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })

// --- 1. The templates ------------------------------------------------------------------------------------------
const paths = [...new Set(git("log", "--all", "--name-only", "--format=").split("\n"))]
  .filter((p) => /^src\/rules\/[^/]+\.js$/.test(p) && !p.endsWith(".test.js") && p !== "src/rules/test-require.js")
  .toSorted()
const templates = paths.map((path) => {
  const commit = git("log", "--all", "-n1", "--format=%H", "--diff-filter=AMR", "--", path).trim()
  return { name: basename(path, ".js"), text: git("show", `${commit}:${path}`), commit }
})

// Each template in a rules folder of its own: it is measured alone, not after the others (convert reads what earlier
// rules of a folder write).
const folderOf = (base: string, name: string) => join(base, "rules", name)
const writeRule = (base: string, name: string, text: string) => {
  mkdirSync(folderOf(base, name), { recursive: true })
  writeFileSync(join(folderOf(base, name), `${name}.js`), text)
  writeFileSync(
    join(folderOf(base, name), `${name}.json`),
    `${JSON.stringify({ name, script: `./${name}.js`, stage: "login_success", enabled: true, order: 1 }, null, 2)}\n`
  )
}
rmSync(work, { recursive: true, force: true })
for (const dir of ["src", "test"]) mkdirSync(join(work, dir), { recursive: true })
for (const t of templates) writeRule(work, t.name, t.text)

// --- 2. Convert ------------------------------------------------------------------------------------------------
interface Row {
  readonly name: string
  result: "full" | "partly" | "none"
  readonly reasons: Array<string>
  conversion?: Convert.Written
}
const rows: Array<Row> = []
// Each template's files in folders of their own (numbered: Username-attribute.js and username-attribute.js are both
// templates, and TypeScript refuses two files whose paths differ only in casing).
for (const [i, t] of templates.entries()) {
  // oxlint-disable-next-line no-await-in-loop -- one template at a time, on purpose
  const exit = await Effect.runPromise(Effect.exit(
    Convert.convert(folderOf(work, t.name), t.name, {
      out: join(work, "src", String(i)),
      tests: join(work, "test", String(i)),
      count,
      // Type-checked below, all together: one tsc run rather than one per template.
      check: false
    })
  ))
  if (exit._tag === "Failure") {
    const reason = String(exit.cause).includes("found no code") ? "no rule function (an empty file)" : "not analysed"
    rows.push({ name: t.name, result: "none", reasons: [reason] })
    continue
  }
  const c = exit.value
  // Every construct translated, but a decision no generated login reaches: checked as the others, then partly.
  const untested = c.todos.length === 0 && c.unreached.length > 0
  rows.push({
    name: t.name,
    result: c.status === "converted" || untested ? "full" : c.status === "partial" ? "partly" : "none",
    reasons: [...new Set(c.todos.map((todo) => category(todo.reason)))],
    conversion: c
  })
}

function category(reason: string): string {
  if (reason.startsWith("uses `callback` as a value")) return "asynchronous code (callback passed on)"
  const uses = /^uses `([^`]+)`/.exec(reason)
  if (uses) return uses[1] === "require" ? "npm modules (`require`)" : `\`${uses[1]}\``
  if (reason.startsWith("reads `configuration`")) return "`configuration` as a whole"
  const reads = /^reads (user|context)\.?([\w$]*)/.exec(reason)
  if (reads) return reads[2] ? `reads ${reads[1]}.${reads[2]}` : `\`${reads[1]}\` as a whole`
  const writes = /^writes (user|context)\.([\w$]+)/.exec(reason)
  if (writes) return writes[1] === "user" ? "writes `user` (not persisted)" : `writes context.${writes[2]}`
  if (reason.startsWith("is asynchronous")) return "an async function"
  if (reason.startsWith("declares a function")) return "inner functions"
  return reason.replace(/ \(.*\)$/, "")
}

// --- 3. Type-check the converted ones together -----------------------------------------------------------------
writeFileSync(
  join(work, "tsconfig.json"),
  JSON.stringify({ extends: "../../../tsconfig.base.json", include: ["src", "test"] })
)
const tsc = spawnSync(join(root, "node_modules/.bin/tsc"), ["-p", join(work, "tsconfig.json"), "--pretty", "false"], {
  cwd: work,
  encoding: "utf8",
  maxBuffer: 64 * 1024 * 1024
})
const diagnostics = `${tsc.stdout}${tsc.stderr}`.split("\n").filter((l) => l.includes("error TS"))
if (tsc.status !== 0 && !diagnostics.some((l) => /^(src|test)\//.test(l))) {
  throw new Error(`the type-check did not run:\n${tsc.stdout}${tsc.stderr}`)
}
const errorsOf = (name: string) => {
  const i = templates.findIndex((t) => t.name === name)
  return diagnostics.filter((l) => l.startsWith(`src/${i}/`) || l.startsWith(`test/${i}/`))
}

// --- 4. Run the differential of each converted rule that type-checks -------------------------------------------
for (const row of rows) {
  if (row.result !== "full" || row.conversion === undefined) continue
  const errors = errorsOf(row.name)
  if (errors.length > 0) {
    row.result = "partly"
    row.reasons.push(`does not type-check: ${errors[0]!.replace(/^.*error (TS\d+): /, "$1 ")}`)
    continue
  }
  // oxlint-disable-next-line no-await-in-loop -- one template at a time, on purpose
  const module = await import(pathToFileURL(row.conversion.moduleFile).href) as Record<string, unknown>
  // What a converted rule needs is what an Action provides each login (Login, Secrets).
  const rule = module[row.conversion.exportName] as Rule.Rule<Denial, PostLogin.PerLogin>
  const typed = PostLogin.make(Pipeline.make({ facts: [], rules: [rule] }), Layer.empty)
  // oxlint-disable-next-line no-await-in-loop -- one template at a time, on purpose
  const report = await Effect.runPromise(
    RuleDifferential.run({ rules: folderOf(work, row.name), rule: row.name, typed, count, seed: 1 })
  )
  for (const unreached of row.conversion.unreached) {
    row.result = "partly"
    // `line 17: the legacy rule denies the login (...) there on none of the logins, ...`
    const what = / the legacy rule (.*?) there on none/.exec(unreached)?.[1] ?? unreached
    row.reasons.push(`no generated login reaches where it ${what.replace(/ \(.*\)$/, "")}`)
  }
  if (report.differences.length > 0) {
    const d = report.differences[0]!
    row.result = "partly"
    row.reasons.push(
      `differs on ${report.differences.length} of ${report.events} logins (first: typed ${
        JSON.stringify(d.typed)
      }, legacy ${JSON.stringify(d.legacy)})`
    )
  }
}

// --- 5. Report -------------------------------------------------------------------------------------------------
const by = (result: Row["result"]) => rows.filter((r) => r.result === result)
const reasonCounts = new Map<string, number>()
// A reason naming settings ("logs `configuration.A`, `configuration.B`, ...") is counted as one reason for any settings.
const settingList = /`configuration\.[^`]+`(?:, `configuration\.[^`]+`)*/g
for (const row of rows) {
  if (row.result === "full") continue
  for (const reason of row.reasons) {
    const key = reason.startsWith("differs") ? "the differential test fails" : reason.startsWith("does not type-check")
      ? "the converted module does not type-check"
      : reason.replace(settingList, "settings (`configuration.*`)")
    reasonCounts.set(key, (reasonCounts.get(key) ?? 0) + 1)
  }
}
const escape = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ")
// Cut at 160 characters, never inside a code span (an odd backtick would make the formatter rewrite the row's spans).
const short = (text: string) => {
  if (text.length <= 160) return text
  const cut = text.slice(0, 159)
  return `${(cut.match(/`/g) ?? []).length % 2 === 1 ? cut.slice(0, cut.lastIndexOf("`")) : cut}…`
}
const section = [
  "<!-- templates:start (written by examples/converted-templates/scripts/convert-templates.ts) -->",
  "",
  `${templates.length} classic templates: **${by("full").length} convert fully** (no TODO, the module and its test ` +
  `type-check, and the differential test agrees on ${count} generated logins), **${by("partly").length} partly** ` +
  `(some constructs translated, TODOs left, or the converted module fails one of the checks), ` +
  `**${by("none").length} not at all** (nothing but the final callback translated).`,
  "",
  "Why a template is not fully converted (a template can have several reasons):",
  "",
  "| reason | templates |",
  "|---|---:|",
  ...[...reasonCounts.entries()].toSorted((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([reason, n]) =>
    `| ${escape(reason)} | ${n} |`
  ),
  "",
  "| template | result | reasons |",
  "|---|---|---|",
  ...rows.map((r) => `| ${r.name} | ${r.result} | ${escape(short(r.reasons.join("; ")))} |`),
  "",
  "<!-- templates:end -->"
].join("\n")
const current = existsSync(docs) ? readFileSync(docs, "utf8") : ""
const start = current.indexOf("<!-- templates:start")
const end = current.indexOf("<!-- templates:end -->")
if (start >= 0 && end > start) {
  writeFileSync(docs, current.slice(0, start) + section + current.slice(end + "<!-- templates:end -->".length))
  execFileSync(join(root, "node_modules/.bin/dprint"), ["fmt", relative(root, docs)], { cwd: root })
  console.log(`${relative(root, docs)}: results written`)
} else {
  console.log(section)
}
console.log(`full ${by("full").length}, partly ${by("partly").length}, none ${by("none").length}`)

// --- 6. Vendor the fully converted ones ------------------------------------------------------------------------
if (vendor) {
  const rules = join(example, "rules")
  rmSync(rules, { recursive: true, force: true })
  rmSync(join(example, "src"), { recursive: true, force: true })
  rmSync(join(example, "test"), { recursive: true, force: true })
  mkdirSync(rules, { recursive: true })
  writeFileSync(join(rules, "LICENSE"), git("show", "HEAD:LICENSE"))
  // auth0/rules has Username-attribute.js and username-attribute.js, the same rule: one of them, so that the files
  // do not collide on a case-insensitive file system.
  const vendored = by("full").filter((row, i, all) =>
    all.findIndex((other) => other.name.toLowerCase() === row.name.toLowerCase()) === i
  )
  for (const row of vendored) {
    const t = templates.find((x) => x.name === row.name)!
    writeRule(example, t.name, t.text)
    // oxlint-disable-next-line no-await-in-loop -- one template at a time, on purpose
    await Effect.runPromise(
      Convert.convert(folderOf(example, t.name), t.name, {
        out: join(example, "src"),
        tests: join(example, "test"),
        count: 100,
        check: false
      })
    )
  }
  // Formatted as the repository's files are; the code does not change.
  execFileSync(join(root, "node_modules/.bin/dprint"), ["fmt", "examples/converted-templates/**/*.{ts,json}"], {
    cwd: root,
    stdio: "inherit"
  })
  console.log(`vendored ${vendored.length} templates into ${relative(root, rules)}`)
}
