module.exports = { ...require('../../jest.preset.js'), displayName: 'reasoner', rootDir: __dirname };
