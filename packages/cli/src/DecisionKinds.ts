/**
 * DecisionKinds: the kinds of decision a legacy rule can make (deny, a token claim, scopes, metadata, MFA, a
 * redirect), found in its code, and the kinds a run made, read from its RecordingApi summary. The differential test
 * `rulefx convert` generates checks that each kind the rule can make was made on at least one generated login: a
 * branch no login reaches is one the comparison never tested, and a test that passes without reaching it proves
 * nothing about it. Node-side only.
 *
 * @since 0.1.0
 */
import type * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as acorn from "acorn"
import * as walk from "acorn-walk"
import { chainOf, staticString } from "./internal/analyze/chains.ts"
import { lineOffsetOf } from "./internal/analyze/locate.ts"
import { isNullish, messageOf } from "./internal/convert/callback.ts"

/**
 * A kind of decision.
 *
 * @category models
 * @since 0.1.0
 */
export type Kind = "deny" | "idTokenClaim" | "accessTokenClaim" | "scopes" | "metadata" | "mfa" | "redirect"

/**
 * A kind of decision a rule can make, with the lines of the rule file that make it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Decision {
  readonly kind: Kind
  readonly lines: ReadonlyArray<number>
  /**
   * For `deny`: the messages the rule's own denials carry (`callback(new UnauthorizedError("message"))`, `new Error`,
   * a string), when every one is a static string. A rule that throws is denied too, with the error's message: only a
   * denial with one of these counts as the rule's. Absent when one is computed: any denial counts then.
   */
  readonly messages?: ReadonlyArray<string>
  /**
   * For `deny` and the token claims, when the rule makes more than one of them and each is static: each denial
   * message, or each claim name, with the lines that deny with it or set it. Each must be made on a login of its own
   * (`made` reports it as `deny <message>`, `idTokenClaim <name>`): one denial reached does not test another.
   */
  readonly sites?: ReadonlyArray<Site>
}

/**
 * One static denial message or claim name of a decision (`Decision.sites`), with its lines.
 *
 * @category models
 * @since 0.1.0
 */
export interface Site {
  readonly value: string
  readonly lines: ReadonlyArray<number>
}

/**
 * What a run made: a kind, and for a denial its message (`deny <message>`), for a claim its name
 * (`idTokenClaim <name>`).
 *
 * @category models
 * @since 0.1.0
 */
export type Made = Kind | `${Kind} ${string}`

const labels: Readonly<Record<Kind, string>> = {
  deny: "denies the login (`callback` with an error)",
  idTokenClaim: "sets an ID token claim (`context.idToken`)",
  accessTokenClaim: "sets an access token claim (`context.accessToken`)",
  scopes: "changes the access token's scopes (`context.accessToken.scope`)",
  metadata: "persists metadata (`auth0.users.update*Metadata`)",
  mfa: "requires MFA (`context.multifactor`)",
  redirect: "redirects (`context.redirect`)"
}

const order: ReadonlyArray<Kind> = ["deny", "idTokenClaim", "accessTokenClaim", "scopes", "metadata", "mfa", "redirect"]

// The kind an assignment to `context.<keys>` makes.
const assigned = (keys: ReadonlyArray<string | undefined>): Kind | undefined => {
  const [first, second] = keys
  if (first === "multifactor" && keys.length === 1) return "mfa"
  if (first === "redirect" && keys.length === 1) return "redirect"
  if (first === "idToken" && keys.length === 2) return "idTokenClaim"
  if (first === "accessToken" && keys.length === 2) return second === "scope" ? "scopes" : "accessTokenClaim"
  return undefined
}

