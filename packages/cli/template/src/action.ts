/**
 * The Action's entry: `rulefx build src/action.ts -o dist/action.js` bundles this file, and everything it imports,
 * into the one CommonJS file Auth0 runs. Auth0 calls `onExecutePostLogin` after every login.
 */
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import { layer, pipeline } from "./pipeline.ts"

export const onExecutePostLogin = PostLogin.make(pipeline, layer)
