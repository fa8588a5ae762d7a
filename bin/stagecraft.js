#!/bin/sh
":" //; set -f; IFS=" "; exec node ${STAGECRAFT_V8_FLAGS---max-semi-space-size=2 --heap-growing-percent=50} -- "$0" "$@"

// The `stagecraft` command. The first two lines are read by sh and by Node alike: sh starts Node
// with `--` before this file, and Node skips them (a shebang, then a string and a comment). Node
// reads an `--env-file` flag anywhere on its own command line (nodejs/node#54232), so started as
// `#!/usr/bin/env node` a missing `stagecraft … --env-file x.env` ended in Node's own error
// (exit 9) before stagecraft ran; after `--` Node leaves every argument to stagecraft.
// `#!/usr/bin/env -S node --` would do the same, but BusyBox's env (Alpine) has no -S.
// Before `--`, V8 flags for a short batch that sends thousands of databases through a pool
// (docs/performance.md, "The command's V8 flags"): a young generation of 2 MiB per semi-space,
// and a full collection once the old generation has grown half again past what the last one
// kept. STAGECRAFT_V8_FLAGS replaces them (flags separated by spaces, no quoting, no globbing:
// `set -f`); set to nothing, Node's defaults apply to the command's own thread.
import "../dist/cli/main.js";
