module.exports = { ...require('../../jest.preset.js'), displayName: 'reasoning', rootDir: __dirname };
