import { defineConfig } from "vitest/config"

const project = (name: string, root: string) => ({
  test: {
    name,
    root,
    include: ["test/**/*.test.ts"],
    setupFiles: [new URL("./vitest.setup.ts", import.meta.url).pathname],
    typecheck: { enabled: false }
  }
})

export default defineConfig({
  test: {
    // .ci/run reads the counts from this file to print its closing line.
    reporters: process.env["CI"] ? ["default", ["json", { outputFile: ".ci/results/vitest.json" }]] : ["default"],
    projects: [
      project("core", "packages/core"),
      project("rules", "packages/rules"),
      project("legacy-rules", "packages/legacy-rules"),
      project("adapter-auth0", "packages/adapter-auth0"),
      project("seller-login", "examples/seller-login"),
      project("legacy-rules-example", "examples/legacy-rules")
    ]
  }
})
