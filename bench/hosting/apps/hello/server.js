// The benchmark's hello-world app: the same file is served by every hosting variant.
// It listens on process.env.PORT, which is a Unix socket path (Cloudbench, nginx upstreams) or a TCP port
// (node:cluster, PM2). On a TCP port it binds 127.0.0.1 only, so the benchmark never listens beyond loopback.
// No signal handlers: a plain app, as most apps are; draining on recycle is the front end's job.
import http from 'node:http';

const body = 'Hello, world!\n';
const headers = { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) };

const server = http.createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});

const port = process.env.PORT ?? '3000';
if (/^\d+$/.test(port)) server.listen(Number(port), '127.0.0.1');
else server.listen(port);
