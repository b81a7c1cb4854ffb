/**
 * Hmac: HMAC-SHA256 as lowercase hex, computed with Node's crypto, for tests that check a hash an Action put in a
 * claim (the seed's seller email hash) without going through the code under test.
 *
 * @since 0.1.0
 */
import { createHmac } from "node:crypto"

/**
 * The hex HMAC-SHA256 of `message` (UTF-8) under `secret`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const hex = (secret: string, message: string): string =>
  createHmac("sha256", secret).update(message, "utf8").digest("hex")
