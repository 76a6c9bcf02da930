/**
 * The no-op sink: reads every request body and answers `{}`, doing nothing else. What a receiver
 * costs at the least, so that a sender's numbers against it are the sender's own.
 * Prints `listening on <url>` when ready.
 */
import { createServer } from 'node:http';

const server = createServer((request, response) => {
  request.on('data', () => undefined);
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
    response.end('{}');
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  process.stdout.write(`listening on http://127.0.0.1:${String(address.port)}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
