// The four signaling workloads. Each takes `make(name, host?)`, a factory of protocol clients (clients.mjs), the
// rooms to use, and `server`, which reads the server's CPU time and memory; each returns plain figures.
import { percentile, sleep } from './processes.mjs';

const CANDIDATE = 'candidate:842163049 1 udp 1677729535 127.0.0.1 52000 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag sXc9 network-cost 999';
export const SDP = ('v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n' +
  'a=fingerprint:sha-256 19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04:BB:05:2F:70:9F:04:A9:0E:05:E9:26:33:E8:70:88:A2\r\n')
  .padEnd(4000, 'a=rtpmap:96 VP8/90000\r\n');

export const candidate = (seq) => ({ candidate: { candidate: CANDIDATE, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: String(seq) } });
export const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Opens `perRoom` clients in each room (the first one as the room's host where the server knows hosts) and joins. */
async function seat(make, rooms, perRoom) {
  const pairs = [];
  for (const room of rooms) {
    const members = [];
    for (let i = 0; i < perRoom; i++) {
      const client = make(`p${i}`, i === 0);
      await client.open();
      members.push(client);
    }
    for (const client of members) client.joined = await client.join(room, client.name ?? 'Bench');
    pairs.push(members);
  }
  return pairs;
}

/** Closed loop over pairs: every received message is answered at once; relayed messages per server CPU-second. */
export async function closedLoop(make, rooms, server, { inFlight = 4, warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 2000), measureMs = 6000 } = {}) {
  const pairs = await seat(make, rooms, 2);
  let received = 0;
  for (const [a, b] of pairs) {
    for (const [me, other] of [[a, b], [b, a]]) {
      me.onSignal(() => { received++; me.signal(other.joined.selfId, candidate(received)); });
    }
  }
  for (const [a, b] of pairs) for (let i = 0; i < inFlight; i++) { a.signal(b.joined.selfId, candidate(i)); b.signal(a.joined.selfId, candidate(i)); }
  await sleep(warmupMs);
  const cpu0 = server.cpuSeconds(); const parts0 = server.cpuParts?.(); const n0 = received; const t0 = now();
  await sleep(measureMs);
  const cpu1 = server.cpuSeconds(); const parts1 = server.cpuParts?.(); const n1 = received; const t1 = now();
  for (const pair of pairs) for (const c of pair) c.close();
  const cpu = cpu1 - cpu0;
  // Where the CPU went, per server process (several for a cluster), in seconds.
  const cpuParts = parts0 && Object.fromEntries(Object.entries(parts1).map(([k, v]) => [k, Math.round((v - parts0[k]) * 100) / 100]));
  return { messages: n1 - n0, seconds: (t1 - t0) / 1000, cpuSeconds: cpu, perCpuSecond: (n1 - n0) / cpu, perSecond: (n1 - n0) / ((t1 - t0) / 1000), ...(cpuParts && { cpuParts }) };
}

/** Open loop at a fixed total rate: relay latency percentiles and lost messages. */
export async function fixedRate(make, rooms, server, { rate = 2000, seconds = Number(process.env.BENCH_RATE_SECONDS ?? 10), drainMs = 3000 } = {}) {
  const pairs = await seat(make, rooms, 2);
  const senders = pairs.flatMap(([a, b]) => [[a, b], [b, a]]);
  const sentAt = new Map();
  const latencies = [];
  const steady = []; // sent after the first second: without the warm-up of paths nothing has taken yet
  let start = 0;
  for (const [me] of senders) {
    me.onSignal((from, m) => {
      const seq = m.candidate?.usernameFragment;
      const at = sentAt.get(seq);
      if (at !== undefined) {
        latencies.push(now() - at);
        if (at - start >= 1000) steady.push(now() - at);
        sentAt.delete(seq);
      }
    });
  }
  let seq = 0;
  start = now();
  const tickMs = 5;
  let next = 0;
  while (now() - start < seconds * 1000) {
    const due = Math.floor(((now() - start) / 1000) * rate);
    for (; seq < due; seq++) {
      const [me, other] = senders[next++ % senders.length];
      const id = String(seq);
      sentAt.set(id, now());
      me.signal(other.joined.selfId, candidate(id));
    }
    await sleep(tickMs);
  }
  await sleep(drainMs);
  for (const pair of pairs) for (const c of pair) c.close();
  return { sent: seq, delivered: latencies.length, lost: seq - latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99),
    p99AfterFirstSecond: percentile(steady, 99) };
}

