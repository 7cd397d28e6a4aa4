import { Position, positionFromString, positionToString } from '@arbiter/event-store';
import type { SqlExecutor } from '@arbiter/read-models';

/** Where a store projection has got to: written in the same transaction as its effects. */
export async function readCheckpoint(db: SqlExecutor, projection: string): Promise<Position | 'start'> {
  const [row] = await db.query<{ position: string }>('SELECT position FROM projection_checkpoints WHERE projection = $1', [projection]);
  return row ? positionFromString(row.position) : 'start';
}

export async function writeCheckpoint(db: SqlExecutor, projection: string, position: Position): Promise<void> {
  await db.query(
    `INSERT INTO projection_checkpoints (projection, position, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (projection) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
    [projection, positionToString(position)],
  );
}
