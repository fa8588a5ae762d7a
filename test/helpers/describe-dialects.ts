import { describe, it } from "vitest";
import { REQUESTED, type Dialect } from "./servers.js";

/**
 * `describe.each(dialects)(title, fn)`, except that an empty list (servers down, or narrowed
 * away by STAGECRAFT_TEST_DIALECTS) still declares the suite, skipped, saying why: a file whose
 * suites all came from an empty list would otherwise fail with "No test suite found", and a
 * suite that silently disappears is a skip nobody sees.
 */
export function describeDialects<D extends Dialect>(title: string, dialects: readonly D[], fn: (dialect: D) => void): void {
  if (dialects.length > 0) {
    describe.each(dialects)(title, fn);
    return;
  }
  describe.skip(title.replace("%s", "(no dialect available)"), () => {
    it.skip(`needs a dialect this suite supports; requested: ${REQUESTED.join(", ")} (STAGECRAFT_TEST_DIALECTS), missing servers are named before the run`, () => undefined);
  });
}
