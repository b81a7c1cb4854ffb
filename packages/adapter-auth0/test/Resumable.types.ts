// Compile-time guarantees of Resumable.make and the continue-pass kinds. Checked by `pnpm check` (tsc), not by
// vitest: every @ts-expect-error below must be an error, or tsc fails.
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Resumable from "@rulefx/adapter-auth0/Resumable"
import type * as TriggerRun from "@rulefx/adapter-auth0/TriggerRun"
import * as AuthenticationMethod from "@rulefx/core/AuthenticationMethod"
import * as Form from "@rulefx/core/Form"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Redirect from "@rulefx/core/Redirect"
import type { Resumed } from "@rulefx/core/Resumed"
import * as Rule from "@rulefx/core/Rule"
import * as v from "@rulefx/core/Validator"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const Consent = Redirect.make("Consent", { secret: "S", returns: v.object({ accepted: v.boolean() }) })
const Terms = Form.make("Terms", { id: "ap_1", fields: v.object({ ok: v.boolean() }) })

const execute = Pipeline.make({ facts: [], rules: [Rule.make("send", Consent.sendUserTo("https://x.example/"))] })
const resume = Pipeline.make({
  facts: [Consent, Terms],
  rules: [
    Rule.make("read", Effect.andThen(Consent, Terms)),
    Rule.make("record", AuthenticationMethod.record("https://x.example/"))
  ]
})

// Reading what came back in the continue pass: compiles.
export const both = Resumable.make({ execute, resume, layer: Layer.empty })

// Reading the returned token in the first pass: Resumed is only the continue pass's.
// @ts-expect-error continue pass only (ContinuePassOnly: Resumed)
export const tokenInFirstPass = PostLogin.make(resume, Layer.empty)

// The same through Resumable: a continue-pass pipeline given as the first pass does not compile.
// @ts-expect-error continue pass only (ContinuePassOnly: Resumed)
export const swapped = Resumable.make({ execute: resume, resume: execute, layer: Layer.empty })

// Recording a method in the first pass does not compile either.
const recordFirst = Pipeline.make({
  facts: [],
  rules: [Rule.make("record", AuthenticationMethod.record("https://x.example/"))]
})
// @ts-expect-error continue pass only (ContinuePassOnly: Resumed)
export const recordInFirstPass = PostLogin.make(recordFirst, Layer.empty)

// The error names the problem: "continue pass only" (ContinuePassOnly), not a service the layer should provide; a
// missing service besides it is still named as one.
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
class Audit extends Context.Service<Audit, { readonly note: (s: string) => Effect.Effect<void> }>()("test/Audit") {}
export const continuePassOnly: Equals<PostLogin.CheckLayer<Resumed, never>, TriggerRun.ContinuePassOnly> = true
export const continuePassOnlyAndMissing: Equals<
  PostLogin.CheckLayer<Resumed | Audit, never>,
  TriggerRun.ContinuePassOnly & { readonly "rulefx: the layer does not provide": Audit }
> = true
export const resetContinuePassOnly: Equals<TriggerRun.CheckLayer<Resumed, never, never>, TriggerRun.ContinuePassOnly> =
  true

// A redirect's name must be a literal, as a fact's.
// @ts-expect-error a redirect's name must be a string literal
export const unnamed = Redirect.make("x" as string, { secret: "S", returns: v.object({}) })

// A pipeline that is `any` because of a mistake where it is made is left to the error there, in either pass.
// @ts-expect-error a misspelt constructor: the one error this mistake makes
const broken = Pipeline.mak({ facts: [], rules: [] })
export const brokenResume = Resumable.make({ execute, resume: broken, layer: Layer.empty })
export const brokenExecute = Resumable.make({ execute: broken, resume, layer: Layer.empty })
// A pipeline whose services are `any` (a rule of it is `any`) or cannot be told (`unknown`): nothing to say.
// oxlint-disable-next-line no-explicit-any
export const anyNeeds: Equals<PostLogin.CheckLayer<any, never>, unknown> = true
export const unknownNeeds: Equals<PostLogin.CheckLayer<unknown, never>, unknown> = true
// oxlint-disable-next-line no-explicit-any
export const anyNeedsReset: Equals<TriggerRun.CheckLayer<any, never, never>, unknown> = true
