// Drives a running simulator with node-napcat-ts, an independent OneBot v11 client from the npm
// registry, over the forward WebSocket. Input: JSON on argv[2]; output: one JSON line of observations.
import { NCWebsocket } from 'node-napcat-ts';

const cfg = JSON.parse(process.argv[2]);
const out = {};
const bot = new NCWebsocket({
	baseUrl: cfg.bot.ws,
	accessToken: cfg.bot.token,
	reconnection: { enable: false },
	apiTimeout: 5000,
});
const witness = new NCWebsocket({
	baseUrl: cfg.witness.ws,
	accessToken: cfg.witness.token,
	reconnection: { enable: false },
	apiTimeout: 5000,
});
try {
	const lifecycle = new Promise((resolve) => witness.on('meta_event.lifecycle', (e) => resolve(e)));
	await bot.connect();
	await witness.connect();
	out.lifecycle = await lifecycle;
	out.loginInfo = await bot.get_login_info();
	out.versionInfo = await bot.get_version_info();
	const received = new Promise((resolve) => witness.on('message.group', (e) => resolve(e)));
	out.sent = await bot.send_group_msg({
		group_id: cfg.groupId,
		message: [{ type: 'text', data: { text: cfg.text } }],
	});
	out.received = await received;
	out.getMsg = await bot.get_msg({ message_id: out.sent.message_id });
	out.history = await witness.get_group_msg_history({ group_id: cfg.groupId, count: 5 });
	try {
		await bot.send_group_msg({
			group_id: 1,
			message: [{ type: 'text', data: { text: 'nowhere' } }],
		});
		out.failure = null;
	} catch (e) {
		out.failure = e;
	}
} catch (e) {
	out.error = String(e?.stack ?? JSON.stringify(e));
} finally {
	await bot.disconnect();
	await witness.disconnect();
}
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
