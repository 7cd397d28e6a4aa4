module.exports = { ...require('../../jest.preset.js'), displayName: 'event-store-esdb', rootDir: __dirname };
