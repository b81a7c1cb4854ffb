/** The length of a string in UTF-8 bytes, the unit of Auth0's size limits. */
export const byteLength = (text: string): number => new TextEncoder().encode(text).byteLength
