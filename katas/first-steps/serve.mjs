// A tiny web server for the first-steps kata: serves the files of the current folder on a free
// port of 127.0.0.1, writes that port to ./port, logs each request, and says goodbye on Ctrl-C.
import { createServer } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';

const server = createServer(async (request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '') || 'index.html';
  try {
    const body = await readFile(join(process.cwd(), path));
    response.writeHead(200, { 'content-type': path.endsWith('.html') ? 'text/html' : 'text/plain' }).end(body);
    console.log(`${request.method} /${path} 200`);
  } catch {
    response.writeHead(404).end('not found\n');
    console.log(`${request.method} /${path} 404`);
  }
});

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  await writeFile('port', `${port}\n`);
  console.log(`serving ${process.cwd()} on http://127.0.0.1:${port}/`);
});

process.on('SIGINT', () => {
  console.log('server stopped');
  server.close(() => process.exit(0));
});
