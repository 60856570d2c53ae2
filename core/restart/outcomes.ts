/** The restart methods and the outcomes of a restart run, with what each outcome means. */

export const RESTART_METHODS = ['onebot', 'napcatWebUi', 'docker', 'customHttp'] as const;
export type RestartMethodName = (typeof RESTART_METHODS)[number];

export const RESTART_OUTCOMES = [
	'recovered',
	'needs_login',
	'not_recovered',
	'restart_failed',
	'skipped_cooldown',
	'skipped_in_progress',
	'unsupported',
	'dry_run',
] as const;
export type RestartOutcome = (typeof RESTART_OUTCOMES)[number];

/** What each outcome means and what to do, for the node's output and the generated docs tables (npm run docs). */
export const RESTART_OUTCOME_DESCRIPTIONS: Record<
	RestartOutcome,
	{ meaning: string; action: string }
> = {
	recovered: {
		meaning: 'The client was restarted and the account is logged in and online again.',
		action:
			'Nothing. Resend what failed before the restart (verify first: a timed-out message may have arrived).',
	},
	needs_login: {
		meaning:
			'The client restarted but the account is not logged in: the NapCat WebUI offers a QR code or reports a login error.',
		action:
			'Scan the QR code in the NapCat WebUI (or log in by hand). Persist the QQ data directory and the MAC address so restarts keep the login.',
	},
	not_recovered: {
		meaning: 'The restart was requested but the account was not back online by the deadline.',
		action: 'Look at the client by hand. Raise the recovery deadline if it is just slow to start.',
	},
	restart_failed: {
		meaning:
			'The restart request itself failed (unreachable, refused, no such container, WebUI login refused, server error).',
		action:
			'Read `explanation` and `restart.raw`; fix the credential, the container name or the proxy. Nothing was restarted.',
	},
	skipped_cooldown: {
		meaning:
			'The guard refused to restart: the last restart of this account was too recent, or the hourly cap is reached.',
		action:
			'Nothing was restarted. If restarts keep being needed, the client is not the cause: check the account (risk control) and the host.',
	},
	skipped_in_progress: {
		meaning:
			'Another run in this n8n process was already restarting this account; this run waited for it to finish and restarted nothing.',
		action:
			'Nothing was restarted. Check the account (probe) and go on, as after skipped_cooldown; `explanation` says how the other restart ended.',
	},
	unsupported: {
		meaning:
			'This method cannot restart this client (e.g. set_restart on LLOneBot, go-cqhttp, or NapCat in single-process mode).',
		action:
			'Pick another method: the NapCat WebUI, Docker, or a custom HTTP request to the supervisor that runs the client.',
	},
	dry_run: {
		meaning: 'Dry run: the guard and the method allow a restart, but none was requested.',
		action: 'Switch Dry Run off to restart for real.',
	},
};
