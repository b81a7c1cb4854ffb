/**
 * CurrentSeller: the seller of the user logging in, fetched once per login and shared by every rule that reads it.
 *
 * The seller id is `app_metadata.sellerId` (a non-empty string or an integer). No id (absent or null), or a 404 from the seller
 * API, is `Option.none()`: the user is not a seller and the login goes on. Any other failure of the seller API
 * is a SellerUnavailable denial: the rules after it cannot be trusted without the seller, so the login fails
 * closed, with a message that names nothing internal; the detail goes to the log.
 *
 * @since 0.1.0
 */
import * as Decode from "@rulefx/core/Decode"
import * as Denial from "@rulefx/core/Denial"
import * as Fact from "@rulefx/core/Fact"
import { Login } from "@rulefx/core/Login"
import * as v from "@rulefx/core/Validator"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { SellerApi } from "./SellerApi.ts"

/**
 * The seller API could not answer for this seller.
 *
 * @category errors
 * @since 0.1.0
 */
export class SellerUnavailable extends /* @__PURE__ */ Denial.Class("SellerUnavailable")<{
  readonly reason: "Status" | "Timeout" | "Network" | "Body"
}> {
  override get message(): string {
    return Denial.genericMessage
  }
}

const SellerId = v.nullish(
  v.union([
    // "." and ".." would be resolved as path segments by fetch and leave /seller/.
    v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(256), v.check((id) => id !== "." && id !== "..")),
    v.pipe(v.number(), v.safeInteger(), v.transform(String))
  ])
)

const decodeSellerId = Decode.decodeNow(SellerId, "app_metadata.sellerId")

/**
 * The fact.
 *
 * @category constructors
 * @since 0.1.0
 */
export const CurrentSeller = Fact.make(
  "CurrentSeller",
  Effect.gen(function*() {
    const login = yield* Login
    const sellerId = yield* decodeSellerId(login.user.appMetadata["sellerId"])
    if (sellerId === undefined || sellerId === null) return Option.none()
    const api = yield* SellerApi
    // getSeller fails with SellerApiError only: Effect.catch says as much as catchTag, which adds 300 bytes to the Action.
    return yield* api.getSeller(sellerId).pipe(
      Effect.catch((error) =>
        Effect.logError(`seller lookup failed: ${error.detail}`).pipe(
          Effect.andThen(Effect.fail(new SellerUnavailable({ reason: error.reason })))
        )
      )
    )
  })
)
