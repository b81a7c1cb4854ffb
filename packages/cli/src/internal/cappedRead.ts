/**
 * Reads a stream into memory up to a number of bytes, and no further: what a size the source declares (a file's
 * size, a content-length) cannot promise, since a pipe declares none and a source may send more than it declared.
 */

/**
 * The stream's bytes, or `undefined` once they go past `limit` bytes: then the stream is cancelled and read no further.
 */
export const readUpTo = (
  body: ReadableStream<Uint8Array>,
  limit: number
): Promise<Uint8Array<ArrayBuffer> | undefined> => {
  const reader = body.getReader()
  const chunks: Array<Uint8Array> = []
  let size = 0
  const next = (): Promise<Uint8Array<ArrayBuffer> | undefined> =>
    reader.read().then(({ done, value }) => {
      if (done) return Buffer.concat(chunks)
      size += value.byteLength
      if (size > limit) return reader.cancel().then(() => undefined)
      chunks.push(value)
      return next()
    })
  return next()
}
