/** Each test starts with no account pacing in the process, as a fresh n8n process would. */
import { resetAllAccountPacing } from '../../core/pacing/registry';

beforeEach(() => resetAllAccountPacing());