/**
 * Everyone joins at once: `rooms.length` rooms of `perRoom`. Each existing member offers to each newcomer (offer + 21
 * candidates), the newcomer answers (answer + 21 candidates): 44 signals a pair. Join latency and time to quiet.
 */
export async function joinBurst(make, rooms, server, { perRoom = 6, timeoutMs = 60000, warmUpRooms = [] } = {}) {
  const warmUp = warmUpRooms.length ? await joinBurst(make, warmUpRooms, server, { perRoom, timeoutMs }) : undefined;
  const clients = [];
  for (const room of rooms) {
    for (let i = 0; i < perRoom; i++) {
      const c = make(`p${i}`, i === 0);
      c.room = room;
      clients.push(c);
    }
  }
  for (let i = 0; i < clients.length; i += 50) await Promise.all(clients.slice(i, i + 50).map((c) => c.open()));
  const expected = rooms.length * (perRoom * (perRoom - 1) / 2) * 44;
  let received = 0;
  let allDelivered;
  const done = new Promise((resolve) => { allDelivered = resolve; });
  const burst = (c, to, type) => {
    c.signal(to, { description: { type, sdp: SDP } });
    for (let i = 0; i < 21; i++) c.signal(to, candidate(i));
  };
  for (const c of clients) {
    c.onPeerJoined((id) => burst(c, id, 'offer'));
    c.onSignal((from, m) => {
      if (++received === expected) allDelivered();
      if (m.description?.type === 'offer') burst(c, from, 'answer');
    });
  }
  const joinMs = [];
  let failed = 0;
  const cpu0 = server.cpuSeconds();
  const db0 = server.pgCpu?.() ?? 0;
  const start = now();
  await Promise.all(clients.map(async (c) => {
    const t = now();
    try { await c.join(c.room, c.name); joinMs.push(now() - t); } catch { failed++; }
  }));
  const joinedAll = now() - start;
  const timedOut = await Promise.race([done.then(() => false), sleep(timeoutMs).then(() => true)]);
  const quietMs = now() - start;
  const cpuSeconds = server.cpuSeconds() - cpu0;
  const databaseCpuSeconds = (server.pgCpu?.() ?? 0) - db0;
  for (const c of clients) c.close();
  return {
    joins: joinMs.length, failedJoins: failed, joinP50: percentile(joinMs, 50), joinP99: percentile(joinMs, 99),
    joinedAllMs: joinedAll, signals: received, expected, lost: expected - received, completeMs: timedOut ? NaN : quietMs,
    cpuSeconds, databaseCpuSeconds, ...(warmUp && { warmUp: { joinP99: warmUp.joinP99, completeMs: warmUp.completeMs, lost: warmUp.lost } }),
  };
}

/** Many idle connections (joined in rooms where the server has rooms): memory per connection and idle CPU. */
export async function idle(make, rooms, server, { connections = 1000, perRoom = 5, settleMs = 5000, idleMs = Number(process.env.BENCH_IDLE_MS ?? 10000) } = {}) {
  // Warm the server's paths first so the baseline is not its cold start.
  const warm = await seat(make, rooms.slice(0, 2), 2);
  for (const pair of warm) for (const c of pair) c.close();
  await sleep(2000);
  const rss0 = server.rssKb();
  const clients = [];
  const roomsNeeded = Math.ceil(connections / perRoom);
  for (let r = 0; r < roomsNeeded; r++) {
    const members = [];
    for (let i = 0; i < perRoom && clients.length + members.length < connections; i++) members.push(make(`i${i}`, i === 0));
    await Promise.all(members.map((c) => c.open()));
    for (const c of members) await c.join(rooms[2 + r], c.name);
    clients.push(...members);
  }
  await sleep(settleMs);
  const rss1 = server.rssKb();
  const cpu0 = server.cpuSeconds();
  const db0 = server.pgCpu?.() ?? 0;
  await sleep(idleMs);
  const idleCpuPercent = ((server.cpuSeconds() - cpu0) / (idleMs / 1000)) * 100;
  const idleDatabaseCpuPercent = (((server.pgCpu?.() ?? 0) - db0) / (idleMs / 1000)) * 100;
  for (const c of clients) c.close();
  return { connections: clients.length, rssBaselineKb: rss0, rssKb: rss1, kbPerConnection: (rss1 - rss0) / clients.length, idleCpuPercent, idleDatabaseCpuPercent };
}
