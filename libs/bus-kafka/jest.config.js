module.exports = { ...require('../../jest.preset.js'), displayName: 'bus-kafka', rootDir: __dirname };
