// scripts/bench scale: the deployment an operator sizes. BENCH_INSTANCES (4) MeshMeet instances on one PostgreSQL and
// one Redis, BENCH_CONNECTIONS (10,000) people in rooms of 2 to 6 (in turn), each room on one instance (as a proxy
// that keeps a room together routes it), joining at BENCH_JOINS_PER_SECOND (100). Every join causes what a real one
// does: each person already there offers to the newcomer and the newcomer answers, each side with 8 ICE candidates.
// Then BENCH_STEADY_SECONDS (20) of renegotiations at BENCH_STEADY_RATE (2,000) signals a second; then one instance is
// killed (SIGKILL) and its people come back through the others with their reconnect tokens. Everything runs on this
// machine; the table says which part used how much of it. TestResults/bench-scale/table.md.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync, mkdirSync } from 'node:fs';
import { HubClient } from './clients.mjs';
import { SDP, candidate, now } from './workloads.mjs';
import { meshmeetEnvironment, hostToken, createRooms } from './meshmeet.mjs';
import { cpuOf, rssKb, postgresCpu, machineCpu, waitFor, startProcess, percentile, sleep } from './processes.mjs';

const env = process.env;
const total = Number(env.BENCH_CONNECTIONS ?? 10000);
const instanceCount = Number(env.BENCH_INSTANCES ?? 4);
const joinsPerSecond = Number(env.BENCH_JOINS_PER_SECOND ?? 100);
const steadyRate = Number(env.BENCH_STEADY_RATE ?? 2000);
const steadySeconds = Number(env.BENCH_STEADY_SECONDS ?? 20);
const CANDIDATES = 8; // per side of each negotiation
const OFFER_WAIT_MS = 3000; // the call page's (mesh.js)
const fallbackOffers = { joins: 0, steady: 0, failover: 0 }; // per phase
const resultsDir = env.BENCH_RESULTS;
mkdirSync(resultsDir, { recursive: true });
const psql = (sql) => promisify(execFile)('psql', ['-h', '127.0.0.1', '-p', env.BENCH_PGPORT, '-U', 'postgres', '-tAc', sql]);
const log = (line) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);

