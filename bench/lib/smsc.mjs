// A minimal SMSC for the SMPP benchmark, in a process of its own: binds any transceiver, answers
// every submit_sm at once with a hex message id, and sends its delivery receipt (DELIVRD, the id
// in decimal, as many SMSCs write it) right after. Prints `listening on port N` when ready.
import smpp from 'smpp';

let nextId = 0x10000000;
const server = smpp.createServer({}, (session) => {
  session.on('error', () => undefined);
  session.on('pdu', (pdu) => {
    if (pdu.command === 'bind_transceiver' || pdu.command === 'bind_transmitter' || pdu.command === 'bind_receiver') {
      session.send(pdu.response({ system_id: 'bench' }));
    } else if (pdu.command === 'enquire_link') {
      session.send(pdu.response());
    } else if (pdu.command === 'unbind') {
      session.send(pdu.response(), () => session.close());
    } else if (pdu.command === 'submit_sm') {
      const id = nextId++;
      session.send(pdu.response({ message_id: id.toString(16).toUpperCase() }));
      if ((pdu.registered_delivery & 0x03) === 0) return;
      const stamp = '2611300000';
      session.send(
        new smpp.PDU('deliver_sm', {
          source_addr_ton: pdu.dest_addr_ton,
          source_addr: pdu.destination_addr,
          dest_addr_ton: pdu.source_addr_ton,
          destination_addr: pdu.source_addr,
          esm_class: 0x04,
          short_message: `id:${id} sub:001 dlvrd:001 submit date:${stamp} done date:${stamp} stat:DELIVRD err:000 text:`,
        }),
      );
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening on port ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
