/** Access-token checks per implementation, and what each answers to a wrong or missing token. */
import type { Reply } from './envelopes';
import { versionAtLeast, type ImplementationInfo } from './versions';

export interface AuthInput {
	header?: string;
	query?: string | null;
}

export interface AuthResult {
	ok: boolean;
	reply?: Reply;
	/** WS (llonebot/napcat): accept the upgrade, send this frame and close */
	wsFrame?: Record<string, unknown>;
}

function bearer(h?: string): string | undefined {
	if (h === undefined) return undefined;
	const m = /^(?:Bearer|Token)\s+(.*)$/i.exec(h.trim());
	return m ? m[1] : h.trim();
}

export function checkAuth(
	f: ImplementationInfo,
	token: string | undefined,
	input: AuthInput,
): AuthResult {
	if (!token) return { ok: true };
	const header = bearer(input.header);
	const query = input.query ?? undefined;
	let presented: string | undefined;
	if (f.name === 'napcat')
		presented = query ?? header; // query token wins over header
	else presented = header ?? query;
	if (presented === token) return { ok: true };
	switch (f.name) {
		case 'llonebot':
		case 'napcat':
			return {
				ok: false,
				// `token verify failed!` (NapNeko/NapCatQQ: packages/napcat-onebot/network/http-server.ts; LLOneBot/LLOneBot:
				// src/common/server/http.ts v3.28.0, src/onebot11/connect/http.ts v4.4.3, v6.0.0); LLOneBot from v6.5 `403`.
				reply: {
					httpStatus: 403,
					body: {
						message:
							f.name === 'llonebot' && versionAtLeast(f.version, '6.5.0')
								? '403'
								: 'token verify failed!',
					},
				},
				wsFrame: {
					status: 'failed',
					retcode: 1403,
					data: null,
					message: 'token验证失败',
					wording: 'token验证失败',
					echo: null,
				},
			};
		case 'gocq':
		case 'lagrange':
			return { ok: false, reply: { httpStatus: presented === undefined ? 401 : 403 } };
	}
}
