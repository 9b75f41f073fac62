// The PeerJS 1.0.2 signaling server as its package ships it, on loopback.
import { PeerServer } from 'peer';

const port = Number(process.env.PORT ?? 9000);
PeerServer({ port, host: '127.0.0.1', path: '/' }, (server) => console.log(`listening ${server.address().port}`));