// `.catch(function (err) { callback(err) })`: an error handed on from a call that failed (the Management API), not a
// decision of the rule's; no login reaches it unless that call fails.
const handsOn = (node: acorn.AnyNode | undefined, ancestors: ReadonlyArray<acorn.Node>): boolean => {
  if (node?.type !== "Identifier") return false
  // The functions around the call, the rule's own (the outermost) left out.
  const inner = ancestors.map((a) => a as acorn.AnyNode).filter((f) =>
    f.type === "FunctionExpression" || f.type === "ArrowFunctionExpression" || f.type === "FunctionDeclaration"
  ).slice(1) as ReadonlyArray<acorn.Function>
  return inner.some((f) => f.params.some((p) => p.type === "Identifier" && p.name === node.name))
}

// The reason a rule's `callback(error)` denies with, when static: an error's message, or a string itself.
const denialMessage = (error: acorn.AnyNode): string | undefined =>
  error.type === "Literal" && typeof error.value !== "string" ? undefined : staticString(error) ?? messageOf(error)

/**
 * The kinds of decision a rule's function can make (`source` and `params` as Analyze gives them; `text` is the rule
 * file, for the lines), in a fixed order.
 *
 * @category constructors
 * @since 0.1.0
 */
export const ofRule = (text: string, source: string, params: ReadonlyArray<string>): ReadonlyArray<Decision> => {
  const lineOffset = lineOffsetOf(text, source)
  const program = acorn.parse(`(${source})`, { ecmaVersion: "latest", sourceType: "script", locations: true })
  const [, context, callback] = params
  const found = new Map<Kind, Set<number>>()
  // The denial messages and claim names of each kind, with their lines; a kind is left out once one is computed.
  const values = new Map<Kind, Map<string, Set<number>> | undefined>()
  const add = (kind: Kind | undefined, node: acorn.Node, value?: string) => {
    if (kind === undefined) return
    const line = (node.loc?.start.line ?? 1) + lineOffset
    found.set(kind, (found.get(kind) ?? new Set<number>()).add(line))
    if (kind !== "deny" && kind !== "idTokenClaim" && kind !== "accessTokenClaim") return
    const sites = values.has(kind) ? values.get(kind) : new Map<string, Set<number>>()
    values.set(
      kind,
      value === undefined || value.trim() === ""
        ? undefined
        : sites?.set(value, (sites.get(value) ?? new Set()).add(line))
    )
  }
  walk.fullAncestor(program, (node, _state, ancestors) => {
    const n = node as acorn.AnyNode
    if (n.type === "AssignmentExpression" && n.left.type === "MemberExpression") {
      const { keys, root } = chainOf(n.left)
      if (root.type === "Identifier" && (root as acorn.Identifier).name === context) add(assigned(keys), n, keys[1])
    }
    if (n.type !== "CallExpression") return
    const first = n.arguments[0] as acorn.AnyNode | undefined
    if (n.callee.type === "Identifier" && n.callee.name === callback && !isNullish(first)) {
      if (!handsOn(first, ancestors)) add("deny", n, first === undefined ? undefined : denialMessage(first))
    }
    if (n.callee.type === "MemberExpression") {
      const { keys, root } = chainOf(n.callee)
      const method = keys[1]
      if (
        root.type === "Identifier" && (root as acorn.Identifier).name === "auth0" && keys[0] === "users" &&
        (method === "updateAppMetadata" || method === "updateUserMetadata")
      ) add("metadata", n)
    }
  })
  return order.flatMap((kind) => {
    const lines = found.get(kind)
    if (lines === undefined) return []
    const sites = values.get(kind)
    return [{
      kind,
      lines: sorted(lines),
      ...(kind === "deny" && sites !== undefined ? { messages: [...sites.keys()] } : {}),
      ...(sites !== undefined && sites.size > 1
        ? { sites: [...sites].map(([value, at]) => ({ value, lines: sorted(at) })) }
        : {})
    }]
  })
}

const sorted = (lines: Iterable<number>): ReadonlyArray<number> => [...lines].toSorted((a, b) => a - b)

const some = (record: Record<string, unknown>): boolean => Object.keys(record).length > 0

