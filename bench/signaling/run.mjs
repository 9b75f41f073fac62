// scripts/bench signaling: MeshMeet's hub side by side with a Socket.IO 4.8 relay and the PeerJS 1.0.2 server.
// Servers run on CPU0 (MeshMeet with its PostgreSQL), this load client on CPU1 (scripts/bench pins it); a fresh server
// process for every workload, several rounds; absolute figures on a shared box are noise, so the table's ratios are
// the median of the per-round ratios.
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { HubClient, SocketIoClient, PeerJsClient } from './clients.mjs';
import { closedLoop, fixedRate, joinBurst, idle } from './workloads.mjs';
import { meshmeetEnvironment, hostToken, createRooms } from './meshmeet.mjs';
import { cpuOf, rssKb, postgresCpu as postgresCpuOf, waitFor, startProcess as start } from './processes.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = process.env;
const rounds = Number(env.BENCH_ROUNDS ?? 3);
const resultsDir = env.BENCH_RESULTS ?? path.join(here, '../../TestResults/bench-signaling');
const only = (env.BENCH_ONLY ?? '').split(',').filter(Boolean);
mkdirSync(resultsDir, { recursive: true });
let port = 18000;
const postgresCpu = () => postgresCpuOf(env.BENCH_PGDATA);

/** One MeshMeet (or two behind a Redis backplane) on a new database. With `split`, clients alternate between the
 * instances, so every room spans both; without, each room's clients reach one instance (a room's first client is its
 * host, and each host starts on the next instance). */
