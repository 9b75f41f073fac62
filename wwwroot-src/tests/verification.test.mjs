import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE_WORDS, CHECK_MS, Verifier, commitmentOf, normalizeFingerprint, roomCode } from '../call/verification.js';

const fp = (n) => n.toString(16).padStart(2, '0').repeat(32);
const NONCES = ['aa'.repeat(32), 'bb'.repeat(32), 'cc'.repeat(32)];

test('the word list has 256 distinct plain words', () => {
  assert.equal(CODE_WORDS.length, 256);
  assert.equal(new Set(CODE_WORDS).size, 256);
  for (const word of CODE_WORDS) assert.match(word, /^[a-z]{3,10}$/);
});

test('fingerprints from getStats and SDP read the same; anything else is none', () => {
  const colons = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':');
  assert.equal(normalizeFingerprint(colons), colons.replace(/:/g, '').toLowerCase());
  assert.equal(normalizeFingerprint('AB:CD'), null);
  assert.equal(normalizeFingerprint(undefined), null);
});

test('the same fingerprints and nonces give the same words, in any order', async () => {
  const code = await roomCode([fp(1), fp(2), fp(3)], NONCES);
  assert.equal(code, await roomCode([fp(3), fp(1), fp(2)], [...NONCES].reverse()));
  assert.equal(code.split(' ').length, 4);
  for (const word of code.split(' ')) assert.ok(CODE_WORDS.includes(word));
});

test('any changed fingerprint or nonce changes the words', async () => {
  const code = await roomCode([fp(1), fp(2), fp(3)], NONCES);
  for (let i = 0; i < 3; i++) {
    const fingerprints = [fp(1), fp(2), fp(3)];
    fingerprints[i] = fp(9 + i);
    assert.notEqual(await roomCode(fingerprints, NONCES), code, `fingerprint ${i}`);
    const nonces = [...NONCES];
    nonces[i] = 'dd'.repeat(32);
    assert.notEqual(await roomCode([fp(1), fp(2), fp(3)], nonces), code, `nonce ${i}`);
  }
});

/**
 * Pages of one call joined by in-order channels (one per pair, as the data channels are), delivering asynchronously.
 * see(viewer, peer) is the fingerprint viewer's DTLS transport shows for peer (an interception changes it).
 */
function meshOf(ids, { see = (viewer, peer) => fp(ids.indexOf(peer) + 1), log = [] } = {}) {
  const pages = new Map();
  const pending = [];
  const make = (id) => new Verifier({
    selfId: id,
    fingerprint: fp(ids.indexOf(id) + 1),
    send: (to, message) => {
      log.push({ from: id, to, message });
      pending.push(() => pages.get(to)?.receive(id, JSON.parse(JSON.stringify(message))));
    },
  });
  for (const id of ids) pages.set(id, make(id));
  const mesh = {
    pages,
    log,
    now: 0,
    /** Everyone in the call (by the server's word) and every pair's channel and DTLS transport, as each page sees them. */
    connect(members = [...pages.keys()]) {
      for (const [id, page] of pages) {
        if (!members.includes(id)) continue;
        page.setMembers(members, mesh.now);
      }
      for (const [id, page] of pages) {
        for (const other of members) {
          if (other === id || !members.includes(id)) continue;
          page.opened(other);
          page.observe(other, see(id, other));
        }
      }
    },
    async settle() {
      for (let i = 0; i < 200; i++) {
        await Promise.all([...pages.values()].map((p) => p.settled()));
        await new Promise((resolve) => setImmediate(resolve));
        if (pending.length === 0) return;
        for (const deliver of pending.splice(0)) deliver();
      }
      throw new Error('the pages kept talking');
    },
    status(id) { return pages.get(id).status(mesh.now); },
  };
  return mesh;
}

test('three pages agree on one code, verified, and a leave and a join change it for everyone', async () => {
  const mesh = meshOf(['ann', 'ben', 'cat', 'dan']);
  mesh.connect(['ann', 'ben', 'cat']);
  await mesh.settle();
  const first = mesh.status('ann');
  assert.equal(first.status, 'verified');
  assert.equal(first.code.split(' ').length, 4);
  for (const id of ['ben', 'cat']) assert.deepEqual(mesh.status(id), first);

  // Cat leaves, Dan joins: new members, new nonces, a new code everyone shares.
  mesh.pages.get('cat').setMembers([], 0);
  mesh.connect(['ann', 'ben', 'dan']);
  await mesh.settle();
  const second = mesh.status('ann');
  assert.equal(second.status, 'verified');
  assert.notEqual(second.code, first.code);
  for (const id of ['ben', 'dan']) assert.equal(mesh.status(id).code, second.code);
});

