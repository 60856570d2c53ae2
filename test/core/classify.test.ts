import {
	REASON_CLASS,
	REASON_DESCRIPTIONS,
	acceptedMessageId,
	checkOnline,
	checkSendAccepted,
	classifyCall,
	isSendAction,
	parseKernelResult,
} from '../../core/classify';
import { REASON_CODES } from '../../core/types';
import { TransportError, answering, failing, failureOf } from './helpers';

const failed = (retcode: number, message: string, extra: Record<string, unknown> = {}) => ({
	status: 'failed',
	retcode,
	data: null,
	message,
	wording: message,
	echo: null,
	...extra,
});

async function classify(action: string, status: number, body: unknown) {
	return classifyCall(await failureOf(action, answering(status, body)));
}

// Exact strings of docs/compatibility.md, table 'Send classification': LLOneBot/LLOneBot:
// src/ntqqapi/ntcall.ts (v4.4.3, v4.7.4, v7.0.1); NapNeko/NapCatQQ: packages/napcat-core/apis/msg.ts,
// packages/napcat-core/helper/event.ts; NapCatQQ #600 (result 110, 你已被移出该群).
const LLONEBOT4_TIMEOUT =
	'ntqq api timeout IPC_UP_3, ns-ntApi-3, nodeIKernelMsgService/sendMsg, [{"msgId":"0","peer":{"chatType":2,"peerUid":"194167989"}}]';
const LLONEBOT4_REJECTED =
	'Error: call failed, nodeIKernelMsgService/sendMsg, {"result":1,"errMsg":""}';
const LLONEBOT7_TIMEOUT =
	"invoke timeout, wrapperSession.getMsgService().sendMsg, [ '0', { chatType: 2, peerUid: '194167989', guildId: '' } ]";
const LLONEBOT7_REJECTED =
	"invoke failed, wrapperSession.getMsgService().sendMsg, [ '0', { chatType: 2, peerUid: 'group', guildId: '' } ], { result: -1, errMsg: 'rich media transfer failed' }";
const NAPCAT_TIMEOUT_EMPTY =
	'Timeout: NTEvent serviceAndMethod:NodeIKernelMsgService/sendMsg ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet:\n{}';
const NAPCAT_TIMEOUT_ACCEPTED =
	'Timeout: NTEvent serviceAndMethod:NodeIKernelMsgService/sendMsg ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet:\n{\n    "result": 0,\n    "errMsg": ""\n}';
const NAPCAT_REJECTED =
	'EventChecker Failed: NTEvent serviceAndMethod:NodeIKernelMsgService/sendMsg ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet:\n{\n    "result": -1,\n    "errMsg": "rich media transfer failed"\n}\n';
const NAPCAT_REMOVED =
	'EventChecker Failed: NTEvent serviceAndMethod:NodeIKernelMsgService/sendMsg ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet:\n{\n    "result": 110,\n    "errMsg": "你已被移出该群"\n}\n';

describe('classifyCall: send timeouts (ambiguous: the kernel never confirmed)', () => {
	test.each([
		['LLOneBot 3.x 发送超时', 200, '发送超时', 'llonebot3_timeout'],
		['LLOneBot 4.x ntqq api timeout', 200, LLONEBOT4_TIMEOUT, 'llonebot4_timeout'],
		['LLOneBot 7.x invoke timeout', 200, LLONEBOT7_TIMEOUT, 'llonebot7_timeout'],
		[
			'NapCat timeout, EventRet {} (kernel never answered)',
			200,
			NAPCAT_TIMEOUT_EMPTY,
			'napcat_kernel_no_answer',
		],
		[
			'NapCat timeout, EventRet result 0 (accepted, never confirmed)',
			200,
			NAPCAT_TIMEOUT_ACCEPTED,
			'napcat_accepted_unconfirmed',
		],
		['LLOneBot 3.x over WebSocket (1200)', 1200, '发送超时', 'llonebot3_timeout'],
		['NapCat over WebSocket (1200)', 1200, NAPCAT_TIMEOUT_EMPTY, 'napcat_kernel_no_answer'],
		['LLOneBot record not found 消息发送失败', 200, '消息发送失败', 'llonebot_no_record'],
	])('%s', async (_name, retcode, message, detail) => {
		const result = await classify('send_group_msg', 200, failed(retcode, message));
		expect(result).toMatchObject({ reason: 'send_timeout', reasonClass: 'ambiguous', detail });
		expect(result.raw).toMatchObject({ retcode, message, httpStatus: 200, status: 'failed' });
	});

	test('the same timeout on a non-send action is not a send timeout', async () => {
		const result = await classify(
			'get_group_info',
			200,
			failed(200, LLONEBOT4_TIMEOUT.replace('sendMsg', 'getGroupInfo')),
		);
		expect(result.reason).toBe('api_error');
		expect(result.reasonClass).toBe('transient');
	});
});

