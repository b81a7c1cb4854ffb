/**
 * LegacyRules: a folder of legacy Auth0 Rules as auth0-deploy-cli exports it, written into the project `rulefx init`
 * made, for `rulefx migrate`: one rule requires `netmask` (an npm package the user installs in the project), the other
 * `request` (rulefx's shim, from the installed @rulefx/legacy-rules).
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"

const writeFile = (folder: string, file: string, text: string) => {
  mkdirSync(dirname(join(folder, file)), { recursive: true })
  writeFileSync(join(folder, file), text)
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`

const officeClaim = `/**
 * Tell the application whether the login comes from the office network.
 */
function (user, context, callback) {
  var Netmask = require('netmask').Netmask;
  var office = new Netmask(configuration.OFFICE_CIDR);
  context.idToken['https://example.com/in_office'] = office.contains(context.request.ip);
  callback(null, user, context);
}
`

const crmId = `/**
 * Look the user up in the CRM and put its id in the access token; no CRM, no login.
 */
function (user, context, callback) {
  var request = require('request');
  request.post({ url: configuration.CRM_URL, json: { user_id: user.user_id }, timeout: 2000 }, function (err, response, body) {
    if (err || response.statusCode !== 200) {
      return callback(new UnauthorizedError('The CRM is not available, try again later.'));
    }
    context.accessToken['https://example.com/crm_id'] = body.id;
    callback(null, user, context);
  });
}
`

/**
 * Adds `rules/` (auth0-deploy-cli's layout) with two legacy Rules: one requires `netmask` from the project, the
 * other `request` (rulefx's shim, from the installed @rulefx/legacy-rules) and posts to the secret `CRM_URL`.
 * Returns the folder, relative to the project.
 */
export const write = (folder: string): string => {
  writeFile(folder, "rules/office-claim.js", officeClaim)
  writeFile(
    folder,
    "rules/office-claim.json",
    json({ name: "office-claim", script: "./office-claim.js", stage: "login_success", enabled: true, order: 1 })
  )
  writeFile(folder, "rules/crm-id.js", crmId)
  writeFile(
    folder,
    "rules/crm-id.json",
    json({ name: "crm-id", script: "./crm-id.js", stage: "login_success", enabled: true, order: 2 })
  )
  return "rules"
}
