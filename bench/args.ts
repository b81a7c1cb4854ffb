/**
 * The command line of the bench scripts that take one (ab.ts, icount.ts, turns.ts, interleave.ts): `--name value`
 * options, `--name` switches, and the other arguments (`name=path` files, a path). Only the options named in `valued`
 * take the next argument as their value: a file after a switch (`--server a=dist/a.js`) is still a file.
 */
export const parse = (valued: ReadonlyArray<string>, args: ReadonlyArray<string> = process.argv.slice(2)) => {
  const isValue = (i: number) => valued.some((name) => args[i - 1] === `--${name}`)
  const rest = args.filter((a, i) => !a.startsWith("--") && !isValue(i))
  return {
    /** The number an option gives, or `fallback`. */
    number: (name: string, fallback: number): number => {
      const i = args.indexOf(`--${name}`)
      return i < 0 ? fallback : Number(args[i + 1])
    },
    /** The comma-separated list an option gives (`--only ada,bob`), if given. */
    list: (name: string): ReadonlyArray<string> | undefined => {
      const i = args.indexOf(`--${name}`)
      return i < 0 ? undefined : args[i + 1]!.split(",")
    },
    /** Whether a switch is given. */
    has: (name: string): boolean => args.includes(`--${name}`),
    /** The arguments neither options nor their values. */
    rest,
    /** The `name=path` files among them. */
    files: rest.filter((a) => a.includes("=")).map((a) => {
      const [name, path] = a.split("=") as [string, string]
      return { name, path }
    })
  }
}
