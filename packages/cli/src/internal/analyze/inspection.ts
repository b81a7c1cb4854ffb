/**
 * One rule's inspection: its scopes, the names its parameters give `user`, `context` and `callback`, the names that
 * hold an identity, and what was found so far; then the Analysis it makes, findings sorted and deduplicated.
 */
import type * as acorn from "acorn"
import type { Analysis, Finding } from "../../Analyze.ts"
import { type Translated, translated, type Unsupported, unsupported } from "./catalog.ts"
import { collectIdentityNames } from "./identities.ts"
import { type RuleFunction, startOf } from "./locate.ts"
import { type Scopes, scopesOf } from "./scopes.ts"

export interface Inspection {
  readonly text: string
  readonly scopes: Scopes
  readonly params: ReadonlyArray<string>
  readonly userName: string | undefined
  readonly contextName: string | undefined
  readonly callbackName: string | undefined
  readonly identityNames: ReadonlySet<string>
  readonly findings: Array<Finding>
  readonly requires: Array<Analysis.Require & { readonly column: number }>
  readonly configurationKeys: Set<string>
  readonly configurationClaims: Array<Analysis.ConfigurationClaim>
  readonly configurationRedirects: Array<Analysis.ConfigurationRedirect>
  readonly configurationReads: Array<Analysis.ConfigurationRead>
}

const paramName = (text: string, param: acorn.Pattern): string =>
  param.type === "Identifier"
    ? param.name
    : param.type === "AssignmentPattern" && param.left.type === "Identifier"
    ? param.left.name
    : text.slice(param.start, param.end)

export const make = (text: string, located: RuleFunction): Inspection => {
  const scopes = scopesOf(located)
  const params = scopes.rule.params.map((param) => paramName(text, param))
  const [userName, contextName, callbackName] = params
  return {
    text,
    scopes,
    params,
    userName,
    contextName,
    callbackName,
    identityNames: collectIdentityNames(scopes.rule),
    findings: [],
    requires: [],
    configurationKeys: new Set(),
    configurationClaims: [],
    configurationRedirects: [],
    configurationReads: []
  }
}

export const add = (
  inspection: Inspection,
  node: acorn.Node,
  construct: string,
  status: Finding["status"],
  detail: string
): void => {
  inspection.findings.push({ construct, ...startOf(node), status, detail })
}

export const ok = (inspection: Inspection, node: acorn.Node, construct: Translated): void =>
  add(inspection, node, construct, "translated", translated[construct])

export const ko = (inspection: Inspection, node: acorn.Node, construct: Unsupported): void =>
  add(inspection, node, construct, "unsupported", unsupported[construct])

// What was found, then why it is refused: `profile: assigns a global ...`.
export const koNamed = (inspection: Inspection, node: acorn.Node, construct: Unsupported, what: string): void =>
  add(inspection, node, construct, "unsupported", `${what}: ${unsupported[construct]}`)

const order = (a: Finding, b: Finding) =>
  a.line - b.line || a.column - b.column || (a.construct < b.construct ? -1 : a.construct > b.construct ? 1 : 0)

// Sorted by line, column and construct; one finding per construct, line and detail.
const sorted = (findings: ReadonlyArray<Finding>): ReadonlyArray<Finding> => {
  const seen = new Set<string>()
  return findings.toSorted(order).filter((finding) => {
    const id = `${finding.construct}\u0000${finding.line}\u0000${finding.detail}`
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
}

export const analysisOf = (inspection: Inspection): Analysis => {
  const fn = inspection.scopes.rule
  return {
    source: inspection.text.slice(fn.start, fn.end),
    params: inspection.params,
    isAsync: fn.async,
    findings: sorted(inspection.findings),
    requires: inspection.requires
      .toSorted((a, b) => a.line - b.line || a.column - b.column)
      .map(({ line, name, specifier }) => ({ specifier, name, line })),
    configurationKeys: [...inspection.configurationKeys].toSorted(),
    configurationClaims: inspection.configurationClaims.toSorted((a, b) => a.line - b.line || a.column - b.column),
    configurationRedirects: inspection.configurationRedirects.toSorted((a, b) =>
      a.line - b.line || a.column - b.column
    ),
    configurationReads: inspection.configurationReads.toSorted((a, b) => a.line - b.line || a.column - b.column)
  }
}
