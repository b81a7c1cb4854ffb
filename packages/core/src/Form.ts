/**
 * Form: showing the user a form in the middle of a login (Auth0 Forms, `api.prompt.render`) and reading, typed, what
 * they submitted.
 *
 * A form is declared once, with what it expects back: `Form.make("ConsentForm", { id, fields })` names the form's id
 * and a Standard Schema for the submitted fields. In the first pass a rule calls `ConsentForm.render({ vars })`, a
 * decision that suspends the login after the run. In the continue pass a rule reads `yield* ConsentForm`: a fact
 * whose value is the decoded fields. A continue pass that did not come from this form, or whose fields do not
 * decode, denies the login with the generic reason and logs why: it fails closed. To refuse what a user typed with a
 * message of your own, fail with `Validation.fail(code, message)`.
 *
 * Like a redirect (see Redirect), a form needs a browser and is one suspension: rendering it in a back-channel login
 * fails with Redirect.RedirectImpossible, and a form and a redirect (or two forms) in one pass are a conflict the
 * adapter refuses.
 *
 * @since 0.1.0
 */
import type { StandardSchemaV1 } from "@standard-schema/spec"
import * as Effect from "effect/Effect"
import * as Decision from "./Decision.ts"
import { decode } from "./Decode.ts"
import { Class, genericMessage, type InvalidData } from "./Denial.ts"
import * as Fact from "./Fact.ts"
import { Login } from "./Login.ts"
import { isRedirectable, RedirectImpossible } from "./Redirect.ts"
import { Resumed } from "./Resumed.ts"
import { gate } from "./Rule.ts"

/**
 * The continue pass did not bring this form's submission, or its fields do not decode.
 *
 * @category errors
 * @since 0.1.0
 */
export class SubmissionRejected extends /* @__PURE__ */ Class("SubmissionRejected")<{
  readonly form: string
  readonly problem: string
}> {
  override get message(): string {
    return genericMessage
  }
}

/**
 * What to render the form with: prefilled fields and variables the form can show.
 *
 * @category models
 * @since 0.1.0
 */
export interface RenderOptions {
  readonly fields?: Readonly<Record<string, unknown>>
  readonly vars?: Readonly<Record<string, unknown>>
}

/**
 * A declared form: yielded, the decoded fields the user submitted (continue pass only).
 *
 * @category models
 * @since 0.1.0
 */
export class Form<Name extends string, A> extends Fact.Fact<Name, A, SubmissionRejected, Resumed> {
  /**
   * The form's id (Auth0's `ap_...`).
   *
   * @since 0.1.0
   */
  readonly id: string
  constructor(name: Name, id: string, compute: Effect.Effect<A, SubmissionRejected, Resumed>) {
    super(name, compute)
    this.id = id
  }
  /**
   * Shows the form at the end of this pass; the login resumes with its submission.
   *
   * @since 0.1.0
   */
  render(options: RenderOptions = {}): Effect.Effect<void, RedirectImpossible, Decision.Decisions | Login> {
    return render(this.id, options)
  }
}

const render = Effect.fnUntraced(function*(id: string, options: RenderOptions) {
  const login = yield* Login
  if (!isRedirectable(login)) return yield* new RedirectImpossible({ protocol: login.transaction.protocol })
  yield* Decision.recordKind(Decision.mergeFlow, (draft) => {
    if ((draft.redirect ?? draft.prompt) !== undefined) draft.conflicts = [...(draft.conflicts ?? []), "prompt"]
    draft.prompt = { id, fields: options.fields, vars: options.vars }
  })
})

/**
 * Declares a form: its name (the fact's), its id, and a Standard Schema for the submitted fields.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <const Name extends string, S extends StandardSchemaV1<unknown, object>>(
  name: string extends Name ? "rulefx: a form's name must be a string literal" : Name,
  options: { readonly id: string; readonly fields: S }
): Form<Name, StandardSchemaV1.InferOutput<S>> => {
  const decodeFields = decode(options.fields, `fields of ${name}`)
  const rejected = (problem: string) =>
    Effect.logError(`form submission rejected (${name}): ${problem}`).pipe(
      Effect.andThen(Effect.fail(new SubmissionRejected({ form: name, problem })))
    )
  const compute = Effect.gen(function*() {
    const submission = (yield* Resumed).submission
    if (submission === undefined) return yield* rejected("no form was submitted")
    if (submission.id !== options.id) return yield* rejected(`submitted form is ${JSON.stringify(submission.id)}`)
    return yield* decodeFields(submission.fields).pipe(
      Effect.catch((e: InvalidData) => rejected(`fields do not decode: ${e.issues.join("; ")}`))
    )
  }).pipe(Effect.mapError(gate), Effect.annotateLogs({ fact: name }))
  return new Form(name as Name, options.id, compute)
}
