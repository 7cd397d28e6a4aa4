module.exports = { ...require('../../jest.preset.js'), displayName: 'reasoner-openai', rootDir: __dirname };
