// Peer for `bench.compare`: Node socket.io with the Redis adapter (nothing persisted).
//
//   node bench/baselines/node/server.js --port 8301 --redis redis://127.0.0.1:6379/0
//
// A client connects to the main namespace, emits `subscribe` {channel} (acknowledged) to join
// that room; `POST /publish` {channel, n, ts} emits `event` {offset: n, ts} to the room through
// the Redis adapter, so every node delivers it from Redis pub/sub. `GET /readyz` answers 200.
"use strict";

const http = require("node:http");
const { Server } = require("socket.io");
const { createAdapter } = require("@socket.io/redis-adapter");
const { createClient } = require("redis");

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function main() {
  const port = Number(arg("port", "8301"));
  const redisUrl = arg("redis", "redis://127.0.0.1:6379/0");
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);

  let io;
  const server = http.createServer((req, res) => {
    if (req.method === "POST" && req.url === "/publish") {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        const msg = JSON.parse(Buffer.concat(chunks));
        io.to(msg.channel).emit("event", { offset: msg.n, ts: msg.ts });
        res.writeHead(204).end();
      });
    } else if (req.url === "/readyz") {
      res.writeHead(200, { "content-length": "0" }).end();
    } else {
      res.writeHead(404, { "content-length": "0" }).end();
    }
  });
  io = new Server(server, { transports: ["websocket"], perMessageDeflate: false });
  io.adapter(createAdapter(pub, sub));
  io.on("connection", (socket) => {
    socket.on("subscribe", (data, ack) => {
      socket.join(data.channel);
      if (typeof ack === "function") ack({ ok: true });
    });
  });
  server.listen(port, "127.0.0.1", 4096);
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
