/**
 * Which @rulefx/action-runtime a `--runtime npm` build uses (the project's, else rulefx's own, with a warning), and
 * what it says when there is none: the user's folders only, and both ways to install it. Fake runtimes (a manifest in
 * a node_modules folder) stand in for rulefx's folder, its own copy and the project.
 */
import { assert, describe, it } from "@effect/vitest"
import * as ActionRuntime from "@rulefx/cli/ActionRuntime"
import { join } from "node:path"
import * as ProjectRuntime from "../src/internal/projectRuntime.ts"
import { scratch } from "./utils/Scratch.ts"

const folder = scratch("rulefx-project-runtime-")

/** `dir` with a runtime of `version` installed in its node_modules; `dir`. */
const installed = (dir: string, version: string): string => {
  const at = join(dir, "node_modules", ActionRuntime.packageName)
  folder.file(
    join(at, "package.json").slice(folder.dir().length + 1),
    JSON.stringify({
      name: ActionRuntime.packageName,
      version
    })
  )
  folder.file(
    join(at, "modules.json").slice(folder.dir().length + 1),
    JSON.stringify({ name: ActionRuntime.packageName, version, modules: ["effect/Effect"] })
  )
  return dir
}

describe("ProjectRuntime.find", () => {
  it("rulefx's own folder is never the project's, even named with a trailing slash as migrate names it", () => {
    const cli = installed(join(folder.dir(), "rulefx", "packages", "cli"), "0.0.0")
    const project = join(folder.dir(), "project")
    folder.file("project/package.json", "{}")
    // migrate resolves the generated entry's imports from the rules, the project, then rulefx's folder: `.../cli/`.
    const found = ProjectRuntime.find([join(project, "tenant", "rules"), project, `${cli}/`], {
      cli,
      own: join(cli, "src")
    })
    assert.strictEqual(found.version, "0.0.0")
    assert.isTrue(found.outside, "built from rulefx's own copy: the report warns")
    const own = installed(join(folder.dir(), "with-runtime"), "1.2.3")
    const theirs = ProjectRuntime.find([own, `${cli}/`], { cli, own: join(cli, "src") })
    assert.deepStrictEqual([theirs.version, theirs.outside], ["1.2.3", false])
  })

  it("none anywhere: names only the user's folders, and both ways to install it", () => {
    const cli = join(folder.dir(), "bare-rulefx", "packages", "cli")
    const generated = join(folder.dir(), "rulefx-migrate-XXXX")
    const project = join(folder.dir(), "bare-project")
    const rules = join(project, "tenant", "rules")
    const error = (() => {
      try {
        ProjectRuntime.find([generated, rules, project, `${cli}/`], { generated, cli, own: join(cli, "src") })
      } catch (e) {
        return e
      }
      return assert.fail("found a runtime")
    })()
    assert.instanceOf(error, ActionRuntime.RuntimeNotInstalled)
    assert.deepStrictEqual(error.named, [rules, project])
    assert.strictEqual(
      error.message,
      `--runtime npm builds against @rulefx/action-runtime, which is not installed in ${rules} nor in ${project}: ` +
        "install the version you will deploy with from a registry (npm install --save-exact @rulefx/action-runtime), " +
        "or, from a clone of rulefx before its release, build the clone (npx -y pnpm@10.34.9 build in the clone) and " +
        "link its runtime into your project (npx -y pnpm@10.34.9 add -D link:<clone>/packages/action-runtime)"
    )
    assert.notInclude(error.message, generated)
    assert.notInclude(error.message, cli)
  })
})
