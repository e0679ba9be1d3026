// arena-client for Node: everything of the generic entry, with the `ws` package as the WebSocket when
// globalThis has none (Node 20).

import WebSocket from 'ws';
import { setFallbackWebSocket } from './transport.js';

setFallbackWebSocket(WebSocket);

export * from './index.js';
