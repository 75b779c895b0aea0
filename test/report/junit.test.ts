import { describe, expect, it } from 'vitest';
import { junitReport } from '../../src/report/junit.js';
import { kata } from '../helpers/kata.js';
import { recordOf, step, stepEvents } from '../helpers/run.js';
import { xmllintErrors, xmllintMissing, xpath } from '../helpers/xml.js';

const k = kata(
  `
  # Report me

  <!-- kata: id hello -->
  \`\`\`console
  echo hello
  \`\`\`

  <!-- kata: id wrong; expect contains "two" -->
  \`\`\`console
  echo three
  \`\`\`

  \`\`\`yaml
  kind: Pod
  \`\`\`

  <!-- kata: id later -->
  \`\`\`console
  echo later
  \`\`\`

  # Cleanup

  <!-- kata: id tidy -->
  \`\`\`console
  echo bye
  \`\`\`
`,
  'katas/report-me.md',
);
const shown = k.steps.find((s) => !s.run);

/** A run that fails at `wrong`, with `output` as what it printed. */
function failedRun(output: readonly string[]): string {
  return junitReport(
    recordOf(k, [
      ...stepEvents(step(k, 'hello'), { output: ['hello'] }),
      ...stepEvents(step(k, 'wrong'), { output }),
      ...(shown === undefined ? [] : stepEvents(shown)),
      ...stepEvents(step(k, 'later'), { status: 'skipped', reason: 'an earlier step failed' }),
      { type: 'cleanup-started', reason: 'failure' },
      ...stepEvents(step(k, 'tidy'), { output: ['bye'] }),
    ]),
  );
}

