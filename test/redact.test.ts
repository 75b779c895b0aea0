import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExcerptBuffer } from '../src/run/events.js';
import { redact, Redactor } from '../src/redact.js';

// Made-up credentials of the shapes that leak (none of them is real).
const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IkFCQyJ9.eyJhdWQiOlsiaHR0cHM6Ly9rdWJlcm5ldGVzIl19.c2lnbmF0dXJlLW5vdC1yZWFsLWF0LWFsbA';

describe('redaction', () => {
  it('masks bare tokens and keys of the shapes that leak', () => {
    expect(redact(JWT)).toBe('[redacted]');
    expect(redact(`token: ${JWT}`)).toBe('token: [redacted]');
    expect(redact('export GH=ghp_abcdefghijklmnopqrstuvwxyz0123456789AB')).toBe('export GH=[redacted]');
    expect(redact('slack xoxb-1234567890-abcdefghij')).toBe('slack [redacted]');
    expect(redact('key id AKIAABCDEFGHIJKLMNOP here')).toBe('key id [redacted] here');
    expect(redact('aws_secret_access_key = wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY')).toBe('aws_secret_access_key = [redacted]');
    expect(redact('Authorization: Bearer abc.def.ghi-jkl')).toBe('Authorization: Bearer [redacted]');
  });

  it('leaves ordinary output alone', () => {
    for (const line of [
      'deployment.apps/nginx created',
      'Welcome to nginx!',
      'keys: 3 (monkey)',
      '10.244.0.5.80 > 127.0.0.6.4312: Flags [P.]',
    ])
      expect(redact(line)).toBe(line);
  });

  it('masks a private key block line by line, its BEGIN and END kept', () => {
    const r = new Redactor();
    const out = [
      '-----BEGIN PRIVATE KEY-----',
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
      'BKcwggSjAgEAAoIBAQC7',
      '-----END PRIVATE KEY-----',
      'after',
    ].map((l) => r.line(l));
    expect(out).toEqual(['-----BEGIN PRIVATE KEY-----[redacted]', '[redacted]', '[redacted]', '-----END PRIVATE KEY-----', 'after']);
  });

  it("is applied to what reports keep of a step's output (JSON, JUnit and the plain tail read the excerpt)", () => {
    const excerpt = new ExcerptBuffer(2, 2);
    excerpt.pushLines([
      'first',
      JWT,
      ...Array.from({ length: 50 }, (_, i) => `line ${i}`),
      `password=hunter2hunter2`,
      '-----BEGIN RSA PRIVATE KEY-----',
    ]);
    excerpt.push('MIIEowIBAAKCAQEA');
    const kept = excerpt.excerpt();
    expect(kept.head).toEqual(['first', '[redacted]']);
    expect(kept.tail).toEqual(['password=[redacted]', '-----BEGIN RSA PRIVATE KEY-----[redacted]', '[redacted]'].slice(-2));
  });

  it('masks what kubeconfigs, secrets and tokens look like where kubectl and curl print them', () => {
    const cases: [string, string][] = [
      ['    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==', '    client-key-data: [redacted]'],
      ['    token: sha256~abcdefghijklmnopqrstuvwxyz', '    token: [redacted]'],
      [
        '{"apiVersion":"v1","kind":"Secret","data":{"password":"aHVudGVyMmh1bnRlcjI="}}',
        '{"apiVersion":"v1","kind":"Secret","data":{"password":"[redacted]"}}',
      ],
      ['"access_token": "ya29.a0AfH6SMBx"', '"access_token": "[redacted]"'],
      ['kubectl --token=abcdefgh12345678 get pods', 'kubectl --token=[redacted] get pods'],
      ['> Authorization: Bearer abcdefgh12345678', '> Authorization: Bearer [redacted]'],
      ['GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'GITHUB_TOKEN=[redacted]'],
      ['client_secret: s3cr3tv4lu3xyz', 'client_secret: [redacted]'],
      ['DB_PASSWORD_NAMED=hunter2hunter2', 'DB_PASSWORD_NAMED=[redacted]'],
    ];
    for (const [line, masked] of cases) expect(redact(line), line).toBe(masked);
  });

  it("masks every credential field of a kubeconfig, certificates too (reports never contain the kubeconfig), but not kubectl's own placeholders", () => {
    const cases: [string, string][] = [
      ['    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t', '    certificate-authority-data: [redacted]'],
      ['    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t', '    client-certificate-data: [redacted]'],
      ['    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==', '    client-key-data: [redacted]'],
      ['"certificate-authority-data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t",', '"certificate-authority-data": "[redacted]",'],
      ['    certificate-authority-data: DATA+OMITTED', '    certificate-authority-data: DATA+OMITTED'],
      ['    client-key-data: REDACTED', '    client-key-data: REDACTED'],
    ];
    for (const [line, masked] of cases) expect(redact(line), line).toBe(masked);
  });

  it('masks HTTP credentials in any case, and the key material of a Secret as kubectl get secret -o yaml/json prints it', () => {
    const cases: [string, string][] = [
      ['> Authorization: Basic dXNlcjpwYXNzd29yZA==', '> Authorization: Basic [redacted]'],
      ['-H "authorization: basic dXNlcjpwYXNzd29yZA=="', '-H "authorization: basic [redacted]"'],
      ['> proxy-authorization: Basic dXNlcjpwYXNzd29yZA==', '> proxy-authorization: Basic [redacted]'],
      ['> authorization: bearer abcdefgh12345678', '> authorization: bearer [redacted]'],
      ['token type bearer abcdefgh12345678 issued', 'token type bearer [redacted] issued'],
      ['BEARER abc.def.ghi-jkl', 'BEARER [redacted]'],
      ['  tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2', '  tls.key: [redacted]'],
      [
        '{"data":{"tls.crt":"LS0tLS1CRUdJTiBDRVJU","tls.key":"LS0tLS1CRUdJTiBQUklW"}}',
        '{"data":{"tls.crt":"LS0tLS1CRUdJTiBDRVJU","tls.key":"[redacted]"}}',
      ],
      ['  ssh-privatekey: LS0tLS1CRUdJTiBPUEVOU1NI', '  ssh-privatekey: [redacted]'],
      ['  .dockerconfigjson: eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlIjp7fX19', '  .dockerconfigjson: [redacted]'],
      ['  credentials: W2RlZmF1bHRdCmF3c19hY2Nlc3Nfa2V5X2lk', '  credentials: [redacted]'],
      ['  password: aHVudGVyMmh1bnRlcjI=', '  password: [redacted]'],
    ];
    for (const [line, masked] of cases) expect(redact(line), line).toBe(masked);
  });

  it('leaves alone what kubectl prints about secrets and tokens without printing one', () => {
    const lines = [
      'NAME                  TYPE                                  DATA   AGE',
      'default-token-x7k2p   kubernetes.io/service-account-token   3      12d',
      'Type:  kubernetes.io/service-account-token',
      'secret/db-password created',
      'serviceaccount/token-reader created',
      '      automountServiceAccountToken: false',
      '    - key: password',
      'expirationSeconds: 3607',
      'Mounts: /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-9xk2p (ro)',
      '< WWW-Authenticate: Bearer realm="kubernetes"',
      'keyboard: us-international',
      'hotkey=ctrl-alt-delete-now',
      // A secret's name, namespace or file says where one is, not what it is.
      '      secretName: my-tls-secret',
      '    SecretName:  my-tls-secret',
      '{"secret":{"defaultMode":420,"secretName":"my-tls-secret"}}',
      '      secretNamespace: cert-manager',
      '    --token-file=/var/run/secrets/tokens/vault-token',
      '          tokenPath: /var/run/secrets/kubernetes.io/serviceaccount/token',
      // kubectl describe secret, creating one from files, a certificate (not secret), prose.
      'tls.key:  1704 bytes',
      'kubectl create secret tls web-tls --cert=tls.crt --key=tls.key',
      '  tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t',
      'type: kubernetes.io/tls',
      '  --authorization-mode=Node,RBAC',
      'kind: AuthorizationPolicy',
      'The API server accepts bearer authentication.',
      'Basic authentication is disabled',
      '  - bearer credentials, client certificates',
    ];
    for (const line of lines) expect(redact(line), line).toBe(line);
  });

  it('masks a private key printed on one line (JSON-escaped) between its BEGIN and END, and the lines after are left alone', () => {
    const r = new Redactor();
    expect(r.line('"key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADAN\\n-----END PRIVATE KEY-----\\n"')).toBe(
      '"key": "-----BEGIN PRIVATE KEY-----[redacted]-----END PRIVATE KEY-----\\n"',
    );
    expect(r.line('after')).toBe('after');
  });

  it('masks every kind of private key block and no certificate, one after the other', () => {
    const r = new Redactor();
    const lines = [
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      'b3BlbnNzaC1rZXktdjEAAAAABG5vbmU',
      '-----END OPENSSH PRIVATE KEY-----',
      '-----BEGIN CERTIFICATE-----',
      'MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa',
      '-----END CERTIFICATE-----',
      '-----BEGIN ENCRYPTED PRIVATE KEY-----',
      'MIIFHzBJBgkqhkiG9w0BBQ0wPDAbBgkqhkiG9w0BBQwwDgQI',
      '-----END ENCRYPTED PRIVATE KEY-----',
      'done',
    ];
    expect(lines.map((l) => r.line(l))).toEqual([
      '-----BEGIN OPENSSH PRIVATE KEY-----[redacted]',
      '[redacted]',
      '-----END OPENSSH PRIVATE KEY-----',
      '-----BEGIN CERTIFICATE-----',
      'MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa',
      '-----END CERTIFICATE-----',
      '-----BEGIN ENCRYPTED PRIVATE KEY-----[redacted]',
      '[redacted]',
      '-----END ENCRYPTED PRIVATE KEY-----',
      'done',
    ]);
  });

  it('masking what is already masked changes nothing (reports mask lines the excerpt masked before)', () => {
    const piece = fc.constantFrom(
      JWT,
      'token',
      'password',
      'secret',
      'Bearer',
      'Authorization:',
      'authorization:',
      'Basic',
      'bearer',
      'tls.key:',
      'secretName:',
      'DATA+OMITTED',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'AKIAABCDEFGHIJKLMNOP',
      'xoxb-1234567890-abcdefghij',
      'abcdefgh12345678',
      '[redacted]',
      'nginx',
      'eyJ',
      '"',
    );
    const line = fc
      .array(fc.tuple(piece, fc.constantFrom('', ' ', '=', ': ', '"', '-', '.')), { maxLength: 8 })
      .map((parts) => parts.map(([p, sep]) => p + sep).join(''));
    fc.assert(
      fc.property(line, (text) => {
        const once = redact(text);
        expect(redact(once)).toBe(once);
        expect(new Redactor().line(once)).toBe(once);
      }),
    );
  });
});
