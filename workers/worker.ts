// The Piscina worker: a plain task in, a plain result out, never throws. It imports nothing but
// the task handler; each task imports the one engine it needs.
import { handleBatch, handleTask } from "../src/runner/handle-task.js";
import type { Task, TaskBatch, TaskResult } from "../src/runner/protocol.js";

export default function runTask(message: Task | TaskBatch): Promise<TaskResult | TaskResult[]> {
  return "batch" in message ? handleBatch(message) : handleTask(message);
}
