// The call page's phases as a pure state machine: what may happen next is decided here, from the state and one event,
// and nowhere else (no flags spread over modules). call.js dispatches events and acts on the state it gets back.
//
//   prejoin --join--> joining --joined--> in-call --reconnecting--> reconnecting --joined--> in-call
//      ^                 |   ^                |                           |
//      +---join-failed---+   |                +------ended / lost---------+--> ended
//                   waiting  | admitted (joining again, with the host's ticket)
//                        v   |
//                       waiting (in the lobby) --denied / left--> ended

/** @typedef {'prejoin' | 'joining' | 'waiting' | 'in-call' | 'reconnecting' | 'error' | 'ended'} Phase */

/** @typedef {{ phase: Phase, selfId: string, name: string, connected: boolean, ended: string }} CallState */

/** @type {CallState} */
export const INITIAL = Object.freeze({ phase: 'prejoin', selfId: '', name: '', connected: false, ended: '' });

/** Phases in which the page holds a seat and its peer connections. */
export const IN_CALL = new Set(['in-call', 'reconnecting']);

/**
 * The next state. Events that make no sense in the current phase (a second click on Join, a reconnect after the call
 * ended) leave the state as it is: the caller compares and does nothing.
 * @param {CallState} state
 * @param {{ type: string, selfId?: string, name?: string, reason?: string }} event
 * @returns {CallState}
 */
export function transition(state, event) {
  switch (event.type) {
    case 'join': // one join at a time, and none while in the call
      return state.phase === 'prejoin' || state.phase === 'error' ? { ...state, phase: 'joining' } : state;
    case 'connected':
      return { ...state, connected: true };
    case 'waiting': // the room asks to join: in its lobby until a host decides
      return state.phase === 'joining' || state.phase === 'waiting' ? { ...state, phase: 'waiting', name: event.name ?? state.name } : state;
    case 'admitted': // let in from the lobby: joining again, with the ticket
      return state.phase === 'waiting' ? { ...state, phase: 'joining' } : state;
    case 'joined': // a first join, a resume after reconnecting, or a knock that found the lobby off
      return state.phase === 'joining' || state.phase === 'waiting' || state.phase === 'reconnecting' || state.phase === 'in-call'
        ? { ...state, phase: 'in-call', selfId: event.selfId ?? state.selfId, name: event.name ?? state.name }
        : state;
    case 'join-failed':
      return state.phase === 'joining' || state.phase === 'waiting' ? { ...state, phase: 'error' } : state;
    case 'reconnecting':
      return state.phase === 'in-call' ? { ...state, phase: 'reconnecting' } : state;
    case 'disconnected': // the server connection is gone for good
      return IN_CALL.has(state.phase) || state.phase === 'waiting'
        ? { ...state, connected: false, phase: 'ended', ended: 'lost' }
        : { ...state, connected: false };
    case 'ended': // left, kicked, closed, denied, or a resume that failed
      return IN_CALL.has(state.phase) || state.phase === 'joining' || state.phase === 'waiting'
        ? { ...state, phase: 'ended', ended: event.reason ?? 'left' }
        : state;
    default:
      throw new Error(`Unknown call event ${event.type}`);
  }
}
