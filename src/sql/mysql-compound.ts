import type { Token } from "./scanner.js";

/**
 * Follows one MySQL/MariaDB statement token by token and says whether a `;` ends it or belongs
 * to a compound body: `BEGIN … END` of CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT (with DEFINER,
 * OR REPLACE, IF NOT EXISTS), ALTER EVENT … DO, MariaDB's `BEGIN NOT ATOMIC` and top-level
 * IF/CASE/LOOP/WHILE/REPEAT, nested blocks and labels.
 *
 * The server's grammar needs no DELIMITER for these; only the mysql client does. The rules:
 * BEGIN, CASE, LOOP and WHILE always open a block closed by END; IF and REPEAT open one only
 * where a statement starts (so `IF(a,b,c)`, `DROP TABLE IF EXISTS` and `REPEAT('x', 3)` do
 * not); END closes one and takes the IF/CASE/LOOP/WHILE/REPEAT after it. A word after `.` or
 * `@` is a name, never a keyword. Known limit: an unquoted column named `end` or `begin` used
 * inside a compound body, which the server accepts, is read as a keyword here.
 */
export class CompoundTracker {
  #mode: "deciding" | "plain" | "routine" | "compound" = "deciding";
  #routine = "";
  readonly #blocks: Block[] = [];
  #seen = 0;
  #lead = "";
  #prev: Token | undefined;
  #prev2: Token | undefined;
  #afterEnd = false;
  #repeatOpened = false;
  #returnsSeen = false;
  #bodyStarted = false;

  /** True while a `;` belongs to the statement instead of ending it. */
  get open(): boolean {
    return this.#blocks.length > 0;
  }

  feed(token: Token): void {
    // `/*!50003 CREATE*/ /*!50017 DEFINER=…*/ /*!50003 TRIGGER …`: the markers are transparent.
    if (token.kind === "executable-open" || token.kind === "executable-close") return;
    this.#seen++;
    if (this.#mode === "deciding") this.#decide(token);
    if (this.#mode === "routine" || this.#mode === "compound") this.#track(token);
    this.#prev2 = this.#prev;
    this.#prev = token;
  }

  /** Reads the first words: is this a routine, a top-level compound statement, or plain? */
  #decide(token: Token): void {
    const word = token.kind === "word" ? token.value : "";
    if (this.#seen === 1) {
      this.#lead = word;
      if (OPENERS.has(word)) this.#mode = "compound";
      else if (word === "") this.#mode = "plain";
      return;
    }
    const lead = this.#lead;
    if (lead === "BEGIN") {
      // `BEGIN NOT ATOMIC … END` is a MariaDB block; `BEGIN`/`BEGIN WORK` starts a transaction.
      if (this.#seen === 2 && word === "NOT") return;
      if (this.#seen === 3 && word === "ATOMIC") {
        this.#mode = "compound";
        this.#push("BEGIN");
      } else this.#mode = "plain";
      return;
    }
    if (lead === "CREATE" || lead === "ALTER") {
      if (ROUTINES.has(word) && (lead === "CREATE" || word === "EVENT")) {
        this.#mode = "routine";
        this.#routine = word;
      } else if (OBJECTS.has(word) || this.#seen > 24) {
        this.#mode = "plain";
      }
      return;
    }
    // `label: BEGIN …` at the top level (MariaDB); anything else is a plain statement.
    this.#mode = token.value === ":" ? "compound" : "plain";
  }

  #track(token: Token): void {
    const nameContext = this.#prev !== undefined && (this.#prev.value === "." || this.#prev.value === "@");
    if (token.kind !== "word" || nameContext) {
      this.#afterEnd = false;
      this.#repeatOpened = false;
      return;
    }
    const word = token.value;
    if (this.#afterEnd) {
      this.#afterEnd = false;
      if (END_KINDS.has(word)) return;
    }
    const statementStart = this.#atStatementStart();
    this.#repeatOpened = false;
    switch (word) {
      case "BEGIN":
      case "LOOP":
      case "WHILE":
        this.#push(word);
        break;
      case "CASE":
        this.#push(statementStart ? "CASE" : "CASE-EXPRESSION");
        break;
      case "IF":
        if (statementStart) this.#push("IF");
        break;
      case "REPEAT":
        if (statementStart) {
          this.#push("REPEAT");
          this.#repeatOpened = true;
        }
        break;
      case "END":
        this.#blocks.pop();
        this.#afterEnd = true;
        break;
      case "RETURNS":
        if (this.#routine === "FUNCTION" && !this.#bodyStarted) this.#returnsSeen = true;
        break;
      case "RETURN":
        this.#bodyStarted = true;
        break;
    }
  }

  #push(block: Block): void {
    this.#blocks.push(block);
    this.#bodyStarted = true;
  }

  /** Whether the current token stands where a statement of a compound body may start. */
  #atStatementStart(): boolean {
    const prev = this.#prev;
    if (prev === undefined) return true;
    if (prev.value === ";" || prev.value === ":") return true;
    if (prev.kind === "word") {
      if (AFTER_THESE.has(prev.value)) return true;
      if (prev.value === "REPEAT") return this.#repeatOpened;
      if (prev.value === "THEN" || prev.value === "ELSE") return this.#blocks.at(-1) !== "CASE-EXPRESSION";
    }
    if (this.#mode !== "routine" || this.#bodyStarted) return false;
    // Still in the routine's header: its body starts after the parameter list, a
    // characteristic, FOR EACH ROW [FOLLOWS|PRECEDES name], or (functions) the RETURNS type.
    if (this.#returnsSeen) return true;
    if (prev.value === ")" || prev.kind === "string") return true;
    if (prev.kind === "word" && HEADER_ENDS.has(prev.value)) return true;
    return this.#prev2?.kind === "word" && (this.#prev2.value === "FOLLOWS" || this.#prev2.value === "PRECEDES");
  }
}

type Block = "BEGIN" | "LOOP" | "WHILE" | "REPEAT" | "IF" | "CASE" | "CASE-EXPRESSION";

/** First words that make a top-level compound statement (MariaDB runs these outside routines). */
const OPENERS = new Set(["IF", "CASE", "LOOP", "WHILE", "REPEAT"]);
const ROUTINES = new Set(["PROCEDURE", "FUNCTION", "TRIGGER", "EVENT", "PACKAGE"]);
/** Objects whose CREATE/ALTER is never a compound statement. */
const OBJECTS = new Set(["TABLE", "VIEW", "INDEX", "DATABASE", "SCHEMA", "USER", "ROLE", "SERVER", "SEQUENCE", "TABLESPACE", "UNIQUE", "FULLTEXT", "SPATIAL", "TEMPORARY", "LOGFILE", "RESOURCE", "ONLINE", "IGNORE"]);
const END_KINDS = new Set(["IF", "CASE", "LOOP", "WHILE", "REPEAT"]);
/** Words after which a statement of a compound body starts. */
const AFTER_THESE = new Set(["BEGIN", "ATOMIC", "DO", "LOOP", "SQLEXCEPTION", "SQLWARNING", "FOUND"]);
/** Header words a routine body may directly follow. */
const HEADER_ENDS = new Set(["ROW", "DETERMINISTIC", "SQL", "DATA", "INVOKER", "DEFINER"]);
