/**
 * The platform services effect/cli requires (FileSystem, Path, Stdio, Terminal, ChildProcessSpawner) and the runner
 * of the main Effect, over node:fs, node:path, node:readline and process: what the `rulefx` bin needs, on Node 20 and
 * newer.
 *
 * It replaces `@effect/platform-node`, whose code runs on Node 20 for what the CLI uses but which declares
 * `engines: node >=22.19` (as do `@effect/platform-node-shared` and its `undici` 8), so npm and pnpm warn on Node 20
 * and refuse under `engine-strict`, and whose `redis` peer dependency npm and pnpm install into every project.
 *
 * rulefx's own modules use node:fs directly, so only effect/cli's parameters use these services. The FileSystem
 * implements what they read (`access`, `exists`, `stat`, `readFile`, `readFileString`, `readDirectory`, `realPath`)
 * and fails every other method with a `PlatformError` naming it; the ChildProcessSpawner fails every spawn the same
 * way (no rulefx command spawns through Effect). Path, Stdio, Terminal (after `@effect/platform-node`'s, keypresses
 * and lines through node:readline, for `--wizard`) and the runner are complete.
 */
import * as ByteSize from "effect/ByteSize"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Path from "effect/Path"
import * as PlatformError from "effect/PlatformError"
import * as ChildProcessSpawner from "effect/process/ChildProcessSpawner"
import * as Queue from "effect/Queue"
import * as RcRef from "effect/RcRef"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as Sink from "effect/Sink"
import * as Stdio from "effect/Stdio"
import * as Stream from "effect/Stream"
import * as Terminal from "effect/Terminal"
import type { Stats } from "node:fs"
import * as NodeFs from "node:fs/promises"
import * as NodePath from "node:path"
import * as readline from "node:readline"
import { Readable } from "node:stream"
import * as NodeUrl from "node:url"
import * as OwnConsole from "./ownConsole.ts"

const reasonOf = (code: unknown): PlatformError.SystemErrorTag =>
  code === "ENOENT"
    ? "NotFound"
    : code === "EACCES" || code === "EPERM"
    ? "PermissionDenied"
    : code === "EEXIST"
    ? "AlreadyExists"
    : code === "EISDIR" || code === "ENOTDIR" || code === "ELOOP"
    ? "BadResource"
    : code === "EBUSY"
    ? "Busy"
    : "Unknown"

const fsCall = <A>(
  method: string,
  path: string,
  call: () => Promise<A>
): Effect.Effect<A, PlatformError.PlatformError> =>
  Effect.tryPromise({
    try: call,
    catch: (cause) =>
      PlatformError.systemError({
        _tag: reasonOf((cause as { readonly code?: unknown } | undefined)?.code),
        module: "FileSystem",
        method,
        pathOrDescriptor: path,
        cause
      })
  })

const unsupported = (module: "FileSystem" | "ChildProcess", method: string) =>
  Effect.fail(PlatformError.badArgument({ module, method, description: "not supported by the rulefx command" }))

const fileType = (stat: Stats): FileSystem.File.Type =>
  stat.isFile()
    ? "File"
    : stat.isDirectory()
    ? "Directory"
    : stat.isSymbolicLink()
    ? "SymbolicLink"
    : stat.isBlockDevice()
    ? "BlockDevice"
    : stat.isCharacterDevice()
    ? "CharacterDevice"
    : stat.isFIFO()
    ? "FIFO"
    : stat.isSocket()
    ? "Socket"
    : "Unknown"

const fileInfo = (stat: Stats): FileSystem.File.Info => ({
  type: fileType(stat),
  mtime: Option.some(stat.mtime),
  atime: Option.some(stat.atime),
  birthtime: Option.some(stat.birthtime),
  dev: BigInt(stat.dev),
  rdev: Option.some(BigInt(stat.rdev)),
  ino: Option.some(BigInt(stat.ino)),
  mode: stat.mode,
  nlink: Option.some(BigInt(stat.nlink)),
  uid: Option.some(stat.uid),
  gid: Option.some(stat.gid),
  size: ByteSize.bytes(stat.size),
  blksize: Option.some(ByteSize.bytes(stat.blksize)),
  blocks: Option.some(BigInt(stat.blocks))
})

