/** The database as a whole, for the process's life cycle: a liveness query and closing the client. */
import { closeDb, rawDb } from "../db.server";

/** One trivial query: opens the database (applying migrations, idempotent) and throws when it cannot. */
export function pingDatabase(): void {
  rawDb().prepare("SELECT 1").get();
}

/** Closes the process's database client (shutdown). */
export function closeDatabase(): Promise<void> {
  return closeDb();
}
