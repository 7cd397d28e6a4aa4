module.exports = { ...require('../../jest.preset.js'), displayName: 'arbiter', rootDir: __dirname };
