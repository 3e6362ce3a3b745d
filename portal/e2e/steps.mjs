// Steps of the portal's browser tests: each test script is a list of
// named steps; a failing step is reported with its stack and ends the run
// with exit status 1, which fails the Go test that started the script.
let passed = 0;
let failed = 0;

// step runs one named step and reports it.
export async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.stack || e}`);
    throw e;
  }
}

export function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

// submit clicks selector and waits for the page it leads to.
export async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

// run runs a test script's main and prints the tally; a failure outside
// any step is reported too.
export function run(main) {
  main().then(() => {
    console.log(`${passed} passed, ${failed} failed`);
  }, (e) => {
    if (!failed) console.log(`FAIL ${e.stack || e}`);
    console.log(`${passed} passed, ${Math.max(failed, 1)} failed`);
    process.exit(1);
  });
}
