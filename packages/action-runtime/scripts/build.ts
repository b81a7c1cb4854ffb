/**
 * `pnpm --filter @rulefx/action-runtime build` (and `pnpm build:packages`): builds dist/ (see Runtime.ts).
 */
import * as Runtime from "./Runtime.ts"

const built = await Runtime.build()
process.stdout.write(
  `${built.folder}/index.cjs: ${built.bytes} bytes, ${built.manifest.modules.length} modules; lean.cjs: ` +
    `${built.leanBytes} bytes, ${built.manifest.lean.length} modules; post-login.cjs: ${built.postLoginBytes} bytes, ` +
    `${built.manifest.postLogin.length} modules (${built.manifest.name}@${built.manifest.version})\n`
)
