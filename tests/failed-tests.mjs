// Prints the name and the first lines of the message of every failed test in the TRX files of a
// test run, so that the end of test.sh's output (all a CI log may keep) says what failed:
//   node tests/failed-tests.mjs artifacts/test-results
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] ?? "artifacts/test-results";
const unescape = (s) =>
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#xD;/g, "").replace(/&#xA;/g, "\n").replace(/&amp;/g, "&");

let count = 0;
for (const file of existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".trx")).sort() : []) {
  const trx = readFileSync(join(dir, file), "utf8");
  for (const result of trx.matchAll(/<UnitTestResult\b([^>]*)>([\s\S]*?)<\/UnitTestResult>/g)) {
    const attributes = result[1];
    if (!/\boutcome="(Failed|Error|Timeout|Aborted)"/.test(attributes)) continue;
    const name = unescape(/\btestName="([^"]*)"/.exec(attributes)?.[1] ?? "(unnamed test)");
    const message = unescape(/<Message>([\s\S]*?)<\/Message>/.exec(result[2])?.[1] ?? "").trim();
    const trace = unescape(/<StackTrace>([\s\S]*?)<\/StackTrace>/.exec(result[2])?.[1] ?? "").trim();
    count++;
    console.error(`FAILED ${name} (${file})`);
    for (const line of [...message.split("\n").slice(0, 12), ...trace.split("\n").slice(0, 4)]) console.error(`    ${line.trimEnd()}`);
  }
}
if (count > 0) console.error(`${count} failed test${count === 1 ? "" : "s"} (above)`);
