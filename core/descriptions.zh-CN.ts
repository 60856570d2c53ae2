/**
 * Chinese explanations of every reason code, probe diagnosis and restart outcome, keyed by the same codes as
 * REASON_DESCRIPTIONS (classify.ts), DIAGNOSIS_DESCRIPTIONS (probe/diagnosis.ts) and RESTART_OUTCOME_DESCRIPTIONS
 * (restart/outcomes.ts), for the Chinese documentation (docs/zh-CN). The node UI stays English.
 * The Record types make a code without a Chinese entry a type error; test/core/descriptionsZh.test.ts checks
 * that both languages cover exactly the same codes.
 */
import type { ProbeDiagnosis } from './probe';
import type { RestartOutcome } from './restart/outcomes';
import type { ReasonCode } from './types';

export const REASON_DESCRIPTIONS_ZH_CN: Record<ReasonCode, { meaning: string; action: string }> = {
	send_timeout: {
		meaning:
			'协议端等待 QQ 内核确认发送时超时（如 NapCat 的 `Timeout: NTEvent`、LLOneBot 的 `ntqq api timeout`）。消息可能已经发出，也可能没有。',
		action:
			'先用小号（witness）确认是否送达，再决定是否重发。群消息反复超时而私聊正常，通常是 QQ 客户端卡住了：重启客户端。',
	},
	empty_response: {
		meaning:
			'调用返回成功，但没有可用的 message_id（data 为 null、没有 message_id 或 message_id 为 0）。',
		action: '按"未确认"处理：重发前先用小号确认。',
	},
	duplicate_message_id: {
		meaning: '协议端返回了一个之前另一条消息已经用过的 message_id（风控时常见）。',
		action: '用小号确认；如果消息确实没到，账号很可能被风控：暂停发送。',
	},
	risk_control: {
		meaning: '腾讯服务器拦截了这次发送（风控）。',
		action: '这个账号暂停发送一段时间（数小时），之后慢慢恢复。不要循环重发。',
	},
	not_in_group: {
		meaning: '账号不在目标群里（被移出，或从未加入）。',
		action: '检查群号，或重新把账号拉进群。重发没有用。',
	},
	muted: {
		meaning: '账号在目标群里被禁言。',
		action: '等禁言结束或联系群管理员。对禁言的群反复发送可能导致账号被封。',
	},
	bad_request: {
		meaning: '协议端拒绝了参数（群号或 QQ 号缺失或无效、消息为空或格式错误）。',
		action: '修正输入。原样重发没有用。',
	},
	unsupported_action: {
		meaning: '协议端不支持这个动作（或当前部署方式无法执行）。',
		action: '换一个动作或协议端，或升级协议端。',
	},
	auth_failed: {
		meaning: 'access token 缺失或错误。',
		action: '对照协议端配置检查凭证里的 access token。',
	},
	unreachable: {
		meaning: '连不上协议端（连接被拒绝、被重置、找不到主机或域名）。',
		action: '确认协议端在运行、Base URL 正确；稍后重试可能就好了。',
	},
	http_error: {
		meaning: 'HTTP 请求返回了意外的状态码。',
		action:
			'5xx 通常是暂时的：稍后重试。发送请求收到的 5xx 若不带协议端自己的 JSON 错误，消息可能已经进去了（代理的 502 可能在协议端收到之后才返回），因此重发前先检查。其他状态码多半是 URL 错了或中间有代理。',
	},
	malformed_response: {
		meaning: '协议端返回的内容不是 OneBot 格式的回复。',
		action: '检查 Base URL（可能指向了 WebUI 或代理的错误页）。',
	},
	client_timeout: {
		meaning: '在本节点自己的超时时间内没有收到回复。如果是发送，消息可能已经发出，也可能没有。',
		action: '重发前先确认；如果只是协议端慢，调大超时。',
	},
	client_offline: {
		meaning: '协议端背后的 QQ 账号掉线或未登录。',
		action: '重新登录账号（可能需要扫码）或重启客户端。',
	},
	not_observed: {
		meaning: '截止时间前小号没有看到这条消息。',
		action: '消息大概率没到。检查发送端客户端；重启客户端通常能解决群消息卡住。',
	},
	lookup_failed: {
		meaning: '查询消息（get_msg 或历史记录）失败，无法用这种方式确认是否送达。',
		action: '重试查询，或改用小号确认。',
	},
	api_error: {
		meaning: '协议端报告了本包不认识的错误。原始错误已保留。',
		action: '阅读原始错误（raw）。如果是发送，结果未知：重发前先确认。',
	},
	not_confirmed: {
		meaning:
			'内核确认（Kernel Confirmed）验证：发送以不确定的方式失败（例如超时），而截止时间前 QQ 内核没有确认：发送方既没有 message_sent 自身事件，也没有 sendStatus 为 2 的原始记录。消息之后仍可能被确认（NapCat 最多等 10 分钟），也可能永远不会（客户端卡住；NOSEQ 发送从不上报）。',
		action:
			'不要盲目重发：evidence.check 会说明重发是否安全。确认已开启自身消息上报（NapCat 的 reportSelfMessage、LLOneBot 的自身消息设置），并在凭证里填写 Event WebSocket URL；群消息反复出现 not_confirmed 通常说明客户端卡住了：重启它。',
	},
	circuit_open: {
		meaning:
			'这个账号的熔断器处于打开状态：最近的发送失败说明客户端卡住或账号有问题，所以这条消息被拦下、没有发送（对于上报：熔断器刚刚打开）。',
		action:
			'重启或检查客户端；Restart Client 恢复成功或 Health Probe 健康都会关闭熔断器。从 Not Delivered 输出的被拦消息从未发出：需要重发。',
	},
	not_friend: {
		meaning:
			'保留：私聊目标不是好友，且消息不可能送达。目前没有协议端的回复能证明这一点：NapCat 对非好友会按临时会话发送，单向好友也能收到（NapNeko/NapCatQQ: SendMsg.ts createContext），所以发给非好友的超时仍是 send_timeout（detail napcat_private_non_friend）。',
		action: '先添加好友（或改为发到群里）。重发无济于事。',
	},
};

