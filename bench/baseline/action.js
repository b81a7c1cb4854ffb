/**
 * The seed scenario written by hand, as a team would without rulefx: one plain CommonJS Auth0 Action, no
 * dependencies. It is the benchmark's baseline, so its behaviour must be identical to the built
 * examples/seller-login Action; `pnpm bench` checks that on every run before it measures anything.
 *
 * The contract (DESIGN.md, "The seed scenario"), in the order the rulefx Action settles it:
 * - a malformed event denies generically (the checks mirror @rulefx/adapter-auth0's Auth0Event schema);
 * - SELLER_API_URL must be set and be an http(s) URL (checked before any rule runs);
 * - app_metadata.sellerId: absent or null means no seller; a string is trimmed and must be 1 to 256 characters and
 *   not "." or ".."; a safe integer is used as a string; anything else denies generically;
 * - INTERCOM_SECRET must be set (seller or not);
 * - app_metadata.roles: absent or null means ["USER"] (never persisted); an array of strings as is; anything else
 *   denies generically;
 * - client metadata allowed_roles (comma-separated) must name a role, else deny generically; no role of the user
 *   allowed: deny with "Your account is not allowed to use this application.";
 * - the seller: GET {SELLER_API_URL}/seller/{id}, 2 s per attempt, one retry on a timeout, a connection failure or
 *   a 5xx; 404 means no seller; any other failure, a body over 64 kB, not JSON, not {id, email, name} with a valid
 *   email, or a different id, denies generically;
 * - claims: ID token `https://example.com/seller` = {id, email, name} and `https://example.com/seller_email_hash` =
 *   hex HMAC-SHA256(INTERCOM_SECRET, email) for a seller; access token `https://example.com/roles` = the roles;
 * - the whole run has a 5 s deadline; every failure but the role denial gets the generic reason, the detail goes
 *   to the log (one line, at most 256 characters, never a secret, URL or body), and nothing is persisted.
 */
"use strict"

const { createHmac } = require("node:crypto")

const GENERIC = "Login is temporarily unavailable. Please try again later."
const NOT_ALLOWED = "Your account is not allowed to use this application."
const SELLER_CLAIM = "https://example.com/seller"
const HASH_CLAIM = "https://example.com/seller_email_hash"
const ROLES_CLAIM = "https://example.com/roles"
const ATTEMPT_MILLIS = 2000
const DEADLINE_MILLIS = 5000
const MAX_BODY_BYTES = 64 * 1024
// valibot's email(), which the rulefx Action checks the seller's email with.
const EMAIL = /^[\w+-]+(?:\.[\w+-]+)*@[\da-zA-Z]+(?:[.-][\da-zA-Z]+)*\.[a-zA-Z]{2,}$/u

/** A denial: `reason` is what the user sees, `message` what the log gets. */
class Denied extends Error {
  constructor(reason, detail) {
    super(detail)
    this.reason = reason
  }
}

const deny = (detail) => {
  throw new Denied(GENERIC, detail)
}

const log = (user, detail) => {
  const line = `action ERROR${user === undefined ? "" : ` user=${user}`} ${detail}`.replace(/\s+/g, " ")
  // oxlint-disable-next-line no-console
  console.log(line.length > 256 ? `${line.slice(0, 255)}…` : line)
}

// Event checks, as lenient and as strict as rulefx's valibot schema: optional means absent or undefined.
const isObject = (u) => typeof u === "object" && u !== null
const isString = (u) => typeof u === "string"
const isNonEmpty = (u) => isString(u) && u.length > 0
const optional = (u, check) => u === undefined || check(u)
const optionalString = (u) => u === undefined || isString(u)
const isStrings = (u) => {
  if (!Array.isArray(u)) return false
  for (let i = 0; i < u.length; i++) if (!isString(u[i])) return false
  return true
}
const isAnything = () => true

/** A copy of a plain object's own entries, each checked; undefined when it is not one or an entry fails. */
const record = (u, check) => {
  if (!isObject(u) || Array.isArray(u)) return undefined
  const out = {}
  for (const key in u) {
    if (!Object.hasOwn(u, key) || key === "__proto__" || key === "prototype" || key === "constructor") continue
    if (!check(u[key])) return undefined
    out[key] = u[key]
  }
  return out
}

const optionalRecord = (u, check) => (u === undefined ? {} : record(u, check))

