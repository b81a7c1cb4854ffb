/**
 * Small typed Action projects for the tests of the type check and of `rulefx build`: a tsconfig.json and an entry with
 * one fact and one service, each of which can be left out where the compiler must catch it. They are written inside
 * this package (test/.tmp-*, ignored by git), where `@rulefx/*`, effect and TypeScript resolve by name as they do in a
 * user's project.
 *
 * @since 0.1.0
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

/**
 * A tsconfig.json as a user's project has one (the options rulefx's own packages compile under).
 *
 * @since 0.1.0
 */
export const tsconfig = (include: ReadonlyArray<string> = ["src"]): string =>
  JSON.stringify(
    {
      compilerOptions: {
        strict: true,
        exactOptionalPropertyTypes: true,
        verbatimModuleSyntax: true,
        allowImportingTsExtensions: true,
        module: "NodeNext",
        moduleResolution: "NodeNext",
        target: "ES2022",
        lib: ["ES2023"],
        types: ["node"],
        skipLibCheck: true,
        noEmit: true
      },
      include
    },
    null,
    2
  )

/**
 * What the entry leaves out: the fact it reads from `facts`, or the service it uses from the layer.
 *
 * @since 0.1.0
 */
export interface Mistakes {
  readonly undeclaredFact?: boolean
  readonly missingService?: boolean
}

/**
 * An Action entry whose rule reads the fact `Plan` and the service `Greeter`.
 *
 * @since 0.1.0
 */
export const actionSource = (mistakes: Mistakes = {}): string =>
  `import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Decision from "@rulefx/core/Decision"
import * as Fact from "@rulefx/core/Fact"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

class Greeter extends Context.Service<Greeter, { readonly greet: Effect.Effect<string> }>()("test/Greeter") {}

const Plan = Fact.make("Plan", Effect.succeed("gold"))

const greet = Rule.make(
  "greet",
  Effect.gen(function*() {
    const greeter = yield* Greeter
    const plan = yield* Plan
    yield* Decision.setIdTokenClaim("https://example.com/greeting", \`\${yield* greeter.greet} \${plan}\`)
  })
)

export const pipeline = Pipeline.make({ facts: [${mistakes.undeclaredFact === true ? "" : "Plan"}], rules: [greet] })

const layer = ${
    mistakes.missingService === true
      ? "Layer.empty"
      : `Layer.succeed(Greeter, Greeter.of({ greet: Effect.succeed("hi") }))`
  }

export const onExecutePostLogin = PostLogin.make(pipeline, layer)
`

/**
 * The message TypeScript gives for the undeclared fact `Plan`.
 *
 * @since 0.1.0
 */
export const undeclaredFactMessage = `"rulefx: these facts are read but not declared in facts": "Plan"`

/**
 * The message TypeScript gives for the layer that does not provide `Greeter`.
 *
 * @since 0.1.0
 */
export const missingServiceMessage = `"rulefx: the layer does not provide": Greeter`

/**
 * Writes `files` (paths relative to a new folder under test/.tmp-*) and returns the folder.
 *
 * @since 0.1.0
 */
export const write = (files: Readonly<Record<string, string>>): string => {
  const dir = mkdtempSync(join(fileURLToPath(new URL("..", import.meta.url)), ".tmp-typed-"))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}
