/**
 * Tarball: an installed package's folder as the tarball npm would have served, a gzipped ustar archive of its files
 * under `package/`, with the digests a registry lists (`shasum`, `integrity`). The local registry is seeded with
 * these, so the outside project installs third-party packages from what this machine already has.
 */
import { createHash } from "node:crypto"
import { lstatSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { gzipSync } from "node:zlib"

/** A tarball and its digests. */
export interface Tarball {
  readonly data: Buffer
  readonly shasum: string
  readonly integrity: string
}

const block = 512

const octal = (value: number, width: number): string => value.toString(8).padStart(width - 1, "0") + "\0"

const header = (name: string, size: number, mode: number, type: "0" | "x"): Buffer => {
  const buffer = Buffer.alloc(block)
  const split = splitName(name)
  buffer.write(split.name, 0, 100, "utf8")
  buffer.write(octal(mode & 0o7777, 8), 100, 8, "ascii")
  buffer.write(octal(0, 8), 108, 8, "ascii")
  buffer.write(octal(0, 8), 116, 8, "ascii")
  buffer.write(octal(size, 12), 124, 12, "ascii")
  buffer.write(octal(0, 12), 136, 12, "ascii")
  buffer.write("        ", 148, 8, "ascii")
  buffer.write(type, 156, 1, "ascii")
  buffer.write("ustar\u000000", 257, 8, "ascii")
  buffer.write(split.prefix, 345, 155, "utf8")
  let sum = 0
  for (const byte of buffer) sum += byte
  buffer.write(octal(sum, 7) + " ", 148, 8, "ascii")
  return buffer
}

/** ustar keeps a path in `name` (100 bytes) and `prefix` (155 bytes), split at a slash; longer paths get a pax header. */
const splitName = (path: string): { readonly name: string; readonly prefix: string } => {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: "" }
  for (let at = path.indexOf("/"); at !== -1; at = path.indexOf("/", at + 1)) {
    const prefix = path.slice(0, at)
    const name = path.slice(at + 1)
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix }
  }
  return { name: path.slice(0, 100), prefix: "" }
}

const padded = (data: Buffer): Array<Buffer> =>
  data.length % block === 0 ? [data] : [data, Buffer.alloc(block - (data.length % block))]

const paxPath = (path: string): Array<Buffer> => {
  const record = (length: number) => `${length} path=${path}\n`
  let length = Buffer.byteLength(record(0))
  while (Buffer.byteLength(record(length)) !== length) length = Buffer.byteLength(record(length))
  const body = Buffer.from(record(length))
  return [header("PaxHeader", body.length, 0o644, "x"), ...padded(body)]
}

const entry = (path: string, data: Buffer, mode: number): Array<Buffer> => {
  const long = splitName(path).name !== path && splitName(path).prefix === ""
  return [...(long ? paxPath(path) : []), header(path, data.length, mode, "0"), ...padded(data)]
}

/** Every regular file under `folder`, relative to it, sorted; symbolic links and nested node_modules are left out. */
const files = (folder: string, under = ""): Array<string> =>
  readdirSync(join(folder, under), { withFileTypes: true })
    .toSorted((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((item) => {
      const relative = under === "" ? item.name : `${under}/${item.name}`
      if (item.isDirectory()) return item.name === "node_modules" ? [] : files(folder, relative)
      return item.isFile() ? [relative] : []
    })

/**
 * Packs a package folder (its package.json at the top) as npm would serve it.
 */
export const fromFolder = (folder: string): Tarball => {
  const parts = files(folder).flatMap((file) => {
    const path = join(folder, file)
    return entry(`package/${file}`, readFileSync(path), lstatSync(path).mode)
  })
  const data = gzipSync(Buffer.concat([...parts, Buffer.alloc(block * 2)]))
  return {
    data,
    shasum: createHash("sha1").update(data).digest("hex"),
    integrity: `sha512-${createHash("sha512").update(data).digest("base64")}`
  }
}