const decodeEvent = (event) => {
  if (!isObject(event)) deny("invalid event")
  const { user, client, request } = event
  if (!isObject(user) || !isNonEmpty(user.user_id)) deny("invalid event: user")
  for (const key of ["email", "name", "nickname", "username", "phone_number", "created_at"]) {
    if (!optionalString(user[key])) deny(`invalid event: user.${key}`)
  }
  if (!optional(user.email_verified, (u) => typeof u === "boolean")) deny("invalid event: user.email_verified")
  const appMetadata = optionalRecord(user.app_metadata, isAnything)
  if (appMetadata === undefined || optionalRecord(user.user_metadata, isAnything) === undefined) {
    deny("invalid event: user metadata")
  }
  if (!isObject(client) || !isNonEmpty(client.client_id) || !optionalString(client.name)) {
    deny("invalid event: client")
  }
  const clientMetadata = optionalRecord(client.metadata, isString)
  if (clientMetadata === undefined) deny("invalid event: client.metadata")
  const connection = event.connection
  if (
    !optional(connection, (c) =>
      isObject(c) && optionalString(c.id) && optionalString(c.name) && optionalString(c.strategy))
  ) deny("invalid event: connection")
  if (
    !isObject(request) || !isNonEmpty(request.ip) || !optionalString(request.hostname) ||
    !optionalString(request.user_agent) || optionalRecord(request.query, isAnything) === undefined ||
    !optional(request.geoip, (g) => isObject(g) && optionalString(g.countryCode))
  ) deny("invalid event: request")
  if (
    !optional(event.transaction, (t) =>
      isObject(t) && optionalString(t.protocol) && optional(t.requested_scopes, isStrings)) ||
    !optional(event.authorization, (a) => isObject(a) && optional(a.roles, isStrings)) ||
    !optional(event.stats, (s) =>
      isObject(s) && optional(s.logins_count, (n) => typeof n === "number" && !Number.isNaN(n))) ||
    !optional(event.resource_server, (r) => isObject(r) && optionalString(r.identifier))
  ) deny("invalid event")
  const secrets = optionalRecord(event.secrets, isAnything)
  if (secrets === undefined) deny("invalid event: secrets")
  return { userId: user.user_id, appMetadata, clientMetadata, secrets }
}

const own = (object, key) => (Object.hasOwn(object, key) ? object[key] : undefined)

const secret = (secrets, name) => {
  const value = own(secrets, name)
  if (isNonEmpty(value)) return value
  return deny(`missing secret ${name}`)
}

const decodeSellerId = (raw) => {
  if (raw === undefined || raw === null) return undefined
  if (isString(raw)) {
    const id = raw.trim()
    if (id.length >= 1 && id.length <= 256 && id !== "." && id !== "..") return id
  } else if (Number.isSafeInteger(raw)) {
    return String(raw)
  }
  return deny("invalid app_metadata.sellerId")
}

const networkDetail = (cause) => {
  // fetch wraps the socket error; its code says enough without naming the host.
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause
  const code = inner instanceof Error && "code" in inner ? String(inner.code) : undefined
  return `connection failed${code === undefined ? "" : `: ${code}`}`
}

/**
 * The body as text, or undefined when it is over MAX_BODY_BYTES: read as a stream and cancelled at the cap, so a huge
 * body never sits in memory (the rulefx Action reads it the same way, through core's HttpBody).
 */
const readCapped = async (response) => {
  if (response.body === null) return ""
  const reader = response.body.getReader()
  const chunks = []
  let size = 0
  for (;;) {
    // oxlint-disable-next-line no-await-in-loop -- a stream is read one chunk after another
    const { done, value } = await reader.read()
    if (done) return new TextDecoder().decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size))
    chunks.push(value)
    size += value.length
    if (size > MAX_BODY_BYTES) {
      reader.cancel().catch(() => {})
      return undefined
    }
  }
}

/**
 * One attempt: `{ status, text }` for a 2xx or 404 (`text` undefined when the body is over the cap), `{ error }`
 * otherwise. Aborted by the run's deadline too.
 */
