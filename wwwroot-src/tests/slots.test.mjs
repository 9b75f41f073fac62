// A pair's three slots on fake peer connections that behave as the browsers do: found by mid whoever offered, after
// colliding offers and a rollback, with tracks that come late, and with an m-line nobody expects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MediaSlots, slotMids } from '../call/slots.js';
import { Negotiation, offerOutcome } from '../call/negotiation.js';
import { FakePeerConnection, FakeStream, FakeTrack, mLines } from './fake-peer-connection.mjs';

/** One side of a pair, wired as mesh.js wires a PeerLink: what it received is recorded by slot. */
function side(name, { polite, tracks = ['audio', 'video'], screen = false }) {
  const pc = new FakePeerConnection();
  const slots = new MediaSlots(pc);
  const local = { stream: new FakeStream(tracks.map((kind) => new FakeTrack(kind, `${name} ${kind}`))), screenTrack: screen ? new FakeTrack('video', `${name} screen`) : null };
  const outbox = [];
  const reported = [];
  const negotiation = new Negotiation({
    pc, polite, send: async (m) => { outbox.push(structuredClone(m)); },
    beforeAnswer: () => slots.adopt(local, (what) => reported.push(what)),
    report: (what, e) => reported.push(`${what}: ${e.message}`),
  });
  const received = [];
  pc.ontrack = ({ transceiver }) => received.push(slots.purposeOf(transceiver));
  return { name, pc, slots, local, outbox, reported, negotiation, received };
}

/** Delivers everything one side has sent to the other. */
async function deliver(from, to) {
  for (const message of from.outbox.splice(0)) await to.negotiation.receive(message);
}

/** What each live slot of a side sends, in session order, and the transceivers that are not stopped. */
function describe(s) {
  return {
    sends: { audio: s.slots.audio.sender.track?.label ?? null, camera: s.slots.camera.sender.track?.label ?? null, screen: s.slots.screen.sender.track?.label ?? null },
    live: s.pc.getTransceivers().filter((t) => !t.stopped).length,
  };
}

function assertSameThreeSlots(a, b) {
  for (const purpose of ['audio', 'camera', 'screen']) {
    assert.ok(a.slots[purpose].mid, `${a.name} has a negotiated ${purpose} slot`);
    assert.equal(a.slots[purpose].mid, b.slots[purpose].mid, `${purpose}: the same m-line on both sides`);
  }
  assert.equal(describe(a).live, 3, `${a.name}: three transceivers`);
  assert.equal(describe(b).live, 3, `${b.name}: three transceivers`);
}

/** Ann (impolite) offers to Ben (polite) and Ben answers: a pair as the mesh makes it for a newcomer. `before` runs on
 * Ann's side once her slots are open, before her offer. */
async function negotiatedPair(annOptions, benOptions, before = () => {}) {
  const ann = side('ann', { polite: false, ...annOptions });
  const ben = side('ben', { polite: true, ...benOptions });
  ann.slots.open(ann.local);
  before(ann);
  await ann.negotiation.offer();
  await deliver(ann, ben);
  await deliver(ben, ann);
  return { ann, ben };
}

test('the slots are read from the session: first audio, first and second video, rejected m-lines skipped', () => {
  const m = (kind, port, mid) => `m=${kind} ${port} UDP/TLS/RTP/SAVPF 96\r\na=mid:${mid}\r\n`;
  const sdp = `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n${m('video', 0, 'x')}${m('audio', 9, 'a')}${m('video', 9, 'c')}${m('audio', 9, 'a2')}${m('video', 9, 's')}${m('video', 9, 'extra')}`;
  assert.deepEqual(slotMids(sdp), { audio: 'a', camera: 'c', screen: 's' });
  assert.deepEqual(slotMids(undefined), {});
});

test('an offer and its answer: three slots on both sides, each carrying what it is for', async () => {
  const { ann, ben } = await negotiatedPair({ screen: true }, {});
  assertSameThreeSlots(ann, ben);
  assert.deepEqual(describe(ann).sends, { audio: 'ann audio', camera: 'ann video', screen: 'ann screen' });
  assert.deepEqual(describe(ben).sends, { audio: 'ben audio', camera: 'ben video', screen: null });
  assert.deepEqual(ben.received, ['audio', 'camera', 'screen']);
  assert.deepEqual(ann.received, ['audio', 'camera', 'screen']);
  assert.deepEqual([ann.reported, ben.reported], [[], []]);
});

/** Delivers one side's messages as the mesh does: an offer the pair's rule says replaces the connection gets a fresh side. */
async function deliverAsMesh(from, to, fresh) {
  for (const message of from.outbox.splice(0)) {
    const pc = to.current.pc;
    if (message.description?.type === 'offer' && offerOutcome({ newSession: false, polite: to.current.negotiation.polite, repairing: false,
      signalingState: pc.signalingState, negotiatedBefore: pc.currentRemoteDescription !== null }) === 'replace') to.current = fresh();
    await to.current.negotiation.receive(message);
  }
}

