/**
 * Writes the converted rule's module: imports, one denial class per message, and the `Rule.make` whose check reads
 * Login (and secrets) into locals first, then runs the translated statements.
 */
import type { Metadata, Scope } from "./scope.ts"
import * as Todo from "./todo.ts"
import * as TokenScope from "./tokenScope.ts"

/** PascalCase of a name: its runs of letters and digits, each capitalised, joined ("email-verified": EmailVerified). */
export const pascal = (text: string): string => {
  const name = text.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? "").toUpperCase())
  return name.charAt(0).toUpperCase() + name.slice(1)
}

/** The exported name of the rule: camelCase of the rule's name. */
export const exportName = (rule: string): string => {
  const name = pascal(rule)
  const camel = name.charAt(0).toLowerCase() + name.slice(1)
  return /^[A-Za-z_$]/.test(camel) ? camel : `rule${name}`
}

export interface Emitted {
  readonly rule: string
  readonly file: string
  readonly scope: Scope
  readonly body: ReadonlyArray<string>
  /** The facts module, as the rule's module imports it (`./facts.ts`). */
  readonly factsModule?: string | undefined
}

/** The module's text, and the facts it imports (Facts). */
export const module = (
  { body, factsModule = "./facts.ts", file, rule, scope }: Emitted
): { readonly text: string; readonly facts: ReadonlyArray<string> } => {
  // The rule's own statements end early (`return`); what it left in context.accessToken.scope is applied after them.
  const applied = TokenScope.apply(scope)
  // `--after-legacy`: the rule waits for the legacy rules' State (and so runs after them), and reads what they left.
  const legacy = scope.afterLegacy
    ? [
      scope.legacyReads.size === 0 ? "yield* legacy.State" : "const legacyState = yield* legacy.State",
      ...(scope.legacyReads.has("user")
        ? ["const legacyUser: Readonly<Record<string, any>> = legacyState.user"]
        : []),
      ...(scope.legacyReads.has("context")
        ? ["const legacyContext: Readonly<Record<string, any>> = legacyState.context"]
        : [])
    ]
    : []
  const statements = applied.length === 0
    ? [...TokenScope.declaration(scope), ...body]
    : [...TokenScope.declaration(scope), "yield* Effect.gen(function*() {", ...Todo.indent(body), "})", ...applied]
  // A read or secret only the statements left as TODOs used is not read: its local would be unused.
  const code = statements.filter((l) => !l.trimStart().startsWith("//") && !l.includes(`${Todo.marker}(`)).join("\n")
  const used = (local: string) => new RegExp(`(^|[^\\w$])${local.replace(/\$/g, "\\$")}($|[^\\w$])`).test(code)
  const readsUsed = [...scope.reads.values()].filter((r) => used(r.local))
  const secretsUsed = [...scope.secrets.entries()].filter(([, local]) => used(local))
  const factsRead = [...scope.factReads.entries()].filter(([, local]) => used(local))
  const factImports = [...new Set([...factsRead.map(([name]) => name), ...scope.factWrites])].toSorted()
  const imports = [
    ...(scope.uses.has("Decision") ? [`import * as Decision from "@rulefx/core/Decision"`] : []),
    ...(scope.denials.length > 0 ? [`import * as Denial from "@rulefx/core/Denial"`] : []),
    ...(readsUsed.length > 0 ? [`import { Login } from "@rulefx/core/Login"`] : []),
    `import * as Rule from "@rulefx/core/Rule"`,
    ...(secretsUsed.length > 0 ? [`import * as Secrets from "@rulefx/core/Secrets"`] : []),
    ...(scope.afterLegacy ? [`import type * as LegacyRules from "@rulefx/legacy-rules/LegacyRules"`] : []),
    `import * as Effect from "effect/Effect"`,
    ...(secretsUsed.length > 0 || scope.uses.has("Redacted") ? [`import * as Redacted from "effect/Redacted"`] : []),
    ...(factImports.length > 0 ? [`import { ${factImports.join(", ")} } from ${JSON.stringify(factsModule)}`] : [])
  ]
  const denials = scope.denials.flatMap((d) => [
    "",
    `/** Line ${d.line} of the legacy rule denied with this message. */`,
    `export class ${d.name} extends Denial.Class(${JSON.stringify(d.name)})<{}> {`,
    "  override get message(): string {",
    `    return ${JSON.stringify(d.message)}`,
    "  }",
    "}"
  ])
  // A metadata the rule writes is its own copy, so that its later reads see what it wrote.
  const copied: Readonly<Record<string, Metadata>> = {
    "login.user.appMetadata": "app_metadata",
    "login.user.userMetadata": "user_metadata"
  }
  const reads = readsUsed.map((r) => {
    const metadata = copied[r.expression]
    return metadata !== undefined && scope.written.has(metadata)
      ? `const ${r.local}: Record<string, any> = { ...${r.expression} }`
      : `const ${r.local}${r.type === undefined ? "" : `: ${r.type}`} = ${r.expression}`
  })
  const secrets = secretsUsed.map(([key, local]) =>
    `const ${local} = Redacted.value(yield* Secrets.get(${JSON.stringify(key)}))`
  )
  const facts = factsRead.map(([name, local]) => `const ${local} = yield* ${name}`)
  const todos = scope.todos.length
  const header = [
    "/**",
    ` * ${Todo.inBlockComment(`${rule}: converted by \`rulefx convert\` from the legacy rule ${file}.`)}`,
    " *",
    todos === 0
      ? " * Every construct of the legacy rule was translated; its differential test runs both on generated logins."
      : ` * ${todos} construct${
        todos === 1 ? " was" : "s were"
      } left as RULEFX_TODO (declared nowhere, so this module ` +
        "does not compile until each is rewritten).",
    " */"
  ]
  const make = [
    "Rule.make(",
    `  ${JSON.stringify(rule)},`,
    "  Effect.gen(function*() {",
    ...Todo.indent(
      [
        ...legacy,
        ...(reads.length > 0 ? ["const login = yield* Login", ...reads] : []),
        ...secrets,
        ...facts,
        ...statements
      ],
      "    "
    ),
    "  })",
    ")"
  ]
  const text = [
    ...header,
    ...imports,
    ...denials,
    "",
    ...(scope.afterLegacy
      ? [
        "/** The rule, reading what the earlier rules (still legacy, run by `legacy`) left in `user` and `context`. */",
        `export const ${exportName(rule)} = (legacy: { readonly State: LegacyRules.LegacyRules["State"] }) =>`,
        ...Todo.indent(make)
      ]
      : [`export const ${exportName(rule)} = ${make[0]}`, ...make.slice(1)]),
    ""
  ].join("\n")
  return { text, facts: factImports }
}
