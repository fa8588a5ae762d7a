import { DIALECTS, REQUESTED, serverUp } from "./servers.js";

/**
 * Says which dialect suites this run skips and why (narrowed by STAGECRAFT_TEST_DIALECTS, or no
 * server answered); with STAGECRAFT_TEST_REQUIRE_SERVERS=1 (CI) a server that does not answer
 * fails the run instead.
 */
export default async function setup(): Promise<void> {
  const missing: string[] = [];
  for (const dialect of REQUESTED) if (!(await serverUp(dialect))) missing.push(dialect);
  const notRequested = DIALECTS.filter((d) => !REQUESTED.includes(d));
  const notes: string[] = [];
  if (notRequested.length > 0) notes.push(`STAGECRAFT_TEST_DIALECTS=${REQUESTED.join(",")}: the ${notRequested.join(" and ")} suites are skipped`);
  if (missing.length > 0) {
    const message = `no ${missing.join(" or ")} server reachable; the ${missing.join(" and ")} suites are skipped`;
    if (process.env.STAGECRAFT_TEST_REQUIRE_SERVERS === "1") {
      throw new Error(`stagecraft tests: ${message}, but STAGECRAFT_TEST_REQUIRE_SERVERS=1 requires them`);
    }
    notes.push(`${message} (set STAGECRAFT_TEST_PG_URL / STAGECRAFT_TEST_MYSQL_URL to use other servers)`);
  }
  if (notes.length > 0) process.stderr.write(`\n${notes.map((n) => `stagecraft tests: ${n}`).join("\n")}\n\n`);
}
