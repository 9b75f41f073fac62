// The reference relay: what a Socket.IO 4.8 signaling server of the same message shapes does. JoinRoom -> "join"
// (ack with the peers), Signal -> "signal" relayed to one named peer in the same room only, PeerJoined -> "peer-joined".
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.env.PORT ?? 0);
const http = createServer();
const io = new Server(http, { transports: ['websocket'], serveClient: false, maxHttpBufferSize: 64 * 1024 });

io.on('connection', (socket) => {
  socket.on('join', ({ roomId, displayName }, ack) => {
    if (typeof roomId !== 'string' || typeof displayName !== 'string') return ack?.({ error: 'bad join' });
    const members = io.sockets.adapter.rooms.get(roomId) ?? new Set();
    const peers = [...members].map((id) => ({ id, displayName: io.sockets.sockets.get(id)?.data.name }));
    socket.data = { room: roomId, name: displayName };
    socket.join(roomId);
    socket.to(roomId).emit('peer-joined', { id: socket.id, displayName });
    ack?.({ selfId: socket.id, peers });
  });
  socket.on('signal', (message) => {
    const peer = typeof message?.to === 'string' ? io.sockets.sockets.get(message.to) : undefined;
    if (!peer || !socket.data.room || peer.data.room !== socket.data.room) return; // same room only
    peer.emit('signal', { from: socket.id, description: message.description, candidate: message.candidate });
  });
});

http.listen(port, '127.0.0.1', () => console.log(`listening ${http.address().port}`));
