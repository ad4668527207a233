// Writes docs/reliability.md from the rows the hardening tests leave in artifacts/reliability/*.jsonl
// (tests/SessionRoom.IntegrationTests/Hardening/ReliabilityLog.cs), so the report says what the last
// test run actually tried. test.sh runs it after the tests:
//   node tests/reliability-report.mjs [rows-dir] [output.md]
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { execSync } from "node:child_process";

const dir = process.argv[2] ?? "artifacts/reliability";
const out = process.argv[3] ?? "docs/reliability.md";

// The areas in the order the report shows them, with what each one proves.
const areas = [
  ["authorization", "Authorization", "Every HTTP endpoint and every hub method called as anonymous, a wrong key or token, a revoked token, a participant, an observer, a member of another session and the session's facilitator; each answer checked against one table. An endpoint or hub method missing from the table fails the test."],
  ["fuzz", "Hostile input (property-based fuzzing)", "Random and malformed arguments for every hub method and every JSON endpoint: nulls, wrong types, huge strings, unicode edge cases, deep JSON, negative and huge numbers. Checked: no 5xx, no crash, the connection stays usable, no event stored by a refused call, `/healthz` answers afterwards. Fixed seed and bounded count in `./test.sh`; a longer run by a flag (see below)."],
  ["fault", "Faults", "Broken conditions during a live session: the disk full, the database read-only or locked, a server restart with many clients reconnecting, a client over the call limit. Checked: a clear error to the writer, nothing half-written, no acknowledged event lost, the session continues once the fault is gone, the server stays up."],
  ["slow-consumer", "Slow and stuck clients", "A client that stops reading. Checked: everyone else keeps receiving, in its session and in others; the stuck connection is closed once its bounded queue is full; on reconnect it catches up with everything."],
  ["security", "Web security and secrets", "Security headers, cookies and antiforgery; invite and member tokens and the facilitator key never in the logs (a real server logging at Trace, plain and JSON), the key printed once."],
];

const rows = [];
if (existsSync(dir)) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort()) {
    for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        rows.push(JSON.parse(line));
      } catch {
        console.error(`reliability-report: skipped a malformed line in ${file}`);
      }
    }
  }
}

const fixed = new Set(["utc", "area", "scenario", "repetitions", "outcome"]);
const number = (n) => (Number.isInteger(n) ? n.toLocaleString("en-US") : String(Math.round(n * 100) / 100));
const cell = (s) => String(s).replaceAll("|", "\\|").replaceAll("\n", " ");

// Rows of one scenario (a theory's cases, or several runs) become one line: repetitions added up,
// outcomes counted, counts added up, times (…Ms) and maxima shown as their largest value, seeds and
// other text listed with how often each value came up.
const additive = (k) => k !== "seed" && !/Ms$|^max|Max$|Percent$/.test(k);
function summarise(group) {
  const repetitions = group.reduce((sum, r) => sum + (r.repetitions ?? 0), 0);
  const outcomes = new Map();
  for (const r of group) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
  const outcome = [...outcomes].map(([o, n]) => (group.length > 1 ? `${o} ×${n}` : o)).join(", ");
  const figures = new Map();
  for (const r of group) {
    for (const [k, v] of Object.entries(r)) {
      if (fixed.has(k) || v === null || v === undefined) continue;
      const f = figures.get(k) ?? { sum: 0, max: -Infinity, numeric: true, values: new Map() };
      if (typeof v === "number") {
        f.sum += v;
        f.max = Math.max(f.max, v);
      } else {
        f.numeric = false;
      }
      const text = typeof v === "object" ? JSON.stringify(v) : String(v);
      f.values.set(text, (f.values.get(text) ?? 0) + 1);
      figures.set(k, f);
    }
  }
  const show = (k, f) => {
    if (f.numeric && k !== "seed") return number(additive(k) ? f.sum : f.max);
    const values = [...f.values].map(([v, n]) => (group.length > 1 ? `${v} ×${n}` : v));
    return values.slice(0, 8).join(", ") + (values.length > 8 ? ", …" : "");
  };
  const text = [...figures].map(([k, f]) => `${k}: ${show(k, f)}`).join("; ");
  return { cases: group.length, repetitions, outcome, failed: group.some((r) => r.outcome !== "pass"), figures: text };
}

let commit = "unknown";
try {
  commit = execSync("git rev-parse --short HEAD", { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
} catch {}
const when = rows.map((r) => r.utc).filter(Boolean).sort().at(-1)?.slice(0, 10) ?? "never";

const lines = [
  "# Reliability report",
  "",
  "What SessionRoom was put through to show that it keeps participants' data safe and the backroom",
  "hidden under hostile and broken conditions, and what happened. **This file is written by",
  "`./test.sh`** from the figures the tests themselves record (`tests/reliability-report.mjs` reads",
  "`artifacts/reliability/*.jsonl`); do not edit it by hand. Every row below ran in that test run",
  "and passed unless its outcome says otherwise.",
  "",
  `Last run: ${when}, commit \`${commit}\`, ${rows.length} recorded test cases.`,
  "",
  "A longer fuzz run: `SESSIONROOM_FUZZ=long ./test.sh` (or a number of inputs per method,",
  "e.g. `SESSIONROOM_FUZZ=5000`); the seed is printed in each row and can be set with",
  "`SESSIONROOM_FUZZ_SEED`.",
  "",
];
const known = new Set(areas.map(([a]) => a));
const extra = [...new Set(rows.map((r) => r.area))].filter((a) => !known.has(a)).sort().map((a) => [a, a, ""]);
let failed = 0;
for (const [area, title, about] of [...areas, ...extra]) {
  const mine = rows.filter((r) => r.area === area);
  lines.push(`## ${title}`, "");
  if (about) lines.push(about, "");
  if (mine.length === 0) {
    lines.push("_Not run in the last test run._", "");
    continue;
  }
  const scenarios = [...new Set(mine.map((r) => r.scenario))];
  lines.push("| scenario | cases | inputs or repetitions | outcome | figures |", "|---|---:|---:|---|---|");
  for (const scenario of scenarios) {
    const s = summarise(mine.filter((r) => r.scenario === scenario));
    if (s.failed) failed++;
    lines.push(`| ${cell(scenario)} | ${number(s.cases)} | ${number(s.repetitions)} | ${cell(s.failed ? `**${s.outcome}**` : s.outcome)} | ${cell(s.figures)} |`);
  }
  lines.push("");
}
writeFileSync(out, lines.join("\n"));
console.error(`reliability-report: ${rows.length} rows, ${failed} failing scenarios -> ${out}`);
