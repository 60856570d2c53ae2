/**
 * OneBot clients for the simulator's accounts, as a DeliveryEngine takes them (sender and witness), for the
 * tools and tests that drive the delivery engine against a running simulator (scripts/campaign.ts,
 * bench/pacing.ts, test/hardening). Requests go through global fetch unless another RequestFn is given.
 */
import { OneBotClient } from '../../core/transport';
import type { RequestFn } from '../../core/transport';
import type { AccountUrls } from '../../simulator';
import { fetchRequest } from '../../test/support/fetchRequest';

type AccountAddress = Pick<AccountUrls, 'http' | 'token'>;

/** A OneBot HTTP client for one simulator account. */
export function simulatorClient(
	account: AccountAddress,
	request: RequestFn = fetchRequest,
): OneBotClient {
	return new OneBotClient({ baseUrl: account.http, accessToken: account.token, request });
}

/**
 * The engine's sender (the `bot` account, or the client or RequestFn given) and witness (the `witness`
 * account) on one simulator.
 */
export function simulatorParties(
	accounts: { bot: AccountAddress; witness: AccountAddress },
	sender?: OneBotClient | RequestFn,
): { sender: { client: OneBotClient }; witness: { client: OneBotClient } } {
	return {
		sender: {
			client:
				sender instanceof OneBotClient
					? sender
					: simulatorClient(accounts.bot, sender ?? fetchRequest),
		},
		witness: { client: simulatorClient(accounts.witness) },
	};
}
