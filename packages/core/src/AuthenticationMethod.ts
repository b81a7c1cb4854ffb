/**
 * AuthenticationMethod: recording a custom authentication method the user completed (Auth0's
 * `api.authentication.recordMethod`), such as a check on a page the login was redirected to.
 *
 * Auth0 allows it only when the login resumes, so `record` needs the Resumed service, which only the continue pass
 * has: in a first-pass pipeline it does not compile. The adapter refuses it outside the continue pass too (for
 * decisions built by other means), before any call. The method appears in `event.authentication.methods`, with a
 * timestamp, on later logins in the same session.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Decision from "./Decision.ts"
import { Resumed } from "./Resumed.ts"

/**
 * Records that the user completed the method named by `url` (an http or https URL), at the end of the run.
 *
 * @category constructors
 * @since 0.1.0
 */
export const record = (url: string): Effect.Effect<void, never, Decision.Decisions | Resumed> =>
  Effect.andThen(
    Resumed,
    Decision.recordKind(Decision.mergeFlow, (draft) => {
      const methods = draft.authenticationMethods ?? []
      if (!methods.includes(url)) draft.authenticationMethods = [...methods, url]
    })
  )
