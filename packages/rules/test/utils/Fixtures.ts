/**
 * Shared fixtures for the rules tests: a seller, a secret, logins and a leak check.
 *
 * @since 0.1.0
 */
import { assert } from "@effect/vitest"
import * as Login from "@rulefx/core/Login"
import type { Seller } from "@rulefx/rules/SellerApi"
import type * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"

/**
 * The seller most tests use.
 *
 * @since 0.1.0
 */
export const ada: Seller = { id: "seller-1", email: "ada@shop.example", name: "Ada's Shop" }

/**
 * The value of INTERCOM_SECRET in tests; long and distinctive, so a leak check cannot match by accident.
 *
 * @since 0.1.0
 */
export const intercomSecret = "intercom-test-secret-7d3f9a1c"

/**
 * A login whose user has `appMetadata` and whose application has `clientMetadata`.
 *
 * @since 0.1.0
 */
export const login = (
  options: {
    readonly appMetadata?: Readonly<Record<string, unknown>>
    readonly clientMetadata?: Readonly<Record<string, string>>
  } = {}
): Layer.Layer<Login.Login> =>
  Login.Login.layer(
    Login.make({ user: { appMetadata: options.appMetadata ?? {} }, client: { metadata: options.clientMetadata ?? {} } })
  )

/**
 * Asserts that `text` contains none of `needles`.
 *
 * @since 0.1.0
 */
export const assertLeaksNothing = (text: string, needles: ReadonlyArray<string>): void => {
  for (const needle of needles) assert.notInclude(text, needle, `leaked ${JSON.stringify(needle)}`)
}

/**
 * A logger layer that replaces the default loggers and appends each message, as text, to `lines`.
 *
 * @since 0.1.0
 */
export const collectLogs = (lines: Array<string>): Layer.Layer<never> =>
  Logger.layer([
    Logger.make((options) => {
      const parts: ReadonlyArray<unknown> = Array.isArray(options.message) ? options.message : [options.message]
      lines.push(parts.map(String).join(" "))
    })
  ])
