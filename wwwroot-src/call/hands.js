// Raise hand: one's own, and the host lowering someone else's. A call feature (install wires it).

import { hubErrorMessage } from './signaling.js';

/** @param {import('./call.js').FeatureContext} context */
export function install({ signaling, store, view, root }) {
  const button = root.querySelector('#hand-button');
  const setHand = (raised, participantId) => signaling.invoke('SetHand', { raised, participantId })
    .catch((e) => view.showAlert(hubErrorMessage(e)));

  button.addEventListener('click', () => setHand(!(store.self?.handRaised ?? false)));
  view.onTileButton('button.lower-hand', (peerId) => setHand(false, peerId));
  signaling.on('HandChanged', ({ id, raised }) => store.update(id, { handRaised: raised }));
  store.addEventListener('peer', ({ detail: { peer } }) => {
    if (!peer.self) return;
    button.textContent = peer.handRaised ? 'Lower hand' : 'Raise hand';
    button.setAttribute('aria-pressed', String(peer.handRaised));
  });
}
