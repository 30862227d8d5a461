// The smallest iisnode-style app: listen on process.env.PORT (a pipe path under Cloudbench and iisnode).
const http = require('node:http');

let served = 0;
http
  .createServer((req, res) => {
    served++;
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`Hello from worker ${process.pid} (request ${served} it served)\n`);
  })
  .listen(process.env.PORT || 3000);
