// Baseline worker for the dispatch benchmark: returns what a no-op database task returns.
export default function run(task: { database: string }): { status: string; migrations: never[]; applied: never[]; database: string } {
  return { status: "succeeded", migrations: [], applied: [], database: task.database };
}
