export * as Listen from "./Listen.ts"
export * as ManagementServer from "./ManagementServer.ts"
export * as SellerServer from "./SellerServer.ts"
