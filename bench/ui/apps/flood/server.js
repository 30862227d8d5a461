// Prints RATE lines a second for SECONDS seconds to stdout when /flood is requested; the UI benchmark watches
// the Logs view while it does.
const http = require('node:http');

http
  .createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname !== '/flood') return res.end('ok');
    const rate = Number(url.searchParams.get('rate') || 10000);
    const seconds = Number(url.searchParams.get('seconds') || 10);
    const perTick = rate / 100;
    let tick = 0;
    let n = 0;
    const timer = setInterval(() => {
      let chunk = '';
      for (let i = 0; i < perTick; i++) chunk += `flood ${n++} {"level":"info","seq":${n}}\n`;
      process.stdout.write(chunk);
      if (++tick >= seconds * 100) {
        clearInterval(timer);
        res.end(String(n));
      }
    }, 10);
  })
  .listen(process.env.PORT);
