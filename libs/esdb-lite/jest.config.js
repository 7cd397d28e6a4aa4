module.exports = { ...require('../../jest.preset.js'), displayName: 'esdb-lite', rootDir: __dirname };
