import { describe, expect, it } from 'vitest';
import { OutputChecks, statusPattern } from '../../src/checks/output-checks.js';
import { expectedOutput } from '../../src/kata/expected-output.js';
import type { Check } from '../../src/kata/model.js';

const like = (expected: string): Check => ({ kind: 'output-like', expected, blockLine: 10, inferred: true, line: 9 });
function verdict(check: Check, output: string) {
  const checks = new OutputChecks([check]);
  checks.feedLines(output.split('\n'));
  return checks.finish(0)[0];
}

const PODS = `NAME                         READY   STATUS    RESTARTS   AGE
web-7d8b4f9c6d-x2m4q         2/2     Running   0          3m
api-v1-5cfbd5449-g7phn       2/2     Running   1          12s`;

describe('what an expected-output block asks for', () => {
  it('asks a table for its header and each row by name and stable columns', () => {
    expect(expectedOutput(PODS)).toEqual([
      { kind: 'header', text: expect.stringMatching(/^NAME +READY/), table: 0, columns: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'] },
      {
        kind: 'row',
        text: expect.stringContaining('web-7d8b4f9c6d-x2m4q'),
        table: 0,
        cells: [
          { column: 'NAME', value: 'web-*' },
          { column: 'READY', value: '2/2' },
          { column: 'STATUS', value: 'Running' },
        ],
      },
      expect.objectContaining({ kind: 'row', cells: expect.arrayContaining([{ column: 'NAME', value: 'api-v1-*' }]) }),
    ]);
  });

  it('takes lines that differ in one word as examples of one kind, and skips punctuation and ellipses', () => {
    const items = expectedOutput('Using 10.0.3.7:31234, header\nEgon is 40 years.\nRay is 16 years.\nPeter is 38 years.\n{\n...\n');
    expect(items.map((i) => (i.kind === 'line' ? [i.text, i.examples] : i.kind))).toEqual([
      ['Using 10.0.3.7:31234, header', 1],
      ['Egon is 40 years.', 3],
    ]);
  });
});

describe('output-like', () => {
  it('passes on a later run of the same pods: other hashes, ages, restarts, spacing, row order and extra rows', () => {
    const output = `NAME                      READY   STATUS    RESTARTS      AGE
api-v1-6644f45d6f-lndkm   2/2     Running   3 (2m ago)    4h
other-5b9c7d-abcde        1/1     Running   0             1d
web-5bbf7bcfcb-fphpp      2/2     Running   0             9s`;
    expect(verdict(like(PODS), output)).toMatchObject({ passed: true, detail: 'all 3 expected lines seen' });
  });

  it('takes a name with more words before its generated suffix for the same workload (age-v1-… for age-…)', () => {
    const expected = 'NAME                     READY   STATUS\nage-7976688957-mbvzz     1/1     Running';
    expect(verdict(like(expected), 'NAME                     READY   STATUS\nage-v1-6fccc84ff-kkdgn   1/1     Running')?.passed).toBe(true);
    expect(verdict(like(expected), 'NAME                     READY   STATUS\nage-v1-6fccc84ff-kkdgn   2/2     Running')?.passed).toBe(
      false,
    );
    expect(verdict(like(expected), 'NAME                     READY   STATUS\nagent-6fccc84ff-kkdgn    1/1     Running')?.passed).toBe(
      false,
    );
  });

  it('passes with extra columns (-o wide) and fails on a stable column that differs, naming the line', () => {
    const wide = `NAME                   READY   STATUS    RESTARTS   AGE   IP           NODE
web-5bbf7bcfcb-fphpp   2/2     Running   0          9s    10.244.0.7   lab
api-v1-6644f45d6f-lndkm   1/2     Running   0          9s    10.244.0.8   lab`;
    const result = verdict(like(PODS), wide);
    expect(result?.passed).toBe(false);
    expect(result?.detail).toBe(
      'expected line not seen: "api-v1-5cfbd5449-g7phn       2/2     Running   1          12s" (compared: NAME api-v1-*, READY 2/2, STATUS Running)',
    );
  });

  it('fails when the header is not there (the command printed something else)', () => {
    const result = verdict(like(PODS), 'No resources found in default namespace.');
    expect(result?.passed).toBe(false);
    expect(result?.detail).toMatch(/^expected line not seen: "NAME +READY.*"; 2 more of 3 not seen either$/);
  });

  it('reads two tables one after the other (kubectl get pod,svc) and node ports that vary', () => {
    const expected = `NAME                 READY   STATUS    RESTARTS   AGE
pod/web-7d8b4-x2m4q   1/1     Running   0          2s

NAME          TYPE        CLUSTER-IP      EXTERNAL-IP   PORT(S)          AGE
service/web   NodePort    172.20.168.21   <none>        5000:30326/TCP   2s`;
    const output = `NAME                      READY   STATUS    RESTARTS   AGE
pod/web-6fccc84ff-kkdgn   1/1     Running   0          40s

NAME          TYPE       CLUSTER-IP     EXTERNAL-IP   PORT(S)          AGE
service/web   NodePort   10.96.40.200   <none>        5000:31999/TCP   40s`;
    expect(verdict(like(expected), output)?.passed).toBe(true);
    expect(verdict(like(expected), output.replace('NodePort ', 'ClusterIP'))?.passed).toBe(false);
  });

  it('passes free lines when one line of each kind is seen, whatever the numbers and addresses', () => {
    const expected = 'Using 10.0.36.130:30459, header\nEgon is 40 years.\nRay is 16 years.';
    expect(verdict(like(expected), 'Using 10.96.1.2:8080, header\nPeter is 7 years.\nPeter is 99 years.')?.passed).toBe(true);
    const result = verdict(like(expected), 'Using 10.96.1.2:8080, header\ncurl: (7) Failed to connect');
    expect(result).toMatchObject({ passed: false, detail: 'expected line not seen: "Egon is 40 years." (or another line of that kind)' });
  });
});

describe('status', () => {
  const status = (code: number, format?: string): Check => ({
    kind: 'status',
    code,
    ...(format === undefined ? {} : { format }),
    inferred: true,
    line: 3,
  });

  it('reads status lines of curl -i and -v', () => {
    expect(verdict(status(403), 'HTTP/1.1 403 Forbidden\ncontent-length: 19\n\nRBAC: access denied')).toMatchObject({
      passed: true,
      detail: 'statuses seen: 403',
    });
    expect(verdict(status(200), '* Connected\n< HTTP/2 200 \n< server: envoy')?.passed).toBe(true);
    expect(verdict(status(503), 'HTTP/1.1 200 OK\nHTTP/1.1 200 OK')).toMatchObject({
      passed: false,
      detail: 'statuses seen: 200 (2 times)',
    });
  });

  it("reads where curl's -w format puts the code, and nothing else", () => {
    expect(verdict(status(503, '%{http_code}\\n'), '200\n200\n503\n')).toMatchObject({
      passed: true,
      detail: 'statuses seen: 200 (2 times), 503',
    });
    expect(verdict(status(404, 'code=%{http_code} time=%{time_total}\\n'), 'code=404 time=0.012')?.passed).toBe(true);
    expect(verdict(status(200, '%{http_code}'), '<html>Welcome</html>200')?.passed).toBe(true);
    expect(verdict(status(500, '%{http_code}\\n'), 'Peter is 500 years old')).toMatchObject({
      passed: false,
      detail: 'no HTTP status in the output',
    });
    expect(statusPattern('status: %{http_code}').source).toBe('(?<!\\d)status: ([1-5]\\d\\d)$');
  });
});
