// A failed test can leave a Kafka or PostgreSQL socket open; exit anyway so a run always ends with its verdict.
module.exports = { ...require('../../jest.preset.js'), displayName: 'test-e2e', rootDir: __dirname, forceExit: true };