test('a page that sees another certificate for one peer gets another code and names that peer; the others agree', async () => {
  const ids = ['ann', 'ben', 'cat'];
  const mesh = meshOf(ids, { see: (viewer, peer) => (viewer === 'ann' && peer === 'cat' ? fp(99) : fp(ids.indexOf(peer) + 1)) });
  mesh.connect();
  await mesh.settle();
  const ann = mesh.status('ann');
  assert.notEqual(ann.code, '');
  assert.notEqual(ann.code, mesh.status('ben').code);
  assert.equal(mesh.status('ben').code, mesh.status('cat').code);
  assert.equal(ann.status, 'unverified');
  assert.deepEqual(ann.problems, [{ ids: ['cat'], reason: 'their-certificate' }]);
  // The others are told too: Cat that Ann sees another certificate for it, Ben that Ann's and Cat's pair disagrees.
  assert.deepEqual(mesh.status('cat').problems, [{ ids: ['ann'], reason: 'your-certificate' }]);
  assert.deepEqual(mesh.status('ben').problems, [{ ids: ['ann', 'cat'], reason: 'their-pair' }]);
});

test('a nonce goes only to a peer whose commitment came first, on the same channel', async () => {
  const mesh = meshOf(['ann', 'ben']);
  mesh.connect();
  await mesh.settle();
  const between = (from, to) => mesh.log.filter((m) => m.from === from && m.to === to).map((m) => m.message.type);
  for (const [from, to] of [['ann', 'ben'], ['ben', 'ann']]) {
    const sent = between(from, to);
    const received = between(to, from);
    assert.ok(sent.indexOf('code-commit') < sent.indexOf('code-reveal'));
    // the reveal went after the peer's commitment had been delivered: it is earlier in the log than ours
    const theirCommit = mesh.log.findIndex((m) => m.from === to && m.to === from && m.message.type === 'code-commit');
    const ourReveal = mesh.log.findIndex((m) => m.from === from && m.to === to && m.message.type === 'code-reveal');
    assert.ok(theirCommit >= 0 && theirCommit < ourReveal, `${from} revealed before ${to} committed`);
    assert.ok(received.includes('code-reveal'));
  }

  // A page alone with a peer that never commits keeps its nonce to itself.
  const quiet = meshOf(['ann', 'ben']);
  const ann = quiet.pages.get('ann');
  await ann.setMembers(['ann', 'ben'], 0);
  await ann.opened('ben');
  assert.deepEqual(quiet.log.filter((m) => m.from === 'ann').map((m) => m.message.type), ['code-commit', 'code-seen']);
});

test('a reveal that does not match its commitment marks that pair unverified', async () => {
  const mesh = meshOf(['ann', 'ben']);
  const ann = mesh.pages.get('ann');
  await ann.setMembers(['ann', 'ben'], 0);
  await ann.opened('ben');
  await ann.observe('ben', fp(2));
  const round = mesh.log.find((m) => m.message.type === 'code-commit').message.round;
  ann.receive('ben', { type: 'code-commit', round, commitment: await commitmentOf('11'.repeat(32)) });
  ann.receive('ben', { type: 'code-reveal', round, nonce: '22'.repeat(32) });
  await ann.settled();
  const status = ann.status(0);
  assert.equal(status.status, 'unverified');
  assert.equal(status.code, '');
  assert.deepEqual(status.problems, [{ ids: ['ben'], reason: 'reveal-mismatch' }]);
});

test('a commitment changed on the same channel marks the pair; a reloaded page on a new channel gets a new round', async () => {
  const mesh = meshOf(['ann', 'ben']);
  mesh.connect();
  await mesh.settle();
  const before = mesh.status('ann').code;

  // Ben's page reloads: same participant, a new page (new nonce, same certificate here), a new channel.
  mesh.pages.set('ben', new Verifier({ selfId: 'ben', fingerprint: fp(2), send: (to, message) => mesh.pages.get(to).receive('ben', message) }));
  const ben = mesh.pages.get('ben');
  const ann = mesh.pages.get('ann');
  ben.setMembers(['ann', 'ben'], 0);
  await Promise.all([ann.opened('ben'), ben.opened('ann'), ben.observe('ann', fp(1))]);
  await mesh.settle();
  await Promise.all([ann.settled(), ben.settled()]);
  await mesh.settle();
  assert.equal(ann.status(0).status, 'verified');
  assert.equal(ann.status(0).code, ben.status(0).code);
  assert.notEqual(ann.status(0).code, before);

  // A second, different commitment on that same channel is not an honest page's.
  const round = mesh.log.filter((m) => m.from === 'ann' && m.message.type === 'code-commit').at(-1).message.round;
  ann.receive('ben', { type: 'code-commit', round, commitment: await commitmentOf('33'.repeat(32)) });
  await ann.settled();
  assert.deepEqual(ann.status(0).problems, [{ ids: ['ben'], reason: 'changed-commitment' }]);
});

test('a peer that never completes the check is named after a while', async () => {
  const mesh = meshOf(['ann', 'ben']);
  const ann = mesh.pages.get('ann');
  await ann.setMembers(['ann', 'ben'], 0);
  assert.equal(ann.status(CHECK_MS - 1).status, 'pending');
  assert.deepEqual(ann.status(CHECK_MS + 1).problems, [{ ids: ['ben'], reason: 'no-answer' }]);
});
