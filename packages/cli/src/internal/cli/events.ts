import { Command, Flag } from "effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as GeneratedEvents from "../../GeneratedEvents.ts"
import * as TenantEvents from "../../TenantEvents.ts"
import { baseUrl, credentials } from "./deploy.ts"
import { CommandFailed, invalidOption } from "./errors.ts"

const failed = (e: { readonly message: string }) => new CommandFailed({ reason: e.message })

const maxGenerated = 10_000

const fromTenant = Effect.fnUntraced(function*(
  out: string,
  users: number,
  clients: ReadonlyArray<string>,
  seed: number,
  access: { readonly roles: boolean; readonly factors: boolean }
) {
  const given = yield* credentials
  const base = yield* baseUrl
  const made = yield* TenantEvents.read({
    credentials: given,
    users,
    seed,
    roles: access.roles,
    factors: access.factors,
    ...(clients.length === 0 ? {} : { clients }),
    ...(base === undefined ? {} : { baseUrl: base }),
    onProgress: (line) => process.stderr.write(`${line}\n`)
  }).pipe(Effect.mapError(failed))
  const file = yield* TenantEvents.write(out, made.events).pipe(Effect.mapError(failed))
  for (const note of made.notes) yield* Console.log(`note: ${note}`)
  for (const warning of made.warnings) yield* Console.error(`warning: ${warning}`)
  yield* Console.log(
    `wrote ${file}: ${made.events.length} events, ${made.users} of ${made.usersInTenant} users x ` +
      `${made.clients.length} application${made.clients.length === 1 ? "" : "s"} (seed ${seed}); it holds the ` +
      "tenant's user data: keep it out of version control"
  )
})

const generated = Effect.fnUntraced(function*(out: string, count: number, seed: number, rules: Option.Option<string>) {
  if (!Number.isInteger(count) || count < 1 || count > maxGenerated) {
    return yield* invalidOption(`--generate takes 1 to ${maxGenerated} events, not ${count}`)
  }
  const reads = Option.isSome(rules)
    ? yield* GeneratedEvents.fromRules(rules.value).pipe(Effect.mapError(failed))
    : undefined
  const set = GeneratedEvents.generate({ count, seed, ...(reads === undefined ? {} : { reads }) })
  const file = yield* TenantEvents.write(out, set.events).pipe(Effect.mapError(failed))
  yield* Console.log(`wrote ${file}: ${set.events.length} events (seed ${seed})`)
  yield* Console.log(`varies: ${set.covered.join(", ")}`)
  if (set.notVaried.length > 0) {
    yield* Console.log(`read by the rules, left at the default: ${set.notVaried.join(", ")}`)
  }
  if (set.writtenEarlier.length > 0) {
    const written = set.writtenEarlier.map(({ path, rule }) => `${path} (by ${rule})`).join(", ")
    yield* Console.log(`read after an earlier rule writes it, not an input: ${written}`)
  }
})

export const events = Command.make(
  "events",
  {
    fromTenant: Flag.Boolean("from-tenant").pipe(
      Flag.withDescription(
        "Read users (sampled), applications and connections through the Management API (credentials from " +
          "AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET; scopes read:users, read:clients, read:connections, " +
          "read:roles, read:authentication_methods) and write one event per (user, application)"
      ),
      Flag.withDefault(false)
    ),
    generate: Flag.Int("generate").pipe(
      Flag.withDescription("Write this many seeded synthetic events instead"),
      Flag.optional
    ),
    out: Flag.String("out").pipe(Flag.withDescription("The folder to write events.jsonl into (created if absent)")),
    users: Flag.Int("users").pipe(
      Flag.withDescription("How many users to sample (--from-tenant; default 10)"),
      Flag.withDefault(10)
    ),
    clients: Flag.String("clients").pipe(
      Flag.withDescription(
        "Only these applications, as client ids separated by commas (--from-tenant; default every application " +
          "users log in to)"
      ),
      Flag.optional
    ),
    seed: Flag.Int("seed").pipe(
      Flag.withDescription("Which users are sampled, or which events generated (default 1)"),
      Flag.withDefault(1)
    ),
    roles: Flag.Boolean("roles").pipe(
      Flag.withDescription(
        "Read each user's roles into event.authorization.roles (--from-tenant; --no-roles leaves them out, for a " +
          "token without read:roles)"
      ),
      Flag.withDefault(true)
    ),
    factors: Flag.Boolean("factors").pipe(
      Flag.withDescription(
        "Read each user's authentication methods into event.user.enrolledFactors (--from-tenant; --no-factors " +
          "leaves them out, for a token without read:authentication_methods)"
      ),
      Flag.withDefault(true)
    ),
    rules: Flag.String("rules").pipe(
      Flag.withDescription(
        "A deploy-cli export of legacy Rules (--generate): vary the fields they read, with the values they compare"
      ),
      Flag.optional
    )
  },
  Effect.fnUntraced(function*({ clients, factors, fromTenant: tenant, generate, out, roles, rules, seed, users }) {
    if (tenant === Option.isSome(generate)) {
      return yield* invalidOption("give either --from-tenant or --generate <n>")
    }
    if (Option.isSome(generate)) return yield* generated(out, generate.value, seed, rules)
    if (Option.isSome(rules)) {
      return yield* invalidOption("--rules goes with --generate (events from a tenant are its own)")
    }
    const ids = Option.isSome(clients) ? clients.value.split(",").map((id) => id.trim()).filter((id) => id !== "") : []
    return yield* fromTenant(out, users, ids, seed, { roles, factors })
  })
).pipe(
  Command.withDescription(
    "Write post-login events for rulefx diff: from the tenant's users and applications, or generated from a seed"
  )
)
