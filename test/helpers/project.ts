import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";

/** A throwaway project folder; `write` creates files (and their folders) inside it. */
export function tempProject(): { dir: string; write: (path: string, text: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "stagecraft-test-"));
  return {
    dir,
    write: (path, text) => {
      const full = join(dir, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
      return full;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `tempProject` for the tests of one file: each project it makes is removed after the test that made it. */
export function tempProjectPerTest(): () => ReturnType<typeof tempProject> {
  const made: ReturnType<typeof tempProject>[] = [];
  afterEach(() => {
    for (const p of made.splice(0)) p.cleanup();
  });
  return () => {
    const p = tempProject();
    made.push(p);
    return p;
  };
}
