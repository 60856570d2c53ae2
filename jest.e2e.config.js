/** Real-n8n end-to-end suite (scripts/e2e.sh runs it with --runInBand). */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
	},
	// Builds and packs the package once per run (SENTINEL_E2E_TGZ) for every suite to install.
	globalSetup: '<rootDir>/test/e2e/global-setup.ts',
	globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
	testTimeout: 300000,
	slowTestThreshold: 60,
};
