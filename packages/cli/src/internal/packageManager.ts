/**
 * The package manager that started this process, from the user agent npm and pnpm give the commands they run (`npx`,
 * `npm exec`, `pnpm dlx`, `pnpm exec`, scripts): `pnpm/10.34.9 npm/? node/v22.23.3 linux x64`, `npm/11.19.1 node/...`.
 * Advice that names a command (install this, run that) is written for it.
 */

export type Manager = "npm" | "pnpm"

// undefined when no package manager started rulefx (node ran the bin), or another one did (yarn, bun).
export const fromUserAgent = (userAgent: string | undefined): Manager | undefined =>
  userAgent?.startsWith("pnpm/") === true ? "pnpm" : userAgent?.startsWith("npm/") === true ? "npm" : undefined

// The command that adds `name` to the project in the working directory; both when the manager is not known.
export const addCommand = (manager: Manager | undefined, name: string): string =>
  manager === "pnpm"
    ? `pnpm add ${name}`
    : manager === "npm"
    ? `npm install ${name}`
    : `npm install ${name} (or pnpm add ${name})`
