// Perfect negotiation on a fake peer connection: what each side sends, in which order, and what a failed step costs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Negotiation } from '../call/negotiation.js';

const sdp = (session) => `v=0\r\no=- ${session} 2 IN IP4 127.0.0.1\r\ns=-\r\n`;

/** Enough of RTCPeerConnection for negotiation: signaling states, rollback on a remote offer, candidates. */
class FakePeerConnection {
  signalingState = 'stable';
  remoteDescription = null;
  localDescription = null;
  candidates = [];
  /** Candidates whose addIceCandidate throws (a candidate the browser cannot parse, say). */
  badCandidates = new Set();
  constructor(session) { this.session = session; }

  async setRemoteDescription(description) {
    if (description.type === 'offer' && this.signalingState === 'have-local-offer') this.localDescription = null; // rollback
    this.remoteDescription = description;
    this.signalingState = description.type === 'offer' ? 'have-remote-offer' : 'stable';
  }

  async setLocalDescription() {
    const type = this.signalingState === 'have-remote-offer' ? 'answer' : 'offer';
    this.localDescription = { type, sdp: sdp(this.session), toJSON() { return { type: this.type, sdp: this.sdp }; } };
    this.signalingState = type === 'answer' ? 'stable' : 'have-local-offer';
  }

  async addIceCandidate(candidate) {
    if (this.badCandidates.has(candidate.candidate)) throw new Error('bad candidate');
    this.candidates.push(candidate.candidate);
  }
}

function side({ polite, session = 1 }) {
  const pc = new FakePeerConnection(session);
  const sent = [];
  const reported = [];
  let answering = 0;
  const negotiation = new Negotiation({
    pc, polite, send: async (m) => { sent.push(m); }, beforeAnswer: () => { answering++; }, report: (what) => reported.push(what),
  });
  return { pc, sent, reported, negotiation, answers: () => answering };
}

const offer = (session = 9) => ({ description: { type: 'offer', sdp: sdp(session) } });
const candidate = (text) => ({ candidate: { candidate: text, sdpMid: '0' } });

test('an offer is answered, after the answerer added its tracks', async () => {
  const b = side({ polite: true });
  await b.negotiation.receive(offer());
  assert.equal(b.answers(), 1);
  assert.deepEqual(b.sent.map((m) => m.description.type), ['answer']);
  assert.equal(b.pc.signalingState, 'stable');
});

test('candidates that arrive before their offer are applied once it is set, in order', async () => {
  const b = side({ polite: true });
  b.negotiation.receive(candidate('c1'));
  b.negotiation.receive(candidate('c2'));
  await b.negotiation.receive(offer());
  assert.deepEqual(b.pc.candidates, ['c1', 'c2']);
  assert.deepEqual(b.sent.map((m) => m.description.type), ['answer']);
});

test('an early candidate that fails is reported and skipped: the pair still answers and keeps the others', async () => {
  const b = side({ polite: true });
  b.pc.badCandidates.add('broken');
  b.negotiation.receive(candidate('c1'));
  b.negotiation.receive(candidate('broken'));
  b.negotiation.receive(candidate('c3'));
  await b.negotiation.receive(offer());
  assert.deepEqual(b.sent.map((m) => m.description.type), ['answer']);
  assert.deepEqual(b.pc.candidates, ['c1', 'c3']);
  assert.deepEqual(b.reported, ['adding an early candidate']);
  // Later messages are still applied.
  await b.negotiation.receive(candidate('c4'));
  assert.deepEqual(b.pc.candidates, ['c1', 'c3', 'c4']);
});

test('colliding offers: the impolite side ignores the other\'s, the polite side rolls back and answers', async () => {
  const impolite = side({ polite: false, session: 1 });
  const polite = side({ polite: true, session: 2 });
  await impolite.negotiation.offer();
  await polite.negotiation.offer();
  await impolite.negotiation.receive(polite.sent[0]);
  await polite.negotiation.receive(impolite.sent[0]);
  assert.deepEqual(impolite.sent.map((m) => m.description.type), ['offer'], 'the impolite side answers nothing');
  assert.deepEqual(polite.sent.map((m) => m.description.type), ['offer', 'answer']);
  // Candidates for the ignored offer fail quietly on the impolite side.
  impolite.pc.badCandidates.add('for-ignored-offer');
  await impolite.negotiation.receive(candidate('for-ignored-offer'));
  assert.deepEqual(impolite.reported, []);
  await impolite.negotiation.receive(polite.sent[1]);
  assert.equal(impolite.pc.signalingState, 'stable');
});

test('an offer of another session means the peer made a new connection; a renegotiation does not', async () => {
  const b = side({ polite: true });
  assert.equal(b.negotiation.isNewSession(offer(9).description), false, 'nothing to compare with yet');
  await b.negotiation.receive(offer(9));
  assert.equal(b.negotiation.isNewSession(offer(9).description), false);
  assert.equal(b.negotiation.isNewSession(offer(10).description), true);
});

test('a closed pair applies nothing more', async () => {
  const b = side({ polite: true });
  b.negotiation.closed = true;
  await b.negotiation.receive(offer());
  assert.deepEqual(b.sent, []);
});
