import { describe, expect, it } from 'vitest';
import { isLongRunning, looksLikeCommand, looksLikeOutput, parseShellOpener, runsKubectl, shellWords } from '../../src/kata/commands.js';
import { placeholdersIn } from '../../src/kata/placeholders.js';

describe('shellWords', () => {
  it('removes quotes and keeps placeholders as one word', () => {
    expect(shellWords(`kubectl get po <nginx POD> -o jsonpath='{.spec}' | jq .`)).toEqual([
      'kubectl',
      'get',
      'po',
      '<nginx POD>',
      '-o',
      'jsonpath={.spec}',
      '|',
      'jq',
      '.',
    ]);
  });
});

describe('parseShellOpener', () => {
  it('opens a shell for kubectl exec -it POD -- bash', () => {
    expect(parseShellOpener('kubectl exec -it <multitool POD> -- bash')).toMatchObject({
      kind: 'exec',
      target: '<multitool POD>',
      shell: 'bash',
    });
  });
  it('opens a shell for kubectl debug with its image and target container', () => {
    expect(parseShellOpener('kubectl debug -it <nginx POD> --image praqma/network-multitool --target=nginx -- sh')).toMatchObject({
      kind: 'debug',
      target: '<nginx POD>',
      image: 'praqma/network-multitool',
      container: 'nginx',
      shell: 'sh',
    });
  });
  it('opens a shell for kubectl run -it ... -- sh', () => {
    expect(parseShellOpener('kubectl run -it --rm tmp --image busybox --restart=Never -- sh')).toMatchObject({
      kind: 'run',
      target: 'tmp',
      image: 'busybox',
    });
  });
  it('accepts -ti, -i -t, --stdin --tty, namespaces and /bin/bash', () => {
    expect(parseShellOpener('kubectl -n demo exec -ti deploy/web -c app -- /bin/bash')).toMatchObject({
      kind: 'exec',
      target: 'deploy/web',
      container: 'app',
      shell: 'bash',
    });
    expect(parseShellOpener('kubectl exec -i -t web -- sh')).toMatchObject({ target: 'web' });
    expect(parseShellOpener('kubectl exec --stdin --tty web -- bash -l')).toMatchObject({ target: 'web' });
  });
  it('does not open a shell for one-shot or non-interactive forms', () => {
    expect(parseShellOpener('kubectl exec -it <POD on node-2> -- touch /tmp/ready')).toBeUndefined();
    expect(parseShellOpener('kubectl exec web -- bash')).toBeUndefined();
    expect(parseShellOpener('kubectl exec -it web -- sh -c "echo hi"')).toBeUndefined();
    expect(parseShellOpener('kubectl get pods')).toBeUndefined();
    expect(parseShellOpener('kubectl exec -it web -- bash; echo')).toBeUndefined();
  });
});

describe('isLongRunning', () => {
  it.each([
    "tcpdump -i eth0 -vv -XX 'tcp port 80'",
    'kubectl logs -f deploy/nginx',
    'kubectl logs deploy/nginx --follow',
    'kubectl get pods -w',
    'kubectl get pods --watch',
    'while true; do curl nginx; sleep 1; done',
    'for ((;;)); do date; done',
    './scripts/loop-query.sh',
    'scripts/loop-query-loadbalancer-ep.sh https+mtls',
    'kubectl port-forward svc/nginx 8080:80',
    'tail -f /var/log/x',
    'watch kubectl get pods',
    'kubectl exec -it web -- tcpdump -i any',
  ])('%s runs until stopped', (command) => expect(isLongRunning(command)).toBe(true));

  it.each([
    'tcpdump -c 10 -i eth0',
    'tcpdump -i lo -c5',
    "curl -s -w '%{http_code}' nginx",
    'kubectl logs deploy/nginx',
    'for ii in {1..20}; do curl multitool; done',
    'while true; do curl nginx && break; done',
    'ping -c 3 nginx',
  ])('%s ends on its own', (command) => expect(isLongRunning(command)).toBe(false));
});

describe('runsKubectl', () => {
  it('finds kubectl anywhere in a pipeline', () => {
    expect(runsKubectl('cat deploy/mtls/*.yaml |grep -v inject | kubectl apply -f -')).toBe(true);
    expect(runsKubectl('curl nginx | grep kubectl')).toBe(false);
  });
});

describe('looksLikeOutput / looksLikeCommand', () => {
  it('recognises pasted tables, JSON and YAML', () => {
    expect(looksLikeOutput('NAME                        READY   STATUS\nnginx 1/1 Running')).toBe(true);
    expect(looksLikeOutput('  {\n "command": ["bash"]')).toBe(true);
    expect(looksLikeOutput('[\n  1\n]')).toBe(true);
    expect(looksLikeOutput('apiVersion: v1\nkind: Pod')).toBe(true);
    expect(looksLikeOutput('kubectl get pods')).toBe(false);
    expect(looksLikeOutput('[ -f x ] && echo yes')).toBe(false);
  });
  it('tells commands from pseudo-code and prose', () => {
    expect(looksLikeCommand('kubectl get pods')).toBe(true);
    expect(looksLikeCommand('./scripts/loop-query.sh')).toBe(true);
    expect(looksLikeCommand('FOO=bar')).toBe(true);
    expect(looksLikeCommand('age = random(0,100)')).toBe(false);
    expect(looksLikeCommand('Egon is 40 years.')).toBe(false);
  });
});

describe('placeholdersIn', () => {
  it('lists placeholders once and marks <NAME POD> as a pod of app NAME', () => {
    expect(placeholdersIn('kubectl exec <nginx POD> && kubectl logs <nginx POD> <POD on node-1> < input.txt')).toEqual([
      { name: 'nginx POD', podOfApp: 'nginx' },
      { name: 'POD on node-1' },
    ]);
  });
  it('does not take heredocs or redirections for placeholders', () => {
    expect(placeholdersIn('cat <<EOF > out\nEOF\nsort < in > out')).toEqual([]);
    expect(placeholdersIn('sort <input.txt >output.txt')).toEqual([]);
    expect(placeholdersIn('cat <<EOF > a.c\n#include <stdio.h>\nEOF\necho <my value>')).toEqual([{ name: 'my value' }]);
  });
});
