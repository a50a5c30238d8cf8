import type { LineEventMode, LineEventSource } from '../ports/network-chats-port.js';
import { type Plan, type QB, all, first, run } from './query-plan.js';

/** Network chats mapped to groups, and how lines' network events arrive (NetworkChatsPort). */

export function* findNetworkChat(q: QB, line: string, chatId: string): Plan<string | undefined> {
  const row = yield* first(
    q.selectFrom('network_chats').select('group_id').where('line', '=', line).where('chat_id', '=', chatId),
  );
  return row?.group_id;
}

export function* findNetworkChatOfGroup(q: QB, line: string, groupId: string): Plan<string | undefined> {
  const row = yield* first(
    q
      .selectFrom('network_chats')
      .select('chat_id')
      .where('line', '=', line)
      .where('group_id', '=', groupId)
      .orderBy('created_at')
      .orderBy('chat_id')
      .limit(1),
  );
  return row?.chat_id;
}

export function* linkNetworkChat(
  q: QB,
  input: { line: string; chatId: string; accountId: number; groupId: string; now: number },
): Plan<string> {
  yield* run(
    q
      .insertInto('network_chats')
      .values({
        line: input.line,
        chat_id: input.chatId,
        account_id: input.accountId,
        group_id: input.groupId,
        created_at: input.now,
      })
      .onConflict((oc) => oc.columns(['line', 'chat_id']).doNothing()),
  );
  return (yield* findNetworkChat(q, input.line, input.chatId)) ?? input.groupId;
}

export function* setLineEventMode(
  q: QB,
  input: { line: string; mode: LineEventMode; detail: string | null; now: number },
): Plan<void> {
  yield* run(
    q
      .insertInto('line_event_sources')
      .values({
        line: input.line,
        mode: input.mode,
        detail: input.detail,
        changed_at: input.now,
        last_webhook_at: null,
      })
      .onConflict((oc) =>
        oc.column('line').doUpdateSet((eb) => ({
          mode: eb.ref('excluded.mode'),
          detail: eb.ref('excluded.detail'),
          changed_at: eb
            .case()
            .when('line_event_sources.mode', '=', eb.ref('excluded.mode'))
            .then(eb.ref('line_event_sources.changed_at'))
            .else(eb.ref('excluded.changed_at'))
            .end(),
        })),
      ),
  );
}

export function* noteLineWebhook(q: QB, line: string, now: number): Plan<void> {
  yield* run(
    q
      .insertInto('line_event_sources')
      .values({ line, mode: 'webhook', detail: null, changed_at: now, last_webhook_at: now })
      .onConflict((oc) => oc.column('line').doUpdateSet({ last_webhook_at: now })),
  );
}

export function* listLineEventSources(q: QB, lines?: readonly string[]): Plan<LineEventSource[]> {
  if (lines !== undefined && lines.length === 0) return [];
  let query = q.selectFrom('line_event_sources').select(['line', 'mode', 'detail', 'changed_at', 'last_webhook_at']);
  if (lines !== undefined) query = query.where('line', 'in', [...lines]);
  const found = yield* all(query.orderBy('line'));
  return found.map((r) => ({
    line: r.line,
    mode: r.mode === 'polling' ? 'polling' : 'webhook',
    detail: r.detail,
    changedAt: r.changed_at,
    lastWebhookAt: r.last_webhook_at,
  }));
}
