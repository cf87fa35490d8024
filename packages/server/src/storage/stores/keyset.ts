import type { ExpressionBuilder } from 'kysely';
import type { CursorKey } from '../cursor.js';

/** `(created_at, id) < (cursor)` in a form both dialects accept. */
export function before(eb: ExpressionBuilder<any, any>, c: CursorKey) {
  return eb.or([
    eb('created_at', '<', c.createdAt),
    eb.and([eb('created_at', '=', c.createdAt), eb('id', '<', c.id)]),
  ]);
}