for (const sharer of ['polite', 'impolite']) {
  test(`first offers that cross, the ${sharer} side sharing a screen: both end with the same three slots, screen in the screen slot`, async () => {
    const impolite = side('imp', { polite: false, screen: sharer === 'impolite' });
    const options = { polite: true, screen: sharer === 'polite' };
    const first = side('pol', options);
    const polite = { current: first };
    impolite.slots.open(impolite.local);
    first.slots.open(first.local);
    await impolite.negotiation.offer();
    await first.negotiation.offer();
    // The impolite side ignores the polite one's offer; the polite side answers the impolite one's from a fresh
    // connection, so no slot of its crossed offer is left behind.
    await deliver(first, impolite);
    await deliverAsMesh(impolite, polite, () => side('pol', options));
    assert.notEqual(polite.current, first, 'a fresh connection');
    await deliver(polite.current, impolite);
    assert.equal(impolite.pc.signalingState, 'stable');
    assertSameThreeSlots(impolite, polite.current);
    assert.deepEqual(describe(polite.current).sends, { audio: 'pol audio', camera: 'pol video', screen: sharer === 'polite' ? 'pol screen' : null });
    assert.deepEqual(describe(impolite).sends, { audio: 'imp audio', camera: 'imp video', screen: sharer === 'impolite' ? 'imp screen' : null });
    assert.deepEqual(polite.current.received, ['audio', 'camera', 'screen']);
    assert.deepEqual(impolite.received, ['audio', 'camera', 'screen']);
    // The next offer, from either side, keeps the three m-lines and adds none.
    for (const s of [polite.current, impolite]) {
      assert.deepEqual((await s.pc.nextOfferLines()).map((l) => l.mid), [s.slots.audio.mid, s.slots.camera.mid, s.slots.screen.mid]);
    }
  });
}

test('renegotiations that cross (an ICE restart on both sides): the polite side rolls back, and the three slots stay', async () => {
  const { ann, ben } = await negotiatedPair({ screen: true }, {});
  const mids = [ann.slots.audio.mid, ann.slots.camera.mid, ann.slots.screen.mid];
  await ann.negotiation.offer();
  await ben.negotiation.offer();
  await deliver(ben, ann);
  await deliver(ann, ben);
  await deliver(ben, ann);
  assert.deepEqual([ann.pc.signalingState, ben.pc.signalingState], ['stable', 'stable']);
  assertSameThreeSlots(ann, ben);
  assert.deepEqual([ben.slots.audio.mid, ben.slots.camera.mid, ben.slots.screen.mid], mids);
  assert.equal(describe(ann).sends.screen, 'ann screen');
});

test('which offers replace the connection: a new session, or our own first offer crossing as the polite side', () => {
  const pair = { newSession: false, polite: true, repairing: false, signalingState: 'have-local-offer', negotiatedBefore: false };
  assert.equal(offerOutcome(pair), 'replace');
  assert.equal(offerOutcome({ ...pair, polite: false }), 'apply', 'the impolite side ignores it in perfect negotiation');
  assert.equal(offerOutcome({ ...pair, negotiatedBefore: true }), 'apply', 'a renegotiation rolls back as usual');
  assert.equal(offerOutcome({ ...pair, signalingState: 'stable' }), 'apply');
  assert.equal(offerOutcome({ ...pair, newSession: true, signalingState: 'stable' }), 'replace');
  assert.equal(offerOutcome({ ...pair, newSession: true, polite: false, repairing: true }), 'ignore', 'both repairing: the impolite side\'s new connection stands');
  assert.equal(offerOutcome({ ...pair, newSession: true, polite: true, repairing: true }), 'replace');
});

test('a side with no camera and no microphone still gets three sending slots; a camera that comes late goes into its slot without renegotiating', async () => {
  const { ann, ben } = await negotiatedPair({ tracks: [] }, { tracks: [] });
  assertSameThreeSlots(ann, ben);
  assert.deepEqual(mLines(ann.pc.remoteDescription.sdp).map((l) => l.direction), ['sendrecv', 'sendrecv', 'sendrecv']);
  const offered = ann.pc.localDescription.sdp;
  // Ben's camera and Ann's microphone come up.
  await ben.slots.camera.sender.replaceTrack(new FakeTrack('video', 'ben late camera'));
  await ann.slots.audio.sender.replaceTrack(new FakeTrack('audio', 'ann late microphone'));
  assert.equal(describe(ben).sends.camera, 'ben late camera');
  assert.equal(describe(ann).sends.audio, 'ann late microphone');
  assert.equal(ann.pc.localDescription.sdp, offered, 'no new offer');
  assert.deepEqual(ben.received, ['audio', 'camera', 'screen'], 'the receiving side already had the slot');
});

test('an offer with an m-line nobody expects: the answerer stops it, and the session has three live slots again', async () => {
  // A fourth m-line (an older client, a bug).
  const { ann, ben } = await negotiatedPair({}, {}, (a) => a.pc.addTransceiver('video'));
  assert.equal(describe(ben).live, 3);
  assert.deepEqual(mLines(ben.pc.localDescription.sdp).map((l) => l.port), [9, 9, 9, 0], 'the answer rejects the fourth');
  assert.deepEqual(ben.received, ['audio', 'camera', 'screen', undefined], 'what arrives in the fourth is nobody\'s (and is not shown)');
});

test('a renegotiation from the answering side keeps the slots where the first offer put them', async () => {
  const { ann, ben } = await negotiatedPair({}, { screen: true });
  const mids = [ann.slots.audio.mid, ann.slots.camera.mid, ann.slots.screen.mid];
  await ben.negotiation.offer(); // an ICE restart, say
  await deliver(ben, ann);
  await deliver(ann, ben);
  assertSameThreeSlots(ann, ben);
  assert.deepEqual([ben.slots.audio.mid, ben.slots.camera.mid, ben.slots.screen.mid], mids);
  assert.equal(describe(ben).sends.screen, 'ben screen');
});
