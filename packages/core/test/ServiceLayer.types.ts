// Compile-time guarantees of ServiceLayer.effect. Checked by `pnpm check` (tsc), which the test command runs:
// every @ts-expect-error below must be an error, or tsc fails.
import * as Secrets from "@rulefx/core/Secrets"
import * as ServiceLayer from "@rulefx/core/ServiceLayer"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

class Client extends Context.Service<Client, { readonly url: string }>()("test/Client") {}

// A build that reads the login's Secrets: compiles, and the layer requires Secrets.
export const fromSecrets = ServiceLayer.effect(
  Client,
  Effect.map(Secrets.get("CLIENT_URL"), (url) => ({ url: Redacted.value(url) }))
)

// A build that needs a Scope (a resource released when the login ends) is refused at the call, with the message
// "rulefx: a ServiceLayer's build gets no Scope; a service holding a resource to release is a Layer.effect".
export const scoped = ServiceLayer.effect(
  Client,
  // @ts-expect-error a ServiceLayer's build gets no Scope
  Effect.acquireRelease(Effect.succeed({ url: "https://example.com" }), () => Effect.void)
)
