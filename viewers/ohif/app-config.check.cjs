// Checks how app-config.js picks the DICOMweb root: the configured archive,
// or a share's own root passed as ?dicomweb= on an allowed origin only.
// Run by TestAppConfigRoot (config_test.go).
const vm = require('vm');
const fs = require('fs');
const src = fs.readFileSync(__dirname + '/app-config.js', 'utf8');
const cases = [
  ['', 'http://127.0.0.1:8042/dicomweb'],
  ['?dicomweb=http%3A%2F%2F127.0.0.1%3A8042%2Fs%2Fabc%2Fdicomweb', 'http://127.0.0.1:8042/s/abc/dicomweb'],
  ['?dicomweb=http%3A%2F%2F127.0.0.1%3A3000%2Fs%2Fxyz%2Fdicomweb%2F', 'http://127.0.0.1:3000/s/xyz/dicomweb'],
  ['?dicomweb=http%3A%2F%2Fevil.example%2Fs%2Fabc%2Fdicomweb', 'http://127.0.0.1:8042/dicomweb'],
  ['?dicomweb=http%3A%2F%2F127.0.0.1%3A8042%2Fdicomweb', 'http://127.0.0.1:8042/dicomweb'],
  ['?dicomweb=not%20a%20url', 'http://127.0.0.1:8042/dicomweb'],
];
let failed = 0;
for (const [search, want] of cases) {
  const window = { location: { search, href: 'http://127.0.0.1:3000/viewer', origin: 'http://127.0.0.1:3000' } };
  vm.runInNewContext(src, { window, URL, URLSearchParams });
  const got = window.config.dataSources[0].configuration.qidoRoot;
  if (got !== want) {
    console.log(`search ${JSON.stringify(search)}: root ${got}, want ${want}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
