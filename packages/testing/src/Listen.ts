/**
 * Listen: starts a test's HTTP server on 127.0.0.1 on a free port, so that no test reaches outside the machine.
 *
 * @since 0.1.0
 */
import type { Server } from "node:http"
import type { AddressInfo, Socket } from "node:net"

/**
 * A listening server: its base URL, and `close`, which destroys open sockets first, so a server that leaves a request
 * hanging (on purpose) still closes at once.
 *
 * @category models
 * @since 0.1.0
 */
export interface Listening {
  readonly url: string
  readonly close: () => Promise<void>
}

/**
 * Starts `server` on 127.0.0.1 on a free port. `backlog` raises the queue of pending connections, for tests that
 * open many at once.
 *
 * @category constructors
 * @since 0.1.0
 */
export const listen = (server: Server, options: { readonly backlog?: number } = {}): Promise<Listening> => {
  const sockets = new Set<Socket>()
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen({
      port: 0,
      host: "127.0.0.1",
      ...(options.backlog === undefined ? {} : { backlog: options.backlog })
    }, () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          })
      })
    })
  })
}
