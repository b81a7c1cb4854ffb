#!/usr/bin/env node
// The rulefx command (see src/Cli.ts), as published: dist/bin/rulefx.js, compiled by tsc (publishConfig.bin). In the
// workspace the bin is bin/workspace.js, which checks for a Node that strips types and loads the sources. Nothing
// before the version check needs a newer Node than 14, and the command is loaded after it, so an older Node says why
// instead of failing somewhere inside. 20.18 is the first Node 20 with what
// legacy rules run on (vm.constants.DONT_CONTEXTIFY, process.getBuiltinModule).
const minimum = [20, 18]
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number)

if (major < minimum[0] || (major === minimum[0] && minor < minimum[1])) {
  process.stderr.write(
    `rulefx needs Node.js ${minimum.join(".")} or newer; this is Node.js ${process.versions.node}. Install a newer ` +
      "Node.js (Auth0 Actions run Node 22) and run rulefx again.\n"
  )
  process.exitCode = 1
} else {
  import("../src/Cli.ts").then((Cli) => Cli.main(process.argv))
}