const fileSystem: FileSystem.FileSystem = FileSystem.make({
  access: (path, options) =>
    fsCall(
      "access",
      path,
      () =>
        NodeFs.access(
          path,
          (options?.readable ? NodeFs.constants.R_OK : 0) | (options?.writable ? NodeFs.constants.W_OK : 0)
        )
    ),
  stat: (path) => Effect.map(fsCall("stat", path, () => NodeFs.stat(path)), fileInfo),
  lstat: (path) => Effect.map(fsCall("lstat", path, () => NodeFs.lstat(path)), fileInfo),
  readFile: (path) => fsCall("readFile", path, () => NodeFs.readFile(path)),
  readDirectory: (path, options) =>
    fsCall("readDirectory", path, () => NodeFs.readdir(path, { recursive: options?.recursive ?? false })),
  realPath: (path) => fsCall("realPath", path, () => NodeFs.realpath(path)),
  chmod: () => unsupported("FileSystem", "chmod"),
  chown: () => unsupported("FileSystem", "chown"),
  copy: () => unsupported("FileSystem", "copy"),
  copyFile: () => unsupported("FileSystem", "copyFile"),
  link: () => unsupported("FileSystem", "link"),
  makeDirectory: () => unsupported("FileSystem", "makeDirectory"),
  makeTempDirectory: () => unsupported("FileSystem", "makeTempDirectory"),
  makeTempDirectoryScoped: () => unsupported("FileSystem", "makeTempDirectoryScoped"),
  makeTempFile: () => unsupported("FileSystem", "makeTempFile"),
  makeTempFileScoped: () => unsupported("FileSystem", "makeTempFileScoped"),
  open: () => unsupported("FileSystem", "open"),
  readDirectoryEntries: () => unsupported("FileSystem", "readDirectoryEntries"),
  readLink: () => unsupported("FileSystem", "readLink"),
  remove: () => unsupported("FileSystem", "remove"),
  rename: () => unsupported("FileSystem", "rename"),
  symlink: () => unsupported("FileSystem", "symlink"),
  truncate: () => unsupported("FileSystem", "truncate"),
  utimes: () => unsupported("FileSystem", "utimes"),
  watch: () => Stream.unwrap(unsupported("FileSystem", "watch")),
  writeFile: () => unsupported("FileSystem", "writeFile")
})

const badPath = (method: string) => (cause: unknown) => new PlatformError.BadArgument({ module: "Path", method, cause })

const path: Path.Path = Path.make({
  ...NodePath,
  fromFileUrl: (url) => Effect.try({ try: () => NodeUrl.fileURLToPath(url), catch: badPath("fromFileUrl") }),
  toFileUrl: (file) => Effect.try({ try: () => NodeUrl.pathToFileURL(file), catch: badPath("toFileUrl") })
})

const writeTo = (stream: NodeJS.WriteStream, method: string) => (chunk: string | Uint8Array) =>
  Effect.callback<void, PlatformError.PlatformError>((resume) => {
    stream.write(chunk, (error) =>
      resume(
        error === null || error === undefined
          ? Effect.void
          : Effect.fail(PlatformError.systemError({ _tag: "Unknown", module: "Stdio", method, cause: error }))
      ))
  })

const sinkTo =
  (stream: NodeJS.WriteStream, method: string) => (options?: { readonly endOnDone?: boolean | undefined }) =>
    Sink.forEach(writeTo(stream, method)).pipe(
      Sink.ensuring(Effect.sync(() => options?.endOnDone === true && stream.end()))
    )

const stdio: Stdio.Stdio = Stdio.make({
  args: Effect.sync(() => process.argv.slice(2)),
  stdinIsTerminal: Effect.sync(() => process.stdin.isTTY === true),
  stdoutIsTerminal: Effect.sync(() => process.stdout.isTTY === true),
  stderrIsTerminal: Effect.sync(() => process.stderr.isTTY === true),
  stdout: sinkTo(process.stdout, "stdout"),
  stderr: sinkTo(process.stderr, "stderr"),
  stdin: Stream.fromReadableStream({
    evaluate: () => Readable.toWeb(process.stdin) as unknown as ReadableStream<Uint8Array>,
    onError: (cause) => PlatformError.systemError({ _tag: "Unknown", module: "Stdio", method: "stdin", cause }),
    releaseLockOnEnd: true
  })
})

