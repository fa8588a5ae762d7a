import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DEPLOY = join(ROOT, "examples", "deploy");
const read = (path: string): string => readFileSync(join(ROOT, path), "utf8");
const manifest = (file: string) => parse(read(`examples/deploy/${file}`)) as Record<string, any>;

/**
 * The first K of an explicit `--shard K/N`: shards are numbered 0..N-1, the numbers Kubernetes'
 * JOB_COMPLETION_INDEX gives `--shard auto/N` (docs/ledger.md).
 */
const FIRST_SHARD = 0;

/** The N of `--shard <K>/N` in a command given as argv or as one string. */
function shardCount(command: string | string[], k: string): number {
  const text = Array.isArray(command) ? command.join(" ") : command;
  const match = new RegExp(`--shard ${k.replace(/[$.{}]/g, "\\$&")}/(\\d+)(\\s|$)`).exec(text);
  if (!match) throw new Error(`no --shard ${k}/N in: ${text}`);
  return Number(match[1]);
}

/** Seconds of the grace period, checked against the comment that derives it from the longest migration. */
function gracePeriod(spec: Record<string, any>, file: string): number {
  const grace = spec.terminationGracePeriodSeconds;
  const comment = new RegExp(`terminationGracePeriodSeconds: ${grace}\\s+# longest migration \\(<= (\\d+) s\\) \\+ (\\d+) s`).exec(read(`examples/deploy/${file}`));
  expect(comment, `${file}: the grace period's comment`).not.toBeNull();
  expect(Number(comment![1]) + Number(comment![2])).toBe(grace);
  return grace;
}

/** A container's env vars that come from a Kubernetes Secret, by name. */
function secretEnv(container: Record<string, any>): Map<string, { name: string; key: string }> {
  return new Map((container.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => [e.name, e.valueFrom.secretKeyRef]));
}

