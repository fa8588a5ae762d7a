import { REQUESTED, serverUp } from "./servers.js";

/** Prints which server suites will be skipped; with STAGECRAFT_TEST_REQUIRE_SERVERS=1 a missing server fails the run. */
export default async function setup(): Promise<void> {
  const missing: string[] = [];
  for (const dialect of REQUESTED) if (!(await serverUp(dialect))) missing.push(dialect);
  if (missing.length === 0) return;
  const message = `stagecraft tests: no ${missing.join(" or ")} server reachable; the ${missing.join(" and ")} suites are skipped`;
  if (process.env.STAGECRAFT_TEST_REQUIRE_SERVERS === "1") {
    throw new Error(`${message}, but STAGECRAFT_TEST_REQUIRE_SERVERS=1 requires them`);
  }
  process.stderr.write(`\n${message}\n\n`);
}
