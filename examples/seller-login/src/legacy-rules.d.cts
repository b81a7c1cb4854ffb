import type { LegacyRule } from "@rulefx/legacy-rules/LegacyRule"
/** The legacy rules, in the order they run. */
export declare const rules: ReadonlyArray<LegacyRule>
/** What the rules require, by module name. */
export declare const modules: Readonly<Record<string, unknown>>