describe('classifyCall: kernel rejections', () => {
	test('LLOneBot 4.x call failed with an unknown result keeps the raw error, ambiguous for a send', async () => {
		const result = await classify('send_private_msg', 200, failed(200, LLONEBOT4_REJECTED));
		expect(result).toMatchObject({
			reason: 'api_error',
			reasonClass: 'ambiguous',
			detail: 'llonebot4_result_1',
		});
		expect(result.raw.message).toBe(LLONEBOT4_REJECTED);
	});

	test('LLOneBot 7.x invoke failed (JS object literal result) is read', async () => {
		const result = await classify('send_group_msg', 200, failed(1200, LLONEBOT7_REJECTED));
		expect(result).toMatchObject({
			reason: 'api_error',
			reasonClass: 'ambiguous',
			detail: 'llonebot7_result_-1',
		});
	});

	test('NapCat EventChecker Failed rich media transfer failed', async () => {
		const result = await classify('send_group_msg', 200, failed(200, NAPCAT_REJECTED));
		expect(result).toMatchObject({
			reason: 'api_error',
			reasonClass: 'ambiguous',
			detail: 'napcat_result_-1',
		});
	});

	test('NapCat result 110 / 你已被移出该群 is not_in_group, terminal', async () => {
		const result = await classify('send_group_msg', 200, failed(200, NAPCAT_REMOVED));
		expect(result).toMatchObject({
			reason: 'not_in_group',
			reasonClass: 'terminal',
			detail: 'napcat_result_110',
		});
	});

	test('the bare text 你已被移出该群 is not_in_group', async () => {
		const result = await classify('send_group_msg', 200, failed(200, '你已被移出该群'));
		expect(result).toMatchObject({ reason: 'not_in_group', reasonClass: 'terminal' });
	});

	test('kernel result 120 (muted) is muted, terminal', async () => {
		const message = NAPCAT_REMOVED.replace('110', '120').replace('你已被移出该群', '');
		const result = await classify('send_group_msg', 200, failed(200, message));
		expect(result).toMatchObject({
			reason: 'muted',
			reasonClass: 'terminal',
			detail: 'napcat_result_120',
		});
	});

	test('禁言 in the error text of a send is muted', async () => {
		const result = await classify('send_group_msg', 200, failed(200, '发送失败，你已被禁言'));
		expect(result).toMatchObject({ reason: 'muted', reasonClass: 'terminal' });
	});

	test('parseKernelResult reads both quoting styles and EventRet {}', () => {
		expect(parseKernelResult(NAPCAT_REJECTED)).toEqual({
			result: -1,
			errMsg: 'rich media transfer failed',
		});
		expect(parseKernelResult(LLONEBOT7_REJECTED)).toEqual({
			result: -1,
			errMsg: 'rich media transfer failed',
		});
		expect(parseKernelResult(NAPCAT_TIMEOUT_EMPTY)).toBeNull();
		expect(parseKernelResult('发送超时')).toBeUndefined();
	});
});