const attempt = async (url, deadline) => {
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, ATTEMPT_MILLIS)
  const onDeadline = () => controller.abort()
  deadline.addEventListener("abort", onDeadline)
  try {
    const response = await fetch(url, {
      signal: controller.signal,
      redirect: "error",
      headers: { accept: "application/json" }
    })
    const text = await readCapped(response)
    const status = response.status
    if (status === 404 || (status >= 200 && status < 300)) return { status, text }
    return { error: { retry: status >= 500, detail: `status ${status}` } }
  } catch (cause) {
    return {
      error: { retry: true, detail: timedOut ? `no answer in ${ATTEMPT_MILLIS} ms` : networkDetail(cause) }
    }
  } finally {
    clearTimeout(timer)
    deadline.removeEventListener("abort", onDeadline)
  }
}

const getSeller = async (baseUrl, id, deadline) => {
  const url = `${baseUrl}/seller/${encodeURIComponent(id)}`
  let answer = await attempt(url, deadline)
  if (answer.error !== undefined && answer.error.retry) answer = await attempt(url, deadline)
  if (answer.error !== undefined) return deny(`seller lookup failed: ${answer.error.detail}`)
  if (answer.status === 404) return undefined
  const text = answer.text
  if (text === undefined) return deny(`seller lookup failed: body is over ${MAX_BODY_BYTES} bytes`)
  let body
  try {
    body = JSON.parse(text)
  } catch {
    return deny("seller lookup failed: body is not JSON")
  }
  if (
    !isObject(body) || !isNonEmpty(body.id) || !isString(body.email) || !EMAIL.test(body.email) ||
    !isString(body.name)
  ) return deny("seller lookup failed: body is not a seller")
  // A seller other than the one asked for would put someone else's data in this user's token.
  if (body.id !== id) return deny("seller lookup failed: body is a different seller")
  return { id: body.id, email: body.email, name: body.name }
}

const decide = async (input, deadline) => {
  const event = decodeEvent(input)
  try {
    const baseUrl = secret(event.secrets, "SELLER_API_URL").replace(/\/+$/, "")
    if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) {
      deny("secret SELLER_API_URL: expected an http(s) URL")
    }
    const sellerId = decodeSellerId(own(event.appMetadata, "sellerId"))
    const key = secret(event.secrets, "INTERCOM_SECRET")
    const rawRoles = own(event.appMetadata, "roles")
    if (rawRoles !== undefined && rawRoles !== null && !isStrings(rawRoles)) deny("invalid app_metadata.roles")
    const roles = rawRoles === undefined || rawRoles === null ? ["USER"] : [...rawRoles]
    const allowed = (own(event.clientMetadata, "allowed_roles") ?? "").split(",").map((role) => role.trim())
      .filter((role) => role.length > 0)
    if (allowed.length === 0) deny("client metadata allowed_roles is missing")
    if (!roles.some((role) => allowed.includes(role))) {
      throw new Denied(NOT_ALLOWED, `role not allowed: ${roles.join(",")}`)
    }
    const seller = sellerId === undefined ? undefined : await getSeller(baseUrl, sellerId, deadline)
    const hash = seller === undefined ? undefined : createHmac("sha256", key).update(seller.email, "utf8").digest("hex")
    return { seller, hash, roles }
  } catch (error) {
    if (error instanceof Denied) error.user = event.userId
    throw error
  }
}

const run = (event) => {
  const deadline = new AbortController()
  let timer
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => {
      deadline.abort()
      reject(new Denied(GENERIC, `deadline of ${DEADLINE_MILLIS} ms exceeded`))
    }, DEADLINE_MILLIS)
  })
  return Promise.race([decide(event, deadline.signal), expired]).finally(() => clearTimeout(timer))
}

exports.onExecutePostLogin = async (event, api) => {
  try {
    let decision
    try {
      decision = await run(event)
    } catch (error) {
      const denied = error instanceof Denied ? error : new Denied(GENERIC, `defect: ${String(error)}`.slice(0, 200))
      log(denied.user, `login denied: ${denied.message}`)
      api.access.deny(denied.reason)
      return
    }
    if (decision.seller !== undefined) {
      api.idToken.setCustomClaim(SELLER_CLAIM, decision.seller)
      api.idToken.setCustomClaim(HASH_CLAIM, decision.hash)
    }
    api.accessToken.setCustomClaim(ROLES_CLAIM, decision.roles)
  } catch (error) {
    // Deny first; if Auth0's own deny throws, so does the handler, and Auth0 fails the login.
    api.access.deny(GENERIC)
    try {
      log(undefined, `handler failed closed: ${String(error instanceof Error ? error.message : error).slice(0, 200)}`)
    } catch {
      // The login is already denied.
    }
  }
}
