/**
 * Where the seller login's time goes: the seed Action built unminified (as Bundle.build does, minify off), and copies
 * of it whose seller lookup stops after one step, each answering with the stub's seller at once. Timed with ab.ts
 * against the hand-written Action, interleaved. Not part of `pnpm bench`: `node bench/seller-steps.ts [--rounds N]`.
 *
 * - full: the seed as built;
 * - microtask: the lookup's callback resumes in a microtask (effect's async path, no HTTP at all);
 * - stub: the lookup calls the fetch stub and resumes when it answers (no body read, no parse);
 * - text: HttpBody reads the body with `response.text()` (no capped stream; the hand-written Action reads a capped
 *   stream, as rulefx does).
 *
 * A patch whose text is no longer in the build is reported and skipped, not timed.
 */
import * as esbuild from "esbuild"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const dir = mkdtempSync(join(tmpdir(), "rulefx-seller-steps-"))
const full = join(dir, "full.js")
await esbuild.build({
  entryPoints: [new URL("../examples/seller-login/src/action.ts", import.meta.url).pathname],
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  outfile: full,
  logLevel: "error"
})
const source = readFileSync(full, "utf8")

const seller = `Option.some({ id: "seller-1", email: "ada@shop.example", name: "Ada's Shop" })`
// The lookup's callback, as SellerApi.ts writes it (esbuild renames `attempt` and the Effect helpers by a suffix).
const lookup =
  /(\w+)\(\(resume, signal\) => \{\s*(attempt\d*)\(id, (`\$\{baseUrl\}\/seller\/\$\{encodeURIComponent\(id\)\}`), signal, retries\)\.then\(resume, \(e\) => resume\((\w+)\(e\)\)\);\s*\}\)/
const succeedOf = /var (\w+) = exitSucceed;/
const someOf = /var (\w+) = some;/
const httpBody = /var (fetch\d*) = async \(input, init, maxBytes, timeoutMillis\) => \{[\s\S]*?\n\};\n/

const variants: Array<{ name: string; path: string }> = [{ name: "full", path: full }]
const write = (name: string, patched: string | undefined) => {
  if (patched === undefined || patched === source) return console.log(`${name}: does not apply (the build changed)`)
  const path = join(dir, `${name}.js`)
  writeFileSync(path, patched)
  variants.push({ name, path })
}
const succeed = succeedOf.exec(source)?.[1]
const some = someOf.exec(source)?.[1]
const answer = succeed && some ? `${succeed}(${seller.replace("Option.some", some)})` : undefined
const callback = lookup.exec(source)
write(
  "microtask",
  answer && callback
    ? source.replace(lookup, `$1((resume) => { Promise.resolve().then(() => resume(${answer})) })`)
    : undefined
)
write(
  "stub",
  answer && callback
    ? source.replace(
      lookup,
      `$1((resume, signal) => { globalThis.fetch($3, { signal, redirect: "error", headers: { accept: "application/json" } }).then(() => resume(${answer})) })`
    )
    : undefined
)
write(
  "text",
  httpBody.test(source)
    ? source.replace(
      httpBody,
      `var $1 = async (input, init, maxBytes, timeoutMillis) => {
  const controller = new AbortController();
  const outer = init.signal;
  const onAbort = () => controller.abort(outer.reason);
  outer?.addEventListener("abort", onAbort);
  const timer = setTimeout(() => controller.abort(new DOMException("timed out", "TimeoutError")), timeoutMillis);
  try {
    const response = await globalThis.fetch(input, { ...init, signal: controller.signal });
    return { response, body: Buffer.from(await response.text()) };
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onAbort);
  }
};
`
    )
    : undefined
)

const rounds = process.argv.includes("--rounds") ? process.argv[process.argv.indexOf("--rounds") + 1]! : "5"
execFileSync(
  process.execPath,
  [
    new URL("./ab.ts", import.meta.url).pathname,
    ...variants.map(({ name, path }) => `${name}=${path}`),
    "--rounds",
    rounds
  ],
  { stdio: "inherit" }
)