describe("deploy recipes (examples/deploy)", () => {
  const docs = read("docs/deploy.md");

  it("the Indexed Job runs one pod per shard: completions equal the N of --shard auto/N", () => {
    const job = manifest("k8s-indexed-job.yaml");
    expect(job).toMatchObject({ apiVersion: "batch/v1", kind: "Job" });
    expect(job.spec.completionMode).toBe("Indexed");
    const pod = job.spec.template.spec;
    const [container] = pod.containers;
    expect(container.command.slice(0, 2)).toEqual(["stagecraft", "migrate"]);
    const n = shardCount(container.command, "auto");
    expect(job.spec.completions).toBe(n);
    expect(job.spec.parallelism).toBeGreaterThanOrEqual(1);
    expect(job.spec.parallelism).toBeLessThanOrEqual(n);
    // backoffLimitPerIndex needs restartPolicy Never.
    expect(pod.restartPolicy).toBe("Never");
    const label = container.command[container.command.indexOf("--run-label") + 1];
    expect(label).toBe("$(RELEASE)");
    expect(container.env.find((e: any) => e.name === "RELEASE")?.value).toEqual(expect.any(String));
    expect(docs).toContain(`\`completions: ${n}\``);
    expect(docs).toContain(`\`stagecraft migrate --shard auto/${n} --run-label $(RELEASE)\``);
  });

  it("grace periods match the documented stop: the longest migration plus 5 s", () => {
    for (const file of ["k8s-indexed-job.yaml", "k8s-init-container.yaml"]) {
      const doc = manifest(file);
      const grace = gracePeriod(doc.spec.template.spec, file);
      expect(docs).toContain(`\`terminationGracePeriodSeconds: ${grace}\``);
    }
    expect(read("docs/cli.md")).toContain("`terminationGracePeriodSeconds` ≥ longest migration + 5 s");
  });

  it("the ledger and database credentials come from Secrets, never from the manifests", () => {
    const job = manifest("k8s-indexed-job.yaml");
    const secrets = secretEnv(job.spec.template.spec.containers[0]);
    expect(docs).toContain("connection_env: STAGECRAFT_LEDGER_URL");
    expect(secrets.get("STAGECRAFT_LEDGER_URL")).toEqual({ name: "stagecraft-ledger", key: "url" });
    expect([...secrets.keys()]).toEqual(expect.arrayContaining(["CATALOG_URL", "TENANT_DB_PASSWORD"]));
    const deployment = manifest("k8s-init-container.yaml");
    expect(secretEnv(deployment.spec.template.spec.initContainers[0]).get("ORDERS_DATABASE_URL")).toEqual({ name: "orders-database", key: "url" });
    for (const file of ["k8s-indexed-job.yaml", "k8s-init-container.yaml", "github-actions.yml", "Dockerfile"]) {
      expect(read(`examples/deploy/${file}`), file).not.toMatch(/[a-z]+:\/\/[^\s"]*@|password\s*[:=]\s*\w/i);
    }
  });

  it("the init container migrates the service's one database before the app starts", () => {
    const deployment = manifest("k8s-init-container.yaml");
    expect(deployment).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment" });
    const [init] = deployment.spec.template.spec.initContainers;
    expect(init.command).toEqual(["stagecraft", "migrate", "--database", "orders", "--wait", "60s"]);
    expect(docs).toContain(`\`${init.command.join(" ")}\``);
  });

  it("the GitHub Actions matrix covers shards 0..N-1 of --shard K/N, then a report job shows the run", () => {
    const workflow = manifest("github-actions.yml");
    const migrate = workflow.jobs.migrate;
    const step = migrate.steps.find((s: any) => typeof s.run === "string" && s.run.includes("stagecraft migrate"));
    const n = shardCount(step.run, "${{ matrix.shard }}");
    expect(migrate.strategy.matrix.shard).toEqual(Array.from({ length: n }, (_, i) => FIRST_SHARD + i));
    expect(migrate.strategy["fail-fast"]).toBe(false);
    const label = /--run-label (\$\{\{ [^}]+ \}\}|\S+)/.exec(step.run)?.[1];
    expect(label).toBe("${{ github.ref_name }}");
    const report = workflow.jobs.report;
    expect(report.needs).toBe("migrate");
    expect(String(report.if)).toContain("always()");
    const show = report.steps.find((s: any) => typeof s.run === "string" && s.run.includes("stagecraft runs show"));
    expect(show.run).toBe(`npx stagecraft runs show ${label}`);
    for (const env of [step.env, show.env]) expect(env.STAGECRAFT_LEDGER_URL).toBe("${{ secrets.STAGECRAFT_LEDGER_URL }}");
    expect(docs).toContain(`\`strategy.matrix.shard: [${migrate.strategy.matrix.shard.join(", ")}]\``);
  });

  it("the Dockerfile's entrypoint is the package's bin, in exec form, found on the PATH", () => {
    const dockerfile = readFileSync(join(DEPLOY, "Dockerfile"), "utf8");
    const bin = Object.keys((JSON.parse(read("package.json")) as { bin: Record<string, string> }).bin);
    expect(bin).toEqual(["stagecraft"]);
    const instruction = (name: string) => JSON.parse(new RegExp(`^${name} (\\[.*\\])$`, "m").exec(dockerfile)?.[1] ?? "null") as string[] | null;
    expect(instruction("ENTRYPOINT")).toEqual(["stagecraft"]);
    expect(instruction("CMD")).toEqual(["migrate"]);
    expect(dockerfile).toMatch(/^ENV PATH=\/app\/node_modules\/\.bin:\$PATH$/m);
    expect(dockerfile).toMatch(/^WORKDIR \/app$/m);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
  });

  it("docs/deploy.md links every recipe, and the README links docs/deploy.md", () => {
    for (const file of ["Dockerfile", "k8s-indexed-job.yaml", "k8s-init-container.yaml", "github-actions.yml"]) {
      expect(docs).toContain(`(../examples/deploy/${file})`);
    }
    expect(read("README.md")).toContain("(docs/deploy.md)");
  });
});
