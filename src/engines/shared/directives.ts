/** First-line directive that runs a migration file outside a transaction. */
export const NO_TRANSACTION_DIRECTIVE = "-- stagecraft:no-transaction";

export function hasNoTransactionDirective(script: string): boolean {
  return script.replace(/^\uFEFF/, "").trimStart().split("\n", 1)[0]?.trim() === NO_TRANSACTION_DIRECTIVE;
}
