/**
 * The seed scenario as a team would write it: four former Rules as typed rules over two shared facts, built
 * into one Auth0 Action (`pnpm build` writes dist/action.js).
 *
 * Secrets the Action needs: SELLER_API_URL (the seller service's base URL) and INTERCOM_SECRET. The application's
 * client metadata `allowed_roles` lists the roles it admits, comma-separated.
 */
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Pipeline from "@rulefx/core/Pipeline"
import { CurrentSeller } from "@rulefx/rules/CurrentSeller"
import * as DenyRoles from "@rulefx/rules/DenyRoles"
import { EffectiveRoles } from "@rulefx/rules/EffectiveRoles"
import * as HashSellerEmail from "@rulefx/rules/HashSellerEmail"
import { SellerApi } from "@rulefx/rules/SellerApi"
import * as SetRoles from "@rulefx/rules/SetRoles"
import * as SetSeller from "@rulefx/rules/SetSeller"

export const pipeline = Pipeline.make({
  facts: [CurrentSeller, EffectiveRoles],
  rules: [SetSeller.make(), HashSellerEmail.make(), SetRoles.make(), DenyRoles.make()]
})

export const layer = SellerApi.layer

export const onExecutePostLogin = PostLogin.make(pipeline, layer)
