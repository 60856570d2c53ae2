/**
 * Response envelopes per implementation: success and failure bodies, unknown actions and errors thrown
 * inside an action. Sources are cited per answer (`repo: path`).
 */
import { versionAtLeast, type ImplementationInfo } from './versions';

export type Transport = 'http' | 'ws';

export interface Reply {
	httpStatus: number;
	/** JSON-able body; `undefined` = empty body */
	body?: Record<string, unknown>;
}

/**
 * LLOneBot's `echo`: `null` up to v3.29, `undefined` from v3.30 (LLOneBot/LLOneBot: src/onebot11/action/OB11Response.ts
 * at v3.29.0 and v3.30.0), which JSON over HTTP omits.
 */
function llonebotEcho(f: ImplementationInfo): { echo?: null } {
	return versionAtLeast(f.version, '3.30.0') ? {} : { echo: null };
}

/** NapCat's `stream` field exists from v4.8.115 (NapNeko/NapCatQQ: src/onebot/action/OneBotAction.ts v4.8.114 vs v4.8.115). */
function napcatHasStream(f: ImplementationInfo): boolean {
	return versionAtLeast(f.version, '4.8.115');
}

/**
 * The LLOneBot and NapCat envelope around `fields` (status, retcode, data, message, wording): LLOneBot adds
 * its `echo`, NapCat `echo: null` and, from v4.8.115, `stream`.
 */
function qqntEnvelope(
	f: ImplementationInfo,
	fields: Record<string, unknown>,
): Record<string, unknown> {
	if (f.name === 'llonebot') return { ...fields, ...llonebotEcho(f) };
	const b: Record<string, unknown> = { ...fields, echo: null };
	if (napcatHasStream(f)) b.stream = 'normal-action';
	return b;
}

export function okBody(f: ImplementationInfo, data: unknown): Record<string, unknown> {
	switch (f.name) {
		case 'llonebot':
		case 'napcat':
			return qqntEnvelope(f, { status: 'ok', retcode: 0, data, message: '', wording: '' });
		case 'gocq':
			return { data, message: '', retcode: 0, status: 'ok' };
		case 'lagrange':
			return { status: 'ok', retcode: 0, data };
	}
}

export interface ErrorSpec {
	retcode: number;
	message: string;
	/** go-cqhttp: `msg` code, `wording` human text */
	msg?: string;
	wording?: string;
	status?: 'failed' | 'async' | 'ok';
	data?: unknown;
}

/** An exception inside an action: LLOneBot and NapCat answer retcode 200 over HTTP, 1200 over WS. */
export function errorBody(
	f: ImplementationInfo,
	e: ErrorSpec,
	transport: Transport,
): Record<string, unknown> {
	let retcode = e.retcode;
	if ((f.name === 'llonebot' || f.name === 'napcat') && transport === 'ws' && retcode === 200)
		retcode = 1200;
	switch (f.name) {
		case 'llonebot':
		case 'napcat':
			return qqntEnvelope(f, {
				status: e.status ?? 'failed',
				retcode,
				data: e.data ?? null,
				message: e.message,
				wording: e.wording ?? e.message,
			});
		case 'gocq':
			// Mrs4s/go-cqhttp: coolq/api.go `Failed(code, msg...)` (≥ 1.0.0-rc5): the code in `msg`, the text in
			// both `wording` and `message`.
			return {
				data: e.data ?? null,
				retcode,
				msg: e.msg ?? e.message,
				wording: e.wording ?? e.message,
				message: e.wording ?? e.message,
				status: e.status ?? 'failed',
			};
		case 'lagrange':
			return { status: e.status ?? 'failed', retcode, data: e.data ?? null };
	}
}

export function unknownAction(f: ImplementationInfo, action: string, transport: Transport): Reply {
	switch (f.name) {
		case 'llonebot':
			// LLOneBot/LLOneBot: src/onebot11/connect/http.ts: `API 不存在` up to v6.1, `${actionName} API 不存在` from v6.2.
			return transport === 'http'
				? {
						httpStatus: 404,
						body: errorBody(
							f,
							{
								retcode: 404,
								message: versionAtLeast(f.version, '6.2.0') ? `${action} API 不存在` : 'API 不存在',
							},
							transport,
						),
					}
				: {
						httpStatus: 200,
						body: errorBody(f, { retcode: 1404, message: `${action} API 不存在` }, transport),
					};
		case 'napcat':
			return transport === 'http'
				? {
						httpStatus: 200,
						body: errorBody(f, { retcode: 200, message: `不支持的Api ${action}` }, 'http'),
					}
				: {
						httpStatus: 200,
						body: errorBody(f, { retcode: 1404, message: `不支持的API ${action}` }, transport),
					};
		case 'gocq':
			return {
				httpStatus: 200,
				body: errorBody(
					f,
					{ retcode: 404, msg: 'API_NOT_FOUND', wording: 'API不存在', message: 'API不存在' },
					transport,
				),
			};
		case 'lagrange':
			return { httpStatus: 200, body: errorBody(f, { retcode: 404, message: '' }, transport) };
	}
}

/** A generic failure thrown inside an action (bad params, message not found...). */
export function actionError(
	f: ImplementationInfo,
	text: string,
	gocqhttpMsg = 'PARAM_ERROR',
	gocqhttpRetcode = 100,
): ErrorSpec {
	switch (f.name) {
		case 'gocq':
			return { retcode: gocqhttpRetcode, msg: gocqhttpMsg, wording: text, message: text };
		case 'lagrange':
			return { retcode: 200, message: text };
		default:
			return { retcode: 200, message: text };
	}
}
