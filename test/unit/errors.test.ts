import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { ERROR_KINDS, StagecraftError, deserializeError, isStagecraftError, serializeError } from "../helpers/stagecraft.js";

describe("errors across a thread boundary", () => {
  it("serialise to a plain shape, cross structured clone in a real worker, and rebuild with kind and context", async () => {
    const original = new StagecraftError("migration_failed", "database main: 002.sql:4: boom", { database: "main", migration: "002", file: "/x/002.sql", line: 4, driverCode: "42703", hint: "fix it" });
    const plain = serializeError(original);
    expect(plain).toEqual({ kind: "migration_failed", message: "database main: 002.sql:4: boom", database: "main", migration: "002", file: "/x/002.sql", line: 4, driverCode: "42703", hint: "fix it" });
    const echoed = await new Promise<unknown>((resolve, reject) => {
      const worker = new Worker("require('node:worker_threads').parentPort.once('message', (m) => require('node:worker_threads').parentPort.postMessage(m))", { eval: true });
      worker.once("message", (m) => {
        void worker.terminate();
        resolve(m);
      });
      worker.once("error", reject);
      worker.postMessage(plain);
    });
    // Class identity does not survive structured clone; the plain shape does, and rebuilds.
    expect(echoed instanceof StagecraftError).toBe(false);
    const rebuilt = deserializeError(echoed as typeof plain);
    expect(isStagecraftError(rebuilt)).toBe(true);
    expect(rebuilt.kind).toBe("migration_failed");
    expect(rebuilt.message).toBe(original.message);
    expect(rebuilt.context).toEqual(original.context);
  });

  it("turns foreign throwables into internal errors, and unknown kinds into internal on the way back", () => {
    expect(serializeError(new TypeError("x is undefined"))).toEqual({ kind: "internal", message: "x is undefined" });
    expect(serializeError("a string")).toEqual({ kind: "internal", message: "a string" });
    expect(deserializeError({ kind: "made_up" as never, message: "m" }).kind).toBe("internal");
    expect(ERROR_KINDS).toContain("lock_timeout");
  });
});

describe("errors from another copy of stagecraft", () => {
  it("are StagecraftErrors by their brand; a subclass still checks its own class", async () => {
    const { ConfigError } = await import("../helpers/stagecraft.js");
    // What another copy's error looks like from here: not this copy's class, but branded.
    class OtherCopy extends Error {
      readonly kind = "checksum_mismatch";
      readonly context = { migration: "001" };
    }
    Object.defineProperty(OtherCopy.prototype, Symbol.for("stagecraft.StagecraftError"), { value: true });
    const foreign = new OtherCopy("edited");
    expect(foreign instanceof StagecraftError).toBe(true);
    expect(isStagecraftError(foreign)).toBe(true);
    expect(serializeError(foreign)).toEqual({ kind: "checksum_mismatch", message: "edited", migration: "001" });
    expect(foreign instanceof ConfigError).toBe(false);
    expect(new StagecraftError("internal", "x") instanceof ConfigError).toBe(false);
    expect(new ConfigError([]) instanceof StagecraftError).toBe(true);
    expect(new Error("plain") instanceof StagecraftError).toBe(false);
    expect(serializeError(new Error("plain")).kind).toBe("internal");
  });
});
