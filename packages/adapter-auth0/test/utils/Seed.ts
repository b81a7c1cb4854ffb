/**
 * The seed scenario as the adapter tests run it: the same composition as examples/seller-login/src/action.ts, with
 * the in-memory SellerApi in place of the fetch-based one.
 *
 * @since 0.1.0
 */
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Pipeline from "@rulefx/core/Pipeline"
import { Crypto } from "@rulefx/rules/Crypto"
import { CurrentSeller } from "@rulefx/rules/CurrentSeller"
import * as DenyRoles from "@rulefx/rules/DenyRoles"
import { EffectiveRoles } from "@rulefx/rules/EffectiveRoles"
import * as HashSellerEmail from "@rulefx/rules/HashSellerEmail"
import { type Seller, SellerApi, SellerApiError } from "@rulefx/rules/SellerApi"
import * as SetRoles from "@rulefx/rules/SetRoles"
import * as SetSeller from "@rulefx/rules/SetSeller"
import * as Layer from "effect/Layer"

/**
 * The claims the seed rules set.
 *
 * @since 0.1.0
 */
export const claims = {
  seller: "https://example.com/seller",
  sellerEmailHash: "https://example.com/seller_email_hash",
  roles: "https://example.com/roles"
} as const

/**
 * The seller most tests use.
 *
 * @since 0.1.0
 */
export const ada: Seller = { id: "seller-1", email: "ada@shop.example", name: "Ada's Shop" }

/**
 * The sellers of the in-memory SellerApi: a few good ones and one whose lookup fails.
 *
 * @since 0.1.0
 */
export const sellers: Readonly<Record<string, Seller | SellerApiError>> = {
  "seller-1": ada,
  "seller-2": { id: "seller-2", email: "bob@shop.example", name: "Bob's Bikes" },
  "42": { id: "42", email: "num@shop.example", name: "Numbered" },
  "seller-500": new SellerApiError({ reason: "Status", status: 500, detail: "status 500" })
}

/**
 * The seed pipeline.
 *
 * @since 0.1.0
 */
export const pipeline = Pipeline.make({
  facts: [CurrentSeller, EffectiveRoles],
  rules: [SetSeller.make(), HashSellerEmail.make(), SetRoles.make(), DenyRoles.make()]
})

/**
 * The seed services with the in-memory SellerApi.
 *
 * @since 0.1.0
 */
export const layer = Layer.mergeAll(SellerApi.layerTest(sellers), Crypto.layer)

/**
 * The seed handler over the in-memory SellerApi.
 *
 * @since 0.1.0
 */
export const handler = PostLogin.make(pipeline, layer)
