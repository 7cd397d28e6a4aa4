module.exports = { ...require('../../jest.preset.js'), displayName: 'test-conformance', rootDir: __dirname };
