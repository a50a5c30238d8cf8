import { MESSAGE_FIELD_LIST } from '../domain/message-fields.js';

/**
 * A message's columns as every read selects them, the same SQL in both dialects: the row, and the
 * fields the table reads from its account (`account` in domain/message-fields.ts). Needs
 * `messages m` joined to `accounts a`.
 */
export const MESSAGE_SELECT_COLUMNS = `m.*, ${MESSAGE_FIELD_LIST.flatMap((f) =>
  f.account === undefined ? [] : [`a.${f.account} AS ${f.column}`],
).join(', ')}`;

/** Every message read starts here, followed by its WHERE. */
export const MESSAGE_SELECT = `SELECT ${MESSAGE_SELECT_COLUMNS} FROM messages m JOIN accounts a ON a.id = m.account_id`;
