// Lets a child process started by a test run the TypeScript sources directly
// (node -r ./test/support/ts-register.js src/cli.ts ...), compiled by @swc/core with the same
// settings as jest (.swcrc), so tests of entrypoints need no build.
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

const options = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '.swcrc'), 'utf8'));
delete options.$schema;

require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename, swcrc: false });
  module._compile(code, filename);
};