// ---- the servers ----
const db = `bench_scale_${Date.now()}`;
await psql(`CREATE DATABASE ${db}`);
const redisPort = 18900;
const redis = startProcess(resultsDir, 'redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
await waitFor(() => redis.output.includes('Ready to accept connections'), 'Redis');
const cluster = { ConnectionStrings__Redis: `127.0.0.1:${redisPort}`, Cluster__Secret: 'bench-cluster-secret-of-at-least-32-characters' };
const instances = Array.from({ length: instanceCount }, (_, i) => {
  const port = 18901 + i;
  const child = startProcess(resultsDir, `meshmeet${i + 1}`, 'dotnet', [env.BENCH_MESHMEET_DLL, '--urls', `http://127.0.0.1:${port}`],
    { cwd: env.BENCH_MESHMEET_ROOT, env: meshmeetEnvironment(db, cluster) });
  return { index: i, child, base: `http://127.0.0.1:${port}`, alive: true };
});
for (const instance of instances) await waitFor(async () => (await fetch(`${instance.base}/health/ready`)).ok, `instance ${instance.index + 1} ready`, 120000);
const token = await hostToken(instances[0].base);

// ---- the rooms and the people ----
const rooms = [];
for (let i = 0, people = 0; people < total; i++) {
  const size = Math.min(2 + (i % 5), total - people);
  rooms.push({ index: i, size, instance: instances[i % instanceCount], members: [] });
  people += size;
}
log(`${instanceCount} instances ready; creating ${rooms.length} rooms`);
const roomIds = await createRooms(instances[0].base, token, rooms.length, 6, 8);
rooms.forEach((room, i) => { room.id = roomIds[i]; });
const people = rooms.flatMap((room) => Array.from({ length: room.size }, (_, k) => ({ room, name: `p${k}`, host: k === 0, heardFrom: new Set() })));

// ---- the signals: every one carries a number; what has not arrived is lost ----
let phase = 'joins';
let seq = 0;
const inFlight = new Map(); // seq -> { at, phase }
const relayMs = { joins: [], steady: [], failover: [] };
const sent = { joins: 0, steady: 0, failover: 0 };
const seqOf = (m) => Number(m.candidate?.usernameFragment ?? /^o=- (\d+)/m.exec(m.description?.sdp ?? '')?.[1]);

function send(from, to, kind) {
  const n = seq++;
  inFlight.set(n, { at: now(), phase });
  sent[phase]++;
  from.client.signal(to, kind === 'candidate' ? candidate(n) : { description: { type: kind, sdp: SDP.replace('4611731400430051336', String(n)) } });
}

/** One side of a negotiation: the description, then the candidates. */
function negotiate(from, to, type) {
  send(from, to, type);
  for (let i = 0; i < CANDIDATES; i++) send(from, to, 'candidate');
}

/** As the call page does: a PeerJoined offers a connection to the newcomer (after someone's resume too: the page
 * that resumed made all its connections afresh); one that comes before the person's own join has answered is held
 * until then (call.js). */
function wire(person) {
  Object.assign(person, { inCall: false, held: [], heardFrom: new Set() });
  person.client.onPeerJoined((id) => {
    if (person.inCall) negotiate(person, id, 'offer');
    else person.held.push(id);
  });
  person.client.onSignal((from, m) => {
    person.heardFrom.add(from);
    const n = seqOf(m);
    const entry = inFlight.get(n);
    if (entry) {
      relayMs[entry.phase].push(now() - entry.at);
      inFlight.delete(n);
    }
    if (m.description?.type === 'offer') negotiate(person, from, 'answer');
  });
  person.client.onClose(() => { if (phase === 'failover' && !person.instance.alive && person.reconnectToken) reseat(person); });
}

// ---- what the machine does meanwhile ----
const samples = [];
const pgConnections = [];
function sample() {
  const s = { t: now(), machine: machineCpu(), redis: cpuOf(redis.pid, true), postgres: postgresCpu(env.BENCH_PGDATA), client: process.cpuUsage(),
    instances: instances.map((i) => (i.alive ? { cpu: cpuOf(i.child.pid, true), rssKb: rssKb(i.child.pid) } : null)),
    connected: people.filter((p) => p.seatedAt !== undefined && p.instance?.alive).length };
  samples.push(s);
  return s;
}
const sampler = setInterval(sample, 1000);
const pgSampler = setInterval(async () => {
  try { pgConnections.push(Number((await psql(`SELECT count(*) FROM pg_stat_activity WHERE datname = '${db}'`)).stdout)); } catch { /* a busy moment */ }
}, 5000);
// SignalR's ping from every client every 10 s (the server drops a client it has not heard from for 30 s), a hundredth
// of them every 100 ms: ten thousand sends at once would stall this client and show up as relay latency.
let pinged = 0;
const pinger = setInterval(() => {
  for (let i = 0; i < Math.ceil(people.length / 100); i++) people[pinged++ % people.length].client?.ping();
}, 100);

// ---- joins at a steady pace ----
const joinMs = []; // JoinRoom, from sending it to its answer
const joinFailures = [];
async function join(person) {
  person.instance = person.room.instance;
  person.client = new HubClient(person.instance.base, person.host ? token : undefined);
  try {
    await person.client.open();
    wire(person);
    const t = now();
    const answer = await person.client.join(person.room.id, person.name);
    joinMs.push({ ms: now() - t, connected: samples.at(-1)?.connected ?? 0 });
    seated(person, answer);
  } catch (e) {
    joinFailures.push(String(e.message ?? e));
  }
}

/** The page, once its join's answer is in: it offers to those announced meanwhile, and to a peer of the answer's that
 * has not offered within OFFER_WAIT_MS (mesh.js: an announcement that was lost). */
function seated(person, answer) {
  Object.assign(person, { selfId: answer.selfId, reconnectToken: answer.reconnectToken, seatedAt: now(), inCall: true });
  for (const id of person.held.splice(0)) negotiate(person, id, 'offer');
  const client = person.client;
  setTimeout(() => {
    if (person.client !== client) return; // resumed elsewhere meanwhile
    for (const id of answer.peers) {
      if (person.heardFrom.has(id)) continue;
      fallbackOffers[phase]++;
      negotiate(person, id, 'offer');
    }
  }, OFFER_WAIT_MS);
}

const before = sample();
log(`${people.length} people joining at ${joinsPerSecond}/s`);
const joinStart = now();
const joining = [];
for (let next = 0; next < people.length;) {
  const due = Math.min(people.length, Math.floor(((now() - joinStart) / 1000) * joinsPerSecond) + 1);
  for (; next < due; next++) {
    joining.push(join(people[next]));
    if ((next + 1) % 1000 === 0) log(`${next + 1} joining or seated`);
  }
  await sleep(10);
}
await Promise.all(joining);
await sleep(OFFER_WAIT_MS + 2000); // the last negotiations (and fallback offers) arrive
const joined = sample();
log(`joins done: ${joinMs.length} seated, ${joinFailures.length} failed`);

// ---- steady renegotiations ----
phase = 'steady';
const calls = rooms.map((r) => people.filter((p) => p.room === r && p.selfId)).filter((seated) => seated.length > 1);
let negotiations = 0;
const steadyStart = now();
while (now() - steadyStart < steadySeconds * 1000) {
  const due = Math.floor(((now() - steadyStart) / 1000) * (steadyRate / (2 * (CANDIDATES + 1))));
  for (; negotiations < due; negotiations++) {
    const members = calls[Math.floor(Math.random() * calls.length)];
    const a = members[Math.floor(Math.random() * members.length)];
    const b = members.find((m) => m !== a);
    negotiate(a, b.selfId, 'offer');
  }
  await sleep(5);
}
await sleep(3000);
const steady = sample();
log(`steady done: ${sent.steady} signals`);

// ---- one instance dies; its people come back through the others ----
const victim = instances[instanceCount - 1];
const affected = people.filter((p) => p.instance === victim && p.seatedAt !== undefined);
const live = instances.filter((i) => i !== victim);
const reseatMs = [];
const reseatFailures = [];
let resumed = 0;
const killedAt = now();
async function reseat(person) {
  // As a proxy would: the room's people go to one surviving instance, rooms spread over them.
  const target = live[person.room.index % live.length];
  while (now() - killedAt < 60000) {
    person.instance = target;
    person.client = new HubClient(target.base, person.host ? token : undefined);
    try {
      await person.client.open();
      wire(person);
      const again = await person.client.join(person.room.id, person.name, person.reconnectToken);
      if (again.resumed) resumed++;
      seated(person, again);
      reseatMs.push(now() - killedAt);
      return;
    } catch (e) {
      person.client.close();
      reseatFailures.push(String(e.message ?? e));
      await sleep(250 + Math.random() * 250);
    }
  }
}
phase = 'failover';
log(`killing instance ${victim.index + 1} (${affected.length} people)`);
victim.alive = false;
victim.child.kill('SIGKILL');
await waitFor(() => reseatMs.length === affected.length, 'everyone seated again', 65000).catch(() => {});
const allBackMs = now() - killedAt;
await sleep(3000);
const after = sample();
clearInterval(sampler); clearInterval(pgSampler); clearInterval(pinger);
for (const p of people) p.client?.close();
for (const i of instances) if (i.alive) i.child.kill('SIGTERM');
redis.kill('SIGTERM');

// ---- the table ----
const lost = (ph) => [...inFlight.values()].filter((e) => e.phase === ph).length;
const ms = (x) => (Number.isFinite(x) ? `${x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1)} ms` : 'n/a');
const pct = (x) => `${Math.round(x)} %`;
/** CPU use between two samples, in percent of one core. */
const cpuBetween = (a, b, get) => (100 * (get(b) - get(a))) / ((b.t - a.t) / 1000);
const phases = [['joining', before, joined], ['steady', joined, steady], ['failover', steady, after]];
const lastThousand = joinMs.slice(-1000).map((j) => j.ms);
const lines = [
  `# MeshMeet at scale: ${instanceCount} instances, one PostgreSQL, one Redis, ${people.length.toLocaleString('en-US')} people on this machine`,
  '',
  `- rooms: ${rooms.length} of 2-6 people (${(people.length / rooms.length).toFixed(1)} on average), each on one instance; joins at ${joinsPerSecond}/s; each join negotiates with everyone there (offer or answer + ${CANDIDATES} candidates a side); PostgreSQL ${env.BENCH_PG_MODE ?? 'durable'}`,
  `- joins: ${joinMs.length.toLocaleString('en-US')} seated, ${joinFailures.length} failed${joinFailures.length ? ` (${[...new Set(joinFailures)].slice(0, 3).join('; ')})` : ''}; JoinRoom p50 ${ms(percentile(joinMs.map((j) => j.ms), 50))}, p99 ${ms(percentile(joinMs.map((j) => j.ms), 99))}; p99 of the last 1,000 (${(joinMs.at(-1000)?.connected ?? 0).toLocaleString('en-US')}+ connected) ${ms(percentile(lastThousand, 99))}`,
  `- JoinRoom p99 per thousand joins, in order: ${Array.from({ length: Math.ceil(joinMs.length / 1000) }, (_, k) => Math.round(percentile(joinMs.slice(k * 1000, (k + 1) * 1000).map((j) => j.ms), 99))).join(' / ')} ms`,
  `- relaying while joining: ${sent.joins.toLocaleString('en-US')} signals (${fallbackOffers.joins} pairs negotiated only after the newcomer's ${OFFER_WAIT_MS / 1000} s fallback: no offer came), ${lost('joins')} lost; p50 ${ms(percentile(relayMs.joins, 50))}, p99 ${ms(percentile(relayMs.joins, 99))}`,
  `- steady: ${sent.steady.toLocaleString('en-US')} signals in ${steadySeconds} s (${Math.round(sent.steady / steadySeconds).toLocaleString('en-US')}/s), ${lost('steady')} lost; relay p50 ${ms(percentile(relayMs.steady, 50))}, p99 ${ms(percentile(relayMs.steady, 99))}`,
  `- failover: instance ${victim.index + 1} killed with ${affected.length.toLocaleString('en-US')} people; ${reseatMs.length.toLocaleString('en-US')} seated again (${resumed.toLocaleString('en-US')} in their own seat) ${reseatMs.length === affected.length ? `within ${ms(allBackMs)}` : 'NOT ALL within 60 s'}; per person p50 ${ms(percentile(reseatMs, 50))}, p99 ${ms(percentile(reseatMs, 99))}; ${reseatFailures.length} refused tries${reseatFailures.length ? ` (${[...new Set(reseatFailures)].slice(0, 3).join('; ')})` : ''}; signals sent meanwhile ${sent.failover.toLocaleString('en-US')} (${fallbackOffers.failover} pairs after the fallback), ${lost('failover')} not delivered`,
  `- PostgreSQL connections: at most ${Math.max(...pgConnections, 0)} (sampled every 5 s)`,
  '',
  '| | ' + phases.map(([name]) => name).join(' | ') + ' |',
  '| --- |' + phases.map(() => ' ---: |').join(''),
  ...instances.map((inst, i) => `| instance ${i + 1} CPU (% of a core) | ` + phases.map(([, a, b]) => (a.instances[i] && b.instances[i] ? pct(cpuBetween(a, b, (s) => s.instances[i].cpu)) : 'killed')).join(' | ') + ' |'),
  '| PostgreSQL CPU | ' + phases.map(([, a, b]) => pct(cpuBetween(a, b, (s) => s.postgres))).join(' | ') + ' |',
  '| Redis CPU | ' + phases.map(([, a, b]) => pct(cpuBetween(a, b, (s) => s.redis))).join(' | ') + ' |',
  '| load client CPU | ' + phases.map(([, a, b]) => pct(cpuBetween(a, b, (s) => (s.client.user + s.client.system) / 1e6))).join(' | ') + ' |',
  '| machine busy (% of all cores) | ' + phases.map(([, a, b]) => pct((100 * (b.machine.busy - a.machine.busy)) / (b.machine.all - a.machine.all))).join(' | ') + ' |',
  '',
  '| instance | people seated (full) | memory before joins | memory full | KB per connection |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...instances.map((inst, i) => {
    const n = people.filter((p) => p.room.instance === inst && p.selfId).length;
    const kb = (joined.instances[i].rssKb - before.instances[i].rssKb) / n;
    return `| ${i + 1} | ${n.toLocaleString('en-US')} | ${Math.round(before.instances[i].rssKb / 1024)} MB | ${Math.round(joined.instances[i].rssKb / 1024)} MB | ${Math.round(kb)} |`;
  }),
];
const table = lines.join('\n');
console.log(table);
writeFileSync(`${resultsDir}/table.md`, table + '\n');
writeFileSync(`${resultsDir}/samples.json`, JSON.stringify({ samples, joinMs }));
process.exit(0);
