import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeerStore } from '../call/store.js';

function watched() {
  const store = new PeerStore();
  const heard = [];
  store.addEventListener('peer', ({ detail }) => heard.push([detail.added ? 'added' : 'changed', detail.peer.id, detail.peer]));
  store.addEventListener('removed', ({ detail }) => heard.push(['removed', detail.id]));
  store.addEventListener('cleared', () => heard.push(['cleared']));
  return { store, heard };
}

test('a participant is added with defaults for what the hub left out, and self is marked', () => {
  const { store } = watched();
  store.selfId = 'me';
  store.add({ id: 'me', displayName: 'Ann', isHost: true });
  const bo = store.add({ id: 'bo', displayName: 'Bo', audioMuted: true });
  assert.equal(store.self.self, true);
  assert.deepEqual([bo.self, bo.audioMuted, bo.videoMuted, bo.handRaised, bo.connection], [false, true, false, false, 'new']);
  assert.deepEqual(store.others().map((p) => p.id), ['bo']);
  assert.equal(store.count, 2);
});

test('a change is told once, only when something changed, and never for someone unknown', () => {
  const { store, heard } = watched();
  store.add({ id: 'bo', displayName: 'Bo' });
  store.update('bo', { handRaised: true });
  store.update('bo', { handRaised: true });
  store.update('nobody', { handRaised: true });
  assert.deepEqual(heard.map(([kind, id]) => [kind, id]), [['added', 'bo'], ['changed', 'bo']]);
  assert.equal(store.get('bo').handRaised, true);
  assert.throws(() => { store.get('bo').handRaised = false; }, 'records are frozen: change goes through update');
});

test('fully muted means camera and microphone both off', () => {
  const { store } = watched();
  store.add({ id: 'bo', displayName: 'Bo', audioMuted: true, videoMuted: false });
  assert.equal(store.isFullyMuted('bo'), false);
  store.update('bo', { videoMuted: true });
  assert.equal(store.isFullyMuted('bo'), true);
  assert.equal(store.isFullyMuted('nobody'), false);
});

test('leaving and clearing are told', () => {
  const { store, heard } = watched();
  store.add({ id: 'bo', displayName: 'Bo' });
  store.remove('bo');
  store.remove('bo');
  store.clear();
  assert.deepEqual(heard.slice(1).map(([kind]) => kind), ['removed', 'cleared']);
  assert.equal(store.count, 0);
});

test('someone who left stays gone: a late announcement of them adds nobody, after a resume too', () => {
  const { store, heard } = watched();
  store.add({ id: 'bo', displayName: 'Bo' });
  assert.equal(store.hasLeft('bo'), false);
  store.remove('bo');
  store.clear(); // a resume starts the roster again
  assert.equal(store.add({ id: 'bo', displayName: 'Bo again' }), undefined);
  assert.equal(store.get('bo'), undefined);
  assert.equal(store.hasLeft('bo'), true);
  assert.equal(store.hasLeft('cy'), false);
  assert.ok(store.add({ id: 'cy', displayName: 'Cy' }));
  assert.deepEqual(heard.filter(([kind]) => kind === 'added').map(([, id]) => id), ['bo', 'cy']);
});
