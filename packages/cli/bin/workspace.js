#!/usr/bin/env node
// The rulefx command in a checkout of rulefx (and in a project linked to one with `rulefx init --link`): it runs the
// TypeScript sources (src/Cli.ts) as they are, which Node strips of their types without a flag from 22.18 (and 23.6)
// on. Plain JavaScript, so that an older Node gets this message instead of ERR_UNKNOWN_FILE_EXTENSION. The published
// package runs bin/rulefx.ts compiled (dist/bin/rulefx.js, Node 20.18 and newer) and does not ship this file.
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

const [major = 0, minor = 0] = process.versions.node.split(".").map(Number)
const strips = major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18)

if (strips) {
  import("../src/Cli.ts").then((Cli) => Cli.main(process.argv))
} else {
  // The checkout's own Node 22 (the root devDependency `node`), when it is installed.
  const checkout = fileURLToPath(new URL("../../../", import.meta.url)).replace(/\/$/, "")
  const own = `${checkout}/node_modules/node/bin`
  const quoted = /^[\w@%+=:,./-]+$/.test(own) ? own : `'${own.split("'").join(`'\\''`)}'`
  process.stderr.write(
    `rulefx in a checkout (or a project linked to one) runs its TypeScript sources, which needs Node.js 22.18 or ` +
      `newer; this is Node.js ${process.versions.node}.\n` +
      (existsSync(`${own}/node`)
        ? `Put the checkout's Node first on the PATH and run it again:\n  export PATH=${quoted}:"$PATH"\n`
        : "Install a newer Node.js (Auth0 Actions run Node 22) and run it again.\n")
  )
  process.exitCode = 1
}
