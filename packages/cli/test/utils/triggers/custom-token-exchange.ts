// A custom-token-exchange Action: a legacy token "legacy.<user>.signed" is exchanged for the user in a database
// connection (created if new); anything else is an invalid subject token; a blocked user is denied with a code.
import * as CustomTokenExchange from "@rulefx/adapter-auth0/CustomTokenExchange"
import * as Exchange from "@rulefx/core/CustomTokenExchange"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

class BadToken extends Exchange.InvalidSubjectTokenClass("BadToken") {
  override get message() {
    return "The subject token is not a legacy token."
  }
}

class Blocked extends Exchange.DenialClass("Blocked", "access_denied")<{ readonly user: string }> {
  override get message() {
    return "This user may not exchange tokens."
  }
}

const exchange = Exchange.makeRule(
  "exchange",
  Effect.gen(function*() {
    const { subjectToken } = yield* Exchange.TokenExchange
    const [kind, user, signature] = Redacted.value(subjectToken).split(".")
    if (kind !== "legacy" || user === undefined || signature !== "signed") return yield* new BadToken()
    if (user === "mallory") return yield* new Blocked({ user })
    yield* Exchange.setUserByConnection("Legacy-Users", { user_id: user, email: `${user}@example.com` }, {
      creationBehavior: "create_if_not_exists",
      updateBehavior: "none"
    })
    yield* Exchange.setAppMetadata("migrated_from", "legacy")
  })
)

export const onExecuteCustomTokenExchange = CustomTokenExchange.make(
  Exchange.makePipeline({ facts: [], rules: [exchange] }),
  Layer.empty
)
