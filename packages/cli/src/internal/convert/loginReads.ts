/**
 * The Login fields behind what a legacy rule reads of `user` and `context`: each known chain (`user.email`,
 * `context.clientName`, `context.request.geoip.country_code`) has a typed read of core's Login and a local name the
 * converted rule binds it to. Records (metadata, the query) are read as `Record<string, any>`, so the rule's own code
 * on their values keeps its JavaScript meaning; their keys are read with brackets.
 */

import { protocolRead } from "./passes.ts"

/** A Login read: the expression, the name of its local, its type as written, and whether it is a record of values. */
export interface LoginRead {
  readonly expression: string
  readonly local: string
  readonly type?: string
  readonly record: boolean
  /** The record's key for a legacy key, where the two differ (Rules' snake_case geoip keys). */
  readonly keys?: Readonly<Record<string, string>>
}

const read = (expression: string, local: string, type?: string): LoginRead => ({
  expression,
  local,
  ...(type === undefined ? {} : { type }),
  record: type !== undefined
})

const anyRecord = "Readonly<Record<string, any>>"
const stringRecord = "Readonly<Record<string, string>>"

// Rules' context.authentication: the event's methods, each with its timestamp as epoch milliseconds (RulesContext).
const authentication = `{ methods: ((methods: unknown) => Array.isArray(methods) ? methods.filter((m) => ` +
  `typeof m === "object" && m !== null).map((m) => ({ ...m, name: String(m.name), timestamp: typeof m.timestamp === ` +
  `"number" ? m.timestamp : Date.parse(String(m.timestamp)) })) : [])((login.raw["authentication"] as any)?.["methods"]) }`

const riskAssessment = `((risk: unknown) => typeof risk === "object" && risk !== null ? risk as any : undefined)(` +
  `(login.raw["authentication"] as any)?.["riskAssessment"])`

/** Legacy chains (root and keys joined with dots) and their reads. */
const table: Readonly<Record<string, LoginRead>> = {
  "user.user_id": read("login.user.id", "userId"),
  "user.email": read("login.user.email", "userEmail"),
  "user.email_verified": read("login.user.emailVerified", "userEmailVerified"),
  "user.name": read("login.user.name", "userName"),
  "user.nickname": read("login.user.nickname", "userNickname"),
  "user.username": read("login.user.username", "userUsername"),
  "user.phone_number": read("login.user.phoneNumber", "userPhoneNumber"),
  "user.created_at": read("login.user.createdAt", "userCreatedAt"),
  "user.app_metadata": read("login.user.appMetadata", "appMetadata", anyRecord),
  "user.user_metadata": read("login.user.userMetadata", "userMetadata", anyRecord),
  "context.clientID": read("login.client.id", "clientId"),
  "context.clientName": read("login.client.name", "clientName"),
  "context.clientMetadata": read("login.client.metadata", "clientMetadata", stringRecord),
  "context.connection": read("login.connection.name", "connectionName"),
  "context.connectionID": read("login.connection.id", "connectionId"),
  "context.connectionStrategy": read("login.connection.strategy", "connectionStrategy"),
  "context.protocol": read(protocolRead, "protocol"),
  "context.request.ip": read("login.request.ip", "requestIp"),
  "context.request.hostname": read("login.request.hostname", "requestHostname"),
  "context.request.userAgent": read("login.request.userAgent", "requestUserAgent"),
  "context.request.query": read("login.request.query", "requestQuery", anyRecord),
  "context.request.geoip.country_code": read("login.request.countryCode", "countryCode"),
  "context.stats.loginsCount": read("login.user.loginsCount", "loginsCount"),
  "context.authorization.roles": read("login.user.roles", "roles"),
  "context.authentication": read(authentication, "authentication", anyRecord),
  "context.riskAssessment": read(riskAssessment, "riskAssessment")
}

// Rules' geoip keys were snake_case; the event's are camelCase (RulesContext renames them the same way).
const geoipKeys: Readonly<Record<string, string>> = {
  country_code: "countryCode",
  country_code3: "countryCode3",
  country_name: "countryName",
  city_name: "cityName",
  time_zone: "timeZone",
  continent_code: "continentCode",
  subdivision_code: "subdivisionCode",
  subdivision_name: "subdivisionName"
}

const geoip: LoginRead = {
  ...read(`((login.raw["request"] as any)?.["geoip"] ?? {})`, "geoip", anyRecord),
  keys: geoipKeys
}

// Rules' `user` is the event's user (RulesContext copies it), so a field Login does not decode is the event's own.
export const profile = read(`((login.raw["user"] ?? {}) as ${anyRecord})`, "profile", anyRecord)

// `user.x` where x is one of these is not the event's field as is (RulesContext normalises them), or is a method.
const normalised: ReadonlySet<string> = new Set([
  "app_metadata",
  "user_metadata",
  "user_id",
  "hasOwnProperty",
  "toString",
  "valueOf",
  "constructor",
  "__proto__"
])

/** The read behind the longest known prefix of a chain, with how many keys it takes; undefined when none is known. */
export const lookup = (
  root: "user" | "context",
  keys: ReadonlyArray<string | undefined>
): { readonly read: LoginRead; readonly length: number } | undefined => {
  for (let length = keys.length; length > 0; length--) {
    const prefix = keys.slice(0, length)
    if (prefix.some((key) => key === undefined)) continue
    const found = table[[root, ...prefix].join(".")]
    if (found !== undefined) return { read: found, length }
  }
  if (root === "context" && keys[0] === "request" && keys[1] === "geoip") return { read: geoip, length: 2 }
  // Another field of the profile, read from the event (length 0: the read stands for `user` itself).
  const first = keys[0]
  if (root === "user" && first !== undefined && !normalised.has(first)) {
    return { read: profile, length: 0 }
  }
  return undefined
}

/** The chains this module knows, for the documentation and the CLI's help. */
export const known: ReadonlyArray<string> = Object.keys(table)
