module.exports = { ...require('../../jest.preset.js'), displayName: 'read-models-pglite', rootDir: __dirname };
