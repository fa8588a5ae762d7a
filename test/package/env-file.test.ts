import { afterEach, describe, expect, it } from "vitest";
import { tempProject } from "../helpers/project.js";
import { planAll, runAll } from "../helpers/stagecraft.js";

const projects: ReturnType<typeof tempProject>[] = [];
afterEach(() => projects.splice(0).forEach((p) => p.cleanup()));

/** A project whose URL and schema name live in `.env` beside the config, as the CLI expects them. */
function project() {
  const p = tempProject();
  projects.push(p);
  p.write("stagecraft.yml", 'databases:\n  accounts:\n    connection_env: ACCOUNTS_URL\n    migrations:\n      engine: raw\n      path: ./migrations\n      table: "${HISTORY_TABLE}"\n');
  p.write("migrations/001_init.sql", "CREATE TABLE accounts (id INTEGER PRIMARY KEY);\n");
  p.write(".env", "ACCOUNTS_URL=sqlite:./from-file.db\nHISTORY_TABLE=history_from_file\n");
  return p;
}

describe("the API's envFile option", () => {
  it("the API reads no .env by itself: a variable only the file holds is reported as not set", async () => {
    const p = project();
    const error = await planAll(`${p.dir}/stagecraft.yml`, { env: {} }).catch((e: Error) => e);
    expect(String(error)).toContain("environment variable HISTORY_TABLE is not set");
  });

  it("envFile fills in the URL and ${VAR} values; the database migrates", async () => {
    const p = project();
    const report = await runAll(`${p.dir}/stagecraft.yml`, { env: {}, envFile: `${p.dir}/.env` });
    expect(report.databases[0]).toMatchObject({ name: "accounts", status: "succeeded", applied: ["001_init"] });
    const again = await planAll(`${p.dir}/stagecraft.yml`, { env: {}, envFile: `${p.dir}/.env` });
    expect(again.databases[0]?.migrations).toMatchObject([{ id: "001_init", applied: true }]);
  });

  it("variables already in env win over the file, and process.env is left alone", async () => {
    const p = project();
    const env = { ACCOUNTS_URL: "sqlite:./from-env.db" };
    const report = await runAll(`${p.dir}/stagecraft.yml`, { env, envFile: `${p.dir}/.env` });
    expect(report.ok).toBe(true);
    const fromEnv = await planAll(`${p.dir}/stagecraft.yml`, { env: { ...env, HISTORY_TABLE: "history_from_file" } });
    expect(fromEnv.databases[0]?.migrations).toMatchObject([{ id: "001_init", applied: true }]);
    const fromFile = await planAll(`${p.dir}/stagecraft.yml`, { env: { ACCOUNTS_URL: "sqlite:./from-file.db", HISTORY_TABLE: "history_from_file" } });
    expect(fromFile.databases[0]?.migrations).toMatchObject([{ id: "001_init", applied: false }]);
    expect(env).toEqual({ ACCOUNTS_URL: "sqlite:./from-env.db" });
    expect(process.env.HISTORY_TABLE).toBeUndefined();
  });

  it("a missing envFile rejects with invalid_config naming the file", async () => {
    const p = project();
    const error = await planAll(`${p.dir}/stagecraft.yml`, { env: {}, envFile: `${p.dir}/missing.env` }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "invalid_config", message: `cannot read env file ${p.dir}/missing.env: ENOENT`, context: { file: `${p.dir}/missing.env` } });
  });

  it("a .env that starts with a byte-order mark keeps its first variable", async () => {
    const p = project();
    p.write(".env", "\uFEFFACCOUNTS_URL=sqlite:./from-file.db\nHISTORY_TABLE=history_from_file\n");
    const report = await planAll(`${p.dir}/stagecraft.yml`, { env: {}, envFile: `${p.dir}/.env` });
    expect(report.databases[0]).toMatchObject({ name: "accounts", migrations: [{ id: "001_init" }] });
    expect(report.databases[0]?.error).toBeUndefined();
  });
});
