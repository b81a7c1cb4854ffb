/**
 * The names a rule reaches without declaring them: the standard globals, the Rules globals the generated wrapper
 * gives, the names of the global object and of the Action module's own objects, and the built-ins through which code
 * runs or objects are written outside the rule.
 */

// ECMAScript's and Node 22's, as a fresh Node 22 process has them (public as Analyze.standardGlobals).
export const standardGlobals: ReadonlySet<string> = new Set([
  // ECMAScript (a fresh node:vm context's global object)
  ...("AggregateError Array ArrayBuffer Atomics BigInt BigInt64Array BigUint64Array Boolean DataView Date Error " +
    "EvalError FinalizationRegistry Float32Array Float64Array Infinity Int16Array Int32Array Int8Array Intl Iterator " +
    "JSON Map Math NaN Number Object Promise Proxy RangeError ReferenceError Reflect RegExp Set SharedArrayBuffer " +
    "String Symbol SyntaxError TypeError URIError Uint16Array Uint32Array Uint8Array Uint8ClampedArray WeakMap " +
    "WeakRef WeakSet WebAssembly decodeURI decodeURIComponent encodeURI encodeURIComponent escape isFinite isNaN " +
    "parseFloat parseInt undefined unescape").split(" "),
  // Node 22
  ...("AbortController AbortSignal Blob BroadcastChannel Buffer ByteLengthQueuingStrategy CompressionStream " +
    "CountQueuingStrategy Crypto CryptoKey CustomEvent DOMException DecompressionStream Event EventTarget File " +
    "FormData Headers MessageChannel MessageEvent MessagePort Navigator Performance PerformanceEntry PerformanceMark " +
    "PerformanceMeasure PerformanceObserver PerformanceObserverEntryList PerformanceResourceTiming " +
    "ReadableByteStreamController ReadableStream ReadableStreamBYOBReader ReadableStreamBYOBRequest " +
    "ReadableStreamDefaultController ReadableStreamDefaultReader Request Response SubtleCrypto TextDecoder " +
    "TextDecoderStream TextEncoder TextEncoderStream TransformStream TransformStreamDefaultController URL " +
    "URLSearchParams WebSocket WritableStream WritableStreamDefaultController WritableStreamDefaultWriter atob btoa " +
    "clearImmediate clearInterval clearTimeout crypto fetch navigator performance process queueMicrotask " +
    "setImmediate setInterval setTimeout structuredClone").split(" ")
])

// The names the generated wrapper gives a rule: parameters of the wrapper, fresh for every login except `global`
// (shared on purpose, like Rules' sandbox global) and `UnauthorizedError`. Assigning one changes that rule's own copy.
export const wrapperNames: ReadonlySet<string> = new Set([
  "configuration",
  "global",
  "auth0",
  "UnauthorizedError",
  "require",
  "console"
])

// Globals an assignment cannot change (sloppy mode ignores it).
export const readOnlyGlobals: ReadonlySet<string> = new Set(["undefined", "NaN", "Infinity"])

// Names of the global object, and the Action module's own objects (the generated entry is a CommonJS module).
export const globalObjectNames: ReadonlySet<string> = new Set(["globalThis", "self", "window", "frames"])
export const moduleObjectNames: ReadonlySet<string> = new Set(["module", "exports"])

// Built-in modules that run code built at run time, or load modules around the rule's require.
export const evalModules: ReadonlySet<string> = new Set(["vm", "module", "inspector", "repl", "worker_threads"])

// `process` members that load modules or native code around the rule's require.
export const processLoaders: ReadonlySet<string> = new Set([
  "getBuiltinModule",
  "mainModule",
  "binding",
  "_linkedBinding",
  "dlopen"
])

// Calls that write into their first argument.
export const mutators: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["Object", new Set(["assign", "defineProperty", "defineProperties", "setPrototypeOf"])],
  ["Reflect", new Set(["set", "defineProperty", "deleteProperty", "setPrototypeOf"])]
])
