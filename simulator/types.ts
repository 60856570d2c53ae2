/** World configuration (JSON) and shared types of the OneBot v11 simulator. */
import type { Segment } from './message';

/**
 * The implementations the simulator serves; `gocq` is go-cqhttp (the value world files, the control API and
 * the ready line have always used).
 */
export type ImplementationName = 'llonebot' | 'napcat' | 'gocq' | 'lagrange';

export interface AccountConfig {
	selfId: number;
	nickname?: string;
	flavour?: ImplementationName;
	/** llonebot: "3.28.0" | "4.4.3" | "7.0.0" ...; napcat: "4.10.32" ...; free text otherwise. */
	version?: string;
	/** OneBot access token (HTTP, WS). Empty = no auth. */
	token?: string;
	/** Report signing secret for go-cqhttp and Lagrange (llonebot and napcat sign with the token). */
	secret?: string;
	messageFormat?: 'array' | 'string';
	reportUrls?: string[];
	/**
	 * Heartbeats over HTTP POST reporting: go-cqhttp and Lagrange default true; LLOneBot only when set true
	 * (its `enableHttpHeart`, off by default); NapCat never (it sends heartbeats over WebSocket only).
	 */
	reportHeartbeat?: boolean;
	reportSelfMessage?: boolean;
	/** LLOneBot: `debug` adds the kernel record (`raw`) to get_msg and history entries (simulator/kernel.ts). */
	debug?: boolean;
	/** NapCat only: set_restart works only in multi-process Shell mode (default true). */
	napcatMultiProcess?: boolean;
	/**
	 * NapCat only: a quick-login account that survives NapCat's own restart (NAPCAT_QUICK_ACCOUNT or the
	 * WebUI's autoLoginAccount). Without it, a restart through the WebUI or set_restart starts the worker
	 * without the `-q` argument and waits for a QR login (NapNeko/NapCatQQ: packages/napcat-shell/napcat.ts,
	 * restartWorker → startWorker(false): 重启模式不传递快速登录参数). Default false.
	 */
	napcatQuickLogin?: boolean;
	/** Forces (true) or rules out (false) a QR login after any restart, Docker included. */
	needsQrLoginAfterRestart?: boolean;
	restartDowntimeMs?: number;
	/**
	 * How long the client takes to exit on SIGTERM when Docker stops its container (default 0). Docker
	 * waits at most `t` seconds, then kills it; its restart answers only after the stop and the start.
	 */
	dockerStopMs?: number;
	heartbeatIntervalMs?: number;
	kernelTimeoutMs?: number;
	/** Fixed port (HTTP API and forward WebSocket share it). 0/absent = ephemeral. */
	port?: number;
}

/**
 * What the kernel model (simulator/kernel.ts) reads of an account: its number and its configuration with the
 * implementation (`flavour`) and version filled in. The world's Account has it; kernel.ts imports this, not the world.
 */
export interface AccountProfile {
	readonly selfId: number;
	readonly cfg: AccountConfig & { flavour: ImplementationName; version: string };
}

export interface GroupConfig {
	groupId: number;
	name?: string;
	/** account names */
	members: string[];
}

export interface WorldConfig {
	seed?: number;
	accounts?: Record<string, AccountConfig>;
	groups?: GroupConfig[];
	/** pairs of account names */
	friends?: Array<[string, string]>;
	kernelTimeoutMs?: number;
	deliveryDelayMs?: number;
	deliveryJitterMs?: number;
	heartbeatIntervalMs?: number;
	restartDowntimeMs?: number;
	/** Docker container name -> account name. */
	containers?: Record<string, string>;
	webui?: {
		/** account whose NapCat WebUI is served at the WebUI root (default: first napcat account, else "bot"). */
		account?: string;
		token?: string;
		/**
		 * How long a WebUI credential lasts; default by version: never expires before v4.17.30, one hour
		 * from it (see simulator/webui.ts).
		 */
		credentialTtlMs?: number;
		/** WebUI `loginRate`: logins per fixed 60 s window from the first (default 10). */
		loginRateLimitPerMinute?: number;
	};
	faults?: FaultSpec[];
	clockFactor?: number;
}

export type FaultKind =
	| 'silent_drop'
	| 'timeout_not_delivered'
	| 'timeout_delivered'
	| 'stuck_group'
	| 'data_null'
	| 'message_id_zero'
	| 'repeated_message_id'
	| 'risk_control'
	| 'not_in_group'
	| 'muted'
	| 'receive_drop'
	| 'online_false'
	| 'heartbeat_stop'
	| 'degrade_after'
	| 'latency'
	| 'hang'
	| 'connection_reset'
	| 'down'
	| 'http_500'
	| 'malformed_json'
	| 'set_restart_unsupported'
	| 'docker_500'
	| 'webui_down'
	| 'restart_reset';

export interface FaultScope {
	account?: string;
	group?: number;
	/** private chat peer (user id) */
	user?: number;
	action?: string;
	messageType?: 'group' | 'private';
	transport?: 'http' | 'ws';
}

export interface FaultSpec {
	id?: string;
	kind: FaultKind;
	probability?: number;
	seed?: number;
	scope?: FaultScope;
	params?: Record<string, unknown>;
	/** apply N times, then expire */
	count?: number;
	/** degrade_after: the fault that starts once the threshold is passed */
	then?: FaultKind | FaultSpec;
	curedByRestart?: boolean;
}

export interface StoredMessage {
	/** unique id inside the simulator */
	key: string;
	messageType: 'group' | 'private';
	groupId?: number;
	/** private: the receiving user id */
	targetUserId?: number;
	senderAccount: string;
	senderId: number;
	senderNickname: string;
	/** server sequence (group: per group; private: per pair) */
	seq: number;
	random: number;
	time: number; // seconds
	timeMs: number;
	segments: Segment[];
	raw: string;
	accepted: boolean;
	fault?: string;
}

export interface LocalRecord {
	msg: StoredMessage;
	/** NT local msgId as seen by this account */
	localMsgId: string;
	messageId: number;
	storedAt: number;
	offline: boolean;
	/** The sender's own record: the kernel send status (simulator/kernel.ts); absent = 2, confirmed at once. */
	sendStatus?: 0 | 1 | 2 | 3;
}

export interface InboxEntry {
	messageType: 'group' | 'private';
	groupId?: number;
	fromAccount: string;
	fromUserId: number;
	text: string;
	segments: Segment[];
	rawMessage: string;
	time: number;
	receivedAt: number;
	seq: number;
	messageId: number;
	whileOffline: boolean;
}

export interface CallRecord {
	n: number;
	at: number;
	account: string;
	transport: 'http' | 'ws';
	method?: string;
	path?: string;
	action: string;
	params: unknown;
	echo?: unknown;
	httpStatus?: number;
	/** parsed reply object, or the raw text when it was not JSON, or null when no answer was given */
	response: unknown;
	rawResponse?: string;
	faults: string[];
	outcome: 'answered' | 'hang' | 'reset' | 'http_500' | 'malformed_json' | 'auth_failed';
	durationMs: number;
}

export interface ReportRecord {
	account: string;
	url: string;
	body: string;
	headers: Record<string, string>;
	status?: number;
	error?: string;
	at: number;
}
