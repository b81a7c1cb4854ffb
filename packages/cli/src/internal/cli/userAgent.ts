import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** npm and pnpm say who they are to the commands they start (npx, pnpm dlx, scripts): advice is written for that one. */
export const userAgent: Effect.Effect<string | undefined> = Config.String("npm_config_user_agent").pipe(
  Config.option,
  Effect.map(Option.getOrUndefined),
  Effect.orElseSucceed(() => undefined)
)
