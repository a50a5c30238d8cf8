import { describe, expect, it } from 'vitest';
import { type ClaimCandidate, type CandidateQuery, fairClaim, pickFair } from './webhook-outbox.js';

/** `n` candidates of one account and host, ids from `first` on. */
const rows = (accountId: number, host: string, n: number, first: number): ClaimCandidate[] =>
  Array.from({ length: n }, (_, i) => ({ id: first + i, accountId, destination: `${accountId}|${host}` }));

const emptyLoad = () => ({ byDestination: new Map<string, number>(), byAccount: new Map<number, number>() });

describe('pickFair', () => {
  it('takes accounts in turn, whoever has the older backlog', () => {
    // Account 1's 30 rows are all older than account 2's 3.
    const candidates = [...rows(1, 'a:1', 30, 1), ...rows(2, 'b:1', 3, 100)];
    const { ids } = pickFair(candidates, 6, { perAccount: 100, perDestination: 100 }, emptyLoad());
    expect(ids).toEqual([1, 100, 2, 101, 3, 102]);
  });

  it('takes an account’s destinations in turn', () => {
    const candidates = [...rows(1, 'a:1', 5, 1), ...rows(1, 'a:2', 5, 10), ...rows(1, 'a:3', 5, 20)];
    const { ids } = pickFair(candidates, 6, { perAccount: 100, perDestination: 100 }, emptyLoad());
    expect(ids).toEqual([1, 10, 20, 2, 11, 21]);
  });

  it('caps one account over all its destinations, counting those in flight, and reports it full', () => {
    // 20 hosts of account 1 (each below the per-destination cap), then one healthy host of account 2.
    const candidates = [
      ...Array.from({ length: 20 }, (_, h) => rows(1, `hang:${h}`, 2, 100 + h * 2)).flat(),
      ...rows(2, 'ok:1', 10, 1000),
    ];
    const load = emptyLoad();
    load.byAccount.set(1, 2);
    const picked = pickFair(candidates, 64, { perAccount: 4, perDestination: 4 }, load);
    expect(picked.ids.filter((id) => id < 1000)).toHaveLength(2);
    expect(picked.ids.filter((id) => id >= 1000)).toHaveLength(4);
    expect(picked.fullAccounts.sort()).toEqual([1, 2]);
    expect(load.byAccount.get(1)).toBe(4);
    expect(load.byAccount.get(2)).toBe(4);
  });

  it('still caps each destination and reports it full', () => {
    const candidates = [...rows(1, 'a:1', 5, 1), ...rows(1, 'a:2', 1, 10)];
    const load = emptyLoad();
    load.byDestination.set('1|a:1', 1);
    const picked = pickFair(candidates, 10, { perAccount: 100, perDestination: 2 }, load);
    expect(picked.ids).toEqual([1, 10]);
    expect(picked.fullDestinations).toEqual(['1|a:1']);
    expect(picked.fullAccounts).toEqual([]);
  });

  it('stops at the limit', () => {
    const candidates = [...rows(1, 'a:1', 5, 1), ...rows(2, 'b:1', 5, 10)];
    expect(pickFair(candidates, 3, { perAccount: 100, perDestination: 100 }, emptyLoad()).ids).toHaveLength(3);
  });
});

describe('fairClaim', () => {
  /** Runs a claim against an oldest-first "database" that honours each round's exclusions. */
  function run(
    table: readonly ClaimCandidate[],
    input: Parameters<typeof fairClaim>[0],
  ): { ids: number[]; queries: CandidateQuery[] } {
    const queries: CandidateQuery[] = [];
    const rounds = fairClaim(input);
    let round = rounds.next();
    while (round.done !== true) {
      const q = round.value;
      queries.push(q);
      const answer = table
        .filter(
          (c) =>
            !q.excluded.includes(c.destination) &&
            !q.excludedAccounts.includes(c.accountId) &&
            !q.chosen.includes(c.id),
        )
        .slice(0, q.want);
      round = rounds.next(answer);
    }
    return { ids: round.value, queries };
  }

  it('asks one round only when told not to look past full accounts (the walk of their backlog)', () => {
    const table = [...rows(1, 'a:1', 200, 1), ...rows(2, 'b:1', 3, 10_000)];
    const input = { limit: 32, perAccount: 8, perDestination: 100, inFlight: emptyLoad() };
    const oneRound = run(table, { ...input, lookPastFull: false });
    expect(oneRound.queries).toHaveLength(1);
    expect(oneRound.ids).toHaveLength(8);
    const full = run(table, input);
    expect(full.queries.length).toBeGreaterThan(1);
    expect(full.ids.filter((id) => id >= 10_000)).toHaveLength(3);
  });

  it('finds another account’s rows behind one account’s backlog by excluding the full account', () => {
    // Account 1 has 500 older rows over 25 hosts: a candidate page holds only its rows.
    const table = [
      ...Array.from({ length: 25 }, (_, h) => rows(1, `hang:${h}`, 20, 1 + h * 20)).flat(),
      ...rows(2, 'ok:1', 3, 10_000),
    ];
    const { ids, queries } = run(table, {
      limit: 32,
      perAccount: 8,
      perDestination: 4,
      inFlight: emptyLoad(),
    });
    expect(ids.filter((id) => id >= 10_000).sort()).toEqual([10_000, 10_001, 10_002]);
    expect(ids.filter((id) => id < 10_000)).toHaveLength(8);
    expect(queries[1]?.excludedAccounts).toEqual([1]);
  });

  it('excludes accounts already full from the first query', () => {
    const load = emptyLoad();
    load.byAccount.set(1, 8);
    const { queries } = run(rows(2, 'ok:1', 1, 1), { limit: 4, perAccount: 8, perDestination: 4, inFlight: load });
    expect(queries[0]?.excludedAccounts).toEqual([1]);
  });
});
