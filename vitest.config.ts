import { existsSync, readdirSync } from "node:fs"
import { defineConfig } from "vitest/config"

const root = new URL("./", import.meta.url)

const project = (name: string, dir: string) => ({
  test: {
    name,
    root: dir,
    include: ["test/**/*.test.ts"],
    setupFiles: [new URL("./vitest.setup.ts", import.meta.url).pathname],
    typecheck: { enabled: false }
  }
})

/** The folders of `parent` (packages or examples) that have a test/ folder, sorted. */
const withTests = (parent: string): ReadonlyArray<string> =>
  readdirSync(new URL(`${parent}/`, root), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(new URL(`${parent}/${entry.name}/test`, root)))
    .map((entry) => entry.name)
    .toSorted()

const packages = withTests("packages")

// Every package, example and tool with a test/ folder is a project, named after its folder; an example named like a
// package (examples/legacy-rules) gets "-example" after its name. e2e/ tests the packed packages: its global setup
// builds and packs them, and it runs after every other project (groupOrder), so its installs and builds do not load
// the machine under the timing-sensitive tests.
const projects = [
  ...packages.map((name) => project(name, `packages/${name}`)),
  ...withTests("examples").map((name) =>
    project(packages.includes(name) ? `${name}-example` : name, `examples/${name}`)
  ),
  ...withTests("tools").map((name) => project(name, `tools/${name}`)),
  {
    test: { ...project("e2e", "e2e").test, globalSetup: ["test/globalSetup.ts"], sequence: { groupOrder: 1 } }
  }
]

export default defineConfig({
  test: {
    // .ci/run reads the counts from this file to print its closing line.
    reporters: process.env["CI"] ? ["default", ["json", { outputFile: ".ci/results/vitest.json" }]] : ["default"],
    projects
  }
})
