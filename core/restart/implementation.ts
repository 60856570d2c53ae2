/**
 * Which implementation answers, and whether its set_restart really restarts: read from the
 * implementation profiles (core/implementations), kept here in the shape the restart output has
 * always had (`implementation: {appName, appVersion, flavour}`), with the profile's name and label added.
 */
import { identifyImplementation, profileOf } from '../implementations';
import type { ImplementationName, ImplementationProfile } from '../implementations';

export { compareVersions, NAPCAT_SET_RESTART_SINCE } from '../implementations';

/** The output's historic flavour names (`gocq` for go-cqhttp); `name` carries the profile's own name. */
export type ImplementationFlavour = 'llonebot' | 'napcat' | 'gocq' | 'lagrange' | 'unknown';

export interface ImplementationInfo {
	appName: string | null;
	appVersion: string | null;
	flavour: ImplementationFlavour;
	/** The implementation profile's name (`gocqhttp` for go-cqhttp). */
	name?: ImplementationName;
	/** e.g. `NapCat 4.10.32`. */
	label?: string;
	/** A restart of this implementation is likely to end at a QR login (NapCat). */
	loginMayNeedQr?: boolean;
}

function flavourOf(name: ImplementationName): ImplementationFlavour {
	return name === 'gocqhttp' ? 'gocq' : name;
}

function infoOf(
	profile: ImplementationProfile,
	appName: string | null,
	appVersion: string | null,
): ImplementationInfo {
	return {
		appName,
		appVersion,
		flavour: flavourOf(profile.name),
		name: profile.name,
		label: profile.label,
		loginMayNeedQr: profile.restart.loginMayNeedQr,
	};
}

/** Reads the implementation from get_version_info's app_name and app_version. */
export function detectImplementation(
	appName: string | null,
	appVersion: string | null,
): ImplementationInfo {
	return infoOf(
		identifyImplementation({ app_name: appName, app_version: appVersion }),
		appName,
		appVersion,
	);
}

/**
 * Whether set_restart really restarts this implementation, from its version (the profile's restart
 * capabilities). `null` when only the answer can tell (NapCat ≥ 4.10.32 in single-process mode fails;
 * unknown apps).
 */
export function setRestartRefusal(info: ImplementationInfo): string | null {
	const name: ImplementationName =
		info.name ?? (info.flavour === 'gocq' ? 'gocqhttp' : info.flavour);
	const profile = profileOf(name, info.appVersion);
	return profile.restart.setRestartRefusal;
}
