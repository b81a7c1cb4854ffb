// What every blocking handler (post-login's and the other triggers') does when anything threw, and what handlers read
// of the raw event outside a run (the user id their lines name, the transaction metadata the limits count from).
// Shared so that the one path a login takes when all else failed is written, and hardened, once.
import { describe } from "@rulefx/core/Denial"
import { printLine } from "./logger.ts"

/** The part of a blocking trigger's `api` the last resort needs. */
export interface CanDeny {
  readonly access: { readonly deny: (...args: Array<never>) => unknown }
}

/**
 * Denies closed through `denyClosed` (when the api has a callable deny), then logs what threw. A deny that throws
 * itself throws here, so the handler rejects: Auth0 fails a request whose handler rejects, where resolving would let
 * it through. A console that throws changes nothing: the request is already denied.
 */
export const lastResort = <A extends CanDeny>(api: A, error: unknown, denyClosed: (api: A) => void): void => {
  let canDeny = false
  try {
    canDeny = typeof api.access.deny === "function"
  } catch {
    // A malformed api: null, or no `access`.
  }
  if (canDeny) denyClosed(api)
  try {
    printLine(
      `rulefx ERROR handler failed closed${canDeny ? "" : " (api cannot deny)"}: ${
        String(error instanceof Error ? error.message : describe(error)).slice(0, 200)
      }`
    )
  } catch {
    // Nothing left to tell.
  }
}

/**
 * The user id of an event, when it has one, for lines written outside a run. Never throws: an event whose getter
 * throws (a Proxy, say) has none here, and fails in the run's decode, where the trigger's failure path handles it.
 */
export const userIdOf = (event: unknown): unknown => {
  try {
    return (event as { readonly user?: { readonly user_id?: unknown } } | undefined)?.user?.user_id
  } catch {
    // None to tell.
  }
}

/**
 * The transaction metadata a login or a token exchange arrived with (early access), as the event holds it: what
 * Auth0Flow.checkTransactionMetadata counts the writes over (16 KB in all), taking anything but an object for none.
 * One reader for post-login and custom-token-exchange, so both count from the same thing.
 */
export const transactionMetadataOf = (event: unknown): unknown =>
  (event as { readonly transaction?: { readonly metadata?: unknown } } | null | undefined)?.transaction?.metadata
