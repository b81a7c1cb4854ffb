// Compile-time guarantees of PostLogin.make and PostLogin.decide. Checked by `pnpm check` (tsc), not by vitest:
// every @ts-expect-error below must be an error, or tsc fails.
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import { Cache } from "@rulefx/core/Cache"
import * as Decision from "@rulefx/core/Decision"
import * as Pipeline from "@rulefx/core/Pipeline"
import { Resumed } from "@rulefx/core/Resumed"
import * as Rule from "@rulefx/core/Rule"
import { Crypto } from "@rulefx/rules/Crypto"
import { CurrentSeller } from "@rulefx/rules/CurrentSeller"
import * as DenyRoles from "@rulefx/rules/DenyRoles"
import { EffectiveRoles } from "@rulefx/rules/EffectiveRoles"
import * as HashSellerEmail from "@rulefx/rules/HashSellerEmail"
import { SellerApi } from "@rulefx/rules/SellerApi"
import * as SetRoles from "@rulefx/rules/SetRoles"
import * as SetSeller from "@rulefx/rules/SetSeller"
import * as Logins from "@rulefx/testing/Logins"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const seed = Pipeline.make({
  facts: [CurrentSeller, EffectiveRoles],
  rules: [SetSeller.make(), HashSellerEmail.make(), SetRoles.make(), DenyRoles.make()]
})

// Every service provided (SellerApi's live layer needs Secrets, which the adapter provides per login): compiles.
export const complete = PostLogin.make(seed, Layer.mergeAll(SellerApi.layer, Crypto.layer))
export const completeTest = PostLogin.make(seed, Layer.mergeAll(SellerApi.layerTest({}), Crypto.layer))
export const decideComplete = PostLogin.decide(seed, Layer.mergeAll(SellerApi.layerTest({}), Crypto.layer))

// SellerApi is not provided.
// @ts-expect-error the layer does not provide SellerApi
export const missingSellerApi = PostLogin.make(seed, Crypto.layer)

// Crypto is a Context.Reference with Node's crypto as its default: a layer without it compiles.
export const withoutCrypto = PostLogin.make(seed, SellerApi.layerTest({}))

// Nothing is provided at all.
// @ts-expect-error the layer does not provide SellerApi
export const missingAll = PostLogin.make(seed, Layer.empty)

// decide has the same guard.
// @ts-expect-error the layer does not provide SellerApi
export const decideMissing = PostLogin.decide(seed, Crypto.layer)

class Audit extends Context.Service<Audit, { readonly note: (s: string) => Effect.Effect<void> }>()("test/Audit") {}

// A layer that itself needs a service the adapter does not provide (only Login and Secrets are).
const sellerApiNeedingAudit = Layer.effect(
  SellerApi,
  Effect.map(Audit, () => SellerApi.of({ getSeller: () => Effect.succeedNone }))
)
// @ts-expect-error the layer requires Audit, which nobody provides
export const unmetLayerRequirement = PostLogin.make(seed, Layer.mergeAll(sellerApiNeedingAudit, Crypto.layer))

// A layer that may fail with something that is not a denial (no user-safe message).
const failingSellerApi = Layer.effect(SellerApi, Effect.fail({ reason: "not a denial" }))
// @ts-expect-error the layer's error is not a Denial
export const nonDenialLayerError = PostLogin.make(seed, Layer.mergeAll(failingSellerApi, Crypto.layer))

// A tiny custom pipeline that needs nothing: an empty layer is enough.
const tiny = Pipeline.make({ facts: [], rules: [Rule.make("tiny", Decision.setIdTokenClaim("n", 1))] })
export const tinyHandler: PostLogin.Handler = PostLogin.make(tiny, Layer.empty)

// A layer that provides Login (or Secrets) would override every login's own: refused.
const withLogin = Layer.mergeAll(SellerApi.layer, Crypto.layer, Logins.layer())
// @ts-expect-error Login comes from each login's event; the layer must not provide it
export const providesLogin = PostLogin.make(seed, withLogin)

// A rule that uses the Cache needs nothing more: the adapter provides it per login, from the api.
const cached = Pipeline.make({ facts: [], rules: [Rule.make("cached", Effect.flatMap(Cache, (c) => c.get("k")))] })
export const cachedHandler: PostLogin.Handler = PostLogin.make(cached, Layer.empty)

// A layer that provides its own Cache would replace every login's: refused.
const withCache = Layer.mergeAll(SellerApi.layer, Crypto.layer, Cache.layerMemory)
// @ts-expect-error Cache comes from each login's api; the layer must not provide it
export const providesCache = PostLogin.make(seed, withCache)

// A layer that provides Resumed (the continue pass's answer, e.g. Resumed.layerTest left in) would answer for the
// user in a first pass: refused (and, through a cast, every login fails closed: ResumableBreak.test.ts).
const withResumed = Layer.mergeAll(SellerApi.layer, Resumed.layerTest({ payload: {} }))
// @ts-expect-error Resumed comes from the continue pass's event and api; the layer must not provide it
export const providesResumed = PostLogin.make(seed, withResumed)

// A seed rule pipes through the combinators (every rule is pipeable).
const timedSeller = SetSeller.make().pipe(Rule.timeout("1 second"), Rule.optional)
export const timedSellerHandler = PostLogin.make(
  Pipeline.make({ facts: [CurrentSeller], rules: [timedSeller] }),
  SellerApi.layerTest({})
)

// A rule that is `any` because of a mistake where it is made (a method a Rule lacks) is left to the error there: the
// layer check says nothing, where it said "continue pass only" and "the layer does not provide": any.
// @ts-expect-error a Rule has no method `retry`: the one error this mistake makes
const broken = SetSeller.make().retry(3)
const withBroken = Pipeline.make({ facts: [CurrentSeller], rules: [broken] })
export const brokenHandler = PostLogin.make(withBroken, SellerApi.layerTest({}))
export const brokenDecide = PostLogin.decide(withBroken, SellerApi.layerTest({}))
// The others' needs are still checked next to it: CurrentSeller's SellerApi (it was `any` then, which passed any layer).
// @ts-expect-error the layer does not provide SellerApi
export const brokenWithoutSellerApi = PostLogin.make(withBroken, Layer.empty)
// So next to a rule that is `any` on purpose, which no error names.
// oxlint-disable-next-line no-explicit-any
const anyOnPurpose: any = SetSeller.make()
const withAnyOnPurpose = Pipeline.make({ facts: [CurrentSeller], rules: [anyOnPurpose, SetSeller.make()] })
// @ts-expect-error the layer does not provide SellerApi
export const anyOnPurposeWithoutSellerApi = PostLogin.make(withAnyOnPurpose, Layer.empty)
export const anyOnPurposeHandler = PostLogin.make(withAnyOnPurpose, SellerApi.layerTest({}))
// @ts-expect-error a pipeline that lacks nothing but its name: the one error this mistake makes
const brokenPipeline = Pipeline.mak({ facts: [], rules: [] })
export const brokenPipelineHandler = PostLogin.make(brokenPipeline, Layer.empty)