describe('the JUnit report', () => {
  it('has a suite per phase and a testcase per step that runs, with the file and the line of its command; shown blocks are not tests', () => {
    expect(shown?.run).toBe(false);
    const xml = failedRun(['three']);
    expect(xml).toContain('<testsuite name="Report me" tests="3" failures="1" errors="0" skipped="1" time="0.030">');
    expect(xml).toContain('<testsuite name="Report me (cleanup)" tests="1" failures="0" errors="0" skipped="0" time="0.010">');
    const cases = [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)" file="([^"]*)" line="(\d+)"/g)].map((m) =>
      m.slice(1).join(' | '),
    );
    expect(cases).toEqual([
      'katas/report-me.md | hello: echo hello | katas/report-me.md | 5',
      'katas/report-me.md | wrong: echo three | katas/report-me.md | 10',
      'katas/report-me.md | later: echo later | katas/report-me.md | 19',
      'katas/report-me.md | tidy: echo bye | katas/report-me.md | 26',
    ]);
    expect(xml).not.toContain('kind: Pod');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="Report me" time="1.234">\n/);
  });

  it('puts file:line: reason into a failure and the output excerpt inside it, saying how many lines were left out', () => {
    const output = Array.from({ length: 150 }, (_, i) => `line ${i + 1}`);
    const xml = failedRun(output);
    const failure = /<failure message="([^"]*)">([^<]*)<\/failure>/.exec(xml);
    expect(failure?.[1]).toBe('katas/report-me.md:10: expected output contains &quot;two&quot;: not found in the output');
    const body = failure?.[2]?.split('\n') ?? [];
    expect(body.slice(0, 20)).toEqual(output.slice(0, 20));
    expect(body[20]).toBe('... 50 lines omitted ...');
    expect(body.slice(21)).toEqual(output.slice(70));
    expect(xml).toContain('<skipped message="an earlier step failed"/>');
  });

  it('reports an interrupted step as an error, and a re-run for a background step under its own name', () => {
    const xml = junitReport(
      recordOf(k, [
        ...stepEvents(step(k, 'hello'), { output: ['hello'] }),
        ...stepEvents(step(k, 'hello'), { output: ['hello'], rerunFor: 'server' }),
        ...stepEvents(step(k, 'wrong'), { status: 'interrupted', reason: 'interrupted' }),
      ]),
    );
    expect(xml).toContain('name="hello (again, for server): echo hello"');
    expect(xml).toContain('tests="3" failures="0" errors="1" skipped="0"');
    expect(xml).toContain('<error message="katas/report-me.md:10: interrupted"/>');
  });

  it('reports a failed cleanup step in the cleanup suite, and what was left behind as a failed testcase there', () => {
    const xml = junitReport(
      recordOf(k, [
        ...stepEvents(step(k, 'hello'), { output: ['hello'] }),
        { type: 'cleanup-started', reason: 'success' },
        ...stepEvents(step(k, 'tidy'), { status: 'failed', exitCode: 1, reason: 'exit status 1: `echo bye`', output: ['bye'] }),
        { type: 'leftovers', names: ['pod/web', 'service/web'] },
        { type: 'cleanup-unverified', reason: "could not remove the run's namespace: forbidden" },
      ]),
    );
    const [main, cleanup] = xml.split('</testsuite>');
    expect(main).not.toContain('<failure');
    expect(cleanup).toContain('<testsuite name="Report me (cleanup)" tests="2" failures="2"');
    expect(cleanup).toContain('<failure message="katas/report-me.md:26: exit status 1: `echo bye`">bye</failure>');
    expect(cleanup).toContain(
      '<testcase classname="katas/report-me.md" name="nothing left behind" file="katas/report-me.md" time="0"><failure message="left behind: pod/web, service/web, (unverified) could not remove the run\'s namespace: forbidden"/></testcase>',
    );
  });

  it('counts what was left behind in the cleanup suite: its testcase is one of the tests and one of the failures', () => {
    const xml = junitReport(
      recordOf(k, [
        ...stepEvents(step(k, 'hello'), { output: ['hello'] }),
        { type: 'cleanup-started', reason: 'success' },
        ...stepEvents(step(k, 'tidy'), { output: ['bye'] }),
        { type: 'leftovers', names: ['pod/web'] },
      ]),
    );
    const cleanup = xml.split('</testsuite>')[1] ?? '';
    expect(cleanup).toContain('<testsuite name="Report me (cleanup)" tests="2" failures="1" errors="0" skipped="0"');
    for (const suite of xml.split('</testsuite>').slice(0, -1)) {
      const tests = Number(/ tests="(\d+)"/.exec(suite)?.[1]);
      const failures = Number(/ failures="(\d+)"/.exec(suite)?.[1]);
      expect(suite.match(/<testcase /g)?.length ?? 0).toBe(tests);
      expect(suite.match(/<failure /g)?.length ?? 0).toBe(failures);
    }
  });

  it('notes the processes the kata left running, which the runner stopped, in the cleanup suite, without failing a test', () => {
    const xml = junitReport(
      recordOf(k, [
        ...stepEvents(step(k, 'hello'), { output: ['hello'] }),
        { type: 'cleanup-started', reason: 'success' },
        ...stepEvents(step(k, 'tidy'), { output: ['bye'] }),
        { type: 'strays-stopped', processes: ['4242 python3 -m http.server 8080'] },
        { type: 'strays-stopped', processes: ['4243 curl -H Authorization: Bearer abcdefgh12345678 http://web'] },
      ]),
    );
    const [main, cleanup] = xml.split('</testsuite>');
    expect(main).not.toContain('system-out');
    expect(cleanup).toContain('<testsuite name="Report me (cleanup)" tests="1" failures="0" errors="0" skipped="0"');
    expect(cleanup).toContain(
      '    <system-out>stopped what the kata left running on this machine: 4242 python3 -m http.server 8080; 4243 curl -H Authorization: Bearer [redacted] http://web</system-out>\n',
    );
    expect(xml).not.toContain('<failure');
    expect(xml).not.toContain('abcdefgh12345678');
  });

  it('masks tokens and keys a command printed', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLW5vdC1yZWFs';
    const xml = failedRun([
      jwt,
      'Authorization: Bearer abcdefgh12345678',
      'client-key-data: LS0tLS1CRUdJTiBSU0Eg',
      '-----BEGIN RSA PRIVATE KEY-----',
      'MIIEowIBAAKCAQEAx',
      '-----END RSA PRIVATE KEY-----',
    ]);
    for (const secret of [jwt, 'abcdefgh12345678', 'LS0tLS1CRUdJTiBSU0Eg', 'MIIEowIBAAKCAQEAx']) expect(xml).not.toContain(secret);
    expect(xml).toContain(
      '[redacted]\nAuthorization: Bearer [redacted]\nclient-key-data: [redacted]\n-----BEGIN RSA PRIVATE KEY-----[redacted]\n[redacted]\n-----END RSA PRIVATE KEY-----</failure>',
    );
  });

  it('masks a token in the reason of a failure, as the JSON report does', () => {
    const xml = junitReport(
      recordOf(k, [
        ...stepEvents(step(k, 'hello'), { status: 'failed', reason: 'plaintext seen: "GET /?token=abcdefgh12345678"', output: ['hello'] }),
      ]),
    );
    expect(xml).not.toContain('abcdefgh12345678');
    expect(xml).toContain('<failure message="katas/report-me.md:5: plaintext seen: &quot;GET /?token=[redacted]&quot;">');
  });

  // What a command prints ends up in the XML: markup, a CDATA end, characters XML 1.0 forbids.
  const odd = [
    '<b>bold</b> & "quoted" \'single\'',
    'a ]]> b',
    'bell\u0007 esc\u001b[31m nul\u0000 del\u007f',
    'noncharacters \ufffe\uffff end',
    `lone ${'\ud800'} high ${'\udc00'} low`,
    'pair 😀 kept',
    'tab\tand\rreturn',
  ];

  it('escapes what a command printed and drops the characters XML 1.0 forbids, keeping surrogate pairs', () => {
    const xml = failedRun(odd);
    expect(xml).toContain(
      "&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; 'single'\na ]]&gt; b\nbell esc[31m nul del\u007f\nnoncharacters  end\nlone  high  low\npair 😀 kept\ntab\tand\rreturn</failure>",
    );
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
  });

  it.skipIf(xmllintMissing !== undefined)(
    `is well-formed XML that reads back as what was printed (xmllint${xmllintMissing === undefined ? '' : `; skipped: ${xmllintMissing}`})`,
    () => {
      const xml = failedRun(odd);
      expect(xmllintErrors(xml)).toBe('');
      expect(xpath(xml, 'count(//testsuite)')).toBe('2');
      expect(xpath(xml, 'count(//testcase)')).toBe('4');
      // XML turns a lone carriage return into a newline when it reads the text.
      expect(xpath(xml, 'string(//failure)')).toBe(
        `<b>bold</b> & "quoted" 'single'\na ]]> b\nbell esc[31m nul del\u007f\nnoncharacters  end\nlone  high  low\npair 😀 kept\ntab\tand\nreturn`,
      );
      expect(xpath(xml, 'string(//failure/@message)')).toBe(
        'katas/report-me.md:10: expected output contains "two": not found in the output',
      );
    },
  );
});
