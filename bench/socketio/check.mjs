// Checks the Socket.IO baseline with the official client (npm socket.io-client) before bench/run.sh
// measures it with the load generator's own Socket.IO client: the server speaks standard Socket.IO 4,
// acknowledges {seq, duplicate} and broadcasts a room message to both rooms and a backroom message to
// the backroom only, which is what the generator relies on. Exits 1 on any difference.
// Usage: node bench/socketio/check.mjs
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { io } from "socket.io-client";

const port = 20000 + Math.floor(Math.random() * 20000);
const server = spawn(process.execPath, [fileURLToPath(new URL("./server.mjs", import.meta.url)), "--port", String(port)], {
  stdio: ["ignore", "pipe", "inherit"],
});
await once(server.stdout, "data");

const url = `http://127.0.0.1:${port}`;
const connect = async (role) => {
  const socket = io(url, { transports: ["websocket"], query: { role }, reconnection: false });
  await once(socket, "connect");
  const events = [];
  socket.on("event", (e) => events.push(e));
  return { socket, events };
};

let failed = false;
const expect = (condition, what) => {
  if (!condition) {
    console.error(`socket.io baseline check failed: ${what}`);
    failed = true;
  }
};

try {
  const facilitator = await connect("facilitator");
  const participant = await connect("participant");
  const room = await facilitator.socket.emitWithAck("send", { clientEventId: "a", type: "prompt-shown", audience: "room", text: "Hello", tags: [] });
  const backroom = await facilitator.socket.emitWithAck("send", { clientEventId: "b", type: "note", audience: "backroom", text: "Note", tags: ["x"] });
  expect(room.seq === 1 && room.duplicate === false && backroom.seq === 2, `acks ${JSON.stringify([room, backroom])}`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(facilitator.events.map((e) => e.clientEventId).join() === "a,b", `facilitator got ${JSON.stringify(facilitator.events)}`);
  expect(participant.events.map((e) => e.clientEventId).join() === "a", `participant got ${JSON.stringify(participant.events)}`);
  expect(participant.events[0]?.seq === 1 && participant.events[0]?.text === "Hello", "the relayed event keeps seq and text");
  facilitator.socket.close();
  participant.socket.close();
} finally {
  server.kill();
}
if (!failed) {
  console.log("socket.io baseline check passed (official client)");
}
process.exit(failed ? 1 : 0);
