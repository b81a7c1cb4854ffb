/**
 * DenyRoles: denies the login unless one of the effective roles is allowed by the application.
 *
 * The allowed roles are the application's client metadata `allowed_roles`, comma-separated (spaces around names
 * are ignored). An application without it is misconfigured, and the login is denied: failing open would let
 * every role in.
 *
 * @since 0.1.0
 */
import * as Decode from "@rulefx/core/Decode"
import * as Denial from "@rulefx/core/Denial"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as v from "@rulefx/core/Validator"
import * as Effect from "effect/Effect"
import { EffectiveRoles } from "./EffectiveRoles.ts"

/**
 * None of the user's roles is allowed on this application. It carries no fields: a denial's fields go to the log,
 * and the roles are the user's data (a log line names the user by id only).
 *
 * @category errors
 * @since 0.1.0
 */
export class RoleNotAllowed extends /* @__PURE__ */ Denial.Class("RoleNotAllowed")<{}> {
  override get message(): string {
    return "Your account is not allowed to use this application."
  }
}

/**
 * The application does not say which roles it allows.
 *
 * @category errors
 * @since 0.1.0
 */
export class AllowedRolesMissing extends /* @__PURE__ */ Denial.Class("AllowedRolesMissing")<{
  readonly key: string
}> {
  override get message(): string {
    return Denial.genericMessage
  }
}

const Options = v.object({
  metadataKey: v.optional(v.pipe(v.string(), v.minLength(1)), "allowed_roles")
})

/**
 * Options: `metadataKey`, the client metadata key holding the allowed roles (default `allowed_roles`).
 *
 * @category models
 * @since 0.1.0
 */
export type Options = v.InferInput<typeof Options>

const decodeOptions = Decode.decodeOnce(Options, "DenyRoles options")

/**
 * The rule.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options = {}) => {
  // Decoded once, on the first login (not at load): bad options are an InvalidData denial on every login.
  const decoded = decodeOptions(options)
  return Rule.make(
    "denyRoles",
    Effect.gen(function*() {
      const { metadataKey } = yield* decoded
      const login = yield* Login
      const raw = Object.hasOwn(login.client.metadata, metadataKey) ? login.client.metadata[metadataKey] : undefined
      const allowed = (raw ?? "").split(",").map((role) => role.trim()).filter((role) => role.length > 0)
      if (allowed.length === 0) return yield* new AllowedRolesMissing({ key: metadataKey })
      const roles = yield* EffectiveRoles
      if (!roles.some((role) => allowed.includes(role))) return yield* new RoleNotAllowed()
    })
  )
}