const shouldQuit = (input: Terminal.UserInput): boolean =>
  input.key.name === "escape" || (input.key.ctrl && (input.key.name === "c" || input.key.name === "d"))

// Keypresses and lines from stdin through one readline interface, opened while a prompt reads and closed 10 ms
// after (RcRef), so the process can exit; raw mode only while keypresses are read.
const terminal: Effect.Effect<Terminal.Terminal, never, Scope.Scope> = Effect.gen(function*() {
  const stdin = process.stdin
  const stdout = process.stdout
  const lines = yield* Queue.make<string, Cause.Done>()
  const onLine = (line: string) => Queue.offerUnsafe(lines, line)
  let inputEnded = stdin.readableEnded
  let readlineOpen = false
  const onStdinEnd = () => {
    inputEnded = true
    if (!readlineOpen) Queue.endUnsafe(lines)
  }
  stdin.once("end", onStdinEnd)
  yield* Effect.addFinalizer(() => Effect.sync(() => stdin.off("end", onStdinEnd)))

  const readlineRef = yield* RcRef.make({
    acquire: Effect.acquireRelease(
      Effect.sync(() => {
        const rl = readline.createInterface({ input: stdin, escapeCodeTimeout: 50 })
        const onClose = () => {
          readlineOpen = false
          Queue.endUnsafe(lines)
        }
        readlineOpen = true
        readline.emitKeypressEvents(stdin, rl)
        rl.on("line", onLine)
        rl.once("close", onClose)
        return { rl, onClose }
      }),
      ({ onClose, rl }) =>
        Effect.sync(() => {
          readlineOpen = false
          rl.off("line", onLine)
          rl.off("close", onClose)
          rl.close()
          if (inputEnded) Queue.endUnsafe(lines)
        })
    ),
    idleTimeToLive: "10 millis"
  })
  const rawMode = (enabled: boolean) => Effect.sync(() => stdin.isTTY && stdin.setRawMode(enabled))
  const rawModeRef = yield* RcRef.make({
    acquire: Effect.acquireRelease(rawMode(true), () => rawMode(false)),
    idleTimeToLive: "10 millis"
  })

  const readInput = Effect.gen(function*() {
    const queue = yield* Queue.make<Terminal.UserInput, Cause.Done>()
    const onKeypress = (input: string | undefined, key: readline.Key) => {
      const userInput: Terminal.UserInput = {
        input: Option.fromUndefinedOr(input),
        key: { name: key.name ?? "", ctrl: key.ctrl === true, meta: key.meta === true, shift: key.shift === true }
      }
      Queue.offerUnsafe(queue, userInput)
      if (shouldQuit(userInput)) Queue.endUnsafe(queue)
    }
    const onEnd = () => Queue.endUnsafe(queue)
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        stdin.off("keypress", onKeypress)
        stdin.off("end", onEnd)
      })
    )
    stdin.on("keypress", onKeypress)
    if (inputEnded) {
      onEnd()
    } else {
      yield* RcRef.get(readlineRef)
      yield* RcRef.get(rawModeRef)
      stdin.once("end", onEnd)
    }
    return queue as Queue.Dequeue<Terminal.UserInput, Cause.Done>
  })

  const readLine = Effect.suspend(() =>
    Queue.poll(lines).pipe(
      Effect.flatMap(Option.match({
        onNone: () => Effect.scoped(Effect.andThen(RcRef.get(readlineRef), Queue.take(lines))),
        onSome: Effect.succeed
      })),
      Effect.mapError(() => new Terminal.QuitError({}))
    )
  )

  const size = Effect.gen(function*() {
    const queue = yield* Queue.sliding<Terminal.Size, Cause.Done>(1)
    const onResize = () => Queue.offerUnsafe(queue, { columns: stdout.columns ?? 0, rows: stdout.rows ?? 0 })
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        stdout.off("resize", onResize)
        Queue.endUnsafe(queue)
      })
    )
    stdout.on("resize", onResize)
    onResize()
    return queue as Queue.Dequeue<Terminal.Size, Cause.Done>
  })

  return Terminal.make({
    columns: Effect.sync(() => stdout.columns ?? 0),
    rows: Effect.sync(() => stdout.rows ?? 0),
    size,
    readInput,
    readLine,
    display: (text) => Effect.uninterruptible(writeTo(stdout, "display")(text))
  })
})

