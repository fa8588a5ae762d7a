import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PAGES = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
// Inside the repository, so `import "stagecraft"` resolves to this package's exports and its built types.
let DIR: string;
beforeAll(() => {
  mkdirSync(join(ROOT, ".vitest-tmp"), { recursive: true });
  DIR = mkdtempSync(join(ROOT, ".vitest-tmp", "snippets-"));
});
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

interface Snippet {
  page: string;
  line: number;
  file: string;
}

/** Every ```ts and ```js block of the pages, written to its own module named after page and line. */
function extract(): Snippet[] {
  const snippets: Snippet[] = [];
  for (const page of PAGES) {
    const text = readFileSync(join(ROOT, page), "utf8");
    for (const match of text.matchAll(/```(ts|js)\n([\s\S]*?)```/g)) {
      const line = text.slice(0, match.index).split("\n").length + 1;
      const file = `${page.replace(/[/.]/g, "_")}_${line}.${match[1] === "ts" ? "ts" : "mjs"}`;
      writeFileSync(join(DIR, file), match[2]!);
      snippets.push({ page, line, file });
    }
  }
  return snippets;
}

describe("code in the README and docs", () => {
  it("every TypeScript and JavaScript snippet type-checks, as written, against the built package", () => {
    const snippets = extract();
    expect(snippets.filter((s) => s.file.endsWith(".ts")).map((s) => s.page)).toEqual(expect.arrayContaining(["README.md", "docs/api.md"]));
    writeFileSync(join(DIR, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        module: "nodenext", target: "es2022", strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true,
        allowJs: true, checkJs: true, noEmit: true, skipLibCheck: true, types: ["node"], typeRoots: [join(ROOT, "node_modules", "@types")],
      },
      files: snippets.map((s) => s.file),
    }));
    const result = spawnSync(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", DIR, "--pretty", "false"], { cwd: DIR, encoding: "utf8", timeout: 120_000 });
    // Errors point at the page and line the snippet starts on, not at the generated file.
    const errors = result.stdout.split("\n").filter(Boolean).map((line) => {
      const snippet = snippets.find((s) => line.startsWith(s.file));
      return snippet ? `${snippet.page} (code block at line ${snippet.line}): ${line.slice(snippet.file.length)}` : line;
    });
    expect(errors).toEqual([]);
    expect(result.status).toBe(0);
  });
});
