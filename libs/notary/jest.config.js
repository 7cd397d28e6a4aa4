module.exports = { ...require('../../jest.preset.js'), displayName: 'notary', rootDir: __dirname };
