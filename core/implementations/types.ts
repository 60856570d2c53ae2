/**
 * What this package knows about one OneBot v11 implementation at one version. Everything here comes
 * from the implementation's own source (docs/compatibility.md, `repo: path` in each `source`); rows nobody could
 * back with code say `verified: false`.
 */
import type { ReasonClass, ReasonCode } from '../types';

export type ImplementationName = 'llonebot' | 'napcat' | 'gocqhttp' | 'lagrange' | 'unknown';

/**
 * Which field of `get_msg`, history entries and message events holds an ordered server seq for group
 * messages: NapCat `real_seq`, LLOneBot ≥ 4.6.2 and go-cqhttp `message_seq`; `none` where no field is
 * ordered (LLOneBot 3.x local counters, LLOneBot 4.0–4.6.1 md5 short ids, Lagrange hashes, unknown).
 */
export type SeqField = 'real_seq' | 'message_seq' | 'none';

/** One error answer the implementation produces and what it means. */
export interface ErrorWording {
	/** Stable name, becomes the classification's `detail`. */
	detail: string;
	/**
	 * What to match: `text` the message/wording text (`anchored`: only at its start, since the rest may
	 * echo the user's own message), `code` go-cqhttp's `msg` code, `retcode` the retcode alone.
	 */
	on: 'text' | 'code' | 'retcode';
	pattern?: RegExp;
	/** With `on: 'code'`: the text must match too. */
	textPattern?: RegExp;
	retcode?: number;
	anchored?: boolean;
	/** Only for send actions: the same words mean something else elsewhere. */
	sendOnly?: boolean;
	/** The text quotes the kernel's `{result, errMsg}`; known result codes refine the reason. */
	kernelResult?: boolean;
	reason: ReasonCode;
	/** When it differs from the reason's usual class. */
	reasonClass?: ReasonClass;
	/** For a send: whether the message can have gone out (false = nothing was sent). */
	maySendAnyway: boolean;
	meaning: string;
	/** Versions that produce it, e.g. `4.0–4.7.3`. */
	versions: string;
	/** `repo: path` where the wording is produced. */
	source: string;
	/** false: found in no implementation's send path; kept only as a harmless fallback. */
	verified: boolean;
}

export type SetRestartBehaviour =
	/** In-process stop/start; the `ok` answer comes only after the restart (expect no answer). */
	| 'restarts_answer_after'
	/** Respawns the worker, only in multi-process Shell mode (else `重启功能未初始化`). */
	| 'restarts_multi_process_only'
	/** Quits QQ; only an outside supervisor relaunches it. */
	| 'quits'
	/** Answers ok but only switches auto-login on. */
	| 'toggles_auto_login'
	/** The action is not routed (API not found). */
	| 'not_routed'
	| 'unknown';

export interface RestartCapabilities {
	setRestart: SetRestartBehaviour;
	/** Why set_restart cannot restart this version, or null when only its answer can tell. */
	setRestartRefusal: string | null;
	/** NapCat WebUI `POST /api/Process/Restart` (v4.10.32+). */
	webui: boolean;
	/** A restart is likely to need a QR login (NapCat drops the quick-login argument on restart). */
	loginMayNeedQr: boolean;
	source: string;
}

/** Which "offline" signals the implementation can produce at all. */
export interface OfflineSignals {
	/** get_status `online`: `tracks_login` can turn false; `never_false` / `hard_coded` cannot. */
	getStatusOnline:
		| 'tracks_login'
		| 'network_drop_only'
		| 'pmhq_closed_only'
		| 'never_false'
		| 'hard_coded'
		| 'unknown';
	/** Heartbeat meta events over HTTP POST reporting. */
	heartbeatHttp: 'on' | 'off_by_default' | 'never' | 'unknown';
	/** Heartbeat meta events over WebSocket. */
	heartbeatWs: 'on' | 'never' | 'unknown';
	/** `notice_type: bot_offline`. */
	botOffline: 'kicked_only' | 'never' | 'unknown';
	source: string;
}

/** What a send's answer and the sender's self messages prove about the kernel on one version. */
export interface KernelProof {
	/** An `ok` answer comes only after the kernel set the record's sendStatus to 2 (LLOneBot, NapCat). */
	okAnswer: boolean;
	/** The self message (`message_sent`) is pushed only on sendStatus 2 (LLOneBot ≥ 4.0.12, NapCat). */
	selfMessage: boolean;
	/** For the messages users read when `selfMessage` is false: which versions can give that proof, or null. */
	selfMessageSince: string | null;
	source: string;
}

export interface ImplementationProfile {
	name: ImplementationName;
	/** e.g. `LLOneBot 4.4.3`. */
	label: string;
	appName: string | null;
	/** app_version as reported (go-cqhttp `v1.2.0`), null when not reported. */
	version: string | null;
	protocolVersion: string | null;
	seqField: SeqField;
	/** How to ask `get_group_msg_history` for the page before an entry. */
	historyAnchor: { param: 'message_seq' | 'message_id'; from: 'seq' | 'message_id' };
	/** Whether a valid message_id can be negative (go-cqhttp crc32, LLOneBot ≥ 6.6 signed int32). */
	negativeMessageIds: boolean;
	/** Whether a private send to a non-friend can look like a kernel hang (NapCat #600). */
	privateNonFriendTimeout: boolean;
	/** What the QQ kernel, as far as this version can show it, confirmed of a send (docs/compatibility.md, table 'Kernel confirmation'). */
	kernelProof: KernelProof;
	/**
	 * Extra parameters that make an anchored `get_group_msg_history` / `get_friend_msg_history` read the anchor
	 * and older messages (NapCat `reverseOrder`, `reverse_order` since v4.9.74), or null where the version pages
	 * backward by itself or cannot be asked to.
	 */
	historyOlderParams: Readonly<Record<string, unknown>> | null;
	/** Whether an anchored history read returns the anchor and newer messages unless asked otherwise. */
	historyPagesForward: boolean;
	/**
	 * The error text this version answers for a history read of a chat with no messages (LLOneBot `未找到消息`),
	 * absent where an empty chat reads as an empty list: the history reader takes the error as an empty page.
	 */
	emptyHistoryAnswer?: RegExp;
	errors: readonly ErrorWording[];
	restart: RestartCapabilities;
	offline: OfflineSignals;
}
