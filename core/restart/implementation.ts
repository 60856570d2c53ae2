/** Which implementation answers, and whether its set_restart really restarts (field notes §5). */
import { NAPCAT_SET_RESTART_SINCE, compareVersions } from '../implementations';

export type ImplementationFlavour = 'llonebot' | 'napcat' | 'gocq' | 'lagrange' | 'unknown';

export interface ImplementationInfo {
	appName: string | null;
	appVersion: string | null;
	flavour: ImplementationFlavour;
}

/** Reads the implementation from get_version_info's app_name (LLOneBot, NapCat.Onebot, go-cqhttp, Lagrange.OneBot). */
export function detectImplementation(appName: string | null, appVersion: string | null): ImplementationInfo {
	const name = appName ?? '';
	let flavour: ImplementationFlavour = 'unknown';
	if (/llonebot|lucky\s*lillia|llbot/i.test(name)) flavour = 'llonebot';
	else if (/napcat/i.test(name)) flavour = 'napcat';
	else if (/go-?cqhttp/i.test(name)) flavour = 'gocq';
	else if (/lagrange/i.test(name)) flavour = 'lagrange';
	return { appName, appVersion, flavour };
}

// One definition each, in the implementation profiles; re-exported for the restart module's users.
export { compareVersions, NAPCAT_SET_RESTART_SINCE };

/**
 * Whether set_restart really restarts this implementation, from its version (field notes §5).
 * `null` when only the answer can tell (NapCat ≥ 4.10.32 in single-process mode fails; unknown apps).
 */
export function setRestartRefusal(info: ImplementationInfo): string | null {
	switch (info.flavour) {
		case 'llonebot': {
			const major = Number((info.appVersion ?? '').replace(/^v/i, '').split('.')[0]) || 0;
			const name = info.appVersion ? `LLOneBot ${info.appVersion}` : 'LLOneBot';
			return major >= 5
				? `${name}: set_restart only switches auto-login on and answers ok; it does not restart QQ.`
				: `${name}: set_restart quits QQ and nothing relaunches it, so the account would stay offline.`;
		}
		case 'gocq':
			return 'go-cqhttp documents set_restart but does not route it (API not found); it cannot restart itself.';
		case 'napcat':
			if (info.appVersion && compareVersions(info.appVersion, NAPCAT_SET_RESTART_SINCE) < 0) {
				return `NapCat ${info.appVersion}: set_restart exists only from v${NAPCAT_SET_RESTART_SINCE} on.`;
			}
			return null;
		default:
			return null;
	}
}
