/**
 * The length of a string in UTF-8 bytes, the unit of Auth0's size limits. Node's own count: no encoded copy (a
 * TextEncoder copy made Auth0Limits.check about twice as slow); a lone surrogate counts 3 bytes, as its encoding.
 */
export const byteLength = (text: string): number => Buffer.byteLength(text, "utf8")
