module.exports = { ...require('../../jest.preset.js'), displayName: 'event-store-sqlite', rootDir: __dirname };