describe('classifyCall: go-cqhttp', () => {
	const blocked = {
		status: 'failed',
		retcode: 100,
		data: null,
		msg: 'SEND_MSG_API_ERROR',
		wording: 'send group message failed: blocked by server',
	};

	test('retcode 100 SEND_MSG_API_ERROR blocked by server is risk_control, checked before a resend (MiraiGo: no echo in 5 s)', async () => {
		const result = await classify('send_group_msg', 200, blocked);
		expect(result).toMatchObject({
			reason: 'risk_control',
			reasonClass: 'ambiguous',
			detail: 'blocked_by_server',
		});
		expect(result.raw).toMatchObject({
			retcode: 100,
			message: 'SEND_MSG_API_ERROR',
			wording: blocked.wording,
		});
	});

	test('SEND_MSG_API_ERROR 请参考 go-cqhttp 端输出 is an ambiguous api_error, not account-level (coolq/bot.go SendPrivateMessage)', async () => {
		const result = await classify('send_private_msg', 200, {
			...blocked,
			wording: '请参考 go-cqhttp 端输出',
		});
		expect(result).toMatchObject({
			reason: 'api_error',
			reasonClass: 'ambiguous',
			detail: 'gocqhttp_send_failed',
		});
	});

	test('unknown action: HTTP 200, retcode 404, API_NOT_FOUND / API不存在', async () => {
		const body = {
			status: 'failed',
			retcode: 404,
			data: null,
			msg: 'API_NOT_FOUND',
			wording: 'API不存在',
		};
		expect(await classify('set_restart', 200, body)).toMatchObject({
			reason: 'unsupported_action',
			reasonClass: 'terminal',
		});
	});

	test('GROUP_NOT_FOUND / 群聊不存在 is not_in_group', async () => {
		const body = {
			status: 'failed',
			retcode: 100,
			data: null,
			msg: 'GROUP_NOT_FOUND',
			wording: '群聊不存在',
		};
		expect(await classify('send_group_msg', 200, body)).toMatchObject({
			reason: 'not_in_group',
			reasonClass: 'terminal',
		});
	});

	test('EMPTY_MSG_ERROR is bad_request', async () => {
		const body = {
			status: 'failed',
			retcode: 100,
			data: null,
			msg: 'EMPTY_MSG_ERROR',
			wording: '消息为空',
		};
		expect(await classify('send_group_msg', 200, body)).toMatchObject({
			reason: 'bad_request',
			reasonClass: 'terminal',
		});
	});

	test('retcode 100 / 102 without a known message are spec parameter errors', async () => {
		expect(
			await classify('send_group_msg', 200, { status: 'failed', retcode: 100, data: null }),
		).toMatchObject({
			reason: 'bad_request',
			reasonClass: 'terminal',
		});
		expect(
			await classify('send_group_msg', 200, { status: 'failed', retcode: 102, data: null }),
		).toMatchObject({
			reason: 'bad_request',
		});
	});
});

describe('classifyCall: NapCat and LLOneBot capability answers', () => {
	test('NapCat unknown action: HTTP 200, retcode 200, 不支持的Api X', async () => {
		expect(
			await classify('set_restart', 200, failed(200, '不支持的Api set_restart')),
		).toMatchObject({
			reason: 'unsupported_action',
			reasonClass: 'terminal',
			detail: 'napcat_unknown_action',
		});
	});

	test('NapCat set_restart outside Shell mode: 重启功能未初始化', async () => {
		expect(await classify('set_restart', 200, failed(200, '重启功能未初始化'))).toMatchObject({
			reason: 'unsupported_action',
		});
	});

	test('LLOneBot unknown action: HTTP 404', async () => {
		expect(await classify('set_restart', 404, 'Not Found')).toMatchObject({
			reason: 'unsupported_action',
			reasonClass: 'terminal',
			detail: 'http_404',
		});
	});
});

describe('classifyCall: Lagrange', () => {
	test('retcode 9000, data null: the server returned no sequence', async () => {
		expect(
			await classify('send_group_msg', 200, { status: 'failed', retcode: 9000, data: null }),
		).toMatchObject({
			reason: 'empty_response',
			reasonClass: 'ambiguous',
			detail: 'lagrange_no_sequence',
		});
	});

	test('a raw protocol result code passed as retcode (110) is read', async () => {
		expect(
			await classify('send_group_msg', 200, { status: 'failed', retcode: 110, data: null }),
		).toMatchObject({
			reason: 'not_in_group',
		});
	});

	test('an unknown raw result code stays api_error with the raw error', async () => {
		const result = await classify('send_group_msg', 200, {
			status: 'failed',
			retcode: 46,
			data: null,
		});
		expect(result).toMatchObject({
			reason: 'api_error',
			reasonClass: 'ambiguous',
			raw: { retcode: 46 },
		});
	});
});

describe('classifyCall: auth', () => {
	test.each([
		['LLOneBot 403 (missing or wrong token)', 403, ''],
		['NapCat 403 token verify failed!', 403, { message: 'token verify failed!' }],
		['go-cqhttp 401 (missing token)', 401, ''],
		['go-cqhttp 403 (wrong token)', 403, ''],
	])('%s', async (_name, status, body) => {
		const result = await classify('get_login_info', status, body);
		expect(result).toMatchObject({
			reason: 'auth_failed',
			reasonClass: 'terminal',
			raw: { httpStatus: status },
		});
	});

	test('NapCat token verify failed! inside an envelope', async () => {
		expect(await classify('get_status', 200, failed(1403, 'token verify failed!'))).toMatchObject({
			reason: 'auth_failed',
		});
	});
});

describe('classifyCall: WebSocket retcodes', () => {
	test.each([
		[1400, 'bad_request'],
		[1401, 'auth_failed'],
		[1403, 'auth_failed'],
		[1404, 'unsupported_action'],
	])('%i', async (retcode, reason) => {
		expect(
			await classify('send_group_msg', 200, { status: 'failed', retcode, data: null }),
		).toMatchObject({
			reason,
			reasonClass: 'terminal',
		});
	});
});

