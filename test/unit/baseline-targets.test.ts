import { describe, expect, it } from "vitest";
import { baselineTargets, serializeError, type Migration, type SerializedError } from "../helpers/stagecraft.js";

/** A plan from a compact history: `a` applied, `p` pending, `f` failed, one letter per migration 001, 002, … */
function plan(history: string): Migration[] {
  return [...history].map((c, i): Migration => {
    const id = String(i + 1).padStart(3, "0");
    if (c === "f") return { id, description: id, applied: false, state: "failed", error: "boom" };
    // Engines may leave `state` out: it is then derived from `applied`.
    return { id, description: id, applied: c === "a" };
  });
}

const targets = (history: string, to: string) => baselineTargets(plan(history), to, "/srv/app/migrations", "tenant_7");
/** The refusal as a report carries it (kind, message, hint, migration). */
const refusal = (history: string, to: string): SerializedError => {
  try {
    targets(history, to);
  } catch (error) {
    return serializeError(error);
  }
  throw new Error("expected a refusal");
};

describe("baselineTargets: what a baseline records, and when it refuses", () => {
  it("records the pending migrations up to and including the target, after those already applied", () => {
    expect(targets("pppp", "002")).toEqual(["001", "002"]);
    expect(targets("aapp", "004")).toEqual(["003", "004"]);
    expect(targets("aapp", "002")).toEqual([]);
  });

  it("refuses an unknown target, suggesting IDs it may have meant", () => {
    expect(refusal("ppp", "00")).toMatchObject({ kind: "invalid_config", message: "cannot baseline: no migration 00 in /srv/app/migrations", hint: "did you mean 001 or 002 or 003? --to takes a migration ID as the plan lists it" });
    expect(refusal("ppp", "x").hint).toBe("--to takes a migration ID as the plan lists it (stagecraft migrate --plan)");
  });

  it("refuses a history applied past the target, listing at most three of the later migrations", () => {
    expect(refusal("aaaaaa", "001").message).toBe("cannot baseline to 001: 002, 003, 004 and 2 more are already applied after it");
    expect(refusal("aaaaaa", "001").hint).toBe("this database is past 001: baseline it to 006 or later, or leave it out (--exclude tenant_7)");
  });

  it("refuses a gap: earlier migrations not applied while a later one is", () => {
    const gap = refusal("ppapp", "005");
    expect(gap).toMatchObject({ kind: "invalid_config", migration: "001", message: "cannot baseline to 005: the history is out of order: 001, 002 are not applied but the later 003 is" });
    expect(gap.hint).toBe("run the missing migrations (stagecraft migrate --to 005) or record each with `stagecraft migrate resolve --database tenant_7 --applied ID` once you have checked they are in the database");
  });

  it("refuses any failed attempt first, even one after the target", () => {
    expect(refusal("apf", "001")).toMatchObject({ kind: "migration_failed", migration: "003", message: "cannot baseline: migration 003 has a failed or unfinished attempt (boom); its effect on the database is unknown" });
  });
});
