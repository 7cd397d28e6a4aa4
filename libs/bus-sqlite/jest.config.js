module.exports = { ...require('../../jest.preset.js'), displayName: 'bus-sqlite', rootDir: __dirname };
