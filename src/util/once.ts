/**
 * Calls `load` the first time and hands back the same promise ever after. A dynamic import of a
 * module that is already loaded still walks the module loader; hot paths keep the promise instead.
 */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= load());
}
