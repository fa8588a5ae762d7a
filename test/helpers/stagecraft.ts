// Tests run against the built package, like users and the worker threads do.
export * from "../../dist/src/index.js";
