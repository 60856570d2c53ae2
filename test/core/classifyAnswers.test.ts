/**
 * Every failure answer of docs/compatibility.md, table 'Send classification', classified as the table
 * says. The inputs are the answers' own strings and envelopes, copied verbatim (with the `{...}` / `[...]`
 * placeholders filled in as the cited source prints them), never taken from the package's patterns.
 */
import { classifyCall } from '../../core/classify';
import { ALL_ERROR_WORDINGS, UNVERIFIED_FALLBACKS } from '../../core/implementations';
import { answering, failureOf } from './helpers';

async function classify(action: string, body: unknown, status = 200) {
	return classifyCall(await failureOf(action, answering(status, body)));
}

const qqnt = (message: string, retcode = 200) => ({
	status: 'failed',
	retcode,
	data: null,
	message,
	wording: message,
	echo: null,
});
/** go-cqhttp ≥ 1.0.0-rc5: `{"data":null,"retcode":100,"msg":"<CODE>","wording":"<text>","message":"<text>","status":"failed"}`. */
const gocqhttp = (code: string, text: string, retcode = 100) => ({
	data: null,
	retcode,
	msg: code,
	wording: text,
	message: text,
	status: 'failed',
});

type Row = [
	name: string,
	action: string,
	body: unknown,
	reason: string,
	reasonClass: string,
	detail?: string,
];

const ROWS: Row[] = [
	// LLOneBot 4.x kernel never confirmed.
	[
		'LLOneBot 4.x: ntqq api timeout IPC_UP_3 (ambiguous)',
		'send_group_msg',
		qqnt(
			'ntqq api timeout IPC_UP_3, ns-ntApi-3, nodeIKernelMsgService/sendMsg, [{"msgId":"0","peer":{"chatType":2,"peerUid":"194167989","guildId":""}}]',
		),
		'send_timeout',
		'ambiguous',
		'llonebot4_timeout',
	],
	[
		'LLOneBot 4.0–4.7.3: ntqq api call failed (kernel rejected)',
		'send_group_msg',
		qqnt(
			'ntqq api call failed, nodeIKernelMsgService/sendMsg, {"result":-1,"errMsg":"rich media transfer failed"}',
		),
		'api_error',
		'ambiguous',
		'llonebot4_result_-1',
	],
	[
		'LLOneBot 4.0–4.7.3: ntqq api call failed with result 110 (removed from the group)',
		'send_group_msg',
		qqnt(
			'ntqq api call failed, nodeIKernelMsgService/sendMsg, {"result":110,"errMsg":"你已被移出该群"}',
		),
		'not_in_group',
		'terminal',
		'llonebot4_result_110',
	],
	[
		'LLOneBot 4.7.4–4.9.4: call failed (DetailedError)',
		'send_group_msg',
		qqnt(
			'call failed, nodeIKernelMsgService/sendMsg, {"result":-1,"errMsg":"rich media transfer failed"}',
		),
		'api_error',
		'ambiguous',
		'llonebot4_result_-1',
	],
	[
		'LLOneBot 3.x: 发送超时 (ambiguous: also thrown when nothing was sent)',
		'send_group_msg',
		qqnt('发送超时'),
		'send_timeout',
		'ambiguous',
		'llonebot3_timeout',
	],
	[
		'LLOneBot 5.0–5.10: invoke timeout (rejections too)',
		'send_group_msg',
		qqnt(
			"invoke timeout, wrapperSession.getMsgService().sendMsg, [ '0', { chatType: 2, peerUid: '194167989', guildId: '' } ]",
		),
		'send_timeout',
		'ambiguous',
		'llonebot7_timeout',
	],
	[
		'LLOneBot ≥ 6.0: invoke failed (util.inspect form)',
		'send_group_msg',
		qqnt(
			"invoke failed, wrapperSession.getMsgService().sendMsg, [ '0' ], { result: -1, errMsg: 'rich media transfer failed' }",
		),
		'api_error',
		'ambiguous',
		'llonebot7_result_-1',
	],
	[
		'LLOneBot ≥ 4.4: muted pre-check 当前处于被禁言状态 (nothing sent)',
		'send_group_msg',
		qqnt('当前处于被禁言状态'),
		'muted',
		'terminal',
		'llonebot_muted_precheck',
	],
	[
		'LLOneBot: record not found 消息发送失败',
		'send_group_msg',
		qqnt('消息发送失败'),
		'send_timeout',
		'ambiguous',
		'llonebot_no_record',
	],
	[
		'NapCat: kernel never answered (EventRet {})',
		'send_group_msg',
		qqnt(
			'Timeout: NTEvent serviceAndMethod:NodeIKernelMsgService/sendMsg ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet:\n{}',
		),
		'send_timeout',
		'ambiguous',
		'napcat_kernel_no_answer',
	],
	[
		'NapCat: accepted, never confirmed ({"result":0,"errMsg":""})',
		'send_group_msg',
		qqnt(
			'Timeout: NTEvent serviceAndMethod:NodeIKernelMsgService/sendMsg ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet:\n{"result":0,"errMsg":""}',
		),
		'send_timeout',
		'ambiguous',
		'napcat_accepted_unconfirmed',
	],
	[
		'NapCat 2.x: Timeout: NTEvent EventName:',
		'send_group_msg',
		qqnt(
			'Timeout: NTEvent EventName:NodeIKernelMsgService/sendMsg ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet:\n{}',
		),
		'send_timeout',
		'ambiguous',
		'napcat2_timeout',
	],
	[
		'NapCat: EventChecker Failed (kernel rejected)',
		'send_group_msg',
		qqnt(
			'EventChecker Failed: NTEvent serviceAndMethod:NodeIKernelMsgService/sendMsg ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet:\n{"result":-1,"errMsg":"rich media transfer failed"}',
		),
		'api_error',
		'ambiguous',
		'napcat_result_-1',
	],
	[
		'NapCat: 消息体无法解析 (nothing sent)',
		'send_group_msg',
		qqnt('消息体无法解析, 请检查是否发送了不支持的消息类型'),
		'bad_request',
		'terminal',
		'napcat_unparsable_message',
	],
	[
		'NapCat: 发送消息失败 (send failed after build)',
		'send_group_msg',
		qqnt('发送消息失败'),
		'api_error',
		'ambiguous',
		'napcat_send_failed',
	],
	[
		'NapCat, LLOneBot: parameter validation, retcode 400 (nothing sent)',
		'send_group_msg',
		qqnt('group_id: Expected number, received string', 400),
		'bad_request',
		'terminal',
		'napcat_bad_params',
	],
	[
		'NapCat: unknown action, HTTP 200 retcode 200 不支持的Api X',
		'set_restart',
		qqnt('不支持的Api set_restart'),
		'unsupported_action',
		'terminal',
		'napcat_unknown_action',
	],
	[
		'go-cqhttp: group send blocked (msg SEND_MSG_API_ERROR, text blocked by server)',
		'send_group_msg',
		gocqhttp('SEND_MSG_API_ERROR', 'send group message failed: blocked by server'),
		'risk_control',
		'ambiguous',
		'blocked_by_server',
	],
	[
		'go-cqhttp: private / forward send failed (请参考 go-cqhttp 端输出): non-friend, temp chat or too long, not account-level',
		'send_private_msg',
		gocqhttp('SEND_MSG_API_ERROR', '请参考 go-cqhttp 端输出'),
		'api_error',
		'ambiguous',
		'gocqhttp_send_failed',
	],
	[
		'go-cqhttp: GROUP_NOT_FOUND 群聊不存在',
		'send_group_msg',
		gocqhttp('GROUP_NOT_FOUND', '群聊不存在'),
		'not_in_group',
		'terminal',
		'gocqhttp_group_not_found',
	],
	[
		'go-cqhttp: EMPTY_MSG_ERROR 消息为空',
		'send_group_msg',
		gocqhttp('EMPTY_MSG_ERROR', '消息为空'),
		'bad_request',
		'terminal',
		'empty_message',
	],
	[
		'go-cqhttp: unknown action, HTTP 200 retcode 404 API_NOT_FOUND',
		'set_restart',
		gocqhttp('API_NOT_FOUND', 'API不存在', 404),
		'unsupported_action',
		'terminal',
		'gocqhttp_unknown_action',
	],
	[
		'Lagrange: retcode 9000, data null (no server sequence)',
		'send_group_msg',
		{ status: 'failed', retcode: 9000, data: null },
		'empty_response',
		'ambiguous',
		'lagrange_no_sequence',
	],
	[
		'Lagrange: retcode 9057 (no answer packet, ambiguous)',
		'send_group_msg',
		{ status: 'failed', retcode: 9057, data: null },
		'send_timeout',
		'ambiguous',
		'lagrange_no_answer',
	],
	[
		'Lagrange: raw result 110 as retcode (removed from the group)',
		'send_group_msg',
		{ status: 'failed', retcode: 110, data: null },
		'not_in_group',
		'terminal',
		'result_110',
	],
];

