// Network helpers: a free loopback TCP port (for embedded servers: the demo's Postgres, tests,
// the bench), and the error codes of a connection lost or out of reach (whatever the protocol).
import net from 'node:net';

/** Node's error codes for a connection lost, refused or out of reach: the next attempt may well succeed. */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH',
  'EAI_AGAIN', 'ERR_SOCKET_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE',
]);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
