// Perfect negotiation on a fake peer connection: what each side sends, in which order, and what a failed step costs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Negotiation, OFFER_RETRY_MS } from '../call/negotiation.js';
import { FakePeerConnection } from './fake-peer-connection.mjs';

const sdp = (session) => `v=0\r\no=- ${session} 2 IN IP4 127.0.0.1\r\ns=-\r\n`;

function side({ polite, session = 1 }) {
  const pc = new FakePeerConnection(session);
  const sent = [];
  const reported = [];
  let answering = 0;
  let broken = 0;
  const negotiation = new Negotiation({
    pc, polite, send: async (m) => { sent.push(structuredClone(m)); }, beforeAnswer: () => { answering++; }, report: (what) => reported.push(what),
    broken: () => { broken++; },
  });
  return { pc, sent, reported, negotiation, answers: () => answering, broken: () => broken };
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

test('an offer left unanswered is sent again after a while, once per wait, and no more once answered', async () => {
  const a = side({ polite: false, session: 1 });
  const b = side({ polite: true, session: 2 });
  await a.negotiation.offer();
  const sentAt = performance.now();
  assert.equal(a.negotiation.resendUnanswered(sentAt + OFFER_RETRY_MS - 100), false, 'not yet');
  assert.equal(a.negotiation.resendUnanswered(sentAt + OFFER_RETRY_MS + 100), true);
  assert.equal(a.negotiation.resendUnanswered(sentAt + OFFER_RETRY_MS + 200), false, 'the wait starts again');
  assert.deepEqual(a.sent.map((m) => m.description.type), ['offer', 'offer']);
  assert.deepEqual(a.sent[1], a.sent[0], 'the same offer');
  // The first copy was lost; the repeat is answered.
  await b.negotiation.receive(a.sent[1]);
  await a.negotiation.receive(b.sent[0]);
  assert.equal(a.pc.signalingState, 'stable');
  assert.equal(a.negotiation.resendUnanswered(sentAt + 10 * OFFER_RETRY_MS), false);
});

test('an answer the connection cannot take marks the pair broken; a candidate that fails, or a closed pair, does not', async () => {
  const a = side({ polite: false, session: 1 });
  const b = side({ polite: true, session: 2 });
  a.pc.refused.add('answer'); // as Chromium refuses an answer whose DTLS role differs from the transport's
  await a.negotiation.offer();
  await b.negotiation.receive(a.sent[0]);
  await a.negotiation.receive(b.sent[0]);
  assert.deepEqual(a.reported, ['applying the answer']);
  assert.equal(a.broken(), 1);
  assert.equal(a.pc.signalingState, 'have-local-offer');

  const c = side({ polite: true });
  c.pc.badCandidates.add('broken');
  await c.negotiation.receive(offer());
  await c.negotiation.receive(candidate('broken'));
  assert.deepEqual(c.reported, ['adding a candidate']);
  assert.equal(c.broken(), 0);

  a.negotiation.closed = true;
  await a.negotiation.receive(b.sent[0]);
  assert.equal(a.broken(), 1, 'a closed pair is being replaced already');
});

test('an offer that arrives twice (its answer was lost) gets the same answer again, and the repeated answer changes nothing', async () => {
  const a = side({ polite: false, session: 1 });
  const b = side({ polite: true, session: 2 });
  await a.negotiation.offer();
  await b.negotiation.receive(a.sent[0]);
  // b's answer is lost; a sends its offer again.
  await b.negotiation.receive(a.sent[0]);
  assert.deepEqual(b.sent.map((m) => m.description.type), ['answer', 'answer']);
  assert.deepEqual(b.sent[1], b.sent[0], 'the same answer, not a new one');
  assert.equal(b.answers(), 1, 'the answerer did not set up its slots twice');
  await a.negotiation.receive(b.sent[1]);
  assert.equal(a.pc.signalingState, 'stable');
  await a.negotiation.receive(b.sent[0]); // the lost one turns up after all
  assert.deepEqual(a.reported, []);
  assert.equal(a.pc.signalingState, 'stable');
});

test('a repeated offer that arrives after we offered something newer gets the old answer and leaves our offer alone', async () => {
  const a = side({ polite: false, session: 1 });
  const b = side({ polite: true, session: 2 });
  await a.negotiation.offer();
  await b.negotiation.receive(a.sent[0]);
  await b.negotiation.offer(); // b renegotiates before its answer reached a
  await b.negotiation.receive(a.sent[0]); // a, still unanswered, sent its offer again
  assert.equal(b.pc.signalingState, 'have-local-offer', 'b\'s new offer stands');
  assert.deepEqual(b.sent.map((m) => m.description.type), ['answer', 'offer', 'answer']);
  assert.deepEqual(b.sent[2], b.sent[0]);
  await a.negotiation.receive(b.sent[0]);
  await a.negotiation.receive(b.sent[2]);
  await a.negotiation.receive(b.sent[1]);
  assert.deepEqual(a.sent.map((m) => m.description.type), ['offer', 'answer']);
  assert.deepEqual(a.reported, []);
});

test('an offer from a connection the peer has since replaced is dropped when it turns up late, here and on the next connection', async () => {
  const imp = side({ polite: false, session: 1 });
  const oldPolite = side({ polite: true, session: 2 });
  const newPolite = side({ polite: true, session: 3 });
  await imp.negotiation.offer();
  await oldPolite.negotiation.offer();
  await imp.negotiation.receive(oldPolite.sent[0]); // crossed: ignored
  // The polite side answers from a fresh connection (offerOutcome 'replace').
  await newPolite.negotiation.receive(imp.sent[0]);
  await imp.negotiation.receive(newPolite.sent[0]);
  assert.equal(imp.pc.signalingState, 'stable');
  // The old connection's offer, sent again before it was closed, arrives now: not a new connection, and not applied.
  const late = oldPolite.sent[0];
  assert.equal(imp.negotiation.isNewSession(late.description), false);
  assert.equal(imp.negotiation.isStale(late.description), true);
  await imp.negotiation.receive(late);
  assert.deepEqual(imp.sent.map((m) => m.description.type), ['offer'], 'nothing answered');
  assert.equal(imp.pc.signalingState, 'stable');
  // A connection that replaces this one knows those sessions are over too.
  const next = new Negotiation({ pc: new FakePeerConnection(), polite: false, send: async () => {}, retired: imp.negotiation.pastSessions() });
  assert.equal(next.isStale(late.description), true);
  assert.equal(next.isStale(newPolite.sent[0].description), true);
  assert.equal(next.isStale(offer(77).description), false, 'a session never heard of is not');
});

test('a late copy of an older offer, or of an answer already applied, is not applied again', async () => {
  const a = side({ polite: false, session: 1 });
  const b = side({ polite: true, session: 2 });
  await a.negotiation.offer(); // O1
  await b.negotiation.receive(a.sent[0]);
  await a.negotiation.receive(b.sent[0]); // A1
  await a.negotiation.offer(); // O2, say an ICE restart
  await b.negotiation.receive(a.sent[1]);
  await a.negotiation.receive(b.sent[1]); // A2
  // O1 turns up again at b: older than what b applied since.
  await b.negotiation.receive(a.sent[0]);
  assert.deepEqual(b.sent.map((m) => m.description.type), ['answer', 'answer']);
  assert.equal(b.pc.remoteDescription.sdp, a.sent[1].description.sdp);
  // A1 turns up again at a while its next offer waits: not taken for that offer's answer.
  await a.negotiation.offer(); // O3
  await a.negotiation.receive(b.sent[0]);
  assert.equal(a.pc.signalingState, 'have-local-offer');
  assert.deepEqual([a.reported, b.reported], [[], []]);
});
