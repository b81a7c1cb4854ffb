/**
 * The names no scope of the rule declares, as the rule reads or writes them: the Rules globals the wrapper gives
 * (`configuration`, `global`, `UnauthorizedError`, ...), and the global object's names: an assignment is a shared
 * global, `globalThis`, `eval` and `Function` have constructs of their own, and a name that is no standard global
 * would fail in an Action.
 */
import type * as acorn from "acorn"
import type * as eslintScope from "eslint-scope"
import { secretDetail } from "./catalog.ts"
import { keyOf, render } from "./chains.ts"
import {
  globalObjectNames,
  moduleObjectNames,
  processLoaders,
  readOnlyGlobals,
  standardGlobals,
  wrapperNames
} from "./globals.ts"
import { add, type Inspection, ko, koNamed, ok } from "./inspection.ts"
import { bindingOf, inWith, parentOf } from "./scopes.ts"
import { isTarget, onBuiltin } from "./sharedWrites.ts"

// The Rules globals the wrapper gives, as the rule reads them.
const onWrapper = (inspection: Inspection, id: acorn.Identifier) => {
  const p = parentOf(inspection.scopes, id)
  switch (id.name) {
    case "UnauthorizedError":
      return ok(inspection, id, "UnauthorizedError")
    case "global":
      return ok(inspection, id, "global")
    case "configuration": {
      const key = p?.type === "MemberExpression" && p.object === id ? keyOf(p) : undefined
      if (key === undefined) return ok(inspection, id, "configuration.dynamic")
      inspection.configurationKeys.add(key)
      return add(inspection, id, "configuration", "translated", secretDetail(key))
    }
  }
}

// `globalThis`, `self`, `window`, `frames`: reading a named property is fine.
const onGlobalObject = (inspection: Inspection, id: acorn.Identifier) => {
  const p = parentOf(inspection.scopes, id)
  if (p?.type === "BinaryExpression" && ["===", "!==", "==", "!="].includes(p.operator)) return
  if (p?.type !== "MemberExpression" || p.object !== id) return koNamed(inspection, id, "global.object", id.name)
  const key = keyOf(p)
  const name = render(p)
  if (key === undefined || globalObjectNames.has(key) || moduleObjectNames.has(key) || key === "global") {
    return koNamed(inspection, id, "global.object", name)
  }
  if (key === "eval") return koNamed(inspection, p, "eval.indirect", name)
  if (key === "Function") return koNamed(inspection, p, "eval.constructor", name)
  if (isTarget(inspection.scopes, p)) return koNamed(inspection, p, "global.implicit", name)
}

// The Function constructor, called or taken: its code runs in the global scope. Comparing with it, reading its
// prototype, name or length is fine.
const onFunctionName = (inspection: Inspection, id: acorn.Identifier) => {
  const p = parentOf(inspection.scopes, id)
  if (p?.type === "BinaryExpression") return
  if ((p?.type === "CallExpression" || p?.type === "NewExpression") && p.callee === id) {
    return koNamed(inspection, p, "eval.constructor", p.type === "NewExpression" ? "new Function(…)" : "Function(…)")
  }
  if (p?.type === "MemberExpression" && p.object === id) {
    const key = keyOf(p)
    if (key === "prototype" || key === "name" || key === "length") return
    return koNamed(inspection, p, "eval.constructor", render(p))
  }
  koNamed(inspection, id, "eval.constructor", "Function")
}

// `eval(code)` may be accepted: it runs in the rule's own scope. Any other use of eval runs code in the global scope.
const onEval = (inspection: Inspection, id: acorn.Identifier, p: acorn.AnyNode | undefined) =>
  p?.type === "CallExpression" && p.callee === id
    ? ko(inspection, p, "eval")
    : koNamed(inspection, id, "eval.indirect", "eval")

// `process.getBuiltinModule(...)`, `process.binding(...)` and the like load code around the rule's require.
const onProcess = (inspection: Inspection, id: acorn.Identifier, p: acorn.AnyNode | undefined) => {
  if (p?.type !== "MemberExpression" || p.object !== id) return
  const key = keyOf(p)
  if (key !== undefined && processLoaders.has(key)) koNamed(inspection, p, "eval.module", render(p))
}

// The names the rule assigns without declaring them: already refused where they are written (global.implicit, whose
// advice, declare it, is the right one), so reading them is not refused again as a name no Action provides.
const assignedGlobals = new WeakMap<Inspection, ReadonlySet<string>>()

const assignedGlobally = (inspection: Inspection): ReadonlySet<string> => {
  let names = assignedGlobals.get(inspection)
  if (names === undefined) {
    const found = new Set<string>()
    for (const reference of inspection.scopes.references.values()) {
      if (reference.isWrite() && bindingOf(inspection.scopes, reference) === "global") {
        found.add((reference.identifier as acorn.Identifier).name)
      }
    }
    names = found
    assignedGlobals.set(inspection, names)
  }
  return names
}

// A name no scope of the rule declares, read.
const onGlobalRead = (inspection: Inspection, id: acorn.Identifier, reference: eslintScope.Reference) => {
  const p = parentOf(inspection.scopes, id)
  if (p?.type === "UnaryExpression" && p.operator === "typeof") return
  // Sloppy mode deletes a global by its bare name.
  if (p?.type === "UnaryExpression" && p.operator === "delete") {
    return koNamed(inspection, id, "global.implicit", id.name)
  }
  if (globalObjectNames.has(id.name)) return onGlobalObject(inspection, id)
  if (moduleObjectNames.has(id.name)) return koNamed(inspection, id, "global.object", id.name)
  if (id.name === "Function") return onFunctionName(inspection, id)
  if (id.name === "eval") return onEval(inspection, id, p)
  if (id.name === "process") return onProcess(inspection, id, p)
  if (standardGlobals.has(id.name) && !readOnlyGlobals.has(id.name)) return onBuiltin(inspection, id)
  if (standardGlobals.has(id.name) || inWith(reference) || assignedGlobally(inspection).has(id.name)) return
  koNamed(inspection, id, "global.undeclared", id.name)
}

export const onReference = (inspection: Inspection, reference: eslintScope.Reference): void => {
  const id = reference.identifier as acorn.Identifier
  const binding = bindingOf(inspection.scopes, reference)
  if (binding === "local") return
  if (binding === "wrapper") {
    const written = inspection.text.slice(id.start, id.end)
    if (written !== id.name && wrapperNames.has(id.name)) return koNamed(inspection, id, "global.escaped", written)
    return reference.isRead() ? onWrapper(inspection, id) : undefined
  }
  if (!reference.isWrite()) return onGlobalRead(inspection, id, reference)
  if (!readOnlyGlobals.has(id.name)) koNamed(inspection, id, "global.implicit", id.name)
}
