#!/usr/bin/env node
// The rulefx command. Node 22 runs this TypeScript directly (type stripping); see src/Cli.ts.
import { main } from "../src/Cli.ts"

main(process.argv)
