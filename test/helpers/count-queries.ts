import Database from "better-sqlite3";
import mysql from "mysql2";
import pg from "pg";

/**
 * Records every request the drivers' client libraries send, by wrapping their prototypes:
 * `pg.Client#query` (one round trip each), mysql2's `Connection#query`/`execute` (one each),
 * and better-sqlite3's `prepare`/`exec` (statements compiled in this process). Only what runs
 * in this thread is seen: use it with `inProcess: true`.
 */
export function recordQueries(): { texts: string[]; restore: () => void } {
  const texts: string[] = [];
  const restores: (() => void)[] = [];
  const wrap = (proto: Record<string, unknown>, name: string, text: (args: unknown[]) => string): void => {
    const original = proto[name] as (...args: unknown[]) => unknown;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      texts.push(text(args));
      return original.apply(this, args);
    };
    restores.push(() => void (proto[name] = original));
  };
  const sqlOf = (args: unknown[]): string => {
    const [first] = args;
    if (typeof first === "string") return first;
    const text = (first as { text?: unknown; sql?: unknown } | null)?.text ?? (first as { sql?: unknown } | null)?.sql;
    return typeof text === "string" ? text : "(a script sent whole)";
  };
  wrap(pg.Client.prototype as unknown as Record<string, unknown>, "query", sqlOf);
  const mysqlProto = (mysql as unknown as { Connection: { prototype: Record<string, unknown> } }).Connection.prototype;
  wrap(mysqlProto, "query", sqlOf);
  wrap(mysqlProto, "execute", sqlOf);
  wrap(Database.prototype as unknown as Record<string, unknown>, "prepare", sqlOf);
  wrap(Database.prototype as unknown as Record<string, unknown>, "exec", sqlOf);
  return { texts, restore: () => restores.reverse().forEach((restore) => restore()) };
}
