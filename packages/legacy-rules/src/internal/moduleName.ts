/**
 * A module name without a pinned version, as Rules' `require("name@version")` took it: `lodash@4.17.21` is
 * `lodash`, `@scope/pkg@1.0.0` is `@scope/pkg`, `lodash@4.17.21/fp` is `lodash/fp`. The analysis names modules with
 * it and the Action looks them up with it, so both agree.
 */
export const moduleName = (specifier: string): string => {
  const match = /^(@[^/@]+\/[^/@]+|[^/@]+)@[^/]*(\/.*)?$/.exec(specifier)
  return match === null ? specifier : `${match[1]}${match[2] ?? ""}`
}