// A denial is the rule's own when it can deny and the reason is one of its messages (Rules cut a reason over 500
// characters, ending it with "…"): a rule that throws (`user.email.split` on a login without an email) is denied
// with the error's message, which no branch of the rule decided.
// Gives the message it is (the whole one when cut), the reason itself when the messages are computed.
const ownDenial = (reason: string | undefined, decisions: ReadonlyArray<Decision>): string | undefined => {
  const deny = decisions.find((d) => d.kind === "deny")
  if (reason === undefined || deny === undefined) return undefined
  if (deny.messages === undefined) return reason
  const cut = reason.endsWith("…") ? reason.slice(0, -1) : undefined
  return deny.messages.find((m) => m === reason || (cut !== undefined && m.length > 500 && m.startsWith(cut)))
}

/**
 * The kinds of decision a run of the rule made, from its summary, of the rule's `decisions` (ofRule): a denial counts
 * only with one of the rule's own messages (`Decision.messages`), not one a throw made. With each kind, the message
 * it denied with (`deny <message>`) and the claims it set (`idTokenClaim <name>`), for `Decision.sites`.
 *
 * @category getters
 * @since 0.1.0
 */
export const made = (summary: RecordingApi.Summary, decisions: ReadonlyArray<Decision>): ReadonlyArray<Made> => {
  const message = ownDenial(summary.denied, decisions)
  const flags: Readonly<Record<Kind, boolean>> = {
    deny: message !== undefined,
    idTokenClaim: some(summary.idTokenClaims),
    accessTokenClaim: some(summary.accessTokenClaims),
    scopes: summary.scopesAdded.length > 0 || summary.scopesRemoved.length > 0,
    metadata: some(summary.appMetadata) || some(summary.userMetadata),
    mfa: summary.mfa !== undefined,
    redirect: summary.redirect !== undefined
  }
  return [
    ...order.filter((kind) => flags[kind]),
    ...(message === undefined ? [] : [`deny ${message}` as const]),
    ...Object.keys(summary.idTokenClaims).map((name) => `idTokenClaim ${name}` as const),
    ...Object.keys(summary.accessTokenClaims).map((name) => `accessTokenClaim ${name}` as const)
  ]
}

const what = (d: Decision, site: Site | undefined): string =>
  site === undefined
    ? labels[d.kind]
    : d.kind === "deny"
    ? `denies the login with ${JSON.stringify(site.value)} (\`callback\` with an error)`
    : `${labels[d.kind].replace(" claim ", ` claim ${JSON.stringify(site.value)} `)}`

// Each decision no login made, or (with sites) each of its sites: what it is, and its lines.
const missed = (
  reached: ReadonlyArray<Made>,
  decisions: ReadonlyArray<Decision>
): ReadonlyArray<{ readonly lines: ReadonlyArray<number>; readonly what: string }> =>
  decisions.flatMap((d) =>
    d.sites === undefined
      ? reached.includes(d.kind) ? [] : [{ lines: d.lines, what: what(d, undefined) }]
      : d.sites.filter((s) => !reached.includes(`${d.kind} ${s.value}`)).map((s) => ({
        lines: s.lines,
        what: what(d, s)
      }))
  )

/**
 * What is wrong when a run reached only `reached` of the rule's `decisions` (empty when it reached all of them): one
 * line per decision no login made (per denial message or claim name, with `Decision.sites`), naming it and its
 * lines, and how to add a login that makes it.
 *
 * @category getters
 * @since 0.1.0
 */
export const unreached = (
  reached: ReadonlyArray<Made>,
  decisions: ReadonlyArray<Decision>
): ReadonlyArray<string> =>
  missed(reached, decisions).map((d) =>
    `line${d.lines.length === 1 ? "" : "s"} ${
      d.lines.join(", ")
    }: the legacy rule ${d.what} there on none of the logins, so nothing compared that branch. Add a login that reaches it (to \`extra\` in ` +
    "the test, as a post-login event), or give the rule's condition a literal the generator can see " +
    "(`rulefx events --generate --rules` lists what it varies)"
  )