describe('classifyCall: transport failures', () => {
	test.each(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH'])(
		'%s never reached the server: unreachable, transient',
		async (code) => {
			const result = classifyCall(
				await failureOf('send_group_msg', failing(new TransportError('x', code))),
			);
			expect(result).toMatchObject({
				reason: 'unreachable',
				reasonClass: 'transient',
				raw: { code },
			});
		},
	);

	test('ECONNRESET on a send may come after the request was read: ambiguous', async () => {
		const result = classifyCall(
			await failureOf('send_group_msg', failing(new TransportError('reset', 'ECONNRESET'))),
		);
		expect(result).toMatchObject({ reason: 'unreachable', reasonClass: 'ambiguous' });
	});

	test('ECONNRESET on a read is transient', async () => {
		const result = classifyCall(
			await failureOf('get_status', failing(new TransportError('reset', 'ECONNRESET'))),
		);
		expect(result).toMatchObject({ reason: 'unreachable', reasonClass: 'transient' });
	});

	test('our own timeout on a send is client_timeout, ambiguous', async () => {
		const result = classifyCall(
			await failureOf('send_group_msg', failing(new TransportError('timed out', 'ETIMEDOUT'))),
		);
		expect(result).toMatchObject({
			reason: 'client_timeout',
			reasonClass: 'ambiguous',
			raw: { code: 'ETIMEDOUT' },
		});
	});

	test('our own timeout on a read is transient', async () => {
		const result = classifyCall(
			await failureOf('get_status', failing(new TransportError('timed out', 'ETIMEDOUT'))),
		);
		expect(result).toMatchObject({ reason: 'client_timeout', reasonClass: 'transient' });
	});

	test.each([500, 502, 503])(
		"HTTP %i to a send without the implementation's JSON error is ambiguous (a proxy may answer after the send went in)",
		async (status) => {
			expect(await classify('send_group_msg', status, 'Bad Gateway')).toMatchObject({
				reason: 'http_error',
				reasonClass: 'ambiguous',
			});
		},
	);

	test.each([500, 502, 503])('HTTP %i to a read is http_error, transient', async (status) => {
		expect(await classify('get_status', status, 'Bad Gateway')).toMatchObject({
			reason: 'http_error',
			reasonClass: 'transient',
		});
	});

	test("HTTP 500 with the implementation's own JSON error on a send is its refusal: transient", async () => {
		const body = { status: 'failed', retcode: 200, data: null, message: 'internal error' };
		expect(await classify('send_group_msg', 500, body)).toMatchObject({
			reason: 'http_error',
			reasonClass: 'transient',
		});
	});

	test('HTTP 504 on a send is ambiguous (the proxy handed it on)', async () => {
		expect(await classify('send_group_msg', 504, '')).toMatchObject({
			reason: 'http_error',
			reasonClass: 'ambiguous',
		});
	});

	test('an unexpected 4xx is http_error, terminal', async () => {
		expect(await classify('send_group_msg', 405, '')).toMatchObject({
			reason: 'http_error',
			reasonClass: 'terminal',
		});
	});

	test('go-cqhttp 400 (body not JSON) is bad_request', async () => {
		expect(await classify('send_group_msg', 400, '')).toMatchObject({
			reason: 'bad_request',
			reasonClass: 'terminal',
		});
	});

	test('a 200 with an HTML page is malformed_response: ambiguous for a send, transient for a read', async () => {
		const send = await classify('send_group_msg', 200, '<html>NapCat WebUI</html>');
		expect(send).toMatchObject({
			reason: 'malformed_response',
			reasonClass: 'ambiguous',
			raw: { body: '<html>NapCat WebUI</html>' },
		});
		expect(await classify('get_status', 200, '<html></html>')).toMatchObject({
			reason: 'malformed_response',
			reasonClass: 'transient',
		});
	});
});

