module.exports = { ...require('../../jest.preset.js'), displayName: 'key-store-file', rootDir: __dirname };
