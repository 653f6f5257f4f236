import type { EntityTarget, ObjectLiteral } from 'typeorm';
import type { Tx } from './database';

/** A value for a LIKE pattern, with LIKE's own characters (\, %, _) escaped. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Inserts many rows of an entity in multi-row INSERTs (`chunk` rows each) in the caller's
 * transaction, as TypeORM would write them (column names, transformers, JSON and dates through
 * the driver), without TypeORM's per-parameter query building, which grows with the square of
 * the rows. Every row has the first row's properties; an omitted version column starts at 1,
 * other omitted columns take their database default. Returns the first generated id of each
 * INSERT (the ids of one multi-row INSERT are consecutive in InnoDB).
 */
export async function insertMany<T extends ObjectLiteral>(tx: Tx, target: EntityTarget<T>, rows: T[], chunk = 2_000): Promise<number[]> {
  if (!rows.length) return [];
  const metadata = tx.connection.getMetadata(target);
  const columns = metadata.columns.filter((c) => c.isVersion || (!c.isGenerated && c.getEntityValue(rows[0]) !== undefined));
  const driver = tx.connection.driver;
  const firstIds: number[] = [];
  const sql = `INSERT INTO ${driver.escape(metadata.tableName)} (${columns.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES ?`;
  for (let i = 0; i < rows.length; i += chunk) {
    const values = rows.slice(i, i + chunk).map((row) => columns.map((c) => (c.isVersion && c.getEntityValue(row) === undefined ? 1 : driver.preparePersistentValue(c.getEntityValue(row), c))));
    const result = (await tx.query(sql, [values])) as { insertId: number };
    firstIds.push(Number(result.insertId));
  }
  return firstIds;
}
