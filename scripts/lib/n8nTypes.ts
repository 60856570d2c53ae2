/** What the n8n client reads and writes: executions, workflows and credentials as n8n stores them. */

export interface StartN8nOptions {
	/** Tarball from packPackage(); installed into <userFolder>/.n8n/nodes. Omit to run n8n without it. */
	packageTgz?: string;
	/** N8N_USER_FOLDER; a fresh folder under .tmp/e2e when omitted. */
	userFolder?: string;
	/** HTTP port on 127.0.0.1; a free one when omitted. */
	port?: number;
	/** Extra environment for n8n (wins over the defaults). */
	env?: Record<string, string>;
	/** Log file (n8n's stdout and stderr); <userFolder>/n8n.log when omitted. */
	logFile?: string;
	/** Remove the user folder on stop() (default: true for a fresh folder, unless SENTINEL_E2E_KEEP=1). */
	cleanup?: boolean;
	/** Time allowed until the editor answers (default 180 s). */
	readyTimeoutMs?: number;
}

export interface StartTimings {
	installPackageMs: number;
	healthzMs: number;
	readyMs: number;
	editorMs: number;
}

export interface NodeRun {
	startTime: number;
	executionTime: number;
	executionStatus?: string;
	error?: { message: string; description?: string; [k: string]: unknown };
	data?: { main?: Array<Array<{ json: Record<string, unknown>; [k: string]: unknown }> | null> };
	[k: string]: unknown;
}

/** An execution as n8n stores it (public API with includeData=true, or the CLI's raw output). */
export interface Execution {
	id?: string;
	workflowId?: string;
	mode?: string;
	status?: string;
	finished?: boolean;
	startedAt?: string;
	stoppedAt?: string;
	data: {
		resultData: {
			runData: Record<string, NodeRun[]>;
			lastNodeExecuted?: string;
			error?: { message: string; [k: string]: unknown };
		};
		[k: string]: unknown;
	};
	[k: string]: unknown;
}

export interface WorkflowJson {
	id?: string;
	name: string;
	nodes: Array<Record<string, unknown>>;
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	[k: string]: unknown;
}

export interface CredentialJson {
	id?: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
	[k: string]: unknown;
}

/** JSON items a node emitted on one of its outputs, in its run (default: the last run). */
export function nodeOutput(
	exec: Execution,
	nodeName: string,
	output = 0,
	runIndex = -1,
): Array<Record<string, unknown>> {
	const runs = exec.data.resultData.runData[nodeName];
	if (!runs || runs.length === 0) {
		const ran = Object.keys(exec.data.resultData.runData).join(', ');
		throw new Error(`node "${nodeName}" did not run (nodes that ran: ${ran || 'none'})`);
	}
	const nodeRun = runs[runIndex < 0 ? runs.length + runIndex : runIndex];
	if (nodeRun.error) throw new Error(`node "${nodeName}" failed: ${nodeRun.error.message}`);
	return (nodeRun.data?.main?.[output] ?? []).map((item) => item.json);
}

/** Whether an execution has ended, whatever its status. */
export function isFinal(exec: Execution): boolean {
	return (
		!!exec.stoppedAt || ['success', 'error', 'crashed', 'canceled'].includes(exec.status ?? '')
	);
}

/** A 16-character id in the alphabet n8n uses for workflow and credential ids. */
export function randomId(): string {
	const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	let id = '';
	for (let i = 0; i < 16; i++) id += chars[Math.floor(Math.random() * chars.length)];
	return id;
}

/** The top-level JSON object in CLI output: from a line that is exactly `{` to the next line that is exactly `}`. */
export function extractJsonBlock(out: string): unknown | undefined {
	const lines = out.split('\n');
	const start = lines.findIndex((l) => l === '{');
	if (start < 0) return undefined;
	const end = lines.indexOf('}', start);
	if (end < 0) return undefined;
	return JSON.parse(lines.slice(start, end + 1).join('\n'));
}
