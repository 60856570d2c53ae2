/**
 * Which implementation and version serves an account, and the version boundaries the simulated answers
 * turn on. Each boundary cites the implementation's source (`repo: path`, at the versions compared).
 */
import type { ImplementationName } from '../types';

/** The implementation serving an account, at a version. */
export interface ImplementationInfo {
	name: ImplementationName;
	version: string;
}

/** The version an account runs when its configuration names none. */
export function defaultVersion(name: ImplementationName): string {
	switch (name) {
		case 'llonebot':
			return '4.4.3';
		case 'napcat':
			return '4.10.32';
		case 'gocq':
			return 'v1.2.0';
		case 'lagrange':
			return '0.0.3';
	}
}

/**
 * LLOneBot reports the server seq as `message_seq` from v4.6.2 on; v3.x and v4.0–4.6.1 put the short id
 * there (LLOneBot/LLOneBot: src/onebot11/entities.ts at v3.28.0, v4.4.3, v4.6.2).
 */
export function llonebotHasServerSeq(f: ImplementationInfo): boolean {
	return f.name === 'llonebot' && versionAtLeast(f.version, '4.6.2');
}

/**
 * LLOneBot v4.0.0–4.0.8 read history forward from an anchor (queryOrder false); v3.28 and v4.0.9+ backward
 * (LLOneBot/LLOneBot: src/onebot11/action/go-cqhttp/GetGroupMsgHistory.ts v4.0.5, v4.0.9; src/ntqqapi/api/msg.ts v3.28.0).
 */
export function llonebotHistoryForward(f: ImplementationInfo): boolean {
	return (
		f.name === 'llonebot' &&
		versionAtLeast(f.version, '4.0.0') &&
		!versionAtLeast(f.version, '4.0.9')
	);
}

/**
 * LLOneBot 4.x builds the peer before anything checks the target: a missing group_id / user_id is
 * `请指定 group_id 或 user_id`, retcode 200 (LLOneBot/LLOneBot: src/onebot11/helper/createMessage.ts createPeer,
 * src/onebot11/action/msg/SendMsg.ts at v4.0.5, v4.4.3, v4.6.2; 3.x checks in SendMsg.check, ≥ 7 has a schema).
 */
export function llonebotAsksForTarget(f: ImplementationInfo): boolean {
	return (
		f.name === 'llonebot' &&
		versionAtLeast(f.version, '4.0.0') &&
		!versionAtLeast(f.version, '4.7.0')
	);
}

export function major(version: string): number {
	const m = /(\d+)/.exec(version);
	return m ? Number(m[1]) : 0;
}

export function versionAtLeast(version: string, min: string): boolean {
	const a = version
		.replace(/^v/, '')
		.split('.')
		.map((x) => parseInt(x, 10) || 0);
	const b = min.split('.').map((x) => parseInt(x, 10) || 0);
	for (let i = 0; i < Math.max(a.length, b.length); i++) {
		const d = (a[i] ?? 0) - (b[i] ?? 0);
		if (d !== 0) return d > 0;
	}
	return true;
}
