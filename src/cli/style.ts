/**
 * Whether `stream` gets colour: `FORCE_COLOR` (set, and not `0` or `false`) forces it, e.g. in
 * CI logs that render ANSI; otherwise only on a terminal, never with NO_COLOR
 * (https://no-color.org) and never on `TERM=dumb`.
 */
export function colourOn(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") return force !== "0" && force.toLowerCase() !== "false";
  return stream.isTTY === true && (env.NO_COLOR ?? "") === "" && env.TERM !== "dumb";
}

/** A terminal that can move the cursor: a TTY whose TERM is not `dumb` (Emacs shells, some CI consoles). */
export function canRedraw(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && env.TERM !== "dumb";
}

export function makeStyle(stream: NodeJS.WriteStream): Record<"red" | "green" | "yellow" | "dim" | "bold", (text: string) => string> {
  const on = colourOn(stream);
  const wrap = (open: number, close: number) => (text: string) => (on ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}