describe('classifyCall: lookups and unknown shapes', () => {
	test('a get_msg failure is lookup_failed', async () => {
		const body = {
			status: 'failed',
			retcode: 100,
			data: null,
			msg: 'MSG_NOT_FOUND',
			wording: '消息不存在',
		};
		expect(await classify('get_msg', 200, body)).toMatchObject({
			reason: 'lookup_failed',
			reasonClass: 'transient',
		});
	});

	test('a NapCat history timeout is lookup_failed', async () => {
		expect(
			await classify(
				'get_group_msg_history',
				200,
				failed(200, ' ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate timeout'),
			),
		).toMatchObject({
			reason: 'lookup_failed',
		});
	});

	test('an unknown action error on a lookup stays unsupported_action', async () => {
		expect(
			await classify(
				'get_friend_msg_history',
				200,
				failed(200, '不支持的Api get_friend_msg_history'),
			),
		).toMatchObject({
			reason: 'unsupported_action',
		});
	});

	test('an unknown error on a send is api_error, ambiguous, raw kept', async () => {
		const result = await classify('send_group_msg', 200, failed(200, 'something new'));
		expect(result).toEqual({
			reason: 'api_error',
			reasonClass: 'ambiguous',
			detail: 'retcode_200',
			raw: {
				httpStatus: 200,
				status: 'failed',
				retcode: 200,
				message: 'something new',
				wording: 'something new',
			},
		});
	});

	test('not logged in texts are client_offline, account', async () => {
		expect(await classify('send_group_msg', 200, failed(200, 'QQ未登录'))).toMatchObject({
			reason: 'client_offline',
			reasonClass: 'account',
		});
	});
});

describe('checkSendAccepted', () => {
	test('a real message_id is accepted', () => {
		expect(checkSendAccepted({ message_id: 1785240938 })).toBeNull();
		expect(acceptedMessageId({ message_id: 1785240938 })).toBe(1785240938);
	});

	test('go-cqhttp ids are signed crc32: negative ids are accepted', () => {
		expect(checkSendAccepted({ message_id: -1249813622 })).toBeNull();
	});

	test.each([
		['data null', null, 'data_null'],
		['no message_id', {}, 'no_message_id'],
		['LLOneBot message_id 0', { message_id: 0 }, 'message_id_0'],
	])('%s is empty_response, ambiguous', (_name, data, detail) => {
		expect(checkSendAccepted(data)).toMatchObject({
			reason: 'empty_response',
			reasonClass: 'ambiguous',
			detail,
		});
	});

	test('an id an earlier different send already got is duplicate_message_id (go-cqhttp #38)', () => {
		expect(checkSendAccepted({ message_id: 42 }, new Set([7, 42]))).toMatchObject({
			reason: 'duplicate_message_id',
			reasonClass: 'ambiguous',
		});
		expect(checkSendAccepted({ message_id: 43 }, new Set([7, 42]))).toBeNull();
	});
});

describe('checkOnline', () => {
	test('online:false while HTTP answers is client_offline', () => {
		expect(checkOnline({ online: false, good: true })).toMatchObject({
			reason: 'client_offline',
			reasonClass: 'account',
		});
		expect(checkOnline({ online: true, good: true })).toBeNull();
	});
});

describe('reason tables', () => {
	test('every reason code has a class and a description', () => {
		for (const code of REASON_CODES) {
			expect(REASON_CLASS[code]).toBeDefined();
			expect(REASON_DESCRIPTIONS[code].meaning.length).toBeGreaterThan(10);
			expect(REASON_DESCRIPTIONS[code].action.length).toBeGreaterThan(10);
		}
	});

	test('isSendAction knows the send actions and their _async forms', () => {
		expect(isSendAction('send_group_msg')).toBe(true);
		expect(isSendAction('send_msg_async')).toBe(true);
		expect(isSendAction('get_msg')).toBe(false);
	});
});

describe('classifyCall: echoed message content never decides the reason', () => {
	test('an LLOneBot 4.x timeout that echoes user text about 风控 / 禁言 / removal stays send_timeout', async () => {
		const echo =
			'ntqq api timeout IPC_UP_3, ns-ntApi-3, nodeIKernelMsgService/sendMsg, [{"msgElements":[{"textElement":{"content":"风控 禁言 你已被移出该群 token verify failed 不支持的Api"}}]}]';
		expect(await classify('send_group_msg', 200, failed(200, echo))).toMatchObject({
			reason: 'send_timeout',
			detail: 'llonebot4_timeout',
		});
	});

	test('an LLOneBot 7.x rejection reads the kernel result at the end, not a number in the echoed text', async () => {
		const echo =
			"invoke failed, wrapperSession.getMsgService().sendMsg, [ '0', { chatType: 2 }, [ { textElement: { content: 'result: 110' } } ] ], { result: -1, errMsg: 'rich media transfer failed' }";
		expect(await classify('send_group_msg', 200, failed(200, echo))).toMatchObject({
			reason: 'api_error',
			detail: 'llonebot7_result_-1',
		});
	});

	test('a user message that merely mentions a timeout is not a send timeout when it is not the prefix', async () => {
		const result = await classify(
			'send_group_msg',
			200,
			failed(200, 'unexpected: 发送超时 was in the text'),
		);
		expect(result.reason).toBe('api_error');
	});
});
