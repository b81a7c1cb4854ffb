import type { Server } from "node:http"
import type { AddressInfo, Socket } from "node:net"

/**
 * Starts `server` on 127.0.0.1 on a free port. `close` destroys open sockets first, so a server that leaves a
 * request hanging (on purpose) still closes at once.
 */
export const listen = (server: Server): Promise<{ readonly url: string; readonly close: () => Promise<void> }> => {
  const sockets = new Set<Socket>()
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
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
