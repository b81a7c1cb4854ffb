/**
 * The M2M Action (trigger credentials-exchange): scopes and claims by client metadata. The bundle entry:
 * `rulefx build src/action.ts` writes the one file to upload.
 */
import * as CredentialsExchange from "@rulefx/adapter-auth0/CredentialsExchange"
import * as Exchange from "@rulefx/core/CredentialsExchange"
import * as Layer from "effect/Layer"
import { ClientPolicy } from "./policy.ts"
import { allowedScopes, tierClaims } from "./rules.ts"

export const pipeline = Exchange.makePipeline({ facts: [ClientPolicy], rules: [allowedScopes, tierClaims] })

export const onExecuteCredentialsExchange = CredentialsExchange.make(pipeline, Layer.empty)
