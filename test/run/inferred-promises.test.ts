/**
 * Promises of the text, inferred and proven on a real run: the built CLI runs a kata (written
 * here, with no annotation but the server's bound) against a small local web server through curl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kataCli } from '../helpers/cli.js';

const haveCurl = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
const fence = '```';

/** A shop: `/` greets, `/admin` is 403 until the file `open` exists, `/orders` lists a table. */
const SERVER = `import { createServer } from 'node:http';
import { existsSync, writeFileSync } from 'node:fs';
const dir = process.argv[2];
const server = createServer((request, response) => {
  if (request.url === '/admin') {
    const open = existsSync(dir + '/open');
    response.writeHead(open ? 200 : 403).end(open ? 'welcome, admin\\n' : 'RBAC: access denied\\n');
  } else if (request.url === '/orders') {
    response.end('ORDER       ITEM    STATE     AGE\\norder-bx7kq   pear    packed    1s\\norder-zt4mn   apple   shipped   2s\\n');
  } else response.end('Hello from the shop\\n');
});
server.listen(0, '127.0.0.1', () => writeFileSync(dir + '/port', String(server.address().port)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
`;

function shopKata(ordersState: string, keep = ''): string {
  return `# The shop

Make a folder for the shop and start its server, which runs until it is stopped:

${fence}console
export SHOP=$(mktemp -d)
${fence}

<!-- kata: background for 60s -->
${fence}console
node server.mjs "$SHOP"
${fence}

Ask for the front page:

${fence}console
curl -sS "http://127.0.0.1:$(cat "$SHOP/port")/"
${fence}

You should see \`Hello from the shop\` in the reply.

The admin page is closed to strangers. Ask for it and print only the status:

${fence}console
curl -s -o /dev/null -w '%{http_code}\\n' "http://127.0.0.1:$(cat "$SHOP/port")/admin"
${fence}

You should get a 403 here.

Now open it:

${fence}console
touch "$SHOP/open"
${fence}

Run the same \`curl\` command again; it should print \`200\` this time.

List the orders:

${fence}console
curl -sS "http://127.0.0.1:$(cat "$SHOP/port")/orders"${keep}
${fence}

The output should look something like this:

${fence}
ORDER         ITEM    STATE     AGE
order-2m5xw   apple   ${ordersState}   4m
order-9c8vd   pear    packed    3m
${fence}

## Cleanup

${fence}console
rm -rf "$SHOP"
${fence}
`;
}

function write(markdown: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kata-promises-'));
  writeFileSync(join(dir, 'server.mjs'), SERVER);
  writeFileSync(join(dir, 'shop.md'), markdown);
  return join(dir, 'shop.md');
}

describe.skipIf(!haveCurl)('inferred promises on a real run (needs curl: apt-get install -y curl)', () => {
  it('plans each promise as an inferred check with its sentence, and a re-run for "run the same command again"', async () => {
    const result = await kataCli(['plan', write(shopKata('shipped')), '--json'], { env });
    expect(result.exitCode, result.all).toBe(0);
    const plan = JSON.parse(result.stdout) as {
      steps: { id: string; rerunOf?: string; commands: string[]; checks: { description: string; because?: string; line: number }[] }[];
    };
    const described = plan.steps
      .filter((s) => s.checks.length > 0)
      .map((s) => [s.id, s.rerunOf, s.checks.map((c) => `${c.line}: ${c.description}`)]);
    expect(described).toEqual([
      ['s3', undefined, ['20: output contains "Hello from the shop"']],
      ['s4', undefined, ['28: HTTP status 403 is printed']],
      ['s4-again', 's4', ['36: HTTP status 200 is printed']],
      ['s6', undefined, ['44: output looks like the block at line 46']],
    ]);
    expect(plan.steps.find((s) => s.id === 's4-again')?.checks[0]?.because).toBe(
      'Run the same `curl` command again; it should print `200` this time.',
    );
  });

  it('passes when the promises hold, and writes which checks were inferred into the report', async () => {
    const file = write(shopKata('shipped'));
    const json = join(file, '..', 'report.json');
    const result = await kataCli(['run', file, '--yes', '--report', `json=${json}`], { env });
    expect(result.exitCode, result.all).toBe(0);
    expect(readFileSync(json, 'utf8')).toContain('"because": "You should get a 403 here."');
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      steps: { id: string; status: string; checks: { inferred: boolean; passed: boolean; detail: string }[] }[];
    };
    expect(
      report.steps.filter((s) => s.checks.length > 0).map((s) => [s.id, s.status, s.checks.map((c) => [c.inferred, c.passed, c.detail])]),
    ).toEqual([
      ['s3', 'passed', [[true, true, 'found in the output']]],
      ['s4', 'passed', [[true, true, 'statuses seen: 403']]],
      ['s4-again', 'passed', [[true, true, 'statuses seen: 200']]],
      ['s6', 'passed', [[true, true, 'all 3 expected lines seen']]],
    ]);
  });

  it('fails, naming the expected line not seen, when the output is not what the text promises', async () => {
    const result = await kataCli(['run', write(shopKata('lost   ', ' | tee "$SHOP/orders"')), '--yes', '--timeout', '20s'], { env });
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stdout).toMatch(
      /shop\.md:41: expected output looks like the block at line 46: expected line not seen: "order-2m5xw {3}apple {3}lost {6}4m" \(compared: ORDER order-\*, ITEM apple, STATE lost\)/,
    );
  }, 120_000);
});
