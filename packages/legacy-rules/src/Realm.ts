/**
 * Realm: the barrier around a legacy rule's code. Each rule given as source runs in a JavaScript realm of its own
 * (a `node:vm` context created once per Action instance), so that nothing the rule does to its built-ins
 * (`Array.prototype.includes = ...`, `JSON.stringify = ...`, an enumerable `Object.prototype.extend`) reaches
 * rulefx's own code, the typed rules of the Action or the other legacy rules.
 *
 * The realm's global object holds nothing of its own: every global name is looked up, per run, through the async
 * context of the rule's run (the login and the rule whose code is running). A sloppy-mode assignment to an
 * undeclared name (`profile = {...}`), a write to `this` in a nested function or in an arrow-function rule, or to
 * `globalThis`, lands in that run's own variables, never in state shared by overlapping logins. The Rules globals
 * (`configuration`, `global`, `auth0`, `require`, `console`, `UnauthorizedError`) are the run's (LegacyRule also
 * passes them to the rule as parameters, so a rule's closures keep its login's even when another login's timer calls
 * them); the realm's own built-ins are next; the host's other globals (`setTimeout`, `Buffer`, `URL`, `fetch`, ...)
 * last. Code built from
 * strings (`eval`, `new Function`) is refused in the realm, as the analysis refuses it in the source.
 *
 * Every realm made here, the rules' and the data realm (`empty`) that holds the `user` and `context` they receive,
 * has `Object.prototype`, `Array.prototype` and `Function.prototype` non-extensible: a rule's hand-written deep merge
 * of JSON holding a `__proto__` key (`target[key] = source[key]`, recursing into `target["__proto__"]`) cannot add an
 * inherited `isAdmin` to every object of a realm, whichever realm the target came from. The existing properties stay
 * writable, so `Child.prototype.constructor = Child` and a patched `Array.prototype.includes` still work in a rule.
 *
 * A runtime without `node:vm` contexts of this kind (Node 22.8 and later have them) cannot run a rule behind the
 * barrier: `compile` throws, and the login fails closed.
 *
 * @since 0.1.0
 */
import type * as Vm from "node:vm"
import { running } from "./internal/running.ts"

/**
 * The realm cannot be made here: the runtime lacks `node:vm` or its uncontextified contexts.
 *
 * @category errors
 * @since 0.1.0
 */
export class RealmUnavailable extends Error {
  constructor() {
    super("node:vm contexts (Node 22.8+) are unavailable: a legacy rule cannot run isolated")
    this.name = "RealmUnavailable"
  }
}

const vm = (): typeof Vm | undefined => {
  try {
    return process.getBuiltinModule("node:vm") as typeof Vm | undefined
  } catch {
    return undefined
  }
}

// Where a global name of the run in the async context lives: what the run assigned, the Rules globals, the realm's
// own built-ins, then the host's globals (but not its `global`, which is Rules' own object inside a run).
const holder = (own: Record<PropertyKey, unknown>, key: PropertyKey): Record<PropertyKey, unknown> | undefined => {
  const run = running.getStore()
  return run && key in run.vars
    ? run.vars
    : run && Object.hasOwn(run.globals, key)
    ? run.globals
    : key in own
    ? own
    : typeof key === "string" && key !== "global" && Object.hasOwn(globalThis, key)
    ? globalThis as never
    : undefined
}

// A Date whose current time is the host's: `new Date()`, `Date()` and `Date.now()`; everything else is the realm's.
const clock =
  `(n=>{const D=Date,F=function(...a){return new.target?Reflect.construct(D,a.length?a:[n()],new.target):new D(n())+""};F.prototype=D.prototype;D.prototype.constructor=F;F.now=n;return Object.setPrototypeOf(F,D)})`

// A new realm whose prototypes take no new properties (see the module's description), and node:vm to run code in it.
const realm = (): readonly [typeof Vm, Record<PropertyKey, any>] => {
  const node = vm()
  const bare = node?.constants?.DONT_CONTEXTIFY
  if (node === undefined || bare === undefined) throw new RealmUnavailable()
  const g = node.createContext(bare, { codeGeneration: { strings: false, wasm: false } }) as Record<PropertyKey, any>
  for (const key of ["Object", "Array", "Function"]) Object.preventExtensions(g[key].prototype)
  return [node, g]
}

let made: ((array: unknown) => object) | undefined

/**
 * A new empty object, or array when `array` is true, of the data realm: the one realm of the Action instance in which
 * rulefx builds the `user` and `context` legacy rules receive, and copies them between rules. No code of a rule runs
 * there, and its prototypes take no new properties, so a `__proto__` key a rule merges into them reaches neither
 * rulefx's own prototypes nor any realm's new keys. Without `node:vm` (where no rule from source can run), rulefx's own.
 *
 * @category constructors
 * @since 0.1.0
 */
export const empty = (array: boolean): object => {
  try {
    if (!made) {
      const [node, g] = realm()
      made = node.runInContext("a=>a?[]:{}", g)
    }
    return made!(array)
  } catch {
    // Not kept: a runtime that lacks node:vm now is asked again next time.
    return array ? [] : {}
  }
}

/**
 * Compiles a rule's source (a function expression, as Rules stored it) in a new realm and returns the rule's
 * function. Its global names resolve per run (see the module's description); `name` names the script in stack traces.
 *
 * @category constructors
 * @since 0.1.0
 */
export const compile = (name: string, source: string): Function => {
  const [node, g] = realm()
  // The realm's Date reads the host's clock (`Date.now` of the Action, which a test may fake), and stays the realm's.
  g["Date"] = node.runInContext(clock, g)(() => Date.now())
  // The built-ins move off the global object, so that an assignment to one (`JSON = ...`) is the run's own too.
  const own: Record<PropertyKey, unknown> = Object.create(null)
  for (const key of Object.getOwnPropertyNames(g)) {
    if (Object.getOwnPropertyDescriptor(g, key)!.configurable) {
      own[key] = g[key]
      delete g[key]
    }
  }
  // A fault in a microtask is attributed to its run: the host's queueMicrotask loses the async context when it throws.
  own["queueMicrotask"] = (task: () => void) => void Promise.resolve().then(task)
  const base = (own["Object"] as ObjectConstructor).prototype
  Object.setPrototypeOf(
    g,
    new Proxy(base, {
      has: (target, key) => holder(own, key) !== undefined || key in target,
      get: (target, key, receiver) => {
        const found = holder(own, key)
        return found === undefined ? Reflect.get(target, key, receiver) : found[key]
      },
      // Outside any run (a getter of the rule's called by rulefx, say) a write goes nowhere.
      set: (_, key, value) => {
        const run = running.getStore()
        if (run) run.vars[key] = value
        return !!run
      }
    })
  )
  Object.preventExtensions(g)
  return new node.Script(`(${source}\n)`, { filename: name }).runInContext(g)
}
