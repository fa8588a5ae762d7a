import { afterEach, describe, expect, it, vi } from "vitest";

// The suites' own contract with CI and newcomers: no server skips (and says so), CI requires them.
const CLOSED_PORT_URL = "postgres://postgres@127.0.0.1:1/test";

async function freshSetup(env: Record<string, string>): Promise<{ run: () => Promise<void>; stderr: () => string }> {
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  vi.resetModules();
  const { default: setup } = await import("../helpers/global-setup.js");
  let written = "";
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((written += String(chunk)), true));
  return { run: setup, stderr: () => written };
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("test servers", () => {
  it("a PostgreSQL server that does not answer skips its suites and says so", async () => {
    const setup = await freshSetup({ STAGECRAFT_TEST_DIALECTS: "sqlite,postgres", STAGECRAFT_TEST_PG_URL: CLOSED_PORT_URL, STAGECRAFT_TEST_REQUIRE_SERVERS: "" });
    await setup.run();
    expect(setup.stderr()).toContain("stagecraft tests: no postgres server reachable; the postgres suites are skipped");
  });

  it("with STAGECRAFT_TEST_REQUIRE_SERVERS=1 (set by .ci/run) a server that does not answer fails the run", async () => {
    const setup = await freshSetup({ STAGECRAFT_TEST_DIALECTS: "sqlite,postgres", STAGECRAFT_TEST_PG_URL: CLOSED_PORT_URL, STAGECRAFT_TEST_REQUIRE_SERVERS: "1" });
    await expect(setup.run()).rejects.toThrow("no postgres server reachable; the postgres suites are skipped, but STAGECRAFT_TEST_REQUIRE_SERVERS=1 requires them");
  });

  it("STAGECRAFT_TEST_DIALECTS names the suites it leaves out, and a typo in it is an error", async () => {
    const setup = await freshSetup({ STAGECRAFT_TEST_DIALECTS: "sqlite", STAGECRAFT_TEST_REQUIRE_SERVERS: "1" });
    await setup.run();
    expect(setup.stderr()).toContain("stagecraft tests: STAGECRAFT_TEST_DIALECTS=sqlite: the postgres and mysql suites are skipped");
    await expect(freshSetup({ STAGECRAFT_TEST_DIALECTS: "sqlite,postgresql" })).rejects.toThrow('STAGECRAFT_TEST_DIALECTS: unknown dialect "postgresql"; known: sqlite, postgres, mysql');
  });

  it(".ci/run requires the servers", async () => {
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(new URL("../../.ci/run", import.meta.url), "utf8")).toMatch(/^export STAGECRAFT_TEST_REQUIRE_SERVERS=1$/m);
  });
});
