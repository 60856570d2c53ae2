/**
 * Which account a restart is for, as the guard keys it: the QQ number the OneBot API reports
 * (`get_login_info`), remembered per normalized endpoint, so every spelling of one endpoint
 * (`http://127.0.0.1:3000`, `http://localhost:3000/`, with or without *Account QQ Number*) shares one
 * guard and one lease.
 */
import { parseLoginInfo } from '../account';
import type { OneBotClient } from '../transport';
import { normalizeEndpoint, restartAccountKey } from './guard';
import { processRestartLeases } from './lease';
import type { RestartLeases } from './lease';

/** Where the key's QQ number came from; `endpoint` when none is known and the key is the endpoint. */
export type AccountKeySource = 'login_info' | 'remembered' | 'expected_self_id' | 'endpoint';

export interface ResolvedAccountKey {
	key: string;
	source: AccountKeySource;
	/** The normalized OneBot endpoint. */
	endpoint: string;
	selfId: number | null;
}

/** QQ numbers learned per normalized endpoint, for the life of the process. */
export class AccountNumbers {
	private readonly byEndpoint = new Map<string, number>();

	/** At most this many endpoints are remembered (the oldest leave first). */
	constructor(private readonly max = 1000) {}

	get(endpoint: string): number | null {
		return this.byEndpoint.get(endpoint) ?? null;
	}

	set(endpoint: string, selfId: number): void {
		this.byEndpoint.delete(endpoint);
		this.byEndpoint.set(endpoint, selfId);
		while (this.byEndpoint.size > this.max)
			this.byEndpoint.delete(this.byEndpoint.keys().next().value as string);
	}

	clear(): void {
		this.byEndpoint.clear();
	}
}

/** The numbers of this process. */
export const processAccountNumbers = new AccountNumbers();

/**
 * The guard key of the account behind `baseUrl`. Asks `get_login_info` (the account's own answer wins);
 * when it cannot be read (the client is down, which is when restarts are wanted), takes the number this
 * process last learned for the endpoint, else *Account QQ Number*, else keys by the normalized endpoint.
 * A number stated as *Account QQ Number* is remembered before the call, so a run for another spelling
 * that cannot read the login info either still finds it. Once a number is known, the endpoint's key
 * is an alias of the number's in the lease registry: a restart under the endpoint key keeps the number's
 * runs out.
 */
export async function resolveRestartAccountKey(options: {
	client: OneBotClient;
	baseUrl: string;
	expectedSelfId?: number | null;
	timeoutMs: number;
	numbers?: AccountNumbers;
	leases?: RestartLeases;
}): Promise<ResolvedAccountKey> {
	const numbers = options.numbers ?? processAccountNumbers;
	const leases = options.leases ?? processRestartLeases;
	const endpoint = normalizeEndpoint(options.baseUrl);
	const before = numbers.get(endpoint);
	const expected =
		typeof options.expectedSelfId === 'number' && options.expectedSelfId > 0
			? options.expectedSelfId
			: null;
	if (expected !== null && before === null) numbers.set(endpoint, expected);
	const login = await options.client.call('get_login_info', {}, { timeoutMs: options.timeoutMs });
	const learned = login.ok ? parseLoginInfo(login.data).userId : null;
	if (learned !== null) numbers.set(endpoint, learned);
	const selfId = learned ?? numbers.get(endpoint);
	const source: AccountKeySource =
		learned !== null
			? 'login_info'
			: selfId === null
				? 'endpoint'
				: before !== null
					? 'remembered'
					: 'expected_self_id';
	const endpointKey = restartAccountKey(null, endpoint);
	if (selfId === null) return { key: endpointKey, source, endpoint, selfId };
	const key = restartAccountKey(selfId, endpoint);
	leases.alias(endpointKey, key);
	return { key, source, endpoint, selfId };
}
