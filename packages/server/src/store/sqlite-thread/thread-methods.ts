import { PORT_METHODS } from '../compose-store.js';

/**
 * What the SQLite thread runs: every port method but the live account events' (a SQLite file has
 * one server process, so its event fan-out is in memory and stays with the streams it feeds),
 * and the lifecycle of the file.
 */
export const EVENT_METHODS: readonly string[] = PORT_METHODS.events;

/** Listeners for other processes' commits: SQLite has no other processes, so the store has none. */
const CROSS_PROCESS = new Set(['onJobsAvailable', 'onMessagesStored']);

export const THREAD_METHODS: ReadonlySet<string> = new Set([
  ...Object.entries(PORT_METHODS)
    .filter(([port]) => port !== 'events')
    .flatMap(([, names]) => names as readonly string[])
    .filter((name) => !CROSS_PROCESS.has(name)),
  'migrate',
  'close',
  'migrationLevel',
  'startBackgroundWork',
  'durability',
  'databaseVersion',
]);
