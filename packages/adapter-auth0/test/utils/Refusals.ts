/**
 * Checks shared by the ServiceLayer breakers: a layer that provides what only the adapter may (Resumed) fails every
 * login closed, before any rule.
 *
 * @since 0.1.0
 */
import { assert } from "@effect/vitest"
import type * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import { genericMessage } from "@rulefx/core/Denial"
import type * as RecordingApi from "@rulefx/testing/RecordingApi"

/**
 * What one login through a handler did: its api calls and the rulefx lines it logged.
 *
 * @since 0.1.0
 */
export interface Ran {
  readonly calls: ReadonlyArray<RecordingApi.Call>
  readonly lines: ReadonlyArray<string>
}

/**
 * Asserts the login was denied with the generic reason and nothing else was called.
 *
 * @since 0.1.0
 */
export const deniedClosed = (result: Ran): void => {
  assert.deepStrictEqual(result.calls, [{ method: "access.deny", args: [genericMessage] }], result.lines.join("\n"))
}

/**
 * Runs one login through each handler, one after another (the log capture is global), and asserts each was denied
 * closed, its log naming the forged Resumed.
 *
 * @since 0.1.0
 */
export const assertResumedRefused = async (
  handlers: ReadonlyArray<PostLogin.Handler>,
  login: (handler: PostLogin.Handler) => Promise<Ran>
): Promise<void> => {
  const results = await handlers.reduce<Promise<Array<Ran>>>(
    (done, handler) => done.then(async (all) => [...all, await login(handler)]),
    Promise.resolve([])
  )
  for (const result of results) {
    deniedClosed(result)
    assert.isTrue(result.lines.some((l) => l.includes("must not provide Resumed")), result.lines.join("\n"))
  }
}
