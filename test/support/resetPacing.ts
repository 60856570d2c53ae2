/** Each test starts with no account pacing and no claims in the process, as a fresh n8n process would. */
import { resetAllClaims } from '../../core/claims';
import { resetAllAccountPacing } from '../../core/pacing/registry';

beforeEach(() => {
	resetAllAccountPacing();
	resetAllClaims();
});
