import { type Plan, type QB, first, run } from './query-plan.js';

/** Per-line call forwarding (CallForwardingPort); a line without a row forwards nowhere. */

export function* getCallForwarding(q: QB, accountId: number, lineId: number): Plan<string | null> {
  const row = yield* first(
    q
      .selectFrom('call_forwarding')
      .select('forwarding_number')
      .where('line_id', '=', lineId)
      .where('account_id', '=', accountId),
  );
  return row?.forwarding_number ?? null;
}

export function* setCallForwarding(
  q: QB,
  input: { accountId: number; lineId: number; forwardingNumber: string; now: number },
): Plan<string> {
  yield* run(
    q
      .insertInto('call_forwarding')
      .values({
        line_id: input.lineId,
        account_id: input.accountId,
        forwarding_number: input.forwardingNumber,
        updated_at: input.now,
      })
      .onConflict((oc) =>
        oc.column('line_id').doUpdateSet((eb) => ({
          forwarding_number: eb.ref('excluded.forwarding_number'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      ),
  );
  return input.forwardingNumber;
}

export function* clearCallForwarding(q: QB, accountId: number, lineId: number): Plan<void> {
  yield* run(q.deleteFrom('call_forwarding').where('line_id', '=', lineId).where('account_id', '=', accountId));
}
