/**
 * Shell-style glob patterns, shared by `--database`/`--exclude` (database names) and
 * `fleet.glob` (file names, one path segment at a time).
 *
 * `*` any run of characters, `?` one character, `[abc]` / `[a-z]` / `[!abc]` a class; every other
 * character is literal. A `/` is never matched by a wildcard, so a segment pattern stays inside
 * its folder. Written here rather than imported: the grammar is this small, and the runtime
 * `path.matchesGlob` needs a newer Node than we support.
 */
export function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === "*") {
      source += "[^/]*";
    } else if (char === "?") {
      source += "[^/]";
    } else if (char === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close === -1) {
        source += "\\[";
        continue;
      }
      let body = pattern.slice(i + 1, close);
      const negated = body.startsWith("!") || body.startsWith("^");
      if (negated) body = body.slice(1);
      source += `[${negated ? "^/" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = close;
    } else {
      source += char.replace(/[.+^${}()|\\\]]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`);
}

/** Whether `pattern` has any wildcard (`*`, `?` or a `[class]`), i.e. may match other names than itself. */
export function isPattern(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** A compiled pattern: exact names skip the regular expression. */
export function nameMatcher(pattern: string): (name: string) => boolean {
  if (!isPattern(pattern)) return (name) => name === pattern;
  const regexp = globToRegExp(pattern);
  return (name) => regexp.test(name);
}
