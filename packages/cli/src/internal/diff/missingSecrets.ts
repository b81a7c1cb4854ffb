/**
 * The secrets a run stopped for: a rulefx Action (typed or migrated) that reads a secret the run was not given logs
 * `missing secret <NAME>` at ERROR (core's Secrets, legacy-rules' settings) and denies with the generic reason. When
 * both Actions of an event stop that way, `rulefx diff` compared two misconfigurations, not the logins: the report
 * says so, naming the secrets (a forgotten `--secrets <file>` would otherwise pass as "same"). An Action that reads
 * `event.secrets` itself and logs nothing is not seen.
 */
import * as Resume from "../resume.ts"

// The line core's Secrets and legacy-rules log: the level, the annotations, then the message, last on the line.
const logged = /\bERROR\b.*\bmissing secret (\S+)\s*$/

/**
 * The secrets a run's log lines say were missing, in the order first logged, once each: none when the login went on
 * (`allowed`, `done`), since a rule that caught the failure decided the login on its merits.
 */
export const of = (outcome: string, logs: ReadonlyArray<string>): ReadonlyArray<string> =>
  Resume.goesOn(outcome)
    ? []
    : [
      ...new Set(logs.flatMap((line) => {
        const found = logged.exec(line)
        return found === null ? [] : [found[1]!]
      }))
    ]
