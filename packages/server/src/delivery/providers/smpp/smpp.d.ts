/**
 * The part of the `smpp` package (0.5.x, no bundled types) that Tapback uses: its PDU codec and its
 * client and server sessions. Only `smpp-session.ts` and the test SMSC import it, so the library can
 * be replaced behind `SmppSession`.
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  namespace smpp {
    /** A decoded PDU: header fields plus the command's parameters and TLVs by their spec names. */
    interface PDU {
      command: string;
      command_id: number;
      command_status: number;
      sequence_number: number;
      [field: string]: unknown;
      isResponse(): boolean;
      response(options?: Record<string, unknown>): PDU;
    }

    interface SessionOptions {
      host?: string;
      port?: number;
      tls?: boolean;
      rejectUnauthorized?: boolean;
      socket?: Socket;
    }

    class Session extends EventEmitter {
      constructor(options: SessionOptions);
      socket: Socket;
      /** Sends a PDU; false when the socket is no longer writable. */
      send(pdu: PDU, onResponse?: (resp: PDU) => void): boolean;
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
      /** Stops emitting received PDUs (they wait in the socket's buffer) until `resume`. */
      pause(): void;
      resume(): void;
      [command: string]: unknown;
    }

    interface Server extends NetServer {
      sessions: Session[];
    }

    const PDU: new (command: string, options?: Record<string, unknown>) => PDU;
    const commands: Record<string, { id: number; params?: Record<string, { filter?: unknown }> }>;
    const tlvs: Record<string, { id: number; filter?: unknown }>;
    const errors: Record<string, number>;
    /** GSM 03.38 (one septet per octet) with the extension table; `table` 0 = the default one. */
    const gsmCoder: { encode(text: string, table: number): Buffer };

    function connect(options: SessionOptions, listener?: () => void): Session;
    function createServer(options: Record<string, unknown>, listener?: (session: Session) => void): Server;
  }

  export = smpp;
}
