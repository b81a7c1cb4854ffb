export * as SellerServer from "./SellerServer.ts"
