#!/usr/bin/env node
// The rulefx command (see src/Cli.ts). Published as dist/bin/rulefx.js, compiled by tsc, for Node 20 and newer; in
// the workspace Node 22 runs this file as it is. Nothing before the version check needs a newer Node than 14, and
// the command is loaded after it, so an older Node says why instead of failing somewhere inside.
const minimum = 20
const major = Number(process.versions.node.split(".")[0])

if (major < minimum) {
  process.stderr.write(
    `rulefx needs Node.js ${minimum} or newer; this is Node.js ${process.versions.node}. Install a newer Node.js ` +
      "(Auth0 Actions run Node 22) and run rulefx again.\n"
  )
  process.exitCode = 1
} else {
  import("../src/Cli.ts").then((Cli) => Cli.main(process.argv))
}
