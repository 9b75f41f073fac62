// The room code and the privacy panel: what the call protects from whom, and the words people read aloud to check
// that nobody sits between them (verification.js has the check). A call feature.

import { Verifier, sha256Hex } from './verification.js';

/** A test hook: this page takes the certificate of the peer with this id for another one, as an interception would
 * make it (it only ever changes what this page shows itself). */
const INTERCEPT_KEY = 'meshmeet.test.intercept';

/** @param {import('./call.js').FeatureContext} context */
export function install({ store, root, onMesh }) {
  const $ = (selector) => root.querySelector(selector);
  const code = $('[data-room-code]');
  const note = $('#room-code-note');
  const panel = $('#privacy-panel');
  const button = $('#privacy-button');
  /** The check of the current mesh (a resume makes a new one). @type {Verifier | null} */
  let verifier = null;

  button.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    button.setAttribute('aria-expanded', String(!panel.hidden));
  });

  const name = (id) => (id === store.selfId ? 'you' : store.get(id)?.displayName ?? 'someone who left');
  const SAYS = {
    'their-certificate': ([a]) => `${name(a)}'s page holds another certificate than the one your connection to them shows: someone may sit between you.`,
    'your-certificate': ([a]) => `${name(a)} sees another certificate for you than yours: someone may sit between you and ${name(a)}.`,
    'their-pair': ([a, b]) => `${name(a)} and ${name(b)} see other certificates for each other than their own: someone may sit between them.`,
    'reveal-mismatch': ([a]) => `${name(a)}'s check did not add up: your connection to them cannot be verified.`,
    unreachable: ([a]) => `You have no connection to ${name(a)} to check.`,
    'no-answer': ([a]) => `${name(a)}'s page has not answered the check: your connection to them cannot be verified.`,
  };

  SAYS['changed-commitment'] = SAYS['reveal-mismatch']; // the same to the person: the check did not add up

  function render() {
    const alone = store.others().length === 0;
    const { code: words, status, problems } = verifier && !alone
      ? verifier.status(performance.now()) : { code: '', status: 'pending', problems: [] };
    const text = status === 'unverified' ? problems.map((p) => SAYS[p.reason](p.ids)).join(' ')
      : alone ? 'The room code appears when someone joins.'
        : status === 'pending' ? 'Checking everyone’s connection…'
          : 'Read it aloud: if everyone sees the same words, nobody sits between you.';
    if (code.textContent !== words) code.textContent = words;
    code.dataset.roomCodeStatus = status;
    const unverified = [...new Set(problems.flatMap((p) => p.ids))].map(name).join(', ');
    if (unverified) code.dataset.roomCodeUnverified = unverified;
    else delete code.dataset.roomCodeUnverified;
    if (note.textContent !== text) note.textContent = text;
  }

  const members = () => verifier?.setMembers([store.selfId, ...store.others().map((p) => p.id)], performance.now());
  onMesh((mesh) => {
    const check = new Verifier({ selfId: store.selfId, fingerprint: mesh.fingerprint, onChange: () => { if (verifier === check) render(); },
      send: (peerId, message) => mesh.sendControl(peerId, message) });
    verifier = check;
    members();
    mesh.addEventListener('control-open', ({ detail }) => check.opened(detail.peerId));
    mesh.addEventListener('control', ({ detail }) => check.receive(detail.peerId, detail.message));
    mesh.addEventListener('peer-state', ({ detail }) => {
      if (detail.state === 'unreachable' || detail.state === 'connected') check.setUnreachable(detail.peerId, detail.state === 'unreachable');
    });
    mesh.addEventListener('link-stats', async ({ detail: { peerId, report } }) => {
      const seen = mesh.remoteFingerprint(peerId, report);
      check.observe(peerId, seen && sessionStorage.getItem(INTERCEPT_KEY) === peerId ? await sha256Hex(`intercepted ${seen}`) : seen);
    });
  });
  store.addEventListener('peer', ({ detail }) => { if (detail.added) members(); });
  store.addEventListener('removed', () => members());
  store.addEventListener('cleared', () => { verifier = null; render(); });
  // A peer that never answers is named after a while, with nothing else happening.
  setInterval(() => { if (verifier) render(); }, 1000);
  render();
}
