/**
 * The consent example's Action: both handlers from the two passes in consent.ts (`pnpm build` writes
 * dist/action.js). Secrets: CONSENT_SECRET (at least 32 bytes) and CONSENT_URL.
 */
import * as Resumable from "@rulefx/adapter-auth0/Resumable"
import * as Layer from "effect/Layer"
import { execute, resume } from "./consent.ts"

export const { onContinuePostLogin, onExecutePostLogin } = Resumable.make({ execute, resume, layer: Layer.empty })
