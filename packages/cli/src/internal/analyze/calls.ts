/**
 * The constructs found at calls: `require` (listed, and refused when dynamic or when the module runs code around
 * the rule), `callback(error)` and the callback handed an error by a promise, the Function constructor reached
 * through `.constructor`, and the calls that write into a shared object (sharedWrites.ts).
 */
import { moduleName } from "@rulefx/legacy-rules/LegacyRules"
import type * as acorn from "acorn"
import { requireDetail } from "./catalog.ts"
import { keyOf, render, staticString } from "./chains.ts"
import { evalModules } from "./globals.ts"
import { add, type Inspection, ko, koNamed, ok } from "./inspection.ts"
import { startOf } from "./locate.ts"
import { bindingAt, parentOf } from "./scopes.ts"
import { isPrototypeCall, onMutator } from "./sharedWrites.ts"

// `.catch(callback)` and `.then(ok, callback)` hand the callback an error.
export const onCallbackArgument = (
  inspection: Inspection,
  id: acorn.Identifier,
  parent: acorn.Node | undefined
): void => {
  const p = parent as acorn.AnyNode | undefined
  if (id.name === inspection.callbackName && p?.type === "CallExpression" && p.callee.type === "MemberExpression") {
    const method = keyOf(p.callee)
    const index = p.arguments.indexOf(id)
    if ((method === "catch" && index === 0) || (method === "then" && index === 1)) ok(inspection, id, "callback(error)")
  }
}

// `x.constructor.constructor`, `x.constructor(code)`, `(function () {}).constructor`,
// `Object.getPrototypeOf(async function () {}).constructor`: the Function constructors.
export const onConstructor = (inspection: Inspection, member: acorn.MemberExpression): void => {
  const p = parentOf(inspection.scopes, member)
  if (p?.type === "MemberExpression" && p.object === member && keyOf(p) === "constructor") return
  const object = member.object as acorn.AnyNode
  const called = (p?.type === "CallExpression" || p?.type === "NewExpression") && p.callee === member &&
    p.arguments.length > 0
  const ofFunction = object.type === "FunctionExpression" || object.type === "ArrowFunctionExpression" ||
    object.type === "ClassExpression" || isPrototypeCall(inspection.scopes, object) ||
    (object.type === "MemberExpression" && ["constructor", "__proto__"].includes(keyOf(object) ?? ""))
  if (called || ofFunction) koNamed(inspection, member, "eval.constructor", render(member))
}

// `require("x")`, and `new require("x")`, which loads the module too (and a constructor call on its export).
const onRequire = (inspection: Inspection, call: acorn.CallExpression | acorn.NewExpression) => {
  const [first] = call.arguments
  const specifier = first === undefined ? undefined : staticString(first)
  if (specifier === undefined) return ko(inspection, call, "require.dynamic")
  const name = moduleName(specifier)
  inspection.requires.push({ specifier, name, ...startOf(call) })
  if (evalModules.has(name.replace(/^node:/, ""))) {
    return koNamed(inspection, call, "eval.module", `require(${JSON.stringify(specifier)})`)
  }
  return add(inspection, call, "require", "translated", requireDetail(specifier, name))
}

// `callback(error)` denies; `callback(null, ...)` and `callback(undefined, ...)` do not.
const onCallback = (inspection: Inspection, call: acorn.CallExpression | acorn.NewExpression) => {
  const [first] = call.arguments
  if (first === undefined) return
  const isNothing = (first.type === "Literal" && first.value === null) ||
    (first.type === "Identifier" && first.name === "undefined")
  if (!isNothing) ok(inspection, call, "callback(error)")
}

export const onCall = (inspection: Inspection, call: acorn.CallExpression | acorn.NewExpression): void => {
  if (call.callee.type !== "Identifier") return onMutator(inspection, call)
  const name = call.callee.name
  if (call.type === "NewExpression" && name !== "require") return
  if (name === "require" && bindingAt(inspection.scopes, call.callee) === "wrapper") return onRequire(inspection, call)
  if (name === inspection.callbackName) onCallback(inspection, call)
}
