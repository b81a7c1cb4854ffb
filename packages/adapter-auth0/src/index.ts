export * as Auth0Event from "./Auth0Event.ts"
export * as PostLogin from "./PostLogin.ts"
export * as PostLoginApi from "./PostLoginApi.ts"
