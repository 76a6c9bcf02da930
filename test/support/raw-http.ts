/** HTTP/1.1 written by hand on a TCP socket: request targets no client library would send. */
import net from 'node:net';

export interface RawAnswer {
  /** 0 when the connection closed without a status line. */
  status: number;
  body: string;
}

/** Sends `head` (request line and headers, CRLF-separated, without the blank line) and `body`. */
export function rawRequest(port: number, head: string, body = ''): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      const split = text.indexOf('\r\n\r\n');
      resolve({
        status: status === undefined ? 0 : Number(status),
        body: split === -1 ? '' : text.slice(split + 4),
      });
    });
    const length = Buffer.byteLength(body);
    // Written, not ended: a half-closed socket would abort a request the server is still delaying.
    // `Connection: close` makes the server close it after its answer.
    socket.write(`${head}\r\nConnection: close\r\nContent-Length: ${String(length)}\r\n\r\n${body}`);
  });
}