export const DIAGNOSIS_DESCRIPTIONS_ZH_CN: Record<
	ProbeDiagnosis,
	{ state: string; meaning: string; action: string }
> = {
	ok: {
		state: 'up（正常）',
		meaning: '所有检查通过，所有探测消息都按时送达。',
		action: '无需处理。',
	},
	unreachable: {
		state: 'down（故障）',
		meaning: 'OneBot API 没有响应 get_login_info（连接被拒绝或重置，或超时无回复）。',
		action: '确认协议端在运行、Base URL 正确；如果卡死就重启客户端。',
	},
	auth_failed: {
		state: 'down（故障）',
		meaning: 'OneBot API 拒绝了 access token。',
		action: '修正凭证里的 access token。',
	},
	api_error: {
		state: 'get_login_info 失败时为 down，否则为 degraded（降级）',
		meaning: 'API 返回了错误，或返回的不是 OneBot 回复（HTTP 5xx、JSON 格式错误、未知错误）。',
		action:
			'查看 checks.*.raw。Base URL 指向代理或 WebUI 时会返回格式错误的内容；5xx 通常是暂时的。',
	},
	offline: {
		state: 'down（故障）',
		meaning: 'API 有响应，但 QQ 账号没有登录（get_status 的 online 为 false，或返回未登录错误）。',
		action: '重新登录账号（可能需要扫码）或重启客户端。',
	},
	group_send_blocked_private_ok: {
		state: 'down（故障）',
		meaning:
			'群探测消息没到，而私聊探测消息到了：这正是"群消息发不出去但私聊正常"的客户端卡死特征。',
		action: '重启 QQ 客户端（OneBot Restart Client），可以解除这种状态。',
	},
	all_sends_failing: {
		state: 'down（故障）',
		meaning: '群探测消息和私聊探测消息都没到。',
		action: '查看 canaries.*.reason：如果是风控，暂停发送数小时；否则重启客户端。',
	},
	group_send_failing: {
		state: 'down（故障）',
		meaning: '群探测消息没到（没有发送私聊探测消息作对比）。',
		action:
			'查看 canaries.group.reason；加一个私聊探测消息，才能区分是客户端卡住还是群本身的问题。',
	},
	private_send_failing: {
		state: 'down（故障）',
		meaning: '私聊探测消息没到（如果发了群探测消息，群探测消息是到了的）。',
		action: '查看 canaries.private.reason；确认目标是该账号的好友。',
	},
	witness_unavailable: {
		state: 'degraded（降级）',
		meaning: '探测消息已发送，但读不到小号，所以不知道是否送达。',
		action: '检查小号的凭证和它的客户端；机器人本身可能没问题。',
	},
	canary_slow: {
		state: 'degraded（降级）',
		meaning: '探测消息都到了，但有一条超过了探测消息延迟阈值。',
		action: '持续观察：送达变慢常常是客户端即将卡住的前兆。',
	},
	no_kernel_proof: {
		state: 'up（正常）',
		meaning:
			'一切正常，但这个协议端版本在 QQ 内核确认发送之前就推送机器人的自身消息（LLOneBot 4.0.12 之前），所以内核确认（Kernel Confirmed）和超时发送后的检查不能拿它当证明，结果是 not_confirmed。',
		action:
			'把 LLOneBot 升级到 4.0.12 或更高（或改用 NapCat）才能得到内核确认；或打开它的 debug 选项让历史里显示原始发送状态；或用小号验证。',
	},
	self_events_unavailable: {
		state: 'up（正常）',
		meaning:
			'一切正常，但机器人对已受理的探测消息的自身消息（message_sent）没有从其凭证的 Event WebSocket URL 传来：自身消息上报没有开启，或者连接打不开。这时内核确认（Kernel Confirmed）验证和超时发送后的检查都看不到迟到的确认。',
		action:
			'为该 WebSocket 开启自身消息上报（NapCat：网络配置里的 reportSelfMessage；LLOneBot：上报自身消息），如果不用，就清空凭证里的 Event WebSocket URL。',
	},
	api_slow: {
		state: 'degraded（降级）',
		meaning: '所有检查通过，但有一次 API 调用超过了 API 延迟阈值。',
		action: '持续观察；检查客户端所在主机的负载。',
	},
};

