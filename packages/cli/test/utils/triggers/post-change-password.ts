// A post-change-password Action: remembers when the password changed, in the trigger's cache (its only api).
import * as PostChangePassword from "@rulefx/adapter-auth0/PostChangePassword"
import { Cache } from "@rulefx/core/Cache"
import * as Changed from "@rulefx/core/PostChangePassword"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const remember = Changed.makeRule(
  "remember",
  Effect.gen(function*() {
    const { user } = yield* Changed.PasswordChange
    yield* (yield* Cache).set(`changed:${user.id ?? "?"}`, user.lastPasswordReset ?? "")
  })
)

export const onExecutePostChangePassword = PostChangePassword.make(
  Changed.makePipeline({ facts: [], rules: [remember] }),
  Layer.empty
)
