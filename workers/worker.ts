// The Piscina worker: a plain task in, a plain result out, never throws. It imports nothing but
// the task handler; each task imports the one engine it needs.
import { handleTask } from "../src/runner/handle-task.js";
import type { Task, TaskResult } from "../src/runner/protocol.js";

export default function runTask(task: Task): Promise<TaskResult> {
  return handleTask(task);
}
