/**
 * Starts and drives `net-smpp-smsc.pl`, an SMSC on Perl's Net::SMPP (Debian libnet-smpp-perl):
 * an independent SMPP 3.4 codec for tests. The script prints what it saw on stdout and takes
 * commands on stdin (see its header).
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const SCRIPT = fileURLToPath(new URL('./net-smpp-smsc.pl', import.meta.url));

export interface NetSmppSubmit {
  /** The id, as a number: hex in submit_sm_resp, decimal in the receipt. */
  id: number;
  destAddr: string;
  dataCoding: number;
  esmClass: number;
  shortMessage: Buffer;
}

export class NetSmppSmsc {
  readonly submits: NetSmppSubmit[] = [];
  readonly binds: string[] = [];
  readonly deliverResponses = new Map<number, number>();
  readonly lines: string[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly port: number,
  ) {}

  static async start(): Promise<NetSmppSmsc> {
    const child = spawn('perl', [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines = createInterface({ input: child.stdout });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      lines.once('line', (line) => {
        const m = /^listening (\d+)$/.exec(line);
        if (m) resolve(Number(m[1]));
        else reject(new Error(`net-smpp-smsc.pl: ${line}`));
      });
      child.once('exit', (code) => reject(new Error(`net-smpp-smsc.pl exited (${code}): ${stderr}`)));
    });
    const smsc = new NetSmppSmsc(child, port);
    lines.on('line', (line) => smsc.record(line));
    return smsc;
  }

  url(query = ''): string {
    return `smpp://tapback:secret@127.0.0.1:${this.port}${query ? `?${query}` : ''}`;
  }

  /** Sends an MO deliver_sm and resolves with the client's deliver_sm_resp command_status. */
  async mo(from: string, to: string, body: Buffer, dataCoding = 0, esmClass = 0): Promise<number> {
    const before = this.lines.length;
    this.child.stdin.write(`mo ${from} ${to} ${dataCoding} ${esmClass} ${body.toString('hex')}\n`);
    await this.until(() => this.lines.slice(before).some((l) => l.startsWith('sent_mo ') || l.startsWith('error')));
    const sent = this.lines.slice(before).find((l) => l.startsWith('sent_mo ') || l.startsWith('error'))!;
    if (sent.startsWith('error')) throw new Error(sent);
    const seq = Number(sent.split(' ')[1]);
    await this.until(() => this.deliverResponses.has(seq));
    return this.deliverResponses.get(seq)!;
  }

  /** Closes every client connection; the SMSC keeps listening. */
  async drop(): Promise<void> {
    const before = this.lines.length;
    this.child.stdin.write('drop\n');
    await this.until(() => this.lines.slice(before).includes('closed'));
  }

  until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`net-smpp-smsc: timed out; saw ${JSON.stringify(this.lines.slice(-5))}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end('quit\n');
    await exited;
  }

  private record(line: string): void {
    this.lines.push(line);
    const [kind, ...rest] = line.split(' ');
    if (kind === 'bound') this.binds.push(rest[0]!);
    if (kind === 'submit') {
      const [id, dest, dcs, esm, hex] = rest;
      this.submits.push({
        id: Number(id),
        destAddr: dest!,
        dataCoding: Number(dcs),
        esmClass: Number(esm),
        shortMessage: Buffer.from(hex ?? '', 'hex'),
      });
    }
    if (kind === 'deliver_sm_resp') this.deliverResponses.set(Number(rest[0]), Number(rest[1]));
    for (const w of [...this.waiters]) w();
  }
}
