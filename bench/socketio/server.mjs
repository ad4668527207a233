// The Socket.IO 4 baseline: what a Node team would build instead of SessionRoom's hub. No auth, no
// storage. A client says its role in the handshake query (?role=participant|observer|facilitator)
// and joins the "room" (participants) or "backroom" (everyone else) room. "send" numbers the
// message, broadcasts it as "event" to the rooms of its audience and acknowledges {seq}.
// GET /healthz answers 200, for the load generator's responsiveness probe.
// Usage: node server.mjs --port 5099
import { createServer } from "node:http";
import { Server } from "socket.io";

const portArg = process.argv.indexOf("--port");
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 5099;

const http = createServer((req, res) => {
  if (req.url === "/healthz") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("Healthy");
    return;
  }
  res.writeHead(404);
  res.end();
});

// Defaults except the transport: the generator connects over WebSocket directly, as SignalR's does.
const io = new Server(http, { transports: ["websocket"], serveClient: false });

let seq = 0;
const started = Date.now();

io.on("connection", (socket) => {
  const role = socket.handshake.query.role;
  socket.join(role === "participant" ? "room" : "backroom");
  socket.on("send", (message, ack) => {
    seq += 1;
    const event = {
      seq,
      id: `${seq}`,
      clientEventId: message.clientEventId,
      type: message.type,
      audience: message.audience,
      actorCode: role,
      atMs: Date.now() - started,
      createdUtc: new Date().toISOString(),
      text: message.text ?? null,
      tags: message.tags ?? [],
    };
    io.to(message.audience === "room" ? ["room", "backroom"] : "backroom").emit("event", event);
    if (typeof ack === "function") {
      ack({ seq, duplicate: false });
    }
  });
});

http.listen(port, "127.0.0.1", () => {
  console.log(`socket.io baseline listening on http://127.0.0.1:${port}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    io.close();
    http.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  });
}
