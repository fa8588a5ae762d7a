#!/bin/sh
":" //; exec node -- "$0" "$@"

// The `stagecraft` command. The first two lines are read by sh and by Node alike: sh starts Node
// with `--` before this file, and Node skips them (a shebang, then a string and a comment). Node
// reads an `--env-file` flag anywhere on its own command line (nodejs/node#54232), so started as
// `#!/usr/bin/env node` a missing `stagecraft … --env-file x.env` ended in Node's own error
// (exit 9) before stagecraft ran; after `--` Node leaves every argument to stagecraft.
// `#!/usr/bin/env -S node --` would do the same, but BusyBox's env (Alpine) has no -S.
import "../dist/cli/main.js";
