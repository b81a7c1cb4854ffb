/**
 * The consent page, to try the continue pass with `rulefx run --continue`: reads a first-pass post-login event (a JSON
 * file with the Action's secrets in `secrets`, as `rulefx run` takes it), answers as the page would (accepted, or
 * refused with `refuse`, for the current terms: an HS256 token signed with CONSENT_SECRET, bound to a state), and
 * prints the continue pass's event: the `/continue` POST carrying that state and token, and the terms asked kept in
 * the transaction's metadata, as the first pass left them.
 *
 *   node scripts/answer.ts events/first.json [refuse] > dist/continue.json
 */
import * as Resume from "@rulefx/testing/Resume"
import { readFileSync } from "node:fs"
import { termsVersion } from "../src/consent.ts"

const [file, choice = "accept"] = process.argv.slice(2)
if (file === undefined || (choice !== "accept" && choice !== "refuse")) {
  process.stderr.write("usage: node scripts/answer.ts <first-pass event.json> [accept|refuse]\n")
  process.exit(2)
}
const event = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown> & {
  readonly user?: { readonly user_id?: unknown }
  readonly secrets?: { readonly CONSENT_SECRET?: unknown }
}
const secret = event.secrets?.CONSENT_SECRET
if (typeof secret !== "string") {
  process.stderr.write(`${file}: no secrets.CONSENT_SECRET to sign the answer with\n`)
  process.exit(2)
}
// Auth0 appends its own state to the redirect and expects it back; any value works locally, the same in both places.
const state = "consent-page-state"
const token = Resume.sign(secret, { url: "", query: {}, state, token: undefined }, {
  sub: event.user?.user_id,
  accepted: choice === "accept",
  version: termsVersion
})
const back = Resume.continueEvent(event, { state, token, transactionMetadata: { consent_asked: termsVersion } })
process.stdout.write(`${JSON.stringify(back, null, 2)}\n`)
