// The SMPP benchmark's baseline: the `smpp` client alone, on one bind, keeping `window` submit_sm
// outstanding, submitting `count` messages and waiting for every delivery receipt. Prints
// { count, seconds, perSec } as JSON.
// Usage: node bench/lib/smpp-client.mjs <port> <count> <window>
import smpp from 'smpp';

const [port, count, window] = process.argv.slice(2).map(Number);
const session = smpp.connect({ url: `smpp://127.0.0.1:${port}` });
session.on('error', (e) => {
  console.error(e);
  process.exit(1);
});
await new Promise((resolve, reject) =>
  session.bind_transceiver({ system_id: 'bench', password: 'bench' }, (pdu) =>
    pdu.command_status === 0 ? resolve() : reject(new Error(`bind failed: ${pdu.command_status}`)),
  ),
);
let receipts = 0;
let done;
const finished = new Promise((resolve) => (done = resolve));
session.on('deliver_sm', (pdu) => {
  session.send(pdu.response());
  if (++receipts === count) done();
});
const started = performance.now();
let submitted = 0;
let outstanding = 0;
await new Promise((resolve) => {
  const pump = () => {
    while (outstanding < window && submitted < count) {
      outstanding++;
      submitted++;
      session.submit_sm(
        {
          source_addr_ton: 1,
          source_addr_npi: 1,
          source_addr: '15550003000',
          dest_addr_ton: 1,
          dest_addr_npi: 1,
          destination_addr: '14155550100',
          registered_delivery: 1,
          short_message: 'Benchmark message',
        },
        () => {
          outstanding--;
          if (submitted === count && outstanding === 0) resolve();
          else pump();
        },
      );
    }
  };
  pump();
});
await finished;
const seconds = (performance.now() - started) / 1000;
session.close();
console.log(JSON.stringify({ count, seconds, perSec: Math.round(count / seconds) }));
process.exit(0);
