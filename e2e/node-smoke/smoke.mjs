// Smoke test of the hub from @microsoft/signalr in Node, over WebSockets, as a script or
// integration would use it. Needs SESSIONROOM_URL and SESSIONROOM_KEY (the facilitator key).
// Exits 0 when every check passes; prints what failed otherwise.
import * as signalR from "@microsoft/signalr";
import { randomUUID } from "node:crypto";

const base = process.env.SESSIONROOM_URL;
const key = process.env.SESSIONROOM_KEY;
if (!base || !key) {
  console.error("Set SESSIONROOM_URL and SESSIONROOM_KEY.");
  process.exit(2);
}

async function api(method, path, body, token = key) {
  const response = await fetch(base + path, {
    method,
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function connect(member) {
  const received = [];
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${base}/hubs/session`, {
      accessTokenFactory: () => member.accessToken,
      transport: signalR.HttpTransportType.WebSockets,
      skipNegotiation: true,
    })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  connection.on("Event", (e) => { received.push(e); });
  await connection.start();
  return { connection, received };
}

const waitFor = async (check, what, ms = 5000) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
};

const failures = [];
const expect = (ok, what) => { if (!ok) failures.push(what); };

const study = await api("POST", "/api/studies", { name: "Node smoke" });
const session = await api("POST", `/api/studies/${study.id}/sessions`, {
  title: "Smoke", mode: "focus-group", tags: ["confused"],
  prompts: [{ kind: "poll", text: "Pick", options: ["A", "B"] }],
});
const facilitator = await api("POST", `/api/sessions/${session.id}/facilitator`);
const join = async (role) => {
  const invite = await api("POST", `/api/sessions/${session.id}/invites`, { role });
  return api("POST", "/api/join", { token: invite.token });
};
const observer = await join("observer");
const participant = await join("participant");

const f = await connect(facilitator);
const o = await connect(observer);
const p = await connect(participant);

const started = await f.connection.invoke("StartSession", randomUUID());
expect(started.seq > 0 && started.duplicate === false, "StartSession acks a new seq");
const promptId = session.prompts[0].id;
await f.connection.invoke("ShowPrompt", randomUUID(), promptId);
await waitFor(() => p.received.some((e) => e.type === "prompt-shown"), "prompt-shown at the participant");

const noteId = randomUUID();
const note = await o.connection.invoke("AddNote", noteId, "Hesitates at the poll", ["confused"], participant.memberId);
const again = await o.connection.invoke("AddNote", noteId, "Hesitates at the poll", ["confused"], participant.memberId);
expect(again.seq === note.seq && again.duplicate === true, "a repeated clientEventId is acknowledged as a duplicate");

const answer = await p.connection.invoke("Answer", randomUUID(), promptId, { choices: [1] });
await waitFor(() => f.received.some((e) => e.seq === answer.seq), "the answer at the facilitator");
await waitFor(() => o.received.some((e) => e.type === "note"), "the note at the observer");

try {
  await p.connection.invoke("AddNote", randomUUID(), "sneaky", [], null);
  failures.push("a participant could add a note");
} catch (e) {
  expect(/participant cannot add notes/i.test(e.message), `a refused call says why (got: ${e.message})`);
}
const state = await p.connection.invoke("GetState");
expect(state.members === null || state.members === undefined, "participants get no member list");

await new Promise((r) => setTimeout(r, 300));
expect(p.received.every((e) => e.audience === "room"), "the participant received only room events");
const seqs = f.received.map((e) => e.seq);
expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]), "the facilitator sees seq strictly increasing");

for (const c of [f, o, p]) await c.connection.stop();
if (failures.length) {
  console.error("FAILED:\n- " + failures.join("\n- "));
  process.exit(1);
}
console.log(`node smoke: ok (${f.received.length} events at the facilitator, ${p.received.length} at the participant)`);