const childProcessSpawner = ChildProcessSpawner.make(() => unsupported("ChildProcess", "spawn"))

/**
 * Every service effect/cli's `Command.Environment` lists.
 */
export const layer: Layer.Layer<
  | FileSystem.FileSystem
  | Path.Path
  | Stdio.Stdio
  | Terminal.Terminal
  | ChildProcessSpawner.ChildProcessSpawner
> = Layer.mergeAll(
  Layer.succeed(FileSystem.FileSystem, fileSystem),
  Layer.succeed(Path.Path, path),
  Layer.succeed(Stdio.Stdio, stdio),
  Layer.effect(Terminal.Terminal, terminal),
  Layer.succeed(ChildProcessSpawner.ChildProcessSpawner, childProcessSpawner)
)

// Whether the command ran code it does not own (an Action: `rulefx run`, `rulefx diff`), which may have left a timer
// or a socket behind: the process then exits when the command is done, with the command's code.
let untrusted = false
// Whether something the Action left running failed after the command was done (`failAfterDone`).
let failedAfter = false

/**
 * Says the command runs an Action in this process: once it is done (its report printed), the process exits with the
 * command's code, whatever timer the Action left (a module-level `setInterval`) and whatever it did to the exit code.
 */
export const exitWhenDone = (): void => {
  untrusted = true
}

/** Says something an Action left running failed after its runs (a throw on a timer): the process exits non-zero. */
export const failAfterDone = (): void => {
  failedAfter = true
}

/** How long what an Action left running may still finish (and fail the command) before the process exits. */
export const graceMs = 1_000

// Node's undocumented way out under process.exit, which takes its own code.
interface Exits {
  reallyExit: (code?: number) => never
}

/**
 * Exits with `code` (1 if something failed after the command was done) once what an Action left running has had
 * `graceMs` (sooner when nothing is left): an `exit` listener (an Action's) that sets `process.exitCode`, or calls
 * `process.reallyExit` with a code of its own, cannot change it. What the Action logs or writes to the process's
 * streams meanwhile is not printed (OwnConsole.silence; the command silences them as soon as the Action's runs are
 * over).
 */
const exitWith = (code: number): void => {
  OwnConsole.silence()
  const final = () => (code === 0 && failedAfter ? 1 : code)
  const exits = process as unknown as Exits
  const reallyExit = exits.reallyExit.bind(process)
  exits.reallyExit = () => reallyExit(final())
  process.exitCode = code
  // Added now, the last of the listeners there are: what one before it set is put back.
  process.on("exit", () => void (process.exitCode = final()))
  setTimeout(() => process.exit(final()), graceMs).unref()
}

/**
 * Runs the main Effect: reports a failure (unless already reported) and sets the exit code; SIGINT and SIGTERM
 * interrupt it, and then the process exits with the teardown's code. After `exitWhenDone`, it exits with that code
 * however the command ended. The command prints through a console of its own (OwnConsole.own), its failure included,
 * which silencing the global console and the process's streams (once an Action's runs are over) leaves.
 */
export const runMain = <E, A>(effect: Effect.Effect<A, E>): void =>
  runMainWith(
    Effect.provideService(reported(effect), Console.Console, OwnConsole.own()),
    { disableErrorReporting: true }
  )

// A failure logged as Runtime.makeRunMain logs it (unless interrupted, or its error says it was reported already), here
// under the command's own console.
const reported = <E, A>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.tapCause(effect, (cause) =>
    Cause.hasInterruptsOnly(cause) || !Runtime.getErrorReported(Cause.squash(cause))
      ? Effect.void
      : Effect.logError(cause))

const runMainWith = Runtime.makeRunMain(({ fiber, teardown }) => {
  let signalled = false
  const onSignal = () => {
    signalled = true
    fiber.interruptUnsafe(fiber.id)
  }
  fiber.addObserver((exit) => {
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
    teardown(exit, (code) => {
      if (untrusted) exitWith(code)
      else if (signalled || code !== 0) process.exit(code)
    })
  })
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
})
