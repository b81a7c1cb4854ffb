// A post-user-registration Action: remembers the new user in the trigger's cache (its only api); a second rule dies,
// which must change nothing.
import * as PostUserRegistration from "@rulefx/adapter-auth0/PostUserRegistration"
import { Cache } from "@rulefx/core/Cache"
import * as Registered from "@rulefx/core/PostUserRegistration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const remember = Registered.makeRule(
  "remember",
  Effect.gen(function*() {
    const { user } = yield* Registered.Registered
    yield* (yield* Cache).set("last-registered", user.id)
  })
)

export const onExecutePostUserRegistration = PostUserRegistration.make(
  Registered.makePipeline({
    facts: [],
    rules: [remember, Registered.makeRule("dies", Effect.die(new Error("boom")))]
  }),
  Layer.empty
)
