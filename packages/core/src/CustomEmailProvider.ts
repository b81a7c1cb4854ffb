/**
 * CustomEmailProvider: the model of an email to deliver through your own provider (Auth0's `custom-email-provider`
 * trigger, v1, handler `onExecuteCustomEmailProvider`).
 *
 * Rules read the `EmailNotification` service and deliver the email through a service of yours. What they may decide
 * is how a failure ends, as custom-phone-provider's rules do (and with the same `DropClass`): a denial made with
 * `DropClass` is `api.notification.drop(reason)` (the email is failed for good: Auth0 logs it and does not send it to
 * the Action again; an address your provider refuses, say); any other denial, a defect or the deadline is
 * `api.notification.retry(reason)`. A failing rule therefore never counts as sent, and the email a user waits for (a
 * verification link, a reset code) gets the retry rather than being lost. How many times Auth0 retries is not
 * documented; rulefx asks for a retry and leaves the count to Auth0.
 *
 * **Where each field comes from.** Auth0's pages "Actions Triggers: custom-email-provider - Event Object" and "- API
 * Object" (auth0.com/docs/customize/email/smtp-email-providers/custom/, the same pages under
 * .../configure-a-custom-email-provider/, and the Japanese copy of the api page):
 * - `event.notification`: `to` (the recipient), `from` and `subject` (listed on the newer pages, absent from an older
 *   copy, so optional here), `html` and `text` (the rendered templates), `locale` (optional, BCP-47), `message_type`
 *   (`verify_email`, `verify_email_by_code`, `reset_email`, `reset_email_by_code`, `welcome_email`,
 *   `verification_code`, `mfa_oob_code`, `enrollment_email`, `blocked_account`, `stolen_credentials`,
 *   `try_provider_configuration_email`, `organization_invitation`).
 * - `event.user`, `event.client` (`client_id`, `name`, `metadata`), `event.connection` (optional: `id`, `name`,
 *   `strategy`, `metadata`), `event.organization` (optional: `id`, `name`, `display_name`, `metadata`),
 *   `event.request` (`hostname`, the originating `ip`), `event.tenant` (`id`), `event.secrets`.
 * - `api.notification.drop(reason?)` and `api.notification.retry(reason?)`: "if several calls are made, only the last
 *   one is considered"; the reason is part of Auth0's log entry. `api.cache.*` as the other triggers'.
 * The text and html are Redacted: they hold the link or code the email carries. Left in `raw` only:
 * `event.custom_domain` and `event.transaction` (the pages disagree on the first's shape; the second is for tracing).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as CustomPhoneProvider from "./CustomPhoneProvider.ts"
import * as Trigger from "./Trigger.ts"

/**
 * The trigger's id.
 *
 * @category models
 * @since 0.1.0
 */
export const id = "custom-email-provider" as const

/**
 * Everything a custom-email-provider rule may read.
 *
 * @category models
 * @since 0.1.0
 */
export interface EmailNotificationInfo {
  readonly notification: {
    /** `verify_email`, `reset_email`, `welcome_email`, `mfa_oob_code`, `organization_invitation`, ... */
    readonly messageType: string
    /** The recipient's address. */
    readonly to: string
    /** The sender's address, when Auth0 gives one. */
    readonly from: string | undefined
    readonly subject: string | undefined
    /** BCP-47, e.g. `en_US`: the locale the templates were rendered in. */
    readonly locale: string | undefined
    /** The rendered HTML template. */
    readonly html: Redacted.Redacted<string>
    /** The rendered text template. */
    readonly text: Redacted.Redacted<string>
  }
  readonly user: { readonly id: string | undefined; readonly email: string | undefined }
  readonly client:
    | { readonly id: string; readonly name: string; readonly metadata: Readonly<Record<string, string>> }
    | undefined
  readonly connection: { readonly id: string; readonly name: string; readonly strategy: string } | undefined
  readonly organization:
    | {
      readonly id: string
      readonly name: string
      readonly displayName: string | undefined
      readonly metadata: Readonly<Record<string, string>>
    }
    | undefined
  readonly request: { readonly ip: string | undefined; readonly hostname: string | undefined }
  readonly tenant: string
  /** The event as it arrived, without its secrets and without `notification` (the texts and their links). */
  readonly raw: Readonly<Record<string, unknown>>
}

/**
 * The email to deliver, as a service.
 *
 * @category services
 * @since 0.1.0
 */
export class EmailNotification extends Context.Service<EmailNotification, EmailNotificationInfo>()(
  "@rulefx/core/CustomEmailProvider/EmailNotification"
) {
  /** Provides the given email; the adapter builds it per event. */
  static readonly layer = (info: EmailNotificationInfo): Layer.Layer<EmailNotification> =>
    Layer.succeed(EmailNotification, info)
}

/**
 * The marker of this trigger's rules.
 *
 * @category services
 * @since 0.1.0
 */
export const On: Context.Key<On, typeof id> = /* @__PURE__ */ Trigger.marker(id)

/**
 * The type of this trigger's marker.
 *
 * @category models
 * @since 0.1.0
 */
export type On = Trigger.On<typeof id>

/**
 * A denial that drops the email for good (`api.notification.drop`): custom-phone-provider's, since both triggers
 * share the api.
 *
 * @category models
 * @since 0.1.0
 */
export type DropDenial = CustomPhoneProvider.DropDenial

/**
 * Makes a denial class whose denials drop the email; its message is the reason. The same as
 * CustomPhoneProvider.DropClass.
 *
 * @category constructors
 * @since 0.1.0
 */
export const DropClass = CustomPhoneProvider.DropClass

/**
 * Tells whether a denial drops the email (made with DropClass) rather than asking for a retry.
 *
 * @category guards
 * @since 0.1.0
 */
export const isDrop = CustomPhoneProvider.isDrop

/**
 * Makes a custom-email-provider rule (see Trigger.makeRule). It has nothing to record.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeRule = /* @__PURE__ */ Trigger.makeRule(id)

/**
 * Makes the custom-email-provider pipeline (see Trigger.makePipeline): every rule must succeed, the email counts as
 * delivered only then.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makePipeline = /* @__PURE__ */ Trigger.makePipeline(id)
