/** Colour only on a TTY and never with NO_COLOR (https://no-color.org). */
export function makeStyle(stream: NodeJS.WriteStream): Record<"red" | "green" | "yellow" | "dim" | "bold", (text: string) => string> {
  const on = stream.isTTY === true && (process.env.NO_COLOR ?? "") === "";
  const wrap = (open: number, close: number) => (text: string) => (on ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}
