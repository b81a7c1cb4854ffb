/**
 * The warning `rulefx deploy` and `rulefx export` give when the Action will have no secrets at all. A typed rule reads
 * its secrets by name at run time (`Secrets.get`, a service layer's URL secret), which the built file does not list,
 * so without any the Action may deny every login that reaches such a rule: say so before it is in the flow. Legacy
 * rules' settings are known from the file and have their own warning (GeneratedSource.settingsMissingWarning), so this
 * one is for when that one says nothing.
 */
import * as GeneratedSource from "../GeneratedSource.ts"

export const noSecretsWarning = (
  code: string,
  secrets: ReadonlyArray<string>,
  wording: { readonly lacking: string; readonly send: string; readonly fileNote: string }
): ReadonlyArray<string> =>
  secrets.length > 0 || GeneratedSource.settingsIn(code).length > 0 ? [] : [
    `${wording.lacking} a rule that reads one (\`Secrets.get\`, a service's URL secret) denies every login that ` +
    `reaches it. ${wording.send} them with --secrets-file <file> (the file rulefx run --secrets reads${wording.fileNote}) ` +
    "or --secret NAME; an Action that reads no secret needs none"
  ]
