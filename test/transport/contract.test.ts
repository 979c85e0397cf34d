/** The transport contract suite, run against UDP (IPv4, IPv6) and the simulator's network. */
import { createSocket } from 'node:dgram';
import { SimHub } from '../../src/sim/sim-transport.js';
import { createUdpTransport } from '../../src/transport/udp.js';
import { transportContract } from './contract.js';

transportContract('udp4', {
  create: () => createUdpTransport({ bind: '127.0.0.1:0' }),
  unreachable: () => '127.0.0.1:9',
});

const v6 = await new Promise<boolean>((resolve) => {
  const s = createSocket('udp6');
  s.once('error', () => resolve(false));
  s.bind(0, '::1', () => s.close(() => resolve(true)));
});
if (v6) {
  transportContract('udp6', {
    create: () => createUdpTransport({ bind: '[::1]:0' }),
    unreachable: () => '[::1]:9',
  });
} else {
  process.stdout.write('# skipping the udp6 contract: this host has no IPv6 loopback (::1)\n');
}

// The simulator's own network: each endpoint is a bare slot of a Simulation (its event queue,
// link delays and delivery through Transport.onPacket), run forward as datagrams are sent.
const hub = new SimHub();
transportContract('sim', {
  create: async () => hub.transport(),
  unreachable: () => '127.255.255.254:7946',
});