describe('docs/compatibility.md Send classification: every failure answer is classified as the table says', () => {
	test.each(ROWS)('%s', async (_name, action, body, reason, reasonClass, detail) => {
		const result = await classify(action, body);
		expect(result).toMatchObject({ reason, reasonClass });
		if (detail) expect(result.detail).toBe(detail);
	});

	test('go-cqhttp: the code is kept from msg although message is present (raw.msg)', async () => {
		const result = await classify(
			'send_private_msg',
			gocqhttp('SEND_MSG_API_ERROR', '请参考 go-cqhttp 端输出'),
		);
		expect(result.raw).toMatchObject({
			retcode: 100,
			msg: 'SEND_MSG_API_ERROR',
			message: '请参考 go-cqhttp 端输出',
			wording: '请参考 go-cqhttp 端输出',
		});
	});

	test('over WebSocket the retcode is 1200 instead of 200: the same classification', async () => {
		const result = await classify('send_group_msg', qqnt('当前处于被禁言状态', 1200));
		expect(result).toMatchObject({ reason: 'muted', reasonClass: 'terminal' });
	});
});

describe('patterns no implementation produces stay fallbacks, marked unverified', () => {
	// docs/compatibility.md, table 'Send classification', the **unverified** rows: found in none of the
	// four implementations' send paths.
	test.each([
		'不在该群',
		'不是群成员',
		'not in group',
		'未登录',
		'已掉线',
		'账号已离线',
		'offline',
		'风控',
	])('%s is only an unverified fallback', (text) => {
		const matching = ALL_ERROR_WORDINGS.filter(
			(wording) => wording.on === 'text' && wording.pattern?.test(text),
		);
		expect(matching.length).toBeGreaterThan(0);
		for (const wording of matching) {
			expect(wording.verified).toBe(false);
			expect(UNVERIFIED_FALLBACKS).toContain(wording);
		}
	});

	test('every verified wording names the source that produces it', () => {
		for (const wording of ALL_ERROR_WORDINGS.filter((w) => w.verified))
			expect(wording.source).toMatch(/\S+\/\S+:|#\d+/);
	});
});
