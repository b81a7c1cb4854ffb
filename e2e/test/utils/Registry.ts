/**
 * Registry: a local npm registry (verdaccio) on 127.0.0.1 that holds only what is published to it. Its
 * configuration has no uplinks, so a package nobody published here is a 404, never a request to the public
 * registry; the audit middleware is off and the web UI disabled.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type * as Tarball from "./Tarball.ts"

/** A running registry. */
export interface Registry {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string
  /** A token for a user created on this registry, for `npm publish`. */
  readonly token: string
  /** Publishes one version of a package from its manifest and tarball (npm's publish request). */
  readonly put: (manifest: Manifest, tarball: Tarball.Tarball) => Promise<void>
  /** The registry's document for a package, or its status when there is none. */
  readonly packument: (name: string) => Promise<{ readonly status: number; readonly body: unknown }>
  readonly stop: () => Promise<void>
}

/** A package.json, as far as publishing reads it. */
export interface Manifest {
  readonly name: string
  readonly version: string
  readonly [key: string]: unknown
}

const config = (folder: string): string =>
  [
    `storage: ${JSON.stringify(join(folder, "storage"))}`,
    "auth:",
    "  htpasswd:",
    `    file: ${JSON.stringify(join(folder, "htpasswd"))}`,
    "    max_users: 1",
    "uplinks: {}",
    "packages:",
    "  \"**\":",
    "    access: $all",
    "    publish: $authenticated",
    "    unpublish: $authenticated",
    "middlewares:",
    "  audit:",
    "    enabled: false",
    "web:",
    "  enable: false",
    "max_body_size: 200mb",
    "server:",
    "  keepAliveTimeout: 60",
    "log: { type: stdout, format: json, level: warn }",
    ""
  ].join("\n")

const escaped = (name: string) => name.replace("/", "%2f")

/** npm's publish document: the version's manifest with its dist, and the tarball attached. */
const publishBody = (url: string, manifest: Manifest, tarball: Tarball.Tarball): string => {
  const file = `${manifest.name.split("/").at(-1)}-${manifest.version}.tgz`
  return JSON.stringify({
    _id: manifest.name,
    name: manifest.name,
    "dist-tags": { latest: manifest.version },
    versions: {
      [manifest.version]: {
        ...manifest,
        _id: `${manifest.name}@${manifest.version}`,
        dist: { shasum: tarball.shasum, integrity: tarball.integrity, tarball: `${url}${manifest.name}/-/${file}` }
      }
    },
    _attachments: {
      [file]: {
        content_type: "application/octet-stream",
        data: tarball.data.toString("base64"),
        length: tarball.data.length
      }
    }
  })
}

const listening = (child: ChildProcess, output: Array<string>): Promise<number> =>
  new Promise((resolve, reject) => {
    let text = ""
    child.stdout?.on("data", (chunk: Buffer) => {
      text += chunk.toString()
      output.push(chunk.toString())
      const match = /listening (\d+)/.exec(text)
      if (match !== null) resolve(Number(match[1]))
    })
    child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()))
    child.once("exit", (code) => reject(new Error(`the registry exited (${code}): ${output.join("")}`)))
    child.once("error", reject)
  })

const adduser = async (url: string): Promise<string> => {
  const response = await fetch(`${url}-/user/org.couchdb.user:e2e`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "e2e", password: "e2e-password-not-a-secret" })
  })
  const body = (await response.json()) as { readonly token?: string }
  if (!response.ok || body.token === undefined) throw new Error(`adduser: ${response.status} ${JSON.stringify(body)}`)
  return body.token
}

/**
 * Starts verdaccio (with `node`, which must be Node 22 or newer) over a storage in `folder`, creates a user, and
 * resolves once it answers.
 */
export const start = async (options: { readonly folder: string; readonly node: string }): Promise<Registry> => {
  mkdirSync(options.folder, { recursive: true })
  const file = join(options.folder, "config.yaml")
  writeFileSync(file, config(options.folder))
  const output: Array<string> = []
  const child = spawn(options.node, [new URL("./registryServer.ts", import.meta.url).pathname, file], {
    cwd: options.folder,
    stdio: ["ignore", "pipe", "pipe"]
  })
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM")
    await exited
  }
  try {
    const port = await listening(child, output)
    const url = `http://127.0.0.1:${port}/`
    const token = await adduser(url)
    const packument = async (name: string) => {
      const response = await fetch(`${url}${escaped(name)}`)
      return { status: response.status, body: await response.json() }
    }
    const published = async (manifest: Manifest) => {
      const { body, status } = await packument(manifest.name)
      return status === 200 && manifest.version in ((body as { readonly versions?: object }).versions ?? {})
    }
    // A connection the registry closed as the request went out (ECONNRESET on a loaded machine) is tried again; a
    // 409 after such a try means the first one went through.
    const put = async (manifest: Manifest, tarball: Tarball.Tarball, attempt = 1): Promise<void> => {
      const response = await fetch(`${url}${escaped(manifest.name)}`, {
        method: "PUT",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: publishBody(url, manifest, tarball)
      }).catch((error: unknown) => error as Error)
      if (response instanceof Error) {
        if (attempt < 3) return put(manifest, tarball, attempt + 1)
        throw new Error(`publish ${manifest.name}@${manifest.version}: ${response.message}\n${output.join("")}`)
      }
      if (response.status === 409 && attempt > 1 && (await published(manifest))) return
      if (!response.ok) throw new Error(`publish ${manifest.name}@${manifest.version}: ${response.status}`)
    }
    return { url, token, put, packument, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
