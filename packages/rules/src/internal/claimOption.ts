import * as ClaimName from "@rulefx/core/ClaimName"
import * as v from "@rulefx/core/Validator"

const problems: Readonly<Record<ClaimName.Problem, string>> = {
  RestrictedClaim: "a restricted claim name, which the token issuer sets itself",
  IssuerNamespace: "a claim name on the token issuer's own namespace"
}

/**
 * The `claim` option of a rule that sets a claim: a URL (a namespaced claim), not restricted, not on the issuer's
 * namespace (see ClaimName), defaulting to `defaultName`. A bad name fails the option's decoding, so a misconfigured
 * rule is an InvalidData denial on its first run, in its own unit test, instead of a claim Auth0 silently drops.
 */
export const claimOption = (defaultName: string) =>
  v.optional(
    v.pipe(
      v.string(),
      v.url(),
      v.check(
        (name) => ClaimName.check(name) === undefined,
        (issue) => problems[ClaimName.check(String(issue.input)) ?? "RestrictedClaim"]
      )
    ),
    defaultName
  )
