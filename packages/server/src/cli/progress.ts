/**
 * Rows copied per table, on stderr, for long commands: rewritten in place on a terminal, one line
 * per table (and every 10,000 rows) when asked for elsewhere (`--progress`).
 */
export interface TableProgress {
  update(table: string, rows: number): void;
  /** Ends the last table's line. */
  done(): void;
}

export function tableProgress(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): TableProgress {
  if (!enabled) return { update: () => undefined, done: () => undefined };
  const tty = stream.isTTY === true;
  let current: { table: string; rows: number } | undefined;
  let printed = 0;
  const finish = (): void => {
    if (current === undefined) return;
    if (tty) stream.write('\n');
    else if (printed !== current.rows) stream.write(`  ${current.table}: ${current.rows} rows copied\n`);
  };
  return {
    update(table, rows) {
      if (current?.table !== table) {
        finish();
        printed = 0;
      }
      current = { table, rows };
      if (tty) stream.write(`\r  ${table}: ${rows} rows copied`);
      else if (rows - printed >= 10_000) {
        stream.write(`  ${table}: ${rows} rows copied\n`);
        printed = rows;
      }
    },
    done() {
      finish();
      current = undefined;
    },
  };
}