async function meshmeet(workload, instances, { split = true } = {}) {
  const db = `bench_${workload}_${Date.now()}`;
  execFileSync('psql', ['-h', '127.0.0.1', '-p', env.BENCH_PGPORT, '-U', 'postgres', '-qc', `CREATE DATABASE ${db}`]);
  const extra = {};
  let redis;
  if (instances > 1) {
    const redisPort = port++;
    redis = startProcess(`redis-${workload}`, 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    await waitFor(() => redis.output.includes('Ready to accept connections'), 'Redis');
    extra.ConnectionStrings__Redis = `127.0.0.1:${redisPort}`;
    extra.Cluster__Secret = 'bench-cluster-secret-of-at-least-32-characters';
  }
  const children = [];
  const bases = [];
  for (let i = 0; i < instances; i++) {
    const p = port++;
    children.push(startProcess(`meshmeet${instances > 1 ? i + 1 : ''}-${workload}`, 'dotnet', [env.BENCH_MESHMEET_DLL, '--urls', `http://127.0.0.1:${p}`], {
      cwd: env.BENCH_MESHMEET_ROOT, // the content root: the project folder, as scripts/run uses
      env: meshmeetEnvironment(db, extra),
    }));
    bases.push(`http://127.0.0.1:${p}`);
  }
  for (const base of bases) await waitFor(async () => (await fetch(`${base}/health`)).ok, 'MeshMeet /health');
  const base = bases[0];
  const token = await hostToken(base);
  const pgCpuAtStart = postgresCpu();
  const rooms = await createRooms(base, token, 210);
  const processes = redis ? [...children, redis] : children;
  let made = 0;
  let room = -1;
  const baseFor = (host) => (split ? bases[made++ % bases.length] : bases[(room += host ? 1 : 0) % bases.length]);
  return {
    processes, rooms,
    make: (name, host) => Object.assign(new HubClient(baseFor(host), host ? token : undefined), { name }),
    cpuSeconds: () => processes.reduce((sum, c) => sum + cpuOf(c.pid, true), 0) + postgresCpu(),
    cpuParts: () => ({ ...Object.fromEntries(processes.map((c, i) => [c === redis ? 'redis' : `meshmeet${i + 1}`, cpuOf(c.pid, true)])), postgres: postgresCpu() }),
    rssKb: () => children.reduce((sum, c) => sum + rssKb(c.pid), 0),
    pgCpu: () => postgresCpu() - pgCpuAtStart,
    // Error-level entries once serving (a brand-new database makes EF log one failed probe before migrating).
    errors: () => children.reduce((sum, c) => sum + (c.output.slice(c.output.indexOf('Application started')).match(/^fail: /gm) ?? []).length, 0),
  };
}

// ---- the servers ----
// Servers on CPU0, this load client on CPU1.
const startProcess = (name, command, args, options) => start(resultsDir, name, command, args, options, '0');

const servers = {
  meshmeet: (workload) => meshmeet(workload, 1),
  // Two instances on one database and one Redis (the backplane); clients alternate between them, so every room's
  // traffic crosses from one instance to the other: the cluster's worst case. CPU is both instances, PostgreSQL and Redis.
  meshmeet2: (workload) => meshmeet(workload, 2),
  // The same two instances with each room's people on one of them (the normal case behind a proxy that keeps a room
  // together): nothing needs to cross Redis.
  meshmeet2local: (workload) => meshmeet(workload, 2, { split: false }),
  async socketio(workload) {
    const p = port++;
    const child = startProcess(`socketio-${workload}`, 'node', [path.join(here, 'socketio-relay.mjs')], { env: { ...env, PORT: String(p) } });
    await waitFor(() => child.output.includes('listening'), 'the Socket.IO relay');
    const base = `http://127.0.0.1:${p}`;
    return {
      processes: [child], rooms: Array.from({ length: 210 }, (_, i) => `room-${i}`),
      make: (name) => Object.assign(new SocketIoClient(base), { name }),
      cpuSeconds: () => cpuOf(child.pid, true), rssKb: () => rssKb(child.pid), errors: () => 0,
    };
  },
  async peerjs(workload) {
    const p = port++;
    PeerJsClient.reset();
    const child = startProcess(`peerjs-${workload}`, 'node', [path.join(here, 'peerjs-server.mjs')], { env: { ...env, PORT: String(p) } });
    await waitFor(() => child.output.includes('listening'), 'the PeerJS server');
    const base = `http://127.0.0.1:${p}`;
    return {
      processes: [child], rooms: Array.from({ length: 210 }, (_, i) => `room-${i}`),
      make: (name) => Object.assign(new PeerJsClient(base), { name }),
      cpuSeconds: () => cpuOf(child.pid, true), rssKb: () => rssKb(child.pid), errors: () => 0,
    };
  },
};

const workloads = {
  loop: { run: (s) => closedLoop(s.make, s.rooms.slice(0, 100), s), figure: 'perCpuSecond', label: '100 rooms x 2, closed loop: relayed messages per server CPU-second', better: 'higher' },
  rate: { run: (s) => fixedRate(s.make, s.rooms.slice(0, 100), s), figure: 'p99', label: '2,000 messages/s over 100 rooms: relay latency p99 (ms)', better: 'lower' },
  // Every server first takes a small burst into rooms of its own (a server that has run a call before), then the
  // measured one; the cold burst's figures stay in the round's line as warmUp.
  burst: { run: async (s) => ({ ...(await joinBurst(s.make, s.rooms.slice(0, 50), s, { warmUpRooms: s.rooms.slice(200, 210) })) }), figure: 'joinP99', label: '50 rooms x 6 join at once, 33,000 signals: join p99 (ms)', better: 'lower' },
  idle: { run: (s) => idle(s.make, s.rooms, s), figure: 'kbPerConnection', label: 'server memory per idle connection at 1,000 (KB)', better: 'lower' },
};

const targets = (env.BENCH_TARGETS ?? 'meshmeet,socketio,peerjs').split(',');
const results = {}; // workload -> target -> [round results]
for (let round = 1; round <= rounds; round++) {
  for (const [name, workload] of Object.entries(workloads)) {
    if (only.length && !only.includes(name)) continue;
    for (const target of targets) {
      const server = await servers[target](name);
      let result;
      try {
        result = await workload.run(server);
        result.serverErrors = server.errors();
      } catch (e) {
        result = { error: String(e) };
      } finally {
        await Promise.all(server.processes.map((p) => { p.kill('SIGTERM'); return new Promise((r) => p.once('exit', r)); }));
      }
      ((results[name] ??= {})[target] ??= []).push(result);
      if (server.pgCpu) result.postgresCpuSeconds = server.pgCpu();
      console.log(`round ${round} ${name} ${target}: ${JSON.stringify(result)}`);
    }
  }
}

// ---- the table ----
const median = (xs) => { const s = xs.filter(Number.isFinite).sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const fmt = (x) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2)) : 'n/a');
const lines = ['', '| workload | MeshMeet | socket.io relay | PeerJS | MeshMeet/socket.io | MeshMeet/PeerJS |', '| --- | ---: | ---: | ---: | ---: | ---: |'];
for (const [name, workload] of Object.entries(workloads)) {
  const r = results[name];
  if (!r) continue;
  if (!r.meshmeet || !r.socketio || !r.peerjs) continue;
  const fig = (t) => r[t].map((x) => x[workload.figure]);
  const ratio = (t) => median(r.meshmeet.map((m, i) => m[workload.figure] / r[t][i]?.[workload.figure]));
  lines.push(`| ${workload.label} | ${fmt(median(fig('meshmeet')))} | ${fmt(median(fig('socketio')))} | ${fmt(median(fig('peerjs')))} | ${fmt(ratio('socketio'))} | ${fmt(ratio('peerjs'))} |`);
}
const extra = [];
for (const [cluster, words] of [['meshmeet2', 'rooms split across them'], ['meshmeet2local', 'each room on one of them']]) {
  for (const [name, workload] of Object.entries(workloads)) {
    const r = results[name];
    if (!r?.[cluster]) continue;
    const ratio = (t) => (r[t] ? fmt(median(r[cluster].map((m, i) => m[workload.figure] / r[t][i]?.[workload.figure]))) : 'n/a');
    extra.push(`two instances behind Redis, ${words}, ${workload.label}: ${r[cluster].map((x) => fmt(x[workload.figure])).join(' / ')} (per round); vs one instance ${ratio('meshmeet')}, vs socket.io ${ratio('socketio')}, vs PeerJS ${ratio('peerjs')}`);
  }
}
if (results.rate) extra.push(`lost at 2,000/s (per round): ${targets.map((t) => `${t} ${results.rate[t].map((x) => x.lost).join('/')}`).join(', ')}`);
if (results.burst) extra.push(`join burst lost signals: ${targets.map((t) => `${t} ${results.burst[t].map((x) => x.lost).join('/')}`).join(', ')}; all delivered after (ms): ${targets.map((t) => `${t} ${results.burst[t].map((x) => fmt(x.completeMs)).join('/')}`).join(', ')}`);
if (results.idle) extra.push(`idle CPU % at 1,000 connections: ${targets.map((t) => `${t} ${results.idle[t].map((x) => fmt(x.idleCpuPercent)).join('/')}`).join(', ')}`);
extra.push(`MeshMeet error-level log entries per run: ${Object.values(results).flatMap((r) => [...(r.meshmeet ?? []), ...(r.meshmeet2 ?? []), ...(r.meshmeet2local ?? [])].map((x) => x.serverErrors ?? 'n/a')).join(' ')}`);
const table = [...lines, '', ...extra.map((e) => `- ${e}`), `- rounds: ${rounds}; ratios are medians of per-round ratios`].join('\n');
console.log(table);
writeFileSync(path.join(resultsDir, 'table.md'), table + '\n');
