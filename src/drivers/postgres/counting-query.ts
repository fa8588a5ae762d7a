import type pg from "pg";

/** What pg hands a submittable: the connection's simple-query and COPY calls we use. */
interface Connection {
  query(text: string): void;
  sendCopyFail(message: string): void;
}

/** A server error with the statements of the text that completed before it. */
export interface CountedFailure {
  error: unknown;
  completed: number;
}

/**
 * Sends SQL text through the simple query protocol (several statements in one round trip, as
 * psql and Prisma do) and counts the statements that completed, so a failure can name the
 * statement it stopped at even when the server gives no position (a unique violation, a
 * RAISE in a DO block). A pg "submittable", the extension point pg-cursor uses.
 */
export function countingQuery(client: pg.Client, text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let completed = 0;
    const submittable = {
      submit: (connection: Connection) => {
        connection.query(text);
      },
      handleRowDescription: () => undefined,
      handleDataRow: () => undefined,
      handlePortalSuspended: () => undefined,
      handleEmptyQuery: () => undefined,
      handleCommandComplete: () => void completed++,
      // `COPY … FROM STDIN` has no data in a migration script: refuse it as pg's own Query does.
      handleCopyInResponse: (connection: Connection) => connection.sendCopyFail("COPY FROM STDIN is not supported in a migration script"),
      handleCopyData: () => undefined,
      handleError: (error: unknown) => reject({ error, completed } satisfies CountedFailure),
      handleReadyForQuery: () => resolve(completed),
    };
    try {
      client.query(submittable as unknown as pg.QueryConfig);
    } catch (error) {
      reject({ error, completed } satisfies CountedFailure);
    }
  });
}
