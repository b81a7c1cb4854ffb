/**
 * The local registry's process: verdaccio with the configuration file named by the first argument, listening on
 * 127.0.0.1 on a port the system picks, which it prints as `listening <port>`. Run by Registry.start with the
 * workspace's Node 22 (verdaccio 6.10 needs it).
 */
import { runServer } from "verdaccio"

const app = await runServer(process.argv[2])
const server = app.listen(0, "127.0.0.1", () => {
  const address = server.address()
  process.stdout.write(`listening ${typeof address === "object" && address !== null ? address.port : address}\n`)
})