export const RESTART_OUTCOME_DESCRIPTIONS_ZH_CN: Record<
	RestartOutcome,
	{ meaning: string; action: string }
> = {
	recovered: {
		meaning: '客户端已重启，账号重新登录并在线。',
		action: '无需处理。重发重启前失败的消息（先确认：超时的消息可能已经送达）。',
	},
	needs_login: {
		meaning:
			'客户端重启了，但账号没有登录：NapCat WebUI 给出了二维码或报告了登录错误（重启后需要扫码）。',
		action:
			'在 NapCat WebUI 扫码（或手动登录）。持久化 QQ 数据目录并固定 MAC 地址，重启后才能保持登录。',
	},
	not_recovered: {
		meaning: '已请求重启，但截止时间前账号没有恢复在线。',
		action: '手动检查客户端。如果只是启动慢，调大恢复截止时间。',
	},
	restart_failed: {
		meaning: '重启请求本身失败了（连不上、被拒绝、没有这个容器、WebUI 登录被拒、服务器错误）。',
		action: '查看 `explanation` 和 `restart.raw`；修正凭证、容器名或代理。没有任何东西被重启。',
	},
	skipped_cooldown: {
		meaning: '保护机制拒绝了重启：这个账号上次重启太近，或已达到每小时上限。',
		action: '没有重启。如果总是需要重启，问题不在客户端：检查账号（风控）和主机。',
	},
	skipped_in_progress: {
		meaning: '这个 n8n 进程里另一次运行已经在重启这个账号；本次运行等待它结束，没有重启任何东西。',
		action:
			'没有重启。检查账号（探测）后继续，与 skipped_cooldown 相同；`explanation` 会说明另一次重启的结果。',
	},
	unsupported: {
		meaning:
			'这种方式无法重启这个客户端（例如 LLOneBot、go-cqhttp 或单进程模式的 NapCat 上的 set_restart）。',
		action: '换一种方式：NapCat WebUI、Docker，或向管理客户端的守护进程发自定义 HTTP 请求。',
	},
	dry_run: {
		meaning: '演练模式（Dry Run）：保护机制和重启方式都允许重启，但没有真正请求重启。',
		action: '关闭 Dry Run 才会真正重启。',
	},
};
