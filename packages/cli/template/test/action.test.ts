/**
 * The Action as Auth0 calls it: `onExecutePostLogin(event, api)` with a post-login event from @rulefx/testing's
 * Events and a RecordingApi that records every call. The sample events in events/ are checked here too, so that what
 * `npm run run` shows stays what this project does.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Events from "@rulefx/testing/Events"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import { readFileSync } from "node:fs"
import { onExecutePostLogin } from "../src/action.ts"
import { claim } from "../src/rules/SetPlanClaim.ts"

const login = async (event: Record<string, unknown>) => {
  const api = RecordingApi.make()
  await onExecutePostLogin(event, api)
  return api
}

const sample = (name: string) =>
  JSON.parse(readFileSync(new URL(`../events/${name}.json`, import.meta.url), "utf8")) as Record<string, unknown>

describe("onExecutePostLogin", () => {
  it("a pro user on a pro application: allowed, with the plan claim", async () => {
    const api = await login(Events.postLogin({
      user: { app_metadata: { plan: "pro" } },
      client: { metadata: { required_plan: "pro" } }
    }))
    assert.deepStrictEqual(api.calls, [{ method: "idToken.setCustomClaim", args: [claim, "pro"] }])
  })

  it("a free user on a pro application: denied with PlanTooLow's message, and no claim", async () => {
    const api = await login(Events.postLogin({ client: { metadata: { required_plan: "pro" } } }))
    assert.deepStrictEqual(api.calls, [{ method: "access.deny", args: ["This application needs the pro plan."] }])
  })

  it("a malformed event: denied with a generic reason, never an error thrown at Auth0", async () => {
    const api = await login({ user: "not a user" })
    assert.strictEqual(api.summary().denied, "Login is temporarily unavailable. Please try again later.")
  })

  it("the sample events: events/allowed.json is allowed, events/denied.json is denied", async () => {
    assert.isUndefined((await login(sample("allowed"))).summary().denied)
    assert.strictEqual((await login(sample("denied"))).summary().denied, "This application needs the enterprise plan.")
  })
})
