/**
 * The smallest rulefx Action: a pipeline of one trivial rule (one ID-token claim), no facts, no services. The bench
 * bundles it to measure what rulefx itself costs before any user rule: the goal is 40 kB minified.
 */
import * as Layer from "effect/Layer"
import * as PostLogin from "../../packages/adapter-auth0/src/PostLogin.ts"
import * as Decision from "../../packages/core/src/Decision.ts"
import * as Pipeline from "../../packages/core/src/Pipeline.ts"
import * as Rule from "../../packages/core/src/Rule.ts"

export const pipeline = Pipeline.make({
  facts: [],
  rules: [Rule.make("hello", Decision.setIdTokenClaim("https://example.com/hello", "world"))]
})

export const onExecutePostLogin = PostLogin.make(pipeline, Layer.empty)
