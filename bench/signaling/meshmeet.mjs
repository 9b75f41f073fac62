// How both benchmarks (run.mjs, scale.mjs) start MeshMeet: the environment of an instance, the host's token and rooms.
const env = process.env;

export const admin = { email: 'bench@meshmeet.local', password: 'Bench-Pa55word!' };

/** An instance's environment on database `db`, with `extra` (Redis, the cluster secret) and BENCH_MESHMEET_ENV on top. */
export function meshmeetEnvironment(db, extra = {}) {
  return {
    ...env, ...extra, ASPNETCORE_ENVIRONMENT: 'Production',
    ConnectionStrings__MeshMeet: `Host=127.0.0.1;Port=${env.BENCH_PGPORT};Username=postgres;Database=${db}${env.BENCH_PG_EXTRA ?? ''}`,
    Jwt__SigningKey: Buffer.alloc(32, 7).toString('base64'), Admin__Email: admin.email, Admin__Password: admin.password,
    // A relay benchmark has no per-client limits (every client here shares one address); MeshMeet's are configuration.
    Signaling__CallBurst: '100000000', Signaling__CallsPerSecond: '100000000',
    Signaling__PerAddress__CallBurst: '100000000', Signaling__PerAddress__CallsPerSecond: '100000000',
    Signaling__PerAddress__JoinBurst: '100000000', Signaling__PerAddress__Connections: '100000', Signaling__PerAddress__NegotiateBurst: '100000000', Signaling__RejoinBurst: '100000000',
    ...JSON.parse(env.BENCH_MESHMEET_ENV ?? '{}'),
  };
}

/** The seeded admin's bearer token: it owns the rooms, and a room's first client joins with it as the host. */
export async function hostToken(base) {
  const r = await fetch(`${base}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
  return (await r.json()).accessToken;
}

/** `count` new rooms of `capacity`, `parallel` requests at a time; their ids in order. */
export async function createRooms(base, token, count, capacity = 6, parallel = 1) {
  const ids = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const r = await fetch(`${base}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: `Bench ${i}`, capacity }) });
      if (!r.ok) throw new Error(`creating a room: ${r.status} ${await r.text()}`);
      ids[i] = (await r.json()).id;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return ids;
}
