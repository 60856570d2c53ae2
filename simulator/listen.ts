/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/** Listening and closing for the simulator's servers: every socket is tracked so a stop is immediate. */
import type * as http from 'node:http';
import type { Socket } from 'node:net';

/** One of the simulator's small HTTP servers (control API, NapCat WebUI, Docker API) answering a request. */
export type Handler = (
	req: http.IncomingMessage,
	res: http.ServerResponse,
	body: string,
	url: URL,
) => Promise<void> | void;

/** Listens on host:port (0 = any free port), tracking sockets into `sockets`; resolves with the bound port. */
export async function listenTracked(
	server: http.Server,
	host: string,
	port: number,
	sockets: Set<Socket>,
): Promise<number> {
	server.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	return (server.address() as { port: number }).port;
}

/** Closes the server and drops its open connections (a closed port refuses at once). */
export async function closeTracked(server: http.Server, sockets: Set<Socket>): Promise<void> {
	const closed = new Promise<void>((resolve) => server.close(() => resolve()));
	for (const s of sockets) s.destroy();
	sockets.clear();
	await closed;
}

/** Writes `body` as JSON (no body at all when it is undefined), unless the client is already gone. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
	if (res.destroyed) return;
	if (body === undefined) {
		res.writeHead(status, { 'Content-Length': '0' });
		res.end();
		return;
	}
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': String(Buffer.byteLength(text)),
	});
	res.end(text);
}
