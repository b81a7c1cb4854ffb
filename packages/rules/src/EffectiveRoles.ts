/**
 * EffectiveRoles: the roles rules decide by, `app_metadata.roles` or the fallback `["USER"]`.
 *
 * Absent or null roles get the fallback. The fallback is computed, shared with every rule that reads the fact, and never written to the profile (under
 * Rules it lived on the mutable `user`). Roles that are present but not an array of strings are an InvalidData
 * denial, not a silent fallback: a malformed profile must not quietly get a default role.
 *
 * @since 0.1.0
 */
import * as Decode from "@rulefx/core/Decode"
import * as Fact from "@rulefx/core/Fact"
import { Login } from "@rulefx/core/Login"
import * as v from "@rulefx/core/Validator"
import * as Effect from "effect/Effect"

/**
 * The role a user without roles gets.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fallback: ReadonlyArray<string> = ["USER"]

const decodeRoles = Decode.decodeNow(v.nullish(v.array(v.string())), "app_metadata.roles")

/**
 * The fact.
 *
 * @category constructors
 * @since 0.1.0
 */
export const EffectiveRoles = Fact.make(
  "EffectiveRoles",
  Effect.gen(function*() {
    const login = yield* Login
    const roles = yield* decodeRoles(login.user.appMetadata["roles"])
    return roles ?? [...fallback]
  })
)
