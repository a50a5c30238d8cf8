import type { MessageQuery, OrderBy } from './store.js';

/**
 * Builds the WHERE and ORDER BY of a message list query. Shared by the SQL backends: the only
 * dialect difference, the placeholder style, is passed in as data.
 */
export interface SqlFragment {
  where: string;
  orderBy: string;
  params: unknown[];
}

const ORDER_COLUMNS: Record<OrderBy, string> = {
  createdAt: 'm.created_at',
  updatedAt: 'm.updated_at',
  sentAt: 'm.sent_at',
};

export function buildMessageFilter(
  accountId: number,
  q: MessageQuery,
  placeholder: (index: number) => string,
  booleanValue: (b: boolean) => unknown,
): SqlFragment {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown): void => {
    params.push(value);
    clauses.push(sql(placeholder(params.length)));
  };
  add((p) => `m.account_id = ${p}`, accountId);
  if (q.status !== undefined) add((p) => `m.status = ${p}`, q.status);
  if (q.service !== undefined) add((p) => `m.service = ${p}`, q.service);
  if (q.isOutbound !== undefined) add((p) => `m.is_outbound = ${p}`, booleanValue(q.isOutbound));
  if (q.messageType !== undefined) add((p) => `m.message_type = ${p}`, q.messageType);
  if (q.number !== undefined) {
    params.push(q.number);
    const p = placeholder(params.length);
    params.push(q.number);
    const p2 = placeholder(params.length);
    clauses.push(`(m.number = ${p} OR m.sendblue_number = ${p2})`);
  }
  if (q.fromNumber !== undefined) add((p) => `m.from_number = ${p}`, q.fromNumber);
  if (q.toNumber !== undefined) add((p) => `m.to_number = ${p}`, q.toNumber);
  if (q.sendblueNumber !== undefined) add((p) => `m.sendblue_number = ${p}`, q.sendblueNumber);
  if (q.groupId !== undefined) add((p) => `m.group_id = ${p}`, q.groupId);
  if (q.createdAtGte !== undefined) add((p) => `m.created_at >= ${p}`, q.createdAtGte);
  if (q.createdAtLte !== undefined) add((p) => `m.created_at <= ${p}`, q.createdAtLte);
  if (q.sentAtGte !== undefined) add((p) => `m.sent_at >= ${p}`, q.sentAtGte);
  if (q.sentAtLte !== undefined) add((p) => `m.sent_at <= ${p}`, q.sentAtLte);
  if (q.updatedAtGte !== undefined) add((p) => `m.updated_at >= ${p}`, q.updatedAtGte);
  if (q.updatedAtLte !== undefined) add((p) => `m.updated_at <= ${p}`, q.updatedAtLte);
  const dir = q.orderDirection === 'asc' ? 'ASC' : 'DESC';
  // The id breaks ties, so pages never overlap or skip rows that share a timestamp.
  return { where: clauses.join(' AND '), orderBy: `${ORDER_COLUMNS[q.orderBy]} ${dir}, m.id ${dir}`, params };
}
