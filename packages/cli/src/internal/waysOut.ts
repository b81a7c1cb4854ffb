/**
 * The ways out of an Action over its size budget, one line each, as `rulefx migrate` (MigrationSize) and `rulefx
 * build` refuse one: kept in one place, so that the advice follows what rulefx offers.
 */

/** `--runtime npm`, for an Action whose code is then `code` (the rules and a small entry, or your code). */
export const runtimeNpm = (code: string): string =>
  "--runtime npm: rulefx's runtime becomes one npm dependency of the Action, which Auth0 does not count " +
  `in the 100 kB; the Action's code is then ${code} (install it first: npm install --save-exact ` +
  "@rulefx/action-runtime; rulefx deploy and rulefx export declare it)"

/** `--external`, for packages that `who` require (the rules, your code). */
export const external = (who: string): string =>
  `--external <package>: a package ${who} left out of the file and declared as the ` +
  "Action's npm dependency (at most 10), instead of being bundled"
